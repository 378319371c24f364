"""Directory-service state and steps shared by both personalities (25.04 activedirectory.*, 25.10 directoryservices.*).

Follows utils/directoryservices/health.py (DirectoryServiceHealth.dump: type/status/status_msg, all null when
DISABLED), plugins/directoryservices_/health.py (set_state; 25.10 sends a ``directoryservices.status`` CHANGED
event), utils/directoryservices/credential.py and plugins/activedirectory.py (KRB5 error -> message tables),
plugins/directoryservices_/activedirectory_join_mixin.py (_ad_grant_privileges, post-join activation) and
plugins/directoryservices_/cache.py + util_cache.py (cache fill progress).

:class:`Directory` is ``emu.directory``: it owns the status, the SMB fields the AD plugins share
(netbiosname, netbiosalias, workgroup), Kerberos realms, privileges, and every call into the backend
(directory_backend.py), which it logs for tests (``emulator.directory`` on the control socket) and through
which the directory fault switches act (faults.py: kinit_fails, join_fails, winbind_fails_after_join,
middleware_stops at the named steps of faults.STEPS). Nothing here ever stores or logs a password.
"""

import asyncio
import errno
import ipaddress

from . import control
from .core import MiddlewareStopped
from .directory_backend import Krb5Failure, WinbindFailure, JoinFailure, DirectoryError
from .directory_models import PrimaryDomainIdmap
from .errors import CallError, ValidationErrors

AD = 'ACTIVEDIRECTORY'
SECRET = '********'  # api/base/types/string.py SECRET_VALUE and schema/utils.py REDACTED_VALUE
SMB_DEFAULTS = {'netbiosname': 'truenas', 'netbiosalias': [], 'workgroup': 'WORKGROUP'}  # alembic/initial.sql
MAX_TIME_OFFSET = 180  # utils/directoryservices/krb5_constants.py MAX_TIME_OFFSET, ad_constants.py
# alembic migrations 22.12/2022-08-17 privilege + 24.04/2024-01-15 builtin_roles_groups
BUILTIN_PRIVILEGES = [
    {'id': 1, 'builtin_name': 'LOCAL_ADMINISTRATOR', 'name': 'Local Administrator', 'local_groups': [544],
     'ds_groups': [], 'roles': ['FULL_ADMIN'], 'web_shell': True},
    {'id': 2, 'builtin_name': 'READONLY_ADMINISTRATOR', 'name': 'Read-Only Administrator', 'local_groups': [951],
     'ds_groups': [], 'roles': ['READONLY_ADMIN'], 'web_shell': False},
    {'id': 3, 'builtin_name': 'SHARING_ADMINISTRATOR', 'name': 'Sharing Administrator', 'local_groups': [952],
     'ds_groups': [], 'roles': ['SHARING_ADMIN'], 'web_shell': False},
]
WBC_NOT_AVAILABLE = 'WBC_ERR_WINBIND_NOT_AVAILABLE'
# plugins/directoryservices_/activedirectory_health_mixin.py _health_check_ad (AD_SECRET_ENTRY_MISSING)
SECRET_ENTRY_MISSING = 'Active Directory secrets file lacks an entry for this TrueNAS server.'


class ValidationError(ValidationErrors):
    """service_exception.ValidationError: one error, its own errno, no trailing newline; a job failing with
    it has exc_info type VALIDATION and errno 22."""

    def __init__(self, attribute, errmsg, errno_=errno.EINVAL):
        super().__init__([(attribute, errmsg, errno_)])
        self.errno = errno_

    def __str__(self):
        return super().__str__().rstrip('\n')


class KRB5Error(Exception):
    """utils/directoryservices/krb5_error.py KRB5Error as a job sees it (exc_info type KRB5Error)."""

    def __init__(self, failure):
        super().__init__(str(failure))
        self.krb5_code = failure.code


class WBCError(Exception):
    """wbclient.WBCError: winbindd is not answering."""


