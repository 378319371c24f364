# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_join input: the desired directory settings, validated before anything is sent.

PRIVATE to the collection. Pure functions; ValueError names the parameter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nasjoin.entra.plugins.module_utils import _validate

# TrueNAS defaults (directoryservices model 25.10; idmap rows on fresh installs)
DEFAULT_BUILTIN = (90000001, 100000000)
DEFAULT_DOMAIN = (100000001, 200000000)
ID_MIN, ID_MAX, MIN_SPAN = _validate.ID_MIN, _validate.ID_MAX, 10000
_NETBIOS = re.compile(r'^(?![0-9]*$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$')
_OU_PART = re.compile(r'^[^/\\,=+<>#;"\x00-\x1f]+$')
_SITE = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$')
INSTALLER_HOSTNAME = 'truenas'  # every NAS is named so until renamed


def netbios_name(value, name='hostname'):
    """A NetBIOS/host name TrueNAS and AD accept: 1-15 letters, digits, hyphens, not all digits."""
    text = (value or '').strip()
    if len(text) > 15:
        raise ValueError('%s: %s is %d characters; NetBIOS names (the computer account name) may not exceed 15.'
                         % (name, _validate.shown(value), len(text)))
    if not _NETBIOS.match(text):
        raise ValueError('%s: %s is not a valid NetBIOS name (letters, digits and inner hyphens, not only digits).'
                         % (name, _validate.shown(value)))
    return text


def computer_ou(value):
    """A slash-separated OU path below the domain (``AADDC Computers/NAS``), or None for the default."""
    if value is None or value.strip() == '':
        return None
    text = value.strip().strip('/')
    if text.lower() == 'computers':
        raise ValueError('computer_account_ou: "Computers" is not an OU: Samba turns it into CN=Computers, which Entra '
                         'Domain Services does not use. Leave computer_account_ou unset for the default, OU=AADDC Computers.')
    parts = text.split('/')
    if any(part.strip() in ('', '.', '..') or not _OU_PART.match(part) for part in parts):
        raise ValueError('computer_account_ou: %s is not an OU path: give OU names separated by "/", outermost first, '
                         'for example "AADDC Computers/NAS" (no DN syntax, no "..").' % _validate.shown(value))
    return '/'.join(part.strip() for part in parts)


def id_range(value, name, default):
    """(low, high) from ``{range_low, range_high}``, checked against TrueNAS's limits."""
    value = value or {}
    low = value.get('range_low', default[0])
    high = value.get('range_high', default[1])
    if not (ID_MIN <= low < high <= ID_MAX):
        raise ValueError('%s: range %s-%s must satisfy %d <= range_low < range_high <= %d.' % (name, low, high, ID_MIN, ID_MAX))
    if high - low + 1 < MIN_SPAN:
        raise ValueError('%s: range %s-%s holds %d ids; TrueNAS needs at least %d.' % (name, low, high, high - low + 1, MIN_SPAN))
    return low, high


def overlap(first, second):
    """True when the id ranges ``(low, high)`` share an id."""
    return first[0] <= second[1] and second[0] <= first[1]


def idmap(params):
    """The builtin and domain ranges, refusing overlaps."""
    options = params or {}
    builtin = id_range(options.get('builtin'), 'idmap.builtin', DEFAULT_BUILTIN)
    domain = id_range(options.get('domain'), 'idmap.domain', DEFAULT_DOMAIN)
    if overlap(builtin, domain):
        raise ValueError('idmap: the builtin range %d-%d and the domain range %d-%d overlap; ids would map to two '
                         'accounts.' % (builtin + domain))
    return {'builtin': builtin, 'domain': domain, 'backend': (options.get('domain') or {}).get('backend', 'RID')}


def site(value):
    """An Active Directory site name (a DNS label), or None to let TrueNAS detect the site."""
    text = (value or '').strip()
    if text and not _SITE.match(text):
        raise ValueError('site: %s is not an Active Directory site name (1-63 letters, digits and inner hyphens, as '
                         'Default-First-Site-Name).' % _validate.shown(value))
    return text or None


def admin_group(value):
    """A group name without its domain (``AAD DC Administrators``), or None."""
    if value is None:
        return None
    text = _validate.account_name(value, 'admin_group')
    if '\\' in text or '@' in text:
        raise ValueError('admin_group: %s names a domain; give the group name alone, e.g. "AAD DC Administrators".'
                         % _validate.shown(value))
    return text


def checked_params(params):
    """Checks of the parameters that are not settings: admin_group, the leave credential's user."""
    admin_group(params.get('admin_group'))
    creds = params.get('leave_credentials')
    if creds:
        username(creds['username'], desired_domain(params) or '<domain>', 'leave_credentials.username')


def desired(params):
    """Everything ad_join will compare and send, from the module parameters."""
    settings = {
        'domain': desired_domain(params),
        'hostname': netbios_name(params['hostname']) if params.get('hostname') else None,
        'computer_account_ou': computer_ou(params.get('computer_account_ou')),
        'site': site(params.get('site')),
        'enable_dns_updates': bool(params.get('enable_dns_updates')),
        'idmap': idmap(params.get('idmap')),
    }
    if settings['domain'] is None:
        raise ValueError('domain: give the managed domain\'s DNS name; state=present needs it.')
    if params.get('username'):
        settings['username'] = kerberos_name(params['username'], settings['domain'])
    return settings


def desired_domain(params):
    """The domain named in the parameters, normalised, or None when not given."""
    return _validate.managed_domain(params['domain'], 'domain') if params.get('domain') is not None else None


def username(value, domain, name='username'):
    """A user name as given (UPN or bare sAMAccountName), refusing what no Kerberos principal holds."""
    text = _validate.plain_text(value, name)
    if not text or len(text) > _validate.ACCOUNT_MAX or any(char in text for char in '\\/:;|=,+*?<>"[]') \
            or re.search(r'[\x00-\x1f\x7f]', text):
        raise ValueError('%s: %s is not a user name; give the UPN, e.g. admin@%s.' % (name, _validate.shown(value), domain))
    if text.count('@') > 1:
        raise ValueError('%s: %s has more than one "@".' % (name, _validate.shown(value)))
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
