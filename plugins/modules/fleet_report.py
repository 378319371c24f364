#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: fleet_report
short_description: Write a report of every host of a join_entra_ds run, as JSON, Markdown, HTML and JUnit XML
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin) and reads, for every host, what the roles of the
    C(nasjoin.entra.join_entra_ds) playbook registered - C(entra_network_result), C(entra_preflight_result),
    C(entra_join_result), C(entra_verify_result) - and the C(entra_failure) fact its rescue sets.
  - Writes C(fleet-report.json), C(fleet-report.md) and C(fleet-report.html) to O(dest) (a dry run, C(-dry-run)
    files, see below), and on request C(fleet-report.junit.xml); they hold the same records. With O(name) the files
    are C(fleet-report-<name>.*), so the slices of a job, or runs at once, each write their own.
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
  - The JUnit XML form (O(formats) V(junit)) is for CI systems - a test suite per host, a test case per step
    (network, preflight, join, verify); a failed step is a failure with its message and fix, an unreachable one an
    error, a step that did not run is skipped with the reason. Every value is escaped and characters XML 1.0
    forbids become U+FFFD.
  - With O(merge), it writes one report from the JSON reports of many runs (the slices of a sliced AWX job, or
    repeated runs with C(--limit)) instead - for each host of O(hosts) (unset, every host of the play) the record of
    the newest report naming it; a host no report names is V(not run) with that reason, never V(ok). Hosts the
    reports name beyond O(hosts) come after them. A dry run's reports are merged in check mode, a real run's
    without; the others are skipped and named. Each record names the report it came from (C(report)), and the
    merged JSON lists the reports merged (C(merged)) and skipped (C(skipped)).
  - It returns RV(summary), which the main playbook publishes with C(ansible.builtin.set_stats) as
    C(entra_fleet_report), so AWX shows it with the job's artifacts and the next nodes of a workflow get it.
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
    choices: [json, markdown, html, junit]
    default: [json, markdown, html]
  hosts:
    description: Hosts to report, in this order. Unset is every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
  name:
    description:
      - Names the report files C(fleet-report-<name>.*) (a dry run's C(fleet-report-<name>-dry-run.*)), so that runs
        writing to one directory at once (the slices of a sliced job, the job id) never overwrite each other.
        Letters, digits, C(.), C(_) and C(-), up to 100.
    type: str
  merge:
    description:
      - JSON reports (paths or glob patterns, for example C(reports/fleet-report-*.json)) to merge into one report
        of O(hosts), written as this task's files; the files this task writes are never read. Cannot go with
        O(started).
    type: list
    elements: path
'''

EXAMPLES = r'''
- name: Write the fleet report
  nasjoin.entra.fleet_report:
    dest: "{{ entra_report_dir | default('entra-report') }}"
  run_once: true

- name: Merge the reports of the slices of a job into one, with a JUnit XML form for CI
  nasjoin.entra.fleet_report:
    dest: reports
    merge: [reports/fleet-report-*.json]
    formats: [json, markdown, html, junit]
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
summary:
  description:
    - The report as job artifacts (the main playbook publishes it with C(set_stats) as C(entra_fleet_report)). No
      secret - the report holds none.
  returned: always
  type: dict
  contains:
    generated_at: {description: When the report was made (UTC)., type: str}
    dry_run: {description: Whether the report is a dry run's., type: bool}
    hosts: {description: How many hosts it reports., type: int}
    outcomes: {description: How many hosts had each outcome; every outcome is there (0 for none)., type: dict}
    failed_hosts: {description: The hosts whose outcome is V(failed)., type: list, elements: str}
    unreachable_hosts: {description: The hosts whose outcome is V(unreachable)., type: list, elements: str}
    by_host:
      description: Per host - C(outcome), C(nas) (its address, no credential), and its first failure's C(step), C(msg)
        and C(hint) (the fix; all V(null) for a host that did not fail).
      type: dict
  sample:
    generated_at: '2026-01-05T02:00:41Z'
    dry_run: false
    hosts: 2
    outcomes: {unreachable: 0, failed: 1, warn: 0, not run: 0, changed: 0, ok: 1}
    failed_hosts: [nas2]
    unreachable_hosts: []
    by_host:
      nas1: {outcome: ok, nas: 'https://nas1.example.com', step: null, msg: null, hint: null}
      nas2: {outcome: failed, nas: 'https://nas2.example.com', step: preflight, msg: 'TCP 88 to 10.0.0.4 timed out',
             hint: 'open TCP 88 from the NAS subnet to the domain controllers'}
'''
