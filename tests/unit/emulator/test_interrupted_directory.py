"""Interrupted joins and leaves, and two joins at once, on both releases against the scripted FakeDirectory.

The ``middleware_stops`` fault ends the middleware process at a named step of a job (update_stored, account_created,
leave_started); the restarted NAS shows what plugins/directoryservices_/health.py check and recover make of the
state left (directoryservices.setup at boot). The job locks (``directoryservices_change`` on 25.10, ``AD_start_stop``
on 25.04, default lock_queue_size 5) keep a second job WAITING until the first ended.
"""

import threading

import pytest
import websocket

from truenas_emulator import core
from truenas_emulator.api import Method
from truenas_emulator.directory import SECRET_ENTRY_MISSING
from truenas_emulator.directory_backend import FakeDirectory

from .test_directory_helpers import directory_nas  # noqa: F401  pylint: disable=unused-import  # a fixture
from .test_directory_helpers import JOIN_25_04, JOIN_25_10, LEAVE_25_04, LEAVE_25_10, REALM, run_job, wait_job

UPDATE = {'25.10': 'directoryservices.update', '25.04': 'activedirectory.update'}
LEAVE = {'25.10': 'directoryservices.leave', '25.04': 'activedirectory.leave'}
JOIN = {'25.10': JOIN_25_10, '25.04': JOIN_25_04}
LEAVE_PAYLOAD = {'25.10': LEAVE_25_10, '25.04': LEAVE_25_04}
CONFIG = {'25.10': 'directoryservices.config', '25.04': 'activedirectory.config'}
DISABLE = {'25.10': {'enable': False}, '25.04': {'domainname': REALM, 'enable': False}}
REFUSED_DISABLE = ('Kerberos user credentials may not be stored for disabled directory services '
                   'when the directory service type is IPA or Active Directory.')
NOT_HEALTHY = (f'{REALM}: The domain join is not healthy. This prevents the TrueNAS server from leaving the domain. '
               'You may need to manually clean up the machine account on the remote domain controller.')
VERSIONS = ('25.10', '25.04')


def interrupted(directory_nas, connect, version, step, **knobs):  # noqa: F811
    """A NAS whose middleware stopped (and restarted) at ``step`` of a join: (emu, a new logged-in client, fake)."""
    emu, client, fake = directory_nas(version, fake=FakeDirectory(**knobs))
    emu.faults.set('middleware_stops', at=step)
    job_id = client.call(UPDATE[version], JOIN[version])
    with pytest.raises((websocket.WebSocketException, OSError)):
        wait_job(client, job_id)  # the connection goes with the middleware
    again = connect(emu)
    again.login()
    return emu, again, fake


def status(client):
    return client.call('directoryservices.status')


@pytest.mark.parametrize('version', VERSIONS)
def test_stopped_after_the_update_was_stored(directory_nas, connect, version):  # noqa: F811
    emu, client, fake = interrupted(directory_nas, connect, version, 'update_stored')
    assert client.call('core.get_jobs') == []  # a new middleware: a new job list
    assert status(client) == {'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED', 'status_msg': SECRET_ENTRY_MISSING}
    assert fake.computers == {} and client.call(CONFIG[version])['enable'] is True
    if version == '25.10':  # the join never swapped the KERBEROS_USER credential for the machine account's
        stored = client.call(CONFIG[version])['credential']
        assert stored == {'credential_type': 'KERBEROS_USER', 'username': JOIN_25_10['credential']['username'],
                          'password': '********'}
        refused = run_job(client, UPDATE[version], DISABLE[version])
        assert refused['state'] == 'FAILED' and refused['exc_info']['type'] == 'VALIDATION'
        assert [item[:2] for item in refused['exc_info']['extra']] == [
            ['directoryservices.update.credential.credential_type', REFUSED_DISABLE]]
        disabled = run_job(client, UPDATE[version], {'enable': False, 'credential': None})
    else:
        disabled = run_job(client, UPDATE[version], DISABLE[version])
    assert disabled['state'] == 'SUCCESS', disabled['error']
    assert status(client)['status'] is None
    rejoined = run_job(client, UPDATE[version], JOIN[version])
    assert rejoined['state'] == 'SUCCESS', rejoined['error']
    assert status(client)['status'] == 'HEALTHY' and list(fake.computers) == ['NAS1']


@pytest.mark.parametrize('version', VERSIONS)
def test_stopped_after_the_computer_account_was_made(directory_nas, connect, version):  # noqa: F811
    emu, client, fake = interrupted(directory_nas, connect, version, 'account_created')
    assert list(fake.computers) == ['NAS1']
    assert status(client)['status'] == 'HEALTHY'  # the machine secret works: winbindd comes back at boot
    assert fake.winbind_running
    if version == '25.10':  # stored before net ads join (_ad_join)
        assert client.call(CONFIG[version])['credential'] == {'credential_type': 'KERBEROS_PRINCIPAL',
                                                              'principal': f'NAS1$@{REALM}'}
    assert [entry['op'] for entry in emu.directory.log if entry['op'] == 'middleware_stops'] == ['middleware_stops']


