"""entra_connectivity against the lab: every check passes on a healthy stand-in, on the NAS over SSH and delegated
to the controller; each injected fault fails the check it should, with its fix, and is taken out again."""

import contextlib
import json
import os

import pytest
from truenas_emulator.control import Control

from .labprobes import ldap_bind
from .test_entra_dns_config_lab import API_DEFAULTS, lab_ansible, lab_runner  # noqa: F401  pylint: disable=unused-import

TASK = '''    - name: preflight
      nasjoin.entra.entra_connectivity:
        domain: "{{ entra_domain }}"
        dc_ips: "{{ entra_dc_ips }}"
        secure_ldap: true
        ldaps_ca_path: "{{ entra_ca_path }}"
        nameservers: "{{ preflight_nameservers | default(omit) }}"
        probe_timeout: 1
        username: "{{ preflight_user | default(entra_join_user) }}"
        password: "{{ preflight_password | default(entra_join_password) }}"
'''


def preflight(runner, host, tmp_path, **variables):
    """One run of the module on ``host``; ``variables`` (preflight_user, preflight_password, preflight_nameservers) go
    through a vars file, never argv."""
    extra = []
    if variables:
        path = tmp_path / 'preflight.json'
        path.write_text(json.dumps(variables))
        extra = ['-e', '@%s' % path]
    run = runner.playbook(TASK + API_DEFAULTS, *(runner.secrets + extra), hosts=host)
    assert run.results, run.stdout + run.stderr
    assert 'preflight_password' not in variables or variables['preflight_password'] not in run.stdout + run.stderr
    return run


def failed(run, *expected):
    """The result of a run that failed on exactly the ``expected`` checks (name@target), in the module's order."""
    assert run.rc != 0, run.stdout + run.stderr
    assert run.result['failed_checks'] == list(expected), run.result['msg']
    return run.result


def on_each(names, ips):
    return ['%s@%s' % (name, ip) for name in names for ip in ips]


def check(result, name, target):
    return next(item for item in result['checks'] if item['name'] == name and item['target'] == target)


def nas_config(lab, n, **changes):
    """Change stand-in ``n``'s network configuration through its middleware; returns what it was."""
    before = lab.midclt(n, 'network.configuration.config')
    lab.midclt(n, 'network.configuration.update', changes)
    return dict((key, before[key]) for key in changes)


@contextlib.contextmanager
def changed_nas_config(lab, n, **changes):
    before = nas_config(lab, n, **changes)
    try:
        yield
    finally:
        nas_config(lab, n, **before)


@pytest.mark.parametrize('host, where, transport', [('nas1-api', 'controller', 'websocket'), ('nas2-ssh', 'nas', 'local_socket')])
def test_healthy_stand_in_passes_every_check(lab, lab_ansible, tmp_path, host, where, transport):
    run = preflight(lab_ansible, host, tmp_path)
    assert run.rc == 0, run.stdout + run.stderr
    result = run.result
    assert result['changed'] is False and result['failed_checks'] == []
    assert {item['status'] for item in result['checks']} == {'pass'}, result['msg']
    assert result['nas']['probes_ran_on'] == where and result['connection']['transport'] == transport
    assert result['summary'] == {'pass': 44, 'info': 0, 'warn': 0, 'fail': 0, 'skip': 0, 'total': 44}
    credentials = check(result, 'credentials', lab['dc_ips'][0])
    assert credentials['value']['attempts'] == 1 and credentials['value']['user'] == lab['join_user']['upn']
    assert lab['join_user']['password'] not in run.stdout


FLEET_TASK = '''    - name: fleet probes
      nasjoin.entra.entra_connectivity:
        domain: "{{ entra_domain }}"
        dc_ips: "{{ entra_dc_ips }}"
        secure_ldap: true
        ldaps_ca_path: "{{ entra_ca_path }}"
        probe_timeout: 1
        username: "{{ entra_join_user }}"
        probes_only: true
      delegate_to: localhost
      run_once: true
      register: fleet
''' + TASK + '''        fleet_probes: "{{ fleet.fleet_probes }}"
'''


