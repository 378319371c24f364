"""entra_ds_info, entra_ds_security and the entra_discover role through ansible-playbook and ad-hoc ansible,
against the ARM test server (tests/azure/arm_server) on loopback over HTTPS with a CA file.

Credentials come the way azure.azcollection users have them: AZURE_* environment variables (secret or
certificate). The client secret and every issued access token are canaries: they must never show up in
the output, even at -vvvv.
"""

import json

import pytest

from tests.azure.fixtures import (  # noqa: F401  pylint: disable=unused-import
    CERT_APP, DC_IPS, DOMAIN, NOBODY, READER, RESOURCE_GROUP, SECRET, arm, azure_env, azure_tls, sp_certificate)
from truenas_emulator import Emulator

from .conftest import API_KEY, API_USER, COLLECTION

# pylint: disable=redefined-outer-name
INFO = 'nasjoin.entra.entra_ds_info'
SECURITY_TASK = '''    - name: security settings
      nasjoin.entra.entra_ds_security:
        resource_group: %s
        name: %s
%s      delegate_to: localhost
''' % (RESOURCE_GROUP, DOMAIN, '%s')
COORDINATES = 'resource_group=%s name=%s' % (RESOURCE_GROUP, DOMAIN)
GUIDE_CHANGES = ['channel_binding', 'kerberos_armoring', 'kerberos_rc4_encryption', 'ldap_signing', 'sync_on_prem_passwords']


def assert_no_secrets(arm, *runs):
    text = ''.join(run.stdout + run.stderr for run in runs)
    assert SECRET not in text
    assert not [token for token in arm.tokens.issued if token.split('.')[-1] in text]


def test_info_reads_the_domain_with_environment_credentials(ansible, arm, azure_tls):
    run = ansible.adhoc(INFO, COORDINATES, '-vvvv', env=azure_env(arm, azure_tls))
    assert run.rc == 0 and run.results[0][1] == 'SUCCESS', run.stdout + run.stderr
    result = run.result
    assert result['domain_name'] == DOMAIN and result['dc_ips'] == DC_IPS
    assert result['replica_sets'][0]['dc_ips'] == DC_IPS and result['replica_sets'][0]['service_status'] == 'Running'
    assert result['security_settings']['tls_v1'] == 'Disabled'
    assert result['security_settings']['ldap_signing'] is None and 'ldap_signing' in result['security_settings_unknown']
    assert result['last_sync'] == '2019-06-04T18:09:15+00:00' and result['healthy'] is True
    assert result['connection']['auth'] == 'secret' and result['connection']['api_version'] == '2022-12-01'
    assert arm.requests() == [('GET', '/subscriptions/%s/resourceGroups/%s/providers/Microsoft.AAD/domainServices/%s'
                               % (result['connection']['resource_id'].split('/')[2], RESOURCE_GROUP, DOMAIN), '2022-12-01')]
    assert_no_secrets(arm, run)


def test_info_with_a_certificate_and_a_configured_api_version(ansible, arm, azure_tls, sp_certificate):
    env = dict(azure_env(arm, azure_tls, CERT_APP), AZURE_X509_CERTIFICATE_PATH=sp_certificate['path'])
    del env['AZURE_SECRET']
    run = ansible.adhoc(INFO, COORDINATES + ' api_version=2021-05-01', env=env)
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result['connection']['auth'] == 'certificate' and run.result['connection']['api_version'] == '2021-05-01'
    assert arm.requests()[0][2] == '2021-05-01'


def test_health_alerts_are_warnings(ansible, azure_tls, sp_certificate):
    from tests.azure.fixtures import start_arm
    alert = {'id': 'AADDS001', 'name': 'Secure LDAP over the internet', 'issue': 'The NSG blocks management traffic.',
             'severity': 'High', 'raised': '2026-11-20T10:00:00Z', 'lastDetected': '2026-11-21T10:00:00Z',
             'resolutionUri': 'https://aka.ms/aadds-nsg'}
    server = start_arm(azure_tls, sp_certificate, alerts=[alert])
    try:
        run = ansible.adhoc(INFO, COORDINATES, env=azure_env(server, azure_tls))
    finally:
        server.stop()
    assert run.rc == 0 and run.result['healthy'] is False
    assert run.result['health_alerts'][0]['id'] == 'AADDS001'
    assert '[WARNING]: AADDS001 Secure LDAP over the internet (High' in run.stderr


