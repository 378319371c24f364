"""Mapping of the Microsoft.AAD/domainServices resource and the security settings decisions (pure functions)."""

import datetime

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import domain_service as ds

from tests.azure.arm_server import domain_service

NOW = datetime.datetime(2026, 11, 22, tzinfo=datetime.timezone.utc)
ALERT = {'id': 'AADDS104', 'name': 'Network Error', 'issue': 'Microsoft is unable to reach the domain controllers.',
         'severity': 'High', 'raised': '2026-11-20T10:00:00Z', 'lastDetected': '2026-11-21T10:00:00Z',
         'resolutionUri': 'https://aka.ms/aadds-neterr'}


def resource(**kwargs):
    return domain_service('sub', 'rg', 'aadds.test', 'aadds.test', ['203.0.113.4', '203.0.113.5'], **kwargs)


def test_info_maps_domain_dcs_and_health():
    result = ds.info(resource(replica_sets=[('West US', ['203.0.113.4', '203.0.113.5'], 'Running'),
                                            ('East US', ['203.0.113.36', '203.0.113.37'], 'Running')]), NOW)
    assert result['domain_name'] == 'aadds.test' and result['sync_scope'] == 'All'
    assert [(rs['location'], rs['dc_ips']) for rs in result['replica_sets']] == [
        ('West US', ['203.0.113.4', '203.0.113.5']), ('East US', ['203.0.113.36', '203.0.113.37'])]
    assert result['dc_ips'] == ['203.0.113.4', '203.0.113.5', '203.0.113.36', '203.0.113.37']
    assert result['healthy'] is True and result['health_alerts'] == []
    assert result['last_sync'] == '2019-06-04T18:09:15+00:00'
    assert result['last_sync_details'] == 'Synchronized on Tue, 04 Jun 2019 18:09:15 GMT.'
    assert ds.health_warnings(result) == []


def test_missing_security_keys_are_unknown_not_spec_defaults():
    result = ds.info(resource(security={'ntlmV1': 'Enabled', 'tlsV1': 'Disabled'}), NOW)
    assert result['security_settings']['ntlm_v1'] == 'Enabled'
    assert result['security_settings']['tls_v1'] == 'Disabled'
    # the spec default of syncNtlmPasswords is Enabled, of ldapSigning Disabled: neither may be filled in
    assert result['security_settings']['sync_ntlm_passwords'] is None
    assert result['security_settings']['ldap_signing'] is None
    assert result['security_settings_unknown'] == sorted(set(ds.SETTINGS) - {'ntlm_v1', 'tls_v1'})


def test_alerts_stopped_replica_and_expiring_ldaps_warn():
    ldaps = {'ldaps': 'Enabled', 'externalAccess': 'Disabled', 'certificateThumbprint': 'AB' * 20,
             'certificateNotAfter': '2026-12-02T00:00:00Z'}
    result = ds.info(resource(alerts=[ALERT], ldaps=ldaps,
                              replica_sets=[('West US', ['203.0.113.4'], 'Running'), ('East US', [], 'Stopped')]), NOW)
    assert result['healthy'] is False
    assert result['health_alerts'][0]['id'] == 'AADDS104' and result['health_alerts'][0]['replica_set_location'] == 'West US'
    assert result['ldaps'] == {'enabled': True, 'external_access': False, 'certificate_thumbprint': 'AB' * 20,
                               'certificate_not_after': '2026-12-02T00:00:00Z', 'certificate_expires_in_days': 10}
    warnings = ds.health_warnings(result)
    assert warnings[0].startswith('AADDS104 Network Error (High, replica set West US)')
    assert 'https://aka.ms/aadds-neterr' in warnings[0]
    assert 'replica set East US reports service status Stopped, not Running.' in warnings
    assert 'expires in 10 days' in warnings[-1]
    assert len(ds.health_warnings(result, expiry_days=5)) == 2


def test_unreadable_sync_text_and_no_replica_sets():
    bare = {'name': 'x', 'properties': {'domainName': 'aadds.test'}}
    result = ds.info(bare, NOW)
    assert result['dc_ips'] == [] and result['healthy'] is False and result['last_sync'] is None
    assert result['ldaps']['enabled'] is None
    odd = resource()
    odd['properties']['replicaSets'][0]['healthMonitors'][1]['details'] = 'Synchronization pending'
    assert ds.last_sync(ds.replica_sets(odd)) == (None, 'Synchronization pending')


def test_desired_defaults_to_the_truenas_guide_table():
    assert ds.desired_settings(None) == ds.TRUENAS_GUIDE
    assert ds.TRUENAS_GUIDE['tls_v1'] == 'Disabled'  # TLS 1.2 only on
    assert ds.TRUENAS_GUIDE['kerberos_rc4_encryption'] == 'Disabled'
    assert 'sync_kerberos_passwords' not in ds.TRUENAS_GUIDE
    given = dict.fromkeys(ds.SETTINGS)
    given['ldap_signing'] = 'Enabled'
    assert ds.desired_settings(given) == {'ldap_signing': 'Enabled'}


def test_changes_count_unknown_as_different_and_patch_only_those():
    actual = {'tls_v1': 'Disabled', 'ntlm_v1': 'Enabled', 'ldap_signing': None, 'channel_binding': 'Disabled'}
    changed = ds.changes(actual, {'tls_v1': 'Disabled', 'ldap_signing': 'Enabled', 'channel_binding': 'Enabled'})
    assert changed == {'ldap_signing': 'Enabled', 'channel_binding': 'Enabled'}
    expected = {'ldapSigning': 'Enabled', 'channelBinding': 'Enabled'}
    assert ds.patch_body(changed) == {'properties': {'domainSecuritySettings': expected}}
    assert ds.changes(actual, {'tls_v1': 'Disabled'}) == {}


def test_tls_downgrade_is_refused_only_when_it_would_happen():
    with pytest.raises(ValueError, match='turn TLS 1.2 only mode off'):
        ds.refuse_tls_downgrade({'tls_v1': 'Disabled'}, {'tls_v1': 'Enabled'})
    ds.refuse_tls_downgrade({'tls_v1': 'Enabled'}, {'tls_v1': 'Enabled'})
    ds.refuse_tls_downgrade({'tls_v1': None}, {'tls_v1': 'Enabled'})
    ds.refuse_tls_downgrade({'tls_v1': 'Enabled'}, {'tls_v1': 'Disabled'})


def test_side_effects_name_the_breaking_changes():
    warnings = ds.side_effects({'sync_ntlm_passwords': 'Disabled', 'kerberos_rc4_encryption': 'Disabled',
                                'ntlm_v1': 'Enabled', 'sync_ntlm_passwords_x': 'Enabled'})
    assert len(warnings) == 2
    assert 'AES' in warnings[0] and 'NTLM authentication' in warnings[1]
    assert ds.side_effects({'sync_ntlm_passwords': 'Enabled'}) == []


def test_resource_path_quotes_each_part():
    assert ds.resource_path('sub', 'rg 1', 'aadds.test') == \
        '/subscriptions/sub/resourceGroups/rg%201/providers/Microsoft.AAD/domainServices/aadds.test'
