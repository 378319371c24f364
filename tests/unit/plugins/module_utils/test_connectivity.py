"""entra_connectivity orchestration with a fake prober: inputs, NAS facts, both probe rounds, the report."""

import json
import socket
import threading

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import kerberos
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober

DOMAIN = 'aaddscontoso.com'
DC1, DC2 = '198.51.100.11', '198.51.100.12'
PASSWORD = 'CANARY-password-DoNotLeak-42'
NAS = {'hostname': 'nas1', 'nameservers': [DC1, DC2], 'clock': '2026-11-22T00:00:00Z', 'clock_offset': 0.0}
WANTED = {'domain': DOMAIN, 'dc_ips': [DC1, DC2], 'nameservers': None, 'username': None}
PREAUTH = {'reply': 'KRB-ERROR', 'code': 25, 'error': 'KDC_ERR_PREAUTH_REQUIRED', 'text': '', 'ntstatus': None,
           'etype_info': [{'etype': 18, 'name': 'aes256-cts-hmac-sha1-96', 'salt': 'AADDSCONTOSO.COMnasjoin',
                           's2kparams': None}]}
NOSUPP = dict(PREAUTH, code=14, error='KDC_ERR_ETYPE_NOSUPP', etype_info=[])


class FakeProber:
    """A healthy two-DC domain; ``dead`` DCs time out on everything, ``blocked`` (ip, port) pairs time out."""

    timeout = 1.0

    def __init__(self, dead=(), blocked=(), barrier=None):
        self.dead, self.blocked, self.barrier = set(dead), set(blocked), barrier
        self.calls = []
        self.lock = threading.Lock()

    def _touch(self, method, ip, port=None):
        with self.lock:
            self.calls.append((method, ip))
        if self.barrier:
            self.barrier.wait()
        if ip in self.dead or (ip, port) in self.blocked:
            raise socket.timeout()

    def tcp(self, ip, port):
        self._touch('tcp', ip, port)
        return {'open': True}

    def udp(self, ip, port):
        self._touch('udp', ip, port)
        return {'answer_bytes': 60}

    def srv(self, nameserver, names):
        self._touch('srv', nameserver, 53)
        return dict((name, [{'target': 'dc%d.%s' % (n, DOMAIN), 'port': 389, 'priority': 0, 'weight': 100,
                             'addresses': [ip]} for n, ip in ((1, DC1), (2, DC2))]) for name in names)

    def addresses(self, nameserver, name):
        self._touch('addresses', nameserver, 53)
        return {'addresses': [DC1, DC2]}

    def rootdse(self, ip):
        self._touch('rootdse', ip, 389)
        name = 'dc1' if ip == DC1 else 'dc2'
        return {'attributes': {'currentTime': ['20261122000000.0Z'], 'defaultNamingContext': ['DC=aaddscontoso,DC=com'],
                               'dnsHostName': ['%s.%s' % (name, DOMAIN)],
                               'ldapServiceName': ['%s:%s$@AADDSCONTOSO.COM' % (DOMAIN, name)]},
                'result': 'success', 'local_time': 1795305600.0}   # the DC's clock runs with this host's

    def simple_bind(self, ip):
        self._touch('simple_bind', ip, 389)
        return {'code': 8, 'result': 'strongerAuthRequired', 'diagnostic': ''}

    def tls_legacy(self, ip):
        self._touch('tls_legacy', ip, 636)
        raise OSError(104, 'reset')

    def certificate(self, ip):
        self._touch('certificate', ip, 636)
        return {'certificate': {'subjectAltName': (('DNS', '*.' + DOMAIN),), 'notAfter': 'Feb 24 00:42:34 2029 GMT'}}

    def as_req(self, ip, user, etypes):
        self._touch('as_req %s %s' % (user, etypes), ip, 88)
        return NOSUPP if etypes == [kerberos.RC4] else PREAUTH

    def credentials(self, ip, user, password):
        self._touch('credentials %s' % user, ip, 88)
        assert password == PASSWORD
        return {'precheck': PREAUTH, 'attempts': 1, 'etype': 'aes256-cts-hmac-sha1-96', 'reply': {'reply': 'AS-REP'}}


def run(prober, wanted=None, secure_ldap=True, password=None, nas=None):
    wanted = wanted or WANTED
    seen = connectivity.probe(prober, wanted, nas or NAS, secure_ldap, password)
    return connectivity.decide(seen, wanted, nas or NAS, secure_ldap, 180, 1795305600.0)


def by_key(found):
    return dict((connectivity.key_of(item), item) for item in found)


