"""Faults injected through the emulator's switches and its scripted domain, on both TrueNAS releases: each run must
fail with a named error (or survive the fault), never start a second join, and leave the NAS in a state the test
reads back and the module reported."""

import socket

import pytest

from truenas_emulator import Emulator
from truenas_emulator.certs import make_ca_and_cert

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from ..conftest import API_KEY, API_USER, request_log
from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from ..test_entra_dns_config import task as dns_task

WRONG_KEY = '7-CANARYwrongKEYnasjoinDoNotLeak'
DC_GONE = 'Failed to join domain: failed to connect to AD: NT_STATUS_IO_TIMEOUT'  # Samba's text when the DC vanishes


def join_method(emu):
    return 'directoryservices.update' if emu.personality.name != '25.04' else 'activedirectory.update'


def read_back(emu):
    """The directory state as the NAS itself holds it (over its local socket): enabled and status."""
    with Client(LocalSocketTransport(emu.socket_path, 10)) as client:
        config = client.call('directoryservices.config' if emu.personality.name != '25.04' else 'activedirectory.config')
        status = client.call('directoryservices.status') or {}
    return {'enabled': bool(config.get('enable')), 'status': status.get('status') or 'DISABLED'}


def revoke(emu):
    emu.accounts.revoke(emu.accounts.find_key(API_KEY)['id'], 'revoked by a test')


def closed_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


# (id, fault set up on the emulator, ad_join options, words of the message (| between alternatives), the outcome said
# (None: it depends on the release: 25.04 disables and keeps the settings sent, 25.10 reverts), join jobs started)
FAULTS = [
    ('job-failed', lambda emu: emu.faults.set('job_outcome', method=join_method(emu)), {},
     'Emulated job failure', 'reverted', 1),
    ('job-aborted', lambda emu: emu.faults.set('job_outcome', method=join_method(emu), state='ABORTED'), {},
     'was aborted', 'reverted', 1),
    ('dc-down-before-join', lambda emu: setattr(emu.fake, 'kinit_error', 'KRB5_KDC_UNREACH'), {},
     'Cannot contact any KDC', None, 1),
    ('dc-down-during-join', lambda emu: emu.faults.set('join_fails', error=DC_GONE), {}, 'NT_STATUS_IO_TIMEOUT', None, 1),
    ('winbind-down-after-join', lambda emu: emu.faults.set('winbind_fails_after_join'), {},
     'WBC_ERR_WINBIND_NOT_AVAILABLE|Failed to properly join domain', None, 1),
    ('dns-server-dead', lambda emu: emu.fake.srv.update({emu.fake.dcs[1][1]: 'LifetimeTimeout'}), {},
     'entra_dns_config', None, 1),
    ('clock-skew', lambda emu: setattr(emu.fake, 'time_offset', 400), {}, 'Time offset', None, 1),
    ('join-reply-lost', lambda emu: emu.faults.set('drop_on_call', method=join_method(emu), after_execute=True), {},
     'read the state back', None, 1),
]
# faults of the connection, the same on every release: run against 25.10 only
TRANSPORT_FAULTS = [
    ('slow-reply-past-timeout', lambda emu: emu.faults.set('delay', seconds=3, method='directoryservices.status'),
     {'timeout': 1}, 'did not answer directoryservices.status in time', None, 0),
    ('login-rate-limited', lambda emu: emu.faults.set('rate_limit_logins'), {}, 'Rate Limit Exceeded', None, 0),
    ('api-key-revoked', revoke, {}, 'expired or revoked', None, 0),
    ('api-key-wrong', lambda emu: None, {'api_key': WRONG_KEY}, 'rejected the API key', None, 0),
    ('tls-unknown-ca', lambda emu: None, {'ca_path': None}, 'could not be verified', None, 0),
    ('connection-refused', lambda emu: None, {'api_url': 'wss://127.0.0.1:%d/api/current' % closed_port()},
     'refused', None, 0),
]


@pytest.mark.parametrize('fault_id, inject, options, words, outcome, joins', FAULTS, ids=[fault[0] for fault in FAULTS])
def test_join_fault_is_named_never_joins_twice_and_leaves_a_known_state(
        ansible, domain_nas, tls, fault_id, inject, options, words, outcome, joins):
    check_join_fault(ansible, domain_nas, tls, inject, options, words, outcome, joins)


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
@pytest.mark.parametrize('fault_id, inject, options, words, outcome, joins', TRANSPORT_FAULTS,
                         ids=[fault[0] for fault in TRANSPORT_FAULTS])
def test_connection_fault_is_named_and_changes_nothing(ansible, domain_nas, tls, fault_id, inject, options, words,
                                                       outcome, joins):
    check_join_fault(ansible, domain_nas, tls, inject, options, words, outcome, joins)


