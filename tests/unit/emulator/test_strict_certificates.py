"""The test CAs and certificates pass strict X.509 verification, and strict verification is real.

Python 3.13's ``ssl.create_default_context()`` sets ``ssl.VERIFY_X509_STRICT``, under which OpenSSL refuses a chain
that breaks RFC 5280 (no authority key identifier, a CA without keyUsage or subject key identifier, ...). Users'
real CAs pass it; the lab's must too. Every test here sets the flag itself, so it means the same on 3.11 and 3.12.
"""

import datetime
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from truenas_emulator.certs import key_usage, make_ca, make_ca_and_cert, make_cert

from tests.azure.fixtures import sp_certificate  # noqa: F401  pylint: disable=unused-import

# pylint: disable=redefined-outer-name


def strict_context(ca):
    """A client context that verifies against ``ca`` with the strict checks on, whatever the Python."""
    context = ssl.create_default_context(cafile=str(ca))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context


def lax_context(ca):
    """The same without the strict checks (as 3.11 and 3.12 verify by default)."""
    context = ssl.create_default_context(cafile=str(ca))
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    return context


def handshake(tls, context, hostname='localhost'):
    """Serve ``tls`` (paths ``cert``, ``key``) once on loopback and shake hands with ``context``; return the TLS
    version, or raise what the client side raised."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(tls['cert']), str(tls['key']))
    listener = socket.create_server(('127.0.0.1', 0))
    listener.settimeout(5)

    def serve():
        try:
            conn, dummy = listener.accept()
        except OSError:
            return
        try:
            with server.wrap_socket(conn, server_side=True) as peer:
                peer.recv(1)
        except (OSError, ssl.SSLError):
            pass  # the client refused our certificate, or went away

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with socket.create_connection(listener.getsockname(), 5) as raw, \
                context.wrap_socket(raw, server_hostname=hostname) as conn:
            return conn.version()
    finally:
        listener.close()
        thread.join(5)


def load(path):
    with open(path, 'rb') as handle:
        return x509.load_pem_x509_certificate(handle.read())


def extension(cert, kind):
    return cert.extensions.get_extension_for_class(kind)


def test_the_lab_ca_and_server_certificate_pass_strict_verification(tmp_path):
    tls = make_ca_and_cert(tmp_path)
    context = strict_context(tls['ca'])
    assert context.verify_flags & ssl.VERIFY_X509_STRICT
    assert handshake(tls, context, 'localhost')
    assert handshake(tls, strict_context(tls['ca']), '127.0.0.1')


def test_a_fleet_style_ca_signs_many_certificates_that_pass_strict_verification(tmp_path):
    ca = make_ca(tmp_path / 'ca')
    for number in (1, 2):
        tls = make_cert(ca, tmp_path / ('nas%d' % number), names=('nas%03d' % number, 'localhost'), ips=('127.0.0.1',))
        assert handshake(tls, strict_context(ca['ca']), 'nas%03d' % number)


def test_the_lab_certificates_carry_what_rfc_5280_asks(tmp_path):
    tls = make_ca_and_cert(tmp_path, names=('nas.lab.test',), ips=('127.0.0.1',))
    ca, leaf = load(tls['ca']), load(tls['cert'])

    constraints = extension(ca, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = extension(ca, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    ca_ski = extension(ca, x509.SubjectKeyIdentifier).value
    assert ca_ski == x509.SubjectKeyIdentifier.from_public_key(ca.public_key())

    assert not extension(leaf, x509.BasicConstraints).value.ca
    usage = extension(leaf, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert list(extension(leaf, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    names = extension(leaf, x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ['nas.lab.test']
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ['127.0.0.1']
    assert extension(leaf, x509.SubjectKeyIdentifier).value == x509.SubjectKeyIdentifier.from_public_key(
        leaf.public_key())
    assert extension(leaf, x509.AuthorityKeyIdentifier).value.key_identifier == ca_ski.digest
    leaf.verify_directly_issued_by(ca)


def test_the_service_principal_certificate_is_a_signing_end_entity(sp_certificate):
    cert = x509.load_pem_x509_certificate(sp_certificate['certificate'])
    assert not extension(cert, x509.BasicConstraints).value.ca
    assert extension(cert, x509.KeyUsage).value.digital_signature
    assert list(extension(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    ski = extension(cert, x509.SubjectKeyIdentifier).value
    assert extension(cert, x509.AuthorityKeyIdentifier).value.key_identifier == ski.digest


# A chain made as the lab once made it, with one thing RFC 5280 asks for taken away at a time.
GOOD_CA = ('basic_constraints', 'key_usage', 'ski')
GOOD_LEAF = ('basic_constraints', 'key_usage', 'eku', 'san', 'ski', 'aki')


def sloppy_chain(directory, ca_parts=GOOD_CA, leaf_parts=GOOD_LEAF, ca_constraints_critical=True):
    """A CA and a localhost certificate with only the named extensions; their paths as make_ca_and_cert gives them."""
    now = datetime.datetime.now(datetime.timezone.utc)
    validity = {'not_valid_before': now - datetime.timedelta(days=1), 'not_valid_after': now + datetime.timedelta(days=2)}
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'sloppy test CA')])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_extensions = {
        'basic_constraints': (x509.BasicConstraints(ca=True, path_length=None), ca_constraints_critical),
        'key_usage': (key_usage(key_cert_sign=True, crl_sign=True), True),
        'ski': (ca_ski, False),
    }
    leaf_extensions = {
        'basic_constraints': (x509.BasicConstraints(ca=False, path_length=None), True),
        'key_usage': (key_usage(digital_signature=True), True),
        'eku': (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        'san': (x509.SubjectAlternativeName([x509.DNSName('localhost')]), False),
        'ski': (x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False),
        'aki': (x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), False),
    }
    builder = x509.CertificateBuilder(subject_name=ca_name, issuer_name=ca_name, public_key=ca_key.public_key(),
                                      serial_number=x509.random_serial_number(), **validity)
    for part in ca_parts:
        builder = builder.add_extension(*ca_extensions[part])
    ca = builder.sign(ca_key, hashes.SHA256())
    builder = x509.CertificateBuilder(subject_name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')]),
                                      issuer_name=ca_name, public_key=leaf_key.public_key(),
                                      serial_number=x509.random_serial_number(), **validity)
    for part in leaf_parts:
        builder = builder.add_extension(*leaf_extensions[part])
    leaf = builder.sign(ca_key, hashes.SHA256())
    directory.mkdir()
    paths = {'ca': directory / 'ca.pem', 'cert': directory / 'server.pem', 'key': directory / 'server.key'}
    paths['ca'].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths['cert'].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths['key'].write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    return paths


def test_the_sloppy_chain_builder_makes_a_good_chain_when_nothing_is_left_out(tmp_path):
    tls = sloppy_chain(tmp_path / 'good')
    assert handshake(tls, strict_context(tls['ca']))


@pytest.mark.parametrize('options, reason', [
    pytest.param({'ca_parts': ('basic_constraints', 'key_usage'), 'leaf_parts': ('basic_constraints', 'eku', 'san')},
                 'Missing Authority Key Identifier', id='as-the-lab-made-them-no-ski-no-aki-no-leaf-key-usage'),
    pytest.param({'leaf_parts': ('basic_constraints', 'key_usage', 'eku', 'san', 'ski')},
                 'Missing Authority Key Identifier', id='leaf-without-aki'),
    pytest.param({'ca_parts': ('basic_constraints', 'ski')}, 'key usage', id='ca-without-key-usage'),
    pytest.param({'ca_parts': ('basic_constraints', 'key_usage')}, 'Subject Key Identifier', id='ca-without-ski'),
    pytest.param({'ca_constraints_critical': False}, 'critical', id='ca-basic-constraints-not-critical'),
])
def test_strict_verification_refuses_a_chain_that_breaks_rfc_5280(tmp_path, options, reason):
    tls = sloppy_chain(tmp_path / 'sloppy', **options)
    # the same chain is fine for a lax check: it is the strictness that refuses it, nothing else
    assert handshake(tls, lax_context(tls['ca']))
    with pytest.raises(ssl.SSLCertVerificationError) as refused:
        handshake(tls, strict_context(tls['ca']))
    assert 'CERTIFICATE_VERIFY_FAILED' in str(refused.value)
    assert reason.lower() in (refused.value.verify_message or '').lower(), refused.value.verify_message