def test_shared_dc_probes_decide_the_same_checks_from_the_controller(lab, lab_ansible, tmp_path):
    own = preflight(lab_ansible, 'nas1-api', tmp_path).result
    run = lab_ansible.playbook(FLEET_TASK + API_DEFAULTS, *lab_ansible.secrets, hosts='nas1-api')
    assert run.rc == 0, run.stdout + run.stderr
    fleet, result = run.results[0][2], run.result
    assert 'connection' not in fleet or not fleet['connection']
    assert result['dc_probes']['shared'] is True and result['dc_probes']['run'] == fleet['fleet_probes']['run']
    assert all(probe.split('@')[0] in ('resolver', 'credentials') for probe in result['dc_probes']['own_probes'])
    assert [(item['name'], item['target'], item['status']) for item in result['checks']] == [
        (item['name'], item['target'], item['status']) for item in own['checks']]
    assert result['summary'] == own['summary'] == {'pass': 44, 'info': 0, 'warn': 0, 'fail': 0, 'skip': 0, 'total': 44}
    assert lab['join_user']['password'] not in run.stdout + run.stderr


def test_non_dc_nameserver(lab, lab_ansible, tmp_path):
    dc1, dummy = lab['dc_ips']
    stranger = lab['network']['host_ip']          # the lab host: on the bridge, no DNS server
    with changed_nas_config(lab, 2, nameserver1=dc1, nameserver2=stranger, nameserver3=''):
        result = failed(preflight(lab_ansible, 'nas2-ssh', tmp_path), 'resolver@%s' % stranger)
    found = check(result, 'resolver', stranger)
    assert 'not a domain controller' in found['detail'] and 'TrueNAS refuses to join' in found['detail']
    assert 'entra_dns_config' in found['hint'] and found['hint'] in result['msg']
    assert check(result, 'resolver', dc1)['status'] == 'pass'
    assert result['nas']['nameservers'] == [dc1, stranger]


def dc_checks(result, ip):
    return dict((item['name'], item['status']) for item in result['checks'] if item['target'] == ip)


def test_dc_down_fails_its_checks_while_the_other_dc_passes(lab, lab_ansible, tmp_path):
    dc1, dc2 = lab['dc_ips']
    try:
        lab.labctl('stop-dc', '2')
        run = preflight(lab_ansible, 'nas1-api', tmp_path)
    finally:
        lab.labctl('up')
    assert run.rc != 0
    result = run.result
    assert set(dc_checks(result, dc1).values()) == {'pass'}
    down = dc_checks(result, dc2)
    assert all(down[name] == 'fail' for name in ('resolver', 'dns_a', 'tcp_88', 'tcp_389', 'udp_88', 'ldap_rootdse'))
    assert down['kerberos_aes'] == down['ldap_signing'] == down['clock_skew'] == 'skip'
    assert result['failed_checks'][0] == 'resolver@%s' % dc2
    assert check(result, 'resolver', dc2)['hint'].startswith('open UDP and TCP 53 (DNS)')
    assert check(result, 'credentials', dc1)['status'] == 'pass'


def test_port_88_blocked_on_one_dc(lab, lab_ansible, tmp_path):
    dc1, dc2 = lab['dc_ips']
    try:
        lab.labctl('block-port', '2', '88')
        run = preflight(lab_ansible, 'nas2-ssh', tmp_path)
    finally:
        lab.labctl('unblock-port', '2', '88')
    result = failed(run, 'tcp_88@%s' % dc2)
    blocked = check(result, 'tcp_88', dc2)
    assert 'no answer within 1.0 s' in blocked['detail'] and blocked['hint'].startswith('open TCP 88 (Kerberos)')
    assert check(result, 'udp_88', dc2)['status'] == 'warn'
    assert check(result, 'kerberos_aes', dc2)['status'] == 'skip' and check(result, 'kerberos_aes', dc1)['status'] == 'pass'
    assert check(result, 'credentials', dc1)['status'] == 'pass'


HARDENING = ('ldap_signing', 'ldaps_tls_version', 'kerberos_rc4')


def alt_preflight(alt_lab, tmp_path, host):
    """The alt lab's stand-in (TrueNAS 25.04) has no nameservers configured: give them."""
    return preflight(lab_runner(alt_lab, tmp_path), host, tmp_path, preflight_nameservers=alt_lab['dc_ips'])


