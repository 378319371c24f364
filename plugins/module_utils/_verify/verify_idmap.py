# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify_idmap: do the domain's users, groups and idmap ranges work on this NAS? Read-only.

PRIVATE to the collection. Read the directory service status and every idmap range through the
API generation of the NAS, look up each expected account (user.get_user_obj / group.get_group_obj),
optionally stream the directory's accounts over LDAPS and compare them with what the NAS
enumerates, decide each check (checks.py) and sum up. The reads and lookups known up front go to
the NAS as one core.bulk job (bulk.py): the version, the job subscription and that job are the
only calls of a healthy run without the directory comparison.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.nasjoin.entra.plugins.module_utils import _ca_file, _names, _values
from ansible_collections.nasjoin.entra.plugins.module_utils._entra.findings import check, skip, summarize
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import Failed, MissingLibrary, verdict
from ansible_collections.nasjoin.entra.plugins.module_utils._names import netbios_domain
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import directory_api
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.bulk import Batched
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError
from ansible_collections.nasjoin.entra.plugins.module_utils._verify import checks

LIST_LIMIT = 50  # accounts listed per finding; the counts cover all of them
# accounts looked up one by one on the NAS: users, groups, members of one group
ACCOUNTS_MAX = 1000


def account_lookup(kind, name):
    """The NSS lookup of a user or group name, as (method, params)."""
    if kind == 'user':
        return 'user.get_user_obj', ({'username': name, 'get_groups': True, 'sid_info': True},)
    return 'group.get_group_obj', ({'groupname': name, 'sid_info': True},)


def ids_query(kind, local):
    """The query of the local (or the directory) accounts' IDs, as (method, params, the ID's key)."""
    key = 'uid' if kind == 'user' else 'gid'
    return '%s.query' % kind, ([['local', '=', local]], {'select': [key]}), key


def nas_account(client, kind, name):
    """(entry {name, id, sid, source, groups}, None) for a user or group name, or (None, the NAS's reason)."""
    method, params = account_lookup(kind, name)
    names = ('pw_name', 'pw_uid') if kind == 'user' else ('gr_name', 'gr_gid')
    try:
        raw = client.call(method, *params)
    except TrueNASError as exc:
        if exc.errname == 'ECONNECTION':
            raise
        return None, exc.reason or exc.message
    return {'name': raw[names[0]], 'id': raw[names[1]], 'sid': raw.get('sid'), 'groups': raw.get('grouplist') or [],
            'source': raw.get('source') or ('LOCAL' if raw.get('local') else 'ACTIVEDIRECTORY')}, None


def enumerated_ids(client, local):
    """{'user': UIDs, 'group': GIDs} of the local or the directory accounts the NAS enumerates (its cache)."""
    found = {}
    for kind in ('user', 'group'):
        method, params, key = ids_query(kind, local)
        found[kind] = set(entry[key] for entry in client.call(method, *params))
    return found


def lookups(params, domain):
    """The NSS lookups of a run on a healthy NAS, as (method, params): Domain Users and every expected account (none
    when a directory maps UPNs: its answers decide the names)."""
    if params.get('directory'):
        return []
    found = [account_lookup('group', '%s\\Domain Users' % netbios_domain(domain))]
    found += [account_lookup('group', checks.lookup_name(group['name'], domain)) for group in params['groups']]
    users = list(params['users']) + [member for group in params['groups'] for member in group.get('members') or []]
    return found + [account_lookup('user', name) for name in sorted(set(checks.lookup_name(user, domain) for user in users))]


class Verify:
    """One run: the client, the domain's context (range, backend, SID) and what was looked up."""

    def __init__(self, client, domain, context):
        self.client, self.domain, self.context = client, domain, context
        self.users = {}  # lookup name -> (entry, error), each user looked up once
        self.resolved = {}  # expected user as given -> its entry or None
        self.max_rid = None

    def user(self, name):
        if name not in self.users:
            self.users[name] = nas_account(self.client, 'user', name)
        return self.users[name]

    def _seen(self, entry):
        rid = checks.rid_of(entry['sid'], self.context['domain_sid']) if entry else None
        if rid is not None:
            self.max_rid = max(self.max_rid or 0, rid)

    def accounts(self, users, groups, upn_to_sam):
        """A check per expected user and group, and the generated names among them."""
        found, generated = [], []
        for given in users:
            lookup = checks.lookup_name(given, self.domain, upn_to_sam, self.context['netbios'])
            entry, error = self.user(lookup)
            self.resolved[given] = entry
            self._seen(entry)
            found.append(checks.account('user', given, lookup, entry, error, self.context))
            names = entry and '@' in given and checks.autogenerated(checks.short_name(entry['name']), given, None)
            if names:
                generated.append(names)
        for group in groups:
            lookup = checks.lookup_name(group['name'], self.domain, netbios=self.context['netbios'])
            entry, error = nas_account(self.client, 'group', lookup)
            self._seen(entry)
            if entry:
                netbios = self.context['netbios']
                entry['missing'] = [member for member in group.get('members') or []
                                    if entry['id'] not in (self.user(checks.lookup_name(member, self.domain, upn_to_sam,
                                                                                        netbios))[0]
                                                           or {'groups': []})['groups']]
            found.append(checks.account('group', group['name'], lookup, entry, error, self.context))
        return found, generated


