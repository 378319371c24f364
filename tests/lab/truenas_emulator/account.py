"""user.get_user_obj / group.get_group_obj and user.query / group.query (local builtins + directory accounts).

Follows plugins/account.py (get_user_obj, get_group_obj; query: directory accounts only while
directoryservices.status is HEALTHY and unless the filters ask for local/builtin accounts) and
plugins/idmap.py (synthetic_user / synthetic_group: id = 100000000 + uid/gid, immutable, local false; 25.04
adds id_type_both) at TS-25.04.2.6 and TS-25.10.1, with api/v25_10_0/user.py and group.py (UserEntry,
GroupEntry, the get_*_obj models). Lookups go through the directory backend: NSS (getent) and winbind
(wbinfo) in the lab, the fake's tables in unit tests. A single ``[name|username|group|uid|gid|sid, "=", x]``
filter looks the account up directly, as directoryservices.cache.query does; other queries enumerate.
"""

from . import directory_models as dm, models
from .api import api_method
from .errors import ValidationErrors
from .filters import filter_list

BASE_SYNTHETIC_DATASTORE_ID = 100000000
LOCAL_SERVER_SID = 'S-1-5-21-3510196835-1985931424-2355373034'  # smb.local_server_sid of the emulated NAS
# account.bsdusers / account.bsdgroups rows of a fresh install (the few the directory area needs)
LOCAL_USERS = [
    {'id': 1, 'uid': 0, 'username': 'root', 'full_name': 'root', 'home': '/root', 'group_gid': 0, 'builtin': True,
     'smb': False, 'sid': None, 'groups': [44]},
    {'id': 72, 'uid': 950, 'username': 'truenas_admin', 'full_name': 'Local Administrator',
     'home': '/home/truenas_admin', 'group_gid': 950, 'builtin': False, 'smb': True,
     'sid': f'{LOCAL_SERVER_SID}-20072', 'groups': [44]},
]
LOCAL_GROUPS = [
    {'id': 1, 'gid': 0, 'name': 'root', 'builtin': True, 'smb': False, 'sid': None, 'users': [1]},
    {'id': 44, 'gid': 544, 'name': 'builtin_administrators', 'builtin': True, 'smb': True, 'sid': 'S-1-5-32-544',
     'users': [1, 72]},
    {'id': 45, 'gid': 545, 'name': 'builtin_users', 'builtin': True, 'smb': True, 'sid': 'S-1-5-32-545', 'users': []},
    {'id': 72, 'gid': 950, 'name': 'truenas_admin', 'builtin': False, 'smb': True,
     'sid': f'{LOCAL_SERVER_SID}-200072', 'users': [72]},
    {'id': 73, 'gid': 951, 'name': 'truenas_readonly_administrators', 'builtin': True, 'smb': True,
     'sid': f'{LOCAL_SERVER_SID}-200073', 'users': []},
    {'id': 74, 'gid': 952, 'name': 'truenas_sharing_administrators', 'builtin': True, 'smb': True,
     'sid': f'{LOCAL_SERVER_SID}-200074', 'users': []},
]
_SOURCES = {'LOCAL': 'LOCAL', 'ACTIVEDIRECTORY': 'ACTIVEDIRECTORY'}


def _roles_of(emu, gid, key):
    roles = []
    for privilege in emu.directory.privileges():
        if gid in privilege[key] and privilege['roles']:
            roles += [r for r in privilege['roles'] if r not in roles]
    return roles


def local_group_entries(emu):
    entries = []
    for row in LOCAL_GROUPS:
        entry = {'id': row['id'], 'gid': row['gid'], 'name': row['name'], 'builtin': row['builtin'],
                 'sudo_commands': [], 'sudo_commands_nopasswd': [], 'smb': row['smb'], 'userns_idmap': None,
                 'group': row['name'], 'local': True, 'sid': row['sid'],
                 'roles': _roles_of(emu, row['gid'], 'local_groups'), 'users': list(row['users']),
                 'immutable': row['builtin']}
        if emu.personality.name == '25.04':
            entry['id_type_both'] = False
        entries.append(entry)
    return entries


