"""privilege.query / create / update / delete, enough to grant a role to a directory group by SID.

Follows plugins/account_/privilege.py (item_extend: local_groups / ds_groups as group.query entries or
{gid, sid, group: null} when unmapped; do_create, do_update with the built-in privilege rules, do_delete,
_validate: unique name, groups that exist, known roles; _ds_groups: SIDs through idmap.convert_sids then
group.query by gid) and api/v25_10_0/privilege.py (same fields as api/v25_04_2), at TS-25.04.2.6 and TS-25.10.1
(25.04 says "directory Service group", 25.10 "directory service group"), service/crud_service.py
(_ensure_unique "Object with this name already exists", get_instance "Privilege <id> does not exist"),
role.py (the role names per release; 26 and 27 as at TS-26.0.0-BETA.3 and HEAD). Privileges are kept in the state file (section ``privileges``).
"""

import errno

from . import account, directory_models as dm, models
from .api import api_method
from .errors import CallError, InstanceNotFound, ValidationErrors
from .filters import filter_list

_COMMON_ROLES = (
    'ACCOUNT_READ ACCOUNT_WRITE ALERT_LIST_READ ALERT_LIST_WRITE ALERT_READ ALERT_WRITE API_KEY_READ '
    'API_KEY_WRITE APPS_READ APPS_WRITE AUTH_SESSIONS_READ AUTH_SESSIONS_WRITE BOOT_ENV_READ BOOT_ENV_WRITE '
    'CATALOG_READ CATALOG_WRITE CERTIFICATE_READ CERTIFICATE_WRITE CLOUD_BACKUP_READ CLOUD_BACKUP_WRITE '
    'CLOUD_SYNC_READ CLOUD_SYNC_WRITE DATASET_DELETE DATASET_READ DATASET_WRITE DIRECTORY_SERVICE_READ '
    'DIRECTORY_SERVICE_WRITE DISK_READ DISK_WRITE DOCKER_READ DOCKER_WRITE ENCLOSURE_READ ENCLOSURE_WRITE '
    'FAILOVER_READ FAILOVER_WRITE FILESYSTEM_ATTRS_READ FILESYSTEM_ATTRS_WRITE FILESYSTEM_DATA_READ '
    'FILESYSTEM_DATA_WRITE FILESYSTEM_FULL_CONTROL FULL_ADMIN IPMI_READ IPMI_WRITE JBOF_READ JBOF_WRITE '
    'KEYCHAIN_CREDENTIAL_READ KEYCHAIN_CREDENTIAL_WRITE KMIP_READ KMIP_WRITE NETWORK_GENERAL_READ '
    'NETWORK_GENERAL_WRITE NETWORK_INTERFACE_READ NETWORK_INTERFACE_WRITE POOL_READ POOL_SCRUB_READ '
    'POOL_SCRUB_WRITE POOL_WRITE PRIVILEGE_READ PRIVILEGE_WRITE READONLY_ADMIN REPLICATION_ADMIN '
    'REPLICATION_TASK_CONFIG_READ REPLICATION_TASK_CONFIG_WRITE REPLICATION_TASK_READ REPLICATION_TASK_WRITE '
    'REPLICATION_TASK_WRITE_PULL REPORTING_READ REPORTING_WRITE SERVICE_READ SERVICE_WRITE SHARING_ADMIN '
    'SHARING_FTP_READ SHARING_FTP_WRITE SHARING_ISCSI_AUTH_READ SHARING_ISCSI_AUTH_WRITE '
    'SHARING_ISCSI_EXTENT_READ SHARING_ISCSI_EXTENT_WRITE SHARING_ISCSI_GLOBAL_READ SHARING_ISCSI_GLOBAL_WRITE '
    'SHARING_ISCSI_HOST_READ SHARING_ISCSI_HOST_WRITE SHARING_ISCSI_INITIATOR_READ '
    'SHARING_ISCSI_INITIATOR_WRITE SHARING_ISCSI_PORTAL_READ SHARING_ISCSI_PORTAL_WRITE SHARING_ISCSI_READ '
    'SHARING_ISCSI_TARGETEXTENT_READ SHARING_ISCSI_TARGETEXTENT_WRITE SHARING_ISCSI_TARGET_READ '
    'SHARING_ISCSI_TARGET_WRITE SHARING_ISCSI_WRITE SHARING_NFS_READ SHARING_NFS_WRITE SHARING_READ '
    'SHARING_SMB_READ SHARING_SMB_WRITE SHARING_WRITE SNAPSHOT_DELETE SNAPSHOT_READ SNAPSHOT_TASK_READ '
    'SNAPSHOT_TASK_WRITE SNAPSHOT_WRITE SSH_READ SSH_WRITE SUPPORT_READ SUPPORT_WRITE SYSTEM_ADVANCED_READ '
    'SYSTEM_ADVANCED_WRITE SYSTEM_AUDIT_READ SYSTEM_AUDIT_WRITE SYSTEM_CRON_READ SYSTEM_CRON_WRITE '
    'SYSTEM_GENERAL_READ SYSTEM_GENERAL_WRITE SYSTEM_SECURITY_READ SYSTEM_SECURITY_WRITE SYSTEM_TUNABLE_READ '
    'SYSTEM_TUNABLE_WRITE SYSTEM_UPDATE_READ SYSTEM_UPDATE_WRITE TRUECOMMAND_READ TRUECOMMAND_WRITE '
    'TRUENAS_CONNECT_READ TRUENAS_CONNECT_WRITE VIRT_GLOBAL_READ VIRT_GLOBAL_WRITE VIRT_IMAGE_READ '
    'VIRT_IMAGE_WRITE VIRT_INSTANCE_DELETE VIRT_INSTANCE_READ VIRT_INSTANCE_WRITE VM_DEVICE_READ '
    'VM_DEVICE_WRITE VM_READ VM_WRITE')
