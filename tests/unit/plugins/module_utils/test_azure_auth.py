"""Credential resolution (azure.azcollection conventions), endpoints, and the certificate client assertion."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import auth
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError

from tests.azure.arm_server.tokens import TokenError, verify_assertion
from tests.azure.fixtures import sp_certificate  # noqa: F401  pylint: disable=unused-import

BASE = dict(auth_source='auto', profile=None, subscription_id='sub', client_id=None, secret=None, tenant=None,
            x509_certificate_path=None, thumbprint=None, cloud_environment='AzureCloud', arm_endpoint=None,
            authority_url=None)


def params(**kwargs):
    return dict(BASE, **kwargs)


def no_file(name):
    return {}


def test_service_principal_with_secret_from_options():
    cred = auth.credential(params(client_id='app', secret='s', tenant='t'), no_file)
    assert cred['kind'] == 'secret' and cred['subscription_id'] == 'sub'


def test_certificate_when_no_secret():
    cred = auth.credential(params(client_id='app', tenant='t', x509_certificate_path='/k.pem'), no_file)
    assert cred['kind'] == 'certificate'


def test_auto_reads_the_credential_file_profile_without_client_id():
    seen = []

    def reader(name):
        seen.append(name)
        return {'subscription_id': 'filesub', 'client_id': 'app', 'secret': 's', 'tenant': 't'}

    cred = auth.credential(params(subscription_id=None, profile='work'), reader)
    assert seen == ['work'] and cred['subscription_id'] == 'filesub' and cred['kind'] == 'secret'
    # options win over the file
    assert auth.credential(params(profile='work', auth_source='credential_file'), reader)['subscription_id'] == 'sub'


def test_credential_file_source_needs_the_profile():
    with pytest.raises(ValueError, match=r'no \[default\] profile in ~/.azure/credentials'):
        auth.credential(params(auth_source='credential_file'), no_file)


def test_read_profile_from_an_ini_file(tmp_path):
    path = tmp_path / 'credentials'
    path.write_text('[default]\nsubscription_id=s1\nclient_id=c1\nsecret=x\ntenant=t1\nunrelated=1\n')
    assert auth.read_profile('default', str(path)) == {'subscription_id': 's1', 'client_id': 'c1', 'secret': 'x',
                                                       'tenant': 't1'}
    assert auth.read_profile('other', str(path)) == {}


def test_missing_parts_are_named_with_their_environment_variables():
    with pytest.raises(ValueError) as exc:
        auth.credential(params(client_id='app'), no_file)
    assert 'tenant (AZURE_TENANT)' in str(exc.value)
    assert 'secret (AZURE_SECRET) or x509_certificate_path' in str(exc.value)
    with pytest.raises(ValueError, match='AZURE_SUBSCRIPTION_ID'):
        auth.credential(params(subscription_id=None, client_id='app', secret='s', tenant='t'), no_file)


def test_msi_needs_no_service_principal():
    cred = auth.credential(params(auth_source='msi'), no_file)
    assert cred['kind'] == 'msi' and cred['client_id'] is None


def test_endpoints_follow_the_cloud_unless_overridden():
    assert auth.endpoints(params()) == ('https://management.azure.com', 'https://login.microsoftonline.com')
    assert auth.endpoints(params(cloud_environment='AzureUSGovernment'))[0] == 'https://management.usgovcloudapi.net'
    assert auth.endpoints(params(arm_endpoint='https://127.0.0.1:8443/', authority_url='https://127.0.0.1:8443')) == (
        'https://127.0.0.1:8443', 'https://127.0.0.1:8443')


def test_client_assertion_verifies_like_entra(sp_certificate):  # noqa: F811  pylint: disable=redefined-outer-name
    url = 'https://login.example.test/t/oauth2/v2.0/token'
    assertion = auth.client_assertion(sp_certificate['path'], 'app', url, None, 2000000000)
    with pytest.raises(TokenError, match='valid time range'):  # signed, right key and audience, but in 2033
        verify_assertion(assertion, sp_certificate['certificate'], 'app', url)
    import time
    fresh = auth.client_assertion(sp_certificate['path'], 'app', url, None, int(time.time()))
    verify_assertion(fresh, sp_certificate['certificate'], 'app', url)
    with pytest.raises(TokenError, match='audience'):
        verify_assertion(fresh, sp_certificate['certificate'], 'app', url + 'x')
    wrong = auth.client_assertion(sp_certificate['path'], 'app', url, '00' * 20, int(time.time()))
    with pytest.raises(TokenError, match='not registered'):
        verify_assertion(wrong, sp_certificate['certificate'], 'app', url)


def test_client_assertion_errors_name_the_file(tmp_path, sp_certificate):  # noqa: F811  pylint: disable=redefined-outer-name
    with pytest.raises(AzureError, match='cannot read an unencrypted PEM private key'):
        auth.client_assertion(str(tmp_path / 'missing.pem'), 'app', 'aud', None, 0)
    with pytest.raises(AzureError, match='not a hexadecimal SHA-1'):
        auth.client_assertion(sp_certificate['path'], 'app', 'aud', 'zz', 0)
