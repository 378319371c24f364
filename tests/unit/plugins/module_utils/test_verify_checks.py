"""verify_idmap decisions: name forms, idmap ranges, RID headroom, account checks, generated names."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.findings import summarize
from ansible_collections.nasjoin.entra.plugins.module_utils._verify import checks

DOMAIN = 'aaddscontoso.com'
SID = 'S-1-5-21-1-2-3'
CONTEXT = {'domain': DOMAIN, 'netbios': 'AADDSCONTOSO', 'domain_range': (100000001, 200000000), 'backend': 'RID', 'domain_sid': SID}


def rng(kind, name, low, high, backend='RID'):
    return {'kind': kind, 'name': name, 'backend': backend, 'range': (low, high)}


@pytest.mark.parametrize('given, expected', [
    ('alice', 'AADDSCONTOSO\\alice'),
    ('aaddscontoso\\alice', 'AADDSCONTOSO\\alice'),
    ('alice@aaddscontoso.com', 'alice@aaddscontoso.com'),
    ('Équipe Données', 'AADDSCONTOSO\\Équipe Données'),
    ('dana@contoso.onmicrosoft.com', 'AADDSCONTOSO\\dana'),
])
def test_lookup_name(given, expected):
    assert checks.lookup_name(given, DOMAIN, {'dana@contoso.onmicrosoft.com': 'dana'}.get) == expected


def test_other_suffix_without_directory_is_kept_and_empty_refused():
    assert checks.lookup_name('dana@contoso.onmicrosoft.com', DOMAIN) == 'dana@contoso.onmicrosoft.com'
    with pytest.raises(ValueError):
        checks.lookup_name(' ', DOMAIN)


def test_status_and_trust_secret():
    assert [c['status'] for c in (checks.directory_status(DOMAIN, 'HEALTHY', None),
                                  checks.trust_secret(DOMAIN, 'HEALTHY', None))] == ['pass', 'pass']
    faulted = checks.trust_secret(DOMAIN, 'FAULTED', 'AD_SECRET_INVALID: secret does not work')
    assert faulted['status'] == 'fail' and 'rejoin' in faulted['hint']
    assert checks.trust_secret(DOMAIN, 'FAULTED', 'WINBIND_STOPPED')['status'] == 'skip'
    assert checks.directory_status(DOMAIN, 'FAULTED', 'Time offset from Active Directory')['hint'].count('NTP')


def test_ranges_pass_then_overlap_narrow_and_local():
    good = checks.idmap_ranges([rng('builtin', 'builtin', 90000001, 100000000, 'TDB'),
                                rng('domain', 'AADDSCONTOSO', 100000001, 200000000)], 3000)
    expected = [('idmap_range', 'pass'), ('idmap_range', 'pass'), ('idmap_overlap', 'pass'), ('idmap_local', 'pass')]
    assert [(c['name'], c['status']) for c in good] == expected
    bad = checks.idmap_ranges([rng('builtin', 'builtin', 90000001, 100000000, 'TDB'),
                               rng('domain', 'AADDSCONTOSO', 95000000, 95005000),
                               rng('trusted', 'OTHER', 2000, 20000)], 3000)
    by_name = dict(((c['name'], c['target']), c) for c in bad)
    assert by_name[('idmap_range', 'AADDSCONTOSO')]['status'] == 'fail'
    assert 'at least 10000' in by_name[('idmap_range', 'AADDSCONTOSO')]['detail']
    assert by_name[('idmap_overlap', None)]['status'] == 'fail'
    assert by_name[('idmap_overlap', None)]['value'] == ['builtin 90000001-100000000 and AADDSCONTOSO 95000000-95005000']
    assert by_name[('idmap_local', None)]['status'] == 'fail' and 'OTHER' in by_name[('idmap_local', None)]['detail']


@pytest.mark.parametrize('max_rid, status, headroom', [(1200, 'pass', 99998799), (99995000, 'warn', 4999),
                                                       (100000100, 'fail', -101)])
def test_rid_headroom(max_rid, status, headroom):
    found = checks.rid_headroom((100000001, 200000000), 'RID', max_rid, 'directory')
    assert (found['status'], found['value']) == (status, headroom)
    assert checks.rid_headroom((1, 2), 'AD', 5, 'x')['status'] == 'skip'
    assert checks.rid_headroom((1, 2), 'RID', None, 'x')['status'] == 'skip'


def entry(xid, sid, source='ACTIVEDIRECTORY', **more):
    return dict({'name': 'AADDSCONTOSO\\alice', 'id': xid, 'sid': sid, 'source': source, 'groups': []}, **more)


def test_account_checks():
    ok = checks.account('user', 'alice', 'AADDSCONTOSO\\alice', entry(100001105, SID + '-1104'), None, CONTEXT)
    assert ok['status'] == 'pass' and ok['value']['sid'] == SID + '-1104'
    missing = checks.account('user', 'zed@aaddscontoso.com', 'zed@aaddscontoso.com', None, 'no such user', CONTEXT)
    assert missing['status'] == 'fail' and 'password change' in missing['hint']
    assert 'user name zed@aaddscontoso.com' in missing['hint'] and 'join user' not in missing['hint']
    narrow = dict(CONTEXT, domain_range=(100000001, 100010000))
    outside = checks.account('user', 'alice', 'x', entry(100020001, SID + '-20000'), None, narrow)
    assert outside['status'] == 'fail' and 'outside the domain idmap range 100000001-100010000' in outside['detail']
    foreign = checks.account('user', 'alice', 'x', entry(100001105, 'S-1-5-21-9-9-9-1104'), None, CONTEXT)
    assert 'not in the domain' in foreign['detail']
    local = checks.account('user', 'root', 'x', entry(0, None, 'LOCAL'), None, CONTEXT)
    assert local['status'] == 'fail' and 'not a domain account' in local['detail']
    group = checks.account('group', 'Lab All Staff', 'x', entry(100001117, SID + '-1116', missing=['bob']), None, CONTEXT)
    assert group['status'] == 'fail' and group['value']['missing_members'] == ['bob']


def test_autogenerated_and_naming():
    assert checks.autogenerated('alice', 'alice@aaddscontoso.com', 'alice') is None
    assert checks.autogenerated('christop20519', 'christopher.montgomery-smithson@aaddscontoso.com', None)
    assert checks.autogenerated('jsmith83241', 'jane.smith@aaddscontoso.com', 'jsmith')['nickname'] == 'jsmith'
    listed = [checks.autogenerated('jsmith83241', 'jane.smith@aaddscontoso.com', 'jsmith')]
    found = checks.naming(listed, 'AADDSCONTOSO', 1)
    assert found['status'] == 'info' and listed[0]['use'] == 'AADDSCONTOSO\\jsmith83241'
    assert found['hint'] == checks.NAMING_HINT  # information keeps its explanation
    assert summarize([found], 'warn').get('failed') is None and summarize([found], 'warn')['summary']['info'] == 1
    assert checks.naming([], 'AADDSCONTOSO', 0)['status'] == 'pass'
