"""What the emulated directory methods do to a domain: the directory backend and its two implementations.

The methods in activedirectory.py / directoryservices.py / account.py / privilege.py never touch Samba or
Kerberos themselves; they call a backend, as the middleware calls ``net``, gssapi, libwbclient and NSS:

- :class:`LabMember` (``--directory lab``, what labctl's stand-ins run): the real work inside the stand-in's
  namespaces, where the emulator runs: ``net ads info|lookup|testjoin`` (utils/directoryservices/ad.py
  get_domain_info, lookup_dc; activedirectory_join_mixin.py _ad_test_join), ``dig`` for the SRV/A/PTR
  lookups of dnsclient.forward_lookup/reverse_lookup, MIT ``kinit``/``kdestroy``/``klist -k`` for
  kinit_with_cred / ktutil_list_impl (password on stdin, never in argv or the environment), ``nas/member.sh``
  for ``net ads join|leave`` (with the kinit ticket, as TrueNAS passes ``--use-krb5-ccache``), keytab and
  winbindd, and ``getent``/``id``/``wbinfo`` for pwd/grp/idmap lookups.
- :class:`FakeDirectory` (the default of the in-process ``Emulator``): a scripted, healthy domain
  ``AADDSCONTOSO.COM`` whose outcomes tests choose (see its docstring for the knobs).

Every backend method is synchronous (the emulator runs them in a thread). Failures are the exceptions below;
:class:`Krb5Failure` carries the KRB5 error-table name that TrueNAS's KRB5Error exposes as ``krb5_code``
(utils/directoryservices/krb5_error.py).
"""

import json
import os
import pathlib
import re
import subprocess
import threading
import time
import uuid

# KRB5 codes the emulator produces: name -> (number in the krb5 error table, MIT's message)
KRB5_CODES = {
    'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN': (6, 'Client not found in Kerberos database'),
    'KRB5KDC_ERR_POLICY': (12, 'KDC policy rejects request'),
    'KRB5KDC_ERR_ETYPE_NOSUPP': (14, 'KDC has no support for encryption type'),
    'KRB5KDC_ERR_CLIENT_REVOKED': (18, "Client's credentials have been revoked"),
    'KRB5KDC_ERR_KEY_EXP': (23, 'Password has expired'),
    'KRB5KDC_ERR_PREAUTH_FAILED': (24, 'Preauthentication failed'),
    'KRB5KRB_AP_ERR_SKEW': (37, 'Clock skew too great'),
    'KRB5_LIBOS_CANTREADPWD': (130, 'Cannot read password'),
    'KRB5_CC_NOTFOUND': (141, 'Matching credential not found'),
    'KRB5_KDCREP_MODIFIED': (147, 'KDC reply did not match expectations'),
    'KRB5_REALM_UNKNOWN': (154, 'Cannot find KDC for requested realm'),
    'KRB5_KDC_UNREACH': (156, 'Cannot contact any KDC for requested realm'),
    'KRB5_KT_NOTFOUND': (181, 'Key table entry not found'),
}
_KRB5_TABLE_BASE = 0x96C73A00  # ERROR_TABLE_BASE_krb5 as an unsigned 32-bit gss minor status
_GSS_FAILURE = 851968          # GSS_S_FAILURE: major status of an acquire_cred failure

