"""Pydantic argument models of the directory area (25.10 directoryservices.*, both releases' user/group/privilege).

Follows api/v25_10_0/directory_services.py (DirectoryServicesUpdateArgs = single_argument_args
'directoryservices_update' over a ForUpdateMetaclass copy of DirectoryServicesEntry with ``force``; the
configuration and credential unions discriminated by service_type / credential_type; validate_ds and
parse_configuration), api/v25_10_0/user.py and group.py (single_argument_args 'get_user_obj' /
'get_group_obj'; identical in api/v25_04_0), api/v25_10_0/privilege.py (identical in api/v25_04_2),
api/base/types (NonEmptyString, NetbiosDomain, SID, LDAP_DN, LDAP_URL) and api/base/handler/accept.py
(validate_model: errors as "<loc joined by .>", union_tag_not_found -> "<discriminator>: Field required").

Update models keep PATCH semantics: what was not sent stays out of the validated dict (exclude_unset).
"""

import enum
import re
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, Field, field_validator, model_validator

from .errors import ValidationErrors
from .models import Model, validate  # noqa: F401  pylint: disable=unused-import  # the directory methods' validator

TRUENAS_IDMAP_MIN, TRUENAS_IDMAP_MAX = 1000, 2147000000
RE_NETBIOSDOM = re.compile(r"^(?![0-9]*$)[a-zA-Z0-9\.\-_!@#\$%^&\(\)'\{\}~]{1,15}$")
# utils/netbios.py RESERVED_WORDS at TS-25.10.1 (DOMAIN is no longer reserved)
NETBIOS_RESERVED = frozenset(w.casefold() for w in (
    'ANONYMOUS', 'AUTHENTICATED USER', 'BATCH', 'BUILTIN', 'DIALUP', 'ENTERPRISE', 'INTERACTIVE', 'INTERNET',
    'LOCAL', 'NETWORK', 'NULL', 'PROXY', 'RESTRICTED', 'SELF', 'SERVER', 'USERS', 'WORLD', 'GATEWAY', 'GW', 'TAC'))
# utils/sid.py VALID_API_SIDS (well-known SIDs allowed besides domain SIDs)
VALID_API_SIDS = frozenset(['S-1-1-0', 'S-1-3-4', 'S-1-5-32-544', 'S-1-5-32-545', 'S-1-5-32-546'])


class DSCredType(enum.StrEnum):
    """utils/directoryservices/constants.py DSCredType."""

    KERBEROS_USER = 'KERBEROS_USER'
    KERBEROS_PRINCIPAL = 'KERBEROS_PRINCIPAL'
    LDAP_PLAIN = 'LDAP_PLAIN'
    LDAP_ANONYMOUS = 'LDAP_ANONYMOUS'
    LDAP_MTLS = 'LDAP_MTLS'


def validate_netbios_name(value, regex=RE_NETBIOSDOM):
    """utils/netbios.py __validate_netbios_name (ValueError messages)."""
    if not regex.match(value):
        raise ValueError('Invalid NetBIOS name. NetBIOS names must be between 1 and 15 characters in '
                         'length and may not contain the following characters: \\/:*?"<>|.')
    if value.casefold() in NETBIOS_RESERVED:
        raise ValueError(f'NetBIOS names may not be one of following reserved names: {", ".join(NETBIOS_RESERVED)}')
    if len(value) > 15:
        raise ValueError('NetBIOS names may not exceed 15 characters.')
    return value


def validate_netbios_domain(value):
    return validate_netbios_name(value)


def sid_is_valid(sid):
    """utils/sid.py sid_is_valid."""
    if not isinstance(sid, str):
        return False
    if sid in VALID_API_SIDS:
        return True
    if not sid.startswith('S-1-5-21-'):
        return False
    subauths = sid[len('S-1-5-21-'):].split('-')
    if not 3 <= len(subauths) <= 4:
        return False
    return all(s.isdigit() and 1 <= int(s) <= 2 ** 32 for s in subauths)


