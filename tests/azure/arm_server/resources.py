"""A Microsoft.AAD/domainServices resource shaped like the 2022-12-01 GetDomainService example."""

import uuid

PROVIDER = 'Microsoft.AAD/domainServices'
SECURITY_KEYS = ('ntlmV1', 'tlsV1', 'syncNtlmPasswords', 'syncKerberosPasswords', 'syncOnPremPasswords',
                 'kerberosRc4Encryption', 'kerberosArmoring', 'ldapSigning', 'channelBinding')
# The service's behaviour today (TLS 1.2 only), not the spec defaults; GET replies carry only some keys.
DEFAULT_SECURITY = {'ntlmV1': 'Enabled', 'tlsV1': 'Disabled', 'syncNtlmPasswords': 'Enabled'}


def domain_service(subscription, resource_group, name, domain, dc_ips, location='westus', security=None,
                   alerts=(), synced='Tue, 04 Jun 2019 18:09:15 GMT', replica_sets=None, ldaps=None):
    """The resource as ARM returns it; ``replica_sets`` is a list of (location, dc_ips, service_status)."""
    scope = '/subscriptions/%s/resourceGroups/%s/providers/%s/%s' % (subscription, resource_group, PROVIDER, name)
    vnet = '/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/virtualNetworks/aadds-vnet/subnets/aadds' % (
        subscription, resource_group)
    sets = replica_sets or [(location, dc_ips, 'Running')]
    return {
        'id': scope, 'name': name, 'type': PROVIDER, 'location': location, 'etag': 'W/"%s"' % uuid.uuid4(),
        'properties': {
            'version': 2, 'tenantId': str(uuid.uuid4()), 'domainName': domain, 'deploymentId': str(uuid.uuid4()),
            'syncOwner': str(uuid.uuid4()), 'sku': 'Enterprise', 'filteredSync': 'Disabled', 'syncScope': 'All',
            'domainConfigurationType': 'FullySynced', 'provisioningState': 'Succeeded',
            'domainSecuritySettings': dict(DEFAULT_SECURITY if security is None else security),
            'ldapsSettings': dict(ldaps or {'ldaps': 'Disabled', 'externalAccess': 'Disabled'}),
            'notificationSettings': {'notifyGlobalAdmins': 'Enabled', 'notifyDcAdmins': 'Enabled',
                                     'additionalRecipients': []},
            'replicaSets': [{
                'replicaSetId': str(uuid.uuid4()), 'location': where, 'vnetSiteId': str(uuid.uuid4()),
                'subnetId': vnet, 'domainControllerIpAddress': list(ips), 'externalAccessIpAddress': '',
                'serviceStatus': status, 'healthLastEvaluated': synced,
                'healthMonitors': [
                    {'id': 'AADDS501', 'name': 'Backup', 'details': 'Last backed up on %s' % synced},
                    {'id': 'AADDS500', 'name': 'Synchronization with Azure AD', 'details': 'Synchronized on %s.' % synced},
                ],
                'healthAlerts': [dict(alert) for alert in alerts] if index == 0 else [],
            } for index, (where, ips, status) in enumerate(sets)],
        },
    }
