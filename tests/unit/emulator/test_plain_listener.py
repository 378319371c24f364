"""The plain ws:// listener (``--listen-plain HOST:PORT``, ``start(plain_port=..., plain_host=...)``): the same API
without TLS, where an API key is revoked on use (the NEP rule, plugins/auth.py at TS-25.10.1 and
plugins/auth_/login_ex_impl.py at TS-26.0.0-BETA.3 and HEAD)."""

import json
import os
import signal
import subprocess
import sys

import pytest

from truenas_emulator import Emulator
from truenas_emulator.__main__ import parse_args

from .conftest import API_KEY, LAB, RawClient

KEY = {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin', 'api_key': API_KEY}


@pytest.fixture
def process(tmp_path, certs):
    """``process(version)``: python -m truenas_emulator over TLS with --listen-plain; its JSON line."""
    started = []

    def run(version):
        keys = tmp_path / 'keys.json'
        keys.write_text(json.dumps({'truenas_admin': API_KEY}))
        command = [sys.executable, '-m', 'truenas_emulator', '--version', version, '--listen', '127.0.0.1:0',
                   '--listen-plain', '127.0.0.1:0', '--cert', certs['cert'], '--key', certs['key'],
                   '--api-keys-file', str(keys), '--state-file', str(tmp_path / f'state-{version}.json')]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,  # pylint: disable=consider-using-with
                                env={**os.environ, 'PYTHONPATH': str(LAB)})
        started.append(proc)
        return json.loads(proc.stdout.readline())

    yield run
    for proc in started:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        proc.stdout.close()


@pytest.mark.parametrize('version, reason', [('25.04', None), ('27', 'Attempt to use over an insecure transport')])
def test_key_used_on_the_plain_listener_is_revoked(process, certs, tmp_path, version, reason):
    started = process(version)
    assert started['url'].startswith('wss://127.0.0.1:') and started['plain_url'].startswith('ws://127.0.0.1:')
    assert started['plain_url'] != started['url'].replace('wss', 'ws')
    plain = RawClient(started['plain_url'])
    assert plain.request('system.version_short')['error']['data']['errname'] == 'ENOTAUTHENTICATED'
    assert plain.request('auth.login_ex', KEY)['result'] == {'response_type': 'EXPIRED'}
    # the key is gone for the TLS listener too, and stays gone in the state file
    tls = RawClient(started['url'], ca=certs['ca'])
    assert tls.request('auth.login_ex', KEY)['result'] == {'response_type': 'EXPIRED'}
    stored = json.loads((tmp_path / f'state-{version}.json').read_text())['api_keys'][0]
    assert stored['revoked'] is True and stored['revoked_reason'] == reason


@pytest.mark.parametrize('version', ('26', '27'))
def test_plain_listener_in_process_on_its_own_host(version):
    """``plain_host``: the plain listener may be on another address than the main one (here the only TCP one)."""
    emu = Emulator(version, api_keys={'truenas_admin': API_KEY}).start(host=None, plain_port=0, plain_host='127.0.0.2')
    try:
        assert emu.url is None and emu.plain_url.startswith('ws://127.0.0.2:')
        assert RawClient(emu.plain_url).request('auth.login_ex', KEY)['result'] == {'response_type': 'EXPIRED'}
        assert emu.api_keys[0]['revoked_reason'] == 'Attempt to use over an insecure transport'
    finally:
        emu.stop()


def test_fleet_refuses_a_plain_listener(tmp_path, capsys):
    with pytest.raises(SystemExit):
        parse_args(['--instances', '2', '--fleet-dir', str(tmp_path), '--listen-plain', '127.0.0.1:0'])
    assert '--listen-plain' in capsys.readouterr().err