def validate_sid(value):
    """api/base/types/user.py validate_sid."""
    value = value.strip().upper()
    assert sid_is_valid(value), ('SID is malformed. See MS-DTYP Section 2.4 for SID type specifications. Typically '
                                 'SIDs refer to existing objects on the local or remote server and so an appropriate '
                                 'value should be queried prior to submitting to API endpoints.')
    return value


def validate_ldap_dn(value):
    """api/base/types/ldap.py validate_ldap_dn (python-ldap dn.is_dn, approximated: attr=value[,attr=value])."""
    if not re.fullmatch(r'\s*[A-Za-z][\w-]*\s*=[^,]+(,\s*[A-Za-z][\w-]*\s*=[^,]+)*', value):
        raise ValueError('Invalid LDAP DN')
    return value


def validate_ldap_url(value):
    if not value.startswith(('ldap://', 'ldaps://')):
        raise ValueError('LDAP URI must begin with either ldap:// or ldaps://')
    return value


NonEmptyString = Annotated[str, Field(min_length=1)]
NetbiosDomain = Annotated[str, AfterValidator(validate_netbios_domain)]
SID = Annotated[str, AfterValidator(validate_sid)]
LDAP_DN = Annotated[str, AfterValidator(validate_ldap_dn)]
LDAP_URL = Annotated[str, AfterValidator(validate_ldap_url)]
IdmapId = Annotated[int, Field(ge=TRUENAS_IDMAP_MIN, le=TRUENAS_IDMAP_MAX)]


# -- directoryservices.* (api/v25_10_0/directory_services.py) ----------------------------------------------------

class IdmapDomainBase(Model):
    name: NetbiosDomain | None = None
    range_low: IdmapId = 100000001
    range_high: IdmapId = 200000000

    @model_validator(mode='after')
    def check_ranges(self):
        if self.range_low >= self.range_high:
            raise ValueError('The low range must be less than high range')
        if (self.range_high - self.range_low) < 10000:
            raise ValueError('The domain range must include at least 10,000 IDs')
        return self


class AdIdmap(IdmapDomainBase):
    idmap_backend: Literal['AD']
    schema_mode: Literal['RFC2307', 'SFU', 'SFU20']
    unix_primary_group: bool = False
    unix_nss_info: bool = False


class LdapIdmap(IdmapDomainBase):
    idmap_backend: Literal['LDAP']
    ldap_base_dn: LDAP_DN
    ldap_user_dn: LDAP_DN
    ldap_user_dn_password: NonEmptyString
    ldap_url: LDAP_URL
    readonly: bool = True
    validate_certificates: bool = True


class Rfc2307Idmap(IdmapDomainBase):
    idmap_backend: Literal['RFC2307']
    ldap_url: LDAP_URL
    ldap_user_dn: LDAP_DN
    ldap_user_dn_password: NonEmptyString
    bind_path_user: LDAP_DN
    bind_path_group: LDAP_DN
    user_cn: bool = False
    ldap_realm: bool = False
    validate_certificates: bool = True


class RidIdmap(IdmapDomainBase):
    idmap_backend: Literal['RID']
    sssd_compat: bool = False


class BuiltinDomainTdb(IdmapDomainBase):
    range_low: IdmapId = 90000001
    range_high: IdmapId = 100000000


DomainIdmap = Annotated[Union[AdIdmap, LdapIdmap, Rfc2307Idmap, RidIdmap], Field(discriminator='idmap_backend')]


class PrimaryDomainIdmap(Model):
    builtin: BuiltinDomainTdb = Field(default_factory=BuiltinDomainTdb)
    idmap_domain: DomainIdmap = Field(default_factory=lambda: RidIdmap(idmap_backend='RID'))


class CredKRBPrincipal(Model):
    credential_type: Literal[DSCredType.KERBEROS_PRINCIPAL]
    principal: NonEmptyString


class CredKRBUser(Model):
    credential_type: Literal[DSCredType.KERBEROS_USER]
    username: NonEmptyString
    password: NonEmptyString  # Secret[NonEmptyString]: "********" in job arguments


class CredLDAPPlain(Model):
    credential_type: Literal[DSCredType.LDAP_PLAIN]
    binddn: LDAP_DN
    bindpw: NonEmptyString


