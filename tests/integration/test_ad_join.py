"""ad_join through ansible-playbook against an emulated NAS (25.04 and 25.10) backed by a scripted domain.

The same module against the lab's real Samba domain is in tests/integration/lab/test_ad_join_lab.py.
"""

import json

import pytest

from truenas_emulator import Emulator
from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD, FAKE_JOIN_USER, FakeDirectory

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from .conftest import API_KEY, API_USER, PERSONALITIES, request_log

DOMAIN = 'aaddscontoso.com'
JOIN_USER = '%s@%s' % (FAKE_JOIN_USER, DOMAIN)


@pytest.fixture(params=PERSONALITIES)
def domain_nas(request, tls, tmp_path):
    """An emulated NAS whose nameservers already point at the scripted domain's DCs."""
    yield from nas_of(FakeDirectory(), request.param, tls, tmp_path)


def nas_of(directory, personality, tls, tmp_path, **options):
    """An emulated NAS of ``personality`` whose nameservers point at ``directory``'s DCs (a fixture's body); ``options``
    go to the Emulator (a state_file...)."""
    emulator = Emulator(personality, api_keys={API_USER: API_KEY}, hostname='nas1', directory=directory,
                        request_log=request_log(), interfaces=[{'name': 'eth0', 'ipv4': ['192.0.2.20/24']}], **options)
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'middlewared.sock'))
    with Client(LocalSocketTransport(emulator.socket_path, 10)) as client:
        client.call('network.configuration.update', {'domain': DOMAIN, 'nameserver1': directory.dcs[0][1],
                                                     'nameserver2': directory.dcs[1][1]})
    emulator.reset_counters()
    emulator.fake = directory
    yield emulator
    emulator.stop()


def join_task(nas, tls, **options):
    args = dict(domain=DOMAIN, username=JOIN_USER, password=FAKE_JOIN_PASSWORD, api_url=nas.url, api_key=API_KEY,
                api_username=API_USER, ca_path=tls['ca'], wait_timeout=20)
    args.update(options)
    body = ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in args.items() if value is not None)
    return '    - name: join\n      nasjoin.entra.ad_join:\n' + body


def writes(nas):
    return nas.counters()['writes']


def test_join_then_converged_with_no_write(ansible, domain_nas, tls):
    first = ansible.playbook(join_task(domain_nas, tls, hostname='nas1'))
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    result = first.result
    assert result['status'] == 'HEALTHY' and result['config']['enabled'] is True
    assert any(step['description'] == 'Performing domain join.' for step in result['progress'])
    assert domain_nas.fake.joined and 'NAS1' in domain_nas.fake.computers
    assert [entry['principal'].split('@')[0] for entry in domain_nas.fake.kinits][:1] == [FAKE_JOIN_USER]
    domain_nas.reset_counters()
    second = ansible.playbook(join_task(domain_nas, tls, hostname='nas1'))
    assert second.rc == 0 and second.changed == 0, second.stdout + second.stderr
    seen = domain_nas.counters()
    assert seen['writes'] == 0 and seen['logins_ok'] == 1 and seen['connections'] == 1
    # the version, the settings and the status; a NAS joined here and HEALTHY needs no look at other runs' jobs
    assert seen['calls'] - seen['by_method'].get('auth.login_ex', 0) <= 3, seen['by_method']
    assert 'core.get_jobs' not in seen['by_method']


def test_check_mode_writes_nothing(ansible, domain_nas, tls):
    run = ansible.playbook(join_task(domain_nas, tls), '--check', '--diff')
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert writes(domain_nas) == 0 and not domain_nas.fake.joined and domain_nas.fake.kinits == []


def test_wrong_password_is_one_attempt_with_a_hint(ansible, domain_nas, tls):
    run = ansible.playbook(join_task(domain_nas, tls, password='Wrong-CANARY-pass1'), '-vvvv')
    assert run.rc != 0
    assert 'password' in run.result['msg'] and 'wrong password' in run.result['msg']
    assert len(domain_nas.fake.kinits) == 1
    assert 'Wrong-CANARY-pass1' not in run.stdout + run.stderr
    assert not domain_nas.fake.joined