def test_hardening_off(alt_lab, tmp_path):
    """The alt lab runs with LDAP signing off, TLS 1.0/1.1 allowed and RC4 allowed."""
    result = failed(alt_preflight(alt_lab, tmp_path, 'nas1-api'), *on_each(HARDENING, alt_lab['dc_ips']))
    dc1 = alt_lab['dc_ips'][0]
    assert 'LDAP signing is off' in check(result, 'ldap_signing', dc1)['detail']
    assert 'turn on LDAP signing' in check(result, 'ldap_signing', dc1)['hint']
    assert check(result, 'ldaps_tls_version', dc1)['value'] in ('TLSv1', 'TLSv1.1')
    assert 'TLS 1.2 only' in check(result, 'ldaps_tls_version', dc1)['hint']
    assert check(result, 'kerberos_rc4', dc1)['value'] == 'rc4-hmac'
    assert 'Kerberos RC4 encryption' in check(result, 'kerberos_rc4', dc1)['hint']
    assert result['summary']['warn'] == 0


@pytest.mark.parametrize('host', ['nas1-api', 'nas1-ssh'])
def test_nas_clock_skewed(alt_lab, tmp_path, host):
    """The NAS's clock is the middleware's, faked in the emulator (not the host's), whether the module runs on the NAS
    or on the controller. (In the alt lab, whose emulator each test session starts afresh.)"""
    with Control(os.path.join(alt_lab['nas'][0]['dir'], 'control.sock')) as control:
        try:
            control.set_fault('clock_offset', seconds=-600)
            run = alt_preflight(alt_lab, tmp_path, host)
        finally:
            control.clear_faults('clock_offset')
    result = failed(run, *on_each(('clock_skew',) + HARDENING, alt_lab['dc_ips']))
    skew = check(result, 'clock_skew', alt_lab['dc_ips'][0])
    assert 599 <= skew['value'] <= 601 and 'behind' in skew['detail'] and 'NTP' in skew['hint']


def bad_password_counts(lab, sam):
    """badPwdCount of ``sam`` on each DC (each DC keeps its own), read as the join user over LDAPS."""
    counts = {}
    for ip in lab['dc_ips']:
        conn = ldap_bind(ip, lab['ca_file'], lab['join_user']['upn'], lab['join_user']['password'])
        assert conn.bind(), conn.result
        conn.search(lab['base_dn'], '(sAMAccountName=%s)' % sam, attributes=['badPwdCount'])
        counts[ip] = int((conn.response[0]['raw_attributes'].get('badPwdCount') or [b'0'])[0])
        conn.unbind()
    return counts


def test_wrong_password_is_one_attempt(lab, lab_ansible, tmp_path):
    """A dedicated user (never the join user): the DC counts exactly one bad password."""
    user = lab.user('plain2')
    try:
        lab.labctl('count-bad-passwords', user['sam'], 'on')
        before = bad_password_counts(lab, user['sam'])
        wrong = 'Wrong-%s' % os.urandom(6).hex()
        run = preflight(lab_ansible, 'nas1-api', tmp_path, preflight_user=user['upn'], preflight_password=wrong)
        after = bad_password_counts(lab, user['sam'])
    finally:
        lab.labctl('count-bad-passwords', user['sam'], 'off')
    result = failed(run, 'credentials@%s' % lab['dc_ips'][0])
    found = check(result, 'credentials', lab['dc_ips'][0])
    assert found['value']['cause'] == 'wrong_password' and found['value']['attempts'] == 1
    assert 'KDC_ERR_PREAUTH_FAILED' in found['detail'] and 'repeated failures lock' in found['hint']
    assert after[lab['dc_ips'][0]] - before[lab['dc_ips'][0]] == 1
    assert sum(after.values()) - sum(before.values()) == 1


def test_sixteen_character_hostname(lab, lab_ansible, tmp_path):
    name = 'nasjoin-preflig1'
    with changed_nas_config(lab, 1, hostname=name):
        result = failed(preflight(lab_ansible, 'nas1-api', tmp_path), 'hostname@%s' % name)
    found = check(result, 'hostname', name)
    assert '16 characters' in found['detail'] and '15 characters or fewer' in found['hint']