class Directory:  # pylint: disable=too-many-instance-attributes
    """The directory side of one emulated NAS (``emu.directory``)."""

    def __init__(self, emu, backend):
        self.emu, self.backend, self.store = emu, backend, emu.store
        self.version = emu.personality.name
        self.log = []
        self._initialized = asyncio.Event()  # DSHealthObj.initialized: set by the boot's health check
        self._status = self.store.get('directory_status') or {'type': None, 'status': None, 'status_msg': None}
        if self.store.get('smb') is None:
            self.store.put('smb', SMB_DEFAULTS)
        if self.store.get('privileges') is None:
            self.store.put('privileges', BUILTIN_PRIVILEGES)
        if self.store.get('kerberos_realms') is None:
            self.store.put('kerberos_realms', [])

    # -- status (directoryservices.status) ---------------------------------------------------------------------
    def status(self):
        return dict(self._status)

    async def checked_status(self):
        """directoryservices.status: while the health state is not initialised (a restarted middleware's boot is
        still checking) the health check's answer, never the empty state."""
        await self._initialized.wait()
        return self.status()

    def set_status(self, status, status_msg=None):
        """directoryservices.health.set_state: DISABLED resets everything to null."""
        if status == 'DISABLED':
            new = {'type': None, 'status': None, 'status_msg': None}
        else:
            new = {'type': AD, 'status': status, 'status_msg': status_msg if status == 'FAULTED' else None}
        self._status = new
        self.store.put('directory_status', new)
        if self.version != '25.04':
            self.emu.server.send_event('directoryservices.status', 'CHANGED', None, dict(new))

    def enabled(self):
        """Whether the stored settings have Active Directory enabled (what health.check reads first)."""
        # pylint: disable=import-outside-toplevel  # both modules import this one
        if self.version == '25.04':
            from .activedirectory import stored
            return bool(stored(self.emu)['enable'])
        from .directoryservices import config
        entry = config(self.emu)
        return bool(entry['enable']) and entry['service_type'] == AD

    def checkpoint(self, step):
        """A named step (faults.STEPS) of a join or leave: with the ``middleware_stops`` fault at ``step`` the
        middleware process ends here (core.MiddlewareStopped)."""
        fault = self.emu.faults.take('middleware_stops', at=step)
        if fault:
            self._record('middleware_stops', at=step, restart=fault['restart'])
            raise MiddlewareStopped(step, fault['restart'])

    def forget(self):
        """What a middleware restart loses of the directory: the health state (DSHealthObj, uninitialised); the job
        locks go with the job list (core.Jobs)."""
        self._status = {'type': None, 'status': None, 'status_msg': None}
        self._initialized.clear()

    # -- SMB fields shared with the AD plugins (smb.config) ----------------------------------------------------
    def smb(self):
        return self.store.get('smb')

    def update_smb(self, **changes):
        self.store.put('smb', {**self.smb(), **changes})

    # -- Kerberos realms (kerberos.realm.query) ------------------------------------------------------------------
    def realms(self):
        return self.store.get('kerberos_realms', [])

    def realm_by_id(self, realm_id):
        return next((r for r in self.realms() if r['id'] == realm_id), None)

    def realm_by_name(self, name):
        return next((r for r in self.realms() if r['realm'] == name), None)

    def add_realm(self, name):
        """datastore.insert directoryservice.kerberosrealm: the new id."""
        realms = self.realms()
        realm_id = max([r['id'] for r in realms], default=0) + 1
        self.store.put('kerberos_realms', realms + [{'id': realm_id, 'realm': name}])
        return realm_id

    def delete_realm(self, realm_id):
        self.store.put('kerberos_realms', [r for r in self.realms() if r['id'] != realm_id])

    # -- privileges (account.privilege) ------------------------------------------------------------------------------
    def privileges(self):
        return self.store.get('privileges', [])

    def save_privileges(self, privileges):
        self.store.put('privileges', privileges)

    async def grant_domain_admins(self, name):
        """_ad_grant_privileges: FULL_ADMIN and web shell for <domain SID>-512, unless a privilege named so
        exists; failures are only logged by TrueNAS."""
        if any(p['name'] == name for p in self.privileges()):
            return
        sid = await self.run('domain_sid')
        if not sid:
            return
        privileges = self.privileges()
        privileges.append({'id': max(p['id'] for p in privileges) + 1, 'builtin_name': None, 'name': name,
                           'local_groups': [], 'ds_groups': [f'{sid}-512'], 'roles': ['FULL_ADMIN'],
                           'web_shell': True})
        self.save_privileges(privileges)

    def remove_privilege(self, name):
        """remove_privileges: drop the auto-granted privilege of the domain (25.10 keeps it when local groups
        use it)."""
        privileges = self.privileges()
        match = [p for p in privileges if p['name'] == name and not p['builtin_name']]
        if match and not (self.version != '25.04' and match[0]['local_groups']):
            self.save_privileges([p for p in privileges if p is not match[0]])

    # -- the backend, logged, with the fault switches ----------------------------------------------------------
    async def run(self, operation, *args, **kwargs):
        """Call a backend method in a worker thread (LabMember runs commands)."""
        return await asyncio.to_thread(getattr(self.backend, operation), *args, **kwargs)

    def _record(self, operation, **details):
        self.log.append({'op': operation, **details})
        del self.log[:-500]

    async def kinit(self, principal, password=None):
        """One kinit: with ``password`` (KERBEROS_USER) or from the keytab. Raises Krb5Failure/BadName."""
        source = 'password' if password is not None else 'keytab'
        fault = self.emu.faults.take('kinit_fails') if password is not None else None
        try:
            if fault:
                raise Krb5Failure(fault['code'])
            await self.run('kinit', principal, password)
        except DirectoryError as exc:
            self._record('kinit', principal=principal, source=source, result=getattr(exc, 'code', None) or exc.text)
            raise
        self._record('kinit', principal=principal, source=source, result='OK')

    async def kdestroy(self):
        await self.run('kdestroy')
        self._record('kdestroy')

    async def domain_info(self, domain):
        """net ads info. With the ``clock_offset`` fault (NAS clock N seconds ahead) the DC's "Server time
        offset" (DC minus NAS) is N seconds lower, as it would be on such a NAS."""
        info = await self.run('domain_info', domain)
        offset = self.emu.faults.take('clock_offset')
        if offset:
            info['Server time offset'] = info.get('Server time offset', 0) - int(offset['seconds'])
        return info

    async def join(self, *, netbios_name, dns_hostname, ou, dns_updates):
        fault = self.emu.faults.take('join_fails')
        details = {'netbios_name': netbios_name, 'dns_hostname': dns_hostname, 'ou': ou, 'dns_updates': dns_updates}
        try:
            if fault:
                raise JoinFailure(fault['error'])
            await self.run('join', netbios_name=netbios_name, dns_hostname=dns_hostname, ou=ou,
                           dns_updates=dns_updates, addresses=self.addresses())
        except JoinFailure as exc:
            self._record('join', **details, result=exc.text)
            raise
        self._record('join', **details, result='OK')

    def idmap_ranges(self):
        """The idmap lines TrueNAS generates into smb.conf: [(domain or '*', backend, low, high)], the builtin
        range first; from directoryservices.config on 25.10, the idmap table on 25.04."""
        if self.version == '25.04':
            from .idmap import rows  # pylint: disable=import-outside-toplevel  # idmap imports this module
            found = dict((row['name'], row) for row in rows(self.emu))
            builtin, domain = found['DS_TYPE_DEFAULT_DOMAIN'], found['DS_TYPE_ACTIVEDIRECTORY']
        else:
            from .directoryservices import config  # pylint: disable=import-outside-toplevel
            idmap = (config(self.emu)['configuration'] or {}).get('idmap') or PrimaryDomainIdmap().model_dump()
            builtin, domain = idmap['builtin'], idmap['idmap_domain']
        return [('*', 'tdb', builtin['range_low'], builtin['range_high']),
                (self.smb()['workgroup'], domain['idmap_backend'].lower(), domain['range_low'], domain['range_high'])]

    async def start_winbind(self, after_join=False):
        """_ad_activate: smb.conf from the idmap settings, restart winbindd and wait for the domain; a failure is a
        wbclient.WBCError."""
        fault = self.emu.faults.take('winbind_fails_after_join') if after_join else None
        try:
            if fault:
                await self.run('stop_winbind')
                raise WinbindFailure(fault['error'])
            await self.run('start_winbind', self.idmap_ranges())
        except WinbindFailure as exc:
            self._record('start_winbind', result=exc.text)
            raise WBCError(exc.text) from None
        self._record('start_winbind', result='OK')

    async def boot(self):
        try:
            await self._boot()
        finally:
            self._initialized.set()

    async def _boot(self):
        """directoryservices.setup at boot (health.recover -> check): nothing enabled is DISABLED; an enabled
        directory service without a working machine account secret (net ads testjoin fails: the join never made
        the account, or a leave removed it) is FAULTED with the health check's reason, since secrets.restore has no
        backup of it either; else winbindd comes back (with the stored idmap settings): HEALTHY when it comes up,
        FAULTED with the reason when it does not."""
        if not self.enabled():
            self.set_status('DISABLED')
            return
        if not await self.run('test_join'):
            self.set_status('FAULTED', SECRET_ENTRY_MISSING)
            return
        try:
            await self.start_winbind()
        except WBCError as exc:
            self.set_status('FAULTED', f'winbindd did not start: {exc}')
            return
        self.set_status('HEALTHY')

    async def stop_winbind(self):
        await self.run('stop_winbind')
        self._record('stop_winbind')

    async def leave(self, *, netbios_name, dns_hostname, dns_updates):
        await self.run('leave', netbios_name=netbios_name, dns_hostname=dns_hostname, dns_updates=dns_updates)
        self._record('leave', netbios_name=netbios_name, dns_hostname=dns_hostname, dns_updates=dns_updates)

    # -- helpers ------------------------------------------------------------------------------------------------------
    def addresses(self):
        """interface.ip_in_use: the NAS's addresses (no prefix)."""
        found = []
        for iface in self.emu.network.interfaces:
            found += [str(ipaddress.ip_interface(a).ip) for a in iface['ipv4'] + iface['ipv6']]
        return found

    def nameservers(self):
        """dns.query: resolv.conf's nameservers."""
        return self.emu.resolver.nameservers()

    async def fill_cache(self, job):
        """directoryservices.cache.refresh_impl + util_cache.DSCacheFill.fill_cache progress."""
        job.set_progress(15, 'Filling cache')
        users = await self.run('users')
        job.set_progress(40, 'Preparing to add users to cache')
        groups = await self.run('groups')
        job.set_progress(70, 'Preparing to add groups to cache')
        job.set_progress(100, f'Cached {len(users)} users and {len(groups)} groups.')

    def dump(self):
        """What the control socket's ``emulator.directory`` shows."""
        return {'backend': self.backend.kind, 'status': self.status(), 'log': list(self.log)}