class CredLDAPAnonymous(Model):
    credential_type: Literal[DSCredType.LDAP_ANONYMOUS]


class CredLDAPMTLS(Model):
    credential_type: Literal[DSCredType.LDAP_MTLS]
    client_certificate: NonEmptyString


DSCred = Annotated[Union[CredKRBUser, CredKRBPrincipal, CredLDAPPlain, CredLDAPAnonymous, CredLDAPMTLS],
                   Field(discriminator='credential_type')]


class ActiveDirectoryConfig(Model):
    service_type: Literal['ACTIVEDIRECTORY'] = Field(exclude=True, repr=False)
    hostname: NonEmptyString
    domain: NonEmptyString
    idmap: PrimaryDomainIdmap = Field(default_factory=PrimaryDomainIdmap)
    site: NonEmptyString | None = None
    computer_account_ou: NonEmptyString | None = None
    use_default_domain: bool = False
    enable_trusted_domains: bool = False
    trusted_domains: list[DomainIdmap] = []

    @field_validator('trusted_domains')
    @classmethod
    def validate_trusted_domains(cls, value):
        if any(entry.name is None for entry in value):
            raise ValueError('Domain name is required for trusted domains')
        for idx, entry in enumerate(value):
            for idx2, entry2 in enumerate(value):
                if idx == idx2:
                    continue
                if entry2.range_low <= entry.range_low <= entry2.range_high:
                    raise ValueError(f'Low range for {entry.name} conflicts with range for {entry2.name}.')
                if entry2.range_low <= entry.range_high <= entry2.range_high:
                    raise ValueError(f'High range for {entry.name} conflicts with range for {entry2.name}.')
        return value


class LDAPConfig(Model):
    """Accepted so that its errors look right; the emulator does not bind to LDAP servers."""

    service_type: Literal['LDAP'] = Field(exclude=True, repr=False)
    server_urls: list[LDAP_URL]
    basedn: LDAP_DN
    starttls: bool = False
    validate_certificates: bool = True
    ldap_schema: Literal['RFC2307', 'RFC2307BIS'] = Field(default='RFC2307', alias='schema')
    search_bases: dict = {}
    attribute_maps: dict = {}
    auxiliary_parameters: NonEmptyString | None = None


class IPAConfig(Model):
    """Accepted so that its errors look right; the emulator does not join IPA domains."""

    service_type: Literal['IPA'] = Field(exclude=True, repr=False)
    target_server: NonEmptyString
    hostname: NonEmptyString
    domain: NonEmptyString
    basedn: LDAP_DN
    smb_domain: dict | None = None
    validate_certificates: bool = True


class DirectoryServicesUpdate(Model):
    """DirectoryServicesEntry under ForUpdateMetaclass (every field optional, unset ones left out), plus force."""

    service_type: Literal['ACTIVEDIRECTORY', 'IPA', 'LDAP'] | None = None
    credential: DSCred | None = None
    enable: bool = None
    enable_account_cache: bool = None
    enable_dns_updates: bool = None
    timeout: int = Field(default=None, ge=5, le=60)
    kerberos_realm: NonEmptyString | None = None
    configuration: Annotated[Union[ActiveDirectoryConfig, IPAConfig, LDAPConfig],
                             Field(discriminator='service_type')] | None = None
    force: bool = None

    @model_validator(mode='before')
    @classmethod
    def parse_configuration(cls, data_in: Any) -> Any:
        if not isinstance(data_in, dict):
            return data_in
        if 'configuration' in data_in and isinstance(data_in['configuration'], dict):
            if data_in.get('service_type') is not None:
                data_in = {**data_in, 'configuration': {**data_in['configuration'],
                                                        'service_type': data_in['service_type']}}
            else:
                raise ValueError('"service_type" field is required if "configuration" field is specified')
        return data_in

    @model_validator(mode='after')
    def validate_ds(self):
        given = self.model_fields_set
        if 'service_type' not in given and self.enable is not False:
            raise ValueError('service_type is required in update payloads')
        if 'service_type' in given and self.service_type is not None:
            if self.configuration is None:
                raise ValueError('Explicit configuration is required when service_type is specified')
            if self.credential is None:
                raise ValueError('Explicit credential configuration is required when service_type is specified')
            credential_type = self.credential.credential_type
            if self.service_type == 'LDAP':
                if credential_type.startswith('KERBEROS') and self.kerberos_realm is None:
                    raise ValueError('Kerberos realm is required for using kerberos credentials with a plain LDAP server')
            elif credential_type.startswith('LDAP'):
                raise ValueError('LDAP authentication methods are only supported for the LDAP service type.')
        if self.enable is True:
            expected = {'ACTIVEDIRECTORY': (ActiveDirectoryConfig, 'Active Directory configuration is required'),
                        'IPA': (IPAConfig, 'IPA configuration is required'),
                        'LDAP': (LDAPConfig, 'LDAP configuration is required')}
            if self.service_type is None:
                if self.configuration is not None:
                    raise ValueError('configuration must be set to null when setting service type to null')
            elif not isinstance(self.configuration, expected[self.service_type][0]):
                raise ValueError(expected[self.service_type][1])
        return self