def local_user_entries(emu):
    groups = {row['id']: row for row in LOCAL_GROUPS}
    entries = []
    for row in LOCAL_USERS:
        primary = next(g for g in LOCAL_GROUPS if g['gid'] == row['group_gid'])
        roles = []
        for gid in [primary['gid']] + [groups[g]['gid'] for g in row['groups']]:
            roles += [r for r in _roles_of(emu, gid, 'local_groups') if r not in roles]
        entry = {
            'id': row['id'], 'uid': row['uid'], 'username': row['username'], 'unixhash': '*', 'smbhash': '*',
            'home': row['home'], 'shell': '/usr/bin/zsh', 'full_name': row['full_name'], 'builtin': row['builtin'],
            'smb': row['smb'], 'userns_idmap': None,
            'group': {'id': primary['id'], 'bsdgrp_gid': primary['gid'], 'bsdgrp_group': primary['name'],
                      'bsdgrp_builtin': primary['builtin'], 'bsdgrp_sudo_commands': [],
                      'bsdgrp_sudo_commands_nopasswd': [], 'bsdgrp_smb': primary['smb'],
                      'bsdgrp_userns_idmap': None},
            'groups': list(row['groups']), 'password_disabled': False, 'ssh_password_enabled': False,
            'sshpubkey': None, 'locked': False, 'sudo_commands': [], 'sudo_commands_nopasswd': [], 'email': None,
            'local': True, 'immutable': row['builtin'], 'twofactor_auth_configured': False, 'sid': row['sid'],
            'last_password_change': None, 'password_age': None, 'password_history': None,
            'password_change_required': False, 'roles': roles, 'api_keys': [],
        }
        if emu.personality.name == '25.04':
            entry['id_type_both'] = False
        entries.append(entry)
    return entries


def synthetic_user(emu, passwd, sid):
    entry = {
        'id': BASE_SYNTHETIC_DATASTORE_ID + passwd['pw_uid'], 'uid': passwd['pw_uid'], 'username': passwd['pw_name'],
        'unixhash': None, 'smbhash': None, 'home': passwd['pw_dir'], 'shell': passwd['pw_shell'] or '/usr/bin/sh',
        'full_name': passwd['pw_gecos'], 'builtin': False, 'smb': sid is not None, 'userns_idmap': None,
        'group': {}, 'groups': [], 'password_disabled': False, 'ssh_password_enabled': False, 'sshpubkey': None,
        'locked': False, 'sudo_commands': [], 'sudo_commands_nopasswd': [], 'email': None, 'local': False,
        'immutable': True, 'twofactor_auth_configured': False, 'sid': sid, 'last_password_change': None,
        'password_age': None, 'password_history': None, 'password_change_required': False, 'roles': [],
        'api_keys': [],
    }
    if emu.personality.name == '25.04':
        entry.update({'id_type_both': False, 'smb': True})
    return entry


def synthetic_group(emu, grp, sid):
    entry = {
        'id': BASE_SYNTHETIC_DATASTORE_ID + grp['gr_gid'], 'gid': grp['gr_gid'], 'name': grp['gr_name'],
        'group': grp['gr_name'], 'builtin': False, 'sudo_commands': [], 'sudo_commands_nopasswd': [], 'users': [],
        'local': False, 'immutable': True, 'roles': [], 'smb': sid is not None, 'userns_idmap': None, 'sid': sid,
    }
    if emu.personality.name == '25.04':
        entry.update({'id_type_both': False, 'smb': True})
    return entry


# -- get_user_obj / get_group_obj ------------------------------------------------------------------------------

@api_method('user.get_user_obj', args=dm.UserGetUserObjArgs)
async def get_user_obj(ctx, data):
    directory = ctx.emu.directory
    verrors = ValidationErrors()
    username, uid = data.get('username'), data.get('uid')
    if not username and uid is None:
        verrors.add('get_user_obj.username', 'Either "username" or "uid" must be specified.')
    if username and uid is not None:
        verrors.add('get_user_obj.username', '"username" and "uid" may not be simultaneously specified')
    verrors.check()
    if username:
        user = await directory.run('getpw', name=username)
        if user is None:
            raise KeyError(f'{username}: user with this name does not exist')
    else:
        user = await directory.run('getpw', uid=uid)
        if user is None:
            raise KeyError(f'{uid}: user with this id does not exist')
    source = _SOURCES[user.pop('source')]
    user['grouplist'] = await directory.run('grouplist', user['pw_name'], user['pw_gid']) if data['get_groups'] else None
    sid = None
    if data['sid_info']:
        if source == 'LOCAL':
            sid = next((row['sid'] for row in LOCAL_USERS if row['username'] == user['pw_name']), None)
        else:
            sid = await directory.run('xid_to_sid', 'USER', user['pw_uid'])
    user.update({'sid': sid, 'source': source, 'local': source == 'LOCAL'})
    return user


