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
  - Writes C(fleet-report.json), C(fleet-report.md) and C(fleet-report.html) to O(dest) (a dry run, C(-dry-run)
    files, see below); the three hold the same records.
    The HTML page is self-contained (no external file or network) and shows a count per outcome (a click shows only those hosts),
    a table coloured by outcome and sortable by host or outcome, each host's first failure and fix in its row, every
    step's details on a click, and one card per host at phone width.
  - Each host's outcome is what Ansible saw. V(unreachable) - a step's result says Ansible could not reach the host
    (its message is the first failure). V(failed) - a step failed or the C(entra_failure) fact is set, or the host left
    the play (it is not in C(ansible_play_hosts)) without a result that says why; such a host is never V(ok), because
    Ansible's C(rescue) does not run for an unreachable host. V(warn) - a check asks the operator to act.
    V(not run) - no step ran (the reason is given). V(changed), V(ok) - every step that ran passed, with or without a
    change. A step that did not run is V(not run) with the reason, never V(ok).
  - Checks with status C(info) (for example generated sAMAccountNames) are listed as information and leave the outcome
    alone; C(warn) is for what an operator should act on.
  - The report holds each host's DNS settings, every preflight check, the join status and time, the verification
    counts and the first failure with its fix. No other host variable is read, so no secret reaches it.
  - Run it once (C(run_once=true)) after the roles, and once with O(started=true) before them, so that a run which
    ends before its report (every host unreachable, or the run stopped) leaves a report of this run saying so
    rather than the last run's.
  - In check mode (C(--check), a dry run) the steps only predicted their results, and the report says so - its JSON
    has C(dry_run=true) (the report and each record), its title, first line and every host's outcome say
    "dry run" - and it goes to files of its own, C(fleet-report-dry-run.json), C(fleet-report-dry-run.md) and
    C(fleet-report-dry-run.html), so a dry run never replaces a real run's report. A verify step the role left out
    because the join is only predicted is V(not run), with that reason.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.controller
attributes:
  check_mode:
    support: full
    details: In check mode the report of the dry run is written to the C(fleet-report-dry-run.*) files; a real run's
      C(fleet-report.*) files are left alone.
  diff_mode:
    support: none
options:
  dest:
    description: Directory on the controller for the report files; created when missing.
    type: path
    required: true
  started:
    description:
      - Write the report of a run that is starting - every host V(not run), each step saying that this run has not
        reported it yet - whatever the hosts registered before. The main playbook does this before its first step, so
        no report of an earlier run survives a run that ends before its own report.
    type: bool
    default: false
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
  description: The file written per format (in check mode the C(fleet-report-dry-run.*) files).
  returned: always
  type: dict
  sample: {json: /srv/reports/fleet-report.json, html: /srv/reports/fleet-report.html}
outcomes:
  description: How many hosts had each outcome (V(unreachable), V(failed), V(warn), V(not run), V(changed), V(ok)).
  returned: always
  type: dict
  sample: {ok: 11, failed: 1}
failed_hosts:
  description: The hosts whose outcome is V(failed).
  returned: always
  type: list
  elements: str
unreachable_hosts:
  description: The hosts whose outcome is V(unreachable).
  returned: always
  type: list
  elements: str
dry_run:
  description: Whether the report is a dry run's (check mode), its outcomes predicted.
  returned: always
  type: bool
'''
