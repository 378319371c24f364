"""directoryservices.status and .cache_refresh (every release); directoryservices.config / update / leave (25.10 on)
and .sync_keytab (26 on).

Follows plugins/directoryservices.py (status, cache_refresh) at TS-25.04.2.6 and TS-25.10.1, and at TS-25.10.1
api/v25_10_0/directory_services.py (models: directory_models.py), plugins/directoryservices_/datastore.py
(extend/compress, common_validation, validate_kerberos_dns, validate_dns, update, reset, leave),
utils/directoryservices/credential.py (write_temporary_kerberos_config, __validate_kerberos_credential,
kinit_with_cred: no new kinit while a ticket for the same principal is held), utils/directoryservices/ad.py
(get_domain_info), plugins/directoryservices_/connection.py (join_domain, leave_domain, remove_privileges) and
plugins/directoryservices_/activedirectory_join_mixin.py (_ad_join, _ad_join_impl, _ad_post_join_actions,
_ad_leave, _ad_cleanup). Only ACTIVEDIRECTORY is emulated; IPA and LDAP payloads validate, then the job fails
with EOPNOTSUPP.

26 and 27 (TS-26.0.0-BETA.3 and HEAD, datastore.py): update, leave and sync_keytab are
``@job(lock='directoryservices_change', lock_queue_size=1)`` (5 before), so a further call while one waits gets that
waiting job (job.py JobsQueue.add); sync_keytab checks enable / ACTIVEDIRECTORY / HEALTHY, then re-creates the
keytab (connection.py sync_keytab -> _ad_sync_keytab, net ads keytab create; not emulated beyond a write). The
domain follows the join (NAS-139291, connection.py register_dns / unregister_dns): with ``enable_dns_updates`` a join
that registered the NAS in DNS sets network.configuration ``domain`` to the AD domain in lower case, and a leave that
unregistered it sets ``local`` (plugins/network_/common.py DEFAULT_NETWORK_DOMAIN).

Secrets: the KERBEROS_USER password lives only in the running job; what is stored (and what config returns
during the short JOINING window) carries ********; job ``arguments`` are the validated payload without
defaults and with ******** (dump_params with expose_secrets=False).
"""

import copy
import errno

from . import activedirectory, directory_models as models
from .network import DEFAULT_DOMAIN
from .api import api_method
from .directory import AD, MAX_TIME_OFFSET, SECRET, KRB5Error, WBCError, kinit_error_v25_10, netads_error
from .directory_backend import BadName, DirectoryError, DnsLookupError, DomainLookupError, JoinFailure, Krb5Failure
from .errors import CallError, ValidationErrors
from .personalities import since

SECTION = 'directoryservices'
SCHEMA = 'directoryservices.update'
LEAVE_SCHEMA = 'directoryservices.leave_domain'
DEFAULTS = {'id': 1, 'service_type': None, 'credential': None, 'enable': False, 'enable_account_cache': True,
            'enable_dns_updates': True, 'timeout': 10, 'kerberos_realm': None, 'configuration': None}
FAULTED_JOIN = ('Failed to properly join domain and start up services. This may be related to issues '
                'with account setup on the domain controller. To help with debugging, the '
                'TrueNAS configuration and new domain account are left intact for investigation. '
                'Once investigation is concluded, you should clear the domain configuration on TrueNAS '
                'and re-join the domain cleanly.')


# -- status and cache_refresh (every release) ----------------------------------------------------------------

# follows plugins/directoryservices.py (status: DSHealthObj.dump(); any authenticated session)
@api_method('directoryservices.status')
async def ds_status(ctx):
    return await ctx.emu.directory.checked_status()


# follows plugins/directoryservices.py (cache_refresh -> directoryservices.cache.refresh_impl) per release
@api_method('directoryservices.cache_refresh', job=True, lock='directoryservices_refresh_cache', lock_queue_size=1)
async def ds_cache_refresh(ctx, job):
    directory = ctx.emu.directory
    status = directory.status()
    legacy = ctx.emu.personality.name == '25.04'
    if status['type'] is None:
        if not legacy:
            job.set_progress(100, 'Directory services not enabled.')
        return None
    if status['status'] not in ('HEALTHY', 'JOINING'):
        if not legacy:
            job.set_progress(100, 'Directory services not healthy.')
        return None
    await directory.fill_cache(job)
    return None


