"""Token, HTTP error handling, bounded retry and long-running operations against the ARM test server."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import auth, domain_service as ds
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.arm import ArmClient
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.http import Http

from tests.azure.fixtures import (  # noqa: F401  pylint: disable=unused-import
    CERT_APP, CONTRIBUTOR, DC_IPS, DOMAIN, NOBODY, READER, RESOURCE_GROUP, SECRET, SUBSCRIPTION, TENANT,
    arm, azure_tls, sp_certificate)

PATH = ds.resource_path(SUBSCRIPTION, RESOURCE_GROUP, DOMAIN)
# pylint: disable=redefined-outer-name


class Clock:
    """Sleeps recorded, not slept; monotonic time advances with them."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def params(server, **kwargs):
    values = dict(auth_source='auto', profile=None, subscription_id=SUBSCRIPTION, client_id=CONTRIBUTOR, secret=SECRET,
                  tenant=TENANT, x509_certificate_path=None, thumbprint=None, cloud_environment='AzureCloud',
                  arm_endpoint=server.url, authority_url=server.url, msi_endpoint=server.url + '/metadata/identity/oauth2/token')
    values.update(kwargs)
    return values


def client(server, azure_tls, clock=None, **kwargs):
    clock = clock or Clock()
    http = Http(10, True, azure_tls['ca'], sleep=clock.sleep)
    values = params(server, **kwargs)
    token = auth.access_token(http, values, auth.credential(values, lambda name: {}))
    return ArmClient(http, server.url, token, '2022-12-01', clock=clock)


def test_get_with_secret_certificate_and_managed_identity(arm, azure_tls, sp_certificate):
    for kwargs in ({}, {'client_id': CERT_APP, 'secret': None, 'x509_certificate_path': sp_certificate['path']},
                   {'auth_source': 'msi', 'client_id': None}):
        resource = client(arm, azure_tls, **kwargs).get(PATH)
        assert resource['properties']['replicaSets'][0]['domainControllerIpAddress'] == DC_IPS
    assert [entry[2] for entry in arm.requests()] == ['2022-12-01'] * 3


def test_certificate_checks_are_on_by_default(arm):
    http = Http(10, True, None)
    with pytest.raises(AzureError) as exc:
        auth.access_token(http, params(arm), auth.credential(params(arm), lambda name: {}))
    assert exc.value.code == 'SSLError' and 'ca_path' in exc.value.hint
    assert arm.tokens.requests == 0