# -- KRB5 error messages per release ----------------------------------------------------------------------------

def kinit_error_v25_04(failure, kerberos_principal, bindname, keytab_choices=()):
    """plugins/activedirectory.py do_update at TS-25.04.2.6: (attribute, message) of a failed kinit."""
    key = 'activedirectory.kerberos_principal' if kerberos_principal else 'activedirectory.bindpw'
    match failure.code:
        case 'KRB5_LIBOS_CANTREADPWD':
            msg = ('Kerberos keytab is no longer valid.' if kerberos_principal
                   else f'Active Directory account password for user {bindname} is expired.')
        case 'KRB5KDC_ERR_CLIENT_REVOKED':
            msg = 'Active Directory account is locked.'
        case 'KRB5_CC_NOTFOUND' if kerberos_principal:
            msg = ('System keytab lacks an entry for the specified kerberos principal. '
                   f'Please select a valid kerberos principal from available choices: {", ".join(keytab_choices)}')
        case 'KRB5KDC_ERR_POLICY':
            msg = ('Active Directory security policy rejected request to obtain kerberos ticket. '
                   'This may occur if the bind account has been configured to deny interactive '
                   'logons or require two-factor authentication. Depending on organizational '
                   'security policies, one may be required to pre-generate a kerberos keytab '
                   'and upload to TrueNAS server for use during join process.')
        case 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN':
            if key == 'activedirectory.bindpw':
                key = 'activedirectory.bindname'
            msg = ('Client\'s credentials were not found on remote domain controller. The most '
                   'common reasons for the domain controller to return this response is due to a '
                   'typo in the service account name or the service or the computer account being '
                   'deleted from Active Directory.')
        case 'KRB5KRB_AP_ERR_SKEW':
            key = 'activedirectory.domainname'
            msg = ('The time offset between the TrueNAS server and the active directory domain '
                   'controller exceeds the maximum value permitted by the Active Directory '
                   'configuration. This may occur if NTP is improperly configured on the '
                   'TrueNAS server or if the hardware clock on the TrueNAS server is configured '
                   'for a local timezone instead of UTC.')
        case 'KRB5KDC_ERR_PREAUTH_FAILED':
            msg = ('Kerberos principal credentials are no longer valid. Rejoining active directory may be required.'
                   if kerberos_principal else
                   'Preauthentication failed. This typically indicates an incorrect bind password.')
        case _:
            msg = str(failure)
    return key, msg


