"""After converge: each NAS of the scenario, seen from inside its stand-in (over SSH, in its namespace), uses the
domain controllers for DNS, holds a working trust secret, resolves a domain user by UPN, and has its computer
object in the directory."""

import os

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ['NASJOIN_MOLECULE_INVENTORY'])
GROUP = os.environ['NASJOIN_MOLECULE_GROUP']
# the SSH host of every NAS the scenario converged (API hosts are the same NAS reached from the controller)
testinfra_hosts = ['ansible://%s-ssh' % RUNNER.get_variables(host)['nas_name'] for host in RUNNER.get_hosts(GROUP)]


def facts(host):
    return host.ansible.get_variables()


def test_resolver_is_the_domain_controllers(host):
    resolv = host.file('/etc/resolv.conf').content_string
    nameservers = [line.split()[1] for line in resolv.splitlines() if line.startswith('nameserver')]
    # the DCs as the inventory gives them, or as the scenario expects them from Azure (azure: no IPs in inventory)
    expected = os.environ.get('NASJOIN_MOLECULE_DC_IPS')
    assert nameservers == (expected.split(',') if expected else facts(host)['entra_dc_ips'])


def test_trust_secret_is_valid(host):
    assert 'succeeded' in host.check_output('wbinfo -t')


def test_a_domain_user_resolves_by_upn(host):
    upn = facts(host)['entra_join_user']
    entry = host.check_output('getent passwd %s', upn).split(':')
    assert entry[0].lower() == '%s\\%s' % (facts(host)['entra_netbios'].lower(), upn.split('@')[0]) and int(entry[2]) > 100000000


def test_the_computer_object_is_in_aaddc_computers(host):
    name = facts(host)['nas_name'].upper()
    found = host.check_output("net ads search -P '(sAMAccountName=%s$)' distinguishedName", name)
    assert 'distinguishedName: CN=%s,OU=AADDC Computers,' % name in found
