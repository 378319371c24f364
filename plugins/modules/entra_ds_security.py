#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: entra_ds_security
short_description: Set the security settings of a Microsoft Entra Domain Services managed domain
version_added: 0.1.0
description:
  - Compares the C(domainSecuritySettings) of the C(Microsoft.AAD/domainServices) resource with a desired table and
    sends one PATCH with only the settings that differ, then follows the long-running operation
    (C(Azure-AsyncOperation)) and reads the resource back.
  - Without O(settings) the desired table is the one of the TrueNAS guide for Entra Domain Services - TLS 1.2 only on
    (C(tls_v1=Disabled)), NTLM v1 on, password sync from on-premises on, NTLM password sync on, Kerberos RC4 off,
    Kerberos armoring on, LDAP signing on, LDAP channel binding on.
  - A setting Azure does not report counts as different and is sent.
  - Changes with side effects give a warning (NTLM password sync off breaks NTLM and simple binds, RC4 off needs AES
    on every client, and so on). Turning TLS 1.2 only mode off is refused before anything is sent, because Microsoft
    removed that option.
  - Needs the Domain Services Contributor role (C(Microsoft.AAD/domainServices/write)) on the resource.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.azure
  - nasjoin.entra.azure.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: Check mode reads the resource and reports what would change; nothing is sent.
  diff_mode:
    support: full
options:
  settings:
    description:
      - The desired security settings. Only the keys given are managed; unset (the default) means the TrueNAS guide's
        table described above.
      - Values are Azure's own words, V(Enabled) or V(Disabled).
    type: dict
    suboptions:
      tls_v1:
        description: TLS 1.0 and 1.1 on secure LDAP. V(Disabled) is the portal's "TLS 1.2 Only Mode" on.
        type: str
        choices: [Enabled, Disabled]
      ntlm_v1:
        description: NTLM v1 authentication.
        type: str
        choices: [Enabled, Disabled]
      sync_ntlm_passwords:
        description: NTLM password hash synchronization. V(Disabled) breaks NTLM authentication and LDAP simple binds.
        type: str
        choices: [Enabled, Disabled]
      sync_kerberos_passwords:
        description: Kerberos key synchronization (not shown in the portal).
        type: str
        choices: [Enabled, Disabled]
      sync_on_prem_passwords:
        description: Password synchronization from on-premises (hybrid users).
        type: str
        choices: [Enabled, Disabled]
      kerberos_rc4_encryption:
        description: Kerberos RC4 encryption. V(Disabled) needs AES keys on every client and account.
        type: str
        choices: [Enabled, Disabled]
      kerberos_armoring:
        description: Kerberos armoring (FAST).
        type: str
        choices: [Enabled, Disabled]
      ldap_signing:
        description: LDAP signing required on port 389.
        type: str
        choices: [Enabled, Disabled]
      channel_binding:
        description: LDAP channel binding required over LDAPS.
        type: str
        choices: [Enabled, Disabled]
  wait:
    description:
      - Wait for Azure to finish the change and read the settings back. With V(false) the task ends once Azure has
        accepted the change.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the change when O(wait=true). Azure takes about 10 minutes to apply security settings.
        From 1 to 86400.
    type: int
    default: 1800
'''

EXAMPLES = r'''
- name: Apply the TrueNAS guide's security settings
  nasjoin.entra.entra_ds_security:
    resource_group: rg-identity
    name: aaddscontoso.com
  delegate_to: localhost
  run_once: true

- name: Only make sure RC4 is off and LDAP signing on, see the diff first
  nasjoin.entra.entra_ds_security:
    resource_group: rg-identity
    name: aaddscontoso.com
    settings:
      kerberos_rc4_encryption: Disabled
      ldap_signing: Enabled
  check_mode: true
  diff: true
  delegate_to: localhost

- name: Azure options once for every Azure module of the collection
  module_defaults:
    group/nasjoin.entra.azure:
      subscription_id: "{{ azure_subscription_id }}"
      resource_group: rg-identity
      name: aaddscontoso.com
  block:
    - name: Security settings
      nasjoin.entra.entra_ds_security:
      delegate_to: localhost
'''

RETURN = r'''
settings:
  description:
    - The security settings after the run (read back from Azure after a change; predicted in check mode or with
      O(wait=false)), V(null) for a setting Azure does not report.
  returned: success
  type: dict
  sample: {tls_v1: Disabled, ntlm_v1: Enabled, sync_ntlm_passwords: Enabled, sync_kerberos_passwords: null,
           sync_on_prem_passwords: Enabled, kerberos_rc4_encryption: Disabled, kerberos_armoring: Enabled,
           ldap_signing: Enabled, channel_binding: Enabled}
desired:
  description: The managed settings and their desired values.
  returned: success
  type: dict
changed_settings:
  description: The settings that differed and were sent (or would be, in check mode).
  returned: success
  type: list
  elements: str
  sample: [kerberos_rc4_encryption, ldap_signing]
security_settings_unknown:
  description: Settings Azure did not report after the run.
  returned: success
  type: list
  elements: str
connection:
  description: The ARM endpoint, API version, authentication kind, resource path, throttled replies retried and
    long-running operation polls.
  returned: always
  type: dict
  sample: {endpoint: https://management.azure.com, api_version: '2022-12-01', auth: certificate, retries: 0, polls: 3,
           resource_id: /subscriptions/.../resourceGroups/rg-identity/providers/Microsoft.AAD/domainServices/aaddscontoso.com}
error:
  description: HTTP status, Azure error code, hint and requested retry time of a failed request.
  returned: on failure
  type: dict
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import ds_security
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.domain_service import SETTINGS, VALUES
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.session import run_azure_module


def main():
    run_azure_module(
        dict(
            settings=dict(type='dict', options=dict((key, dict(type='str', choices=list(VALUES))) for key in SETTINGS)),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=1800),
        ),
        ds_security.run)


if __name__ == '__main__':
    main()
