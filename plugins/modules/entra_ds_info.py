#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: entra_ds_info
short_description: Read a Microsoft Entra Domain Services managed domain from Azure Resource Manager
version_added: 0.1.0
description:
  - Reads the C(Microsoft.AAD/domainServices) resource and returns what a NAS join needs from it, so that Azure, not
    hand-copied inventory, is the source of truth, namely the domain name, the domain controllers' IP addresses
    ("IP address on virtual network") per replica set, the security settings, secure LDAP, the sync scope, the
    replica sets' service status and health alerts (AADDS001, AADDS104, AADDS500...), and the last synchronization
    time.
  - A security setting that Azure leaves out of its reply is returned as V(null) (unknown) and listed in
    RV(security_settings_unknown); the module never fills in the API's documented default.
  - Health alerts, replica sets that are not C(Running) and a secure LDAP certificate close to expiry also show up as
    warnings.
  - Read-only. Needs an Azure role with C(Microsoft.AAD/domainServices/read) on the resource, for example Reader.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.azure
  - nasjoin.entra.azure.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: The module never changes anything.
  diff_mode:
    support: none
options:
  ldaps_expiry_warning_days:
    description:
      - Warn when the secure LDAP certificate expires in fewer days than this. From 0 to 3650.
    type: int
    default: 30
'''

EXAMPLES = r'''
- name: Read the managed domain (service principal from AZURE_* environment variables)
  nasjoin.entra.entra_ds_info:
    resource_group: rg-identity
    name: aaddscontoso.com
  delegate_to: localhost
  run_once: true
  register: entra_ds

- name: Use the domain controllers of the first replica set as the NAS's nameservers
  nasjoin.entra.entra_dns_config:
    domain: "{{ entra_ds.domain_name }}"
    nameservers: "{{ entra_ds.replica_sets[0].dc_ips }}"

- name: With a managed identity of the Azure VM that runs Ansible
  nasjoin.entra.entra_ds_info:
    auth_source: msi
    subscription_id: 00000000-0000-0000-0000-000000000000
    resource_group: rg-identity
    name: aaddscontoso.com
  delegate_to: localhost
'''

RETURN = r'''
id:
  description: ARM resource ID.
  returned: success
  type: str
name:
  description: Resource name.
  returned: success
  type: str
location:
  description: Azure region of the resource.
  returned: success
  type: str
domain_name:
  description: DNS name of the managed domain.
  returned: success
  type: str
  sample: aaddscontoso.com
sku:
  description: SKU (Standard, Enterprise, Premium).
  returned: success
  type: str
provisioning_state:
  description: ARM provisioning state.
  returned: success
  type: str
  sample: Succeeded
sync_scope:
  description: V(All) or V(CloudOnly).
  returned: success
  type: str
filtered_sync:
  description: Whether group-scoped sync is on (V(Enabled) or V(Disabled)).
  returned: success
  type: str
domain_configuration_type:
  description: Domain configuration type (for example V(FullySynced) or V(ResourceTrusting)).
  returned: success
  type: str
replica_sets:
  description: Each replica set with its domain controllers' IP addresses, service status, health monitors and alerts.
  returned: success
  type: list
  elements: dict
  sample:
    - replica_set_id: 4b1fb3a6-5e0b-4b0a-8c3c-5a0d0b3e9a11
      location: West US
      subnet_id: /subscriptions/.../virtualNetworks/aadds-vnet/subnets/aadds-subnet
      dc_ips: [10.0.1.4, 10.0.1.5]
      external_access_ip: 13.64.148.151
      service_status: Running
      health_last_evaluated: Tue, 04 Jun 2019 18:09:15 GMT
      health_monitors: [{id: AADDS500, name: Synchronization with Azure AD, details: Synchronized on Tue, 04 Jun 2019 18:09:15 GMT.}]
      health_alerts: []
dc_ips:
  description: Every domain controller IP address, replica set by replica set, in ARM's order.
  returned: success
  type: list
  elements: str
  sample: [10.0.1.4, 10.0.1.5]
security_settings:
  description:
    - The C(domainSecuritySettings) as Azure reports them, by the keys of M(nasjoin.entra.entra_ds_security)
      (V(Enabled), V(Disabled), or V(null) when Azure left the key out). C(tls_v1=Disabled) means TLS 1.2 only.
  returned: success
  type: dict
  sample:
    ntlm_v1: Enabled
    tls_v1: Disabled
    sync_ntlm_passwords: Enabled
    sync_kerberos_passwords: null
    sync_on_prem_passwords: Enabled
    kerberos_rc4_encryption: Disabled
    kerberos_armoring: Enabled
    ldap_signing: Enabled
    channel_binding: Enabled
security_settings_unknown:
  description: Settings Azure did not report.
  returned: success
  type: list
  elements: str
  sample: [sync_kerberos_passwords]
ldaps:
  description: Secure LDAP - C(enabled), C(external_access) (booleans, V(null) when not reported),
    C(certificate_thumbprint), C(certificate_not_after) and C(certificate_expires_in_days).
  returned: success
  type: dict
  sample: {enabled: true, external_access: false, certificate_thumbprint: 9154A390F0C387D679E0DD040701745CDFED67F3,
           certificate_not_after: '2027-01-20T12:00:00Z', certificate_expires_in_days: 62}
health_alerts:
  description: The health alerts of all replica sets, each with its C(replica_set_location).
  returned: success
  type: list
  elements: dict
  sample:
    - id: AADDS104
      name: Network Error
      issue: Microsoft is unable to reach the domain controllers for this managed domain.
      severity: High
      raised: '2026-11-20T10:00:00Z'
      last_detected: '2026-11-21T10:00:00Z'
      resolution_uri: https://aka.ms/aadds-neterr
      replica_set_location: West US
healthy:
  description: True when every replica set is C(Running) and there is no health alert.
  returned: success
  type: bool
last_sync:
  description: Time of the last synchronization from Entra ID (ISO 8601, from health monitor AADDS500), or V(null).
  returned: success
  type: str
  sample: '2019-06-04T18:09:15+00:00'
last_sync_details:
  description: The AADDS500 monitor text the time was read from.
  returned: success
  type: str
connection:
  description: The ARM endpoint, API version, authentication kind, resource path, and how many throttled replies were
    retried.
  returned: always
  type: dict
  sample: {endpoint: https://management.azure.com, api_version: '2022-12-01', auth: secret, retries: 0, polls: 0,
           resource_id: /subscriptions/.../resourceGroups/rg-identity/providers/Microsoft.AAD/domainServices/aaddscontoso.com}
error:
  description: HTTP status, Azure error code, hint and requested retry time of a failed request.
  returned: on failure
  type: dict
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import ds_info
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.session import run_azure_module


def main():
    run_azure_module(dict(ldaps_expiry_warning_days=dict(type='int', default=30)), ds_info.run)


if __name__ == '__main__':
    main()
