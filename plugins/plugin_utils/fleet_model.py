# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's data: one record per host from what the join playbook's roles registered.

PRIVATE to the collection. ``host_record(name, hostvars)`` reads the registered results of the
four steps (``entra_network_result`` ... ``entra_verify_result``) and the ``entra_failure`` fact
the playbook's rescue sets; nothing else of the host's variables reaches the report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils import _validate

STEPS = (
    ('network', 'entra_network_result'),
    ('preflight', 'entra_preflight_result'),
    ('join', 'entra_join_result'),
    ('verify', 'entra_verify_result'),
)
CHECK_FIELDS = ('name', 'target', 'status', 'detail', 'hint')


def _state(result):
    if result is None:
        return 'not run'
    if result.get('failed'):
        return 'failed'
    if result.get('skipped'):
        return 'skipped'
    return 'changed' if result.get('changed') else 'ok'


def _checks(result):
    return [dict((key, check.get(key)) for key in CHECK_FIELDS) for check in result.get('checks') or []]


def _network(result):
    config = result.get('config') or {}
    return {'domain': config.get('domain'), 'nameservers': config.get('nameservers'),
            'restored': result.get('restored'), 'failed_nameservers': result.get('failed_nameservers')}


def _preflight(result):
    return {'summary': result.get('summary'), 'elapsed_ms': result.get('elapsed_ms'), 'checks': _checks(result)}


def _join(result):
    return {'status': result.get('status'), 'elapsed': result.get('elapsed'), 'progress': result.get('progress'),
            'status_msg': result.get('status_msg'), 'outcome': result.get('outcome')}


def _verify(result):
    directory = result.get('directory') or {}
    return {'summary': result.get('summary'), 'failed_checks': result.get('failed_checks'),
            'directory': dict((key, value) for key, value in directory.items() if not isinstance(value, list)),
            'checks': [check for check in _checks(result) if check['status'] in ('fail', 'warn')]}


DETAILS = {'network': _network, 'preflight': _preflight, 'join': _join, 'verify': _verify}


def _step(name, result):
    step = {'state': _state(result)}
    if result is not None and not result.get('skipped'):
        step['msg'] = result.get('msg')
        if result.get('hint'):
            step['hint'] = result['hint']
        step.update(DETAILS[name](result))
    return step


def _first_failure(steps, failure):
    if failure is None:
        return None
    for name, step in steps.items():
        if step['state'] == 'failed':
            return {'step': name, 'msg': step.get('msg') or failure.get('msg'), 'hint': step.get('hint') or failure.get('hint')}
    return {'step': failure.get('task'), 'msg': failure.get('msg'), 'hint': failure.get('hint')}


def _outcome(steps, failure):
    if failure is not None:
        return 'failed'
    if all(step['state'] in ('not run', 'skipped') for step in steps.values()):
        return 'not run'
    summaries = [step.get('summary') or {} for step in steps.values()]
    return 'warn' if any(summary.get('warn') for summary in summaries) else 'ok'


def host_record(name, hostvars):
    """One host's record: where it is, the outcome, each step, and its first failure with the fix."""
    steps = dict((step, _step(step, hostvars.get(var))) for step, var in STEPS)
    failure = hostvars.get('entra_failure')
    return {
        'host': name,
        'nas': _validate.redacted(hostvars.get('truenas_api_url') or hostvars.get('ansible_host') or name),
        'outcome': _outcome(steps, failure),
        'steps': steps,
        'first_failure': _first_failure(steps, failure),
    }


def fleet(records, generated_at):
    """The whole report: when, how many hosts had each outcome, and the records."""
    counts = {}
    for record in records:
        counts[record['outcome']] = counts.get(record['outcome'], 0) + 1
    return {'generated_at': generated_at, 'hosts': len(records), 'outcomes': counts, 'records': records}


def describe(outcomes):
    """"1 failed, 11 ok": how many hosts had each outcome."""
    return ', '.join('%d %s' % (number, outcome) for outcome, number in sorted(outcomes.items()))
