# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one TrueNAS middleware client: one connection and one login per module run.

PRIVATE to the collection. ``call`` for plain methods, ``call_job`` for job methods (job id,
then ``core.get_jobs`` events, polling as fallback), ``version`` and ``require`` for gates.
Over wss the login picks its API path: ``auth.login_ex`` on /api/current with api_username,
else a path where ``auth.login_with_api_key`` is still public (27 retires it); a release newer
than the tested ones is asked for the newest tested API.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import versions
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import RATE_LIMITED, TrueNASError, from_job, printable

_READ_VERBS = frozenset(('config', 'query', 'status', 'summary', 'info', 'version', 'version_short', 'get_jobs',
                         'ping', 'get_user_obj', 'get_group_obj', 'domain_info'))
_DONE = frozenset(('SUCCESS', 'FAILED', 'ABORTED'))
CURRENT = '/api/current'
# what core.get_jobs shows for a Secret argument (api/base/types/string.py SECRET_VALUE, handler/dump_params.py)
REDACTED = '********'

# auth.login_ex response_type values (utils/auth.py AuthResp; plugins/auth.py login_ex), with message and hint
_LOGIN_REFUSED = {
    'AUTH_ERR': ('TrueNAS rejected the API key%s',
                 'check api_key (TrueNAS refuses a revoked key the same way) and api_username: since 25.04 every key '
                 'belongs to one user.'),
    # 26+: the key is right, but auth.authenticate_user found no privilege for the user's groups
    # (plugins/auth_/login_ex_impl.py login_ex_api_key_plain, plugins/auth_/authenticate.py)
    'DENIED': ('TrueNAS accepted the API key%s, but the user lacks API access ("User lacks API access")',
               'TrueNAS lets a user use the API only when one of its groups is in a privilege (Local Groups, or Directory '
               'Services Groups for a directory user): add the user to builtin_administrators (privilege "Local '
               'Administrator", role FULL_ADMIN, which nasjoin.entra needs), or use a key of a user who is in it.'),
    'EXPIRED': ('TrueNAS reports the API key%s as expired or revoked',
                'create a new key; TrueNAS revokes a key that was ever sent over plain ws://.'),
    'OTP_REQUIRED': ('TrueNAS asks for a one-time password for the API key%s',
                     'use a key of an account without two-factor authentication for automation.'),
    'REDIRECT': ('this TrueNAS controller is the HA standby%s', 'point api_url at the active controller.'),
}


def is_read(method):
    """True for methods that only read state and are safe to send twice."""
    return method.rsplit('.', 1)[-1] in _READ_VERBS


def same_arguments(sent, recorded):
    """True when a job's ``recorded`` arguments (its ``core.get_jobs`` entry) are the ``sent`` ones.

    A redacted value matches anything. The entry may hold more: trailing arguments and keys the NAS filled in with
    their defaults (a versioned API path adapts the arguments to the current model first:
    api/base/server/legacy_api_method.py ``_adapt_params``); every argument and key sent must be there, equal.
    """
    return isinstance(recorded, list) and len(recorded) >= len(sent) and all(map(_same, sent, recorded))


def _same(sent, recorded):
    if recorded == REDACTED:
        return True
    if isinstance(sent, dict):
        return isinstance(recorded, dict) and all(key in recorded and _same(value, recorded[key]) for key, value in sent.items())
    if isinstance(sent, (list, tuple)):
        return isinstance(recorded, list) and len(recorded) == len(sent) and all(map(_same, sent, recorded))
    return sent == recorded


def _key_login_public(api_version):
    """True when ``auth.login_with_api_key`` is public on ``api_version`` ('v26.0.0'): main.py ``_create_api`` makes
    it private from its ``removed_in='v27'`` (plugins/auth.py) on. None for a name that is no API version."""
    version = versions.parse_api_version(api_version)
    return None if version is None else versions.available('auth.login_with_api_key', version)


def _gone(method, job_id):
    return TrueNASError('%s (job %s) is gone: the NAS no longer knows the job (its middleware restarted while the job ran).'
                        % (method, job_id), method=method, errname='EJOBLOST',
                        hint='read the NAS state before running again; nothing was sent twice.')


def _job_fields(note, job_id):
    """The fields of a ``core.get_jobs`` event ``note`` about job ``job_id``; None for any other notification."""
    params = note.get('params') or {}
    if params.get('collection') == 'core.get_jobs' and params.get('id') == job_id:
        return params.get('fields') or {}
    return None