@pytest.mark.parametrize('options, words', [
    (dict(computer_account_ou='Computers'), '"Computers" is not an OU'),
    (dict(hostname='nas-0123456789abc'), 'may not exceed 15'),
    (dict(idmap={'domain': {'range_low': 95000000, 'range_high': 195000000}}), 'overlap'),
    (dict(username='AADDSCONTOSO\\\\aaddsadmin'), 'give the UPN'),
])
def test_bad_input_makes_no_call(ansible, domain_nas, tls, options, words):
    run = ansible.playbook(join_task(domain_nas, tls, **options))
    assert run.rc != 0 and words in run.result['msg']
    assert domain_nas.counters()['calls'] == 0


def test_clock_skew_is_named(ansible, domain_nas, tls):
    domain_nas.fake.time_offset = 400
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc != 0
    assert 'Time offset' in run.result['msg'] and 'NTP' in run.result['msg']
    assert not domain_nas.fake.joined


def test_nameserver_that_is_not_a_dc(ansible, domain_nas, tls):
    domain_nas.fake.srv['192.0.2.53'] = 'NXDOMAIN'
    with Client(LocalSocketTransport(domain_nas.socket_path, 10)) as client:
        client.call('network.configuration.update', {'nameserver2': '192.0.2.53'})
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc != 0 and '192.0.2.53' in run.result['msg'] and 'entra_dns_config' in run.result['msg']


def test_dropped_connection_during_the_join_never_starts_a_second_one(ansible, domain_nas, tls):
    method = 'directoryservices.update' if domain_nas.personality.name != '25.04' else 'activedirectory.update'
    domain_nas.faults.set('drop_during_job', method=method)
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc == 0 and run.result['status'] == 'HEALTHY', run.stdout + run.stderr
    assert domain_nas.counters()['by_method'][method] == 1


def test_leave_with_credentials_and_disable_only(ansible, domain_nas, tls):
    assert ansible.playbook(join_task(domain_nas, tls)).rc == 0
    disabled = ansible.playbook(join_task(domain_nas, tls, state='absent', username=None, password=None))
    assert disabled.rc == 0 and 'stays in the directory' in disabled.result['msg'], disabled.stdout + disabled.stderr
    assert 'NAS1' in domain_nas.fake.computers
    rejoin = ansible.playbook(join_task(domain_nas, tls))
    assert rejoin.rc == 0 and rejoin.changed == 1, rejoin.stdout + rejoin.stderr
    creds = {'username': JOIN_USER, 'password': FAKE_JOIN_PASSWORD}
    left = ansible.playbook(join_task(domain_nas, tls, state='absent', username=None, password=None, leave_credentials=creds))
    assert left.rc == 0 and left.result['status'] == 'DISABLED', left.stdout + left.stderr
    assert 'NAS1' not in domain_nas.fake.computers


def test_admin_group_is_granted_once(ansible, domain_nas, tls):
    first = ansible.playbook(join_task(domain_nas, tls, admin_group='AAD DC Administrators'))
    assert first.rc == 0 and first.result['admin_group']['changed'] is True, first.stdout + first.stderr
    second = ansible.playbook(join_task(domain_nas, tls, admin_group='AAD DC Administrators'))
    assert second.rc == 0 and second.changed == 0 and second.result['admin_group']['changed'] is False
    assert domain_nas.counters()['writes_by_method'].get('privilege.create') == 1


def test_password_never_in_verbose_output(ansible, domain_nas, tls):
    run = ansible.playbook(join_task(domain_nas, tls), '-vvvv', '--diff')
    assert run.rc == 0
    assert FAKE_JOIN_PASSWORD not in run.stdout + run.stderr


@pytest.mark.parametrize('user, code, words', [
    ('ghost', None, 'not in the managed domain'),
    (FAKE_JOIN_USER, 'KRB5KDC_ERR_CLIENT_REVOKED', 'locked'),
    (FAKE_JOIN_USER, 'KRB5KDC_ERR_KEY_EXP', 'change the password'),
])
def test_account_problems_are_explained(ansible, domain_nas, tls, user, code, words):
    if code:
        domain_nas.fake.kinit_errors[user] = code
    run = ansible.playbook(join_task(domain_nas, tls, username='%s@%s' % (user, DOMAIN)))
    assert run.rc != 0 and words in run.result['msg'], run.stdout + run.stderr
    assert len(domain_nas.fake.kinits) == 1 and not domain_nas.fake.joined
