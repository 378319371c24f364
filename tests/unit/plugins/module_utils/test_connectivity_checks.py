"""entra_connectivity decisions: each probe outcome to pass / warn / fail / skip with the right hint."""

import calendar
import time

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import checks

DOMAIN = 'aaddscontoso.com'
DC1, DC2, OTHER = '198.51.100.11', '198.51.100.12', '192.0.2.53'
DCS = [DC1, DC2]
TIMEOUT = {'problem': 'timeout', 'detail': 'no answer within 1.0 s'}
REFUSED = {'problem': 'refused', 'detail': 'connection refused (nothing listens there)'}
RESOLVER_RECORDS = ['_kerberos._tcp.' + DOMAIN, '_ldap._tcp.' + DOMAIN]
DC_RECORDS = ['_ldap._tcp.dc._msdcs.' + DOMAIN, '_kerberos._tcp.' + DOMAIN, '_kerberos._udp.' + DOMAIN,
              '_kpasswd._tcp.' + DOMAIN]


def targets(*pairs):
    return [{'target': name, 'port': 88, 'priority': 0, 'weight': 100, 'addresses': addresses} for name, addresses in pairs]


GOOD = targets(('dc1.' + DOMAIN, [DC1]), ('dc2.' + DOMAIN, [DC2]))


def test_resolver_pass_warn_fail():
    answers = dict((record, GOOD) for record in RESOLVER_RECORDS)
    assert checks.resolver(DC1, DCS, RESOLVER_RECORDS, answers)['status'] == 'pass'
    flagged = checks.resolver(OTHER, DCS, RESOLVER_RECORDS, answers)
    assert flagged['status'] == 'warn' and 'not one of the domain controllers' in flagged['detail']
    silent = checks.resolver(OTHER, DCS, RESOLVER_RECORDS, {RESOLVER_RECORDS[0]: TIMEOUT})
    assert silent['status'] == 'fail' and 'TrueNAS refuses to join' in silent['detail']
    assert 'not asked' in silent['detail'] and 'not a domain controller' in silent['detail']
    assert 'entra_dns_config' in silent['hint']


def test_resolver_of_a_dead_dc_points_at_the_network_not_at_the_nameserver_list():
    dead = checks.resolver(DC2, DCS, RESOLVER_RECORDS, {RESOLVER_RECORDS[0]: TIMEOUT})
    assert dead['status'] == 'fail' and 'UDP and TCP 53' in dead['hint']


def test_resolver_nxdomain_fails():
    answers = {RESOLVER_RECORDS[0]: {'problem': 'dns', 'detail': 'does not exist (NXDOMAIN)'}, RESOLVER_RECORDS[1]: GOOD}
    assert checks.resolver(DC1, DCS, RESOLVER_RECORDS, answers)['status'] == 'fail'


@pytest.mark.parametrize('addresses, status', [([DC1, DC2], 'pass'), ([DC1, DC2, OTHER], 'warn'), ([DC1], 'fail')])
def test_dns_a(addresses, status):
    found = checks.dns_a(DC1, DOMAIN, DCS, {'addresses': addresses})
    assert found['status'] == status and found['value'] == addresses
    if status != 'pass':
        assert 'IP address on virtual network' in found['hint']


def test_dns_a_unanswered():
    assert checks.dns_a(DC1, DOMAIN, DCS, TIMEOUT)['status'] == 'fail'


def test_dns_srv_needs_every_record_and_resolving_targets():
    answers = dict((record, GOOD) for record in DC_RECORDS)
    assert checks.dns_srv(DC1, DCS, DC_RECORDS, answers)['status'] == 'pass'
    missing = dict(answers, **{DC_RECORDS[3]: {'problem': 'dns', 'detail': 'no SRV record'}})
    assert checks.dns_srv(DC1, DCS, DC_RECORDS, missing)['status'] == 'fail'
    unresolved = dict(answers, **{DC_RECORDS[0]: targets(('dc9.' + DOMAIN, []))})
    found = checks.dns_srv(DC1, DCS, DC_RECORDS, unresolved)
    assert found['status'] == 'fail' and 'dc9.%s does not resolve' % DOMAIN in found['detail']
    outside = dict(answers, **{DC_RECORDS[1]: targets(('dc3.' + DOMAIN, [OTHER]))})
    assert checks.dns_srv(DC1, DCS, DC_RECORDS, outside)['status'] == 'warn'


@pytest.mark.parametrize('protocol, outcome, status', [
    ('tcp', {'open': True}, 'pass'), ('tcp', TIMEOUT, 'fail'), ('tcp', REFUSED, 'fail'),
    ('udp', {'answer_bytes': 90}, 'pass'), ('udp', REFUSED, 'fail'), ('udp', TIMEOUT, 'warn'),
])
def test_port(protocol, outcome, status):
    found = checks.port(protocol, 88, DC2, outcome)
    assert (found['name'], found['target'], found['status']) == ('%s_88' % protocol, DC2, status)
    if status != 'pass':
        assert found['hint'].startswith('open %s 88 (Kerberos)' % protocol.upper())


