"""25.04: activedirectory.config / update / leave / domain_info (the legacy schema, plugins/activedirectory.py at
TS-25.04.2.6), joining and leaving through the directory backend.

Follows plugins/activedirectory.py (ENTRY 'activedirectory_update', ad_extend/ad_compress, netbios_name_check,
common_validate, do_update, validate_credentials, domain_info, leave, __start/__stop),
plugins/activedirectory_/dns.py (check_nameservers, netbiosname_is_ours, ipaddresses_to_register),
plugins/kerberos.py (get_cred: ``<bindname>@<DOMAINNAME>``), plugins/directoryservices_/join.py (join_domain,
leave_domain) and plugins/directoryservices_/activedirectory_join_mixin.py at TS-25.04.2.6 (_ad_join,
_ad_join_impl, _ad_post_join_actions, _ad_leave, _ad_wait_kerberos_start).

The legacy schema is checked inside the job, as @accepts does for job methods: a bad payload gives a job
id, then a FAILED job with VALIDATION exc_info. The bind password is never stored; job ``arguments`` show it
as ******** (schema Str private=True / Password).
"""

import asyncio
import errno
import ipaddress

from . import directory_schema as schema
from .api import api_method
from .directory import (MAX_TIME_OFFSET, KRB5Error, ValidationError, WBCError, kinit_error_v25_04, netads_error,
                        redact)
from .directory_backend import BadName, DirectoryError, DnsLookupError, DomainLookupError, JoinFailure, Krb5Failure
from .errors import CallError, ValidationErrors

SECTION = 'activedirectory'
# alembic/initial.sql row of directoryservice_activedirectory, with the columns later migrations added
DEFAULTS = {
    'id': 1, 'domainname': '', 'bindname': '', 'verbose_logging': False, 'allow_trusted_doms': False,
    'use_default_domain': False, 'allow_dns_updates': True, 'disable_freenas_cache': False, 'restrict_pam': False,
    'site': None, 'timeout': 60, 'dns_timeout': 10, 'nss_info': None, 'enable': False, 'kerberos_realm': None,
    'kerberos_principal': '', 'createcomputer': '',
}
PERMITTED_WHILE_ENABLED = ('verbose_logging', 'use_default_domain', 'allow_trusted_doms', 'disable_freenas_cache',
                           'restrict_pam', 'timeout', 'dns_timeout')
DEFAULT_SITE = 'Default-First-Site-Name'
RETRY_CODES = ('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN', 'KRB5KDC_ERR_CLIENT_REVOKED', 'KRB5KDC_ERR_PREAUTH_FAILED')


def stored(emu):
    return emu.store.get(SECTION) or dict(DEFAULTS)


def config(emu):
    """activedirectory.config: the datastore row extended by ad_extend (netbios fields from smb.config)."""
    entry = stored(emu)
    smb = emu.directory.smb()
    entry.update({'netbiosname': smb['netbiosname'], 'netbiosalias': smb['netbiosalias'],
                  'nss_info': (entry['nss_info'] or 'TEMPLATE').upper()})
    return entry


def _save(emu, new):
    """ad_compress + datastore.update; True when something changed."""
    row = {key: new[key] for key in DEFAULTS}
    if row['nss_info']:
        row['nss_info'] = row['nss_info'].upper()
    if row == stored(emu):
        return False
    emu.store.put(SECTION, row)
    return True


def _set(emu, **changes):
    emu.store.put(SECTION, {**stored(emu), **changes})


def _redact_args(params):
    return [redact(param) for param in params]


# -- activedirectory.config ------------------------------------------------------------------------------------

@api_method('activedirectory.config', versions=('25.04',))
async def ad_config(ctx):
    return config(ctx.emu)


# -- activedirectory.domain_info -------------------------------------------------------------------------------