def test_security_check_diff_then_apply_then_converged(ansible, arm, azure_tls):
    env = azure_env(arm, azure_tls)
    arm.lro_polls = 2
    task = SECURITY_TASK % ''
    check = ansible.playbook(task, '--check', '--diff', env=env)
    assert check.rc == 0 and check.changed == 1, check.stdout + check.stderr
    assert check.result['changed_settings'] == GUIDE_CHANGES
    assert '-    "ldap_signing": null,' in check.stdout and '+    "ldap_signing": "Enabled",' in check.stdout
    assert 'kerberos_rc4_encryption=Disabled: every client' in check.stderr
    assert arm.patches == [] and arm.requests('PATCH') == []

    first = ansible.playbook(task, '--diff', '-vvvv', env=env)
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    assert arm.patches == [{'properties': {'domainSecuritySettings': {
        'syncOnPremPasswords': 'Enabled', 'kerberosRc4Encryption': 'Disabled', 'kerberosArmoring': 'Enabled',
        'ldapSigning': 'Enabled', 'channelBinding': 'Enabled'}}}]
    assert first.result['connection']['polls'] == 3
    assert all(first.result['settings'][key] == value for key, value in first.result['desired'].items())
    stored = arm.resource(RESOURCE_GROUP, DOMAIN)['properties']['domainSecuritySettings']
    assert stored['ldapSigning'] == 'Enabled' and stored['tlsV1'] == 'Disabled'

    for args in ((), ('--check', '--diff')):
        again = ansible.playbook(task, *args, env=env)
        assert again.rc == 0 and again.changed == 0, again.stdout + again.stderr
        assert again.result['changed_settings'] == []
    assert len(arm.patches) == 1
    assert_no_secrets(arm, check, first, again)


def test_security_manages_only_the_given_keys(ansible, arm, azure_tls):
    task = SECURITY_TASK % '        settings:\n          sync_ntlm_passwords: Disabled\n'
    run = ansible.playbook(task, env=azure_env(arm, azure_tls))
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert arm.patches == [{'properties': {'domainSecuritySettings': {'syncNtlmPasswords': 'Disabled'}}}]
    assert 'sync_ntlm_passwords=Disabled: the managed domain drops NT hashes' in run.stderr


def test_turning_tls_1_2_only_off_is_refused_before_sending(ansible, arm, azure_tls):
    run = ansible.playbook(SECURITY_TASK % '        settings:\n          tls_v1: Enabled\n', env=azure_env(arm, azure_tls))
    assert run.rc != 0
    assert 'tls_v1=Enabled would turn TLS 1.2 only mode off' in run.result['msg']
    assert arm.requests('PATCH') == []


@pytest.mark.parametrize('client_id, extra, status, text', [
    (CERT_APP, {'AZURE_SECRET': 'not-the-' + SECRET}, 401, 'HTTP 401 [invalid_client]: AADSTS7000215: Invalid client secret'),
    (NOBODY, {}, 403, "HTTP 403 [AuthorizationFailed]: The client '%s'" % NOBODY),
    (READER, {}, 404, "HTTP 404 [ResourceNotFound]: The Resource 'Microsoft.AAD/domainServices/missing.test'"),
])
def test_401_403_404_fail_with_clear_messages(ansible, arm, azure_tls, client_id, extra, status, text):
    coordinates = COORDINATES.replace(DOMAIN, 'missing.test') if status == 404 else COORDINATES
    run = ansible.adhoc(INFO, coordinates, '-vvvv', env=dict(azure_env(arm, azure_tls, client_id), **extra))
    assert run.rc != 0 and run.results[0][1] == 'FAILED!', run.stdout + run.stderr
    result = run.result
    assert text in result['msg'] and result['error']['status'] == status and 'Hint:' in result['msg']
    assert result['changed'] is False
    assert_no_secrets(arm, run)


