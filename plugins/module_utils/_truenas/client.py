# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one TrueNAS middleware client: one connection and one login per module run.

PRIVATE to the collection. ``call`` for plain methods, ``call_job`` for job methods (job id,
then ``core.get_jobs`` events, polling as fallback), ``version`` and ``require`` for gates.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import versions
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import RATE_LIMITED, TrueNASError, from_job

_READ_VERBS = frozenset(('config', 'query', 'status', 'summary', 'info', 'version', 'version_short', 'get_jobs',
                         'ping', 'get_user_obj', 'get_group_obj', 'domain_info'))
_DONE = frozenset(('SUCCESS', 'FAILED', 'ABORTED'))

_LOGIN_REFUSED = {
    'AUTH_ERR': ('TrueNAS rejected the API key%s.',
                 'check api_key, and api_username: since 25.04 every key belongs to one user.'),
    'EXPIRED': ('TrueNAS reports the API key%s as expired or revoked.',
                'create a new key; TrueNAS revokes a key that was ever sent over plain ws://.'),
    'OTP_REQUIRED': ('TrueNAS asks for a one-time password for the API key%s.',
                     'use a key of an account without two-factor authentication for automation.'),
    'REDIRECT': ('this TrueNAS controller is the HA standby%s.', 'point api_url at the active controller.'),
}


def is_read(method):
    """True for methods that only read state and are safe to send twice."""
    return method.rsplit('.', 1)[-1] in _READ_VERBS