async def _domain_info(emu, domain):
    """domain_info: net ads info (retried once after a gencache flush); CallErrors as the plugin raises them."""
    for attempt in (1, 2):
        try:
            return await emu.directory.domain_info(domain or None)
        except DomainLookupError as exc:
            if attempt == 2:
                if exc.text == "Didn't find the ldap server!":
                    raise CallError('Failed to discover Active Directory Domain Controller '
                                    'for domain. This may indicate a DNS misconfiguration.', errno.ENOENT) from None
                raise CallError(exc.text + '\n') from None
    raise AssertionError('unreachable')


@api_method('activedirectory.domain_info', versions=('25.04',), args=None)
async def ad_domain_info(ctx, *params):
    domain, = schema.accept([schema.DOMAIN_INFO], list(params))
    return await _domain_info(ctx.emu, domain or stored(ctx.emu)['domainname'])


# -- activedirectory.update ------------------------------------------------------------------------------------

@api_method('activedirectory.update', versions=('25.04',), args=None, job=True, redact=_redact_args, lock='AD_start_stop')
async def ad_update(ctx, job, *params):
    data, = schema.accept([schema.AD_UPDATE], list(params))
    return await _update(ctx.emu, job, data)


def _netbios_name_check(old, new):
    """netbios_name_check('activedirectory', ...): True when netbiosname/netbiosalias change."""
    changed = False
    if new['netbiosalias'] is None:
        new['netbiosalias'] = old['netbiosalias']
    for key in ('netbiosname', 'netbiosalias'):
        if key in new and old[key] != new[key]:
            if old.get('enable', True):
                if key == 'netbiosname' and new[key].casefold() != old[key].casefold():
                    raise ValidationError(f'activedirectory.{key}', f'{old[key]} -> {new[key]}: NetBIOS name may not '
                                                                    'be changed while AD service is enabled.')
                if len(old[key]) != len(new[key]):
                    raise ValidationError(f'activedirectory.{key}', f'{old[key]} -> {new[key]}: NetBIOS aliases may '
                                                                    'not be changed while AD service is enabled.')
                for idx, alias in enumerate(old[key]):
                    if alias.casefold() != new[key][idx].casefold():
                        raise ValidationError(f'activedirectory.{key}.{idx}',
                                              f'{alias} -> {new[key][idx]}: NetBIOS alias may not be changed while '
                                              'AD service is enabled.')
            changed = True
    return changed


async def _common_validate(emu, new, old, verrors):
    directory = emu.directory
    if new['enable']:
        name = f'{new["netbiosname"]}.{new["domainname"]}'
        try:
            found = await directory.run('forward_lookup', name, new['dns_timeout'])
        except DnsLookupError as exc:
            if exc.kind not in ('NXDOMAIN', 'NoNameservers'):
                raise  # netbiosname_is_ours turns only these two into a CallError (which is ignored)
        else:
            if not set(found) & set(directory.addresses()):
                verrors.add('activedirectory_update.netbiosname',
                            f'NetBIOS name [{new["netbiosname"]}] appears to be in use by another computer in Active '
                            'Directory DNS. Further investigation and DNS corrections will be required prior to using '
                            'the aforementioned name to join Active Directory.')
    if new['kerberos_realm'] and new['kerberos_realm'] != old['kerberos_realm']:
        if directory.realm_by_id(new['kerberos_realm']) is None:
            verrors.add('activedirectory_update.kerberos_realm', 'Invalid Kerberos realm id. Realm does not exist.')
    if not new['enable']:
        return
    if new['enable'] and old['enable'] and new['kerberos_realm'] != old['kerberos_realm']:
        verrors.add('activedirectory_update.kerberos_realm',
                    'Kerberos realm may not be altered while the AD service is enabled. '
                    'This is to avoid introducing possible configuration errors that may result '
                    'in a production outage.')
    if not new.get('bindpw') and not new['kerberos_principal']:
        verrors.add('activedirectory_update.bindname',
                    'Bind credentials or kerberos keytab are required to join an AD domain.')
    if new.get('bindpw') and new['kerberos_principal']:
        verrors.add('activedirectory_update.kerberos_principal',
                    'Simultaneous keytab and password authentication are not permitted.')
    if not new['domainname']:
        verrors.add('activedirectory_update.domainname', 'AD domain name is required.')
    if new['allow_dns_updates']:
        addresses = await _ipaddresses_to_register(emu, f'{new["netbiosname"]}.{new["domainname"]}.')
        if not addresses:
            verrors.add('activedirectory_update.allow_dns_updates',
                        'No server IP addresses passed DNS validation. '
                        'This may indicate an improperly configured reverse zone. '
                        'Review middleware log files for details regarding errors encountered.')
        for address in map(ipaddress.ip_address, addresses):
            for test, kind in ((address.is_reserved, 'reserved IP address'), (address.is_loopback, 'loopback address'),
                               (address.is_link_local, 'link-local address'), (address.is_multicast, 'multicast address')):
                if test:
                    verrors.add('activedirectory_update.allow_dns_updates',
                                f'{address}: automatic DNS update would result in registering a {kind}. Users may '
                                'disable automatic DNS updates and manually configure DNS A and AAAA records as '
                                'needed for their domain.')


