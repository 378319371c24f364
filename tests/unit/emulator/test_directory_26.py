"""26 and 27: the network domain follows the join (NAS-139291), directoryservices jobs with lock_queue_size=1,
directoryservices.sync_keytab, and union validation errors folded into one entry (NAS-138917); 25.10 unchanged."""

import pytest

from truenas_emulator.directory_backend import FakeDirectory

from .test_directory_helpers import directory_nas  # noqa: F401  pylint: disable=unused-import  # a fixture
from .test_directory_helpers import DOMAIN, JOIN_25_10, LEAVE_25_10, extra, run_job, wait_job

UPDATE, LEAVE, SYNC = 'directoryservices.update', 'directoryservices.leave', 'directoryservices.sync_keytab'
NETWORK = 'network.configuration.update'
REFUSED = ['global_configuration_update.domain', 'You cannot change this parameter after TrueNAS joins a domain.', 22]


def joined(directory_nas, version, **join):  # noqa: F811
    emu, client, fake = directory_nas(version)
    entry = run_job(client, UPDATE, {**JOIN_25_10, **join})
    assert entry['state'] == 'SUCCESS', entry['error']
    return emu, client, fake


@pytest.mark.parametrize('version', ('26', '27'))
def test_join_and_leave_set_the_network_domain(directory_nas, version):  # noqa: F811
    emu, client, dummy = joined(directory_nas, version)
    assert client.call('network.configuration.config')['domain'] == DOMAIN  # the AD domain, lower case
    assert emu.counters()['writes_by_method'][NETWORK] >= 1
    assert run_job(client, LEAVE, LEAVE_25_10)['state'] == 'SUCCESS'
    assert client.call('network.configuration.config')['domain'] == 'local'


@pytest.mark.parametrize('version', ('25.10', '26'))
def test_without_dns_updates_or_before_26_the_domain_stays(directory_nas, version):  # noqa: F811
    """The domain is written by register_dns, which runs only with enable_dns_updates; 25.10 never writes it."""
    options = {'enable_dns_updates': False} if version == '26' else {}
    dummy, client, dummy2 = joined(directory_nas, version, **options)
    assert client.call('network.configuration.config')['domain'] == 'local'
    assert run_job(client, LEAVE, LEAVE_25_10)['state'] == 'SUCCESS'
    assert client.call('network.configuration.config')['domain'] == 'local'


@pytest.mark.parametrize('version', ('26', '27'))
def test_domain_is_locked_while_joined_and_healthy(directory_nas, version):  # noqa: F811
    emu, client, dummy = joined(directory_nas, version)
    for other in ('example.org', DOMAIN.upper()):  # a string compare: the same name in capitals is a change too
        error = client.error(NETWORK, {'domain': other})
        assert error['code'] == -32602 and error['data']['extra'] == [REFUSED]
    # the same value is no change; other fields still change; every failing check is reported together
    assert client.call(NETWORK, {'domain': DOMAIN, 'nameserver1': '192.0.2.11'})['domain'] == DOMAIN
    error = client.error(NETWORK, {'domain': 'example.org', 'nameserver1': '127.0.0.1'})
    assert error['data']['extra'] == [['global_configuration_update.nameserver1', 'Loopback is not a valid nameserver',
                                       22], REFUSED]
    emu.directory.set_status('FAULTED', 'broken')  # only HEALTHY locks it
    assert client.call(NETWORK, {'domain': 'example.org'})['domain'] == 'example.org'


def test_25_10_lets_the_domain_change_while_joined(directory_nas):  # noqa: F811
    dummy, client, dummy2 = joined(directory_nas, '25.10')
    assert client.call(NETWORK, {'domain': 'example.org'})['domain'] == 'example.org'


@pytest.mark.parametrize('version, queue', [('25.10', 5), ('26', 1), ('27', 1)])
def test_lock_queue_size_of_the_directory_jobs(directory_nas, version, queue):  # noqa: F811
    """A slow join holds the lock: the next calls wait, and once ``queue`` of them wait a call gets the last
    waiting job's id (job.py JobsQueue.add) instead of a new job."""
    dummy, client, dummy2 = directory_nas(version, fake=FakeDirectory(join_seconds=1))
    running = client.call(UPDATE, JOIN_25_10)
    waiting = [client.call(UPDATE, JOIN_25_10) for dummy3 in range(queue)]
    assert len(set(waiting)) == queue and running not in waiting
    assert client.call(LEAVE, LEAVE_25_10) == waiting[-1]  # the same lock: directoryservices_change
    entry = client.call('core.get_jobs', [['id', '=', waiting[-1]]], {'get': True})
    assert entry['state'] == 'WAITING' and len(entry['message_ids']) == 2
    assert wait_job(client, running)['state'] == 'SUCCESS'


@pytest.mark.parametrize('version', ('26', '27'))
def test_sync_keytab(directory_nas, version):  # noqa: F811
    emu, client, dummy = directory_nas(version)
    entry = run_job(client, SYNC)
    assert entry['state'] == 'FAILED' and extra(entry) == [
        [SYNC, 'Directory services must be enabled in order to synchronize keytab.', 22],
        [SYNC, 'Operation may only be performed when healthy.Current status: None.', 22]]
    assert run_job(client, UPDATE, JOIN_25_10)['state'] == 'SUCCESS'
    emu.reset_counters()
    assert run_job(client, SYNC)['state'] == 'SUCCESS'
    assert emu.counters()['writes_by_method'] == {SYNC: 1}
    emu.directory.set_status('FAULTED', 'broken')
    assert extra(run_job(client, SYNC)) == [[SYNC, 'Operation may only be performed when healthy.Current status: '
                                                   'FAULTED.', 22]]


def test_sync_keytab_is_26s(make_emulator, connect):
    client = connect(make_emulator('25.10'))
    client.login()
    assert client.error(SYNC)['message'] == 'Method does not exist'


@pytest.mark.parametrize('version, extra_', [
    ('25.10', [["data.nameserver1.literal['']", "Input should be ''", 22],
               ['data.nameserver1.function-after[_validate_ipaddr(), constrained-str]',
                'value is not a valid IPv4 or IPv6 address', 22]]),
    ('26', [['data.bogus', 'Extra inputs are not permitted', 22],
            ['data.nameserver1', "Input should be '' or value is not a valid IPv4 or IPv6 address", 22]]),
    ('27', [['data.bogus', 'Extra inputs are not permitted', 22],
            ['data.nameserver1', "Input should be '' or value is not a valid IPv4 or IPv6 address", 22]]),
])
def test_union_errors_fold_from_26(make_emulator, connect, version, extra_):
    """accept.py at 26: a union field's member errors become one entry, after the other entries."""
    client = connect(make_emulator(version))
    client.login()
    payload = {'nameserver1': 'foo'} if version == '25.10' else {'nameserver1': 'foo', 'bogus': 1}
    error = client.error(NETWORK, payload)
    assert error['data']['extra'] == extra_
    assert error['data']['reason'] == ''.join(f'[EINVAL] {attr}: {msg}\n' for attr, msg, dummy in extra_)


def test_union_errors_fold_in_core_bulk_too(make_emulator, connect):
    """core.bulk validates each entry with the method's model: the same folded entry, as the entry's error text."""
    client = connect(make_emulator('26'))
    client.login()
    client.call('core.set_options', {'legacy_jobs': False})
    statuses = client.call('core.bulk', NETWORK, [[{'nameserver1': 'foo'}]])
    assert statuses[0]['error'] == ("[EINVAL] data.nameserver1: Input should be '' or value is not a valid IPv4 or "
                                    "IPv6 address\n")
