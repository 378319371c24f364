#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: fleet_report
short_description: Write a report of every host of a join_entra_ds run, as JSON, Markdown and HTML
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin) and reads, for every host, what the roles of the
    C(nasjoin.entra.join_entra_ds) playbook registered - C(entra_network_result), C(entra_preflight_result),
    C(entra_join_result), C(entra_verify_result) - and the C(entra_failure) fact its rescue sets.
  - Writes C(fleet-report.json), C(fleet-report.md) and C(fleet-report.html) to O(dest). The HTML page is self-contained
    (no external file or network); its table is coloured by outcome, and a click on a host shows every step's details.
  - The report holds each host's DNS settings, every preflight check, the join status and time, the verification
    counts and the first failure with its fix. No other host variable is read, so no secret reaches it.
  - Run it once (C(run_once=true)) after the roles.
author:
  - nasjoin.entra maintainers (@nasjoin)
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: In check mode no file is written.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
options:
  dest:
    description: Directory on the controller for the report files; created when missing.
    type: path
    required: true
  formats:
    description: Which files to write.
    type: list
    elements: str
    choices: [json, markdown, html]
    default: [json, markdown, html]
  hosts:
    description: Hosts to report, in this order. Unset is every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Write the fleet report
  nasjoin.entra.fleet_report:
    dest: "{{ entra_report_dir | default('entra-report') }}"
  run_once: true
'''

RETURN = r'''
paths:
  description: The file written (or that would be written) per format.
  returned: always
  type: dict
  sample: {json: /srv/reports/fleet-report.json, html: /srv/reports/fleet-report.html}
outcomes:
  description: How many hosts had each outcome (V(ok), V(warn), V(failed), V(not run)).
  returned: always
  type: dict
  sample: {ok: 11, failed: 1}
failed_hosts:
  description: The hosts that stopped at a failed step.
  returned: always
  type: list
  elements: str
'''