def test_a_secret_given_as_an_option_is_masked(ansible, arm, azure_tls):
    env = azure_env(arm, azure_tls)
    del env['AZURE_SECRET']
    runs = []
    for secret in (SECRET, 'not-the-' + SECRET):
        runs.append(ansible.playbook(SECURITY_TASK % ('        secret: %s\n        settings: {ntlm_v1: Enabled}\n' % secret),
                                     '-vvvv', env=env))
    assert runs[0].rc == 0 and runs[1].rc != 0, runs[0].stdout + runs[1].stdout
    assert 'AADSTS7000215' in runs[1].result['msg']
    assert_no_secrets(arm, *runs)
    assert 'not-the-' not in runs[1].stdout + runs[1].stderr


def test_a_reader_cannot_change_settings(ansible, arm, azure_tls):
    run = ansible.playbook(SECURITY_TASK % '', env=azure_env(arm, azure_tls, READER))
    assert run.rc != 0
    assert "'Microsoft.AAD/domainServices/write'" in run.result['msg'] and 'Domain Services Contributor' in run.result['msg']
    assert arm.patches == []


def test_throttling_is_retried_within_bounds(ansible, arm, azure_tls):
    env = azure_env(arm, azure_tls)
    arm.throttle(1)
    retried = ansible.adhoc(INFO, COORDINATES, env=env)
    assert retried.rc == 0 and retried.result['connection']['retries'] == 1, retried.stdout + retried.stderr
    assert len(arm.requests('GET')) == 2
    arm.throttle(120)
    refused = ansible.adhoc(INFO, COORDINATES, env=env)
    assert refused.rc != 0
    assert 'HTTP 429 [TooManyRequests]' in refused.result['msg'] and 'retry after 120 s' in refused.result['msg']
    assert refused.result['error']['retry_after'] == 120


def test_certificate_checks_are_on_by_default(ansible, arm, azure_tls):
    env = azure_env(arm, azure_tls)
    del env['REQUESTS_CA_BUNDLE']
    run = ansible.adhoc(INFO, COORDINATES, env=env)
    assert run.rc != 0 and 'TLS certificate or handshake failed' in run.result['msg']
    assert arm.tokens.requests == 0


# The main playbook with Azure coordinates: entra_discover fills the DNS role's inputs ----------------------------

INVENTORY = '''truenas:
  hosts:
%s  vars:
    ansible_connection: local
    ansible_python_interpreter: %s
    truenas_api_username: %s
    truenas_api_key: %s
    truenas_ca_path: %s
    entra_azure_resource_group: %s
    entra_azure_domain_service_name: %s
    entra_network_verify: false
    entra_join_user: aaddsadmin@%s
localhost:
  vars:
    ansible_connection: local
    ansible_python_interpreter: %s
'''


@pytest.fixture
def two_nas(tls, tmp_path):
    emulators = []
    for number in (1, 2):
        emulator = Emulator('25.10', api_keys={API_USER: API_KEY}, hostname='nas%d' % number,
                            interfaces=[{'name': 'eth0', 'ipv4': ['198.18.84.%d/24' % (20 + number)]}])
        emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / ('mw%d.sock' % number)))
        emulators.append(emulator)
    yield emulators
    for emulator in emulators:
        emulator.stop()


def fleet_inventory(ansible, emulators, tls, **host_vars):
    import sys
    hosts = ''.join('    nas%d:\n      truenas_api_url: %s\n%s' % (
        number, emulator.url, ''.join('      %s: %s\n' % (key, json.dumps(value)) for key, value in host_vars.items()))
        for number, emulator in enumerate(emulators, 1))
    ansible.inventory = ansible.tmp_path / 'fleet.yml'
    ansible.inventory.write_text(INVENTORY % (hosts, sys.executable, API_USER, API_KEY, tls['ca'], RESOURCE_GROUP, DOMAIN,
                                              DOMAIN, sys.executable))


PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'


