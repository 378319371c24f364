"""Fault switches that tests turn on to make the emulated NAS misbehave (thread safe).

Switches and their parameters (``times``: how many calls/jobs it hits, None = until cleared):

- ``drop_on_call``: method, after_execute=False, skip=0, times=1 -- close the connection when ``method`` is called,
  without a reply; with ``after_execute`` the call runs first (its effect happens, the reply is lost); the first
  ``skip`` calls of ``method`` go through untouched.
- ``drop_during_job``: method, times=1 -- close the caller's connection right after a job of ``method`` was
  started (and its id sent, for legacy jobs); the job keeps running, as on a NAS.
- ``delay``: seconds, method=None, times=None -- wait before handling a call (of ``method``, or any call).
- ``job_outcome``: method, state='FAILED'|'ABORTED', error='Emulated job failure', errno=14, extra=None,
  validation=None, times=1 -- the next job of ``method`` ends so; ``validation`` ([[attr, msg, errno], ...])
  makes it fail with ValidationErrors (exc_info.type VALIDATION) instead of a CallError.
- ``rate_limit_logins``: times=None -- unauthenticated auth.login* calls are refused as the real rate limit refuses
  them (rate_limit.py): "Rate Limit Exceeded" (EBUSY), counted in ``rate_limited``, the login never attempted.
- ``clock_offset``: seconds, times=None -- the NAS clock is that far ahead (negative: behind): ``system.info``
  reports ``datetime`` (and ``boottime``) shifted by it, as a NAS without working NTP would.
- ``kinit_fails``: code='KRB5KDC_ERR_PREAUTH_FAILED', times=1 -- the next kinit with a password (join or leave
  credential) fails with that KRB5 error-table name, without asking the KDC (no bad-password count).
- ``join_fails``: error, times=1 -- the next ``net ads join`` fails with Samba's text ``error`` (e.g. "Failed to
  join domain: failed to lookup DC info for domain 'X' over rpc: Logon failure"), before reaching the DC.
- ``winbind_fails_after_join``: error='WBC_ERR_WINBIND_NOT_AVAILABLE', times=1 -- right after a successful
  join, winbindd does not come up (wbclient.WBCError): 25.10 ends FAULTED with the join kept, 25.04 DISABLED.
- ``middleware_stops``: at, restart=True, times=1 -- the middleware process ends at the named step of a join or
  leave job: every connection and job goes with it, the stored settings stay as that step left them. Steps:
  ``update_stored`` (the update job stored the new settings -- enable, on 25.10 the KERBEROS_USER credential -- and
  set JOINING; net ads join not run), ``account_created`` (net ads join made the computer account; post-join actions
  not run), ``leave_started`` (the leave job removed the computer account with net ads leave and backed up the
  emptied secrets; the local settings not cleared). With ``restart`` it starts again at once (as systemd does:
  new job list, directoryservices.setup at boot); without, the NAS is down (no listener) until a test starts an
  emulator on the same state file (a NAS rebooted mid-join).
"""

import threading

_REQUIRED = object()
SWITCHES = {
    'drop_on_call': {'method': _REQUIRED, 'after_execute': False, 'skip': 0, 'times': 1},
    'drop_during_job': {'method': _REQUIRED, 'times': 1},
    'delay': {'seconds': _REQUIRED, 'method': None, 'times': None},
    'job_outcome': {'method': _REQUIRED, 'state': 'FAILED', 'error': 'Emulated job failure', 'errno': 14,
                    'extra': None, 'validation': None, 'times': 1},
    'rate_limit_logins': {'times': None},
    'clock_offset': {'seconds': _REQUIRED, 'times': None},
    'kinit_fails': {'code': 'KRB5KDC_ERR_PREAUTH_FAILED', 'times': 1},
    'join_fails': {'error': _REQUIRED, 'times': 1},
    'winbind_fails_after_join': {'error': 'WBC_ERR_WINBIND_NOT_AVAILABLE', 'times': 1},
    'middleware_stops': {'at': _REQUIRED, 'restart': True, 'times': 1},
}
STEPS = ('update_stored', 'account_created', 'leave_started')  # where middleware_stops may hit (see above)


class Faults:
    """Active fault switches; several of one kind may be on (e.g. for different methods)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active = []

    def set(self, name, **params):
        """Turn a switch on; raises ValueError for an unknown switch or parameter."""
        if name not in SWITCHES:
            raise ValueError(f'unknown fault {name!r}; known: {", ".join(SWITCHES)}')
        unknown = set(params) - set(SWITCHES[name])
        if unknown:
            raise ValueError(f'fault {name!r} takes no parameter(s) {", ".join(sorted(unknown))}')
        entry = {**SWITCHES[name], **params}
        missing = [key for key, value in entry.items() if value is _REQUIRED]
        if missing:
            raise ValueError(f'fault {name!r} needs {", ".join(missing)}')
        if entry.get('state', 'FAILED') not in ('FAILED', 'ABORTED'):
            raise ValueError('job_outcome state must be FAILED or ABORTED')
        if entry.get('at', STEPS[0]) not in STEPS:
            raise ValueError(f'middleware_stops at must be one of {", ".join(STEPS)}')
        with self._lock:
            self._active.append({'name': name, **entry})

    def clear(self, name=None):
        """Turn off every switch, or every switch called ``name``."""
        with self._lock:
            self._active = [entry for entry in self._active if name not in (None, entry['name'])]

    def take(self, name, method=None, at=None):
        """Parameters of the first switch ``name`` that hits ``method`` (or step ``at``), using up one of its times;
        or None."""
        with self._lock:
            for entry in self._active:
                if entry['name'] == name and entry.get('method') in (None, method) and entry.get('at') in (None, at):
                    if entry.get('skip'):
                        entry['skip'] -= 1
                        return None
                    if entry['times'] is not None:
                        entry['times'] -= 1
                        if entry['times'] <= 0:
                            self._active.remove(entry)
                    return dict(entry)
        return None

    def active(self):
        with self._lock:
            return [dict(entry) for entry in self._active]