# MIT kinit's messages -> KRB5 code (kinit prints "Password incorrect" for PREAUTH_FAILED)
_KINIT_TEXTS = (
    ('Password incorrect', 'KRB5KDC_ERR_PREAUTH_FAILED'),
    ('Preauthentication failed', 'KRB5KDC_ERR_PREAUTH_FAILED'),
    ('not found in Kerberos database', 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN'),
    ('credentials have been revoked', 'KRB5KDC_ERR_CLIENT_REVOKED'),
    ('Password has expired', 'KRB5KDC_ERR_KEY_EXP'),
    ('Cannot read password', 'KRB5_LIBOS_CANTREADPWD'),
    ('Clock skew too great', 'KRB5KRB_AP_ERR_SKEW'),
    ('KDC policy rejects request', 'KRB5KDC_ERR_POLICY'),
    ('KDC has no support for encryption type', 'KRB5KDC_ERR_ETYPE_NOSUPP'),
    ('KDC reply did not match expectations', 'KRB5_KDCREP_MODIFIED'),
    ('Cannot find KDC for', 'KRB5_REALM_UNKNOWN'),
    ('Cannot contact any KDC', 'KRB5_KDC_UNREACH'),
    ('Keytab contains no suitable keys', 'KRB5_KT_NOTFOUND'),
    ('Key table entry not found', 'KRB5_KT_NOTFOUND'),
)
_BAD_NAME_TEXTS = ('Malformed representation of principal', 'Illegal character in component name',
                   'Parsing failed')


class DirectoryError(Exception):
    """A backend operation failed; ``text`` is what the tool (or library) said."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


class DomainLookupError(DirectoryError):
    """``net ads info`` / ``net ads lookup`` failed (``text``: net's stderr, e.g. "Didn't find the ldap server!")."""


class DnsLookupError(DirectoryError):
    """A DNS query failed; ``kind`` is the dnspython exception TrueNAS would see: NXDOMAIN, NoAnswer,
    NoNameservers or LifetimeTimeout."""

    def __init__(self, kind, text=''):
        super().__init__(text or kind)
        self.kind = kind


class Krb5Failure(DirectoryError):
    """kinit failed with a KRB5 error (TrueNAS's KRB5Error): ``code`` is the error-table name."""

    def __init__(self, code, text=None):
        number, message = KRB5_CODES.get(code, (0, code))
        self.code = code
        self.minor = _KRB5_TABLE_BASE + number
        super().__init__(text or message)

    def __str__(self):
        # KRB5Error.__str__: "[<krb5_code name>] <gssapi gen_message()>"
        return (f'[{self.code}] Major ({_GSS_FAILURE}): Unspecified GSS failure.  Minor code may provide more '
                f'information, Minor ({self.minor}): {self.text}')


class BadName(DirectoryError):
    """The principal is not a valid Kerberos name (gssapi BadNameError -> CallError EINVAL in TrueNAS)."""


class JoinFailure(DirectoryError):
    """``net ads join`` failed; ``text`` is Samba's stderr ("Failed to join domain: ...")."""


class WinbindFailure(DirectoryError):
    """winbindd did not come up after the join (TrueNAS sees a wbclient.WBCError)."""


class DirectoryBackend:
    """The interface. ``domain``/``realm`` arguments are DNS domain names; names and ids are NSS's."""

    kind = 'abstract'

    # -- DC discovery and DNS (utils/directoryservices/ad.py, plugins/activedirectory_/dns.py) --------------
    def domain_info(self, domain):
        """``net ads info --json`` for ``domain`` (None: the configured realm), keys as Samba prints them."""
        raise NotImplementedError

    def lookup_dc(self, domain, server=None):
        """``net ads lookup --json`` (CLDAP ping): "Pre-Win2k Domain", "Client Site Name", ..."""
        raise NotImplementedError

    def srv_lookup(self, nameserver, name, timeout):
        """Targets of the SRV record ``name`` asked of ``nameserver`` only; DnsLookupError otherwise."""
        raise NotImplementedError

    def forward_lookup(self, name, timeout):
        """A/AAAA addresses of ``name`` through resolv.conf's nameservers; DnsLookupError otherwise."""
        raise NotImplementedError

    def reverse_lookup(self, address, timeout):
        """PTR target of ``address``; DnsLookupError otherwise."""
        raise NotImplementedError

    # -- Kerberos ----------------------------------------------------------------------------------------------
    def kinit(self, principal, password=None):
        """Get a ticket for ``principal`` with ``password``, or from the keytab when it is None."""
        raise NotImplementedError

    def kdestroy(self):
        raise NotImplementedError

    def keytab_principals(self):
        raise NotImplementedError

    # -- membership --------------------------------------------------------------------------------------------
    def test_join(self):
        """``net ads testjoin``: True when the machine account works."""
        raise NotImplementedError

    def join(self, *, netbios_name, dns_hostname, ou, dns_updates, addresses=()):
        """``net ads join`` with the current (admin) ticket, then the keytab; JoinFailure on failure."""
        raise NotImplementedError

    def start_winbind(self, idmap=()):
        """Start winbindd with the ``idmap`` ranges ([(domain or '*', backend, low, high)]) and wait until the domain
        is online; WinbindFailure when it does not come up."""
        raise NotImplementedError

    def stop_winbind(self):
        raise NotImplementedError

    def leave(self, *, netbios_name, dns_hostname, dns_updates):
        """``net ads leave`` (and DNS unregister) with the current (admin) ticket; forget the domain."""
        raise NotImplementedError

    # -- accounts (pwd/grp through NSS, idmap through winbind) -----------------------------------------------
    def domain_sid(self):
        raise NotImplementedError

    def getpw(self, name=None, uid=None):
        """struct passwd as a dict (pw_name, pw_gecos, pw_dir, pw_shell, pw_uid, pw_gid) plus ``source``
        (LOCAL or ACTIVEDIRECTORY), or None."""
        raise NotImplementedError

    def getgr(self, name=None, gid=None):
        """struct group as a dict (gr_name, gr_gid, gr_mem) plus ``source``, or None."""
        raise NotImplementedError

    def grouplist(self, name, gid):
        raise NotImplementedError

    def xid_to_sid(self, id_type, xid):
        """SID of uid (id_type USER) or gid (GROUP) through winbind, or None."""
        raise NotImplementedError

    def xids_to_sids(self, id_type, xids):
        """SIDs (or None) of many ids at once, as the middleware's cache fill converts them in one batch
        (idmap.convert_unixids)."""
        return [self.xid_to_sid(id_type, xid) for xid in xids]

    def sid_to_xid(self, sid):
        """(id_type, xid) of a SID through winbind, or None."""
        raise NotImplementedError

    def users(self):
        """Every directory user (getpw dicts), for enumeration."""
        raise NotImplementedError

    def groups(self):
        raise NotImplementedError


def kinit_code(stderr):
    """The KRB5 code of a kinit error message (None when unknown)."""
    for text, code in _KINIT_TEXTS:
        if text in stderr:
            return code
    return None


# =============================================================================================================
# FakeDirectory
# =============================================================================================================

FAKE_REALM = 'AADDSCONTOSO.COM'
FAKE_DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330'
FAKE_JOIN_USER = 'aaddsadmin'
FAKE_JOIN_PASSWORD = 'Fake-Join-Passw0rd!'
DEFAULT_SITE = 'Default-First-Site-Name'

_LOCAL_USERS = [
    {'pw_name': 'root', 'pw_gecos': 'root', 'pw_dir': '/root', 'pw_shell': '/usr/bin/zsh', 'pw_uid': 0, 'pw_gid': 0},
    {'pw_name': 'truenas_admin', 'pw_gecos': 'Local Administrator', 'pw_dir': '/home/truenas_admin',
     'pw_shell': '/usr/bin/zsh', 'pw_uid': 950, 'pw_gid': 950},
]
_LOCAL_GROUPS = [
    {'gr_name': 'root', 'gr_gid': 0, 'gr_mem': []},
    {'gr_name': 'builtin_administrators', 'gr_gid': 544, 'gr_mem': ['root', 'truenas_admin']},
    {'gr_name': 'builtin_users', 'gr_gid': 545, 'gr_mem': []},
    {'gr_name': 'truenas_admin', 'gr_gid': 950, 'gr_mem': []},
    {'gr_name': 'truenas_readonly_administrators', 'gr_gid': 951, 'gr_mem': []},
    {'gr_name': 'truenas_sharing_administrators', 'gr_gid': 952, 'gr_mem': []},
]
_DEFAULT_USERS = [
    {'name': FAKE_JOIN_USER, 'rid': 1103, 'gecos': 'AAD DC Admin', 'password': FAKE_JOIN_PASSWORD,
     'groups': ['AAD DC Administrators']},
    {'name': 'alice', 'rid': 1104, 'gecos': 'Alice', 'password': 'Alice-Passw0rd!', 'groups': ['NAS Users']},
    {'name': 'bob', 'rid': 1105, 'gecos': 'Bob', 'password': 'Bob-Passw0rd!', 'groups': []},
]
_DEFAULT_GROUPS = [
    {'name': 'Domain Admins', 'rid': 512},
    {'name': 'Domain Users', 'rid': 513},
    {'name': 'AAD DC Administrators', 'rid': 1101},
    {'name': 'NAS Users', 'rid': 1102},
]


class FakeDirectory(DirectoryBackend):  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """A scripted domain for loopback tests. Knobs (constructor arguments, also plain attributes):

    - ``realm`` ('AADDSCONTOSO.COM'), ``workgroup`` (first label, 15 chars), ``site``
      ('Default-First-Site-Name'), ``domain_sid``, ``dcs`` ([(fqdn, ip), ...], two DCs).
    - ``time_offset``: the DC clock minus ours in seconds ("Server time offset" of net ads info); kinit fails
      with KRB5KRB_AP_ERR_SKEW beyond ``kdc_max_skew`` (300).
    - ``srv``: per nameserver, how it answers the domain's SRV records: {"192.0.2.53": "NXDOMAIN" |
      "LifetimeTimeout" | "NoNameservers" | [targets]}; a nameserver not listed answers with the DCs.
    - ``host_records``: {fqdn: [addresses]} for forward lookups (a join with DNS updates adds the NAS);
      ``ptr_records``: {address: name} (anything else is NXDOMAIN, like the lab's DNS with no reverse zone).
    - ``kinit_errors``: {user name (lower case, without realm): KRB5 code} to fail kinit for that user;
      ``kinit_error``: a code for every user kinit. Without them: an unknown user gives
      KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN, a wrong password KRB5KDC_ERR_PREAUTH_FAILED, a realm in lower case
      KRB5_KDCREP_MODIFIED (as MIT kinit against the lab's DCs).
    - ``join_error``: Samba's text for a failing ``net ads join`` ("Failed to join domain: ...");
      ``ous``: OUs a computer may be created in (others fail with "No such object"); ``join_seconds``: how long
      ``net ads join`` takes (a slow DC; 0).
    - ``winbind_error``: text of a winbindd that does not come up (after every join, until cleared).
    - ``users`` / ``groups``: [{"name", "rid", "gecos", "password", "groups": [group names]}] /
      [{"name", "rid"}]; ids come from the RID idmap range ``idmap_low`` (100000001), SIDs from domain_sid.

    State a test may read: ``joined``, ``computers`` ({NETBIOS: {"ou", "dns_hostname"}}), ``keytab``,
    ``winbind_running``, ``ticket`` (principal of the current ticket), ``kinits`` (every kinit: principal and
    result code or "OK"; never a password).
    """

    kind = 'fake'

    def __init__(self, realm=FAKE_REALM, *, workgroup=None, site=DEFAULT_SITE,  # pylint: disable=too-many-arguments
                 domain_sid=FAKE_DOMAIN_SID, dcs=None, time_offset=0, kdc_max_skew=300, srv=None,
                 host_records=None, ptr_records=None, kinit_errors=None, kinit_error=None, join_error=None,
                 ous=('AADDC Computers', 'AADDC Users'), winbind_error=None, users=None, groups=None,
                 idmap_low=100000001, join_seconds=0):
        self.realm = realm.upper()
        self.workgroup = (workgroup or self.realm.split('.')[0][:15]).upper()
        self.site, self._sid = site, domain_sid
        domain = self.realm.lower()
        self.dcs = list(dcs or [(f'dc1.{domain}', '192.0.2.11'), (f'dc2.{domain}', '192.0.2.12')])
        self.time_offset, self.kdc_max_skew = time_offset, kdc_max_skew
        self.srv = dict(srv or {})
        self.host_records = {k.lower(): list(v) for k, v in (host_records or {}).items()}
        for fqdn, address in self.dcs:
            self.host_records.setdefault(fqdn.lower(), [address])
        self.ptr_records = dict(ptr_records or {})
        self.kinit_errors = {k.lower(): v for k, v in (kinit_errors or {}).items()}
        self.kinit_error, self.join_error, self.winbind_error = kinit_error, join_error, winbind_error
        self.ous, self.join_seconds = list(ous), join_seconds
        self.user_table = [dict(u) for u in (users if users is not None else _DEFAULT_USERS)]
        self.group_table = [dict(g) for g in (groups if groups is not None else _DEFAULT_GROUPS)]
        self.idmap_low, self.idmap_high = idmap_low, idmap_low + 99999999
        self.joined, self.computers, self.keytab = False, {}, []
        self.winbind_running, self.ticket, self.kinits = False, None, []
        self._lock = threading.Lock()

    # -- DC discovery and DNS ------------------------------------------------------------------------------------
    def _is_ours(self, domain):
        return (domain or self.realm).rstrip('.').upper() == self.realm

    def domain_info(self, domain):
        if not self._is_ours(domain):
            raise DomainLookupError("Didn't find the ldap server!")
        now = int(time.time())
        return {
            'LDAP server': self.dcs[0][1], 'LDAP server name': self.dcs[0][0], 'Realm': self.realm,
            'Bind Path': ','.join(f'dc={part}' for part in self.realm.split('.')), 'LDAP port': 389,
            'Server time': now + self.time_offset, 'KDC server': self.dcs[0][1],
            'Server time offset': self.time_offset,
            'Last machine account password change': now if self.joined else 0,
        }

    def lookup_dc(self, domain, server=None):
        if not self._is_ours(domain):
            raise DomainLookupError('Failed to find a DC for the domain')
        fqdn, address = self.dcs[0]
        return {
            'Information for Domain Controller': server or address, 'Response Type': 'LOGON_SAM_LOGON_RESPONSE_EX',
            'GUID': str(uuid.uuid5(uuid.NAMESPACE_DNS, fqdn)), 'Forest': self.realm.lower(),
            'Domain': self.realm.lower(), 'Domain Controller': fqdn, 'Pre-Win2k Domain': self.workgroup,
            'Pre-Win2k Hostname': fqdn.split('.', maxsplit=1)[0].upper(), 'Server Site Name': self.site,
            'Client Site Name': self.site, 'NT Version': 5, 'LMNT Token': 65535, 'LM20 Token': 65535,
            'Flags': {'Is a PDC': True, 'Is a GC of the forest': True, 'Is an LDAP server': True,
                      'Supports DS': True, 'Is running a KDC': True, 'Is running time services': True,
                      'Is the closest DC': True, 'Is writable': True},
        }

    def srv_lookup(self, nameserver, name, timeout):
        answer = self.srv.get(nameserver)
        if isinstance(answer, str):
            raise DnsLookupError(answer, f'{name}: {answer}')
        labels = name.rstrip('.').split('.')
        if not (len(labels) > 2 and '.'.join(labels[2:]).upper().endswith(self.realm)):
            raise DnsLookupError('NXDOMAIN', f'The DNS query name does not exist: {name}')
        return list(answer) if answer is not None else [f'{fqdn}.' for fqdn, dummy in self.dcs]

    def forward_lookup(self, name, timeout):
        addresses = self.host_records.get(name.rstrip('.').lower())
        if not addresses:
            raise DnsLookupError('NXDOMAIN', f'The DNS query name does not exist: {name}')
        return list(addresses)

    def reverse_lookup(self, address, timeout):
        if address not in self.ptr_records:
            raise DnsLookupError('NXDOMAIN', f'The DNS query name does not exist: {address}')
        return self.ptr_records[address]

    # -- Kerberos ------------------------------------------------------------------------------------------------
    def kinit(self, principal, password=None):
        with self._lock:
            try:
                self._kinit(principal, password)
            except (Krb5Failure, BadName) as exc:
                self.kinits.append({'principal': principal, 'result': getattr(exc, 'code', 'BAD_NAME')})
                raise
            self.kinits.append({'principal': principal, 'result': 'OK'})
            self.ticket = principal

    def _kinit(self, principal, password):
        if not principal or any(c.isspace() for c in principal) or principal.count('@') > 2:
            raise BadName(f'{principal}: not a valid kerberos principal name.')
        name, dummy, realm = principal.rpartition('@') if '@' in principal else (principal, '', self.realm)
        if realm != self.realm:
            raise Krb5Failure('KRB5_KDCREP_MODIFIED' if realm.upper() == self.realm else 'KRB5_REALM_UNKNOWN')
        if abs(self.time_offset) > self.kdc_max_skew:
            raise Krb5Failure('KRB5KRB_AP_ERR_SKEW')
        if password is None:
            if principal not in self.keytab:
                raise Krb5Failure('KRB5_KT_NOTFOUND')
            return
        if self.kinit_error:
            raise Krb5Failure(self.kinit_error)
        if name.lower() in self.kinit_errors:
            raise Krb5Failure(self.kinit_errors[name.lower()])
        user = self._user(name)
        if user is None:
            raise Krb5Failure('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN')
        if user.get('password') != password:
            raise Krb5Failure('KRB5KDC_ERR_PREAUTH_FAILED')

    def kdestroy(self):
        self.ticket = None

    def keytab_principals(self):
        return list(self.keytab)

    # -- membership ------------------------------------------------------------------------------------------------
    def test_join(self):
        return self.joined

    def join(self, *, netbios_name, dns_hostname, ou, dns_updates, addresses=()):
        time.sleep(self.join_seconds)
        if self.join_error:
            raise JoinFailure(self.join_error)
        if self.ticket is None:
            raise JoinFailure('Failed to join domain: failed to connect to AD: No credentials cache found')
        if ou and ou.split('/')[0] not in self.ous:
            dn = ','.join([f'ou={part}' for part in reversed(ou.split('/'))]
                          + [f'dc={part}' for part in self.realm.lower().split('.')])
            raise JoinFailure(f'Failed to join domain: failed to precreate account in ou {dn}: No such object')
        name = netbios_name.upper()
        self.computers[name] = {'ou': ou or 'AADDC Computers', 'dns_hostname': dns_hostname}
        self.keytab = [f'{name}$@{self.realm}', f'host/{dns_hostname or name.lower()}@{self.realm}']
        self.joined = True
        if dns_updates and addresses:
            self.host_records[(dns_hostname or f'{name}.{self.realm}').lower()] = list(addresses)

    def start_winbind(self, idmap=()):
        if self.winbind_error:
            self.winbind_running = False
            raise WinbindFailure(self.winbind_error)
        for domain, dummy, low, high in idmap:
            if domain == self.workgroup:
                self.idmap_low, self.idmap_high = low, high
        self.winbind_running = True

    def stop_winbind(self):
        self.winbind_running = False

    def leave(self, *, netbios_name, dns_hostname, dns_updates):
        self.winbind_running = False
        if self.joined and self.ticket:
            self.computers.pop(netbios_name.upper(), None)
            if dns_updates:
                self.host_records.pop((dns_hostname or f'{netbios_name}.{self.realm}').lower(), None)
        self.joined, self.keytab = False, []

    # -- accounts ------------------------------------------------------------------------------------------------
    def _online(self):
        return self.joined and self.winbind_running

    def _user(self, name):
        name = name.lower()
        for user in self.user_table:
            if user['name'].lower() == name:
                return user
        return None

    def _strip(self, name):
        """DOMAIN\\name or name@realm -> name, for this domain only (winbind without use_default_domain)."""
        if '\\' in name:
            domain, dummy, short = name.partition('\\')
            return short if domain.upper() == self.workgroup else None
        if '@' in name:
            short, dummy, domain = name.rpartition('@')
            return short if domain.upper() == self.realm else None
        return None

    def _mapped(self, entry):
        """idmap_rid maps a RID only while range_low + RID stays within range_high."""
        return self.idmap_low + entry['rid'] <= self.idmap_high

    def _pw(self, user):
        return {'pw_name': f'{self.workgroup}\\{user["name"]}', 'pw_gecos': user.get('gecos', ''),
                'pw_dir': '/var/empty', 'pw_shell': '/usr/bin/sh', 'pw_uid': self.idmap_low + user['rid'],
                'pw_gid': self.idmap_low + 513, 'source': 'ACTIVEDIRECTORY'}

    def _gr(self, group):
        members = [f'{self.workgroup}\\{u["name"]}' for u in self.user_table if group['name'] in u.get('groups', [])]
        return {'gr_name': f'{self.workgroup}\\{group["name"]}', 'gr_gid': self.idmap_low + group['rid'],
                'gr_mem': members, 'source': 'ACTIVEDIRECTORY'}

    def domain_sid(self):
        return self._sid if self._online() else None

    def getpw(self, name=None, uid=None):
        for entry in _LOCAL_USERS:
            if entry['pw_name'] == name or entry['pw_uid'] == uid:
                return {**entry, 'source': 'LOCAL'}
        if not self._online():
            return None
        for user in filter(self._mapped, self.user_table):
            if (name is not None and (self._strip(name) or '').lower() == user['name'].lower()) or \
                    (uid is not None and uid == self.idmap_low + user['rid']):
                return self._pw(user)
        return None

    def getgr(self, name=None, gid=None):
        for entry in _LOCAL_GROUPS:
            if entry['gr_name'] == name or entry['gr_gid'] == gid:
                return {**entry, 'gr_mem': list(entry['gr_mem']), 'source': 'LOCAL'}
        if not self._online():
            return None
        for group in filter(self._mapped, self.group_table):
            if (name is not None and (self._strip(name) or '').lower() == group['name'].lower()) or \
                    (gid is not None and gid == self.idmap_low + group['rid']):
                return self._gr(group)
        return None

    def grouplist(self, name, gid):
        groups = [gid]
        for entry in _LOCAL_GROUPS:
            if name in entry['gr_mem'] and entry['gr_gid'] not in groups:
                groups.append(entry['gr_gid'])
        short = self._strip(name)
        user = self._user(short) if short and self._online() else None
        for group in self.group_table if user else ():
            if group['name'] in user.get('groups', []) and self.idmap_low + group['rid'] not in groups:
                groups.append(self.idmap_low + group['rid'])
        return groups

    def xid_to_sid(self, id_type, xid):
        if not self._online():
            return None
        rid = xid - self.idmap_low
        table = self.user_table if id_type == 'USER' else self.group_table
        return f'{self._sid}-{rid}' if any(entry['rid'] == rid for entry in filter(self._mapped, table)) else None

    def sid_to_xid(self, sid):
        prefix = f'{self._sid}-'
        if not self._online() or not sid.startswith(prefix) or not sid[len(prefix):].isdigit():
            return None
        rid = int(sid[len(prefix):])
        if self.idmap_low + rid > self.idmap_high:
            return None
        if any(group['rid'] == rid for group in self.group_table):
            return 'GROUP', self.idmap_low + rid
        if any(user['rid'] == rid for user in self.user_table):
            return 'USER', self.idmap_low + rid
        return None

    def users(self):
        return [self._pw(user) for user in filter(self._mapped, self.user_table)] if self._online() else []

    def groups(self):
        return [self._gr(group) for group in filter(self._mapped, self.group_table)] if self._online() else []


# =============================================================================================================
# LabMember
# =============================================================================================================

_DIG_STATUS = re.compile(r'status: ([A-Z]+)')


class LabMember(DirectoryBackend):
    """The stand-in's real Samba member (labctl's NAS stand-ins run the emulator with ``--directory lab``).

    Needs LAB_NAS_DIR and KRB5_CONFIG (labctl sets both for every process of a stand-in) and runs
    ``nas/member.sh`` beside this package. The admin ticket lives in ``$LAB_NAS_DIR/emulator.ccache``
    (TrueNAS's SYSTEM ccache); the machine keytab is member.sh's dedicated keytab.
    """

    kind = 'lab'

    def __init__(self, nas_dir=None, member_script=None, command_timeout=120):
        self.nas_dir = nas_dir or os.environ.get('LAB_NAS_DIR')
        if not self.nas_dir:
            raise ValueError('--directory lab needs LAB_NAS_DIR: run the emulator inside a lab stand-in (labctl)')
        self.script = str(member_script or pathlib.Path(__file__).resolve().parents[1] / 'nas' / 'member.sh')
        self.ccache = os.path.join(self.nas_dir, 'emulator.ccache')
        self.keytab = os.path.join(self.nas_dir, 'samba', 'private', 'krb5.keytab')
        self.timeout = command_timeout
        self.ticket = None

    def _run(self, *cmd, stdin=None, env=None, timeout=None):
        environment = {**os.environ, 'KRB5CCNAME': f'FILE:{self.ccache}', **(env or {})}
        try:
            return subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=environment,
                                  timeout=timeout or self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            return subprocess.CompletedProcess(cmd, 124, exc.stdout or '', f'{cmd[0]}: timed out')

    def _member(self, action, **env):
        return self._run(self.script, action, env={key: str(value) for key, value in env.items()})

    # -- DC discovery and DNS --------------------------------------------------------------------------------
    def domain_info(self, domain):
        if domain:
            cmd = ('net', '-d', '0', '-S', domain, '--json', '--option', f'realm={domain}', 'ads', 'info')
        else:
            cmd = ('net', '-d', '0', '--json', 'ads', 'info')
        result = self._run(*cmd, timeout=30)
        if result.returncode:
            raise DomainLookupError(result.stderr.strip())
        return json.loads(result.stdout)

    def lookup_dc(self, domain, server=None):
        cmd = ['net', '-S', domain, '--json', '--realm', domain] + (['--server', server] if server else [])
        result = self._run(*cmd, 'ads', 'lookup', timeout=30)
        if result.returncode:
            raise DomainLookupError(result.stderr.strip())
        return json.loads(result.stdout)

    def _dig(self, *args, timeout):
        seconds = max(1, int(timeout))
        result = self._run('dig', '+noall', '+comments', '+answer', f'+time={seconds}', '+tries=1', *args,
                           timeout=seconds + 5)
        status = _DIG_STATUS.search(result.stdout)
        if result.returncode == 9 or (status is None and 'timed out' in result.stdout + result.stderr):
            raise DnsLookupError('LifetimeTimeout', f'The DNS operation timed out after {seconds} seconds')
        if status is None:
            raise DnsLookupError('NoNameservers', (result.stdout + result.stderr).strip())
        if status.group(1) == 'NXDOMAIN':
            raise DnsLookupError('NXDOMAIN', f'The DNS query name does not exist: {args[-1]}')
        if status.group(1) != 'NOERROR':
            raise DnsLookupError('NoNameservers', f'All nameservers failed to answer the query: {status.group(1)}')
        answers = [line.split() for line in result.stdout.splitlines() if line and not line.startswith(';')]
        return [fields for fields in answers if len(fields) >= 5]

    def srv_lookup(self, nameserver, name, timeout):
        records = [f for f in self._dig(f'@{nameserver}', 'SRV', name, timeout=timeout) if f[3] == 'SRV']
        if not records:
            raise DnsLookupError('NoAnswer', f'The DNS response does not contain an answer to the question: {name}')
        return [fields[-1] for fields in records]

    def forward_lookup(self, name, timeout):
        addresses, missing = [], None
        for rtype in ('A', 'AAAA'):
            try:
                addresses += [f[-1] for f in self._dig(rtype, name, timeout=timeout) if f[3] == rtype]
            except DnsLookupError as exc:
                if exc.kind != 'NXDOMAIN':
                    raise
                missing = exc
        if addresses:
            return addresses
        raise missing or DnsLookupError('NoAnswer', f'The DNS response does not contain an answer to the question: {name}')

    def reverse_lookup(self, address, timeout):
        records = [f for f in self._dig('-x', address, timeout=timeout) if f[3] == 'PTR']
        if not records:
            raise DnsLookupError('NXDOMAIN', f'The DNS query name does not exist: {address}')
        return records[0][-1]

    # -- Kerberos ----------------------------------------------------------------------------------------------
    def kinit(self, principal, password=None):
        if password is None:
            result = self._run('kinit', '-k', '-t', f'FILE:{self.keytab}', '-c', f'FILE:{self.ccache}', principal,
                               timeout=30)
        else:
            result = self._run('kinit', '-c', f'FILE:{self.ccache}', principal, stdin=f'{password}\n', timeout=30)
        if result.returncode == 0:  # MIT kinit writes the ccache mode 0600
            self.ticket = principal
            return
        text = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'kinit failed'
        text = text.removeprefix('kinit: ').removesuffix(' while getting initial credentials')
        if any(marker in text for marker in _BAD_NAME_TEXTS):
            raise BadName(f'{principal}: not a valid kerberos principal name.')
        code = kinit_code(text)
        if code is None:
            raise DirectoryError(text)
        raise Krb5Failure(code, text)

    def kdestroy(self):
        self._run('kdestroy', '-c', f'FILE:{self.ccache}', timeout=10)
        self.ticket = None

    def keytab_principals(self):
        result = self._run('klist', '-k', f'FILE:{self.keytab}', timeout=10)
        found = []
        for line in result.stdout.splitlines():
            fields = line.split()
            if len(fields) == 2 and fields[0].isdigit() and fields[1] not in found:
                found.append(fields[1])
        return found

    # -- membership ----------------------------------------------------------------------------------------------
    def test_join(self):
        return self._run('net', 'ads', 'testjoin', timeout=30).returncode == 0

    def join(self, *, netbios_name, dns_hostname, ou, dns_updates, addresses=()):
        env = {'JOIN_CCACHE': f'FILE:{self.ccache}', 'JOIN_NO_START': 1, 'JOIN_OU': ou or '',
               'JOIN_NETBIOS_NAME': netbios_name}
        if dns_hostname:
            env['JOIN_DNS_HOSTNAME'] = dns_hostname
        if not dns_updates:
            env['JOIN_NO_DNS_UPDATES'] = 1
        result = self._member('join', **env)
        if result.returncode:
            lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            failed = [line for line in lines if line.startswith('Failed to join domain')]
            raise JoinFailure((failed or lines or ['Failed to join domain: net ads join failed'])[-1])

    def start_winbind(self, idmap=()):
        result = self._member('start', IDMAP=' '.join('%s:%s:%d-%d' % entry for entry in idmap))
        if result.returncode:
            lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            raise WinbindFailure(lines[-1] if lines else 'winbindd did not start')

    def stop_winbind(self):
        self._member('stop')

    def leave(self, *, netbios_name, dns_hostname, dns_updates):
        env = {'JOIN_CCACHE': f'FILE:{self.ccache}', 'JOIN_NETBIOS_NAME': netbios_name}
        if dns_hostname:
            env['JOIN_DNS_HOSTNAME'] = dns_hostname
        if not dns_updates:
            env['JOIN_NO_DNS_UPDATES'] = 1
        result = self._member('leave', **env)
        if result.returncode:
            raise DirectoryError(result.stderr.strip() or 'member.sh leave failed')

    # -- accounts ------------------------------------------------------------------------------------------------
    def _wbinfo(self, *args):
        result = self._run('wbinfo', *args, timeout=30)
        return result.stdout.strip() if result.returncode == 0 else None

    def domain_sid(self):
        own = self._wbinfo('--own-domain')
        info = self._wbinfo('-D', own) if own else None
        for line in (info or '').splitlines():
            key, dummy, value = line.partition(':')
            if key.strip() == 'SID':
                return value.strip()
        return None

    def _getent(self, database, key=None):
        """(source, [fields...]) entries: files first, then winbind."""
        found = []
        for service, source in (('files', 'LOCAL'), ('winbind', 'ACTIVEDIRECTORY')):
            result = self._run('getent', '-s', service, database, *([str(key)] if key is not None else []),
                               timeout=60)
            if result.returncode == 0:
                found += [(source, line.split(':')) for line in result.stdout.splitlines() if line]
                if key is not None and found:
                    break
        return found

    @staticmethod
    def _pw(source, fields):
        return {'pw_name': fields[0], 'pw_gecos': fields[4], 'pw_dir': fields[5], 'pw_shell': fields[6],
                'pw_uid': int(fields[2]), 'pw_gid': int(fields[3]), 'source': source}

    @staticmethod
    def _gr(source, fields):
        return {'gr_name': fields[0], 'gr_gid': int(fields[2]),
                'gr_mem': [member for member in fields[3].split(',') if member], 'source': source}

    def getpw(self, name=None, uid=None):
        found = self._getent('passwd', name if name is not None else uid)
        return self._pw(*found[0]) if found else None

    def getgr(self, name=None, gid=None):
        found = self._getent('group', name if name is not None else gid)
        return self._gr(*found[0]) if found else None

    def grouplist(self, name, gid):
        result = self._run('id', '-G', '--', name, timeout=60)
        groups = [gid] + [int(x) for x in result.stdout.split()] if result.returncode == 0 else [gid]
        return list(dict.fromkeys(groups))

    def xid_to_sid(self, id_type, xid):
        return self._wbinfo(f'--{"uid" if id_type == "USER" else "gid"}-to-sid={xid}')

    def xids_to_sids(self, id_type, xids):
        """One `wbinfo --unix-ids-to-sids` for all (one line per id, "NOT MAPPED" for the unmapped)."""
        if not xids:
            return []
        letter = 'u' if id_type == 'USER' else 'g'
        lines = (self._wbinfo('--unix-ids-to-sids=' + ' '.join(f'{letter}{xid}' for xid in xids)) or '').splitlines()
        if len(lines) != len(xids):
            return [self.xid_to_sid(id_type, xid) for xid in xids]
        return [line if line.startswith('S-') else None for line in lines]

    def sid_to_xid(self, sid):
        for id_type, option in (('GROUP', '--sid-to-gid'), ('USER', '--sid-to-uid')):
            xid = self._wbinfo(f'{option}={sid}')
            if xid and xid.isdigit():
                return id_type, int(xid)
        return None

    def users(self):
        return [self._pw(source, fields) for source, fields in self._getent('passwd')
                if source == 'ACTIVEDIRECTORY']

    def groups(self):
        return [self._gr(source, fields) for source, fields in self._getent('group')
                if source == 'ACTIVEDIRECTORY']
