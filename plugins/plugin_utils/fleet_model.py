# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's data: one record per host from what the join playbook's roles registered.

PRIVATE to the collection. ``host_record(name, hostvars, in_play)`` reads the registered results of the
four steps (``entra_network_result`` ... ``entra_verify_result``) and the ``entra_failure`` fact the
playbook's rescue sets; nothing else of the host's variables reaches the report. ``in_play`` says whether
the host was still in the play (``ansible_play_hosts``) when the report was made: a host that left it
(unreachable, or failed where no rescue ran) is never reported ``ok``, whatever it registered before.
``dry_run`` (check mode) marks a report of predicted results: every record and the report say so, and a verify
step left out after a join that is only predicted is ``not run`` with that reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils import _redact

STEPS = (
    ('network', 'entra_network_result'),
    ('preflight', 'entra_preflight_result'),
    ('join', 'entra_join_result'),
    ('verify', 'entra_verify_result'),
)
CHECK_FIELDS = ('name', 'target', 'status', 'detail', 'hint')
# host outcomes, worst first: the order of the headline counts and of a sort by outcome
OUTCOMES = ('unreachable', 'failed', 'warn', 'not run', 'changed', 'ok')
UNREACHABLE_HINT = ('Ansible could not reach the NAS (SSH for a host without truenas_api_url): check that it is up, '
                    'that sshd runs and accepts the key, and the address in the inventory; then run the play again for it.')
LEFT_PLAY_MSG = ('the host left the play at a task that registered no result (Ansible marked it failed or unreachable '
                 'there): the play output names the task')
NOT_RUN_WHY = 'not part of this run (--tags, --skip-tags or --start-at-task left the step out)'
JOIN_PREDICTED_WHY = 'the join is only predicted (check mode): there is no joined NAS to verify yet'
DRY_RUN_WHY = 'dry run (check mode, nothing was changed): %s'
STARTED_WHY = ('the run that started at %s has not reported this host: if that run is over, it ended before its '
               'report (every host unreachable or failed, or the run was stopped); the play output says why')


def _state(result):
    if result is None:
        return 'not run'
    if result.get('unreachable'):
        return 'unreachable'
    if result.get('failed'):
        return 'failed'
    if result.get('skipped'):
        return 'skipped'
    return 'changed' if result.get('changed') else 'ok'


def _checks(result, statuses=None):
    return [dict((key, check.get(key)) for key in CHECK_FIELDS) for check in result.get('checks') or []
            if statuses is None or check.get('status') in statuses]


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
            'checks': _checks(result, ('fail', 'warn', 'info'))}


DETAILS = {'network': _network, 'preflight': _preflight, 'join': _join, 'verify': _verify}


def _step(name, result):
    step = {'state': _state(result)}
    if step['state'] == 'skipped':
        step['why'] = result.get('false_condition') and 'when: %s was false' % result['false_condition'] or \
            result.get('skip_reason') or 'skipped'
    elif step['state'] == 'unreachable':
        step['msg'] = result.get('msg') or 'unreachable'
    elif result is not None:
        step['msg'] = result.get('msg')
        hint = _hint(result)
        if hint:
            step['hint'] = hint
        step.update(DETAILS[name](result))
    return step


def _hint(result):
    """The fix a result names: its own hint, its TrueNAS error's, or that of its first failed check."""
    failed = [check.get('hint') for check in result.get('checks') or [] if check.get('status') == 'fail']
    return result.get('hint') or (result.get('error') or {}).get('hint') or next((hint for hint in failed if hint), None)


def _first_failure(steps, failure, in_play):
    for name, step in steps.items():
        if step['state'] == 'unreachable':
            return {'step': name, 'msg': step['msg'], 'hint': UNREACHABLE_HINT}
        if step['state'] == 'failed':
            failure = failure or {}
            return {'step': name, 'msg': step.get('msg') or failure.get('msg'), 'hint': step.get('hint') or failure.get('hint')}
    if failure is not None:
        return {'step': failure.get('task'), 'msg': failure.get('msg'), 'hint': failure.get('hint')}
    if not in_play:
        return {'step': None, 'msg': LEFT_PLAY_MSG, 'hint': None}
    return None