class Client:
    """Calls on one middleware connection, opened and logged in on first use."""

    def __init__(self, transport, api_key=None, api_username=None, clock=time.monotonic):
        self.transport = transport
        self._api_key = api_key
        self.api_username = api_username
        self._clock = clock
        self._connected = False
        self._subscribed = False
        self._version = None
        self.reconnects = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.transport.close()
        self._connected = False
        self._subscribed = False

    def open(self):
        if not self._connected:
            if self.transport.needs_login:
                self._check_key_can_be_sent()
            self.transport.connect()
            self._connected = True
            if self.transport.needs_login:
                self._login()

    def _check_key_can_be_sent(self):
        if not self._api_key:
            raise TrueNASError('no api_key given for %s.' % self.transport.where, errname='ENOTAUTHENTICATED',
                               hint='set api_key (or TRUENAS_API_KEY), or leave api_url unset to use the NAS local socket.')
        if not self.transport.secure:
            raise TrueNASError(
                'refusing to send the API key over plain ws:// to %s: TrueNAS 25.04+ revokes a key used over an '
                'insecure transport.' % self.transport.where, errname='EINSECURE',
                hint='use wss:// (the default when api_url is a bare host name).')

    def _login(self):
        try:
            self._login_with_key()
        except TrueNASError as exc:
            if not exc.rate_limited:
                raise
            exc.message = 'TrueNAS refused the login to %s: %s (more than 20 logins a minute from this address)%s' % (
                self.transport.where, RATE_LIMITED, '' if self.reconnects else '; nothing was sent to it before.')
            raise

    def _login_with_key(self):
        if self.api_username:
            try:
                answer = self.transport.request('auth.login_ex', [{
                    'mechanism': 'API_KEY_PLAIN', 'username': self.api_username, 'api_key': self._api_key,
                    'login_options': {'user_info': False}}])
            except TrueNASError as exc:
                if exc.errname != 'ENOMETHOD':
                    raise
            else:
                kind = (answer or {}).get('response_type')
                if kind != 'SUCCESS':
                    self._refuse(kind or 'AUTH_ERR')
                return
        if not self.transport.request('auth.login_with_api_key', [self._api_key]):
            self._refuse('AUTH_ERR')

    def _refuse(self, kind):
        message, hint = _LOGIN_REFUSED.get(kind, _LOGIN_REFUSED['AUTH_ERR'])
        who = ' of user %s' % self.api_username if self.api_username else ''
        raise TrueNASError(message % who + ' (%s)' % self.transport.where, method='auth', errname=kind, hint=hint)

    def _reconnect(self):
        self.close()
        self.reconnects += 1
        self.open()

    def call(self, method, *params, **kwargs):
        """Call ``method``; a read survives one dropped connection, a write never repeats."""
        self.open()
        try:
            return self.transport.request(method, params, timeout=kwargs.get('timeout'))
        except TrueNASError as exc:
            if exc.errname != 'ECONNECTION' or not is_read(method) or self.reconnects:
                raise
        self._reconnect()
        return self.transport.request(method, params, timeout=kwargs.get('timeout'))

    def call_job(self, method, *params, **kwargs):
        """Start job ``method`` and wait for it; returns its result or raises its error.

        ``timeout`` (s, default 600) bounds the wait; ``on_progress(job)`` sees each update.
        """
        timeout = kwargs.get('timeout', 600)
        on_progress = kwargs.get('on_progress')
        self.open()
        if self.transport.runs_jobs:
            return self.transport.request(method, params, timeout=timeout, job=True)
        self._subscribe()
        job_id = self.call(method, *params)
        return self._wait(method, job_id, timeout, on_progress)

    def _subscribe(self):
        if not self._subscribed:
            self.transport.request('core.subscribe', ['core.get_jobs'])
            self._subscribed = True

    def _get_job(self, job_id):
        jobs = self.call('core.get_jobs', [['id', '=', job_id]])
        return jobs[0] if jobs else None

    def _wait(self, method, job_id, timeout, on_progress):
        deadline = self._clock() + timeout
        job = {'id': job_id, 'state': 'WAITING'}
        while job.get('state') not in _DONE:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise TrueNASError(
                    '%s (job %s) did not finish within %s s; it is still %s on the NAS.' % (method, job_id, timeout, job.get('state')),
                    method=method, errname='ETIMEDOUT',
                    hint='raise the timeout, or follow the job in the TrueNAS task manager before running again.')
            try:
                update = self._next_update(job_id, min(remaining, 5.0))
            except TrueNASError as exc:
                if exc.errname != 'ECONNECTION' or self.reconnects:
                    raise
                self._reconnect()  # the job goes on on the NAS: resume waiting, never start it again
                self._subscribe()
                update = self._get_job(job_id)
                if update is None:  # a middleware that restarted starts a new job list
                    raise TrueNASError(
                        '%s (job %s) is gone: the connection dropped and the NAS no longer knows the job (its middleware '
                        'restarted while the job ran).' % (method, job_id), method=method, errname='EJOBLOST',
                        hint='read the NAS state before running again; nothing was sent twice.')
            if update:
                job.update(update)
                if on_progress:
                    on_progress(job)
        if job['state'] != 'SUCCESS':
            raise from_job(method, job)
        return job.get('result')

    def _next_update(self, job_id, wait):
        """The job's next event; a quiet period falls back to one ``core.get_jobs`` poll."""
        started = self._clock()
        while self._clock() - started < wait:
            note = self.transport.next_notification(wait - (self._clock() - started))
            if note is None:
                break
            params = note.get('params') or {}
            if params.get('collection') == 'core.get_jobs' and params.get('id') == job_id:
                return params.get('fields') or {}
        return self._get_job(job_id)

    @property
    def version(self):
        """The NAS release as a tuple, read once per run from ``system.version_short``."""
        if self._version is None:
            self._version = versions.parse_version(self.call('system.version_short'))
        return self._version

    def require(self, method):
        """Fail with a clear message when ``method`` does not exist on this NAS release."""
        version = self.version
        if not versions.supported(version):
            raise TrueNASError(
                'TrueNAS %s is not supported: nasjoin.entra needs %s or later (JSON-RPC API).'
                % (versions.format_version(version), versions.format_version(versions.MIN_SUPPORTED)),
                method=method, errname='EVERSION', hint='upgrade the NAS, or join it by hand.')
        if not versions.available(method, version):
            raise TrueNASError('%s does not exist on TrueNAS %s.' % (method, versions.format_version(version)),
                               method=method, errname='EVERSION',
                               hint='this module needs a TrueNAS release that offers %s.' % method)
