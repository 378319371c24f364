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
import math
import os
import re
import stat
import unicodedata
from collections.abc import Mapping

_LABEL = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$')
# characters Active Directory refuses in account names (sAMAccountName), and control characters
_ACCOUNT_BAD = re.compile(r'[\x00-\x1f\x7f"/\[\]:;|=,+*?<>]')
ACCOUNT_MAX = 256
PEM_MARK = b'-----BEGIN CERTIFICATE-----'
PATH_SHOWN = 300  # characters of a path shown in a message
CA_FILE_MAX = 4 * 1024 * 1024  # bytes read of a CA file: a bundle of every public CA is about 250 KB
_IPV4_COMPATIBLE = ipaddress.IPv6Network('::/96')
DOMAIN_MAX, LABEL_MAX, NETBIOS_MAX = 253, 63, 15
# the idmap ids TrueNAS accepts (idmap plugin limits)
ID_MIN, ID_MAX = 1000, 2147000000
# (lowest, highest) of every int and float option of every module, by its name in messages (sub-options dotted);
# a value outside, NaN or infinite is refused before anything is sent. Seconds unless said otherwise.
LIMITS = {
    'timeout': (1, 3600),
    'join_timeout': (1, 86400),
    'wait_timeout': (1, 86400),
    'refresh_timeout': (1, 86400),
    'verify_timeout': (0.1, 300),
    'probe_timeout': (0.1, 300),
    'max_clock_skew': (1, 3600),
    'ldaps_expiry_warning_days': (0, 3650),
    'directory.port': (1, 65535),
    'directory.page_size': (1, 100000),
    'directory.timeout': (1, 3600),
    'idmap.builtin.range_low': (ID_MIN, ID_MAX),
    'idmap.builtin.range_high': (ID_MIN, ID_MAX),
    'idmap.domain.range_low': (ID_MIN, ID_MAX),
    'idmap.domain.range_high': (ID_MIN, ID_MAX),
}
# user information in an address: everything up to the last "@" (or its percent-encoded form)
_USERINFO = re.compile(r'^(.*)(@|%40)', re.IGNORECASE)


def shown(value, limit=60):
    """``value`` for an error message: its repr, cut short when huge."""
    text = repr(value)
    return text if len(text) <= limit else '%s...(%d characters)' % (text[:limit], len(value))


def number(value, name, limits=None):
    """A finite int or float from ``LIMITS[name]`` (or ``limits``), both ends included."""
    low, high = limits or LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:  # NaN compares False
        raise ValueError('%s: %s is not a number from %s to %s.' % (name, shown(value), low, high))
    return value


def given_params():
    """The module arguments as Ansible handed them over, before AnsibleModule reads them: by ``_load_params``, the
    function ansible-core names for modules that must see their parameters first (its private state is not read)."""
    from ansible.module_utils import basic
    return basic._load_params()