@api_method('group.get_group_obj', args=dm.GroupGetGroupObjArgs)
async def get_group_obj(ctx, data):
    directory = ctx.emu.directory
    verrors = ValidationErrors()
    groupname, gid = data.get('groupname'), data.get('gid')
    if not groupname and gid is None:
        verrors.add('get_group_obj.groupname', 'Either "groupname" or "gid" must be specified')
    if groupname and gid is not None:
        verrors.add('get_group_obj.groupname', '"groupname" and "gid" may not be simultaneously specified')
    verrors.check()
    if groupname:
        group = await directory.run('getgr', name=groupname)
        if group is None:
            raise KeyError(f'{groupname}: group with this name does not exist')
    else:
        group = await directory.run('getgr', gid=gid)
        if group is None:
            raise KeyError(f'{gid}: group with this id does not exist')
    source = _SOURCES[group.pop('source')]
    sid = None
    if data['sid_info']:
        if source == 'LOCAL':
            sid = next((row['sid'] for row in LOCAL_GROUPS if row['name'] == group['gr_name']), None)
        else:
            sid = await directory.run('xid_to_sid', 'GROUP', group['gr_gid'])
    group.update({'sid': sid, 'source': source, 'local': source == 'LOCAL'})
    return group


# -- user.query / group.query ------------------------------------------------------------------------------------

def _wants_directory(emu, filters):
    """filters_include_ds_accounts + the HEALTHY check of user.query/group.query."""
    if any(list(flt) in (['local', '=', True], ['builtin', '=', True]) for flt in filters):
        return False
    status = emu.directory.status()
    return status['type'] is not None and status['status'] == 'HEALTHY'


def _single(filters, keys):
    if len(filters) == 1 and len(filters[0]) == 3 and filters[0][1] == '=' and filters[0][0] in keys:
        return filters[0][0], filters[0][2]
    return None, None


async def directory_groups(emu, filters):
    """Directory groups (GroupEntry dicts) matching a single-key filter, or all of them."""
    directory = emu.directory
    key, value = _single(filters, ('name', 'group', 'gid', 'sid', 'id'))
    if key in ('name', 'group') and isinstance(value, str):
        found = [await directory.run('getgr', name=value)]
    elif key in ('gid', 'id') and isinstance(value, int):
        found = [await directory.run('getgr', gid=value - (BASE_SYNTHETIC_DATASTORE_ID if key == 'id' else 0))]
    elif key == 'sid' and isinstance(value, str):
        mapped = await directory.run('sid_to_xid', value)
        found = [await directory.run('getgr', gid=mapped[1])] if mapped and mapped[0] != 'USER' else []
    else:
        found = await directory.run('groups')
    found = [grp for grp in found if grp and grp['source'] != 'LOCAL']
    sids = await directory.run('xids_to_sids', 'GROUP', [grp['gr_gid'] for grp in found])
    return [synthetic_group(emu, grp, sid) for grp, sid in zip(found, sids)]


async def directory_users(emu, filters):
    directory = emu.directory
    key, value = _single(filters, ('username', 'uid', 'sid', 'id'))
    if key == 'username' and isinstance(value, str):
        found = [await directory.run('getpw', name=value)]
    elif key in ('uid', 'id') and isinstance(value, int):
        found = [await directory.run('getpw', uid=value - (BASE_SYNTHETIC_DATASTORE_ID if key == 'id' else 0))]
    elif key == 'sid' and isinstance(value, str):
        mapped = await directory.run('sid_to_xid', value)
        found = [await directory.run('getpw', uid=mapped[1])] if mapped and mapped[0] != 'GROUP' else []
    else:
        found = await directory.run('users')
    found = [passwd for passwd in found if passwd and passwd['source'] != 'LOCAL']
    sids = await directory.run('xids_to_sids', 'USER', [passwd['pw_uid'] for passwd in found])
    return [synthetic_user(emu, passwd, sid) for passwd, sid in zip(found, sids)]


@api_method('group.query', args=models.QueryArgs)
async def group_query(ctx, filters, options):
    entries = local_group_entries(ctx.emu)
    if _wants_directory(ctx.emu, filters):
        entries += await directory_groups(ctx.emu, filters)
    return filter_list(entries, filters, options)


@api_method('user.query', args=models.QueryArgs)
async def user_query(ctx, filters, options):
    entries = local_user_entries(ctx.emu)
    if _wants_directory(ctx.emu, filters):
        entries += await directory_users(ctx.emu, filters)
    return filter_list(entries, filters, options)
