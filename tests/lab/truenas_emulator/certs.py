"""A throwaway lab CA and server certificates signed by it, for TLS tests on loopback.

They carry what RFC 5280 asks of a CA and of a server certificate, so they pass the strict chain checks
(``ssl.VERIFY_X509_STRICT``) that Python 3.13's ``ssl.create_default_context()`` turns on: the CA has a critical
basicConstraints CA:TRUE, a critical keyUsage keyCertSign+cRLSign and a subjectKeyIdentifier; the server
certificate has basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth, its names in
subjectAltName, a subjectKeyIdentifier and an authorityKeyIdentifier naming the CA's key.
"""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _write(path, data, mode=0o644):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), 'wb') as handle:
        handle.write(data)
    return path


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _validity(days):
    now = datetime.datetime.now(datetime.timezone.utc)
    return {'not_valid_before': now - datetime.timedelta(days=1), 'not_valid_after': now + datetime.timedelta(days=days)}


def key_usage(digital_signature=False, key_encipherment=False, key_cert_sign=False, crl_sign=False):
    """A keyUsage extension value with the named bits set and every other bit clear."""
    return x509.KeyUsage(digital_signature=digital_signature, content_commitment=False,
                         key_encipherment=key_encipherment, data_encipherment=False, key_agreement=False,
                         key_cert_sign=key_cert_sign, crl_sign=crl_sign, encipher_only=False, decipher_only=False)


def make_ca(dirpath, days=30):
    """Write ca.pem under ``dirpath``; return ``{"ca": path, "name": ..., "key": ..., "ski": ...}`` for
    :func:`make_cert`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'nasjoin lab CA (test only)')])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ca = (x509.CertificateBuilder(subject_name=name, issuer_name=name, public_key=key.public_key(),
                                  serial_number=x509.random_serial_number(), **_validity(days))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
          .add_extension(ski, critical=False)
          .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
          .sign(key, hashes.SHA256()))
    dirpath = os.fspath(dirpath)
    os.makedirs(dirpath, exist_ok=True)
    return {'ca': _write(os.path.join(dirpath, 'ca.pem'), ca.public_bytes(serialization.Encoding.PEM)),
            'name': name, 'key': key, 'ski': ski, 'days': days}


def make_cert(ca, dirpath, names=('localhost',), ips=('127.0.0.1',)):
    """Write server.pem and server.key, signed by ``ca`` (from :func:`make_ca`), under ``dirpath``; return their
    paths as a dict (keys ``ca``, ``cert``, ``key``). The certificate names ``names`` and ``ips``; it is valid as
    long as the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (list(names) or list(ips))[0])])
    alt_names = [x509.DNSName(name) for name in names] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (x509.CertificateBuilder(subject_name=subject, issuer_name=ca['name'], public_key=key.public_key(),
                                    serial_number=x509.random_serial_number(), **_validity(ca['days']))
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(digital_signature=True), critical=True)  # an EC key signs, never enciphers
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca['ski']), critical=False)
            .sign(ca['key'], hashes.SHA256()))
    dirpath = os.fspath(dirpath)
    os.makedirs(dirpath, exist_ok=True)
    return {
        'ca': ca['ca'],
        'cert': _write(os.path.join(dirpath, 'server.pem'), cert.public_bytes(serialization.Encoding.PEM)),
        'key': _write(os.path.join(dirpath, 'server.key'), _key_pem(key), 0o600),
    }


def make_ca_and_cert(dirpath, names=('localhost',), ips=('127.0.0.1',), days=30):
    """Write ca.pem, server.pem and server.key under ``dirpath``; return their paths as a dict
    (keys ``ca``, ``cert``, ``key``). The server certificate names ``names`` and ``ips``."""
    return make_cert(make_ca(dirpath, days), dirpath, names, ips)
