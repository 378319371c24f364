"""The emulator's control socket: what a test in another process may ask a running emulator.

Server side: :data:`CONTROL_METHODS` (``emulator.counters``, ``emulator.reset_counters``,
``emulator.set_fault [name, {params}]``, ``emulator.clear_faults [name?]``, ``emulator.state``,
``emulator.set_api_access [username, allowed]``), answered
over the same JSON-RPC/WebSocket framing on a unix socket and never counted.
Client side: :class:`Control`, a small synchronous client built on websocket-client.
"""

import itertools
import json
import socket

import websocket


def _state(emu):
    return {'version': emu.personality.version, 'network': emu.network_config, 'api_keys': emu.api_keys,
            'faults': emu.faults.active(), 'jobs': emu.jobs.encoded(),
            'api_access_denied': sorted(emu.accounts.denied)}


def _set_fault(emu, name, params=None):
    emu.faults.set(name, **(params or {}))


CONTROL_METHODS = {
    'emulator.counters': lambda emu: emu.counters(),
    'emulator.reset_counters': lambda emu: emu.reset_counters(),
    'emulator.set_fault': _set_fault,
    'emulator.clear_faults': lambda emu, name=None: emu.faults.clear(name),
    'emulator.state': _state,
    'emulator.set_api_access': lambda emu, username, allowed=True: emu.set_api_access(username, allowed),
}


class ControlError(Exception):
    """The emulator refused a control call."""


class Control:
    """``Control(path)``: talk to an emulator's control socket from another process."""

    def __init__(self, path, timeout=10):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(path))
        self._ws = websocket.create_connection('ws://localhost/control', socket=sock, timeout=timeout)
        self._ids = itertools.count(1)

    def call(self, method, *params):
        request_id = next(self._ids)
        self._ws.send(json.dumps({'jsonrpc': '2.0', 'id': request_id, 'method': method, 'params': list(params)}))
        answer = json.loads(self._ws.recv())
        if 'error' in answer:
            raise ControlError(answer['error']['message'])
        return answer['result']

    def counters(self):
        return self.call('emulator.counters')

    def reset_counters(self):
        self.call('emulator.reset_counters')

    def set_fault(self, name, **params):
        self.call('emulator.set_fault', name, params)

    def clear_faults(self, name=None):
        self.call('emulator.clear_faults', name)

    def state(self):
        return self.call('emulator.state')

    def set_api_access(self, username, allowed=True):
        """Take ``username``'s API access away (``allowed=False``: logins answer DENIED on 26+) or give it back."""
        self.call('emulator.set_api_access', username, allowed)

    def close(self):
        self._ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
