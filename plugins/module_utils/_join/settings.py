# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_join input: the desired directory settings, validated before anything is sent.

PRIVATE to the collection. Pure functions; ValueError names the parameter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nasjoin.entra.plugins.module_utils import _idmap, _names, _values

_OU_PART = re.compile(r'^[^/\\,=+<>#;"\x00-\x1f]+$')
_SITE = re.compile(r'^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$')


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
                         'for example "AADDC Computers/NAS" (no DN syntax, no "..").' % _values.shown(value))
    return '/'.join(part.strip() for part in parts)


def idmap(params):
    """The builtin and domain ranges, refusing overlaps."""
    options = params or {}
    builtin = _idmap.id_range(options.get('builtin'), 'idmap.builtin', _idmap.DEFAULT_BUILTIN)
    domain = _idmap.id_range(options.get('domain'), 'idmap.domain', _idmap.DEFAULT_DOMAIN)
    if _idmap.overlap(builtin, domain):
        raise ValueError('idmap: the builtin range %d-%d and the domain range %d-%d overlap; ids would map to two '
                         'accounts.' % (builtin + domain))
    return {'builtin': builtin, 'domain': domain, 'backend': (options.get('domain') or {}).get('backend', 'RID')}


def site(value):
    """An Active Directory site name (a DNS label), or None to let TrueNAS detect the site."""
    text = (value or '').strip()
    if text and not _SITE.match(text):
        raise ValueError('site: %s is not an Active Directory site name (1-63 letters, digits and inner hyphens, as '
                         'Default-First-Site-Name).' % _values.shown(value))
    return text or None


def admin_group(value):
    """A group name without its domain (``AAD DC Administrators``), or None."""
    if value is None:
        return None
    text = _values.account_name(value, 'admin_group')
    if '\\' in text or '@' in text:
        raise ValueError('admin_group: %s names a domain; give the group name alone, e.g. "AAD DC Administrators".'
                         % _values.shown(value))
    return text


def checked_params(params):
    """Checks of the parameters that are not settings: admin_group, the leave credential's user."""
    admin_group(params.get('admin_group'))
    creds = params.get('leave_credentials')
    if creds:
        _names.username(creds['username'], desired_domain(params) or '<domain>', 'leave_credentials.username')


def desired(params):
    """Everything ad_join will compare and send, from the module parameters."""
    settings = {
        'domain': desired_domain(params),
        'hostname': _names.netbios_name(params['hostname']) if params.get('hostname') else None,
        'computer_account_ou': computer_ou(params.get('computer_account_ou')),
        'site': site(params.get('site')),
        'enable_dns_updates': bool(params.get('enable_dns_updates')),
        'idmap': idmap(params.get('idmap')),
    }
    if settings['domain'] is None:
        raise ValueError('domain: give the managed domain\'s DNS name; state=present needs it.')
    if params.get('username'):
        settings['username'] = _names.kerberos_name(params['username'], settings['domain'])
    return settings


def desired_domain(params):
    """The domain named in the parameters, normalised, or None when not given."""
    return _names.managed_domain(params['domain'], 'domain') if params.get('domain') is not None else None