# -- directoryservices.config (25.10 on) ---------------------------------------------------------------------

def config(emu):
    """datastore extend: with no service_type, enable/credential/configuration read as false/null."""
    entry = emu.store.get(SECTION) or copy.deepcopy(DEFAULTS)
    if entry['service_type'] is None:
        entry.update({'enable': False, 'credential': None, 'configuration': None})
    return entry


def _store(emu, new):
    """compress + datastore.update (the credential's secrets never stored); True when something changed."""
    row = {key: copy.deepcopy(new[key]) for key in DEFAULTS}
    if isinstance(row['credential'], dict) and 'password' in row['credential']:
        row['credential']['password'] = SECRET
    if row == config(emu):
        return False
    emu.store.put(SECTION, row)
    return True


def _reset(emu):
    """directoryservices.reset: everything null/default, enable false."""
    emu.store.put(SECTION, copy.deepcopy(DEFAULTS))


@api_method('directoryservices.config', versions=since('25.10'))
async def ds_config(ctx):
    return config(ctx.emu)


# -- directoryservices.update (25.10 on) ---------------------------------------------------------------------

def _update_arguments(params):
    return models.dump_args(models.DirectoryServicesUpdateArgs, params)


_CHANGE_JOB = {'job': True, 'lock': 'directoryservices_change'}  # datastore.py @job(lock='directoryservices_change')


@api_method('directoryservices.update', versions=('25.10',), args=None, redact=_update_arguments, **_CHANGE_JOB)
@api_method('directoryservices.update', versions=since('26'), args=None, redact=_update_arguments, lock_queue_size=1,
            **_CHANGE_JOB)
async def ds_update(ctx, job, *params):
    instance = models.validate(models.DirectoryServicesUpdateArgs, list(params), ctx.emu.personality.folds_union_errors)
    data, = models.values(instance, patch=('directoryservices_update',))
    return await _update(ctx.emu, job, data)


def _common_validation(emu, old, new, verrors):
    if old['enable'] and new['enable']:
        if old['service_type'] != new['service_type']:
            verrors.add(f'{SCHEMA}.service_type',
                        'Service type for directory services may not be changed while directory services are enabled')
        if old['configuration'] != new['configuration']:
            verrors.add(f'{SCHEMA}.configuration',
                        'Permitted changes while directory services are enabled are limited to account caching, DNS '
                        'updates, and timeouts. All other changes should be performed with directory services disabled '
                        'and during a maintenance window as the changes may result in a temporary production outage.')
        if new['kerberos_realm'] != old['kerberos_realm']:
            verrors.add(f'{SCHEMA}.kerberos_realm', 'Kerberos realm may not be changed while directory service is enabled. ')
    if new['kerberos_realm'] and emu.directory.realm_by_name(new['kerberos_realm']) is None:
        verrors.add(f'{SCHEMA}.kerberos_realm', 'Unknown kerberos realm')
    credential = new['credential']
    if not new['enable'] and credential and credential['credential_type'] == 'KERBEROS_USER' \
            and new['service_type'] in (AD, 'IPA'):
        verrors.add(f'{SCHEMA}.credential.credential_type',
                    'Kerberos user credentials may not be stored for disabled directory services '
                    'when the directory service type is IPA or Active Directory.')


async def domain_info(emu, domain):
    """utils/directoryservices/ad.py get_domain_info(retry=True): keys normalised (lower case, _)."""
    for attempt in (1, 2):
        try:
            info = await emu.directory.domain_info(domain)
            break
        except DomainLookupError as exc:
            if "Didn't find the ldap server!" in exc.text and attempt == 1:
                continue  # gencache flushed, then retried
            if "Didn't find the ldap server!" in exc.text:
                raise CallError(f'{domain}: Failed to discover Active Directory Domain Controller '
                                'for domain. This may indicate a DNS misconfiguration.', errno.ENOENT) from None
            raise CallError(exc.text) from None
    if 'Workgroup' not in info:
        # Samba 4.17's net ads info prints no workgroup; the CLDAP ping has it
        info['Workgroup'] = (await emu.directory.run('lookup_dc', domain, info['KDC server']))['Pre-Win2k Domain']
    return {key.replace(' ', '_').lower(): value for key, value in info.items()}


