# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Grant a domain group the TrueNAS FULL_ADMIN role (privilege.* by SID).

PRIVATE to the collection. Entra Domain Services has no usable Domain Admins, which TrueNAS
maps on a join; ``AAD DC Administrators`` is an ordinary group without a well-known RID.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ROLE = 'FULL_ADMIN'


def netbios_domain(domain):
    """Entra DS's default NetBIOS name, the first label of the managed domain: what to expect before a join; a joined
    NAS knows the real one (directory_api ``netbios_domain``)."""
    return domain.split('.')[0].upper()


def qualified(netbios, group):
    """``NETBIOS\\group``, the name winbind resolves."""
    return '%s\\%s' % (netbios, group)


def _holds(privilege, qualified, sid=None):
    return ROLE in (privilege.get('roles') or []) and any(
        (entry.get('group') or '').lower() == qualified.lower() or (sid and entry.get('sid') == sid)
        for entry in privilege.get('ds_groups') or [])


def grant(client, netbios, group, check_mode):
    """Make sure ``group`` of the domain named ``netbios`` holds FULL_ADMIN; returns (changed, privilege name, sid or
    None)."""
    name = qualified(netbios, group)
    privileges = client.call('privilege.query') or []
    if any(_holds(privilege, name) for privilege in privileges):
        return False, name, None
    sid = client.call('group.get_group_obj', {'groupname': name, 'sid_info': True}).get('sid')
    if any(_holds(privilege, name, sid) for privilege in privileges):
        return False, name, sid
    if not check_mode:
        client.call('privilege.create', {'name': group, 'local_groups': [], 'ds_groups': [sid], 'roles': [ROLE],
                                         'web_shell': False})
    return True, name, sid