def check_join_fault(ansible, domain_nas, tls, inject, options, words, outcome, joins):
    inject(domain_nas)
    run = ansible.playbook(join_task(domain_nas, tls, **options))
    assert run.rc != 0, run.stdout + run.stderr
    result = run.result
    assert any(word in result['msg'] for word in words.split('|')), result['msg']
    seen = domain_nas.counters()
    assert seen['by_method'].get(join_method(domain_nas), 0) == joins, seen['by_method']
    assert WRONG_KEY not in run.stdout + run.stderr
    domain_nas.faults.clear()
    found = read_back(domain_nas)
    if joins:
        # the module read the state back after the failed job and said what TrueNAS left
        assert result['outcome'] in ('reverted', 'disabled', 'kept', 'joined')
        assert outcome in (None, result['outcome'])
        assert result['status'] == found['status'] and found['enabled'] == (result['outcome'] in ('kept', 'joined'))
        assert result['config']['enabled'] == found['enabled']
    else:
        assert found == {'enabled': False, 'status': 'DISABLED'} and seen['writes'] == 0


def test_dropped_connection_mid_job_is_survived_with_one_join(ansible, domain_nas, tls):
    domain_nas.faults.set('drop_during_job', method=join_method(domain_nas))
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc == 0 and run.result['status'] == 'HEALTHY', run.stdout + run.stderr
    assert domain_nas.counters()['by_method'][join_method(domain_nas)] == 1
    assert read_back(domain_nas) == {'enabled': True, 'status': 'HEALTHY'}


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_dropped_read_is_retried_and_joins_once(ansible, domain_nas, tls):
    domain_nas.faults.set('drop_on_call', method='directoryservices.status')
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    seen = domain_nas.counters()
    assert seen['connections'] == 2 and seen['by_method'][join_method(domain_nas)] == 1


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_a_rerun_after_a_failed_join_joins(ansible, domain_nas, tls):
    domain_nas.faults.set('job_outcome', method=join_method(domain_nas))
    assert ansible.playbook(join_task(domain_nas, tls)).rc != 0
    again = ansible.playbook(join_task(domain_nas, tls))
    assert again.rc == 0 and again.result['status'] == 'HEALTHY', again.stdout + again.stderr
    assert domain_nas.counters()['by_method'][join_method(domain_nas)] == 2


@pytest.fixture
def mismatched_nas(tmp_path):
    """An emulated NAS whose certificate names another host (signed by a CA the client trusts)."""
    other = make_ca_and_cert(tmp_path / 'other', names=('nas.elsewhere.test',), ips=())
    emu = Emulator('25.10', api_keys={API_USER: API_KEY}, hostname='nas1', request_log=request_log())
    emu.start('127.0.0.1', 0, other['cert'], other['key'])
    emu.ca = other['ca']
    yield emu
    emu.stop()


def test_tls_name_mismatch_is_refused(ansible, mismatched_nas, tls):
    run = ansible.playbook(dns_task(mismatched_nas, tls, ca_path=mismatched_nas.ca))
    assert run.rc != 0 and 'could not be verified' in run.result['msg'], run.stdout + run.stderr
    assert run.result['error']['errname'] == 'ESSLCERTVERIFICATIONERROR'
    seen = mismatched_nas.counters()
    assert seen['logins_ok'] + seen['logins_failed'] == 0 and seen['writes'] == 0
    assert mismatched_nas.network_config['nameserver1'] == ''


@pytest.mark.parametrize('fault_id, inject, words', [
    ('drop-lost-write-reply', lambda emu: emu.faults.set('drop_on_call', method='network.configuration.update',
                                                         after_execute=True), 'read the state back'),
    ('drop-before-write', lambda emu: emu.faults.set('drop_on_call', method='network.configuration.update'), 'during'),
    ('slow-write', lambda emu: emu.faults.set('delay', seconds=3, method='network.configuration.update'), 'in time'),
    ('api-key-revoked', revoke, 'expired or revoked'),
    ('login-rate-limited', lambda emu: emu.faults.set('rate_limit_logins'), 'Rate Limit Exceeded'),
], ids=['drop-lost-write-reply', 'drop-before-write', 'slow-write', 'api-key-revoked', 'login-rate-limited'])
@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_dns_config_fault_is_named_and_a_rerun_converges(ansible, domain_nas, tls, fault_id, inject, words):
    before = dict(domain_nas.network_config)
    inject(domain_nas)
    run = ansible.playbook(dns_task(domain_nas, tls, timeout=1))
    assert run.rc != 0 and words in run.result['msg'], run.stdout + run.stderr
    assert domain_nas.counters()['by_method'].get('network.configuration.update', 0) <= 1
    domain_nas.faults.clear()
    after = domain_nas.network_config
    assert after['domain'] in (before['domain'], 'aaddscontoso.test')  # the old or the new, never a mix
    assert after == before or after['nameserver1'] == '198.51.100.10'
    if fault_id == 'api-key-revoked':
        return
    again = ansible.playbook(dns_task(domain_nas, tls))
    assert again.rc == 0, again.stdout + again.stderr
    assert domain_nas.network_config['domain'] == 'aaddscontoso.test'