@pytest.mark.parametrize('version', VERSIONS)
def test_stopped_during_a_leave(directory_nas, connect, version):  # noqa: F811
    emu, client, fake = directory_nas(version)
    assert run_job(client, UPDATE[version], JOIN[version])['state'] == 'SUCCESS'
    emu.faults.set('middleware_stops', at='leave_started')
    job_id = client.call(LEAVE[version], LEAVE_PAYLOAD[version])
    with pytest.raises((websocket.WebSocketException, OSError)):
        wait_job(client, job_id)
    client = connect(emu)
    client.login()
    assert fake.computers == {} and client.call(CONFIG[version])['enable'] is True
    assert status(client) == {'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED', 'status_msg': SECRET_ENTRY_MISSING}
    left = run_job(client, LEAVE[version], LEAVE_PAYLOAD[version])
    if version == '25.10':  # connection.leave_domain: no valid join -> _ad_cleanup, then EFAULT; status stays LEAVING
        assert left['state'] == 'FAILED' and left['error'] == '[EFAULT] ' + NOT_HEALTHY and left['exc_info']['errno'] == 14
        assert status(client)['status'] == 'LEAVING'
        assert client.call(CONFIG[version])['enable'] is False
    else:  # 25.04 leave_domain only logs the unhealthy join and clears the settings
        assert left['state'] == 'SUCCESS', left['error']
        assert status(client)['status'] is None


@pytest.mark.parametrize('version', VERSIONS)
def test_a_power_cut_mid_join_then_a_boot_from_the_state_file(directory_nas, make_emulator, connect, tmp_path,  # noqa: F811
                                                              version):
    state = tmp_path / 'kept.json'
    emu, client, fake = directory_nas(version, state_file=state)
    emu.faults.set('middleware_stops', at='update_stored', restart=False)
    job_id = client.call(UPDATE[version], JOIN[version])
    with pytest.raises((websocket.WebSocketException, OSError)):
        wait_job(client, job_id)
    with pytest.raises(OSError):
        connect(emu)  # no listener: the NAS is down
    emu.stop()
    again = connect(make_emulator(version, directory=fake, state_file=state, resolv_conf=tmp_path / 'resolv.conf'))
    again.login()
    assert status(again) == {'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED', 'status_msg': SECRET_ENTRY_MISSING}
    assert again.call(CONFIG[version])['enable'] is True and fake.computers == {}


@pytest.mark.parametrize('version, refused', [
    ('25.10', ['directoryservices.update.configuration',
               'Permitted changes while directory services are enabled are limited to account caching, DNS updates, '
               'and timeouts. All other changes should be performed with directory services disabled and during a '
               'maintenance window as the changes may result in a temporary production outage.']),
    ('25.04', ['activedirectory.site', 'Parameter may not be changed while the Active Directory service is enabled.']),
])
def test_a_second_join_waits_for_the_first_then_is_refused(directory_nas, connect, version, refused):  # noqa: F811
    emu, client, fake = directory_nas(version, fake=FakeDirectory(join_seconds=1))
    payload = JOIN_25_10 if version == '25.10' else dict(JOIN_25_04, site=None, kerberos_principal='')  # as ad_join sends
    first = client.call(UPDATE[version], payload)
    other = connect(emu)
    other.login()
    second = other.call(UPDATE[version], payload)
    waiting = client.call('core.get_jobs', [['id', '=', second]], {'get': True})
    assert waiting['state'] == 'WAITING'  # job.py: the lock is held by the first job
    assert client.call('core.get_jobs', [['id', '=', first]], {'get': True})['state'] == 'RUNNING'
    assert wait_job(client, first)['state'] == 'SUCCESS'
    entry = wait_job(other, second)
    assert entry['state'] == 'FAILED' and [item[:2] for item in entry['exc_info']['extra']] == [refused]
    assert [op['op'] for op in emu.directory.log].count('join') == 1  # never a second net ads join


def test_lock_queue_size(make_emulator, connect):
    """job.py JobsQueue.add: beyond lock_queue_size WAITING jobs of a lock, a call gets the last queued job."""
    emu = make_emulator('25.10')
    gate = threading.Event()

    async def body(ctx, job):  # pylint: disable=unused-argument
        while not gate.is_set():
            await job.step(0, 'waiting', 0.01)
    emu.methods['test.locked'] = Method('test.locked', body, args=None, job=True, lock='test', lock_queue_size=2)
    client = connect(emu)
    client.login()
    ids = [client.call('test.locked') for dummy in range(4)]
    assert ids[:3] == sorted(set(ids[:3])) and ids[3] == ids[2]
    states = {entry['id']: entry['state'] for entry in client.call('core.get_jobs')}
    assert states == {ids[0]: 'RUNNING', ids[1]: 'WAITING', ids[2]: 'WAITING'}
    gate.set()
    assert [wait_job(client, job_id)['state'] for job_id in ids[:3]] == ['SUCCESS'] * 3


def test_a_middleware_stop_is_not_an_exception_a_job_body_catches():
    assert not issubclass(core.MiddlewareStopped, Exception)
