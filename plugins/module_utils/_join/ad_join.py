# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_join: join or leave the managed domain through the TrueNAS API.

PRIVATE to the collection. Read state, decide from the stored settings plus status (never
by sending the password again), apply unless check mode, wait for HEALTHY, report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import hint_for
from ansible_collections.nasjoin.entra.plugins.module_utils._join import admin_group, directory_api, settings
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


class JoinFailed(Exception):
    """The run cannot go on; ``result`` says why (msg, hint, status)."""

    def __init__(self, msg, **result):
        super(JoinFailed, self).__init__(msg)
        self.result = dict(result, msg=msg)


def left_behind(before, after):
    """What TrueNAS left after a failed write, from the state read back: (outcome, sentence)."""
    if after['enabled'] and after['status'] == 'HEALTHY':
        return 'joined', 'The NAS is joined to %s and HEALTHY.' % after['domain']
    if after['enabled']:
        return 'kept', ('TrueNAS kept the new directory settings and the computer account (directory service %s) for '
                        'investigation: fix the cause, then run again with force_rejoin=true, or remove them with '
                        'state=absent and leave_credentials.' % after['status'])
    settings = dict((key, value) for key, value in view(after).items() if key != 'status')
    if settings == dict((key, value) for key, value in view(before).items() if key != 'status'):
        return 'reverted', 'TrueNAS reverted the directory settings: the NAS is as before (directory service %s).' % after['status']
    return 'disabled', 'TrueNAS disabled the directory service and kept the settings sent: the NAS is not joined.'


def view(state):
    """The managed settings as the diff shows them (never a password)."""
    keys = ('enabled', 'domain', 'hostname', 'computer_account_ou', 'site', 'enable_dns_updates', 'idmap', 'status')
    shown = dict((key, state.get(key)) for key in keys)
    if shown['idmap']:
        shown['idmap'] = dict((key, list(value)) for key, value in shown['idmap'].items() if key in ('builtin', 'domain'))
    return shown


def differences(api, current, desired, params):
    """Settings that differ from what is stored, split into (fixed while joined, changeable in place)."""
    fixed = []
    if desired['hostname'] and (current['hostname'] or '').lower() != desired['hostname'].lower():
        fixed.append('hostname')
    for key in ('computer_account_ou', 'site'):
        if params.get(key) is not None and (current[key] or None) != desired[key]:
            fixed.append(key)
    if params.get('idmap'):
        stored = current['idmap'] if current['idmap'] is not None else api.read_idmap()
        if any(tuple(stored[key]) != desired['idmap'][key] for key in ('builtin', 'domain')):
            fixed.append('idmap')
    mutable = []
    if current['enable_dns_updates'] != desired['enable_dns_updates']:
        (mutable if 'enable_dns_updates' in api.mutable else fixed).append('enable_dns_updates')
    return fixed, mutable