def test_healthy_domain_passes_every_check_in_order():
    found = run(FakeProber())
    assert [item['status'] for item in found] == ['pass'] * (len(found) - 1) + ['skip']   # no username: no credentials
    names = [item['name'] for item in found]
    assert names == sorted(names, key=connectivity.ORDER.index)
    assert names.count('tcp_636') == 2 and names[-1] == 'credentials'


def test_all_first_round_probes_are_in_flight_together():
    """A barrier for every first-round probe: it only opens if none waits for another to finish."""
    count = 2 + 2 * (3 + len(connectivity.TCP_PORTS) + 1 + len(connectivity.UDP_PORTS))
    prober = FakeProber(barrier=threading.Barrier(count, timeout=5))
    seen = connectivity.probe_all(
        dict(((index, 'job'), (prober.tcp, DC1, 1)) for index in range(count)), prober.timeout)
    assert len(seen) == count and all('problem' not in outcome for outcome in seen.values())


def test_dead_dc_fails_its_checks_skips_its_protocol_checks_and_leaves_the_other_dc_alone():
    prober = FakeProber(dead=[DC2])
    found = by_key(run(prober))
    assert found['tcp_88@%s' % DC2]['status'] == 'fail' and found['tcp_88@%s' % DC1]['status'] == 'pass'
    assert found['udp_88@%s' % DC2]['status'] == 'warn'
    assert found['kerberos_aes@%s' % DC2]['status'] == 'skip' and found['ldap_signing@%s' % DC2]['status'] == 'skip'
    assert found['clock_skew@%s' % DC2]['status'] == 'skip'
    assert all(item['status'] == 'pass' for key, item in found.items() if key.endswith(DC1))
    second_round = [method for method, ip in prober.calls if ip == DC2 and not method.startswith(('tcp', 'udp', 'srv',
                                                                                                  'addresses', 'rootdse'))]
    assert second_round == []


def test_blocked_kerberos_port_moves_the_credential_check_to_the_other_dc():
    prober = FakeProber(blocked=[(DC1, 88)])
    wanted = dict(WANTED, username='nasjoin@' + DOMAIN)
    found = by_key(run(prober, wanted, password=PASSWORD))
    assert found['tcp_88@%s' % DC1]['status'] == 'fail'
    assert 'TCP 88 did not answer' in found['kerberos_rc4@%s' % DC1]['detail']
    assert found['credentials@%s' % DC2]['status'] == 'pass'
    assert [ip for method, ip in prober.calls if method.startswith('credentials')] == [DC2]


def test_kerberos_probes_ask_for_the_dc_account():
    prober = FakeProber()
    run(prober)
    assert ('as_req dc1$ [23]', DC1) in prober.calls and ('as_req dc2$ [18, 17]', DC2) in prober.calls


def test_secure_ldap_off_skips_636():
    found = by_key(run(FakeProber(), secure_ldap=False))
    assert [found[name + '@' + DC1]['status'] for name in ('tcp_636', 'ldaps_tls_version', 'ldaps_certificate')] == ['skip'] * 3


def test_given_nameservers_replace_the_nas_ones():
    prober = FakeProber()
    found = by_key(run(prober, dict(WANTED, nameservers=['192.0.2.53'])))
    assert found['resolver@192.0.2.53']['status'] == 'warn' and 'resolver@%s' % DC1 not in found


def test_nas_without_nameservers_fails_the_resolver_check():
    found = by_key(run(FakeProber(), nas=dict(NAS, nameservers=[])))
    assert found['resolver']['status'] == 'fail'


def test_user_of_another_realm_is_never_sent():
    prober = FakeProber()
    found = by_key(run(prober, dict(WANTED, username='dana@aaddscontoso.onmicrosoft.com'), password=PASSWORD))
    assert found['credentials']['value']['cause'] == 'upn_suffix'
    assert not [method for method, dummy in prober.calls if method.startswith('credentials')]


class CountingProber(Prober):
    """The real credential sequence over scripted KDC answers."""

    def __init__(self, precheck, reply=None):
        super(CountingProber, self).__init__(DOMAIN, 1.0, resolver=None)
        self.precheck, self.reply, self.sent = precheck, reply, []

    def as_req(self, ip, user, etypes):
        self.sent.append('as_req')
        return self.precheck

    def authenticate(self, ip, user, password, etype_info):
        self.sent.append('authenticate')
        return self.reply


