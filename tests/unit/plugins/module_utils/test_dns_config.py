"""entra_dns_config logic: validation, idempotence, check mode, verification and restore."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import DNSProblem
from ansible_collections.nasjoin.entra.plugins.module_utils._network import dns_config
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

from ...module_args import ended

DOMAIN = 'aaddscontoso.com'
SRV = '_ldap._tcp.dc._msdcs.' + DOMAIN
INITIAL = {'id': 1, 'hostname': 'nas1', 'domain': 'local', 'domains': [], 'ipv4gateway': '192.0.2.1',
           'nameserver1': '192.0.2.53', 'nameserver2': '', 'nameserver3': ''}


class FakeNAS:
    """network.configuration.config/update over a dict, recording calls and writes; a TrueNAS of ``version``, joined
    to ``joined`` (HEALTHY) when given. From 26 it refuses another domain string while joined, as
    plugins/network_/global_config.py do_update does (NAS-139291)."""

    def __init__(self, config=None, refuse=None, version='25.10.1', joined=None):
        self.config = dict(config or INITIAL)
        self.writes = []
        self.calls = []
        self.refuse = refuse
        self.version = tuple(int(part) for part in version.split('.'))
        self.joined = joined

    def call(self, method, *params):
        self.calls.append(method)
        if method == 'network.configuration.config':
            return dict(self.config)
        if method == 'directoryservices.config':
            assert self.version >= (25, 10)
            if not self.joined:
                return {'service_type': None, 'enable': False, 'configuration': None}
            return {'service_type': 'ACTIVEDIRECTORY', 'enable': True, 'configuration': {'domain': self.joined.upper()}}
        assert method == 'network.configuration.update'
        if self.refuse:
            raise self.refuse
        if self.joined and self.version >= (26, 0) and params[0].get('domain', self.config['domain']) != self.config['domain']:
            raise TrueNASError('network.configuration.update failed', errname='EINVAL', extra=[[
                'global_configuration_update.domain', 'You cannot change this parameter after TrueNAS joins a domain.', 22]])
        self.writes.append(params[0])
        self.config.update(params[0])
        return dict(self.config)


class FakeResolver:
    """SRV/A answers per nameserver; a nameserver missing from ``zones`` times out."""

    def __init__(self, zones):
        self.zones = zones

    def query(self, nameserver, name, rdtype):
        if nameserver not in self.zones:
            raise DNSProblem('no answer within 3.0 s')
        try:
            return self.zones[nameserver][(name, rdtype)]
        except KeyError:
            raise DNSProblem('%s does not exist (NXDOMAIN)' % name)


def zone(*dcs):
    records = {(SRV, 'SRV'): ['0 100 389 dc%d.%s.' % (index + 1, DOMAIN) for index in range(len(dcs))]}
    for index, ip in enumerate(dcs):
        records[('dc%d.%s' % (index + 1, DOMAIN), 'A')] = [ip]
    return records


class Module:
    def __init__(self, check_mode=False, **params):
        self.params = dict(domain=DOMAIN, nameservers=['198.51.100.10', '198.51.100.11'], search_domains=None,
                           ipv4gateway=None, state='present', verify=True, verify_timeout=1.0)
        self.params.update(params)
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


@pytest.fixture
def dcs(monkeypatch):
    zones = {'198.51.100.10': zone('198.51.100.10', '198.51.100.11'), '198.51.100.11': zone('198.51.100.10', '198.51.100.11')}
    monkeypatch.setattr(dns_config, 'Resolver', lambda timeout: FakeResolver(zones))
    return zones


def test_first_run_writes_domain_and_all_three_slots(dcs):
    nas, module = FakeNAS(), Module()
    result = ended(dns_config.run)(module, nas)
    assert result['changed'] is True
    assert nas.writes == [{'domain': DOMAIN, 'nameserver1': '198.51.100.10', 'nameserver2': '198.51.100.11', 'nameserver3': ''}]
    assert result['config']['nameservers'] == ['198.51.100.10', '198.51.100.11']
    assert result['diff']['before']['nameservers'] == ['192.0.2.53']
    assert [check['status'] for check in result['verify']] == ['pass', 'pass']
    assert result['verify'][0]['dc_ips'] == ['198.51.100.10', '198.51.100.11']
    assert 'failed' not in result


def test_converged_run_reads_once_and_writes_nothing(dcs):
    nas = FakeNAS(dict(INITIAL, domain='AADDSCONTOSO.COM', nameserver1='198.51.100.10', nameserver2='198.51.100.11'))
    result = ended(dns_config.run)(Module(), nas)
    assert result['changed'] is False and nas.writes == [] and result['verify'] == []


def test_check_mode_predicts_and_writes_nothing(dcs):
    nas = FakeNAS()
    result = ended(dns_config.run)(Module(check_mode=True), nas)
    assert result['changed'] is True and nas.writes == []
    assert result['diff']['after']['domain'] == DOMAIN
    assert len(result['verify']) == 2


def test_failed_verification_restores_previous_config(dcs):
    del dcs['198.51.100.11']
    nas = FakeNAS()
    result = ended(dns_config.run)(Module(), nas)
    assert result['failed'] is True and result['restored'] is True and result['changed'] is False
    assert result['failed_nameservers'] == ['198.51.100.11']
    assert '198.51.100.11' in result['msg'] and 'restored' in result['msg']
    assert len(nas.writes) == 2
    assert nas.config['nameserver1'] == '192.0.2.53' and nas.config['domain'] == 'local'
    assert result['config']['nameservers'] == ['192.0.2.53']


def test_failed_verification_in_check_mode_changes_nothing(dcs):
    del dcs['198.51.100.10']
    nas = FakeNAS()
    result = ended(dns_config.run)(Module(check_mode=True), nas)
    assert result['failed'] is True and result['restored'] is False and nas.writes == []
    assert 'Check mode' in result['msg']


def test_nameserver_that_is_not_a_dc_warns(dcs):
    dcs['198.51.100.53'] = zone('198.51.100.10', '198.51.100.11')
    module = Module(nameservers=['198.51.100.10', '198.51.100.53'])
    result = ended(dns_config.run)(module, FakeNAS())
    assert [check['status'] for check in result['verify']] == ['pass', 'warn']
    assert any('198.51.100.53' in text and 'not one of its domain controllers' in text for text in module.warnings)


def test_verify_false_warns_and_skips_lookups(monkeypatch):
    monkeypatch.setattr(dns_config, 'Resolver', None)
    module = Module(verify=False)
    result = ended(dns_config.run)(module, FakeNAS())
    assert result['changed'] is True and result['verify'] == []
    assert 'verify=false' in module.warnings[0]


def test_search_domains_and_gateway_only_when_given(dcs):
    nas = FakeNAS()
    ended(dns_config.run)(Module(search_domains=['AADDSCONTOSO.COM.'], ipv4gateway='192.0.2.254'), nas)
    assert nas.writes[0]['domains'] == [DOMAIN] and nas.writes[0]['ipv4gateway'] == '192.0.2.254'


def test_truenas_refusal_names_the_parameter(dcs):
    refusal = TrueNASError('x', errname='EINVAL', extra=[['global_configuration_update.nameserver2', 'Invalid IP', 22]])
    with pytest.raises(TrueNASError) as caught:
        ended(dns_config.run)(Module(), FakeNAS(refuse=refusal))
    assert 'nameservers[1] (nameserver2): Invalid IP' in caught.value.message


@pytest.mark.parametrize('params, words', [
    (dict(nameservers=[]), 'one to three'),
    (dict(nameservers=['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']), 'one to three'),
    (dict(nameservers=['127.0.0.1']), 'nameservers[0]: 127.0.0.1 is a loopback'),
    (dict(nameservers=['198.51.100.10', '169.254.1.1']), 'nameservers[1]'),
    (dict(nameservers=['224.0.0.1']), 'multicast'),
    (dict(nameservers=['0.0.0.0']), 'unspecified'),
    (dict(nameservers=['255.255.255.255']), 'broadcast'),
    (dict(nameservers=['::1']), 'loopback'),
    (dict(nameservers=['fe80::1']), 'link-local'),
    (dict(nameservers=['10.0.0.256']), 'is not an IP address'),
    (dict(nameservers=['$(reboot)']), 'is not an IP address'),
    (dict(nameservers=['198.51.100.10', '198.51.100.10']), 'twice'),
    (dict(domain=''), 'domain must not be empty'),
    (dict(domain='.'), 'domain must not be empty'),
    (dict(domain='localdomain'), 'not a valid DNS domain'),
    (dict(domain='bad_name.com'), 'not a valid DNS domain'),
    (dict(domain='-a.com'), 'not a valid DNS domain'),
    (dict(domain='a..com'), 'not a valid DNS domain'),
    (dict(domain='corp.com;reboot'), 'not a valid DNS domain'),
    (dict(domain='a\nb.com'), 'not a valid DNS domain'),
    (dict(domain='x' * 64 + '.com'), 'has a label of 64 characters; a DNS label has at most 63'),
    (dict(domain=('a' * 60 + '.') * 5 + 'com'), 'is 308 characters; a DNS name has at most 253'),
    (dict(nameservers=['::ffff:127.0.0.1']), 'nameservers[0]: ::ffff:127.0.0.1 (127.0.0.1) is a loopback'),
    (dict(nameservers=['198.51.100.11', '::ffff:198.51.100.11']), 'nameservers lists 198.51.100.11 twice'),
    (dict(domain='münchen.de'), 'ASCII (xn--)'),
    (dict(search_domains=['a.com'] * 6), 'at most 5'),
    (dict(search_domains=['a.com', 'A.com.']), 'twice'),
    (dict(ipv4gateway='2001:db8::1'), 'ipv4gateway'),
])
def test_bad_input_fails_before_any_call(params, words):
    class NoNAS:
        def call(self, *args):
            raise AssertionError('no call may be made for bad input')

    with pytest.raises(ValueError) as caught:
        ended(dns_config.run)(Module(**params), NoNAS())
    assert words in str(caught.value)


def test_valid_names_are_normalised():
    settings = dns_config.desired_settings(dict(domain='AaddsContoso.COM.', nameservers=[' 2001:DB8::0:1 '],
                                                search_domains=None, ipv4gateway=None))
    assert settings['domain'] == DOMAIN
    assert settings['nameservers'] == ['2001:db8::1']


def test_nameservers_stored_in_another_notation_are_converged(dcs):
    nas = FakeNAS(dict(INITIAL, domain=DOMAIN, nameserver1='2001:DB8:0:0::0A', nameserver2='2001:0db8::000b'))
    module = Module(nameservers=['2001:db8::a', '2001:db8::b'], verify=False)
    result = ended(dns_config.run)(module, nas)
    assert result['changed'] is False and nas.writes == [] and result['config']['nameservers'] == ['2001:db8::a', '2001:db8::b']


@pytest.mark.parametrize('state, warned', [
    (None, False),  # an entry without ``state`` says nothing about resolv.conf
    ({'nameserver1': '198.51.100.10', 'nameserver2': '198.51.100.11', 'nameserver3': ''}, False),
    ({'nameserver1': '192.0.2.77', 'nameserver2': '198.51.100.10', 'nameserver3': ''}, True),
    ({'nameserver1': '', 'nameserver2': '', 'nameserver3': ''}, True),
])
def test_a_resolv_conf_other_than_the_settings_warns_on_a_converged_run(dcs, state, warned):
    config = dict(INITIAL, domain=DOMAIN, nameserver1='198.51.100.10', nameserver2='198.51.100.11')
    if state is not None:
        config['state'] = state
    module = Module()
    result = ended(dns_config.run)(module, FakeNAS(config))
    assert result['changed'] is False and bool(module.warnings) is warned
    if warned:
        assert 'resolv.conf' in module.warnings[0] and '198.51.100.10, 198.51.100.11' in module.warnings[0]


# -- TrueNAS 26+: the network domain belongs to the join (NAS-139291) --------------------------------------------

NEW_DCS = ['198.51.100.10', '198.51.100.11']


def test_converged_run_on_26_reads_once():
    nas = FakeNAS(dict(INITIAL, domain=DOMAIN, nameserver1=NEW_DCS[0], nameserver2=NEW_DCS[1]), version='26.0.0', joined=DOMAIN)
    result = ended(dns_config.run)(Module(), nas)
    assert result['changed'] is False and nas.calls == ['network.configuration.config']


@pytest.mark.parametrize('version', ['25.10.1', '26.0.0', '27.0.0'])
def test_a_nas_not_joined_gets_the_domain_on_every_release(dcs, version):
    nas = FakeNAS(version=version)
    result = ended(dns_config.run)(Module(), nas)
    assert result['changed'] is True and nas.writes[0]['domain'] == DOMAIN
    assert nas.calls.count('directoryservices.config') == (0 if version.startswith('25') else 1)


def test_25_10_joined_writes_the_domain_as_before(dcs):
    nas = FakeNAS(version='25.10.1', joined='other.test')
    result = ended(dns_config.run)(Module(), nas)
    assert result['changed'] is True and nas.writes[0]['domain'] == DOMAIN and 'directoryservices.config' not in nas.calls


@pytest.mark.parametrize('version', ['26.0.0', '27.0.0'])
def test_joined_domain_in_other_case_is_no_change_of_domain(dcs, version):
    nas = FakeNAS(dict(INITIAL, domain=DOMAIN), version=version, joined=DOMAIN)
    module = Module(domain='AADDSContoso.COM')
    result = ended(dns_config.run)(module, nas)
    assert result['changed'] is True and nas.writes == [{'nameserver1': NEW_DCS[0], 'nameserver2': NEW_DCS[1], 'nameserver3': ''}]
    assert result['diff']['after']['domain'] == DOMAIN and module.warnings == []


def test_joined_nas_that_kept_local_keeps_it_and_says_why(dcs):
    """A join without DNS updates leaves the network domain as it was (``local`` after an earlier leave)."""
    nas = FakeNAS(dict(INITIAL, nameserver1=NEW_DCS[0], nameserver2=NEW_DCS[1]), version='26.0.0', joined=DOMAIN)
    module = Module()
    result = ended(dns_config.run)(module, nas)
    assert result['changed'] is False and nas.writes == [] and result['verify'] == []
    assert result['diff']['before'] == result['diff']['after'] and result['config']['domain'] == 'local'
    assert 'joined to %s' % DOMAIN in module.warnings[0] and 'enable_dns_updates' in module.warnings[0]


@pytest.mark.parametrize('check_mode', [False, True])
def test_another_domain_while_joined_fails_before_any_write(dcs, check_mode):
    nas = FakeNAS(dict(INITIAL, domain='other.test'), version='26.0.0', joined='other.test')
    result = ended(dns_config.run)(Module(check_mode=check_mode), nas)
    assert result['failed'] is True and result['changed'] is False
    assert nas.writes == [] and 'network.configuration.update' not in nas.calls
    assert 'joined to other.test' in result['msg'] and 'TrueNAS 26' in result['msg'] and 'Nothing was changed' in result['msg']
    assert 'state=absent' in result['hint'] and 'ask for domain other.test' in result['hint']
    assert result['diff']['after'] == result['diff']['before'] and result['joined_domain'] == 'other.test'


def test_failed_verification_while_joined_restores_only_what_was_written(dcs):
    del dcs['198.51.100.11']
    nas = FakeNAS(dict(INITIAL, domain=DOMAIN, domains=['corp.example']), version='26.0.0', joined=DOMAIN)
    result = ended(dns_config.run)(Module(), nas)
    assert result['failed'] is True and result['restored'] is True
    assert [sorted(write) for write in nas.writes] == [['nameserver1', 'nameserver2', 'nameserver3']] * 2
    assert nas.writes[1] == {'nameserver1': '192.0.2.53', 'nameserver2': '', 'nameserver3': ''}
    assert nas.config['domain'] == DOMAIN and nas.config['domains'] == ['corp.example']


def test_restore_leaves_a_field_this_run_did_not_write(dcs):
    """Another writer changed the search domains between this run's write and its restore: they stay."""
    del dcs['198.51.100.11']

    class BusyNAS(FakeNAS):
        def call(self, method, *params):
            answer = super(BusyNAS, self).call(method, *params)
            if method == 'network.configuration.update' and len(self.writes) == 1:
                self.config['domains'] = ['someone.else']
                answer = dict(self.config)
            return answer

    nas = BusyNAS()
    ended(dns_config.run)(Module(), nas)
    assert 'domains' not in nas.writes[1] and nas.config['domains'] == ['someone.else']
    assert nas.config['domain'] == 'local' and nas.config['nameserver1'] == '192.0.2.53'
