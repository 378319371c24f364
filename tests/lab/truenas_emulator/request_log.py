"""The request log: one JSON line per call the emulated NAS received, secrets redacted as the middleware logs them.

TrueNAS never writes a ``Secret`` field (api/base/types/string.py) or a login credential to its logs; this log
does the same, so a test that scans it for a secret proves the client sent that secret nowhere else (not in a
host name, a description, an error text).
"""

import json
import threading
import time

from .directory import SECRET, redact

SECRET_KEYS = ('password', 'bindpw', 'api_key', 'otp_token', 'token')
# positional secrets of the old login methods (plugins/auth.py)
SECRET_ARGS = {'auth.login': (1, 2), 'auth.login_with_api_key': (0,), 'auth.login_with_token': (0,)}


def redacted(method, params):
    """``params`` of ``method`` with every secret replaced by ********."""
    params = redact(params, SECRET_KEYS)
    if isinstance(params, list):
        params = [SECRET if index in SECRET_ARGS.get(method, ()) else value for index, value in enumerate(params)]
    return params


class RequestLog:
    """Appends ``{"time", "transport", "authenticated", "private", "method", "params"}`` lines to ``path`` (thread
    safe); ``private``: the method is private on the connection's API version and was called without the
    ``private_methods`` option (TrueNAS logs "Private method %r called on a connection without private_methods
    enabled")."""

    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()

    def record(self, method, params, transport, authenticated, private=False):  # pylint: disable=too-many-arguments
        line = json.dumps({'time': round(time.time(), 3), 'transport': transport, 'authenticated': authenticated,
                           'private': private, 'method': method, 'params': redacted(method, params)}, default=str)
        with self._lock, open(self.path, 'a', encoding='utf-8') as handle:
            handle.write(line + '\n')
