"""A throwaway lab CA and a server certificate signed by it, for TLS tests on loopback."""

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


def make_ca_and_cert(dirpath, names=('localhost',), ips=('127.0.0.1',), days=30):
    """Write ca.pem, server.pem and server.key under ``dirpath``; return their paths as a dict
    (keys ``ca``, ``cert``, ``key``). The server certificate names ``names`` and ``ips``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = {'not_valid_before': now - datetime.timedelta(days=1), 'not_valid_after': now + datetime.timedelta(days=days)}
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'nasjoin lab CA (test only)')])
    ca = (x509.CertificateBuilder(subject_name=ca_name, issuer_name=ca_name, public_key=ca_key.public_key(),
                                  serial_number=x509.random_serial_number(), **valid)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (list(names) or list(ips))[0])])
    alt_names = [x509.DNSName(name) for name in names] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (x509.CertificateBuilder(subject_name=subject, issuer_name=ca_name, public_key=key.public_key(),
                                    serial_number=x509.random_serial_number(), **valid)
            .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    dirpath = os.fspath(dirpath)
    os.makedirs(dirpath, exist_ok=True)
    pem = serialization.Encoding.PEM
    return {
        'ca': _write(os.path.join(dirpath, 'ca.pem'), ca.public_bytes(pem)),
        'cert': _write(os.path.join(dirpath, 'server.pem'), cert.public_bytes(pem)),
        'key': _write(os.path.join(dirpath, 'server.key'), _key_pem(key), 0o600),
    }
