"""What the emulator saw: calls, connections, logins, writes. Read by tests and benchmarks (thread safe)."""

import copy
import threading
from collections import Counter


class Counters:
    """Counts every JSON-RPC call received (control socket excluded)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._data = {}
        self.reset()

    def reset(self):
        with self._lock:
            self._data = {
                'connections': 0,        # WebSocket connections accepted (TCP and unix socket)
                'calls': 0,              # requests with a method name, known or not
                'by_method': Counter(),
                'unauthenticated': 0,    # calls received on a connection not logged in (auth.* included)
                'private_calls': 0,      # calls of a method private on the connection's API version (server.py)
                'private_by_method': Counter(),
                'logins_ok': 0,
                'logins_failed': 0,      # AUTH_ERR, EXPIRED, False
                'rate_limited': 0,       # calls refused with "Rate Limit Exceeded" (never reached their method)
                'writes': 0,             # calls that really changed the NAS (an unchanged update is not one)
                'writes_by_method': Counter(),
            }

    def connection(self):
        with self._lock:
            self._data['connections'] += 1

    def call(self, method, authenticated, private=False):
        with self._lock:
            self._data['calls'] += 1
            self._data['by_method'][method] += 1
            self._data['unauthenticated'] += not authenticated
            if private:
                self._data['private_calls'] += 1
                self._data['private_by_method'][method] += 1

    def login(self, success):
        with self._lock:
            self._data['logins_ok' if success else 'logins_failed'] += 1

    def rate_limited(self):
        with self._lock:
            self._data['rate_limited'] += 1

    def write(self, method):
        with self._lock:
            self._data['writes'] += 1
            self._data['writes_by_method'][method] += 1

    def snapshot(self):
        """A JSON-ready copy."""
        with self._lock:
            data = copy.deepcopy(self._data)
        data['by_method'] = dict(data['by_method'])
        data['private_by_method'] = dict(data['private_by_method'])
        data['writes_by_method'] = dict(data['writes_by_method'])
        return data