_ROLES_25_10 = frozenset((_COMMON_ROLES + ' MAIL_WRITE SHARING_NVME_TARGET_READ SHARING_NVME_TARGET_WRITE '
                          'SYSTEM_PRODUCT_READ SYSTEM_PRODUCT_WRITE ZFS_RESOURCE_READ').split())
# role.py at TS-26.0.0-BETA.3 and HEAD (the same): the VIRT_* roles gave way to CONTAINER_* and LXC_CONFIG_*
_ROLES_26 = (_ROLES_25_10 - {r for r in _ROLES_25_10 if r.startswith('VIRT_')}) | frozenset((
    'CONTAINER_DEVICE_READ CONTAINER_DEVICE_WRITE CONTAINER_IMAGE_READ CONTAINER_IMAGE_WRITE CONTAINER_READ '
    'CONTAINER_WRITE LXC_CONFIG_READ LXC_CONFIG_WRITE SHARING_WEBSHARE_READ SHARING_WEBSHARE_WRITE ZFS_RESOURCE_DELETE '
    'ZFS_RESOURCE_WRITE').split())
ROLES = {
    '25.04': frozenset((_COMMON_ROLES + ' CERTIFICATE_AUTHORITY_READ CERTIFICATE_AUTHORITY_WRITE').split()),
    '25.10': _ROLES_25_10, '26': _ROLES_26, '27': _ROLES_26,
}
LOCAL_ADMINISTRATOR_GID = 544  # LocalAdminGroups.BUILTIN_ADMINISTRATORS


async def _ds_groups(emu, xids, include_nonexistent=True):
    """_ds_groups: directory groups by gid or SID (through winbind), unmapped entries when asked."""
    result = []
    for xid in xids:
        is_sid = isinstance(xid, str)
        if is_sid:
            mapped = await emu.directory.run('sid_to_xid', xid) if dm.sid_is_valid(xid) else None
            gid = -1 if mapped is None or mapped[0] == 'USER' else mapped[1]
        else:
            gid = xid
        found = await account.directory_groups(emu, [['gid', '=', gid]]) \
            if gid != -1 and account._wants_directory(emu, []) else []  # pylint: disable=protected-access
        if not found:
            if include_nonexistent:
                result.append({'gid': None if gid == -1 else gid, 'sid': xid if is_sid else None, 'group': None})
            continue
        result.append(found[0])
    return result


def _local_groups(emu, gids, include_nonexistent=True):
    by_gid = {entry['gid']: entry for entry in account.local_group_entries(emu)}
    result = []
    for gid in gids:
        if gid in by_gid:
            result.append(by_gid[gid])
        elif include_nonexistent:
            result.append({'gid': gid, 'group': None, 'sid': None})
    return result


