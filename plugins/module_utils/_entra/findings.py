# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks and their summary, the result shape of the read-only modules (entra_connectivity, verify_idmap).

PRIVATE to the collection. A check is {name, target, status, value, detail, hint}; status is pass, info (worth knowing,
nothing to do), warn (the operator should act), fail or skip;
kept apart from either module's decisions so that each module's payload carries only its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

FAIL_ON = {'fail': ('fail',), 'warn': ('fail', 'warn'), 'never': ()}
MSG_NAMES = 6  # failed or warning checks named in msg


def check(name, target, status, detail, value=None, hint=None):
    """One check result; the hint only where something needs doing."""
    return {'name': name, 'target': target, 'status': status, 'value': value, 'detail': detail,
            'hint': hint if status in ('fail', 'warn', 'info') else None}


def key_of(item):
    return item['name'] if item['target'] is None else '%s@%s' % (item['name'], item['target'])


def summarize(found, fail_on, where=None):
    """A read-only module's result: checks, counts, failed checks, a message naming the first problem and its fix
    (then ``where``), and ``failed`` when a check has a status ``fail_on`` fails on."""
    summary = dict((status, sum(item['status'] == status for item in found)) for status in ('pass', 'info', 'warn', 'fail', 'skip'))
    summary['total'] = len(found)
    failed = [item for item in found if item['status'] == 'fail']
    warned = [item for item in found if item['status'] == 'warn']
    first = (failed or warned or [None])[0]
    if first:
        named = [key_of(item) for item in failed + warned]
        msg = '%d of %d checks failed, %d warn (%s%s). First: %s: %s. Fix: %s' % (
            len(failed), len(found), len(warned), ', '.join(named[:MSG_NAMES]),
            ' and %d more' % (len(named) - MSG_NAMES) if len(named) > MSG_NAMES else '', key_of(first), first['detail'],
            first['hint'])
    else:
        msg = 'No check failed or warns: %d passed, %d skipped%s.' % (
            summary['pass'], summary['skip'], ', %d for information' % summary['info'] if summary['info'] else '')
    if where:
        msg += ' ' + where
    result = {'changed': False, 'checks': found, 'summary': summary, 'failed_checks': [key_of(item) for item in failed],
              'msg': msg}
    if any(item['status'] in FAIL_ON[fail_on] for item in found):
        result['failed'] = True
    return result


def skip(name, target, reason):
    return check(name, target, 'skip', reason)