def kinit_error_v25_10(failure, principal_cred, username):
    """utils/directoryservices/credential.py __validate_kerberos_credential at TS-25.10.1: the message."""
    match failure.code:
        case 'KRB5_LIBOS_CANTREADPWD':
            return 'Kerberos keytab is no longer valid.' if principal_cred else f'The password for {username} is expired.'
        case 'KRB5KDC_ERR_CLIENT_REVOKED':
            return 'The account is locked.'
        case 'KRB5_CC_NOTFOUND' if principal_cred:
            return 'The system keytab does not have an entry for the specified Kerberos principal.'
        case 'KRB5KDC_ERR_POLICY':
            return ('The domain controller security policy rejected the request to get a Kerberos ticket. '
                    'This can happen if the bind account is set to deny interactive logins or if it needs two-factor '
                    'authentication.')
        case 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN':
            return ('The remote domain controller does not have the specified credentials. '
                    'This can mean the user name or principal name is wrong, or the account was deleted.')
        case 'KRB5KRB_AP_ERR_SKEW':
            return ('The time difference from the domain controller is more than the maximum value allowed by the '
                    'domain controller.')
        case 'KRB5KDC_ERR_PREAUTH_FAILED':
            return ('Kerberos principal credentials are not valid. You must rejoin the domain.' if principal_cred
                    else 'The bind password is not correct.')
    return str(failure)


def redact(value, keys=('password', 'bindpw')):
    """A copy of ``value`` with every ``keys`` field at any depth replaced by ********."""
    if isinstance(value, dict):
        return {k: (SECRET if k in keys and v is not None else redact(v, keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, keys) for v in value]
    return value


def netads_error(failure):
    """_ad_join_impl: a failed net ads join surfaces as CallError with Samba's text after the first colon."""
    text = failure.text
    return CallError(text.split(':', 1)[1] if ':' in text else text)


def _directory_control(emu):
    return emu.directory.dump()


control.CONTROL_METHODS.setdefault('emulator.directory', _directory_control)
