"""Legacy ``@accepts`` schemas of 25.04's directory methods (activedirectory.*, idmap.update).

Extends legacy_schema.py with what these schemas use: schema/integer_schema.py (Int: ints, or strings that
parse as one), validators.py (Range: "Should be between A and B"), schema/string_schema.py (NetbiosName:
stripped, upper-cased, RE_NETBIOSNAME and schema/utils.py RESERVED_WORDS; Password), schema/enum.py
(EnumMixin: null passes when allowed), and schema/processor.py (clean_and_validate_args for methods of
more than one argument). The schemas follow plugins/activedirectory.py (ENTRY 'activedirectory_update',
domain_info), plugins/kerberos.py ('kerberos_username_password') and plugins/idmap.py with
service/crud_service.py (do_update gets Int('id') and a Patch of the entry named '<namespace>_update').
"""

import copy
import re

from . import legacy_schema as legacy
from .errors import CallError, ValidationErrors

RE_NETBIOSNAME = re.compile(r"^(?![0-9]*$)[a-zA-Z0-9-_!@#\$%^&\(\)'\{\}~]{1,15}$")
# schema/utils.py at TS-25.04.2.6 (still lists DOMAIN, which utils/netbios.py dropped)
RESERVED_WORDS = {w.casefold() for w in (
    'ANONYMOUS', 'AUTHENTICATED USER', 'BATCH', 'BUILTIN', 'DIALUP', 'DOMAIN', 'ENTERPRISE', 'INTERACTIVE',
    'INTERNET', 'LOCAL', 'NETWORK', 'NULL', 'PROXY', 'RESTRICTED', 'SELF', 'SERVER', 'USERS', 'WORLD',
    'GATEWAY', 'GW', 'TAC')}
TRUENAS_IDMAP_MAX = 2147000000  # plugins/idmap_/idmap_constants.py
IDMAP_BACKENDS = ['AD', 'AUTORID', 'LDAP', 'NSS', 'RFC2307', 'RID', 'TDB']


def range_validator(min_=None, max_=None):
    """validators.py Range."""
    error = {(True, True): f'between {min_} and {max_}', (False, True): f'less than or equal to {max_}',
             (True, False): f'greater than or equal to {min_}', (False, False): ''}[min_ is not None, max_ is not None]

    def validator(value):
        if value is None:
            return
        if isinstance(value, str):
            value = len(value)
        if (min_ is not None and value < min_) or (max_ is not None and value > max_):
            raise ValueError(f'Should be {error}')
    return validator


class Int(legacy.Attribute):
    def clean(self, value):
        value = super().clean(value)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise legacy.SchemaError(self.name, 'Not an integer')


class Str(legacy.Str):
    """Str whose enum lets null through when null is allowed (schema/enum.py EnumMixin)."""

    def clean(self, value):
        if value is None and self.null:
            return None
        return super().clean(value)


class NetbiosName(legacy.Str):
    def clean(self, value):
        value = super().clean(value)
        return value if value is None else value.strip().upper()

    def validate(self, value):
        if value is None:
            return
        verrors = ValidationErrors()
        if not RE_NETBIOSNAME.match(value):
            verrors.add(self.name, 'Invalid NetBIOS name. NetBIOS names must be between 1 and 15 characters in '
                                   'length and may not contain the following characters: \\/:*?"<>|.')
        if value.casefold() in RESERVED_WORDS:
            verrors.add(self.name, f'NetBIOS names may not be one of following reserved names: '
                                   f'{", ".join(RESERVED_WORDS)}')
        verrors.check()
        super().validate(value)


class List(legacy.List):
    """List with a chosen default (the emulator's legacy List always defaults to [])."""

    def __init__(self, name, items=(), default=legacy.NOT_PROVIDED, **kwargs):
        super().__init__(name, items=items, **kwargs)
        if default is not legacy.NOT_PROVIDED:
            self.default = default

    def clean(self, value):
        if value is None and self.null:
            return None
        if value is legacy.NOT_PROVIDED and self.default is None:
            return None
        return super().clean(value)


class AnyDict(legacy.Attribute):
    """An options dict whose keys the method checks itself (the OROperator of idmap options)."""

    def clean(self, value):
        value = super().clean(value)
        if not isinstance(value, dict):
            raise legacy.SchemaError(self.name, 'A dict was expected')
        return copy.deepcopy(value)


AD_UPDATE = legacy.Dict(
    'activedirectory_update',
    legacy.Str('domainname', required=True),
    legacy.Str('bindname'),
    legacy.Str('bindpw'),  # private=True: "********" in job arguments
    legacy.Bool('verbose_logging'),
    legacy.Bool('use_default_domain'),
    legacy.Bool('allow_trusted_doms'),
    legacy.Bool('allow_dns_updates'),
    legacy.Bool('disable_freenas_cache'),
    legacy.Bool('restrict_pam', default=False),
    Str('site', null=True),
    Int('kerberos_realm', null=True),
    Str('kerberos_principal', null=True),
    Int('timeout', default=60),
    Int('dns_timeout', default=10, validators=[range_validator(5, 40)]),
    Str('nss_info', null=True, enum=['TEMPLATE', 'SFU', 'SFU20', 'RFC2307']),
    legacy.Str('createcomputer'),
    NetbiosName('netbiosname'),
    List('netbiosalias', items=[NetbiosName('alias')], default=None, null=True),
    legacy.Bool('enable'),
)

KERBEROS_USERNAME_PASSWORD = legacy.Dict(
    'kerberos_username_password',
    legacy.Str('username', required=True),
    legacy.Str('password', required=True),  # Password: private
)

DOMAIN_INFO = legacy.Str('domain', default='')

IDMAP_ID = Int('id', required=True)
IDMAP_UPDATE = legacy.Dict(
    'idmap_update',
    legacy.Str('name'),
    Str('dns_domain_name', null=True),
    Int('range_low', validators=[range_validator(1000, TRUENAS_IDMAP_MAX)]),
    Int('range_high', validators=[range_validator(1000, TRUENAS_IDMAP_MAX)]),
    Str('idmap_backend', enum=IDMAP_BACKENDS),
    Int('certificate', null=True),
    AnyDict('options', default={}),
    update=True,
)


def accept(schemas, params):
    """schema/processor.py clean_and_validate_args: each positional argument cleaned, then validated."""
    if len(params) > len(schemas):
        raise CallError(f'Too many arguments (expected {len(schemas)}, found {len(params)})')
    verrors, values = ValidationErrors(), []
    for index, schema in enumerate(schemas):
        value = params[index] if index < len(params) else legacy.NOT_PROVIDED
        try:
            value = schema.clean(value)
        except legacy.SchemaError as exc:
            verrors.add(exc.attribute, exc.errmsg)
            continue
        except ValidationErrors as exc:
            verrors.extend(exc)
            continue
        values.append(value)
    verrors.check()
    for schema, value in zip(schemas, values):
        try:
            schema.validate(value)
        except ValidationErrors as exc:
            verrors.extend(exc)
    verrors.check()
    return values
