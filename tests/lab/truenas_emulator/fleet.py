"""Many emulated NAS in one process, for fleet benchmarks: ``count`` emulators on one event loop, each on its own
TCP port with its own TLS certificate (one fleet CA), hostname, state file, API key, counters, control socket
and directory backend.

Everything lives under ``directory``: ``ca.pem``; ``nasNNN/`` (server.pem, server.key, state.json,
control.sock); and ``fleet.json`` (mode 0600), which lists each NAS as ``{"hostname", "url", "control_socket",
"api_username", "api_key"}`` for an inventory.
"""

import asyncio
import json
import os
import secrets
import threading

from .certs import make_ca, make_cert
from .directory_backend import FakeDirectory
from .emulator import Emulator

API_USERNAME = 'truenas_admin'


class Fleet:
    """``count`` emulated NAS ``nas001``...: ``Fleet(count, directory, ...).start()``, then ``nas`` (the
    emulators), ``instances`` (what fleet.json lists), ``ca`` (the CA file) and ``stop()``. ``listen``: (host,
    base port); base port 0 takes free ports, else NAS i listens on base port + i - 1. ``directory_options``:
    FakeDirectory knobs for every NAS (each gets its own backend); the other keyword arguments go to each
    Emulator."""

    def __init__(self, count, directory, listen=('127.0.0.1', 0), directory_options=None, **emulator):
        if count < 1:
            raise ValueError('a fleet has at least one NAS')
        self.count, self.directory, (self.host, self.base_port) = count, os.fspath(directory), listen
        self.directory_options, self.emulator = dict(directory_options or {}), emulator
        self.nas, self.instances, self.ca = [], [], None
        self._loop = self._thread = None

    def start(self):
        """Make the certificates, start every NAS, write fleet.json; return self."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name='truenas-fleet', daemon=True)
        self._thread.start()
        try:
            ca = make_ca(self.directory)
            self.ca = ca['ca']
            for number in range(1, self.count + 1):
                self._start_one(ca, number)
        except BaseException:
            self.stop()
            raise
        path = os.path.join(self.directory, 'fleet.json')
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as handle:
            json.dump({'ca': ca['ca'], 'instances': self.instances}, handle, indent=1)
        return self

    def _start_one(self, ca, number):
        hostname = f'nas{number:03d}'
        home = os.path.join(self.directory, hostname)
        tls = make_cert(ca, home, names=(hostname, 'localhost'), ips=(self.host,))
        api_key = f'{number}-{secrets.token_hex(24)}'
        emu = Emulator(api_keys={API_USERNAME: api_key}, state_file=os.path.join(home, 'state.json'),
                       hostname=hostname, directory=FakeDirectory(**self.directory_options), **self.emulator)
        port = self.base_port + number - 1 if self.base_port else 0
        emu.start(self.host, port, tls['cert'], tls['key'], control_socket=os.path.join(home, 'control.sock'),
                  loop=self._loop)
        self.nas.append(emu)
        self.instances.append({'hostname': hostname, 'url': emu.url, 'control_socket': emu.control_socket_path,
                               'api_username': API_USERNAME, 'api_key': api_key})

    def stop(self):
        """Stop every NAS, then the loop."""
        for emu in self.nas:
            emu.stop()
        self.nas = []
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
            self._loop = self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