@pytest.mark.parametrize('kwargs, status, code, text', [
    ({'secret': 'wrong'}, 401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided'),
    ({'tenant': 'other'}, 400, 'invalid_request', "AADSTS90002: Tenant 'other' not found"),
    ({'client_id': 'unknown-app'}, 400, 'unauthorized_client', 'AADSTS700016'),
])
def test_token_endpoint_errors(arm, azure_tls, kwargs, status, code, text):
    with pytest.raises(AzureError) as exc:
        client(arm, azure_tls, **kwargs)
    assert exc.value.status == status and exc.value.code == code and text in str(exc.value)
    assert '/oauth2/v2.0/token failed with HTTP %d' % status in str(exc.value)
    assert SECRET not in str(exc.value) and 'wrong' not in str(exc.value)


def test_arm_error_statuses(arm, azure_tls):
    with pytest.raises(AzureError) as exc:
        client(arm, azure_tls, client_id=NOBODY).get(PATH)
    assert exc.value.status == 403 and exc.value.code == 'AuthorizationFailed'
    assert "Microsoft.AAD/domainServices/read" in str(exc.value) and 'Reader' in exc.value.hint
    with pytest.raises(AzureError) as exc:
        client(arm, azure_tls, client_id=READER).patch(PATH, ds.patch_body({'ldap_signing': 'Enabled'}), 60)
    assert exc.value.status == 403 and 'Microsoft.AAD/domainServices/write' in str(exc.value)
    reader = client(arm, azure_tls)
    for path, code in ((ds.resource_path(SUBSCRIPTION, RESOURCE_GROUP, 'other.test'), 'ResourceNotFound'),
                       (ds.resource_path(SUBSCRIPTION, 'rg-none', DOMAIN), 'ResourceGroupNotFound'),
                       (ds.resource_path('00000000-0000-0000-0000-000000000000', RESOURCE_GROUP, DOMAIN), 'SubscriptionNotFound')):
        with pytest.raises(AzureError) as exc:
            reader.get(path)
        assert exc.value.status == 404 and exc.value.code == code
    reader.headers = {'Authorization': 'Bearer forged'}
    with pytest.raises(AzureError) as exc:
        reader.get(PATH)
    assert exc.value.status == 401 and exc.value.code == 'InvalidAuthenticationToken' and 'token was refused' in str(exc.value)


def test_api_version_is_sent_and_checked(arm, azure_tls):
    reader = client(arm, azure_tls)
    reader.api_version = '2016-01-01'
    with pytest.raises(AzureError) as exc:
        reader.get(PATH)
    assert exc.value.status == 400 and exc.value.code == 'NoRegisteredProviderFound' and '2022-12-01' in str(exc.value)


def test_throttling_is_retried_after_the_requested_time_then_given_up(arm, azure_tls):
    clock = Clock()
    reader = client(arm, azure_tls, clock)
    arm.throttle(2, 5)
    assert reader.get(PATH)['name'] == DOMAIN
    assert clock.sleeps == [2, 5] and reader.http.retries == 2
    arm.throttle(1, 1, 1, 1)
    with pytest.raises(AzureError) as exc:
        reader.get(PATH)
    assert exc.value.status == 429 and 'Gave up after 3 retries' in str(exc.value) and exc.value.retry_after == 1
    clock.sleeps.clear()
    arm.throttle(3600)
    with pytest.raises(AzureError) as exc:
        reader.get(PATH)
    assert 'Azure asked to retry after 3600 s' in str(exc.value) and clock.sleeps == []


def test_patch_follows_the_async_operation(arm, azure_tls):
    arm.lro_polls, arm.retry_after = 2, 7
    clock = Clock()
    writer = client(arm, azure_tls, clock)
    resource = writer.patch(PATH, ds.patch_body({'ldap_signing': 'Enabled'}), 60)
    assert resource['properties']['domainSecuritySettings']['ldapSigning'] == 'Enabled'
    assert resource['properties']['provisioningState'] == 'Succeeded'
    assert writer.polls == 3 and clock.sleeps == [7, 7, 7]
    assert [entry[0] for entry in arm.requests()] == ['PATCH', 'GET', 'GET', 'GET', 'GET']
    assert arm.patches == [{'properties': {'domainSecuritySettings': {'ldapSigning': 'Enabled'}}}]


def test_patch_timeout_failure_and_no_wait(arm, azure_tls):
    arm.lro_polls, arm.retry_after = 100, 10
    writer = client(arm, azure_tls)
    with pytest.raises(AzureError) as exc:
        writer.patch(PATH, ds.patch_body({'ldap_signing': 'Enabled'}), 25)
    assert exc.value.code == 'OperationTimeout' and 'still running after wait_timeout=25 s' in str(exc.value)
    assert writer.polls == 2
    assert writer.patch(PATH, ds.patch_body({'ldap_signing': 'Enabled'}), None) is None
    arm.lro_polls, arm.fail_operations = 0, True
    with pytest.raises(AzureError) as exc:
        writer.patch(PATH, ds.patch_body({'channel_binding': 'Enabled'}), 60)
    assert exc.value.code == 'DomainSecuritySettingsUpdateFailed' and 'failed: The managed domain is not healthy' in str(exc.value)
    assert 'channelBinding' not in arm.resource(RESOURCE_GROUP, DOMAIN)['properties']['domainSecuritySettings']


def test_unreachable_endpoint_names_what_to_check():
    import socket
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    with pytest.raises(AzureError) as exc:
        Http(2, True, None).request('GET', 'https://127.0.0.1:%d/subscriptions/x?api-version=2022-12-01' % port)
    assert exc.value.code == 'ConnectionError' and 'GET https://127.0.0.1:%d/subscriptions/x:' % port in str(exc.value)
    assert 'api-version' not in str(exc.value) and 'arm_endpoint' in exc.value.hint
