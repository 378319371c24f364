"""Fixtures for the emulator suite: a lab CA, emulators, and a raw JSON-RPC client (websocket-client)."""

import itertools
import json
import pathlib
import socket
import ssl
import sys
import time

import pytest

LAB = pathlib.Path(__file__).resolve().parents[2] / 'lab'
if str(LAB) not in sys.path:
    sys.path.insert(0, str(LAB))

websocket = pytest.importorskip('websocket')
pytest.importorskip('websockets')

# pylint: disable=wrong-import-position
from truenas_emulator import Emulator  # noqa: E402
from truenas_emulator.certs import make_ca_and_cert  # noqa: E402

API_KEY = '1-secretsecret'
IFACES = [{'name': 'eth0', 'ipv4': ['192.0.2.10/24'], 'ipv6': ['2001:db8::10/64']}]


class RawClient:
    """A plain JSON-RPC 2.0 client: every message as the server sent it; notifications kept aside."""

    def __init__(self, url=None, unix=None, ca=None, timeout=5):
        options = {'timeout': timeout}
        if unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(str(unix))
            options['socket'] = sock
            url = 'ws://localhost/api/current'
        elif ca:
            options['sslopt'] = {'cert_reqs': ssl.CERT_REQUIRED, 'ca_certs': ca}
        self.ws = websocket.create_connection(url, **options)
        self.ids = itertools.count(1)
        self.notifications = []

    def send(self, message):
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def recv(self):
        return json.loads(self.ws.recv())

    def request(self, method, *params, id_=None):
        """Send a call; return the full response (notifications seen meanwhile go to ``notifications``)."""
        id_ = next(self.ids) if id_ is None else id_
        self.send({'jsonrpc': '2.0', 'id': id_, 'method': method, 'params': list(params)})
        while True:
            message = self.recv()
            if 'method' in message:
                self.notifications.append(message)
            elif message.get('id') == id_:
                return message

    def call(self, method, *params):
        """The result; fails the test on an error response."""
        response = self.request(method, *params)
        assert 'error' not in response, response
        return response['result']

    def error(self, method, *params):
        response = self.request(method, *params)
        assert 'error' in response, response
        return response['error']

    def login(self, key=API_KEY, username='truenas_admin'):
        result = self.call('auth.login_ex', {'mechanism': 'API_KEY_PLAIN', 'username': username, 'api_key': key})
        assert result['response_type'] == 'SUCCESS', result
        return result

    def wait_event(self, predicate, timeout=5):
        """The first collection_update (kept or new) whose params satisfy ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.notifications:
                if message['method'] == 'collection_update' and predicate(message['params']):
                    return message['params']
            remaining = deadline - time.monotonic()
            assert remaining > 0, f'no matching event in {self.notifications}'
            self.ws.settimeout(remaining)
            self.notifications.append(self.recv())

    def close(self):
        self.ws.close()


@pytest.fixture(scope='session')
def certs(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp('pki'), names=['localhost'], ips=['127.0.0.1'])


@pytest.fixture
def make_emulator(tmp_path, certs):
    """``make_emulator(version='25.10', tls=True, unix=False, plain=False, **Emulator kwargs)`` -> a started
    Emulator; ``plain``: plain ws:// next to TLS (``plain_url``)."""
    started = []

    def make(version='25.10', tls=True, unix=False, plain=False, **kwargs):  # pylint: disable=too-many-arguments
        kwargs.setdefault('api_keys', {'truenas_admin': API_KEY})
        kwargs.setdefault('interfaces', IFACES)
        emu = Emulator(version, **kwargs)
        emu.start(certfile=certs['cert'] if tls else None, keyfile=certs['key'] if tls else None,
                  unix_socket=tmp_path / f'mw{len(started)}.sock' if unix else None, plain_port=0 if plain else None)
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def connect(certs):
    """``connect(emu)`` -> RawClient over TLS (or plain ws when the emulator has no TLS); ``unix=True`` for
    the middleware socket, ``plain=True`` for the plain ws:// listener next to TLS."""
    clients = []

    def open_client(emu, unix=False, plain=False):
        if unix:
            client = RawClient(unix=emu.socket_path)
        elif plain:
            client = RawClient(emu.plain_url)
        else:
            client = RawClient(emu.url, ca=certs['ca'] if emu.url.startswith('wss') else None)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        try:
            client.close()
        except (OSError, websocket.WebSocketException):
            pass


@pytest.fixture
def nas(make_emulator, connect):
    """A 25.10 emulator over TLS and a logged-in client: (emu, client)."""
    emu = make_emulator()
    client = connect(emu)
    client.login()
    return emu, client
