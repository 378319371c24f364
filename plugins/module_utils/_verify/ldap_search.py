# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The managed domain's own view of its accounts, over LDAPS with ldap3 (paged, streamed).

PRIVATE to the collection. TrueNAS ships no ldap3, so on the NAS the comparison needs it installed;
the import is guarded (HAS_LDAP3) and only a task that asks for the comparison needs it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

try:
    import ldap3
    from ldap3.protocol.formatters.formatters import format_sid
except ImportError:
    HAS_LDAP3 = False
else:
    HAS_LDAP3 = True

NICKNAME = 'msDS-AzureADMailNickname'
ATTRIBUTES = ['sAMAccountName', 'userPrincipalName', NICKNAME, 'objectSid', 'objectClass']
ACCOUNTS = '(|(&(objectCategory=person)(objectClass=user))(objectClass=group))'


def domain_dn(domain):
    return ','.join('DC=%s' % label for label in domain.split('.'))


def _first(entry, name):
    values = entry['attributes'].get(name)
    if isinstance(values, list):
        return values[0] if values else None
    return values or None


class Directory:
    """A read-only LDAPS connection to the managed domain, bound as ``username``."""

    def __init__(self, domain, options):
        self.domain = domain
        self.base = options.get('base') or 'OU=AADDC Users,%s' % domain_dn(domain)
        self.page_size = options['page_size']
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=options.get('ca_path'))  # Python's default context
        servers = [ldap3.Server(host, port=options['port'], use_ssl=True, tls=tls, get_info=ldap3.NONE,
                                connect_timeout=options['timeout']) for host in options.get('servers') or [domain]]
        self.conn = ldap3.Connection(ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True),
                                     user=options['username'], password=options['password'], read_only=True,
                                     receive_timeout=options['timeout'], raise_exceptions=True)

    def __enter__(self):
        self.conn.bind()
        return self

    def __exit__(self, *exc):
        self.conn.unbind()

    def domain_sid(self):
        self.conn.search(domain_dn(self.domain), '(objectClass=domain)', ldap3.BASE, attributes=['objectSid'])
        raw = self.conn.response[0]['raw_attributes']['objectSid'] if self.conn.response else None
        return format_sid(raw[0]) if raw else None

    def sam_of_upn(self, upn):
        """The sAMAccountName of the user whose UPN is ``upn``, or None."""
        self.conn.search(self.base, '(userPrincipalName=%s)' % ldap3.utils.conv.escape_filter_chars(upn), ldap3.SUBTREE,
                         attributes=['sAMAccountName'])
        found = [entry for entry in self.conn.response if entry.get('type') == 'searchResEntry']
        return _first(found[0], 'sAMAccountName') if found else None

    def accounts(self):
        """Every user and group below ``base``, one page at a time: {kind, sam, upn, nickname, sid}."""
        for entry in self.conn.extend.standard.paged_search(self.base, ACCOUNTS, ldap3.SUBTREE, attributes=ATTRIBUTES,
                                                            paged_size=self.page_size, generator=True):
            if entry.get('type') != 'searchResEntry':
                continue
            classes = [value.lower() for value in entry['attributes'].get('objectClass') or []]
            raw = entry['raw_attributes'].get('objectSid') or [None]
            yield {'kind': 'group' if 'group' in classes else 'user', 'sam': _first(entry, 'sAMAccountName'),
                   'upn': _first(entry, 'userPrincipalName'), 'nickname': _first(entry, NICKNAME),
                   'sid': format_sid(raw[0]) if raw[0] else None}
