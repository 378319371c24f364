"""No partial configuration: entra_dns_config against an emulated NAS on loopback, verifying through the lab's real
DCs. When a nameserver fails verification the previous DNS configuration is back (read back from the NAS); when
even the restore fails, the module says which settings the NAS may hold."""

import json

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from ..test_entra_dns_config import api_options

TASK = '''    - name: network settings
      nasjoin.entra.entra_dns_config:
        domain: %s
        nameservers: %s
        verify_timeout: 1
%s'''
PREVIOUS = {'domain': 'previous.test', 'nameserver1': '198.18.0.53', 'nameserver2': '', 'nameserver3': ''}


def previous_config(nas):
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client:
        client.call('network.configuration.update', PREVIOUS)
    nas.reset_counters()
    return dict(nas.network_config)


def silent(lab):
    return lab['network']['host_ip']  # the lab host on the bridge: no DNS server there


def test_failed_verification_puts_the_previous_config_back(lab, ansible, nas, tls):
    before = previous_config(nas)
    nameservers = [lab['dc_ips'][0], silent(lab)]
    run = ansible.playbook(TASK % (lab['dns_domain'], json.dumps(nameservers), api_options(nas, tls)))
    assert run.rc != 0 and run.result['restored'] is True, run.stdout + run.stderr
    assert run.result['failed_nameservers'] == [silent(lab)]
    assert 'The previous DNS configuration was restored' in run.result['msg']
    assert nas.network_config == before
    assert nas.counters()['writes_by_method'] == {'network.configuration.update': 2}
    assert run.result['config']['nameservers'] == ['198.18.0.53']


def test_a_failed_restore_says_what_the_nas_may_hold(lab, ansible, nas, tls):
    before = previous_config(nas)
    nas.faults.set('drop_on_call', method='network.configuration.update', skip=1)
    nameservers = [lab['dc_ips'][0], silent(lab)]
    run = ansible.playbook(TASK % (lab['dns_domain'], json.dumps(nameservers), api_options(nas, tls)))
    assert run.rc != 0
    message = run.result['msg']
    assert 'restoring the previous DNS configuration then failed' in message and silent(lab) in message
    assert 'before: domain previous.test, nameservers 198.18.0.53' in message
    held = nas.network_config
    assert held != before and [held['nameserver1'], held['nameserver2']] == nameservers
    assert nas.counters()['by_method']['network.configuration.update'] == 2
