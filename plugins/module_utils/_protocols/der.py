# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just enough ASN.1 DER/BER for the Kerberos and LDAP messages of the preflight probes.

PRIVATE to the collection. Definite lengths and low tag numbers only, which is all that
Kerberos (RFC 4120) and LDAP (RFC 4511) servers send for these messages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

BOOLEAN, INTEGER, BIT_STRING, OCTET_STRING, ENUMERATED = 0x01, 0x02, 0x03, 0x04, 0x0A
GENERALIZED_TIME, GENERAL_STRING, SEQUENCE = 0x18, 0x1B, 0x30


def _length(size):
    if size < 0x80:
        return bytearray([size])
    octets = size.to_bytes((size.bit_length() + 7) // 8, 'big')
    return bytearray([0x80 | len(octets)]) + octets


def tlv(tag, body):
    """One element: tag byte, length, ``body``."""
    return bytes(bytearray([tag]) + _length(len(body)) + body)


def explicit(number, body):
    """``[number]`` EXPLICIT (context-specific, constructed) around the encoded ``body``."""
    return tlv(0xA0 | number, body)


def sequence(*items):
    return tlv(SEQUENCE, b''.join(items))


def integer(value, tag=INTEGER):
    return tlv(tag, value.to_bytes(max(1, (value.bit_length() + 8) // 8), 'big', signed=True))


def octets(value, tag=OCTET_STRING):
    return tlv(tag, value if isinstance(value, bytes) else value.encode('utf-8'))


def parse(data, offset=0):
    """The element at ``offset``: (tag, value bytes, offset after it); ValueError when cut short."""
    if offset + 2 > len(data):
        raise ValueError('truncated element')
    tag, size = data[offset], data[offset + 1]
    offset += 2
    if size & 0x80:
        count = size & 0x7F
        if not 0 < count <= 4 or offset + count > len(data):
            raise ValueError('bad length')
        size = int.from_bytes(data[offset:offset + count], 'big')
        offset += count
    if offset + size > len(data):
        raise ValueError('truncated element')
    return tag, data[offset:offset + size], offset + size


def complete(data):
    """Length of the first element of ``data`` once all of it has arrived, else None."""
    try:
        return parse(data)[2]
    except ValueError:
        return None


def children(value):
    """The elements inside a constructed ``value``, as (tag, value) pairs."""
    items, offset = [], 0
    while offset < len(value):
        tag, body, offset = parse(value, offset)
        items.append((tag, body))
    return items


def fields(value):
    """A SEQUENCE body of ``[n]`` EXPLICIT fields as {n: (inner tag, inner value)}."""
    found = {}
    for tag, body in children(value):
        inner_tag, inner, dummy = parse(body)
        found[tag & 0x1F] = (inner_tag, inner)
    return found


def to_int(value):
    return int.from_bytes(value, 'big', signed=True)
