"""pytest fixtures for the Azure tests: a CA, the ARM test server holding one managed domain, and its principals.

Import the fixtures into a test module (``from tests.azure.fixtures import arm, azure_tls, sp_certificate``).
"""

import datetime
import os
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .arm_server import ArmServer, domain_service

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'lab'))
from truenas_emulator.certs import key_usage, make_ca_and_cert  # noqa: E402  pylint: disable=wrong-import-position

TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
SUBSCRIPTION = '1639790a-76a2-4ac4-98d9-8562f5dfcb4d'
RESOURCE_GROUP = 'rg-identity'
DOMAIN = 'aaddscontoso.test'
DC_IPS = ['203.0.113.4', '203.0.113.5']
# Canaries: tests fail if one ever shows up in output
SECRET = 'CANARY~azureSecret.nasjoinDoNotLeak-0123456789'
CONTRIBUTOR = '11111111-2222-3333-4444-555555555555'
READER = '22222222-3333-4444-5555-666666666666'
NOBODY = '33333333-4444-5555-6666-777777777777'
CERT_APP = '44444444-5555-6666-7777-888888888888'


@pytest.fixture(scope='session')
def azure_tls(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp('azure-tls'), names=('localhost',), ips=('127.0.0.1',))


@pytest.fixture(scope='session')
def sp_certificate(tmp_path_factory):
    """An RSA key and self-signed certificate of a service principal: the combined PEM file and the certificate.
    Shaped like the client certificate a tenant admin uploads (an end entity that signs, for client auth)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'nasjoin-test-app')])
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder(subject_name=name, issuer_name=name, public_key=key.public_key(),
                                    serial_number=x509.random_serial_number(), not_valid_before=now,
                                    not_valid_after=now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(digital_signature=True, key_encipherment=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    path = tmp_path_factory.mktemp('sp') / 'app.pem'
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()) + cert_pem)
    os.chmod(path, 0o600)
    return {'path': str(path), 'certificate': cert_pem, 'thumbprint': cert.fingerprint(hashes.SHA1()).hex()}


def start_arm(azure_tls, sp_certificate, dc_ips=None, domain=DOMAIN, **resource):
    server = ArmServer(TENANT, SUBSCRIPTION, principals={
        CONTRIBUTOR: {'secret': SECRET, 'role': 'contributor'},
        READER: {'secret': SECRET, 'role': 'reader'},
        NOBODY: {'secret': SECRET, 'role': None},
        CERT_APP: {'certificate': sp_certificate['certificate'], 'role': 'reader'},
    }, identities={'system': 'reader'}, retry_after=0)
    server.start('127.0.0.1', azure_tls['cert'], azure_tls['key'])
    server.add(RESOURCE_GROUP, domain_service(SUBSCRIPTION, RESOURCE_GROUP, domain, domain, dc_ips or DC_IPS, **resource))
    return server


@pytest.fixture
def arm(azure_tls, sp_certificate):
    server = start_arm(azure_tls, sp_certificate)
    yield server
    server.stop()


def azure_env(server, azure_tls, client_id=CONTRIBUTOR):
    """The azure.azcollection environment variables of a service principal, pointed at ``server``."""
    return {'AZURE_SUBSCRIPTION_ID': SUBSCRIPTION, 'AZURE_TENANT': TENANT, 'AZURE_CLIENT_ID': client_id,
            'AZURE_SECRET': SECRET, 'AZURE_ARM_ENDPOINT': server.url, 'AZURE_AUTHORITY_HOST': server.url,
            'REQUESTS_CA_BUNDLE': azure_tls['ca']}