def test_discovery_fills_the_dns_role_for_every_host(ansible, arm, azure_tls, tls, two_nas):
    fleet_inventory(ansible, two_nas, tls)
    run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network', env=azure_env(arm, azure_tls))
    assert run.rc == 0, run.stdout + run.stderr
    for emulator in two_nas:
        config = emulator.network_config
        assert config['domain'] == DOMAIN
        assert [config['nameserver1'], config['nameserver2'], config['nameserver3']] == DC_IPS + ['']
    assert len(arm.requests()) == 1  # one read for the whole play
    assert_no_secrets(arm, run)


def test_an_ipv4_mapped_dc_address_in_the_inventory_agrees_with_azure(ansible, arm, azure_tls, tls, two_nas):
    fleet_inventory(ansible, two_nas, tls, entra_dc_ips=['::FFFF:%s' % DC_IPS[0], ' %s' % DC_IPS[1]])
    run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network', env=azure_env(arm, azure_tls))
    assert run.rc == 0, run.stdout + run.stderr
    assert all([emulator.network_config['nameserver1'], emulator.network_config['nameserver2']] == DC_IPS
               for emulator in two_nas)


def test_inventory_that_contradicts_azure_fails_the_discovery(ansible, arm, azure_tls, tls, two_nas):
    fleet_inventory(ansible, two_nas, tls, entra_dc_ips=['203.0.113.99'])
    run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network', env=azure_env(arm, azure_tls))
    assert run.rc != 0
    assert 'Azure reports domain %s with domain controllers' % DOMAIN in run.stdout
    assert "entra_dc_ips=['203.0.113.99']" in run.stdout
    assert all(emulator.network_config['domain'] != DOMAIN for emulator in two_nas)


def test_without_coordinates_or_domain_the_playbook_says_what_to_set(ansible, tls, two_nas):
    fleet_inventory(ansible, two_nas, tls)
    text = ansible.inventory.read_text().replace('    entra_azure_resource_group: %s\n' % RESOURCE_GROUP, '')
    ansible.inventory.write_text(text)
    run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network')
    assert run.rc != 0
    assert 'missing required arguments: entra_dc_ips, entra_domain' in run.stdout
    assert sum(emulator.counters()['writes'] for emulator in two_nas) == 0


def test_a_refused_discovery_stops_every_host_before_any_change(ansible, arm, azure_tls, tls, two_nas):
    fleet_inventory(ansible, two_nas, tls)
    run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network',
                               env=dict(azure_env(arm, azure_tls), AZURE_SECRET='not-the-' + SECRET))
    assert run.rc != 0
    assert all(emulator.network_config['domain'] != DOMAIN for emulator in two_nas)
    assert sum(emulator.counters()['writes'] for emulator in two_nas) == 0
    report = json.loads((ansible.tmp_path / 'entra-report' / 'fleet-report.json').read_text())
    assert report['outcomes'] == {'failed': 2}
    for record in report['records']:
        assert 'HTTP 401 [invalid_client]: AADSTS7000215' in record['first_failure']['msg']
    assert_no_secrets(arm, run)
    assert 'not-the-' not in run.stdout + run.stderr


@pytest.mark.parametrize('location, nameservers', [('East US', ['203.0.113.36', '203.0.113.37']), ('Mars', None)])
def test_discovery_takes_the_chosen_replica_set(ansible, azure_tls, sp_certificate, tls, two_nas, location, nameservers):
    from tests.azure.fixtures import start_arm
    server = start_arm(azure_tls, sp_certificate, replica_sets=[('West US', DC_IPS, 'Running'),
                                                                ('East US', ['203.0.113.36', '203.0.113.37'], 'Running')])
    fleet_inventory(ansible, two_nas, tls, entra_discover_replica_set=location)
    try:
        run = ansible.run_playbook(PLAYBOOK, '--tags', 'entra_discover,entra_network', env=azure_env(server, azure_tls))
    finally:
        server.stop()
    config = two_nas[0].network_config
    if nameservers:
        assert run.rc == 0, run.stdout + run.stderr
        assert [config['nameserver1'], config['nameserver2']] == nameservers
    else:
        assert run.rc != 0 and "entra_discover_replica_set=Mars" in run.stdout
        assert "'East US': ['203.0.113.36', '203.0.113.37']" in run.stdout
        assert config['domain'] != DOMAIN