def rootdse(current='20261122004936.0Z', context='DC=aaddscontoso,DC=com', local_time=None):
    attributes = {'currentTime': [current], 'defaultNamingContext': [context], 'dnsHostName': ['dc1.' + DOMAIN],
                  'ldapServiceName': ['%s:dc1$@AADDSCONTOSO.COM' % DOMAIN]}
    stamp = calendar.timegm(time.strptime(current[:14], '%Y%m%d%H%M%S'))
    return {'attributes': attributes, 'result': 'success', 'local_time': stamp if local_time is None else local_time}


def test_rootdse_and_the_dc_account():
    assert checks.rootdse(DC1, DOMAIN, rootdse())['status'] == 'pass'
    other = checks.rootdse(DC1, DOMAIN, rootdse(context='DC=other,DC=test'))
    assert other['status'] == 'fail' and 'serves DC=other,DC=test' in other['detail']
    assert checks.rootdse(DC1, DOMAIN, REFUSED)['status'] == 'fail'
    assert checks.dc_account(rootdse()) == 'dc1$'
    assert checks.dc_account({'attributes': {'dnsHostName': ['dc2.' + DOMAIN]}}) == 'DC2$'
    assert checks.dc_account(TIMEOUT) is None


@pytest.mark.parametrize('nas_offset, status, words', [
    (0.0, 'pass', '0.5 s behind'),       # currentTime has whole seconds: +0.5 s centres the error
    (-100.0, 'warn', 'behind'),
    (400.0, 'fail', 'ahead of'),
])
def test_clock(nas_offset, status, words):
    found = checks.clock(DC1, rootdse(), nas_offset, 180)
    assert found['status'] == status and words in found['detail']
    if status == 'fail':
        assert found['value'] == -399.5 and 'NTP' in found['hint']


def test_clock_skips_without_a_time():
    assert checks.clock(DC1, TIMEOUT, 0.0, 180)['status'] == 'skip'
    assert checks.clock(DC1, rootdse(), None, 180)['status'] == 'skip'


@pytest.mark.parametrize('code, status', [(8, 'pass'), (13, 'pass'), (49, 'fail'), (0, 'fail'), (53, 'warn')])
def test_ldap_signing(code, status):
    found = checks.ldap_signing(DC1, {'code': code, 'result': 'r', 'diagnostic': ''})
    assert found['status'] == status
    if status == 'fail':
        assert 'LDAP signing is off' in found['detail'] and 'turn on LDAP signing' in found['hint']


@pytest.mark.parametrize('outcome, status', [
    ({'version': 'TLSv1'}, 'fail'),
    ({'problem': 'tls', 'detail': 'TLS handshake refused (TLSV1_ALERT_PROTOCOL_VERSION)'}, 'pass'),
    ({'problem': 'reset', 'detail': 'closed'}, 'pass'),
    ({'problem': 'tls', 'detail': 'TLS handshake refused (NO_PROTOCOLS_AVAILABLE)'}, 'skip'),
    (TIMEOUT, 'warn'),
])
def test_tls_legacy(outcome, status):
    found = checks.tls_legacy(DC1, outcome)
    assert found['status'] == status
    if status == 'fail':
        assert 'TLS 1.2 only' in found['hint']


NOW = calendar.timegm((2026, 11, 22, 0, 0, 0))


def certificate(names, not_after='Feb 24 00:42:34 2029 GMT'):
    return {'certificate': {'subjectAltName': tuple(('DNS', name) for name in names), 'notAfter': not_after}}


@pytest.mark.parametrize('outcome, status, words', [
    (certificate(['*.' + DOMAIN, DOMAIN]), 'pass', 'names *.aaddscontoso.com'),
    (certificate(['dc1.' + DOMAIN]), 'warn', 'DC names change'),
    (certificate(['*.' + DOMAIN], 'Dec 10 00:00:00 2026 GMT'), 'warn', 'expires in 18 day(s)'),
    (certificate(['*.example.com']), 'fail', 'nothing in aaddscontoso.com'),
    ({'problem': 'certificate', 'detail': 'unable to get local issuer certificate'}, 'fail', 'not trusted'),
])
def test_ldaps_certificate(outcome, status, words):
    found = checks.ldaps_certificate(DC1, DOMAIN, outcome, NOW)
    assert found['status'] == status and words in found['detail']


def krb(code, *etypes, **extra):
    reply = {'reply': 'KRB-ERROR', 'code': code, 'error': checks.kerberos.ERRORS.get(code, 'X'), 'text': '',
             'etype_info': [{'etype': etype, 'name': checks.kerberos.ETYPES[etype], 'salt': 'S', 's2kparams': None}
                            for etype in etypes], 'ntstatus': None}
    reply.update(extra)
    return reply