async def validate_credential(emu, schema, new, verrors):
    """credential.py validate_credential for the Kerberos credentials: pin the KDC from net ads info, check the
    clock, then one kinit. Normalises ``new``: domain upper case, idmap domain name = workgroup, kerberos_realm.
    Returns the revert steps (kdestroy after a successful kinit)."""
    directory = emu.directory
    credential = new['credential']
    if credential is None:
        verrors.add(f'{schema}.credential', 'Credential is required.')
        return []
    configuration = new['configuration']
    configuration['domain'] = configuration['domain'].upper()
    try:
        info = await domain_info(emu, configuration['domain'])
    except CallError as exc:
        verrors.add(f'{schema}.configuration.domain', exc.errmsg)
        return []
    if abs(info['server_time_offset']) > MAX_TIME_OFFSET:
        verrors.add(f'{schema}.configuration.domain',
                    'Time offset from the domain controller exceeds the maximum permitted value.')
        return []
    configuration['idmap']['idmap_domain']['name'] = info['workgroup']
    new['kerberos_realm'] = new['kerberos_realm'] or configuration['domain']

    principal_cred = credential['credential_type'] == 'KERBEROS_PRINCIPAL'
    if principal_cred:
        if credential['principal'] not in await directory.run('keytab_principals'):
            verrors.add(f'{schema}.credential.principal',
                        'The TrueNAS server does not have the specified Kerberos principal.')
            return []
        key, name = f'{schema}.credential.principal', credential['principal']
    else:
        key, name = f'{schema}.credential.username', credential['username']
    if directory.backend.ticket == name:
        return [('kdestroy',)]  # kinit_with_cred keeps a valid ticket of the same principal
    try:
        if principal_cred:
            await directory.kinit(name)
        else:
            # a bare user name gets the default realm of the temporary krb5.conf: the realm just chosen
            await directory.kinit(name if '@' in name else f'{name}@{new["kerberos_realm"]}', credential['password'])
    except Krb5Failure as failure:
        verrors.add(key, kinit_error_v25_10(failure, principal_cred, credential.get('username')))
    except BadName:
        verrors.add(key, 'Not a valid principal name' if principal_cred else 'Not a valid username')
    except DirectoryError as exc:
        verrors.add(key, exc.text)
    else:
        return [('kdestroy',)]
    return []


async def _validate_dns(emu, new, force, verrors):
    """validate_kerberos_dns on every nameserver, then (unless force) whether our hostname is someone else's."""
    directory = emu.directory
    domain, hostname = new['configuration']['domain'], new['configuration']['hostname']
    for nameserver in directory.nameservers():
        record = f'_kerberos._tcp.{domain}.'
        try:
            await directory.run('srv_lookup', nameserver, record, new['timeout'])
        except DnsLookupError:
            verrors.add(f'{SCHEMA}.configuration.domain',
                        f'Forward lookup of "{record}" failed with nameserver {nameserver}. This '
                        'may indicate that the specified nameserver is not a valid nameserver for the domain '
                        f'{domain}.')
    if force:
        return
    dns_name = f'{hostname}.{domain}'
    try:
        addresses = await directory.run('forward_lookup', dns_name, new['timeout'])
    except DnsLookupError as exc:
        if exc.kind == 'LifetimeTimeout':
            verrors.add(f'{SCHEMA}.timeout',
                        f'{dns_name}: DNS query for proposed truenas server hostname timed out before it could '
                        'complete. This may indicate a DNS misconfiguration on the TrueNAS server.')
        return
    if not set(addresses) & set(directory.addresses()):
        verrors.add(f'{SCHEMA}.configuration.hostname',
                    f'{hostname}: hostname appears to be in use by another server '
                    'in the domain. Further investigation and correction of DNS entries may be required.')


