"""idmap.query / idmap.update (25.04 CRUD over directoryservice_idmap_domain) and idmap.clear_idmap_cache (both).

Follows plugins/idmap.py at TS-25.04.2.6 (IdmapBackend parameters, idmap_extend, query, do_update, validate,
validate_options, prune_keys, clear_idmap_cache) with service/crud_service.py (update's schema is
Int('id') + a Patch of the entry named 'idmap_update', so schema errors read ``idmap_update.<field>`` while
the plugin's own checks read ``idmap_domain_update.<field>``), and plugins/idmap.py at TS-25.10.1
(clear_idmap_cache, the only public idmap method left). Fresh-install rows follow alembic/initial.sql and
versions/12.0/2020-01-24_13-34_simplify_idmap_backends.py: a backend row without a range got
highest+1 .. highest+100000000, so DS_TYPE_ACTIVEDIRECTORY and DS_TYPE_LDAP both start at 100000001-200000000.
"""

import copy

from . import directory_schema as schema, models
from .api import api_method
from .errors import MatchNotFound, ValidationErrors
from .filters import filter_list

SECTION = 'idmap'
DEFAULT_ROWS = [
    {'id': 1, 'name': 'DS_TYPE_ACTIVEDIRECTORY', 'dns_domain_name': None, 'range_low': 100000001,
     'range_high': 200000000, 'idmap_backend': 'RID', 'options': {}, 'certificate': None},
    {'id': 2, 'name': 'DS_TYPE_LDAP', 'dns_domain_name': None, 'range_low': 100000001, 'range_high': 200000000,
     'idmap_backend': 'LDAP', 'options': {}, 'certificate': None},
    {'id': 5, 'name': 'DS_TYPE_DEFAULT_DOMAIN', 'dns_domain_name': None, 'range_low': 90000001,
     'range_high': 100000000, 'idmap_backend': 'TDB', 'options': {}, 'certificate': None},
]
SYSTEM_NAMES = ('DS_TYPE_ACTIVEDIRECTORY', 'DS_TYPE_LDAP', 'DS_TYPE_NIS', 'DS_TYPE_FREEIPA', 'DS_TYPE_DEFAULT_DOMAIN')
# IdmapBackend: parameter -> (required, default)
PARAMETERS = {
    'AD': {'schema_mode': (False, 'RFC2307'), 'unix_primary_group': (False, False), 'unix_nss_info': (False, False)},
    'AUTORID': {'rangesize': (False, 100000), 'readonly': (False, False), 'ignore_builtin': (False, False)},
    'LDAP': {'ldap_base_dn': (True, None), 'ldap_user_dn': (True, None), 'ldap_url': (True, None),
             'ldap_user_dn_password': (False, None), 'ssl': (False, 'OFF'), 'validate_certificates': (False, True),
             'readonly': (False, False)},
    'NSS': {'linked_service': (False, 'LOCAL_ACCOUNT')},
    'RFC2307': {'ldap_server': (False, 'AD'), 'bind_path_user': (False, None), 'bind_path_group': (False, None),
                'user_cn': (False, None), 'cn_realm': (False, None), 'ldap_domain': (False, None),
                'ldap_url': (False, None), 'ldap_user_dn': (True, None), 'ldap_user_dn_password': (False, None),
                'ldap_realm': (False, None), 'validate_certificates': (False, True), 'ssl': (False, 'OFF')},
    'RID': {'sssd_compat': (False, False)},
    'TDB': {'readonly': (False, False)},
}
LDAP_BACKENDS = ('LDAP', 'NSS', 'RFC2307')  # IdmapBackend.ds_choices()['LDAP']


def rows(emu):
    return emu.store.get(SECTION) or copy.deepcopy(DEFAULT_ROWS)


def _defaults(backend):
    return {key: default for key, (dummy, default) in PARAMETERS[backend].items() if default is not None}


@api_method('idmap.query', versions=('25.04',), args=models.QueryArgs)
async def idmap_query(ctx, filters, options):
    """query: every row; ``extra.additional_information: ["DOMAIN_INFO"]`` adds domain_info (winbind's view:
    null unless the domain is the joined one)."""
    entries = rows(ctx.emu)
    if 'DOMAIN_INFO' in options.get('extra', {}).get('additional_information', []):
        status = ctx.emu.directory.status()
        sid = await ctx.emu.directory.run('domain_sid') if status['status'] == 'HEALTHY' else None
        for entry in entries:
            entry['domain_info'] = None
            if entry['name'] == 'DS_TYPE_ACTIVEDIRECTORY' and sid:
                smb = ctx.emu.directory.smb()
                entry['domain_info'] = {'netbios_domain': smb['workgroup'], 'dns_name': None, 'sid': sid,
                                        'domain_type': 'PRIMARY', 'online': True}
    return filter_list(entries, filters, options)