@pytest.mark.parametrize('precheck, attempts', [
    (PREAUTH, 1),
    (dict(PREAUTH, code=6, error='KDC_ERR_C_PRINCIPAL_UNKNOWN', etype_info=[]), 0),
    (dict(PREAUTH, code=18, error='KDC_ERR_CLIENT_REVOKED', etype_info=[], ntstatus=0xC0000234), 0),
    (NOSUPP, 0),
    (dict(PREAUTH, etype_info=[{'etype': 23, 'name': 'rc4-hmac', 'salt': None, 's2kparams': None}]), 0),
    ({'reply': 'AS-REP'}, 0),
])
def test_at_most_one_password_attempt(precheck, attempts):
    prober = CountingProber(precheck, dict(PREAUTH, code=24, error='KDC_ERR_PREAUTH_FAILED', etype_info=[]))
    outcome = prober.credentials(DC1, 'nasjoin', PASSWORD)
    assert outcome['attempts'] == attempts and prober.sent.count('authenticate') == attempts
    assert prober.sent.count('as_req') == 1


def test_password_stays_out_of_the_result():
    found = run(FakeProber(), dict(WANTED, username='nasjoin@' + DOMAIN), password=PASSWORD)
    result = connectivity.report(found, NAS, False, 'fail')
    assert PASSWORD not in json.dumps(result)


def test_report_counts_names_the_first_failure_and_its_fix():
    found = run(FakeProber(dead=[DC2]))
    result = connectivity.report(found, NAS, True, 'fail')
    assert result['failed'] is True and result['changed'] is False
    assert result['summary']['fail'] == len(result['failed_checks']) and result['summary']['total'] == len(found)
    first = next(item for item in found if item['status'] == 'fail')
    assert result['failed_checks'][0] == 'resolver@%s' % DC2 == connectivity.key_of(first)
    assert 'First: resolver@%s: %s. Fix: %s' % (DC2, first['detail'], first['hint']) in result['msg']
    assert ' and %d more' % (len(result['failed_checks']) + 3 - connectivity.MSG_NAMES) in result['msg']
    assert 'Probes ran on the controller' in result['msg'] and result['nas']['probes_ran_on'] == 'controller'


@pytest.mark.parametrize('fail_on, dead, failed', [('fail', [], False), ('fail', [DC2], True), ('never', [DC2], False)])
def test_fail_on(fail_on, dead, failed):
    result = connectivity.report(run(FakeProber(dead=dead)), NAS, False, fail_on)
    assert result.get('failed', False) is failed and 'Probes ran on the NAS' in result['msg']


def test_fail_on_warn_fails_on_a_warning():
    found = run(FakeProber(), dict(WANTED, nameservers=['192.0.2.53']))
    assert connectivity.report(found, NAS, False, 'fail').get('failed') is None
    assert connectivity.report(found, NAS, False, 'warn')['failed'] is True


PARAMS = dict(domain='AADDSContoso.com.', dc_ips=[DC1, DC2], nameservers=None, username=None, password=None,
              max_clock_skew=180, probe_timeout=3.0)


@pytest.mark.parametrize('changes, message', [
    ({'dc_ips': []}, 'dc_ips: give'),
    ({'dc_ips': [DC1, DC1]}, 'dc_ips lists 198.51.100.11 twice'),
    ({'dc_ips': ['127.0.0.1']}, 'dc_ips[0]: 127.0.0.1 is a loopback'),
    ({'nameservers': ['dc1']}, 'nameservers[0]: \'dc1\' is not an IP address'),
    ({'username': 'AADDS\\admin', 'password': 'x'}, 'username:'),
    ({'dc_ips': [DC1, '::ffff:' + DC1]}, 'dc_ips lists 198.51.100.11 twice'),
    ({'ldaps_ca_path': '/dev/null'}, "ldaps_ca_path: '/dev/null' is not a regular file"),
    ({'username': 'nasjoin'}, 'password: give'),
])
def test_bad_input(changes, message):
    with pytest.raises(ValueError, match=message.replace('[', r'\[').replace(']', r'\]').replace('\\a', r'\\a')):
        connectivity.settings_from(dict(PARAMS, **changes))


def test_good_input_is_normalised():
    assert connectivity.settings_from(dict(PARAMS, nameservers=[DC2])) == dict(WANTED, nameservers=[DC2])


class FakeNAS:
    def __init__(self, datetime_value):
        self.datetime_value = datetime_value

    def call(self, method):
        if method == 'network.configuration.config':
            return {'hostname': 'nas1', 'nameserver1': DC1, 'nameserver2': DC2, 'nameserver3': ''}
        assert method == 'system.info'
        return {'datetime': self.datetime_value}


def test_nas_facts_read_hostname_nameservers_and_clock_offset():
    ticks = iter([1000.0, 1000.2])
    facts = connectivity.nas_facts(FakeNAS({'$date': 1600000}), clock=lambda: next(ticks))
    assert facts == {'hostname': 'nas1', 'nameservers': [DC1, DC2], 'clock': '1970-01-01T00:26:40Z', 'clock_offset': 599.9}
    assert connectivity.nas_facts(FakeNAS(None), clock=lambda: 0.0)['clock_offset'] is None