async def _ipaddresses_to_register(emu, hostname):
    """ipaddresses_to_register(valid_only=True): addresses whose PTR is missing (NXDOMAIN) or names us."""
    valid = []
    for address in emu.directory.addresses():
        if ipaddress.ip_address(address).is_link_local:
            continue  # interface.ip_in_use leaves IPv6 link-local addresses out
        try:
            target = await emu.directory.run('reverse_lookup', address, 10)
        except DnsLookupError as exc:
            if exc.kind == 'NXDOMAIN':
                valid.append(address)
            continue
        if target.casefold() == hostname.casefold():
            valid.append(address)
    return valid


async def _check_nameservers(emu, domain, site, lifetime):
    """check_nameservers: every resolv.conf nameserver must answer the domain's Kerberos and LDAP SRV records."""
    def host(prefix):
        if site and site != DEFAULT_SITE:
            return f'{prefix}{site}._sites.{domain}.'
        return f'{prefix}{domain}.'

    targets = [host('_kerberos._tcp.'), host('_ldap._tcp.')]
    for nameserver in emu.directory.nameservers():
        answered = set()
        for name in targets:
            try:
                await emu.directory.run('srv_lookup', nameserver, name, lifetime)
            except DnsLookupError as exc:
                if exc.kind == 'NXDOMAIN':
                    raise CallError(
                        f'{name}: Nameserver {nameserver} failed to resolve SRV '
                        f'record for domain {domain}. This may indicate a DNS misconfiguration '
                        'on the TrueNAS server. NOTE: When configuring with Active Directory, all '
                        'registered nameservers must be nameservers for the Active Directory domain.',
                        errno.EINVAL) from None
                if exc.kind != 'NoAnswer':
                    raise CallError(f'{name}: Nameserver {nameserver} failed to resolve SRV '
                                    f'record for domain {domain} : {exc.text}', errno.EINVAL) from None
            else:
                answered.add(name)
        for name in targets:
            if name not in answered:
                raise CallError(f'Forward lookup of "{name}" failed with nameserver {nameserver}. '
                                'This may indicate a DNS misconfiguration on the remote nameserver.', errno.ENOENT)


async def _validate_credentials(emu, new):
    """validate_credentials: kerberos.get_cred + do_kinit (one kinit), errors mapped by KRB5 code."""
    directory = emu.directory
    principal = new['kerberos_principal']
    if not principal:
        verrors = ValidationErrors()
        for key in ('bindname', 'bindpw', 'domainname'):
            if not new.get(key):
                verrors.add(f'conf.{key}', 'Parameter is required.')
        verrors.check()
    try:
        if principal:
            choices = await directory.run('keytab_principals')
            if principal not in choices:
                raise Krb5Failure('KRB5_CC_NOTFOUND')
            await directory.kinit(principal)
        else:
            await directory.kinit(f'{new["bindname"]}@{new["domainname"].upper()}', new['bindpw'])
    except Krb5Failure as failure:
        choices = await directory.run('keytab_principals') if principal else ()
        raise ValidationError(*kinit_error_v25_04(failure, principal, new.get('bindname'), choices)) from None
    except BadName:
        if principal:
            raise ValidationError('activedirectory.kerberos_principal', 'Not a valid principal name') from None
        raise ValidationError('activedirectory.bindname', 'Not a valid username') from None
    except DirectoryError as exc:
        raise CallError(exc.text) from None