async def _revert(emu, steps):
    """__revert_changes: undo in reverse order, failures only logged."""
    for step in reversed(steps):
        try:
            if step[0] == 'kdestroy':
                await emu.directory.kdestroy()
            elif step[0] == 'delete_realm':
                emu.directory.delete_realm(step[1])
            elif step[0] == 'store':
                emu.store.put(SECTION, step[1])
        except Exception:  # pylint: disable=broad-except
            pass


async def _update(emu, job, data):  # pylint: disable=too-many-branches,too-many-statements
    directory = emu.directory
    old = config(emu)
    new = copy.deepcopy({**old, **data})
    force = new.pop('force', False)
    verrors = ValidationErrors()
    _common_validation(emu, old, new, verrors)
    verrors.check()

    if not new['enable']:
        if new['service_type'] is None:
            changed = old != {**DEFAULTS, 'id': old['id']}
            _reset(emu)
        else:
            changed = _store(emu, new)
        if changed:
            emu.stats.write('directoryservices.update')
        if old['enable']:
            job.set_progress(description=f'Disabling {old["service_type"]}')
            directory.set_status('DISABLED')
            job.set_progress(description='Regenerating configuration files')
            await directory.stop_winbind()  # service.control RESTART idmap: the domain is gone from smb.conf
            job.set_progress(description='Restarting dependent services')
        return config(emu)

    if new['service_type'] != AD:
        raise CallError(f'{new["service_type"]}: the emulator implements ACTIVEDIRECTORY only', errno.EOPNOTSUPP)
    if old['service_type'] and old['service_type'] != new['service_type']:
        _reset(emu)

    revert = await validate_credential(emu, SCHEMA, new, verrors)
    if verrors:
        await _revert(emu, revert)
    verrors.check()
    await _validate_dns(emu, new, force, verrors)
    if verrors:
        await _revert(emu, revert)
    verrors.check()

    if new['kerberos_realm'] and directory.realm_by_name(new['kerberos_realm']) is None:
        revert.append(('delete_realm', directory.add_realm(new['kerberos_realm'])))
    previous = emu.store.get(SECTION) or copy.deepcopy(DEFAULTS)
    changed = _store(emu, new)
    if changed:
        emu.stats.write('directoryservices.update')
    revert.append(('store', previous))

    if old['enable']:
        if changed:
            job.set_progress(description='Restarting services')
            await directory.stop_winbind()
            await directory.start_winbind()
        return config(emu)

    directory.set_status('JOINING')
    directory.checkpoint('update_stored')
    try:
        response = await _join_domain(emu, job, force)
    except (WBCError, KRB5Error):
        directory.set_status('FAULTED', FAULTED_JOIN)
        raise CallError(FAULTED_JOIN) from None
    except Exception:
        await _revert(emu, revert)
        directory.set_status('DISABLED')
        raise
    directory.set_status('HEALTHY')
    await directory.start_winbind()  # directoryservices.connection.activate -> _ad_activate
    try:
        await directory.fill_cache(job)
    except Exception:  # pylint: disable=broad-except  # "Failed to build user and group cache" is only logged
        pass
    if response == 'PERFORMED_JOIN':
        try:
            await directory.grant_domain_admins(new['configuration']['domain'].upper())
        except Exception:  # pylint: disable=broad-except  # failure only logged by TrueNAS
            pass
        new = config(emu)
    if new['credential']['credential_type'] == 'KERBEROS_USER':
        netbiosname = directory.smb()['netbiosname'].upper()
        principal = next((p for p in await directory.run('keytab_principals') if p.startswith(f'{netbiosname}$')),
                         f'{netbiosname}$@{new["configuration"]["domain"]}')
        new['credential'] = {'credential_type': 'KERBEROS_PRINCIPAL', 'principal': principal}
        _store(emu, new)
    return config(emu)


async def _join_domain(emu, job, force):
    """directoryservices.connection.join_domain: ALREADY_JOINED when net ads testjoin passes (unless force)."""
    if not force and await emu.directory.run('test_join'):
        return 'ALREADY_JOINED'
    await _ad_join(emu, job, config(emu))
    return 'PERFORMED_JOIN'


