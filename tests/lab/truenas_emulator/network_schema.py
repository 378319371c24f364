"""Argument schemas of network.configuration.update, per personality.

25.04 follows plugins/network_/global_config.py at TS-25.04.2.6 (ENTRY Dict, Patch to
'global_configuration_update' with update=True): errors read ``global_configuration_update.<field>``.
25.10 follows api/v25_10_0/network_configuration.py (NetworkConfigurationUpdateArgs, argument ``data``) and
api/base/types/network.py (Hostname, Domain, IPvAnyAddress): errors read ``data.<field>`` with pydantic's
messages ("Extra inputs are not permitted", ...).
"""

import re
from typing import Annotated, Literal

import pydantic
from pydantic import AfterValidator

from . import legacy_schema as legacy
from .models import Model

UPDATE_V25_04 = legacy.Dict(
    'global_configuration_update',
    legacy.Str('hostname', validators=[legacy.validate_hostname]),
    legacy.Str('domain', validators=[legacy.match(r'^[a-zA-Z\.\-0-9]*$')]),
    legacy.IPAddr('ipv4gateway'),
    legacy.IPAddr('ipv6gateway', allow_zone_index=True),
    legacy.IPAddr('nameserver1'),
    legacy.IPAddr('nameserver2'),
    legacy.IPAddr('nameserver3'),
    legacy.URI('httpproxy'),
    legacy.List('hosts', items=[legacy.Str('host')]),
    legacy.List('domains', items=[legacy.Str('domain')]),
    legacy.Dict('service_announcement', legacy.Bool('netbios'), legacy.Bool('mdns'), legacy.Bool('wsd')),
    legacy.Dict('activity', legacy.Str('type', enum=['ALLOW', 'DENY'], required=True),
                legacy.List('activities', items=[legacy.Str('activity')])),
    legacy.Str('hostname_b', validators=[legacy.validate_hostname], null=True),
    legacy.Str('hostname_virtual', validators=[legacy.validate_hostname], null=True),
    update=True,
)


def _matching(pattern, explanation):
    """api/base/validators.py match_validator: a failed match is an assertion error."""
    regex = re.compile(pattern, re.IGNORECASE)

    def validator(value):
        if value is not None and not regex.match(value):
            raise AssertionError(explanation)
        return value
    return validator


def _validate_ipaddr(address):
    pydantic.IPvAnyAddress(address)  # pylint: disable=not-callable  # raises "value is not a valid IPv4 or IPv6 address"
    return address


Hostname = Annotated[str, AfterValidator(_matching(
    r'^[a-z.\-0-9]*[a-z0-9]$',
    'Hostname can only contain letters, numbers, periods, and dashes and must end with a letter or number'))]
Domain = Annotated[str, AfterValidator(_matching(
    r'^[a-z.\-0-9]*$', 'Domain can only contain letters, numbers, periods, and dashes'))]
IPvAnyAddress = Literal[''] | Annotated[str, AfterValidator(_validate_ipaddr)]


class _ServiceAnnouncement(Model):
    netbios: bool = None
    mdns: bool = None
    wsd: bool = None


class _Activity(Model):
    type: Literal['ALLOW', 'DENY']
    activities: list[str] = []


class NetWorkConfigurationUpdate(Model):
    """Every field optional (ForUpdateMetaclass); id, hostname_local and state excluded."""

    hostname: Hostname = None
    domain: Domain = None
    ipv4gateway: IPvAnyAddress = None
    ipv6gateway: IPvAnyAddress = None
    nameserver1: IPvAnyAddress = None
    nameserver2: IPvAnyAddress = None
    nameserver3: IPvAnyAddress = None
    httpproxy: str = None
    hosts: list[str] = None
    domains: list[str] = None
    service_announcement: _ServiceAnnouncement = None
    activity: _Activity = None
    hostname_b: Hostname | None = None
    hostname_virtual: Hostname | None = None


class UpdateArgsV2510(Model):
    data: NetWorkConfigurationUpdate