def test_kerberos_aes_and_rc4():
    assert checks.kerberos_aes(DC1, krb(25, 18))['status'] == 'pass'
    refused = checks.kerberos_aes(DC1, krb(14))
    assert refused['status'] == 'fail' and 'offer AES' in refused['hint']
    assert checks.kerberos_aes(DC1, krb(6))['status'] == 'warn'
    assert checks.kerberos_rc4(DC1, krb(14))['status'] == 'pass'
    offered = checks.kerberos_rc4(DC1, krb(25, 23))
    assert offered['status'] == 'fail' and offered['value'] == 'rc4-hmac' and 'RC4 encryption' in offered['hint']
    assert checks.kerberos_rc4(DC1, {'reply': 'AS-REP'})['status'] == 'fail'
    assert checks.kerberos_rc4(DC1, TIMEOUT)['status'] == 'warn'


USER = 'nasjoin@' + DOMAIN


def test_credentials_pass_after_one_attempt():
    found = checks.credentials(DC1, USER, {'precheck': krb(25, 18), 'attempts': 1, 'etype': 'aes256-cts-hmac-sha1-96',
                                           'reply': {'reply': 'AS-REP'}})
    assert found['status'] == 'pass' and found['value'] == {'user': USER, 'kdc': DC1, 'attempts': 1}


@pytest.mark.parametrize('code, ntstatus, cause, ad_code, hint_words', [
    (24, None, 'wrong_password', None, 'repeated failures lock'),
    (24, 0xC000006A, 'wrong_password', '52e', 'repeated failures lock'),
    (6, None, 'not_synced', None, 'password change in Entra'),
    (18, 0xC0000234, 'locked', '775', 'wait'),
    (18, 0xC0000072, 'disabled', '533', 'enable the user'),
    (18, 0xC0000193, 'account_expired', '701', 'expiry'),
    (18, 0xC000006F, 'logon_hours', '530', 'all hours'),
    (18, 0xC0000070, 'workstation', '531', 'workstation'),
    (23, 0xC0000224, 'must_change_password', '773', 'change it'),
    (23, 0xC0000071, 'password_expired', '532', 'change it'),
    (23, None, 'password_expired', None, 'change it'),
    (37, None, 'clock', None, 'NTP'),
    (18, None, 'locked', None, 'wait'),
])
def test_credentials_refusals_map_to_entra_causes(code, ntstatus, cause, ad_code, hint_words):
    found = checks.credentials(DC1, USER, {'precheck': krb(25, 18), 'attempts': 1, 'reply': krb(code, ntstatus=ntstatus)})
    assert found['status'] == 'fail' and found['value']['cause'] == cause and found['value']['ad_code'] == ad_code
    assert hint_words in found['hint']
    if ad_code:
        assert 'data %s' % ad_code in found['detail']


@pytest.mark.parametrize('precheck, cause', [(krb(6), 'not_synced'), (krb(14), 'no_aes_keys'), (krb(18), 'locked')])
def test_credentials_refused_before_any_attempt(precheck, cause):
    found = checks.credentials(DC1, USER, {'precheck': precheck, 'attempts': 0})
    assert found['status'] == 'fail' and found['value']['cause'] == cause and found['value']['attempts'] == 0


def test_credentials_refusal_of_an_unmapped_kind_still_says_what_to_do():
    found = checks.credentials(DC1, USER, {'precheck': krb(25, 18), 'attempts': 1, 'reply': krb(12)})
    assert found['status'] == 'fail' and found['value']['cause'] is None and 'KDC_ERR_POLICY' in found['detail']
    assert found['hint'] == checks.UNKNOWN_REFUSAL_HINT


def test_credentials_network_failure_during_the_check():
    found = checks.credentials(DC1, USER, TIMEOUT)
    assert found['status'] == 'fail' and 'at most one attempt' in found['detail'] and found['value']['attempts'] is None


def test_credentials_without_preauthentication_warn():
    found = checks.credentials(DC1, USER, {'precheck': {'reply': 'AS-REP'}, 'attempts': 0})
    assert found['status'] == 'warn' and 'was not checked' in found['detail']


def test_user_of_another_realm():
    assert checks.principal(USER, DOMAIN) == ('nasjoin', None)
    assert checks.principal('nasjoin', DOMAIN) == ('nasjoin', None)
    assert checks.principal('Dana@AADDSCONTOSO.COM', DOMAIN) == ('Dana', None)
    assert checks.principal('dana@aaddscontoso.onmicrosoft.com', DOMAIN) == (None, 'aaddscontoso.onmicrosoft.com')
    found = checks.upn_suffix('dana@aaddscontoso.onmicrosoft.com', 'aaddscontoso.onmicrosoft.com')
    assert found['status'] == 'fail' and found['value']['attempts'] == 0 and 'sAMAccountName' in found['hint']


@pytest.mark.parametrize('name, status', [
    ('nas01', 'pass'), ('a' * 15, 'pass'), ('truenas', 'warn'),
    ('nasjoin-preflig1', 'fail'), ('nas_01', 'fail'), ('12345', 'fail'), ('', 'fail'), (None, 'fail'),
])
def test_hostname(name, status):
    found = checks.hostname(name)
    assert found['status'] == status
    if name == 'nasjoin-preflig1':
        assert '16 characters' in found['detail'] and '15 characters or fewer' in found['hint']