async def _extend(emu, row):
    return {**row, 'local_groups': _local_groups(emu, row['local_groups']),
            'ds_groups': await _ds_groups(emu, row['ds_groups'])}


async def entries(emu):
    return [await _extend(emu, row) for row in emu.directory.privileges()]


async def _validate(emu, schema_name, data, id_=None):
    verrors = ValidationErrors()
    if any(row['name'] == data['name'] and row['id'] != id_ for row in emu.directory.privileges()):
        verrors.add(f'{schema_name}.name', 'Object with this name already exists')
    for i, gid in enumerate(data['local_groups']):
        if not _local_groups(emu, [gid], include_nonexistent=False):
            verrors.add(f'{schema_name}.local_groups.{i}',
                        f'{gid}: local group does not exist. '
                        'This error may be addressed by either re-creating the missing group '
                        'with the specified group id or removing this entry from the privilege.')
    service = 'directory Service' if emu.personality.name == '25.04' else 'directory service'
    for i, xid in enumerate(data['ds_groups']):
        if not await _ds_groups(emu, [xid], include_nonexistent=False):
            verrors.add(f'{schema_name}.ds_groups.{i}',
                        f'{xid}: {service} group does not exist. '
                        'If the directory service state is healthy, then this error may be '
                        'addressed by removing this entry from the privilege.')
    for i, role in enumerate(data['roles']):
        if role not in ROLES[emu.personality.name]:
            verrors.add(f'{schema_name}.roles.{i}', 'Invalid role')
    verrors.check()


async def _get_instance(emu, id_):
    row = next((row for row in emu.directory.privileges() if row['id'] == id_), None)
    if row is None:
        raise InstanceNotFound(f'Privilege {id_} does not exist')
    return row


@api_method('privilege.query', args=models.QueryArgs)
async def privilege_query(ctx, filters, options):
    return filter_list(await entries(ctx.emu), filters, options)


@api_method('privilege.create', args=dm.PrivilegeCreateArgs)
async def privilege_create(ctx, data):
    emu = ctx.emu
    await _validate(emu, 'privilege_create', data)
    privileges = emu.directory.privileges()
    row = {'id': max((p['id'] for p in privileges), default=0) + 1, 'builtin_name': None, 'name': data['name'],
           'local_groups': data['local_groups'], 'ds_groups': data['ds_groups'], 'roles': data['roles'],
           'web_shell': data['web_shell']}
    emu.directory.save_privileges(privileges + [row])
    emu.stats.write('privilege.create')
    return await _extend(emu, row)


@api_method('privilege.update', args=dm.PrivilegeUpdateArgs)
async def privilege_update(ctx, id_, data):
    emu = ctx.emu
    old = await _get_instance(emu, id_)
    new = {**old, **data}
    verrors = ValidationErrors()
    if new['builtin_name']:
        for key in ('name', 'roles'):
            if new[key] != old[key]:
                verrors.add(f'privilege_update.{key}', 'This field is read-only for built-in privileges')
        if new['builtin_name'] == 'LOCAL_ADMINISTRATOR' and LOCAL_ADMINISTRATOR_GID not in new['local_groups']:
            verrors.add('privilege_update.local_groups', 'The group builtin_administrators must be '
                                                         'among grantees of the "Local Administrator" privilege.')
        elif new['builtin_name'] == 'READONLY_ADMINISTRATOR' and new['web_shell']:
            verrors.add('privilege_update.web_shell', 'Web shell access may not be enabled for the built-in group '
                                                      'for read-only administrators.')
    verrors.check()
    await _validate(emu, 'privilege_update', new, id_)
    if new != old:
        emu.directory.save_privileges([new if row['id'] == id_ else row for row in emu.directory.privileges()])
        emu.stats.write('privilege.update')
    return await _extend(emu, new)


@api_method('privilege.delete', args=dm.PrivilegeDeleteArgs)
async def privilege_delete(ctx, id_):
    emu = ctx.emu
    row = await _get_instance(emu, id_)
    if row['builtin_name']:
        raise CallError('Unable to delete built-in privilege', errno.EPERM)
    emu.directory.save_privileges([p for p in emu.directory.privileges() if p['id'] != id_])
    emu.stats.write('privilege.delete')
    return True
