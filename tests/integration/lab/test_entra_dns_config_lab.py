"""entra_dns_config against the lab: verification through the two real DCs, from the controller (wss, API
key) and on the NAS stand-in itself (SSH, local socket), restore on a failed verification, and the
playbook over the lab inventory."""

import json

import pytest

from ..conftest import Ansible

TASK = '''    - name: network settings
      nasjoin.entra.entra_dns_config:
        domain: "{{ entra_domain }}"
        nameservers: %s
        verify_timeout: 1
'''


def lab_runner(the_lab, tmp_path):
    """Ansible with the inventory of ``the_lab`` and its secrets file."""
    runner = Ansible(tmp_path)
    runner.inventory = tmp_path / 'lab.yml'
    the_lab.labctl('inventory', '--output', str(runner.inventory))
    runner.secrets = ['-e', '@' + the_lab['secrets_file']]
    return runner


@pytest.fixture
def lab_ansible(lab, tmp_path):
    return lab_runner(lab, tmp_path)


# the connection of every lab inventory host: API variables for *-api hosts, none (the NAS's socket) for *-ssh
API_DEFAULTS = ('      module_defaults:\n        group/nasjoin.entra.truenas:\n          api_url: "{{ truenas_api_url | default(omit) }}"\n'
                '          api_key: "{{ truenas_api_key | default(omit) }}"\n          api_username: "{{ truenas_api_username | default(omit) }}"\n'
                '          ca_path: "{{ truenas_ca_path | default(omit) }}"\n')


def dns_play(lab_ansible, host, nameservers, *args):
    return lab_ansible.playbook(TASK % json.dumps(nameservers) + API_DEFAULTS, *(lab_ansible.secrets + list(args)), hosts=host)


def stored(lab, n):
    """The network configuration the stand-in's emulator holds, and its resolv.conf."""
    state = lab.midclt(n, 'network.configuration.config')
    return state, lab.nas_exec(n, 'cat', '/etc/resolv.conf').stdout


@pytest.mark.parametrize('host, n, transport', [('nas1-api', 1, 'websocket'), ('nas2-ssh', 2, 'local_socket')])
def test_verified_change_then_converged(lab, lab_ansible, host, n, transport):
    dc1, dc2 = lab['dc_ips']
    single = dns_play(lab_ansible, host, [dc2])
    assert single.rc == 0, single.stdout + single.stderr
    first = dns_play(lab_ansible, host, [dc1, dc2])
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    result = first.result
    assert result['connection']['transport'] == transport
    assert [check['status'] for check in result['verify']] == ['pass', 'pass']
    assert result['verify'][0]['dc_ips'] == sorted([dc1, dc2])
    assert {target['target'] for target in result['verify'][1]['targets']} == set(lab['dc_fqdns'])
    config, resolv = stored(lab, n)
    assert [config['nameserver1'], config['nameserver2'], config['nameserver3']] == [dc1, dc2, '']
    assert config['domain'] == lab['dns_domain']
    assert 'nameserver %s\nnameserver %s' % (dc1, dc2) in resolv
    again = dns_play(lab_ansible, host, [dc1, dc2])
    assert again.rc == 0 and again.changed == 0


@pytest.mark.parametrize('host, n', [('nas1-api', 1), ('nas2-ssh', 2)])
def test_failed_verification_restores_previous_config(lab, lab_ansible, host, n):
    dc1, dc2 = lab['dc_ips']
    assert dns_play(lab_ansible, host, [dc1, dc2]).rc == 0
    before, resolv_before = stored(lab, n)
    silent = lab['network']['cidr'].rsplit('.', 1)[0] + '.99'  # on the lab bridge, nobody there
    run = dns_play(lab_ansible, host, [dc1, silent])
    assert run.rc != 0
    result = run.result
    assert result['failed_nameservers'] == [silent] and result['restored'] is True
    assert 'nameserver %s did not resolve _ldap._tcp.dc._msdcs.%s' % (silent, lab['dns_domain']) in result['msg']
    assert 'previous DNS configuration was restored' in result['msg']
    after, resolv_after = stored(lab, n)
    assert after == before and resolv_after == resolv_before


def test_check_mode_predicts_a_failed_verification(lab, lab_ansible):
    dc1, dummy = lab['dc_ips']
    silent = lab['network']['cidr'].rsplit('.', 1)[0] + '.98'
    before, dummy = stored(lab, 1)
    run = dns_play(lab_ansible, 'nas1-api', [silent], '--check')
    assert run.rc != 0 and 'Check mode: nothing was changed' in run.result['msg']
    assert stored(lab, 1)[0] == before
