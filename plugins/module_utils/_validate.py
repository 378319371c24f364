# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks shared by the modules, run before anything is sent to the NAS.

PRIVATE to the collection. Each function returns the normalised value or raises
``ValueError`` with a message that names the parameter and says what is wrong.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

_LABEL = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$')
# characters Active Directory refuses in account names (sAMAccountName), and control characters
_ACCOUNT_BAD = re.compile(r'[\x00-\x1f\x7f"/\[\]:;|=,+*?<>]')
ACCOUNT_MAX = 256


def shown(value, limit=60):
    """``value`` for an error message: its repr, cut short when huge."""
    text = repr(value)
    return text if len(text) <= limit else '%s...(%d characters)' % (text[:limit], len(value))


def positive(value, name):
    """A number of seconds or items that must be above zero."""
    if value is None or value <= 0:
        raise ValueError('%s: %s is not a positive number.' % (name, value))
    return value


def account_name(value, name):
    """A user or group name as the NAS looks it up (``name``, ``DOMAIN\\name`` or a UPN)."""
    text = (value or '').strip()
    if not text or len(text) > ACCOUNT_MAX or _ACCOUNT_BAD.search(text) or text.count('\\') > 1 or text.count('@') > 1:
        raise ValueError('%s: %s is not a user or group name: 1-%d characters, none of "/[]:;|=,+*?<> or control '
                         'characters, at most one \\ and one @.' % (name, shown(value), ACCOUNT_MAX))
    return text


def nameserver(value, name):
    """A unicast IP address TrueNAS accepts as a nameserver (global_config.py rules)."""
    text = (value or '').strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError('%s: %s is not an IP address.' % (name, shown(value)))
    if address.is_loopback or address.is_unspecified or address.is_link_local or address.is_multicast \
            or text == '255.255.255.255':
        raise ValueError('%s: %s is a loopback, unspecified, link-local, multicast or broadcast address; '
                         'use the IP address of a domain controller.' % (name, text))
    return address.compressed


def ipv4_address(value, name):
    try:
        return ipaddress.IPv4Address((value or '').strip()).compressed
    except ValueError:
        raise ValueError('%s: %s is not an IPv4 address.' % (name, shown(value)))


def domain_name(value, name):
    """A DNS domain of two or more ASCII labels, lower-cased, without the trailing dot."""
    text = (value or '').strip()
    if text.endswith('.'):
        text = text[:-1]
    if not text:
        raise ValueError('%s must not be empty.' % name)
    try:
        text.encode('ascii')
    except UnicodeEncodeError:
        raise ValueError('%s: %s has non-ASCII characters; give the ASCII (xn--) form of the name.' % (name, shown(value)))
    labels = text.split('.')
    if len(text) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError('%s: %s is not a valid DNS domain name (two or more labels of letters, digits and '
                         'hyphens, each 1-63 characters, 253 in all).' % (name, shown(value)))
    return text.lower()


def unique(values, name):
    """Refuse a list that names the same value twice."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError('%s lists %s twice.' % (name, value))
        seen.add(value)
    return values