class DirectoryServicesUpdateArgs(Model):
    directoryservices_update: DirectoryServicesUpdate


class LeaveCredential(Model):
    credential: CredKRBUser


class DirectoryServicesLeaveArgs(Model):
    credential: LeaveCredential  # single_argument_args('credential') around a model whose field is credential


# -- user / group (api/v25_10_0/user.py, group.py; same in api/v25_04_0) ------------------------------------

class _GetUserObj(Model):
    username: str | None = None
    uid: int | None = None
    get_groups: bool = False
    sid_info: bool = False


class UserGetUserObjArgs(Model):
    get_user_obj: _GetUserObj


class _GetGroupObj(Model):
    groupname: str | None = None
    gid: int | None = None
    sid_info: bool = False


class GroupGetGroupObjArgs(Model):
    get_group_obj: _GetGroupObj


# -- privilege.* (api/v25_10_0/privilege.py; same fields in api/v25_04_2) ------------------------------------

class PrivilegeCreate(Model):
    name: NonEmptyString
    local_groups: list[int] = []
    ds_groups: list[Union[int, SID]] = []
    roles: list[str] = []
    web_shell: bool


class PrivilegeUpdate(Model):
    name: NonEmptyString = None
    local_groups: list[int] = None
    ds_groups: list[Union[int, SID]] = None
    roles: list[str] = None
    web_shell: bool = None


class PrivilegeCreateArgs(Model):
    privilege_create: PrivilegeCreate


class PrivilegeUpdateArgs(Model):
    id: int
    privilege_update: PrivilegeUpdate


class PrivilegeDeleteArgs(Model):
    id: int


def values(instance, patch=()):
    """The handler's arguments: each field dumped with defaults, except that the fields named in ``patch``
    (ForUpdateMetaclass models) keep only their keys that were sent."""
    result = []
    for field in type(instance).model_fields:
        value = getattr(instance, field)
        if isinstance(value, Model):
            dumped = value.model_dump(mode='json', by_alias=True)
            if field in patch:
                dumped = {key: dumped[key] for key in dumped if key in value.model_fields_set}
            value = dumped
        result.append(value)
    return result


def dump_args(model, params, secrets=('password', 'bindpw', 'ldap_user_dn_password')):
    """api/base/handler/dump_params.py dump_params(expose_secrets=False), what core.get_jobs shows as
    ``arguments``: the params as validated, without defaults, secrets as ********; invalid params as sent,
    secrets removed."""
    try:
        instance = validate(model, params)
    except ValidationErrors:
        dumped = list(params)
    else:
        everything = instance.model_dump(mode='json', by_alias=True, exclude_unset=True)
        dumped = [everything[field] for field in type(instance).model_fields if field in everything]
    return [_redact(value, secrets) for value in dumped]


def _redact(value, secrets):
    if isinstance(value, dict):
        return {k: ('********' if k in secrets else _redact(v, secrets)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return value