async def _ad_join(emu, job, ds_config):  # pylint: disable=too-many-locals
    """_ad_join at TS-25.10.1 (the same at TS-26.0.0-BETA.3 and HEAD, but for the domain written after the join)."""
    directory = emu.directory
    domain, hostname = ds_config['configuration']['domain'], ds_config['configuration']['hostname']
    if hostname != emu.network.config()['hostname_local']:
        emu.network.update({'hostname': hostname})
    smb = directory.smb()
    if smb['netbiosname'] != hostname and smb['netbiosname'] == 'truenas':
        netbiosname = hostname[:14]  # NETBIOSNAME_MAX_LEN - 1
        models.validate_netbios_name(netbiosname, models.RE_NETBIOSDOM)
        directory.update_smb(netbiosname=netbiosname)
        smb = directory.smb()
    info = await domain_info(emu, domain)
    try:
        dc_info = await directory.run('lookup_dc', domain, info['kdc_server'])
    except DomainLookupError as exc:
        raise CallError(f'Failed to look up Domain Controller information: {exc.text}') from None

    job.set_progress(0, 'Preparing to join Active Directory')
    job.set_progress(5, 'Configuring Kerberos Settings.')
    realm = ds_config['kerberos_realm'] or domain
    if directory.realm_by_name(realm.upper()) is None and directory.realm_by_name(realm) is None:
        directory.add_realm(domain.upper())
    job.set_progress(20, 'Detecting Active Directory Site.')
    site = ds_config['configuration']['site'] or dc_info['Client Site Name']
    job.set_progress(30, 'Detecting Active Directory NetBIOS Domain Name.')
    if smb['workgroup'] != dc_info['Pre-Win2k Domain']:
        directory.update_smb(workgroup=dc_info['Pre-Win2k Domain'])
    machine = f'{smb["netbiosname"].upper()}$@{domain}'
    stored = config(emu)
    stored['credential'] = {'credential_type': 'KERBEROS_PRINCIPAL', 'principal': machine}
    stored['configuration']['site'] = site
    stored['kerberos_realm'] = realm
    _store(emu, stored)

    job.set_progress(50, 'Performing domain join.')
    try:
        await directory.join(netbios_name=smb['netbiosname'], dns_hostname=f'{hostname}.{domain}',
                             ou=ds_config['configuration']['computer_account_ou'],
                             dns_updates=ds_config['enable_dns_updates'])
    except JoinFailure as failure:
        raise netads_error(failure) from None
    directory.checkpoint('account_created')
    if ds_config['enable_dns_updates'] and emu.personality.at_least('26'):
        emu.network.update({'domain': domain.lower()})  # _ad_post_join_actions -> register_dns
    try:
        job.set_progress(60, 'Performing post-join actions')
        await directory.start_winbind(after_join=True)
    except (WBCError, KRB5Error):
        raise
    except Exception:
        await _leave_backend(emu, stored)
        raise

    job.set_progress(75, 'Performing kinit using new computer account.')
    await directory.kdestroy()
    try:
        await directory.kinit(machine)
    except Krb5Failure:
        job.set_progress(80, 'Waiting for active directory to replicate machine account changes.')
        await activedirectory.wait_kerberos_start(directory, machine)


async def _leave_backend(emu, ds_config):
    """net ads leave (+ DNS unregister) with the current ticket; a failure is only logged. 26 on, a leave that
    unregistered the NAS from DNS sets the network domain back to ``local`` (_ad_leave -> unregister_dns)."""
    try:
        await emu.directory.leave(netbios_name=emu.directory.smb()['netbiosname'],
                                  dns_hostname=f'{ds_config["configuration"]["hostname"]}.'
                                               f'{ds_config["configuration"]["domain"]}',
                                  dns_updates=ds_config['enable_dns_updates'])
    except DirectoryError:
        return
    if ds_config['enable_dns_updates'] and emu.personality.at_least('26'):
        emu.network.update({'domain': DEFAULT_DOMAIN})


# -- directoryservices.leave (25.10 on) ----------------------------------------------------------------------

def _leave_arguments(params):
    return models.dump_args(models.DirectoryServicesLeaveArgs, params)