def _expected_keys(users, groups, looked_up):
    """{(kind, key): given}: how an expected account shows in the directory (sAMAccountName or UPN, case-folded)."""
    keys = {}
    for given in users:
        resolved = (looked_up.get(given) or {}).get('name')
        keys[('user', 'upn' if '@' in given else 'sam', given.casefold() if '@' in given else checks.short_name(given).casefold())] = given
        if resolved:
            keys[('user', 'sam', checks.short_name(resolved).casefold())] = given
    for group in groups:
        keys[('group', 'sam', checks.short_name(group['name']).casefold())] = group['name']
    return keys


def compare(directory, nas_ids, context, expected):
    """Stream the directory's accounts once: counts, accounts the NAS does not show (outside the range, or not in its
    cache), generated names, the highest RID, the expected accounts the directory lacks, and the RID of each expected
    account it has ({given: RID})."""
    low, high = context['domain_range']
    stats = {'users': 0, 'groups': 0, 'resolved': 0, 'outside_range': [], 'outside_range_count': 0, 'not_visible': [],
             'not_visible_count': 0, 'max_rid': None}
    generated, generated_count, seen = [], 0, {}
    for item in directory.accounts():
        stats[item['kind'] + 's'] += 1
        rid = checks.rid_of(item['sid'], context['domain_sid'])
        for key in (('sam', item['sam']), ('upn', item['upn'])):
            given = expected.get((item['kind'],) + (key[0], (key[1] or '').casefold()))
            if given is not None:
                seen[given] = rid
        names = checks.autogenerated(item['sam'], item['upn'], item['nickname']) if item['kind'] == 'user' else None
        if names:
            generated_count += 1
            if len(generated) < LIST_LIMIT:
                generated.append(names)
        if rid is None:
            continue
        stats['max_rid'] = max(stats['max_rid'] or 0, rid)
        shown = '%s (RID %d)' % (item['sam'], rid)
        if low + rid > high:
            key = 'outside_range'
        elif low + rid not in nas_ids[item['kind']]:
            key = 'not_visible'
        else:
            stats['resolved'] += 1
            continue
        stats[key + '_count'] += 1
        if len(stats[key]) < LIST_LIMIT:
            stats[key].append(shown)
    stats['absent'] = sorted(set(expected.values()) - set(seen))
    return stats, generated, generated_count, seen


def directory_checks(stats, context):
    low, high = context['domain_range']
    total, lost = stats['users'] + stats['groups'], stats['outside_range_count'] + stats['not_visible_count']
    detail = '%d of %d directory accounts resolve on the NAS' % (stats['resolved'], total)
    if stats['outside_range_count']:
        found = check('directory_accounts', None, 'fail', '%s; %d have a RID above %d, outside the idmap range %d-%d '
                      '(%s)' % (detail, stats['outside_range_count'], high - low, low, high,
                                ', '.join(stats['outside_range'][:5])), stats['resolved'], checks.RANGE_HINT)
    elif lost:
        found = check('directory_accounts', None, 'fail', '%s; %d are not visible on the NAS yet (not in its cache: %s)'
                      % (detail, lost, ', '.join(stats['not_visible'][:5])), stats['resolved'], checks.CACHE_HINT)
    else:
        found = check('directory_accounts', None, 'pass', detail, stats['resolved'])
    if stats['absent']:
        missing = check('directory_expected', None, 'fail', 'expected account(s) absent from the directory (not '
                        'synchronized yet): %s' % ', '.join(stats['absent']), stats['absent'], checks.NOT_SYNCED_HINT)
    else:
        missing = check('directory_expected', None, 'pass', 'every expected account is in the directory', [])
    return [found, missing]


def settings_from(params):
    """Validated inputs (ValueError names the parameter; directory servers are normalised in place); nothing was sent yet."""
    _values.unique([_values.account_name(user, 'users[%d]' % index)
                    for index, user in enumerate(_values.at_most(params['users'], 'users', ACCOUNTS_MAX) or [])],
                   'users', fold=True)
    names = []
    for index, group in enumerate(_values.at_most(params['groups'], 'groups', ACCOUNTS_MAX) or []):
        if not (group.get('name') or '').strip():
            raise ValueError('groups[%d].name: give the group name.' % index)
        names.append(_values.account_name(group['name'], 'groups[%d].name' % index))
        for number, member in enumerate(_values.at_most(group.get('members'), 'groups[%d].members' % index, ACCOUNTS_MAX) or []):
            _values.account_name(member, 'groups[%d].members[%d]' % (index, number))
    _values.unique(names, 'groups', fold=True)
    directory = params.get('directory')
    if directory and directory.get('servers'):
        directory['servers'] = _values.unique([_values.server(server, 'directory.servers[%d]' % index)
                                               for index, server in enumerate(directory['servers'])], 'directory.servers')
    if directory and directory.get('ca_path'):
        _ca_file.ca_file(directory['ca_path'], 'directory.ca_path', directory=False)
    return _names.managed_domain(params['domain'], 'domain') if params.get('domain') else None


