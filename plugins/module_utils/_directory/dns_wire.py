# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Just enough of the DNS message format (RFC 1035, SRV from RFC 2782) for the A and SRV questions of the probes.

PRIVATE to the collection. One question per message, no EDNS; answers are read with name
compression, CNAMEs in the answer section are followed, and records come back as the text a zone
file holds (``192.0.2.1``, ``0 100 389 dc1.example.com.``). Anything malformed raises WireError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct

TYPES = {'A': 1, 'SOA': 6, 'SRV': 33}  # SOA only asked (the UDP 53 probe counts the answer's bytes), never read
CNAME, IN = 5, 1
RCODES = {0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED'}
TRUNCATED, RESPONSE = 0x0200, 0x8000
MAX_CNAMES = 16


class WireError(ValueError):
    """A message that is not a well-formed answer."""


def encode_name(name):
    """``name`` (dotted text, trailing dot optional) in wire form; WireError when it cannot be one."""
    labels = name.rstrip('.').split('.') if name.strip('.') else []
    try:
        encoded = [label.encode('ascii') for label in labels]
    except UnicodeEncodeError:
        raise WireError('%r is not an ASCII name' % name)
    if any(not 0 < len(label) < 64 for label in encoded) or sum(len(label) + 1 for label in encoded) > 254:
        raise WireError('%r is not a valid DNS name' % name)
    return b''.join(struct.pack('B', len(label)) + label for label in encoded) + b'\x00'


def random_id():
    """A message id no one can guess (RFC 5452)."""
    return struct.unpack('>H', os.urandom(2))[0]


def question(ident, name, rdtype):
    """A query for ``name``/``rdtype`` (a key of TYPES), recursion desired."""
    return struct.pack('>HHHHHH', ident, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack('>HH', TYPES[rdtype], IN)


def _name(message, offset):
    """The name at ``offset`` as lower-case-preserving dotted text with a trailing dot, and the offset after it."""
    labels, end, hops = [], None, 0
    while True:
        if offset >= len(message):
            raise WireError('name runs past the end of the message')
        size = message[offset]
        if size & 0xC0 == 0xC0:  # a pointer to an earlier name
            if offset + 1 >= len(message) or hops > 64:
                raise WireError('bad compression pointer')
            end = offset + 2 if end is None else end
            offset, hops = struct.unpack('>H', message[offset:offset + 2])[0] & 0x3FFF, hops + 1
        elif size & 0xC0:
            raise WireError('unknown label type')
        elif size == 0:
            return '.'.join(labels) + '.', offset + 1 if end is None else end
        else:
            label = message[offset + 1:offset + 1 + size]
            if len(label) != size or any(byte in b'.\\' or not 32 < byte < 127 for byte in label):
                raise WireError('a name holds a label that is not plain text')
            labels.append(label.decode('ascii'))
            offset += 1 + size


def _text(message, rdtype, offset, size):
    rdata = message[offset:offset + size]
    if rdtype == TYPES['A'] and size == 4:
        return '%d.%d.%d.%d' % struct.unpack('4B', rdata)
    if rdtype == TYPES['SRV'] and size > 6:
        target, end = _name(message, offset + 6)
        if end != offset + size:
            raise WireError('SRV record of the wrong length')
        return '%d %d %d %s' % (struct.unpack('>HHH', rdata[:6]) + (target,))
    if rdtype == CNAME:
        target, end = _name(message, offset)
        if end != offset + size:
            raise WireError('CNAME record of the wrong length')
        return target
    raise WireError('record of type %d has %d bytes' % (rdtype, size))


def truncated(message, ident):
    """Is ``message`` the reply with id ``ident``, cut short to fit a datagram (ask again over TCP)?"""
    if len(message) < 12:
        return False
    got_id, flags = struct.unpack('>HH', message[:4])
    return got_id == ident and flags & (RESPONSE | TRUNCATED) == RESPONSE | TRUNCATED


def answer(message, ident, name, rdtype):
    """The reply to question(ident, name, rdtype) in ``message``: (rcode name, [record text]), the records of the
    final name after any CNAMEs; None when ``message`` is not that reply (another id or question: keep waiting)."""
    if len(message) < 12:
        return None
    got_id, flags, count, answers = struct.unpack('>HHHH', message[:8])
    if got_id != ident or not flags & RESPONSE or count != 1:
        return None
    wanted = name.rstrip('.').lower() + '.'
    asked, offset = _name(message, 12)
    if asked.lower() != wanted or message[offset:offset + 4] != struct.pack('>HH', TYPES[rdtype], IN):
        return None
    offset += 4
    records = []
    for dummy in range(answers):
        owner, offset = _name(message, offset)
        if offset + 10 > len(message):
            raise WireError('record runs past the end of the message')
        kind, klass, dummy_ttl, size = struct.unpack('>HHIH', message[offset:offset + 10])
        offset += 10
        if offset + size > len(message):
            raise WireError('record runs past the end of the message')
        if klass == IN and kind in (TYPES[rdtype], CNAME):
            records.append((owner.lower(), kind, _text(message, kind, offset, size)))
        offset += size
    for dummy in range(MAX_CNAMES):
        found = [text for owner, kind, text in records if owner == wanted and kind == TYPES[rdtype]]
        alias = [text for owner, kind, text in records if owner == wanted and kind == CNAME]
        if found or not alias:
            return RCODES.get(flags & 0x0F, 'RCODE %d' % (flags & 0x0F)), found
        wanted = alias[0].lower()
    raise WireError('more than %d CNAMEs' % MAX_CNAMES)
