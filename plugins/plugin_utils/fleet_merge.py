# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many fleet reports (the slices of a sliced job, or repeated runs) made into one, and the summary a job publishes.

PRIVATE to the collection. ``merge`` takes the JSON reports and the hosts the merged report is about (the inventory
of the merge): each host's record is the one of the newest report that names it; a host no report names is
``not run`` with that reason, never ``ok``. ``summary`` is what the playbook publishes with ``set_stats``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import OUTCOMES, fleet, host_record

MISSING_WHY = ('no merged report names this host: its slice or run did not reach the report, or wrote it elsewhere '
               '(the reports merged are listed under "merged")')
SKIPPED_WHY = {True: 'a dry run\'s report: merge it with --check', False: 'a real run\'s report: merge it without --check'}


class MergeError(ValueError):
    """A report that cannot be merged; the message names it and what to do."""


def _checked(label, report):
    """The records of one parsed report, after checking it is a fleet report."""
    records = report.get('records') if isinstance(report, dict) else None
    if not isinstance(records, list) or not isinstance(report.get('generated_at'), str) or not all(
            isinstance(record, dict) and isinstance(record.get('host'), str) and record.get('outcome') in OUTCOMES
            for record in records):
        raise MergeError('%s: not a fleet report of nasjoin.entra.fleet_report (JSON with generated_at and records); '
                         'merge only its fleet-report*.json files' % label)
    return records


def merge(reports, hosts, hostvars, generated_at, dry_run):
    """One report of ``hosts`` (then any other host the reports name) from ``reports``: [(label, parsed JSON)] of
    the given kind (``dry_run``; the others are listed as skipped); ``hostvars`` {host: vars} gives the address of
    a host no report names."""
    newest, merged, skipped = {}, [], []
    for label, report in reports:
        records = _checked(label, report)
        if bool(report.get('dry_run')) != dry_run:  # a dry run's reports are merged with --check, a real run's without
            skipped.append({'report': label, 'why': SKIPPED_WHY[bool(report.get('dry_run'))]})
            continue
        merged.append({'report': label, 'generated_at': report['generated_at'], 'hosts': len(records)})
        for record in records:
            if record['host'] not in newest or newest[record['host']]['generated_at'] <= report['generated_at']:
                newest[record['host']] = {'generated_at': report['generated_at'], 'record': dict(record, report=label)}
    names = list(hosts) + sorted(set(newest) - set(hosts))
    records = [newest[name]['record'] if name in newest else
               dict(host_record(name, hostvars.get(name) or {}, True, None, dry_run, MISSING_WHY), report=None)
               for name in names]
    return dict(fleet(records, generated_at, dry_run), merged=merged, skipped=skipped)


def summary(report):
    """The report as the job's artifacts: counts per outcome, the failed and unreachable hosts, and per host its
    outcome, address (no secret: the report holds none) and first failure with the fix."""
    by_host = {}
    for record in report['records']:
        failure = record.get('first_failure') or {}
        by_host[record['host']] = {'outcome': record['outcome'], 'nas': record.get('nas'), 'step': failure.get('step'),
                                   'msg': failure.get('msg'), 'hint': failure.get('hint')}
    return {'generated_at': report['generated_at'], 'dry_run': report['dry_run'], 'hosts': report['hosts'],
            'outcomes': dict((outcome, report['outcomes'].get(outcome, 0)) for outcome in OUTCOMES),
            'failed_hosts': [record['host'] for record in report['records'] if record['outcome'] == 'failed'],
            'unreachable_hosts': [record['host'] for record in report['records'] if record['outcome'] == 'unreachable'],
            'by_host': by_host}