def _infinite(value):
    try:
        return math.isinf(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def wrong_type(value, secret=False):
    """The type of ``value`` when a string option must refuse it, else None: a list or a dict, which Ansible would
    turn into its string form, and for a secret (a no_log option) any value that is not text (YAML reads an unquoted
    0123 as the number 83, never the password typed)."""
    if isinstance(value, Mapping):
        return 'dict'
    if isinstance(value, (list, tuple, set, frozenset)):
        return 'list'
    if secret:
        return next((kind.__name__ for kind in (bool, int, float) if isinstance(value, kind)), None)
    return None


def text(value):
    """The type ``infinite_as_float`` gives a string option set to what ``wrong_type`` refuses: AnsibleModule then fails
    naming the option and the type it got, never the value."""
    if isinstance(value, str):
        return value
    raise TypeError('its string form is never sent; give the value as a quoted string')


def wrong_types(values, spec):
    """One message per variable of ``values`` ({name: value}) that a string option of ``spec`` (or one element of a
    list of strings) must refuse by ``wrong_type``, naming the variable and the type it got, never the value."""
    problems = []
    for name, value in sorted((values or {}).items()):
        option = spec.get(name) or {}
        if option.get('type', 'str') == 'str':
            found = [(name, wrong_type(value, option.get('no_log')))]
        elif option.get('type') == 'list' and option.get('elements') == 'str' and isinstance(value, list):
            found = [('%s[%d]' % (name, index), wrong_type(item)) for index, item in enumerate(value)]
        else:
            found = []
        problems += ['%s: of type %s, not a string; give it as a quoted string.' % (where, kind) for where, kind in found if kind]
    return problems


def infinite_as_float(given, spec):
    """``spec`` as AnsibleModule must read ``given`` (or the environment fallbacks) to refuse bad values by name. An int
    option set to an infinite number is typed float: Ansible cannot turn infinity into an int (OverflowError, naming no
    option); as a float it reaches ``numbers``, which refuses it by name. A str option set to what ``wrong_type``
    refuses is typed ``text``: Ansible would send its string form (a list as a password)."""
    result = dict(spec)
    for key, option in spec.items():
        value = given.get(key) if isinstance(given, dict) else None
        if value is None and len(option.get('fallback') or ()) == 2:
            value = next((os.environ[name] for name in option['fallback'][1] if name in os.environ), None)
        if option.get('type') == 'int' and _infinite(value):
            result[key] = dict(option, type='float')
        elif option.get('type', 'str') == 'str' and wrong_type(value, option.get('no_log')):
            result[key] = dict(option, type=text)
        elif option.get('type') == 'dict' and option.get('options') and isinstance(value, dict):
            result[key] = dict(option, options=infinite_as_float(value, option['options']))
    return result


def numbers(params, spec, prefix=''):
    """Check every int and float option of ``spec`` that ``params`` sets, sub-options included, by ``number``."""
    for key, option in spec.items():
        value = (params or {}).get(key)
        if value is None:
            continue
        name = prefix + key
        if option.get('type') in ('int', 'float'):
            number(value, name)
        elif option.get('options') and option.get('type') == 'dict':
            numbers(value, option['options'], name + '.')


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


def managed_domain(value, name):
    """The managed domain's DNS name: a domain whose first label, the domain's NetBIOS name, has at most 15 characters."""
    text = domain_name(value, name)
    prefix = text.split('.')[0]
    if len(prefix) > NETBIOS_MAX:
        raise ValueError('%s: the prefix %r of %s is %d characters; Entra Domain Services takes it as the NetBIOS name of '
                         'the domain, which has at most %d.' % (name, prefix, shown(value), len(prefix), NETBIOS_MAX))
    return text


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


def _authority(text):
    """The part of an address between ``scheme://`` and the path, query or fragment."""
    return re.split(r'[/?#\\]', text.split('://', 1)[-1], maxsplit=1)[0]


def has_credentials(text):
    """True when the address ``text`` holds user information (``user:key@``), plain or percent-encoded."""
    return bool(isinstance(text, str) and _USERINFO.match(_authority(text)))


def redacted(text):
    """``text`` with its user information, if any, replaced by asterisks (anything but text as it is)."""
    if not has_credentials(text):
        return text
    authority = _authority(text)
    return text.replace(authority, _USERINFO.sub('********@', authority), 1)


def ca_file(value, name, directory=True):
    """A CA certificate file in PEM form (or, when ``directory``, a directory of them), checked before TLS reads it."""
    try:
        mode = os.stat(value).st_mode
    except (OSError, TypeError, ValueError) as exc:
        raise ValueError('%s: %s cannot be read (%s).' % (name, shown(value, PATH_SHOWN), getattr(exc, 'strerror', None) or exc))
    if stat.S_ISDIR(mode) and directory:
        return value
    if not stat.S_ISREG(mode):
        raise ValueError('%s: %s is not a regular file (a directory, device, FIFO or socket); give the CA certificate '
                         'file (PEM).' % (name, shown(value, PATH_SHOWN)))
    try:
        with open(value, 'rb') as handle:
            head = handle.read(CA_FILE_MAX)
    except OSError as exc:
        raise ValueError('%s: %s cannot be read (%s).' % (name, shown(value, PATH_SHOWN), exc.strerror))
    if PEM_MARK not in head:
        raise ValueError('%s: %s is not a certificate file: it holds no PEM certificate (%s); give the CA certificate '
                         'in PEM form.' % (name, shown(value, PATH_SHOWN), PEM_MARK.decode()))
    return value
