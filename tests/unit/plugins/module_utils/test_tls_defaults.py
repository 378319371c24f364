"""The collection's TLS clients keep this Python's default verification (on 3.13 and later that includes
VERIFY_X509_STRICT): a user's CA is checked as strictly as Python checks it, never less."""

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import WebSocketTransport
from ansible_collections.nasjoin.entra.plugins.module_utils._verify.ldap_search import Directory

DEFAULT_FLAGS = ssl.create_default_context().verify_flags


@pytest.mark.parametrize('ca_path', ['none', 'file', 'dir'])
def test_the_api_transport_keeps_the_default_flags_and_checks_names(tmp_path, ca_path):
    ca = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, 'test CA')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(ca.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca, hashes.SHA256()))
    (tmp_path / 'ca.pem').write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    where = {'none': None, 'file': str(tmp_path / 'ca.pem'), 'dir': str(tmp_path)}[ca_path]
    context = WebSocketTransport('wss://nas.example.test/api/current', 5, ca_path=where)._ssl_context()
    assert context.verify_flags == DEFAULT_FLAGS
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    if ca_path == 'file':
        assert [found['subject'] for found in context.get_ca_certs()] == [((('commonName', 'test CA'),),)]


def test_validate_certs_false_is_the_only_way_to_turn_checks_off():
    context = WebSocketTransport('wss://nas.example.test/api/current', 5, validate_certs=False)._ssl_context()
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname


def test_the_ldaps_client_lets_ldap3_use_pythons_default_context():
    options = {'page_size': 100, 'port': 636, 'timeout': 5, 'username': 'u', 'password': 'p',
               'servers': ['dc1.aaddscontoso.com']}
    directory = Directory('aaddscontoso.com', options)
    tls = directory.conn.server_pool.servers[0].tls
    assert tls.version is None and tls.validate == ssl.CERT_REQUIRED  # ldap3 then calls ssl.create_default_context