async def _update(emu, job, data):  # pylint: disable=too-many-branches
    directory = emu.directory
    old = config(emu)
    new = {**old, **data}
    new['domainname'] = new['domainname'].upper()
    smb_changed = False
    try:
        if _netbios_name_check(old, new):
            directory.update_smb(netbiosname=new['netbiosname'], netbiosalias=new['netbiosalias'])
            smb_changed = True
    except Exception as exc:  # pylint: disable=broad-except  # the plugin wraps whatever smb.update raised
        raise ValidationError('activedirectory_update.netbiosname', str(exc)) from None

    verrors = ValidationErrors()
    await _common_validate(emu, new, old, verrors)
    verrors.check()

    if new['enable'] and new['allow_trusted_doms'] and not _may_enable_trusted_domains(emu):
        raise ValidationError(
            'activedirectory.allow_trusted_doms',
            'Configuration for trusted domains requires that the idmap backend '
            'be configured to handle these domains. There are two possible strategies to '
            'achieve this. The first strategy is to use the AUTORID backend for the domain '
            'to which TrueNAS is joined. The second strategy is to separately configure idmap '
            'ranges for every domain that has a trust relationship with the domain to which '
            'TrueNAS is joined and which has accounts that will be used on the TrueNAS server. '
            'NOTE: the topic of how to properly map Windows SIDs to Unix IDs is complex and '
            'may require consultation with administrators of other Unix servers in the '
            'Active Directory domain to properly coordinate a comprehensive ID mapping strategy.')

    if new['enable'] and old['enable']:
        for key in old:
            if key in PERMITTED_WHILE_ENABLED:
                continue
            if new[key] != old[key]:
                raise ValidationError(f'activedirectory.{key}',
                                      'Parameter may not be changed while the Active Directory service is enabled.')
    elif new['enable'] and not old['enable']:
        try:
            info = await _domain_info(emu, new['domainname'])
        except CallError as exc:
            raise ValidationError('activedirectory.domainname', exc.errmsg) from None
        if abs(info['Server time offset']) > MAX_TIME_OFFSET:
            raise ValidationError('activedirectory.domainname',
                                  'Time offset from Active Directory domain exceeds maximum '
                                  'permitted value. This may indicate an NTP misconfiguration.')
        try:
            await _check_nameservers(emu, new['domainname'], new['site'], new['dns_timeout'])
        except CallError as exc:
            raise ValidationError('activedirectory.domainname', exc.errmsg) from None
        await _validate_credentials(emu, new)
    elif not new['enable'] and new.get('bindpw'):
        raise ValidationError('activedirectory.bindpw',
                              'The Active Directory bind password is only used when enabling the active '
                              'directory service for the first time and is not stored persistently. Therefore it '
                              'is only valid when enabling the service.')

    changed = _save(emu, new) or smb_changed
    if changed:
        emu.stats.write('activedirectory.update')

    if not old['enable'] and new['enable']:
        network = emu.network.stored()
        if not network['domain'] or network['domain'] == 'local':
            try:
                emu.network.update({'domain': new['domainname']})
            except (CallError, ValidationErrors):
                pass
        try:
            await _start(emu, job, new)
        except Exception:
            directory.set_status('DISABLED')
            _set(emu, enable=False)
            raise
    elif not new['enable'] and old['enable']:
        await _stop(emu, job)
    elif new['enable'] and old['enable'] and changed:
        await directory.stop_winbind()   # service.restart idmap
        await directory.start_winbind()
    return config(emu)


