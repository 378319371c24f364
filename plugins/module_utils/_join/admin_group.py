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


def qualified(netbios, group):
    """``NETBIOS\\group``, the name winbind resolves."""
    return '%s\\%s' % (netbios, group)


def _holds(privilege, qualified, sid=None):
    return ROLE in (privilege.get('roles') or []) and any(
        (entry.get('group') or '').lower() == qualified.lower() or (sid and entry.get('sid') == sid)
        for entry in privilege.get('ds_groups') or [])


def grant(client, netbios, group, check_mode):
    """Make sure ``group`` of the domain named ``netbios`` holds FULL_ADMIN, by the privilege named ``group`` (made, or
    given back the role or group someone took from it); returns (changed, privilege name, sid or None)."""
    name = qualified(netbios, group)
    privileges = client.call('privilege.query') or []
    if any(_holds(privilege, name) for privilege in privileges):
        return False, name, None
    sid = client.call('group.get_group_obj', {'groupname': name, 'sid_info': True}).get('sid')
    if any(_holds(privilege, name, sid) for privilege in privileges):
        return False, name, sid
    if not check_mode:
        own = next((privilege for privilege in privileges if privilege.get('name') == group
                    and not privilege.get('builtin_name')), None)
        if own is None:
            client.call('privilege.create', {'name': group, 'local_groups': [], 'ds_groups': [sid], 'roles': [ROLE],
                                             'web_shell': False})
        else:  # the privilege this grant makes, its role or group taken away since: given back, the rest kept
            listed = [entry.get('sid') or entry.get('gid') for entry in own.get('ds_groups') or []]
            client.call('privilege.update', own['id'], {'roles': (own.get('roles') or []) + [ROLE],
                                                        'ds_groups': listed + ([sid] if sid not in listed else [])})
    return True, name, sid