@api_method('directoryservices.leave', versions=('25.10',), args=None, redact=_leave_arguments, **_CHANGE_JOB)
@api_method('directoryservices.leave', versions=since('26'), args=None, redact=_leave_arguments, lock_queue_size=1,
            **_CHANGE_JOB)
async def ds_leave(ctx, job, *params):
    instance = models.validate(models.DirectoryServicesLeaveArgs, list(params), ctx.emu.personality.folds_union_errors)
    cred, = models.values(instance)
    return await _leave(ctx.emu, job, cred)


async def _leave(emu, job, cred):
    directory = emu.directory
    ds_config = config(emu)
    if not ds_config['enable']:
        raise CallError('The directory service must be enabled before the TrueNAS server can leave the domain.')
    ds_config['credential'] = cred['credential']
    if ds_config['service_type'] not in ('IPA', AD):
        raise CallError(f'DSType.{ds_config["service_type"]}: Directory service type does not support leave operations')
    orig_state = directory.status()['status']
    directory.set_status('LEAVING')
    verrors = ValidationErrors()
    revert = await validate_credential(emu, LEAVE_SCHEMA, ds_config, verrors)
    if verrors:
        directory.set_status(orig_state or 'DISABLED')
        await _revert(emu, revert)
    verrors.check()
    try:
        await _leave_domain(emu, job, ds_config)
    except Exception:
        await _revert(emu, revert)
        raise
    directory.set_status('DISABLED')
    job.set_progress(description='Restarting services')
    await directory.kdestroy()
    job.set_progress(description=f'Successfully left {ds_config["configuration"]["domain"]}')


async def _leave_domain(emu, job, ds_config):
    """connection.leave_domain: _ad_leave when net ads testjoin passes, else only _ad_cleanup and a CallError."""
    directory = emu.directory
    domain = ds_config['configuration']['domain']
    directory.remove_privilege(domain)
    if await directory.run('test_join'):
        job.set_progress(description='Removing machine account from Active Directory')
        if ds_config['enable_dns_updates']:
            job.set_progress(description='Unregistering from active directory DNS')
        await _leave_backend(emu, ds_config)
        directory.checkpoint('leave_started')
        _cleanup(emu, job, ds_config)
        job.set_progress(description='Completed active directory leave.')
        return
    await directory.stop_winbind()
    _cleanup(emu, job, ds_config)
    raise CallError(f'{domain}: The domain join is not healthy. This prevents the TrueNAS server from leaving the '
                    'domain. You may need to manually clean up the machine account on the remote domain controller.')


def _cleanup(emu, job, ds_config):
    """_ad_cleanup: reset the configuration, drop the realm."""
    job.set_progress(description='Removing local configuration')
    _reset(emu)
    emu.stats.write('directoryservices.leave')
    if ds_config['kerberos_realm']:
        realm = emu.directory.realm_by_name(ds_config['kerberos_realm'])
        if realm:
            emu.directory.delete_realm(realm['id'])


# -- directoryservices.sync_keytab (26 on) -------------------------------------------------------------------

@api_method('directoryservices.sync_keytab', versions=since('26'), lock_queue_size=1, **_CHANGE_JOB)
async def ds_sync_keytab(ctx, job):  # pylint: disable=unused-argument
    """datastore.py sync_keytab: the checks (the message without a space is TrueNAS's), then the keytab is made again
    (the private job directoryservices.connection.sync_keytab it wraps is not emulated)."""
    emu, attribute = ctx.emu, 'directoryservices.sync_keytab'
    ds_config = config(emu)
    verrors = ValidationErrors()
    if not ds_config['enable']:
        verrors.add(attribute, 'Directory services must be enabled in order to synchronize keytab.')
    if ds_config['service_type'] and ds_config['service_type'] != AD:
        verrors.add(attribute, 'This feature is currently only supported for active directory domains.')
    else:
        status = (await emu.directory.checked_status())['status']
        if status != 'HEALTHY':
            verrors.add(attribute, f'Operation may only be performed when healthy.Current status: {status}.')
    verrors.check()
    emu.stats.write(attribute)