@api_method('idmap.update', versions=('25.04',), args=None)
async def idmap_update(ctx, *params):
    emu = ctx.emu
    id_, data = schema.accept([schema.IDMAP_ID, schema.IDMAP_UPDATE], list(params))
    table = rows(emu)
    try:
        old = filter_list(table, [['id', '=', id_]], {'get': True})
    except MatchNotFound:
        raise MatchNotFound() from None
    new = {**old, **data}
    if data.get('idmap_backend') and data['idmap_backend'] != old['idmap_backend']:
        new['options'] = dict(data.get('options', {}))
    else:
        new['options'] = {**old['options'], **data.get('options', {})}

    verrors = ValidationErrors()
    if old['name'] in SYSTEM_NAMES and old['name'] != new['name']:
        verrors.add('idmap_domain_update.name', f'Changing name of default domain {old["name"]} is not permitted')
    if new['options'].get('sssd_compat') and not old['options'].get('sssd_compat'):
        if emu.directory.status()['status'] != 'HEALTHY':
            verrors.add('idmap_domain_update.options',
                        'AD service must be enabled and started to generate an SSSD-compatible id range')
            verrors.check()
    if new['idmap_backend'] == 'AUTORID' and new['name'] != 'DS_TYPE_ACTIVEDIRECTORY':
        verrors.add('idmap_domain_update.idmap_backend',
                    'AUTORID is only permitted for the default idmap backend for '
                    'the active directory directory service (DS_TYPE_ACTIVEDIRECTORY).')
    _validate(emu, 'idmap_domain_update', new, table, verrors)
    _validate_options('idmap_domain_update', new, verrors, ('MISSING',))
    if data.get('options'):
        _validate_options('idmap_domain_update', {**data, 'idmap_backend': new['idmap_backend']}, verrors, ('EXTRA',))
    verrors.check()

    supported = PARAMETERS[new['idmap_backend']]
    new['options'] = _defaults(new['idmap_backend']) | {k: v for k, v in new['options'].items() if k in supported}
    new['options'].pop('ldap_user_dn_password', None)  # kept in secrets.tdb, never in the table
    if new != old:
        emu.store.put(SECTION, [new if row['id'] == id_ else row for row in table])
        emu.stats.write('idmap.update')
        if new['name'] == 'DS_TYPE_ACTIVEDIRECTORY' and hasattr(emu.directory.backend, 'idmap_low'):
            emu.directory.backend.idmap_low = new['range_low']
        await _clear_cache(emu)
    return filter_list(rows(emu), [['id', '=', id_]], {'get': True})


def _validate(emu, schema_name, data, table, verrors):
    """validate: system-row backends, range order, unique names, no overlap with enabled services' ranges."""
    if data['name'] == 'DS_TYPE_LDAP' and data['idmap_backend'] not in LDAP_BACKENDS:
        verrors.add(f'{schema_name}.idmap_backend', f'idmap backend [{data["idmap_backend"]}] is not appropriate '
                                                    f'for the system domain type {data["name"]}')
    elif data['name'] == 'DS_TYPE_DEFAULT_DOMAIN' and data['idmap_backend'] != 'TDB':
        verrors.add(f'{schema_name}.idmap_backend',
                    'TDB is the only supported idmap backend for DS_TYPE_DEFAULT_DOMAIN.')
    if data['range_high'] < data['range_low']:
        verrors.add(f'{schema_name}.range_low', 'Idmap high range must be greater than idmap low range')
        return
    if data.get('certificate'):
        verrors.add(f'{schema_name}.certificate', 'Please specify a valid certificate.')
    status = emu.directory.status()
    ad_enabled = status['status'] in ('HEALTHY', 'JOINING') and status['type'] == 'ACTIVEDIRECTORY'
    new_range = range(data['range_low'], data['range_high'])
    for row in table:
        if row['id'] == data.get('id', -1):
            continue
        if row['name'] == data['name']:
            verrors.add(f'{schema_name}.name', 'Name must be unique.')
        if data.get('dns_domain_name') and data['dns_domain_name'] == row['dns_domain_name']:
            verrors.add(f'{schema_name}.dns_domain_name', 'Name must be unique.')
        if row['name'] == 'DS_TYPE_LDAP' or (not ad_enabled and row['name'] == 'DS_TYPE_ACTIVEDIRECTORY'):
            continue  # LDAP is never enabled here
        if data['idmap_backend'] == 'AUTORID' and row['name'] == 'DS_TYPE_DEFAULT_DOMAIN':
            continue
        if data['idmap_backend'] == 'AD' and row['idmap_backend'] == 'AD':
            continue
        existing = range(row['range_low'], row['range_high'])
        if range(max(existing[0], new_range[0]), min(existing[-1], new_range[-1]) + 1):
            verrors.add(f'{schema_name}.range_low',
                        f'new idmap range [{data["range_low"]}-{data["range_high"]}] '
                        'conflicts with existing range for domain '
                        f'[{row["name"]}], range: [{row["range_low"]}-{row["range_high"]}].')


def _validate_options(schema_name, data, verrors, check):
    supported = set(PARAMETERS[data['idmap_backend']])
    required = {key for key, (needed, dummy) in PARAMETERS[data['idmap_backend']].items() if needed}
    provided = {str(key) for key in data.get('options', {})}
    if 'MISSING' in check:
        for key in sorted(required - provided):
            verrors.add(f'{schema_name}.options.{key}',
                        f'[{key}] is a required parameter for the [{data["idmap_backend"]}] idmap backend.')
    if 'EXTRA' in check:
        for key in sorted(provided - supported):
            verrors.add(f'{schema_name}.options.{key}',
                        f'[{key}] is not a valid parameter for the [{data["idmap_backend"]}] idmap backend.')


async def _clear_cache(emu):
    """clear_idmap_cache: stop winbindd, drop its caches, start it again (when it was serving a domain)."""
    directory = emu.directory
    if directory.status()['status'] in ('HEALTHY', 'FAULTED'):
        await directory.stop_winbind()
        await directory.start_winbind()


# follows plugins/idmap.py (clear_idmap_cache: @job(lock='clear_idmap_cache', lock_queue_size=1)) on both releases
@api_method('idmap.clear_idmap_cache', job=True, write=False, lock='clear_idmap_cache', lock_queue_size=1)
async def clear_idmap_cache(ctx, job):  # pylint: disable=unused-argument
    await _clear_cache(ctx.emu)