def refresh(client, module):
    if module.check_mode:
        return skip('cache_refresh', None, 'check mode: the cache was not rebuilt'), None
    try:
        client.call_job('directoryservices.cache_refresh', timeout=module.params['refresh_timeout'])
    except TrueNASError as exc:
        return check('cache_refresh', None, 'fail', 'directoryservices.cache_refresh failed: %s' % exc, None,
                     exc.hint or checks.CACHE_HINT), False
    return check('cache_refresh', None, 'pass', 'the directory service cache was rebuilt (directoryservices.cache_refresh '
                 'job)', True), True


def run(module, client):
    """Look up, compare, decide and report; never changes a setting (a cache rebuild is not one)."""
    params = module.params
    wanted = settings_from(params)
    if params.get('directory'):
        from ansible_collections.nasjoin.entra.plugins.module_utils._verify.ldap_search import HAS_LDAP3
        if not HAS_LDAP3:
            raise MissingLibrary('ldap3', reason='for the comparison with the directory (directory)')
    api = directory_api.for_client(client)
    client = Batched(client)  # one core.bulk job for the state reads, the local IDs and (domain given) the lookups
    client.prefetch(list(api.reads) + [ids_query(kind, True)[:2] for kind in ('user', 'group')]
                    + (lookups(params, wanted) if wanted else []))
    api = type(api)(client)
    state = api.read()
    domain = state['domain']
    if not state['configured'] or (wanted and wanted != domain):
        raise Failed('the NAS is %s, not to %s: join it first (nasjoin.entra.ad_join).'
                     % ('joined to %s' % domain if state['configured'] else 'not joined', wanted or 'a domain'),
                     status=state['status'])
    found = [checks.directory_status(domain, state['status'], state['status_msg']),
             checks.trust_secret(domain, state['status'], state['status_msg'])]
    healthy = state['status'] == 'HEALTHY'
    refreshed = None
    if params['refresh_cache'] and healthy:
        item, refreshed = refresh(client, module)
        found.append(item)
    ranges = api.idmap_ranges()
    local = enumerated_ids(client, True)
    found += checks.idmap_ranges(ranges, max(local['user'] | local['group'] | set([0])))
    primary = next(entry for entry in ranges if entry['kind'] == 'domain')
    netbios = api.netbios_domain(domain)
    context = {'domain': domain, 'netbios': netbios, 'domain_range': primary['range'], 'backend': primary['backend'],
               'domain_sid': None}
    result = {'domain': domain, 'status': state['status'], 'cache_refreshed': refreshed, 'directory': None,
              'idmap': [dict(entry, range=list(entry['range'])) for entry in ranges]}
    if not healthy:
        found.append(skip('accounts', None, 'the directory service is %s, so no domain account resolves' % state['status']))
        result.update(summarize(found, params['fail_on']), autogenerated=[])
        return verdict(result)
    if not wanted:
        client.prefetch(lookups(params, domain))
    users_group = nas_account(client, 'group', '%s\\Domain Users' % netbios)[0]
    if users_group and users_group['sid']:
        context['domain_sid'] = users_group['sid'].rpartition('-')[0]
    job = Verify(client, domain, context)
    options = params.get('directory')
    if options:
        from ansible_collections.nasjoin.entra.plugins.module_utils._verify.ldap_search import Directory  # ldap3: only here
        with Directory(domain, options) as directory:
            context['domain_sid'] = context['domain_sid'] or directory.domain_sid()
            found_accounts, generated = job.accounts(params['users'], params['groups'], directory.sam_of_upn)
            stats, generated, generated_count, rids = compare(directory, enumerated_ids(client, False), context,
                                                              _expected_keys(params['users'], params['groups'], job.resolved))
        found += [checks.beyond_range(item, rids.get(item['target']), context) for item in found_accounts]
        found += directory_checks(stats, context)
        result['directory'] = stats
        max_rid, rid_source = stats['max_rid'], 'directory'
    else:
        found_accounts, generated = job.accounts(params['users'], params['groups'], None)
        generated_count = len(generated)
        found += found_accounts
        found.append(skip('directory_accounts', None, 'no directory credentials given (directory): the comparison with '
                          'OU=AADDC Users did not run'))
        max_rid, rid_source = job.max_rid, 'accounts looked up'
    found.append(checks.rid_headroom(primary['range'], primary['backend'], max_rid, rid_source))
    found.append(checks.naming(generated, netbios, generated_count))
    result.update(summarize(found, params['fail_on']), autogenerated=generated)
    return verdict(result)