def _outcome(steps, first_failure):
    if first_failure is not None:
        return 'unreachable' if any(step['state'] == 'unreachable' for step in steps.values()) else 'failed'
    if all(step['state'] in ('not run', 'skipped') for step in steps.values()):
        return 'not run'
    if any((step.get('summary') or {}).get('warn') for step in steps.values()):
        return 'warn'
    return 'changed' if any(step['state'] == 'changed' for step in steps.values()) else 'ok'


def _explain_not_run(steps, first_failure, not_run_why):
    """Each step that did not run says why: the host stopped before it, or the run left it out."""
    stopped = None
    for name, step in steps.items():
        if step['state'] == 'not run':
            step['why'] = 'the host stopped at %s' % stopped if stopped else not_run_why
        elif step['state'] in ('failed', 'unreachable'):
            stopped = name
    if first_failure is not None and stopped is None:
        for step in steps.values():
            if step['state'] == 'not run':
                step['why'] = 'the host stopped before this step (%s)' % (first_failure['step'] or 'see the play output')


def _why(outcome, steps, first_failure):
    """One line: what happened to the host."""
    if first_failure is not None:
        where = first_failure['step'] or 'a task outside the steps'
        return '%s at %s: %s' % (outcome, where, first_failure['msg'])
    if outcome == 'not run':
        reasons = sorted(set(step['why'] for step in steps.values() if step.get('why')))
        return 'no step ran: %s' % '; '.join(reasons)
    ran = [name for name, step in steps.items() if step['state'] in ('ok', 'changed')]
    return '%s: %s ran' % (outcome, ', '.join(ran))


def _predicted_join(steps):
    """In a dry run, a verify step the role left out because the join before it is only predicted: not run, and why."""
    if steps['join']['state'] == 'changed' and steps['verify']['state'] in ('skipped', 'not run'):
        steps['verify'] = {'state': 'not run', 'why': JOIN_PREDICTED_WHY}


def _notes(steps):
    return [dict(check, step=name) for name, step in steps.items() for check in step.get('checks') or []
            if check['status'] == 'info']


def host_record(name, hostvars, in_play=True, started=None, dry_run=False, missing_why=None):
    """One host's record: where it is, the outcome and why, each step, its first failure with the fix, and notes.
    ``started``: the time a run started, for the record written before any step (every step not run yet).
    ``dry_run``: the steps ran in check mode, so the outcome is what a real run would do.
    ``missing_why``: the host has no result at all (a merge no report of names it), and why."""
    if started or missing_why:
        hostvars = {'truenas_api_url': hostvars.get('truenas_api_url'), 'ansible_host': hostvars.get('ansible_host')}
    steps = dict((step, _step(step, hostvars.get(var))) for step, var in STEPS)
    first_failure = _first_failure(steps, hostvars.get('entra_failure'), in_play)
    _explain_not_run(steps, first_failure, missing_why or (STARTED_WHY % started if started else NOT_RUN_WHY))
    if dry_run and first_failure is None:
        _predicted_join(steps)
    outcome = _outcome(steps, first_failure)
    why = _why(outcome, steps, first_failure)
    return {
        'host': name,
        'nas': _redact.redacted(hostvars.get('truenas_api_url') or hostvars.get('ansible_host') or name),
        'outcome': outcome,
        'dry_run': dry_run,
        'why': DRY_RUN_WHY % why if dry_run else why,
        'steps': steps,
        'first_failure': first_failure,
        'notes': _notes(steps),
    }


def fleet(records, generated_at, dry_run=False):
    """The whole report: when, whether it is a dry run's, how many hosts had each outcome, and the records."""
    counts = {}
    for record in records:
        counts[record['outcome']] = counts.get(record['outcome'], 0) + 1
    return {'generated_at': generated_at, 'dry_run': dry_run, 'hosts': len(records), 'outcomes': counts,
            'records': records}


def describe(outcomes):
    """"1 failed, 11 ok": how many hosts had each outcome, worst first."""
    return ', '.join('%d %s' % (outcomes[outcome], outcome) for outcome in OUTCOMES if outcomes.get(outcome))
