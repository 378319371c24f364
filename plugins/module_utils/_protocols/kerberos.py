# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kerberos AS-REQ messages and what the KDC answers (RFC 4120), without a Kerberos library.

PRIVATE to the collection. An AS-REQ without pre-authentication needs no credential: the KDC
answers KDC_ERR_PREAUTH_REQUIRED with the enctypes (and salt) it would use for the client, or
KDC_ERR_ETYPE_NOSUPP when it refuses every requested enctype. One AS-REQ with
PA-ENC-TIMESTAMP is one password check, counted by the DC like any logon.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import der
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.kerberos_crypto import encrypt

AES256, AES128, RC4 = 18, 17, 23
ETYPES = {17: 'aes128-cts-hmac-sha1-96', 18: 'aes256-cts-hmac-sha1-96', 19: 'aes128-cts-hmac-sha256-128',
          20: 'aes256-cts-hmac-sha384-192', 23: 'rc4-hmac', 24: 'rc4-hmac-exp', 1: 'des-cbc-crc', 3: 'des-cbc-md5'}
ERRORS = {6: 'KDC_ERR_C_PRINCIPAL_UNKNOWN', 12: 'KDC_ERR_POLICY', 14: 'KDC_ERR_ETYPE_NOSUPP',
          18: 'KDC_ERR_CLIENT_REVOKED', 23: 'KDC_ERR_KEY_EXPIRED', 24: 'KDC_ERR_PREAUTH_FAILED',
          25: 'KDC_ERR_PREAUTH_REQUIRED', 37: 'KRB_AP_ERR_SKEW', 60: 'KRB_ERR_GENERIC', 68: 'KDC_ERR_WRONG_REALM'}
AS_REP, KRB_ERROR = 0x6B, 0x7E
PA_ENC_TIMESTAMP, PA_PW_SALT, PA_ETYPE_INFO2 = 2, 3, 19
KERB_ERR_TYPE_EXTENDED = 3
USAGE_PA_ENC_TIMESTAMP = 1
NT_PRINCIPAL, NT_SRV_INST = 1, 2
_OPTIONS = b'\x00\x40\x81\x00\x10'  # forwardable, renewable, canonicalize, renewable-ok


def _principal(name_type, *parts):
    return der.sequence(der.explicit(0, der.integer(name_type)),
                        der.explicit(1, der.sequence(*(der.octets(part, der.GENERAL_STRING) for part in parts))))


def _padata(kind, value):
    return der.sequence(der.explicit(1, der.integer(kind)), der.explicit(2, der.octets(value)))


def as_req(user, realm, etypes, padata=None):
    """An AS-REQ for ``user@realm`` asking for a TGT with ``etypes`` (in order of preference)."""
    body = der.sequence(
        der.explicit(0, der.tlv(der.BIT_STRING, _OPTIONS)),
        der.explicit(1, _principal(NT_PRINCIPAL, user)),
        der.explicit(2, der.octets(realm, der.GENERAL_STRING)),
        der.explicit(3, _principal(NT_SRV_INST, 'krbtgt', realm)),
        der.explicit(5, der.octets('20370913024805Z', der.GENERALIZED_TIME)),
        der.explicit(7, der.integer(struct.unpack('>I', os.urandom(4))[0] >> 1)),
        der.explicit(8, der.sequence(*(der.integer(etype) for etype in etypes))),
    )
    items = [der.explicit(1, der.integer(5)), der.explicit(2, der.integer(10))]
    if padata:
        items.append(der.explicit(3, der.sequence(padata)))
    return der.tlv(0x6A, der.sequence(*(items + [der.explicit(4, body)])))


def enc_timestamp(key, etype, now):
    """PA-ENC-TIMESTAMP for the long-term ``key``: ``now`` (a UTC datetime) encrypted, key usage 1."""
    stamp = der.sequence(der.explicit(0, der.octets(now.strftime('%Y%m%d%H%M%SZ'), der.GENERALIZED_TIME)),
                         der.explicit(1, der.integer(now.microsecond)))
    encrypted = der.sequence(der.explicit(0, der.integer(etype)),
                             der.explicit(2, der.octets(encrypt(key, USAGE_PA_ENC_TIMESTAMP, stamp))))
    return _padata(PA_ENC_TIMESTAMP, encrypted)


def tcp_frame(message):
    """Kerberos over TCP: a four-byte length before the message."""
    return struct.pack('>I', len(message)) + message


def parse_reply(data):
    """What the KDC said: {'reply': 'AS-REP'} or {'reply': 'KRB-ERROR', 'code', 'error', 'text',
    'etype_info' ([{etype, salt, s2kparams}]), 'ntstatus' (Windows status code from e-data, or None)}."""
    tag, value, dummy = der.parse(data)
    if tag == AS_REP:
        return {'reply': 'AS-REP'}
    if tag != KRB_ERROR:
        raise ValueError('not a Kerberos reply (tag %#x)' % tag)
    found = der.fields(der.parse(value)[1])
    code = der.to_int(found[6][1])
    reply = {'reply': 'KRB-ERROR', 'code': code, 'error': ERRORS.get(code, 'KRB5 error %d' % code),
             'text': found[11][1].decode('utf-8', 'replace') if 11 in found else '', 'etype_info': [], 'ntstatus': None}
    if 12 in found:
        _read_e_data(found[12][1], reply)
    return reply


def _read_e_data(e_data, reply):
    """METHOD-DATA (a PA-DATA list) or one KERB-ERROR-DATA: enctypes offered, and the NTSTATUS if any."""
    tag, value, dummy = der.parse(e_data)
    if tag != der.SEQUENCE:
        return
    items = der.children(value)
    entries = [value] if items and items[0][0] == 0xA1 else [body for item_tag, body in items if item_tag == der.SEQUENCE]
    for entry in entries:
        found = der.fields(entry)
        kind, data = der.to_int(found[1][1]), found[2][1] if 2 in found else b''
        if kind == PA_ETYPE_INFO2:
            reply['etype_info'] = [_etype_info2_entry(body) for dummy, body in der.children(der.parse(data)[1])]
        elif kind in (PA_PW_SALT, KERB_ERR_TYPE_EXTENDED) and len(data) == 12:
            reply['ntstatus'] = struct.unpack('<I', data[:4])[0]


def _etype_info2_entry(body):
    found = der.fields(body)
    etype = der.to_int(found[0][1])
    return {'etype': etype, 'name': ETYPES.get(etype, 'etype %d' % etype),
            'salt': found[1][1].decode('utf-8', 'replace') if 1 in found else None,
            's2kparams': found[2][1] if 2 in found else None}