def _may_enable_trusted_domains(emu):
    from .idmap import rows  # pylint: disable=import-outside-toplevel  # idmap imports this module's config
    domains = [row for row in rows(emu) if row['name'] not in ('DS_TYPE_DEFAULT_DOMAIN', 'DS_TYPE_LDAP')]
    primary = next(row for row in domains if row['name'] == 'DS_TYPE_ACTIVEDIRECTORY')
    return primary['idmap_backend'] == 'AUTORID' or len(domains) > 1


async def _start(emu, job, new):
    """__start: JOINING, join_domain (a wrapped job), HEALTHY, activate + cache fill, privileges."""
    directory = emu.directory
    directory.set_status('JOINING')
    directory.checkpoint('update_stored')
    try:
        response = await _join_domain(emu, job)
    except CallError:
        raise
    except Exception as exc:  # pylint: disable=broad-except  # job.wrap turns other errors into CallError
        raise CallError(str(exc)) from None
    directory.set_status('HEALTHY')
    await directory.start_winbind()  # directoryservices.connection.activate -> _ad_activate
    await directory.fill_cache(job)
    if response == 'PERFORMED_JOIN':
        await directory.grant_domain_admins(new['domainname'].upper())
    return response


async def _join_domain(emu, job):
    """directoryservices.connection.join_domain + _ad_join (TS-25.04.2.6)."""
    directory = emu.directory
    if await directory.run('test_join'):
        return 'ALREADY_JOINED'
    ad = config(emu)
    domain = ad['domainname']
    try:
        dc_info = await directory.run('lookup_dc', domain)
    except DomainLookupError as exc:
        raise CallError(f'Failed to look up Domain Controller information: {exc.text}') from None
    job.set_progress(0, 'Preparing to join Active Directory')
    job.set_progress(5, 'Configuring Kerberos Settings.')
    if not ad['kerberos_realm']:
        realm = directory.realm_by_name(domain.upper())
        realm_id = realm['id'] if realm else directory.add_realm(domain.upper())
        _set(emu, kerberos_realm=realm_id)
        ad['kerberos_realm'] = realm_id
    job.set_progress(20, 'Detecting Active Directory Site.')
    site = ad['site'] or dc_info['Client Site Name']
    job.set_progress(30, 'Detecting Active Directory NetBIOS Domain Name.')
    if directory.smb()['workgroup'] != dc_info['Pre-Win2k Domain']:
        directory.update_smb(workgroup=dc_info['Pre-Win2k Domain'])
    job.set_progress(50, 'Performing domain join.')
    await _join_impl(emu, job, ad)
    machine = f'{ad["netbiosname"].upper()}$@{domain}'
    _set(emu, kerberos_principal=machine, site=site, kerberos_realm=ad['kerberos_realm'])
    job.set_progress(75, 'Performing kinit using new computer account.')
    await directory.kdestroy()
    try:
        await directory.kinit(machine)
    except Krb5Failure:
        job.set_progress(80, 'Waiting for active directory to replicate machine account changes.')
        await wait_kerberos_start(directory, machine)
    return 'PERFORMED_JOIN'


async def wait_kerberos_start(directory, principal, tries=10):
    """_ad_wait_kerberos_start: retry the machine kinit while the account replicates."""
    for attempt in range(tries):
        try:
            await directory.kinit(principal)
            return
        except Krb5Failure as failure:
            if failure.code not in RETRY_CODES or attempt == tries - 1:
                raise KRB5Error(failure) from None
        await asyncio.sleep(1)


