"""The client against the middleware emulator in-process: real wss, local socket and midclt, jobs and faults."""

import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[3] / 'lab'
sys.path.insert(0, str(LAB))

from truenas_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.certs import make_ca_and_cert  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client  # noqa: E402
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError  # noqa: E402
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import (  # noqa: E402
    LocalSocketTransport, MidcltTransport, WebSocketTransport)

KEY = '5-clientTESTkeyclientTESTkey'
STEPS = ((10, 'Preparing to join Active Directory', 0.05), (50, 'Performing domain join.', 0.05))


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp('tls'))


@pytest.fixture(params=['25.04', '25.10'])
def nas(request, tls, tmp_path):
    emulator = Emulator(request.param, api_keys={'truenas_admin': KEY})
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'mw.sock'))
    emulator.add_job_method('test.join', STEPS, result={'joined': True}, write=True)
    yield emulator
    emulator.stop()


def remote(nas, tls, **kwargs):
    transport = WebSocketTransport(nas.url, kwargs.pop('timeout', 10), ca_path=tls['ca'])
    return Client(transport, KEY, kwargs.pop('username', 'truenas_admin'))


def test_login_call_and_version(nas, tls):
    with remote(nas, tls) as client:
        assert client.call('network.configuration.config')['id'] == 1
        assert client.version[:2] == tuple(int(part) for part in nas.personality.name.split('.'))
    seen = nas.counters()
    assert seen['connections'] == 1 and seen['logins_ok'] == 1


def test_legacy_login_without_username(nas, tls):
    with remote(nas, tls, username=None) as client:
        client.call('system.version_short')
    assert nas.counters()['by_method']['auth.login_with_api_key'] == 1


def test_job_through_events_with_progress(nas, tls):
    seen = []
    with remote(nas, tls) as client:
        result = client.call_job('test.join', {}, on_progress=lambda job: seen.append((job.get('progress') or {}).get('description')))
    assert result == {'joined': True}
    assert 'Performing domain join.' in seen
    calls = nas.counters()['by_method']
    assert calls['test.join'] == 1 and calls['core.subscribe'] == 1


def test_failed_job_carries_validation_fields(nas, tls):
    nas.faults.set('job_outcome', method='test.join', validation=[['directoryservices.update.configuration.domain', 'bad', 22]])
    with remote(nas, tls) as client, pytest.raises(TrueNASError) as caught:
        client.call_job('test.join', {})
    assert caught.value.field_errors('configuration.domain') == ['bad']


def test_aborted_job(nas, tls):
    nas.faults.set('job_outcome', method='test.join', state='ABORTED')
    with remote(nas, tls) as client, pytest.raises(TrueNASError) as caught:
        client.call_job('test.join', {})
    assert caught.value.errname == 'ECANCELED'


def test_connection_dropped_mid_job_reattaches_without_second_start(nas, tls):
    nas.faults.set('drop_during_job', method='test.join')
    with remote(nas, tls) as client:
        assert client.call_job('test.join', {}) == {'joined': True}
        assert client.reconnects == 1
    seen = nas.counters()
    assert seen['by_method']['test.join'] == 1 and seen['connections'] == 2


def test_job_wait_timeout_names_the_job(nas, tls):
    nas.add_job_method('test.slow', ((10, 'slow', 3),), result=None)
    with remote(nas, tls) as client, pytest.raises(TrueNASError) as caught:
        client.call_job('test.slow', timeout=0.5)
    assert caught.value.errname == 'ETIMEDOUT' and 'test.slow' in str(caught.value)


def test_local_socket_needs_no_login(nas):
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client:
        assert client.call_job('test.join', {}) == {'joined': True}
    assert nas.counters()['logins_ok'] == 0


def test_midclt_transport_runs_jobs(nas, tmp_path):
    midclt = str(LAB / 'truenas_emulator' / 'midclt')

    def run(argv):
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30,
                              env={'PATH': '/usr/bin:/bin', 'MIDCLT_SOCKET': nas.socket_path, 'MIDCLT_PYTHON': sys.executable})
        return proc.returncode, proc.stdout, proc.stderr

    client = Client(MidcltTransport(run, 10, midclt))
    assert client.call_job('test.join', {}) == {'joined': True}
    assert client.call('network.configuration.config')['id'] == 1
    with pytest.raises(TrueNASError) as caught:
        client.call('network.configuration.update', {'nameserver1': '127.0.0.1'})
    assert 'network.configuration.update failed' in str(caught.value)
