# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Value checks shared by the modules, run before anything is sent: each returns the normalised value or raises
ValueError with a message that names the parameter and says what is wrong.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
import unicodedata

_LABEL = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$')

# characters Active Directory refuses in account names (sAMAccountName), and control characters
_ACCOUNT_BAD = re.compile(r'[\x00-\x1f\x7f"/\[\]:;|=,+*?<>]')

ACCOUNT_MAX = 256

_IPV4_COMPATIBLE = ipaddress.IPv6Network('::/96')

DOMAIN_MAX, LABEL_MAX = 253, 63


def shown(value, limit=60):
    """``value`` for an error message: its repr, cut short when huge."""
    text = repr(value)
    return text if len(text) <= limit else '%s...(%d characters)' % (text[:limit], len(value))


def plain_text(value, name):
    """``value`` stripped, refusing invisible characters (zero-width, direction marks) and compatibility forms (full-width
    or styled letters, such as a full-width "@"), which look like other names than the ones they are."""
    text = value.strip() if isinstance(value, str) else ''
    if any(unicodedata.category(char) == 'Cf' for char in text) or unicodedata.normalize('NFKC', text) != text:
        raise ValueError('%s: %s has invisible (zero-width, direction) or look-alike (full-width, styled) characters; '
                         'type the name plainly.' % (name, shown(value)))
    return text


def account_name(value, name):
    """A user or group name as the NAS looks it up (``name``, ``DOMAIN\\name`` or a UPN)."""
    text = plain_text(value, name)
    if not text or len(text) > ACCOUNT_MAX or _ACCOUNT_BAD.search(text) or text.count('\\') > 1 or text.count('@') > 1:
        raise ValueError('%s: %s is not a user or group name: 1-%d characters, none of "/[]:;|=,+*?<> or control '
                         'characters, at most one \\ and one @.' % (name, shown(value), ACCOUNT_MAX))
    return text


def ip_address(value, name):
    """An IP address without a zone id; an IPv4-mapped IPv6 address (``::ffff:198.51.100.10``) becomes its IPv4 form,
    so that every rule and every comparison sees one spelling of each address."""
    text = value.strip() if isinstance(value, str) else ''
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError('%s: %s is not an IP address.' % (name, shown(value)))
    if getattr(address, 'scope_id', None) is not None:
        raise ValueError('%s: %s has a zone id (%%%s); give the address alone.' % (name, shown(value), address.scope_id))
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    if address.version == 6 and address in _IPV4_COMPATIBLE and int(address) > 1:
        raise ValueError('%s: %s is a deprecated IPv4-compatible IPv6 address; give the IPv4 address.' % (name, shown(value)))
    return address


def nameserver(value, name):
    """A unicast IP address TrueNAS accepts as a nameserver (global_config.py rules), in its canonical form."""
    address = ip_address(value, name)
    if address.is_loopback or address.is_unspecified or address.is_link_local or address.is_multicast \
            or address == ipaddress.IPv4Address('255.255.255.255'):
        given = value.strip()
        raise ValueError('%s: %s is a loopback, unspecified, link-local, multicast or broadcast address; use the IP '
                         'address of a domain controller.' % (name, given if given == address.compressed
                                                              else '%s (%s)' % (given, address.compressed)))
    return address.compressed


def server(value, name):
    """A server given by host name or by address (address rules as for a nameserver), normalised."""
    text = value.strip() if isinstance(value, str) else ''
    try:
        ipaddress.ip_address(text.split('%')[0])
    except ValueError:
        return host_name(value, name)
    return nameserver(text, name)


def ipv4_address(value, name):
    """An IPv4 address; its IPv4-mapped IPv6 form is taken too."""
    address = ip_address(value, name)
    if address.version != 4:
        raise ValueError('%s: %s is not an IPv4 address.' % (name, shown(value)))
    return address.compressed


def host_name(value, name, min_labels=1):
    """A DNS name of ASCII labels (each at most 63 characters, 253 in all), lower-cased, without the trailing dot."""
    text = value.strip() if isinstance(value, str) else ''
    if text.endswith('.'):
        text = text[:-1]
    if not text:
        raise ValueError('%s must not be empty.' % name)
    try:
        text.encode('ascii')
    except UnicodeEncodeError:
        raise ValueError('%s: %s has non-ASCII characters (look-alike, zero-width or accented letters); give the ASCII '
                         '(xn--) form of the name.' % (name, shown(value)))
    if len(text) > DOMAIN_MAX:
        raise ValueError('%s: %s is %d characters; a DNS name has at most %d.' % (name, shown(value), len(text), DOMAIN_MAX))
    labels = text.split('.')
    for label in labels:
        if len(label) > LABEL_MAX:
            raise ValueError('%s: %s has a label of %d characters; a DNS label has at most %d.'
                             % (name, shown(value), len(label), LABEL_MAX))
    if len(labels) < min_labels or not all(_LABEL.match(label) for label in labels):
        raise ValueError('%s: %s is not a valid DNS %s (%s of letters, digits and inner hyphens, each 1-%d '
                         'characters, %d in all).' % (name, shown(value), 'domain name' if min_labels > 1 else 'name',
                                                      'two or more labels' if min_labels > 1 else 'labels', LABEL_MAX, DOMAIN_MAX))
    return text.lower()


def domain_name(value, name):
    """A DNS domain of two or more ASCII labels, lower-cased, without the trailing dot."""
    return host_name(value, name, min_labels=2)


def unique(values, name, fold=False):
    """Refuse a list that names the same value twice (with ``fold``, ignoring case, as directory names do)."""
    seen = set()
    for value in values:
        key = value.casefold() if fold else value
        if key in seen:
            raise ValueError('%s lists %s twice%s.' % (name, value, ' (names are not case-sensitive)' if fold else ''))
        seen.add(key)
    return values


def at_most(values, name, limit):
    """Refuse a list longer than ``limit``."""
    if len(values or ()) > limit:
        raise ValueError('%s: %d entries; give at most %d.' % (name, len(values), limit))
    return values
