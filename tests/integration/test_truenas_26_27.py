"""ad_join and entra_dns_config against an emulated TrueNAS 26 and 27 backed by a scripted domain.

From 26 the network domain follows the join (NAS-139291; the emulator follows plugins/directoryservices_/connection.py
and plugins/network_/global_config.py at TS-26.0.0-BETA.3 and HEAD): a join with DNS updates writes the AD domain,
a leave with them writes ``local``, and while the join is HEALTHY another domain is refused.

The failed-verification restore runs the module's logic in this process with a resolver that answers nothing: the
module refuses loopback nameservers, and no test sends DNS beyond loopback.
"""

import json

import pytest

from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD, FakeDirectory

from ansible_collections.nasjoin.entra.plugins.module_utils._errors import Failed
from ansible_collections.nasjoin.entra.plugins.module_utils._network import dns_config
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import DNSProblem
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from .conftest import API_KEY, API_USER
from .test_ad_join import DOMAIN, JOIN_USER, join_task, nas_of

LEAVE = {'username': JOIN_USER, 'password': FAKE_JOIN_PASSWORD}


@pytest.fixture(params=('26', '27'))
def nas(request, tls, tmp_path):
    """An emulated TrueNAS 26 or 27, its nameservers the scripted domain's DCs and its network domain ``local``."""
    for emulator in nas_of(FakeDirectory(), request.param, tls, tmp_path):
        set_network(emulator, domain='local')
        emulator.reset_counters()
        yield emulator


def set_network(nas, **fields):
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client:
        client.call('network.configuration.update', fields)


def dns_task(nas, tls, domain, nameservers):
    args = dict(domain=domain, nameservers=nameservers, verify=False, api_url=nas.url, api_key=API_KEY,
                api_username=API_USER, ca_path=tls['ca'])
    body = ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in args.items())
    return '    - name: network settings\n      nasjoin.entra.entra_dns_config:\n' + body


def dcs(nas):
    return [address for dummy, address in nas.fake.dcs]


def network_updates(nas):
    """The network.configuration.update payloads the NAS received (from its request log)."""
    with open(nas.request_log.path, encoding='utf-8') as handle:
        lines = [json.loads(line) for line in handle]
    return [line['params'][0] for line in lines if line['method'] == 'network.configuration.update']


def test_join_converge_leave_rejoin_report_the_network_domain(ansible, nas, tls):
    joined = ansible.playbook(join_task(nas, tls, enable_dns_updates=True), '--diff')
    assert joined.rc == 0 and joined.changed == 1, joined.stdout + joined.stderr
    result = joined.result
    assert result['status'] == 'HEALTHY' and nas.network_config['domain'] == DOMAIN
    assert result['diff']['before']['network_domain'] == 'local' and result['diff']['after']['network_domain'] == DOMAIN
    assert result['config']['network_domain'] == DOMAIN and 'set the network domain to %s' % DOMAIN in result['msg']

    nas.reset_counters()
    again = ansible.playbook(join_task(nas, tls, enable_dns_updates=True))
    assert again.rc == 0 and again.changed == 0 and nas.counters()['writes'] == 0, again.stdout + again.stderr
    assert 'network_domain' not in again.result['config']

    left = ansible.playbook(join_task(nas, tls, state='absent', username=None, password=None, leave_credentials=LEAVE), '--diff')
    assert left.rc == 0 and left.result['status'] == 'DISABLED', left.stdout + left.stderr
    assert nas.network_config['domain'] == 'local' and 'NAS1' not in nas.fake.computers
    assert left.result['diff']['before']['network_domain'] == DOMAIN and left.result['diff']['after']['network_domain'] == 'local'
    shown = ' '.join((left.stdout + left.stderr).split())  # Ansible wraps a warning's lines
    assert '[WARNING]: TrueNAS set the network domain from %s back to local' % DOMAIN in shown
    assert 'the next nasjoin.entra.entra_dns_config run sets the managed domain again' in shown

    rejoin = ansible.playbook(join_task(nas, tls, enable_dns_updates=True))
    assert rejoin.rc == 0 and rejoin.changed == 1 and rejoin.result['status'] == 'HEALTHY', rejoin.stdout + rejoin.stderr
    assert nas.network_config['domain'] == DOMAIN