class Run:
    """One ad_join run: the module, its client, the API generation and what happened."""

    def __init__(self, module, client, clock=time.monotonic, sleep=time.sleep):
        self.module = module
        self.params = module.params
        self.client = client
        self.clock, self.sleep = clock, sleep
        self.progress = []
        self.api = None
        self.wrote = False
        self.started = clock()

    def _note(self, job):
        entry = job.get('progress') or {}
        step = {'percent': entry.get('percent'), 'description': entry.get('description')}
        if step['description'] and (not self.progress or self.progress[-1] != step):
            self.progress.append(step)

    def _job(self, action, *args):
        self.wrote = True
        try:
            return action(*(args + (self.params['join_timeout'], self._note)))
        except TrueNASError as exc:
            named = ['%s (%s): %s' % (param, field, message)
                     for field, param in self.api.params.items() for message in exc.field_errors(field)]
            if named:
                exc.message = 'TrueNAS refused the directory settings: %s' % '; '.join(named)
            exc.hint = hint_for(exc.message) or exc.hint
            raise

    def wait_healthy(self):
        """Poll directoryservices.status until HEALTHY; FAULTED or the deadline fail with the reason."""
        deadline, delay = self.clock() + self.params['wait_timeout'], 0.25
        while True:
            status, message = self.api.status()
            if status == 'HEALTHY':
                return status
            if status in ('FAULTED', 'DISABLED') or self.clock() >= deadline:
                detail = ': %s' % message if message else ''
                raise JoinFailed('the directory service is %s after the join%s' % (status, detail), status=status,
                                 status_msg=message, hint=hint_for(message) or
                                 'check the TrueNAS directory services page and its log; the computer account exists.')
            self.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _need_credentials(self, what):
        if not (self.params.get('username') and self.params.get('password')):
            raise JoinFailed('username and password are needed to %s.' % what,
                             hint='give the UPN and password of a member of AAD DC Administrators.')

    def present(self, current, desired):
        joined_here = current['enabled'] and current['domain'] == desired['domain']
        if current['enabled'] and not joined_here and not self.params['force_rejoin']:
            raise JoinFailed('the NAS is joined to %s, not %s; set force_rejoin=true to disable that join (its computer '
                             'account stays there) and join %s.' % (current['domain'], desired['domain'], desired['domain']),
                             status=current['status'])
        if joined_here:
            if current['status'] == 'JOINING' and not self.module.check_mode:
                current['status'] = self.wait_healthy()
            if current['status'] != 'HEALTHY' and not self.params['force_rejoin']:
                raise JoinFailed('the NAS is joined to %s but the directory service is %s%s' % (
                    desired['domain'], current['status'], ': %s' % current['status_msg'] if current['status_msg'] else ''),
                    status=current['status'], status_msg=current['status_msg'],
                    hint=hint_for(current['status_msg']) or 'set force_rejoin=true to join again.')
            fixed, mutable = differences(self.api, current, desired, self.params)
            if fixed and not self.params['force_rejoin']:
                raise JoinFailed('the NAS is joined to %s with other settings (%s); TrueNAS does not change them while '
                                 'joined. Set force_rejoin=true to leave and join again.' % (desired['domain'], ', '.join(fixed)),
                                 status=current['status'], differences=fixed)
            if not fixed and current['status'] == 'HEALTHY':
                if mutable and not self.module.check_mode:
                    self._job(self.api.set_dns_updates, desired['enable_dns_updates'])
                return bool(mutable), 'changed ' + ', '.join(mutable) if mutable else 'already joined, HEALTHY'
        self._need_credentials('join %s' % desired['domain'])
        if desired['hostname'] is None:  # the NAS host name, never a leftover default NetBIOS name like TRUENAS
            hostname = self.client.call('network.configuration.config')['hostname']
            try:
                desired['hostname'] = settings.netbios_name(hostname)
            except ValueError as exc:
                raise JoinFailed('%s Set hostname to a NetBIOS name for this NAS.' % exc, status=current['status'])
        if self.module.check_mode:
            return True, ('would join %s as %s (check mode: the credentials of %s were not checked, no password was '
                          'sent; the real join proves them)' % (desired['domain'], desired['hostname'], self.params['username']))
        if current['enabled']:
            self._job(self.api.disable)
        started = self.clock()
        self._job(self.api.join, desired, self.params['password'])
        self.wait_healthy()
        return True, 'joined %s in %.1f s' % (desired['domain'], self.clock() - started)

    def absent(self, current):
        if not current['enabled']:
            return False, 'not joined'
        creds = self.params.get('leave_credentials') or {}
        if self.module.check_mode:
            return True, 'would %s' % ('leave' if creds else 'disable')
        if creds:
            self._job(self.api.leave, settings.kerberos_name(creds['username'], current['domain']), creds['password'])
            return True, 'left %s: the computer account was removed' % current['domain']
        self._job(self.api.disable)
        self.module.warn('directory service disabled only: the computer account stays in %s; give leave_credentials to '
                         'remove it.' % current['domain'])
        return True, 'disabled; the computer account stays in the directory'

    def elapsed(self):
        """Seconds since the run started."""
        return round(self.clock() - self.started, 3)

    def failed(self, result, before, diff, hint=None):
        """A failed run's result; after a write, the state TrueNAS left (read back) and what it means. The ``hint``
        of a TrueNAS error ends the message, as run_module puts it."""
        result = dict(result, failed=True, changed=False, progress=self.progress, diff=diff, elapsed=self.elapsed())
        if self.wrote:
            try:
                after = self.api.read()
            except TrueNASError as exc:
                outcome, sentence = 'unknown', ('The directory state could not be read back (%s): check the NAS before '
                                                'running again.' % exc.message)
            else:
                outcome, sentence = left_behind(before, after)
                diff['after'] = view(after)
                result.update(status=after['status'], config=diff['after'], changed=diff['after'] != diff['before'])
            result.update(outcome=outcome, msg='%s %s' % (result['msg'], sentence))
        if hint:
            result['msg'] = '%s Hint: %s' % (result['msg'], hint)
        return result


def run(module, client):
    """ad_join entry point for run_module."""
    params = module.params
    settings.checked_params(params)
    desired = settings.desired(params) if params['state'] == 'present' else None
    domain = desired['domain'] if desired else settings.desired_domain(params)
    job = Run(module, client)
    job.api = directory_api.for_client(client)
    before = job.api.read()
    diff = {'before': view(before), 'after': view(before)}
    try:
        if desired:
            changed, summary = job.present(before, desired)
        elif domain and before['enabled'] and before['domain'] != domain:
            raise JoinFailed('the NAS is joined to %s, not %s: nothing was changed.' % (before['domain'], domain),
                             status=before['status'])
        else:
            changed, summary = job.absent(before)
        granted = None
        if desired and params.get('admin_group'):
            if module.check_mode and not (before['enabled'] and before['status'] == 'HEALTHY'):  # no lookup before a join
                granted, name, sid = True, admin_group.qualified(admin_group.netbios_domain(desired['domain']),
                                                                 params['admin_group']), None
            else:
                if changed:
                    job.api.read()  # the NetBIOS name the join took from the domain controllers
                granted, name, sid = admin_group.grant(client, job.api.netbios_domain(desired['domain']),
                                                       params['admin_group'], module.check_mode)
            summary += '; %s %s the %s role' % (name, 'granted' if granted else 'holds', admin_group.ROLE)
    except JoinFailed as exc:
        return job.failed(exc.result, before, diff)
    except TrueNASError as exc:
        if not job.wrote:
            raise
        return job.failed(dict(exc.result(), msg=exc.message), before, diff, exc.hint)
    if changed and module.check_mode:
        after = dict(before, **(desired or {}))
        after.update(enabled=bool(desired), status='HEALTHY' if desired else 'DISABLED')
    else:
        after = job.api.read() if changed else before
    diff['after'] = view(after)
    result = {'changed': changed or bool(granted), 'msg': summary, 'status': after['status'], 'progress': job.progress,
              'config': view(after), 'diff': diff, 'elapsed': job.elapsed()}
    if granted is not None:
        result['admin_group'] = {'group': name, 'sid': sid, 'role': admin_group.ROLE, 'changed': granted}
    return result
