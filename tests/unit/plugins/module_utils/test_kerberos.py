"""Kerberos without a Kerberos library: AES keys and encryption (RFC 3961/3962 vectors), AS-REQ and KRB-ERROR."""

import datetime
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import der, kerberos
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import kerberos_crypto as crypto

SALT = 'ATHENA.MIT.EDUraeburn'
CHICKEN = b'chicken teriyaki'


@pytest.mark.parametrize('data, size, expected', [
    (b'012345', 8, 'be072631276b1955'),
    (b'password', 7, '78a07b6caf85fa'),
    (b'Rough Consensus, and Running Code', 8, 'bb6ed30870b7f0e0'),
    (b'password', 21, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'),
    (b'MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 24, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'),
    (b'Q', 21, '518a54a215a8452a518a54a215a8452a518a54a215'),
    (b'kerberos', 16, '6b65726265726f737b9b5b2b93132b93'),
    (b'kerberos', 32, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'),
])
def test_nfold_rfc3961_vectors(data, size, expected):
    assert crypto.nfold(data, size).hex() == expected


@pytest.mark.parametrize('etype, iterations, expected', [
    (17, 1, '42263c6e89f4fc28b8df68ee09799f15'),
    (18, 1, 'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161'),
    (17, 2, 'c651bf29e2300ac27fa469d693bdda13'),
    (17, 1200, '4c01cd46d632d01e6dbe230a01ed642a'),
    (18, 1200, '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a'),
])
def test_string_to_key_rfc3962_vectors(etype, iterations, expected):
    assert crypto.string_to_key(etype, 'password', SALT, iterations.to_bytes(4, 'big')).hex() == expected


@pytest.mark.parametrize('plain, expected', [
    ('4920776f756c64206c696b652074686520', 'c6353568f2bf8cb4d8a580362da7ff7f97'),
    ('4920776f756c64206c696b65207468652047656e6572616c2047617527732043',
     '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'),
    ('4920776f756c64206c696b65207468652047656e6572616c20476175277320',
     'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'),
])
def test_cts_rfc3962_vectors(plain, expected):
    assert crypto.cts_encrypt(CHICKEN, bytes.fromhex(plain)).hex() == expected


def _aes(key, data, decrypt, mode=None):
    cipher = Cipher(algorithms.AES(key), mode or modes.CBC(b'\x00' * 16))
    worker = cipher.decryptor() if decrypt else cipher.encryptor()
    return worker.update(data) + worker.finalize()


def _cts_decrypt(key, data):
    """The inverse of AES-CTS, written the other way round (rebuild the CBC blocks, then plain CBC)."""
    if len(data) == 16:
        return _aes(key, data, True)
    blocks = -(-len(data) // 16)
    last = len(data) - 16 * (blocks - 1)
    head, full, partial = data[:16 * (blocks - 2)], data[16 * (blocks - 2):16 * (blocks - 1)], data[16 * (blocks - 1):]
    tail = _aes(key, full, True, modes.ECB())
    return _aes(key, head + partial + tail[last:] + full, True)[:len(data)]


def test_encrypt_round_trips_with_the_checksum_over_confounder_and_plaintext():
    key = crypto.string_to_key(18, 'Secret-1', 'EXAMPLE.TESTalice')
    sealed = crypto.encrypt(key, 1, b'timestamp bytes', confounder=b'C' * 16)
    usage = (1).to_bytes(4, 'big')
    basic = _cts_decrypt(crypto.derive(key, usage + b'\xaa'), sealed[:-12])
    assert basic == b'C' * 16 + b'timestamp bytes'
    assert sealed[-12:] == hmac.new(crypto.derive(key, usage + b'\x55'), basic, hashlib.sha1).digest()[:12]


def test_as_req_without_padata_names_client_realm_and_etypes():
    message = kerberos.as_req('DC1$', 'EXAMPLE.TEST', [18, 17])
    tag, value, dummy = der.parse(message)
    fields = der.fields(der.parse(value)[1])
    assert tag == 0x6A and der.to_int(fields[1][1]) == 5 and der.to_int(fields[2][1]) == 10 and 3 not in fields
    body = der.fields(fields[4][1])
    assert der.children(der.fields(body[1][1])[1][1]) == [(0x1B, b'DC1$')]
    assert body[2][1] == b'EXAMPLE.TEST'
    assert [der.to_int(item) for dummy, item in der.children(body[8][1])] == [18, 17]


def test_as_req_with_enc_timestamp_carries_one_pa_data_of_type_2():
    key = crypto.string_to_key(17, 'pw', 'EXAMPLE.TESTbob')
    padata = kerberos.enc_timestamp(key, 17, datetime.datetime(2026, 11, 22, 1, 2, 3, 456, datetime.timezone.utc))
    fields = der.fields(der.parse(der.parse(kerberos.as_req('bob', 'EXAMPLE.TEST', [17], padata))[1])[1])
    (entry_tag, entry), = der.children(fields[3][1])
    pa = der.fields(entry)
    encrypted = der.fields(der.parse(pa[2][1])[1])
    assert entry_tag == der.SEQUENCE and der.to_int(pa[1][1]) == 2 and der.to_int(encrypted[0][1]) == 17
    assert len(encrypted[2][1]) == 16 + 27 + 12   # confounder, PA-ENC-TS-ENC (time, 456 us), checksum


def krb_error(code, e_data=None, text=None):
    items = [der.explicit(0, der.integer(5)), der.explicit(1, der.integer(30)), der.explicit(6, der.integer(code))]
    if text:
        items.append(der.explicit(11, der.octets(text, der.GENERAL_STRING)))
    if e_data is not None:
        items.append(der.explicit(12, der.octets(e_data)))
    return der.tlv(0x7E, der.sequence(*items))


def pa_data(kind, value):
    return der.sequence(der.explicit(1, der.integer(kind)), der.explicit(2, der.octets(value)))


def etype_info2(*entries):
    return der.sequence(*(der.sequence(der.explicit(0, der.integer(etype)), der.explicit(1, der.octets(salt, der.GENERAL_STRING)),
                                       der.explicit(2, der.octets(b'\x00\x00\x10\x00')))
                          for etype, salt in entries))


def test_preauth_required_lists_the_offered_etypes_with_salt():
    e_data = der.sequence(pa_data(2, b''), pa_data(19, etype_info2((18, 'EXAMPLE.TESTalice'))))
    reply = kerberos.parse_reply(krb_error(25, e_data, 'Need to use PA-ENC-TIMESTAMP'))
    assert reply['error'] == 'KDC_ERR_PREAUTH_REQUIRED' and reply['text'].startswith('Need')
    assert reply['etype_info'] == [{'etype': 18, 'name': 'aes256-cts-hmac-sha1-96', 'salt': 'EXAMPLE.TESTalice',
                                    's2kparams': b'\x00\x00\x10\x00'}]
    assert reply['ntstatus'] is None


@pytest.mark.parametrize('e_data', [
    der.sequence(pa_data(3, bytes.fromhex('340200c000000000 01000000'.replace(' ', '')))),          # Samba: PA-PW-SALT
    der.sequence(der.explicit(1, der.integer(3)), der.explicit(2, der.octets(bytes.fromhex('340200c00000000001000000')))),
])
def test_windows_status_is_read_from_either_e_data_form(e_data):
    assert kerberos.parse_reply(krb_error(18, e_data))['ntstatus'] == 0xC0000234


def test_as_rep_and_garbage():
    assert kerberos.parse_reply(der.tlv(0x6B, der.sequence(der.explicit(0, der.integer(5))))) == {'reply': 'AS-REP'}
    with pytest.raises(ValueError):
        kerberos.parse_reply(der.tlv(0x30, b''))
    with pytest.raises(ValueError):
        kerberos.parse_reply(b'\x7e\x05\x30')