async def _join_impl(emu, job, ad):
    """_ad_join_impl: net ads join [createcomputer=OU]; post-join DNS registration and winbindd. WBC/KRB5
    errors leave everything in place; other post-join errors roll the join back."""
    directory = emu.directory
    try:
        await directory.join(netbios_name=ad['netbiosname'], dns_hostname=None, ou=ad['createcomputer'] or None,
                             dns_updates=ad['allow_dns_updates'])
    except JoinFailure as failure:
        raise netads_error(failure) from None
    directory.checkpoint('account_created')
    job.set_progress(60, 'Performing post-join actions')
    try:
        if ad['allow_dns_updates'] and not await _ipaddresses_to_register(
                emu, f'{ad["netbiosname"]}.{ad["domainname"]}.'):
            raise CallError('No server IP addresses passed DNS validation. '
                            'This may indicate an improperly configured reverse zone. '
                            'Review middleware log files for details regarding errors encountered.', errno.EINVAL)
        await directory.start_winbind(after_join=True)
    except (WBCError, KRB5Error):
        raise
    except Exception:
        await _leave_domain(emu, ad)
        raise


async def _leave_domain(emu, ad):
    """_ad_leave (net ads leave with the current ticket; a failure is only logged)."""
    try:
        await emu.directory.leave(netbios_name=ad['netbiosname'], dns_hostname=None,
                                  dns_updates=ad['allow_dns_updates'])
    except DirectoryError:
        pass


async def _stop(emu, job):
    """__stop: disable only; the computer account stays."""
    directory = emu.directory
    job.set_progress(0, 'Preparing to stop Active Directory service')
    job.set_progress(10, 'Stopping kerberos service')
    await directory.kdestroy()
    job.set_progress(20, 'Reconfiguring SMB.')
    await directory.stop_winbind()
    job.set_progress(40, 'Reconfiguring pam and nss.')
    directory.set_status('DISABLED')
    job.set_progress(60, 'clearing caches.')
    job.set_progress(100, 'Active Directory stop completed.')


# -- activedirectory.leave -------------------------------------------------------------------------------------

@api_method('activedirectory.leave', versions=('25.04',), args=None, job=True, redact=_redact_args, lock='AD_start_stop')
async def ad_leave(ctx, job, *params):
    data, = schema.accept([schema.KERBEROS_USERNAME_PASSWORD], list(params))
    return await _leave(ctx.emu, job, data)


async def _leave(emu, job, data):
    directory = emu.directory
    ad = config(emu)
    if not ad['domainname']:
        raise CallError('Active Directory domain name present in configuration.')
    directory.remove_privilege(ad['domainname'])
    job.set_progress(5, 'Obtaining kerberos ticket for privileged user.')
    verrors = ValidationErrors()
    for key, value in (('bindname', data.get('username')), ('bindpw', data.get('password'))):
        if not value:
            verrors.add(f'conf.{key}', 'Parameter is required.')
    verrors.check()
    try:
        await directory.kinit(f'{data["username"]}@{ad["domainname"].upper()}', data['password'])
    except Krb5Failure as failure:
        raise KRB5Error(failure) from None
    except BadName as exc:
        raise CallError(exc.text, errno.EINVAL) from None
    job.set_progress(10, 'Leaving Active Directory domain.')
    await _leave_domain(emu, ad)
    directory.checkpoint('leave_started')
    job.set_progress(15, 'Removing DNS entries')
    job.set_progress(20, 'Removing kerberos keytab and realm.')
    if ad['kerberos_realm']:
        directory.delete_realm(ad['kerberos_realm'])
    job.set_progress(30, 'Clearing local Active Directory settings.')
    _set(emu, enable=False, site=None, bindname='', kerberos_realm=None, kerberos_principal='', domainname='')
    emu.stats.write('activedirectory.leave')
    directory.set_status('DISABLED')
    job.set_progress(40, 'Flushing caches.')
    job.set_progress(50, 'Clearing kerberos configuration and ticket.')
    await directory.kdestroy()
    job.set_progress(60, 'Regenerating configuration.')
    job.set_progress(60, 'Restarting services.')
    job.set_progress(100, 'Successfully left activedirectory domain.')
