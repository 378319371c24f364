# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure credentials the way azure.azcollection users already have them, and the ARM token.

PRIVATE to the collection. Mirrors doc fragment ``nasjoin.entra.azure``. Options and
environment variables follow azure.azcollection (``AZURE_SUBSCRIPTION_ID``, ``AZURE_CLIENT_ID``,
``AZURE_SECRET``, ``AZURE_TENANT``, ``AZURE_X509_CERTIFICATE_PATH``, ``AZURE_THUMBPRINT``,
``AZURE_PROFILE`` and ``~/.azure/credentials``, ``ANSIBLE_AZURE_AUTH_SOURCE``,
``AZURE_CLOUD_ENVIRONMENT``, ``AZURE_CERT_VALIDATION_MODE``), with the Azure SDK names as second
choice. The token comes from the Entra token endpoint (client credentials, with a secret or a
certificate assertion) or from the managed identity endpoint, over plain HTTPS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import configparser
import json
import os
import time
import uuid

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode

from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

# name -> (Resource Manager endpoint, Entra authority host)
CLOUDS = {
    'AzureCloud': ('https://management.azure.com', 'https://login.microsoftonline.com'),
    'AzureChinaCloud': ('https://management.chinacloudapi.cn', 'https://login.chinacloudapi.cn'),
    'AzureUSGovernment': ('https://management.usgovcloudapi.net', 'https://login.microsoftonline.us'),
}
IMDS_TOKEN_URL = 'http://169.254.169.254/metadata/identity/oauth2/token'
CREDENTIAL_FILE = '~/.azure/credentials'
ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'


def _env(*names):
    return (env_fallback, list(names))


AUTH_SPEC = dict(
    auth_source=dict(type='str', default='auto', choices=['auto', 'env', 'credential_file', 'msi'],
                     fallback=_env('ANSIBLE_AZURE_AUTH_SOURCE')),
    profile=dict(type='str', fallback=_env('AZURE_PROFILE')),
    subscription_id=dict(type='str', fallback=_env('AZURE_SUBSCRIPTION_ID')),
    client_id=dict(type='str', fallback=_env('AZURE_CLIENT_ID')),
    secret=dict(type='str', no_log=True, fallback=_env('AZURE_SECRET', 'AZURE_CLIENT_SECRET')),
    tenant=dict(type='str', fallback=_env('AZURE_TENANT', 'AZURE_TENANT_ID')),
    x509_certificate_path=dict(type='path', fallback=_env('AZURE_X509_CERTIFICATE_PATH', 'AZURE_CLIENT_CERTIFICATE_PATH')),
    thumbprint=dict(type='str', fallback=_env('AZURE_THUMBPRINT')),
    cloud_environment=dict(type='str', default='AzureCloud', choices=sorted(CLOUDS), fallback=_env('AZURE_CLOUD_ENVIRONMENT')),
    arm_endpoint=dict(type='str', fallback=_env('AZURE_ARM_ENDPOINT')),
    authority_url=dict(type='str', fallback=_env('AZURE_AUTHORITY_HOST')),
    msi_endpoint=dict(type='str', default=IMDS_TOKEN_URL, fallback=_env('AZURE_MSI_ENDPOINT')),
    cert_validation_mode=dict(type='str', default='validate', choices=['validate', 'ignore'],
                              fallback=_env('AZURE_CERT_VALIDATION_MODE')),
    ca_path=dict(type='path', fallback=_env('REQUESTS_CA_BUNDLE')),
    timeout=dict(type='int', default=30),
)
_FILE_KEYS = ('subscription_id', 'client_id', 'secret', 'tenant', 'x509_certificate_path', 'thumbprint')


def endpoints(params):
    """``(arm_endpoint, authority_url)`` without trailing slashes: explicit options, else the cloud's."""
    arm, authority = CLOUDS[params['cloud_environment']]
    return (params.get('arm_endpoint') or arm).rstrip('/'), (params.get('authority_url') or authority).rstrip('/')


def read_profile(name, path=CREDENTIAL_FILE):
    """The ``[name]`` section of the azure.azcollection credential file as a dict ({} when absent)."""
    parser = configparser.RawConfigParser()
    parser.read(os.path.expanduser(path))
    if not parser.has_section(name):
        return {}
    return dict((key, parser.get(name, key)) for key in _FILE_KEYS if parser.has_option(name, key))


