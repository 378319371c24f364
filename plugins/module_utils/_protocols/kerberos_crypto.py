# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AES Kerberos keys and encryption (RFC 3961, RFC 3962), for one pre-authenticated AS-REQ.

PRIVATE to the collection. Only aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18):
the enctypes Entra Domain Services keeps once RC4 is gone. Needs ``cryptography`` for AES.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import importlib
import importlib.util
import math
import os

# importing cryptography is costly (bench/results): look for it now, import it on the first encryption only (a preflight
# without the credential check never encrypts).
HAS_CRYPTOGRAPHY = importlib.util.find_spec('cryptography') is not None

KEY_SIZES = {17: 16, 18: 32}
BLOCK = 16
DEFAULT_ITERATIONS = 4096


def nfold(data, size):
    """RFC 3961 n-fold of ``data`` to ``size`` bytes."""
    length, bits = len(data), len(data) * 8
    value = int.from_bytes(data, 'big')
    mask = (1 << bits) - 1
    common = size * length // math.gcd(size, length)
    stream = b''.join((((value >> shift) | (value << (bits - shift))) & mask).to_bytes(length, 'big')
                      for shift in (13 * copy % bits for copy in range(common // length)))
    total, limit = 0, (1 << size * 8) - 1
    for start in range(0, common, size):
        total += int.from_bytes(stream[start:start + size], 'big')
        total = (total & limit) + (total >> size * 8)  # ones' complement: carry wraps around
    return total.to_bytes(size, 'big')


def _aes_cbc(key, data):
    ciphers = importlib.import_module('cryptography.hazmat.primitives.ciphers')
    encryptor = ciphers.Cipher(ciphers.algorithms.AES(key), ciphers.modes.CBC(b'\x00' * BLOCK)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def derive(key, constant):
    """DK(key, constant): AES-encrypt n-fold(constant) repeatedly until a key's length is there."""
    block, out = nfold(constant, BLOCK), b''
    while len(out) < len(key):
        block = _aes_cbc(key, block)
        out += block
    return out[:len(key)]


def string_to_key(etype, password, salt, s2kparams=None):
    """The long-term key of ``password`` with the KDC's ``salt`` (and iteration count, when it gives one)."""
    iterations = int.from_bytes(s2kparams, 'big') if s2kparams else DEFAULT_ITERATIONS
    seed = hashlib.pbkdf2_hmac('sha1', password.encode('utf-8'), salt.encode('utf-8'), iterations, KEY_SIZES[etype])
    return derive(seed, b'kerberos')


def cts_encrypt(key, data):
    """AES-CBC with ciphertext stealing, last two blocks swapped (RFC 3962); ``data`` is over one block."""
    padded = data + b'\x00' * (-len(data) % BLOCK)
    cipher = _aes_cbc(key, padded)
    if len(data) == BLOCK:
        return cipher
    tail = len(data) - BLOCK * ((len(padded) // BLOCK) - 1)
    return cipher[:-2 * BLOCK] + cipher[-BLOCK:] + cipher[-2 * BLOCK:-BLOCK][:tail]


def encrypt(key, usage, plaintext, confounder=None):
    """Encrypt ``plaintext`` for key usage ``usage``: a random confounder, AES-CTS, HMAC-SHA1-96."""
    prefix = usage.to_bytes(4, 'big')
    basic = (confounder or os.urandom(BLOCK)) + plaintext
    checksum = hmac.new(derive(key, prefix + b'\x55'), basic, hashlib.sha1).digest()[:12]
    return cts_encrypt(derive(key, prefix + b'\xaa'), basic) + checksum
