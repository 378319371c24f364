# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names of the managed domain and its accounts: NetBIOS names (the domain's, a computer's), the managed
domain's DNS name, user names and the Kerberos names TrueNAS authenticates with.

PRIVATE to the collection. Each check returns the normalised name or raises ValueError naming the parameter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nasjoin.entra.plugins.module_utils._values import ACCOUNT_MAX, domain_name, plain_text, shown

NETBIOS_MAX = 15
_NETBIOS = re.compile(r'^(?![0-9]*$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$')
INSTALLER_HOSTNAME = 'truenas'  # every NAS is named so until renamed


def managed_domain(value, name):
    """The managed domain's DNS name: a domain whose first label, the domain's NetBIOS name, has at most 15 characters."""
    text = domain_name(value, name)
    prefix = text.split('.')[0]
    if len(prefix) > NETBIOS_MAX:
        raise ValueError('%s: the prefix %r of %s is %d characters; Entra Domain Services takes it as the NetBIOS name of '
                         'the domain, which has at most %d.' % (name, prefix, shown(value), len(prefix), NETBIOS_MAX))
    return text


def netbios_domain(domain):
    """Entra DS's default NetBIOS name, the first label of the managed domain: what to expect before a join; a joined
    NAS knows the real one (directory_api ``netbios_domain``)."""
    return domain.split('.')[0].upper()


def netbios_name(value, name='hostname'):
    """A NetBIOS/host name TrueNAS and AD accept: 1-15 letters, digits, hyphens, not all digits."""
    text = (value or '').strip()
    if len(text) > 15:
        raise ValueError('%s: %s is %d characters; NetBIOS names (the computer account name) may not exceed 15.'
                         % (name, shown(value), len(text)))
    if not _NETBIOS.match(text):
        raise ValueError('%s: %s is not a valid NetBIOS name (letters, digits and inner hyphens, not only digits).'
                         % (name, shown(value)))
    return text


def username(value, domain, name='username'):
    """A user name as given (UPN or bare sAMAccountName), refusing what no Kerberos principal holds."""
    text = plain_text(value, name)
    if not text or len(text) > ACCOUNT_MAX or any(char in text for char in '\\/:;|=,+*?<>"[]') \
            or re.search(r'[\x00-\x1f\x7f]', text):
        raise ValueError('%s: %s is not a user name; give the UPN, e.g. admin@%s.' % (name, shown(value), domain))
    if text.count('@') > 1:
        raise ValueError('%s: %s has more than one "@".' % (name, shown(value)))
    return text


def kerberos_name(value, domain):
    """The user's Kerberos name without the realm, for TrueNAS's join credential.

    TrueNAS authenticates as ``<name>@<REALM>`` (realm upper case: MIT Kerberos refuses the KDC's
    reply to a lower-case realm). A UPN whose suffix is not the managed domain would need an
    enterprise principal, which TrueNAS does not send.
    """
    name, dummy, suffix = username(value, domain).partition('@')
    if suffix and suffix.lower() != domain:
        raise ValueError('username: the UPN suffix of %r is not the managed domain %s; TrueNAS authenticates as '
                         '<name>@%s, so give the sAMAccountName (or a UPN in %s) of that user.'
                         % (value, domain, domain.upper(), domain))
    return name