def credential(params, profile_reader=read_profile):
    """The credential the options ask for, as a dict with ``kind`` (secret, certificate, msi) and
    ``subscription_id``; ValueError says what is missing and where it may come from."""
    source = params['auth_source']
    values = dict((key, params.get(key)) for key in _FILE_KEYS)
    if source == 'msi':
        kind = 'msi'
    else:
        if source == 'credential_file' or (source == 'auto' and not values['client_id']):
            stored = profile_reader(params.get('profile') or 'default')
            if source == 'credential_file' and not stored:
                raise ValueError('auth_source=credential_file: no [%s] profile in %s.'
                                 % (params.get('profile') or 'default', CREDENTIAL_FILE))
            values.update((key, value) for key, value in stored.items() if value and not values.get(key))
        kind = 'certificate' if values['x509_certificate_path'] and not values['secret'] else 'secret'
        missing = ['%s (%s)' % (name, env) for name, env in (('tenant', 'AZURE_TENANT'), ('client_id', 'AZURE_CLIENT_ID'))
                   if not values[name]]
        if not values['secret'] and not values['x509_certificate_path']:
            missing.append('secret (AZURE_SECRET) or x509_certificate_path (AZURE_X509_CERTIFICATE_PATH)')
        if missing:
            raise ValueError('Azure credentials are incomplete, missing: %s. Give them as options, in the environment, '
                             'in %s, or use auth_source=msi on an Azure host with a managed identity.'
                             % (', '.join(missing), CREDENTIAL_FILE))
    if not values['subscription_id']:
        raise ValueError('subscription_id is missing: give it as an option or set AZURE_SUBSCRIPTION_ID.')
    values['kind'] = kind
    return values


def access_token(http, params, cred, now=time.time):
    """A bearer token for Resource Manager, never returned to the task."""
    arm, authority = endpoints(params)
    audience = arm + '/'
    if cred['kind'] == 'msi':
        query = {'api-version': '2018-02-01', 'resource': audience}
        if cred['client_id']:
            query['client_id'] = cred['client_id']
        dummy, dummy, data = http.request('GET', '%s?%s' % (params['msi_endpoint'], urlencode(query)),
                                          headers={'Metadata': 'true'})
    else:
        url = '%s/%s/oauth2/v2.0/token' % (authority, quote(cred['tenant'], safe=''))
        form = {'grant_type': 'client_credentials', 'client_id': cred['client_id'], 'scope': audience + '.default'}
        if cred['kind'] == 'secret':
            form['client_secret'] = cred['secret']
        else:
            form['client_assertion_type'] = ASSERTION_TYPE
            form['client_assertion'] = client_assertion(cred['x509_certificate_path'], cred['client_id'], url,
                                                        cred['thumbprint'], int(now()))
        dummy, dummy, data = http.request('POST', url, form=form)
    token = data.get('access_token')
    if not token:
        raise AzureError('the token endpoint answered without an access_token.', code='NoToken',
                         hint='check authority_url / msi_endpoint: they must point at the Entra token endpoint.')
    return token


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


def client_assertion(path, client_id, audience, thumbprint, now):
    """A signed JWT (RS256) proving the service principal holds the certificate's private key.

    ``path`` is a PEM file with the private key and the certificate (the azure.azcollection
    convention); ``thumbprint`` (SHA-1, hex) is taken from the certificate when not given.
    """
    try:
        with open(path, 'rb') as handle:
            pem = handle.read()
        key = serialization.load_pem_private_key(pem, password=None)
        if not thumbprint:
            thumbprint = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA1()).hex()
    except (OSError, ValueError, TypeError) as exc:
        raise AzureError('x509_certificate_path %s: cannot read an unencrypted PEM private key and certificate: %s'
                         % (path, exc), code='InvalidCertificate',
                         hint='give one PEM file with the private key followed by the certificate the service '
                              'principal has registered, or give thumbprint.')
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AzureError('x509_certificate_path %s holds a %s key; Entra client assertions need RSA.'
                         % (path, type(key).__name__), code='InvalidCertificate',
                         hint='register an RSA certificate for the service principal.')
    try:
        x5t = _b64url(bytes.fromhex(thumbprint.replace(':', '').strip()))
    except ValueError:
        raise AzureError('thumbprint is not a hexadecimal SHA-1 certificate thumbprint.', code='InvalidCertificate',
                         hint='give the thumbprint as shown in the app registration, or leave it out.')
    header = {'alg': 'RS256', 'typ': 'JWT', 'x5t': x5t}
    claims = {'aud': audience, 'iss': client_id, 'sub': client_id, 'jti': str(uuid.uuid4()),
              'nbf': now, 'iat': now, 'exp': now + 600}
    signing_input = '%s.%s' % (_b64url(json.dumps(header).encode()), _b64url(json.dumps(claims).encode()))
    signature = key.sign(signing_input.encode('ascii'), padding.PKCS1v15(), hashes.SHA256())
    return '%s.%s' % (signing_input, _b64url(signature))
