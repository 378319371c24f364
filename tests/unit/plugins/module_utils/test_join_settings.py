"""ad_join input checks: NetBIOS names, OU paths, idmap ranges, user names."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._join import settings


def params(**extra):
    base = dict(domain='AADDSContoso.com.', username='admin@aaddscontoso.com', hostname='nas01',
                computer_account_ou=None, site=None, enable_dns_updates=False, idmap=None)
    base.update(extra)
    return base


def test_defaults():
    desired = settings.desired(params())
    assert desired['domain'] == 'aaddscontoso.com' and desired['hostname'] == 'nas01'
    assert desired['idmap'] == {'builtin': (90000001, 100000000), 'domain': (100000001, 200000000), 'backend': 'RID'}
    assert desired['computer_account_ou'] is None and desired['enable_dns_updates'] is False


@pytest.mark.parametrize('extra, words', [
    (dict(hostname='nas-0123456789abc'), 'may not exceed 15'),
    (dict(hostname='nas_01'), 'not a valid NetBIOS name'),
    (dict(hostname='-nas'), 'not a valid NetBIOS name'),
    (dict(hostname='12345'), 'not a valid NetBIOS name'),
    (dict(hostname='nas 01'), 'not a valid NetBIOS name'),
    (dict(computer_account_ou='Computers'), '"Computers" is not an OU'),
    (dict(computer_account_ou='computers/'), '"Computers" is not an OU'),
    (dict(computer_account_ou='AADDC Computers/../Domain Controllers'), 'not an OU path'),
    (dict(computer_account_ou='OU=NAS,DC=aaddscontoso,DC=com'), 'not an OU path'),
    (dict(computer_account_ou='A//B'), 'not an OU path'),
    (dict(computer_account_ou='NAS;rm -rf'), 'not an OU path'),
    (dict(idmap={'domain': {'range_low': 95000000, 'range_high': 195000000}}), 'overlap'),
    (dict(idmap={'domain': {'range_low': 300000000, 'range_high': 300005000}}), 'at least 10000'),
    (dict(idmap={'builtin': {'range_low': 500, 'range_high': 20000}}), '1000 <= range_low'),
    (dict(idmap={'domain': {'range_low': 2000000000, 'range_high': 2147483647}}), 'range_high <= 2147000000'),
    (dict(idmap={'domain': {'range_low': 300000000, 'range_high': 200000000}}), 'range_low < range_high'),
    (dict(username='AADDS\\admin'), 'give the UPN'),
    (dict(username='admin@a@b'), 'more than one'),
    (dict(username='admin\n@x.com'), 'give the UPN'),
    (dict(username='*)(uid=*'), 'give the UPN'),
    (dict(domain='aadds_contoso.com'), 'not a valid DNS domain'),
    (dict(username='dana@contoso.onmicrosoft.com'), 'UPN suffix'),
])
def test_bad_input(extra, words):
    with pytest.raises(ValueError) as caught:
        settings.desired(params(**extra))
    assert words in str(caught.value)


def test_ou_path_is_normalised():
    assert settings.computer_ou(' AADDC Computers / NAS ') == 'AADDC Computers/NAS'
    assert settings.computer_ou('') is None


def test_custom_ranges():
    desired = settings.desired(params(idmap={'builtin': {'range_low': 10000, 'range_high': 19999},
                                             'domain': {'range_low': 20000, 'range_high': 2147000000}}))
    assert desired['idmap']['builtin'] == (10000, 19999) and desired['idmap']['domain'] == (20000, 2147000000)


@pytest.mark.parametrize('given, name', [('admin@AADDSContoso.com', 'admin'), ('admin', 'admin'), (' admin ', 'admin')])
def test_username_becomes_the_kerberos_name(given, name):
    assert settings.desired(params(username=given))['username'] == name