def test_check_mode_predicts_the_join_and_its_network_domain(ansible, nas, tls):
    run = ansible.playbook(join_task(nas, tls, enable_dns_updates=True), '--check', '--diff')
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert run.result['diff']['after']['network_domain'] == DOMAIN and 'would set the network domain' in run.result['msg']
    assert nas.counters()['writes'] == 0 and not nas.fake.joined and nas.network_config['domain'] == 'local'


def test_entra_dns_config_before_and_after_a_join(ansible, nas, tls):
    before = ansible.playbook(dns_task(nas, tls, DOMAIN, dcs(nas)))
    assert before.rc == 0 and before.changed == 1 and nas.network_config['domain'] == DOMAIN, before.stdout + before.stderr
    assert ansible.playbook(join_task(nas, tls)).rc == 0  # no DNS updates: TrueNAS leaves the network domain alone

    same = ansible.playbook(dns_task(nas, tls, DOMAIN.upper(), dcs(nas)))
    assert same.rc == 0 and same.changed == 0, same.stdout + same.stderr

    nas.reset_counters()
    stored = dict(nas.network_config)
    for args in ((), ('--check',)):
        other = ansible.playbook(dns_task(nas, tls, 'other.test', ['192.0.2.31']), *args)
        assert other.rc != 0, other.stdout + other.stderr
        assert 'joined to %s' % DOMAIN in other.result['msg'] and 'TrueNAS 26' in other.result['msg']
        assert 'state=absent' in other.result['hint'] and other.result['joined_domain'] == DOMAIN
    assert nas.counters()['writes'] == 0 and nas.network_config == stored

    moved = ansible.playbook(dns_task(nas, tls, DOMAIN, list(reversed(dcs(nas)))))
    assert moved.rc == 0 and moved.changed == 1, moved.stdout + moved.stderr
    assert 'domain' not in network_updates(nas)[-1] and nas.network_config['nameserver1'] == dcs(nas)[1]


def test_entra_dns_config_sets_the_domain_again_after_a_leave(ansible, nas, tls):
    assert ansible.playbook(join_task(nas, tls, enable_dns_updates=True)).rc == 0
    left = ansible.playbook(join_task(nas, tls, state='absent', username=None, password=None, leave_credentials=LEAVE))
    assert left.rc == 0 and nas.network_config['domain'] == 'local', left.stdout + left.stderr
    again = ansible.playbook(dns_task(nas, tls, DOMAIN, dcs(nas)))
    assert again.rc == 0 and again.changed == 1 and nas.network_config['domain'] == DOMAIN, again.stdout + again.stderr


class Module:
    """What dns_config.run needs of an AnsibleModule."""

    def __init__(self, **params):
        self.params = dict(domain=DOMAIN, search_domains=None, ipv4gateway=None, state='present', verify=True,
                           verify_timeout=0.1, **params)
        self.check_mode = False
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class Silent:
    """A resolver no nameserver answers."""

    def __init__(self, timeout):
        self.timeout = timeout

    def query(self, nameserver, name, rdtype):
        raise DNSProblem('no answer within %s s' % self.timeout)


def test_failed_verification_while_joined_restores_only_the_nameservers(ansible, nas, tls, monkeypatch):
    """Joined without DNS updates while the network domain is ``local``: the joined domain asked for is kept out of
    every write, the nameservers that do not answer are written and then put back."""
    assert ansible.playbook(join_task(nas, tls)).rc == 0 and nas.network_config['domain'] == 'local'
    before = dict(nas.network_config)
    monkeypatch.setattr(dns_config, 'Resolver', Silent)
    module = Module(nameservers=['192.0.2.31', '192.0.2.32'])
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client, pytest.raises(Failed) as caught:
        dns_config.run(module, client)
    assert caught.value.data['restored'] is True and caught.value.data['failed_nameservers'] == ['192.0.2.31', '192.0.2.32']
    assert 'The previous DNS configuration was restored' in caught.value.message
    written = network_updates(nas)[-2:]
    assert [sorted(payload) for payload in written] == [['nameserver1', 'nameserver2', 'nameserver3']] * 2
    assert nas.network_config == before
    assert 'joined to %s' % DOMAIN in module.warnings[0]
