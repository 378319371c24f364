# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Microsoft.AAD/domainServices resource: its path, what the modules return, and the
security settings (desired vs actual, the PATCH body, the side effects of a change).

PRIVATE to the collection. Pure functions, no I/O. Property names follow the ARM spec
(specification/domainservices/resource-manager/Microsoft.AAD/stable/2022-12-01/domainservices.json).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible.module_utils.six.moves.urllib.parse import quote

DEFAULT_API_VERSION = '2022-12-01'
VALUES = ('Enabled', 'Disabled')
# module key -> domainSecuritySettings key
SETTINGS = {
    'ntlm_v1': 'ntlmV1',
    'tls_v1': 'tlsV1',
    'sync_ntlm_passwords': 'syncNtlmPasswords',
    'sync_kerberos_passwords': 'syncKerberosPasswords',
    'sync_on_prem_passwords': 'syncOnPremPasswords',
    'kerberos_rc4_encryption': 'kerberosRc4Encryption',
    'kerberos_armoring': 'kerberosArmoring',
    'ldap_signing': 'ldapSigning',
    'channel_binding': 'channelBinding',
}
# The Security Settings table of the TrueNAS guide for Entra Domain Services (TLS 1.2 only on,
# NTLM v1 on, password sync from on-premises on, NTLM password sync on, Kerberos RC4 off,
# Kerberos armoring on, LDAP signing on, LDAP channel binding on). tlsV1=Disabled is TLS 1.2 only.
TRUENAS_GUIDE = {
    'tls_v1': 'Disabled',
    'ntlm_v1': 'Enabled',
    'sync_on_prem_passwords': 'Enabled',
    'sync_ntlm_passwords': 'Enabled',
    'kerberos_rc4_encryption': 'Disabled',
    'kerberos_armoring': 'Enabled',
    'ldap_signing': 'Enabled',
    'channel_binding': 'Enabled',
}
# (module key, new value) -> what the change does besides the obvious
SIDE_EFFECTS = {
    ('sync_ntlm_passwords', 'Disabled'):
        'sync_ntlm_passwords=Disabled: the managed domain drops NT hashes, so LDAP simple binds and NTLM authentication '
        '(SMB by IP address or from non-joined clients) fail for every user; run a full password hash sync afterwards.',
    ('sync_kerberos_passwords', 'Disabled'):
        'sync_kerberos_passwords=Disabled: Kerberos keys stop syncing, so Kerberos sign-ins and domain joins fail.',
    ('kerberos_rc4_encryption', 'Disabled'):
        'kerberos_rc4_encryption=Disabled: every client, keytab and account needs AES Kerberos keys; RC4-only clients '
        'fail with "KDC has no support for encryption type" (users without AES keys must change their password).',
    ('ldap_signing', 'Enabled'):
        'ldap_signing=Enabled: simple binds and unsigned SASL binds on port 389 are refused (strongerAuthRequired); '
        'winbind (TrueNAS) signs and seals and is not affected.',
    ('channel_binding', 'Enabled'):
        'channel_binding=Enabled: NTLM or Kerberos binds over LDAPS without a channel binding token are refused.',
    ('kerberos_armoring', 'Enabled'):
        'kerberos_armoring=Enabled: Kerberos clients must support FAST armoring if the service enforces it.',
    ('sync_on_prem_passwords', 'Disabled'):
        'sync_on_prem_passwords=Disabled: hybrid (on-premises synced) users can no longer sign in to the managed domain.',
}
_SYNCED_ON = re.compile(r'Synchronized on (.+?)\.?$')


def resource_path(subscription_id, resource_group, name):
    return '/subscriptions/%s/resourceGroups/%s/providers/Microsoft.AAD/domainServices/%s' % tuple(
        quote(part, safe='') for part in (subscription_id, resource_group, name))


def security_settings(resource):
    """Every known setting as ARM reports it; None (unknown) when ARM left the key out, never a spec default."""
    stored = (resource.get('properties') or {}).get('domainSecuritySettings') or {}
    return dict((key, stored.get(arm)) for key, arm in SETTINGS.items())


def desired_settings(settings):
    """The managed settings: ``settings`` without unset keys, or the TrueNAS guide table when none is given."""
    if settings is None:
        return dict(TRUENAS_GUIDE)
    return dict((key, value) for key, value in settings.items() if value is not None)


def changes(actual, desired):
    """Keys whose desired value differs from the actual one (unknown counts as different)."""
    return dict((key, value) for key, value in desired.items() if actual.get(key) != value)


def patch_body(changed):
    return {'properties': {'domainSecuritySettings': dict((SETTINGS[key], value) for key, value in changed.items())}}


def refuse_tls_downgrade(actual, changed):
    """ValueError before anything is sent when the change would turn TLS 1.2 only mode off."""
    if changed.get('tls_v1') == 'Enabled' and actual.get('tls_v1') == 'Disabled':
        raise ValueError('tls_v1=Enabled would turn TLS 1.2 only mode off; Microsoft removed that option (TLS 1.0/1.1 '
                         'come back only through a support request). Set tls_v1 to Disabled or leave it out; nothing '
                         'was changed.')


