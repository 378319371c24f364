"""The emulator as a process (python -m truenas_emulator), its control socket, and the midclt stand-in."""

import json
import os
import signal
import subprocess
import sys

import pytest
import websocket

from .conftest import API_KEY, LAB, RawClient
from truenas_emulator.control import Control, ControlError

MIDCLT = LAB / 'truenas_emulator' / 'midclt'


@pytest.fixture
def emulator_process(tmp_path):
    keys = tmp_path / 'keys.json'
    keys.write_text(json.dumps({'truenas_admin': API_KEY}))
    command = [sys.executable, '-m', 'truenas_emulator', '--version', '25.04', '--listen', '127.0.0.1:0',
               '--socket', str(tmp_path / 'mw.sock'), '--control-socket', str(tmp_path / 'ctl.sock'),
               '--api-keys-file', str(keys), '--state-file', str(tmp_path / 'state.json'), '--hostname', 'nas1',
               '--interface', 'eth0=192.0.2.10/24', '--trust-loopback']
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': str(LAB)}) as process:
        yield json.loads(process.stdout.readline())
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_process_prints_where_it_listens(emulator_process):
    assert emulator_process['url'].startswith('ws://127.0.0.1:') and emulator_process['version'] == '25.04.2'
    client = RawClient(emulator_process['url'])
    assert client.request('auth.login_ex', {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin',
                                            'api_key': API_KEY})['result']['response_type'] == 'SUCCESS'
    assert client.request('system.info')['result']['hostname'] == 'nas1'


def test_control_socket_from_another_process(emulator_process):
    with Control(emulator_process['control_socket']) as control:
        client = RawClient(unix=emulator_process['socket'])
        assert client.request('system.version_short')['result'] == '25.04.2'
        counters = control.counters()
        assert counters['calls'] == 1 and counters['by_method'] == {'system.version_short': 1}
        control.set_fault('delay', seconds=0.01, method='core.ping')
        assert control.state()['faults'][0]['name'] == 'delay'
        control.clear_faults()
        assert control.state()['faults'] == []
        control.reset_counters()
        assert control.counters()['calls'] == 0
        assert control.state()['network']['hostname'] == 'nas1'
        with pytest.raises(ControlError):
            control.set_fault('nosuch')
        with pytest.raises(ControlError):
            control.call('emulator.nosuch')


def test_fault_set_over_control_hits_the_nas(emulator_process):
    with Control(emulator_process['control_socket']) as control:
        control.set_fault('drop_on_call', method='system.version')
        client = RawClient(unix=emulator_process['socket'])
        with pytest.raises((websocket.WebSocketException, ConnectionError)):
            client.request('system.version')
        assert control.counters()['by_method'] == {'system.version': 1}


@pytest.fixture
def midclt(make_emulator, tmp_path):
    emu = make_emulator(unix=True, resolv_conf=tmp_path / 'resolv.conf')
    emu.add_job_method('test.job', [(50, 'Half way', 0.01)], result=lambda *args: {'got': list(args)})

    def run(*args, env=None):
        environment = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'MIDCLT_SOCKET': emu.socket_path, **(env or {})}
        return subprocess.run([str(MIDCLT), *args], capture_output=True, text=True, env=environment, timeout=20, check=False)
    run.emu = emu
    return run


def test_midclt_prints_strings_and_ints_raw(midclt):
    result = midclt('call', 'system.version')
    assert (result.returncode, result.stdout) == (0, 'TrueNAS-25.10.1\n')
    result = midclt('call', 'dns.query', '[]', '{"count": true}')
    assert (result.returncode, result.stdout) == (0, '0\n')
    assert midclt('ping').stdout == 'pong\n'


def test_midclt_prints_json_documents(midclt):
    result = midclt('call', 'network.configuration.update', '{"nameserver1": "192.0.2.53"}')
    assert result.returncode == 0
    assert json.loads(result.stdout)['nameserver1'] == '192.0.2.53'
    assert midclt.emu.counters()['unauthenticated'] == 0


def test_midclt_validation_error(midclt):
    result = midclt('call', 'network.configuration.update', '{"nameserver1": "127.0.0.1"}')
    assert result.returncode == 1 and result.stdout == ''
    assert result.stderr == '[EINVAL] global_configuration_update.nameserver1: Loopback is not a valid nameserver\n'


def test_midclt_call_error_has_trace(midclt):
    result = midclt('call', 'core.get_jobs', '[["id", "=", 999]]', '{"get": true}')
    assert result.returncode == 1
    assert result.stderr.startswith('MatchNotFound()\nTraceback')


def test_midclt_unknown_method(midclt):
    result = midclt('call', 'nosuch.method')
    assert (result.returncode, result.stderr) == (1, 'Method does not exist\n')


def test_midclt_job(midclt):
    result = midclt('call', '-j', 'test.job', 'a', '3')
    assert result.returncode == 0 and json.loads(result.stdout) == {'got': ['a', 3]}
    assert 'Half way' in result.stderr


def test_midclt_failed_job(midclt):
    midclt.emu.faults.set('job_outcome', method='test.job', error='Cannot reach the DC', errno=113)
    result = midclt('call', '-j', 'test.job')
    assert result.returncode == 1 and result.stderr.startswith('[EHOSTUNREACH] Cannot reach the DC\n')


def test_midclt_uri_option_and_missing_socket(midclt, tmp_path):
    result = midclt('-u', f'ws+unix://{midclt.emu.socket_path}', 'call', 'system.ready', env={'MIDCLT_SOCKET': '/nonexistent'})
    assert (result.returncode, result.stdout) == (0, 'True\n')
    result = midclt('call', 'system.ready', env={'MIDCLT_SOCKET': str(tmp_path / 'absent.sock')})
    assert (result.returncode, result.stderr) == (1, 'Failed to run middleware call. Daemon not running?\n')


def test_midclt_failed_login_exits_zero(midclt):
    result = midclt('-K', '5-nope', 'call', 'system.version')
    assert (result.returncode, result.stdout) == (0, 'Failed to login:  Invalid API key\n')
