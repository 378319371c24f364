"""verify_idmap through ansible-playbook against an emulated NAS (25.04 and 25.10) joined, with ad_join, to a
scripted domain (FakeDirectory). The lab's real Samba domain is in tests/integration/lab/test_verify_idmap_lab.py."""

import json

import pytest
from truenas_emulator.directory_backend import FAKE_DOMAIN_SID, FakeDirectory

from .conftest import API_KEY, API_USER, PERSONALITIES
from .test_ad_join import domain_nas, join_task, nas_of  # noqa: F401  pylint: disable=unused-import

USERS = ['aaddsadmin@aaddscontoso.com', 'AADDSCONTOSO\\bob', 'alice']
GROUPS = [{'name': 'NAS Users', 'members': ['alice@aaddscontoso.com']}, {'name': 'AAD DC Administrators'}]


def verify_task(nas, tls, **options):
    args = dict(api_url=nas.url, api_key=API_KEY, api_username=API_USER, ca_path=tls['ca'], users=USERS, groups=GROUPS)
    args.update(options)
    body = ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in args.items())
    return '    - name: verify\n      nasjoin.entra.verify_idmap:\n' + body


def by_key(result):
    return dict(((check['name'], check['target']), check) for check in result['checks'])


def test_joined_nas_verifies_read_only(ansible, domain_nas, tls):
    assert ansible.playbook(join_task(domain_nas, tls, hostname='nas1')).rc == 0
    domain_nas.reset_counters()
    run = ansible.playbook(verify_task(domain_nas, tls, domain='aaddscontoso.com'), '--check')
    assert run.rc == 0 and run.changed == 0, run.stdout + run.stderr
    result = run.result
    checks = by_key(result)
    assert checks[('directory_status', 'aaddscontoso.com')]['status'] == 'pass'
    assert checks[('trust_secret', 'aaddscontoso.com')]['status'] == 'pass'
    alice = checks[('user', 'alice')]
    assert alice['status'] == 'pass', alice
    assert alice['value'] == {'name': 'AADDSCONTOSO\\alice', 'id': 100000001 + 1104, 'sid': FAKE_DOMAIN_SID + '-1104',
                              'source': 'ACTIVEDIRECTORY'}
    assert checks[('group', 'NAS Users')]['status'] == 'pass'
    assert checks[('rid_headroom', None)]['value'] == 200000000 - 100000001 - 1105
    assert checks[('directory_accounts', None)]['status'] == 'skip'
    assert result['summary']['fail'] == 0 and result['cache_refreshed'] is None
    assert [entry['kind'] for entry in result['idmap']] == ['builtin', 'domain']
    seen = domain_nas.counters()
    assert seen['writes'] == 0 and seen['logins_ok'] == 1
    # the version, the job subscription and one core.bulk job: the state reads and every lookup in it
    assert seen['calls'] - seen['by_method']['auth.login_ex'] == 3, seen['by_method']
    assert seen['by_method']['core.bulk'] == 1 and 'user.get_user_obj' not in seen['by_method']


def test_refresh_cache_runs_the_job_but_changes_nothing(ansible, domain_nas, tls):
    assert ansible.playbook(join_task(domain_nas, tls)).rc == 0
    domain_nas.reset_counters()
    run = ansible.playbook(verify_task(domain_nas, tls, refresh_cache=True))
    assert run.rc == 0 and run.changed == 0, run.stdout + run.stderr
    assert run.result['cache_refreshed'] is True
    assert by_key(run.result)[('cache_refresh', None)]['status'] == 'pass'
    assert domain_nas.counters()['by_method']['directoryservices.cache_refresh'] == 1


def test_unknown_member_and_high_rid_fail_with_the_range_explained(ansible, domain_nas, tls):
    domain_nas.fake.user_table.append({'name': 'far', 'rid': 20000, 'gecos': 'Far', 'password': 'x', 'groups': []})
    narrow = {'domain': {'range_low': 100000001, 'range_high': 100010001}}
    joined = ansible.playbook(join_task(domain_nas, tls, idmap=narrow))
    assert joined.rc == 0, joined.stdout
    run = ansible.playbook(verify_task(domain_nas, tls, users=['far', 'ghost@aaddscontoso.com'],
                                       groups=[{'name': 'NAS Users', 'members': ['bob']}]))
    assert run.rc != 0
    checks = by_key(run.result)
    # idmap_rid maps no RID beyond the range, so the user does not resolve; without the directory's RID the hint says
    # what to suspect (the lab test, with the directory, checks the explained case)
    assert 'does not resolve' in checks[('user', 'far')]['detail']
    assert 'beyond the idmap range' in checks[('user', 'far')]['hint']
    assert 'password change' in checks[('user', 'ghost@aaddscontoso.com')]['hint']
    assert checks[('group', 'NAS Users')]['value']['missing_members'] == ['bob']
    assert checks[('rid_headroom', None)]['status'] == 'warn'  # from the accounts that resolved: < 10000 ids left
    assert run.result['msg'].startswith('3 of ') and 'user@far' in run.result['msg']


def test_not_joined_fails_clearly(ansible, domain_nas, tls):
    run = ansible.playbook(verify_task(domain_nas, tls))
    assert run.rc != 0 and 'not joined' in run.result['msg'] and 'ad_join' in run.result['msg']


@pytest.fixture(params=PERSONALITIES)
def netbios_nas(request, tls, tmp_path):
    """An emulated NAS and a scripted domain whose NetBIOS name (CONTOSONB) is not its first label."""
    yield from nas_of(FakeDirectory(workgroup='CONTOSONB'), request.param, tls, tmp_path)


def test_names_use_the_netbios_name_of_the_joined_nas(ansible, netbios_nas, tls):
    assert ansible.playbook(join_task(netbios_nas, tls, hostname='nas1')).rc == 0
    run = ansible.playbook(verify_task(netbios_nas, tls, users=['alice', 'CONTOSONB\\bob']))
    assert run.rc == 0, run.stdout + run.stderr
    checks = by_key(run.result)
    assert checks[('user', 'alice')]['status'] == 'pass' and checks[('user', 'alice')]['value']['name'] == 'CONTOSONB\\alice'
    assert checks[('user', 'CONTOSONB\\bob')]['status'] == 'pass'
    assert checks[('group', 'NAS Users')]['status'] == 'pass'