def side_effects(changed):
    return [SIDE_EFFECTS[item] for item in sorted(changed.items()) if item in SIDE_EFFECTS]


def _enabled(value):
    return None if value is None else value == 'Enabled'


def ldaps(resource, now):
    """Secure LDAP: enabled, external access, certificate thumbprint and expiry (days left)."""
    stored = (resource.get('properties') or {}).get('ldapsSettings') or {}
    not_after = stored.get('certificateNotAfter')
    days = None
    if not_after:
        try:
            expiry = datetime.datetime.fromisoformat(not_after.replace('Z', '+00:00'))
            if expiry.tzinfo is None:
                expiry = expiry.replace(tzinfo=datetime.timezone.utc)
            days = (expiry - now).days
        except ValueError:
            days = None
    return {'enabled': _enabled(stored.get('ldaps')), 'external_access': _enabled(stored.get('externalAccess')),
            'certificate_thumbprint': stored.get('certificateThumbprint'), 'certificate_not_after': not_after,
            'certificate_expires_in_days': days}


def _alert(alert, location):
    return {'id': alert.get('id'), 'name': alert.get('name'), 'issue': alert.get('issue'),
            'severity': alert.get('severity'), 'raised': alert.get('raised'), 'last_detected': alert.get('lastDetected'),
            'resolution_uri': alert.get('resolutionUri'), 'replica_set_location': location}


def replica_sets(resource):
    result = []
    for replica in (resource.get('properties') or {}).get('replicaSets') or []:
        location = replica.get('location')
        result.append({
            'replica_set_id': replica.get('replicaSetId'), 'location': location, 'subnet_id': replica.get('subnetId'),
            'dc_ips': list(replica.get('domainControllerIpAddress') or []),
            'external_access_ip': replica.get('externalAccessIpAddress'),
            'service_status': replica.get('serviceStatus'), 'health_last_evaluated': replica.get('healthLastEvaluated'),
            'health_monitors': [{'id': item.get('id'), 'name': item.get('name'), 'details': item.get('details')}
                                for item in replica.get('healthMonitors') or []],
            'health_alerts': [_alert(item, location) for item in replica.get('healthAlerts') or []],
        })
    return result


def last_sync(replicas):
    """``(iso_time_or_None, details_text_or_None)`` from monitor AADDS500 ("Synchronized on <RFC 1123 date>")."""
    for replica in replicas:
        for monitor in replica['health_monitors']:
            if monitor['id'] == 'AADDS500' and monitor['details']:
                match = _SYNCED_ON.search(monitor['details'].strip())
                if match:
                    try:
                        when = datetime.datetime.strptime(match.group(1), '%a, %d %b %Y %H:%M:%S GMT')
                        return when.replace(tzinfo=datetime.timezone.utc).isoformat(), monitor['details']
                    except ValueError:
                        pass
                return None, monitor['details']
    return None, None


def info(resource, now):
    """The module result for one domainServices resource."""
    props = resource.get('properties') or {}
    replicas = replica_sets(resource)
    settings = security_settings(resource)
    synced, synced_text = last_sync(replicas)
    alerts = [alert for replica in replicas for alert in replica['health_alerts']]
    return {
        'id': resource.get('id'), 'name': resource.get('name'), 'location': resource.get('location'),
        'domain_name': props.get('domainName'), 'sku': props.get('sku'),
        'provisioning_state': props.get('provisioningState'), 'sync_scope': props.get('syncScope'),
        'filtered_sync': props.get('filteredSync'), 'domain_configuration_type': props.get('domainConfigurationType'),
        'replica_sets': replicas,
        'dc_ips': [address for replica in replicas for address in replica['dc_ips']],
        'security_settings': settings,
        'security_settings_unknown': sorted(key for key, value in settings.items() if value is None),
        'ldaps': ldaps(resource, now),
        'health_alerts': alerts,
        'healthy': bool(replicas) and not alerts and all(replica['service_status'] == 'Running' for replica in replicas),
        'last_sync': synced, 'last_sync_details': synced_text,
    }


def health_warnings(result, expiry_days=30):
    """Warnings a person should see about the domain's state (alerts, stopped replica sets, expiring LDAPS)."""
    warnings = ['%s %s (%s, replica set %s): %s%s' % (
        alert['id'], alert['name'], alert['severity'], alert['replica_set_location'], alert['issue'],
        ' See %s' % alert['resolution_uri'] if alert['resolution_uri'] else '') for alert in result['health_alerts']]
    warnings += ['replica set %s reports service status %s, not Running.' % (replica['location'], replica['service_status'])
                 for replica in result['replica_sets'] if replica['service_status'] != 'Running']
    days = result['ldaps']['certificate_expires_in_days']
    if result['ldaps']['enabled'] and days is not None and days < expiry_days:
        warnings.append('the secure LDAP certificate %s on %s; LDAPS breaks then. Upload a new wildcard certificate.'
                        % ('expired' if days < 0 else 'expires in %d days' % days, result['ldaps']['certificate_not_after']))
    return warnings
