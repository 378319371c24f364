"""The client against the middleware emulator in-process: real wss, local socket and midclt, jobs and faults."""

import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[3] / 'lab'
sys.path.insert(0, str(LAB))

from truenas_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator import core  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.api import Method  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.certs import make_ca_and_cert  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import versions  # noqa: E402
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client  # noqa: E402
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError  # noqa: E402
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import (  # noqa: E402
    LocalSocketTransport, MidcltTransport, WebSocketTransport)

KEY = '5-clientTESTkeyclientTESTkey'
STEPS = ((10, 'Preparing to join Active Directory', 0.05), (50, 'Performing domain join.', 0.05))


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp('tls'))


@pytest.fixture(params=['25.04', '25.10', '26', '27'])
def nas(request, tls, tmp_path):
    emulator = Emulator(request.param, api_keys={'truenas_admin': KEY})
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'mw.sock'))
    emulator.add_job_method('test.join', STEPS, result={'joined': True}, write=True)
    yield emulator
    emulator.stop()


def remote(nas, tls, **kwargs):
    transport = WebSocketTransport(nas.url, kwargs.pop('timeout', 10), ca_path=tls['ca'])
    return Client(transport, KEY, kwargs.pop('username', 'truenas_admin'), warn=kwargs.pop('warn', None))


def test_login_call_and_version(nas, tls):
    with remote(nas, tls) as client:
        assert client.call('network.configuration.config')['id'] == 1
        assert client.version == versions.parse_version(nas.personality.version)
    seen = nas.counters()
    assert seen['connections'] == 1 and seen['logins_ok'] == 1 and seen['private_calls'] == 0


def test_legacy_login_without_username(nas, tls):
    warnings = []
    with remote(nas, tls, username=None, warn=warnings.append) as client:
        assert client.call('system.version_short') == nas.personality.version
        path = client.transport.api_path
    seen = nas.counters()
    assert seen['by_method']['auth.login_with_api_key'] == 1 and seen['private_calls'] == 0
    if nas.personality.name == '27':  # auth.login_with_api_key is private on /api/current and /api/v27.0.0
        assert path == '/api/v26.0.0' and len(warnings) == 1 and '/api/v26.0.0' in warnings[0]
    else:
        assert path == '/api/current' and warnings == []


def test_user_without_api_access(nas, tls):
    nas.control('emulator.set_api_access', ['truenas_admin', False])
    with remote(nas, tls) as client, pytest.raises(TrueNASError) as caught:
        client.call('system.version_short')
    if nas.personality.name in ('26', '27'):  # NAS-139830: DENIED, "User lacks API access"
        assert caught.value.errname == 'DENIED' and 'lacks API access' in str(caught.value)
    else:
        assert caught.value.errname == 'AUTH_ERR'
    assert KEY not in str(caught.value)


def test_release_newer_than_tested_is_asked_for_the_tested_api(tls):
    emulator = Emulator('27.1.0', api_keys={'truenas_admin': KEY})
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'])
    warnings = []
    try:
        with remote(emulator, tls, warn=warnings.append) as client:
            assert client.version == (27, 1, 0)
            assert client.call('network.configuration.config')['id'] == 1
            assert client.transport.api_path == '/api/v27.0.0'
        seen = emulator.counters()
    finally:
        emulator.stop()
    assert seen['connections'] == 2 and seen['logins_ok'] == 2 and seen['private_calls'] == 0
    assert warnings == ['TrueNAS 27.1.0 is newer than the releases nasjoin.entra is tested with (up to 27.0); this run '
                        'used /api/v27.0.0, the API of TrueNAS 27.0.']


def test_api_versions_over_the_websocket_tls_settings(nas, tls):
    assert WebSocketTransport(nas.url, 10, ca_path=tls['ca']).api_versions() == list(nas.personality.api_versions)
    assert WebSocketTransport(nas.url, 10).api_versions() is None  # the system store does not know the lab CA
    assert WebSocketTransport(nas.url, 10, validate_certs=False).api_versions() == list(nas.personality.api_versions)


def test_a_path_the_nas_does_not_serve_is_named(nas, tls):
    transport = WebSocketTransport(nas.url.replace('/api/current', '/api/v99.0.0'), 10, ca_path=tls['ca'])
    with pytest.raises(TrueNASError) as caught:
        transport.connect()
    assert caught.value.errname == 'ENOENT' and '/api/v99.0.0 does not exist on this TrueNAS (HTTP 404' in str(caught.value)


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


def shared(nas):
    """A job method whose queued job another caller may be handed (versions.SHARED_QUEUE) on ``nas``'s release."""
    return 'activedirectory.leave' if nas.personality.name == '25.04' else 'directoryservices.leave'


def locked_job(nas, name, seconds):
    """A job method whose lock keeps one call WAITING (job.py: @job(lock=..., lock_queue_size=1)); each call runs
    ``seconds``, far longer than this run needs to call it."""
    body = core.steps_job(((50, 'busy', seconds),), result=lambda params: params)
    nas.methods[name] = Method(name, body, args=None, job=True, lock=name, lock_queue_size=1)


def test_another_callers_queued_job_is_not_taken_for_this_runs(nas, tls):
    locked_job(nas, shared(nas), 30)
    with Client(LocalSocketTransport(nas.socket_path, 10)) as other:
        running = other.call(shared(nas), {'share': 'a'})
        queued = other.call(shared(nas), {'share': 'a'})
        with remote(nas, tls) as client, pytest.raises(TrueNASError) as caught:
            client.call_job(shared(nas), {'share': 'b'})
    assert queued != running
    assert caught.value.errname == 'EQUEUED' and caught.value.job_id == queued
    assert nas.counters()['by_method'][shared(nas)] == 3


def test_an_identical_queued_call_is_followed(nas, tls):
    locked_job(nas, shared(nas), 1)
    with Client(LocalSocketTransport(nas.socket_path, 10)) as other:
        other.call(shared(nas), {'share': 'a'})
        other.call(shared(nas), {'share': 'a'})
        with remote(nas, tls) as client:
            assert client.call_job(shared(nas), {'share': 'a'}) == {'share': 'a'}


def test_a_directory_job_that_ends_at_once_shows_every_step(nas, tls):
    """A directory job that has ended before its entry is read (the usual case here: no step waits) still shows each
    step, in order, as a slower one does."""
    steps = ((10, 'first', 0), (50, 'second', 0), (100, 'third', 0))
    nas.methods[shared(nas)] = Method(shared(nas), core.steps_job(steps, result=None), args=None, job=True)
    seen = []
    with remote(nas, tls) as client:
        client.call_job(shared(nas), {'share': 'a'}, on_progress=lambda job: seen.append(job['progress']['description']))
    shown = [step for step in seen if step]
    assert [step for number, step in enumerate(shown) if not number or shown[number - 1] != step] == ['first', 'second', 'third']


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