class Client:
    """Calls on one middleware connection, opened and logged in on first use.

    ``warn(text)`` gets what the module should show as a warning (the connection's ``module.warn``).
    """

    def __init__(self, transport, api_key=None, api_username=None, clock=time.monotonic, warn=None):
        self.transport = transport
        self._api_key = api_key
        self.api_username = api_username
        self._clock = clock
        self._warn = warn or (lambda text: None)
        self._connected = False
        self._subscribed = False
        self._path_chosen = False
        self._logins = 0
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
                self._choose_path()
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

    def _choose_path(self):
        """Without api_username, once: an API path where ``auth.login_with_api_key`` is public.

        On ``/api/current`` that asks ``GET /api/versions`` first; when the NAS lists a version that retires the
        method (27 and later), the run uses the newest version listed that does not, and says so. A NAS that does
        not answer the list keeps ``/api/current``. A pinned path that retires it is refused.
        """
        path = self.transport.api_path
        if self.api_username or self._path_chosen or path is None:
            return
        self._path_chosen = True
        if path != CURRENT:
            if _key_login_public(path[len('/api/'):]) is False:
                raise TrueNASError(
                    'api_url pins %s, where TrueNAS makes auth.login_with_api_key private (removed in v27).'
                    % self.transport.where, errname='EINVAL',
                    hint="set api_username (the key's user) to log in with auth.login_ex, or use /api/current.")
            return
        listed = self.transport.api_versions()
        public = dict((name, _key_login_public(name)) for name in listed or ())
        if False not in public.values():
            return
        older = [name for name, is_public in public.items() if is_public]
        if not older:
            raise TrueNASError(
                'TrueNAS at %s offers auth.login_with_api_key on none of its API versions (%s).'
                % (self.transport.where, printable(', '.join(listed))), errname='EINVAL',
                hint="set api_username (the key's user) to log in with auth.login_ex.")
        newest = max(older, key=versions.parse_api_version)
        self._warn('TrueNAS at %s retires auth.login_with_api_key on its current API (removed in v27); this run logged in '
                   "on /api/%s instead. Set api_username (the key's user) to log in with auth.login_ex on the current API."
                   % (self.transport.where, newest))
        self.transport.use_path('/api/' + newest)

    def _login(self):
        try:
            self._login_with_key()
        except TrueNASError as exc:
            if not exc.rate_limited:
                raise
            exc.message = 'TrueNAS refused the login to %s: %s (more than 20 logins a minute from this address)%s' % (
                self.transport.where, RATE_LIMITED, '' if self._logins else '; nothing was sent to it before.')
            raise
        self._logins += 1

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
                kind = answer.get('response_type') if isinstance(answer, dict) else None
                if kind != 'SUCCESS':
                    self._refuse(kind)
                return
        if not self.transport.request('auth.login_with_api_key', [self._api_key]):
            raise TrueNASError(
                'TrueNAS refused the API key (%s). auth.login_with_api_key answers only yes or no: a wrong, revoked or '
                'expired key, and on TrueNAS 26 and later a user without API access, look alike.' % self.transport.where,
                method='auth', errname='AUTH_ERR', hint="set api_username (the key's user): auth.login_ex says which it is.")

    def _refuse(self, kind):
        who = ' of user %s' % self.api_username
        if kind not in _LOGIN_REFUSED:
            raise TrueNASError(
                'TrueNAS answered the login%s with response_type %s, which nasjoin.entra does not handle: the login did '
                'not complete (%s).' % (who, printable(str(kind)), self.transport.where), method='auth', errname='ELOGIN',
                hint='nasjoin.entra logs in with API_KEY_PLAIN only (SUCCESS, AUTH_ERR, DENIED, EXPIRED, OTP_REQUIRED '
                     'and REDIRECT are known); report this answer with the TrueNAS release.')
        message, hint = _LOGIN_REFUSED[kind]
        raise TrueNASError('%s (%s).' % (message % who, self.transport.where), method='auth', errname=kind, hint=hint)

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

        ``timeout`` (s, default 600) bounds the wait; ``on_progress(job)`` sees each update. For a method of
        ``versions.SHARED_QUEUE``, another caller's job given back for the call raises EQUEUED with its ``job_id``
        (see ``_own_job``).
        """
        timeout = kwargs.get('timeout', 600)
        on_progress = kwargs.get('on_progress')
        self.open()
        if self.transport.runs_jobs:
            return self.transport.request(method, params, timeout=timeout, job=True)
        self._subscribe()
        job_id = self.call(method, *params)
        if method in versions.SHARED_QUEUE:
            job = self._own_job(method, params, job_id)
            if on_progress and job.get('state') in _DONE:  # ended already: its updates came while calls were answered
                self._replay(job, on_progress)
        else:  # a job of its own: no lock (core.bulk), or no arguments to tell one caller's call from another's
            job = {'id': job_id, 'state': 'WAITING'}
        return self._wait(method, job, timeout, on_progress)

    def _subscribe(self):
        if not self._subscribed:
            self.transport.request('core.subscribe', ['core.get_jobs'])
            self._subscribed = True

    def _get_job(self, job_id):
        jobs = self.call('core.get_jobs', [['id', '=', job_id]])
        return jobs[0] if jobs else None

    def _own_job(self, method, params, job_id):
        """The ``core.get_jobs`` entry of job ``job_id``, which the call of ``method`` with ``params`` returned.

        When a lock already has ``lock_queue_size`` jobs waiting, TrueNAS returns the last of them instead of queueing
        the call (job.py ``JobsQueue.add``; directoryservices.update, .leave and .sync_keytab have 1 on 26 and later):
        an entry of another method or with other arguments (``same_arguments``) is another caller's and raises
        EQUEUED, ``job_id`` set, rather than be waited on as this run's.
        """
        job = self._get_job(job_id)
        if job is None:  # the middleware restarted between the call and this read: a new, empty job list
            raise _gone(method, job_id)
        if job.get('method') != method or not same_arguments(list(params), job.get('arguments')):
            raise TrueNASError(
                "%s: TrueNAS gave this run job %s, which another caller queued with other arguments (TrueNAS queues one "
                "such call at a time); nothing of this run's was sent." % (method, job_id), method=method,
                errname='EQUEUED', job_id=job_id,
                hint='wait for job %s to end (the TrueNAS task manager shows it), then run again.' % job_id)
        return job

    def _wait(self, method, job, timeout, on_progress):
        """Follow ``job`` (its ``core.get_jobs`` entry) until it ends."""
        deadline = self._clock() + timeout
        job_id = job['id']
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
                    raise _gone(method, job_id)
            if update:
                job.update(update)
                if on_progress:
                    on_progress(job)
        if job['state'] != 'SUCCESS':
            raise from_job(method, job)
        return job.get('result')

    def _replay(self, job, on_progress):
        """``on_progress`` for each update of the ended ``job`` already received, in order, then for its entry."""
        seen = {'id': job['id']}
        note = self.transport.next_notification(0)
        while note is not None:
            fields = _job_fields(note, job['id'])
            if fields is not None:
                seen.update(fields)
                on_progress(dict(seen))
            note = self.transport.next_notification(0)
        on_progress(job)

    def _next_update(self, job_id, wait):
        """The job's next event; a quiet period falls back to one ``core.get_jobs`` poll."""
        started = self._clock()
        while self._clock() - started < wait:
            note = self.transport.next_notification(wait - (self._clock() - started))
            if note is None:
                break
            fields = _job_fields(note, job_id)
            if fields is not None:
                return fields
        return self._get_job(job_id)

    @property
    def version(self):
        """The NAS release as a tuple, read once per run from ``system.version_short``."""
        if self._version is None:
            self._version = versions.parse_version(self.call('system.version_short'))
            if versions.untested(self._version) and self.transport.api_path == CURRENT:
                self._pin_tested_api()
        return self._version

    def _pin_tested_api(self):
        """On a release newer than ``versions.TESTED``: reconnect to the API of the newest tested one, which a newer
        NAS serves with the answers adapted to its shapes (main.py ``_create_apis``); without it (HTTP 404 at the
        handshake) stay on /api/current. A run without api_username stays there too: its login method is private
        on that API. Either way, say so."""
        if self.api_username:
            self.close()
            self.transport.use_path('/api/' + versions.TESTED_API)
            try:
                self.open()
            except TrueNASError as exc:
                if exc.errname != 'ENOENT':
                    raise
                self.transport.use_path(CURRENT)
                self.open()
        if self.transport.api_path != CURRENT:
            how = ', the API of TrueNAS %s' % versions.format_version(versions.TESTED[-1])
        elif self.api_username:
            how = ' (the NAS does not serve /api/%s)' % versions.TESTED_API
        else:
            how = ' (set api_username to use /api/%s: the login without it is private there)' % versions.TESTED_API
        self._warn('TrueNAS %s is newer than the releases nasjoin.entra is tested with (up to %s); this run used %s%s.' % (
            versions.format_version(self._version), versions.format_version(versions.TESTED[-1]), self.transport.api_path, how))

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
