# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  auth_source:
    description:
      - Where the credentials come from, as in azure.azcollection.
      - V(auto) uses the options and environment variables when O(client_id) is set, otherwise the O(profile) of
        C(~/.azure/credentials).
      - V(env) uses only the options and environment variables, V(credential_file) only C(~/.azure/credentials).
      - V(msi) asks the managed identity endpoint of the Azure host that runs the module (O(msi_endpoint)); O(client_id)
        then picks a user-assigned identity.
      - The Azure CLI login (V(cli) in azure.azcollection) is not supported.
      - The environment variable E(ANSIBLE_AZURE_AUTH_SOURCE) sets it too.
    type: str
    choices: [auto, env, credential_file, msi]
    default: auto
  profile:
    description:
      - Section of C(~/.azure/credentials) to read (keys C(subscription_id), C(client_id), C(secret), C(tenant),
        C(x509_certificate_path), C(thumbprint)). Unset means C(default).
      - The environment variable E(AZURE_PROFILE) sets it too.
    type: str
  subscription_id:
    description:
      - Azure subscription that holds the managed domain.
      - The environment variable E(AZURE_SUBSCRIPTION_ID) sets it too.
    type: str
  client_id:
    description:
      - Application (client) ID of the service principal, or of a user-assigned managed identity.
      - The environment variable E(AZURE_CLIENT_ID) sets it too.
    type: str
  secret:
    description:
      - Client secret of the service principal. Never shown in output.
      - The environment variables E(AZURE_SECRET) (azure.azcollection) or E(AZURE_CLIENT_SECRET) (Azure SDK) set it too.
    type: str
  tenant:
    description:
      - Directory (tenant) ID of the service principal.
      - The environment variables E(AZURE_TENANT) or E(AZURE_TENANT_ID) set it too.
    type: str
  x509_certificate_path:
    description:
      - PEM file with the unencrypted RSA private key and the certificate registered for the service principal, used
        instead of O(secret) to sign a client assertion.
      - The environment variables E(AZURE_X509_CERTIFICATE_PATH) or E(AZURE_CLIENT_CERTIFICATE_PATH) set it too.
    type: path
  thumbprint:
    description:
      - SHA-1 thumbprint (hex) of the certificate in O(x509_certificate_path). Unset means computed from that file.
      - The environment variable E(AZURE_THUMBPRINT) sets it too.
    type: str
  cloud_environment:
    description:
      - Azure cloud whose Resource Manager and token endpoints are used.
      - The environment variable E(AZURE_CLOUD_ENVIRONMENT) sets it too.
    type: str
    choices: [AzureChinaCloud, AzureCloud, AzureUSGovernment]
    default: AzureCloud
  arm_endpoint:
    description:
      - Azure Resource Manager base URL, instead of the one of O(cloud_environment). The token is requested for this
        audience.
      - The environment variable E(AZURE_ARM_ENDPOINT) sets it too.
    type: str
  authority_url:
    description:
      - Entra authority (token endpoint host) URL, instead of the one of O(cloud_environment); the token comes from
        C(<authority_url>/<tenant>/oauth2/v2.0/token).
      - The environment variable E(AZURE_AUTHORITY_HOST) sets it too.
    type: str
  msi_endpoint:
    description:
      - Managed identity token endpoint for O(auth_source=msi).
      - The environment variable E(AZURE_MSI_ENDPOINT) sets it too.
    type: str
    default: http://169.254.169.254/metadata/identity/oauth2/token
  cert_validation_mode:
    description:
      - V(validate) checks the TLS certificates of the Azure endpoints; V(ignore) only for a lab.
      - The environment variable E(AZURE_CERT_VALIDATION_MODE) sets it too.
    type: str
    choices: [validate, ignore]
    default: validate
  ca_path:
    description:
      - CA bundle (PEM) to check the endpoints' certificates against, instead of the system store, for example behind
        a TLS-inspecting proxy.
      - The environment variable E(REQUESTS_CA_BUNDLE) sets it too.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP reply. From 1 to 3600.
    type: int
    default: 30
  resource_group:
    description:
      - Resource group of the managed domain.
    type: str
    required: true
  name:
    description:
      - Name of the C(Microsoft.AAD/domainServices) resource, usually the managed domain's DNS name.
    type: str
    required: true
  api_version:
    description:
      - Resource Manager API version of C(Microsoft.AAD/domainServices) to use.
    type: str
    default: '2022-12-01'
requirements:
  - cryptography (only for O(x509_certificate_path); ansible-core depends on it already)
notes:
  - The modules talk to Azure Resource Manager over HTTPS from the host that runs them (usually the controller, with
    C(delegate_to=localhost)); no Azure SDK is needed.
  - Throttled (HTTP 429) and unavailable (503) replies are retried up to 3 times after the C(Retry-After) time Azure
    gives, when that is 60 seconds or less; otherwise the task fails and says how long Azure asked to wait.
  - Neither the secret nor the access token ever appears in the result, the messages or the logs.
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying Azure.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  action_group:
    description: Use C(group/nasjoin.entra.azure) in C(module_defaults) to set the Azure options once.
    support: full
    membership:
      - nasjoin.entra.azure
'''
