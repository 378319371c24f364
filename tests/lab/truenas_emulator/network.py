"""Global network configuration (network.configuration.*) and network.general.summary.

Follows plugins/network_/global_config.py (do_update, validate_general_settings, validate_nameservers,
network_config_extend), plugins/network_/route.py (ipv4gw_reachable) and plugins/network_/general.py (summary).

26 and 27 (global_config.py do_update at TS-26.0.0-BETA.3 and HEAD, NAS-139291): while directoryservices.status is
ACTIVEDIRECTORY or IPA and HEALTHY, a ``domain`` other than the stored one (compared as strings: the same name in
another case is a change) is refused on ``global_configuration_update.domain``; the same value is no change. The join
and the leave write the domain themselves (directoryservices.py).
"""

import copy
import ipaddress

from . import legacy_schema, network_schema
from .api import api_method
from .errors import ValidationErrors
from .personalities import since

SCHEMA = 'global_configuration_update'  # the prefix of the hand-written checks, on every release
DEFAULT_DOMAIN = 'local'  # plugins/network_/common.py DEFAULT_NETWORK_DOMAIN
DEFAULTS = {
    'id': 1, 'hostname': 'truenas', 'domain': DEFAULT_DOMAIN, 'ipv4gateway': '', 'ipv6gateway': '',
    'nameserver1': '', 'nameserver2': '', 'nameserver3': '', 'httpproxy': '', 'hosts': [], 'domains': [],
    'service_announcement': {'mdns': True, 'wsd': True, 'netbios': False},
    'activity': {'type': 'DENY', 'activities': []},
}


class Network:
    """The stored configuration (persisted in the store's ``network`` section) and the NAS's interfaces,
    ``[{"name": "eth0", "ipv4": ["192.0.2.10/24"], "ipv6": [...]}]``."""

    def __init__(self, emu, interfaces=None, hostname=None):
        self.emu = emu
        self.interfaces = [{'name': iface['name'],
                            'ipv4': [str(ipaddress.IPv4Interface(a)) for a in iface.get('ipv4', [])],
                            'ipv6': [str(ipaddress.IPv6Interface(a)) for a in iface.get('ipv6', [])]}
                           for iface in interfaces or []]
        stored = emu.store.get('network')
        self._config = stored or {**DEFAULTS, 'hostname': hostname or DEFAULTS['hostname']}
        if not stored:
            emu.store.put('network', self._config)

    def stored(self):
        return copy.deepcopy(self._config)

    def config(self):
        """network.configuration.config: the stored entry plus hostname_local and the ``state`` in effect."""
        entry = self.stored()
        entry['hostname_local'] = entry['hostname']
        summary = self.summary()
        state = {'ipv4gateway': '', 'ipv6gateway': '', 'nameserver1': '', 'nameserver2': '', 'nameserver3': '',
                 'hosts': list(entry['hosts'])}
        for route in summary['default_routes']:
            key = 'ipv4gateway' if ipaddress.ip_address(route).version == 4 else 'ipv6gateway'
            state[key] = state[key] or route
        for index, nameserver in enumerate(summary['nameservers'][:3], 1):
            state[f'nameserver{index}'] = nameserver
        entry['state'] = state
        return entry

    def summary(self):
        """network.general.summary: addresses per interface, default gateways, nameservers in resolv.conf."""
        ips = {}
        for iface in self.interfaces:
            for key, family in (('IPV4', 'ipv4'), ('IPV6', 'ipv6')):
                if iface[family]:
                    ips.setdefault(iface['name'], {})[key] = list(iface[family])
        routes = [self._config[key] for key in ('ipv4gateway', 'ipv6gateway') if self._config[key]]
        return {'ips': ips, 'default_routes': routes, 'nameservers': self.emu.resolver.nameservers()}

    def ipv4gw_reachable(self, gateway):
        """route.py ipv4gw_reachable: inside an IPv4 subnet of an interface other than lo/tap/epair."""
        address = ipaddress.ip_address(gateway)
        return any(address in ipaddress.IPv4Interface(a).network for iface in self.interfaces
                   if not iface['name'].startswith(('lo', 'tap', 'epair')) for a in iface['ipv4'])

    def update(self, data):
        """do_update: an unchanged payload returns early; checks run on ``data`` only; then store and dns.sync."""
        config = self.config()
        config.pop('state')
        new = {**config, **data}
        new['service_announcement'] = config['service_announcement'] | data.get('service_announcement', {})
        if new == config:
            return self.config()
        verrors = self._validate(data)
        if new['domain'] != config['domain'] and self.emu.personality.at_least('26'):
            status = self.emu.directory.status()
            if status['type'] in ('ACTIVEDIRECTORY', 'IPA') and status['status'] == 'HEALTHY':
                verrors.add(f'{SCHEMA}.domain', 'You cannot change this parameter after TrueNAS joins a domain.')
        verrors.check()
        self._config = {key: new[key] for key in DEFAULTS}
        self.emu.store.put('network', self._config)
        self.emu.stats.write('network.configuration.update')
        # The middleware compares the joined search string with the stored list, so every effective
        # update counts as a search change and runs dns.sync.
        self.emu.resolver.sync(self._config)
        return self.config()

    def _validate(self, data):
        """validate_general_settings and validate_nameservers."""
        verrors = ValidationErrors()
        indices = []
        for key, value in data.items():
            if not key.startswith('nameserver') or not value:
                continue
            indices.append(int(key[-1]))
            address = ipaddress.ip_address(value)
            if address.is_loopback:
                verrors.add(f'{SCHEMA}.{key}', 'Loopback is not a valid nameserver')
            elif address.is_unspecified:
                verrors.add(f'{SCHEMA}.{key}', 'Unspecified addresses are not valid as nameservers')
            elif value == '255.255.255.255':
                verrors.add(f'{SCHEMA}.{key}', 'This is not a valid nameserver address')
            elif address.version == 4 and value.startswith('169.254'):
                verrors.add(f'{SCHEMA}.{key}', '169.254/16 subnet is not valid for nameserver')
        if any(later != earlier + 1 for earlier, later in zip(indices, indices[1:])):
            verrors.add(f'{SCHEMA}.nameserver', 'When providing nameservers, they must be provided in consecutive order '
                        '(i.e. nameserver1, nameserver2, nameserver3)')
        if data.get('ipv4gateway') and not self.ipv4gw_reachable(data['ipv4gateway']):
            verrors.add(f'{SCHEMA}.ipv4gateway', f'Gateway {data["ipv4gateway"]} is unreachable')
        if len(data.get('domains') or []) > 5:
            verrors.add(f'{SCHEMA}.domains', 'No more than 5 additional domains are allowed')
        return verrors


# follows plugins/network_/global_config.py (config via network_config_extend)
@api_method('network.configuration.config')
async def configuration_config(ctx):
    return ctx.emu.network.config()


# follows plugins/network_/global_config.py at TS-25.04.2.6 (@accepts Patch 'global_configuration_update', do_update)
@api_method('network.configuration.update', versions=('25.04',), args=None)
async def configuration_update_v25_04(ctx, *params):
    return ctx.emu.network.update(legacy_schema.accept(network_schema.UPDATE_V25_04, list(params)))


# follows plugins/network_/global_config.py (do_update) with api/v25_10_0/network_configuration.py
@api_method('network.configuration.update', versions=since('25.10'), args=network_schema.UpdateArgsV2510)
async def configuration_update_v25_10(ctx, data):
    return ctx.emu.network.update(data)


# follows plugins/network_/general.py (summary)
@api_method('network.general.summary')
async def general_summary(ctx):
    return ctx.emu.network.summary()
