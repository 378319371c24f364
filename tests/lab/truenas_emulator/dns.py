"""resolv.conf upkeep (dns.sync) and dns.query.

Follows plugins/network_/dns.py: ``sync`` writes ``domain <domain>``, ``search <domains...>`` and one
``nameserver`` line per configured nameserver -- or, when none is configured, the DHCP-provided ones (here:
the nameservers the resolv.conf held when the emulator first started, kept in the state file). ``query`` lists
the nameserver lines.
"""

import ipaddress
import os

from . import models
from .api import api_method
from .filters import filter_list


class Resolver:
    """The NAS's resolv.conf: a real file when a path is given (rewritten in place, as it may be a bind
    mount), else kept in memory."""

    def __init__(self, store, path=None):
        self.path = os.fspath(path) if path else None
        self._text = ''
        self.dhcp_nameservers = store.get('dhcp_nameservers')
        if self.dhcp_nameservers is None:
            self.dhcp_nameservers = self.nameservers()
            store.put('dhcp_nameservers', self.dhcp_nameservers)

    def read(self):
        if self.path and os.path.exists(self.path):
            with open(self.path, encoding='utf-8') as handle:
                return handle.read()
        return self._text

    def nameservers(self):
        """Valid IPs of the ``nameserver`` lines, first occurrence only."""
        found = []
        for line in self.read().splitlines():
            if line.startswith('nameserver'):
                address = line[len('nameserver'):].strip()
                try:
                    ipaddress.ip_address(address)
                except ValueError:
                    continue
                if address not in found:
                    found.append(address)
        return found

    def sync(self, config):
        """Regenerate from the network configuration (dns.py sync and configure_nameservers)."""
        text = f'domain {config["domain"]}\n' if config['domain'] else ''
        text += f'search {" ".join(config["domains"])}\n' if config['domains'] else ''
        configured = [config[f'nameserver{i}'] for i in (1, 2, 3) if config[f'nameserver{i}']]
        text += ''.join(f'nameserver {address}\n' for address in configured or self.dhcp_nameservers)
        self._text = text
        if self.path:
            with open(self.path, 'w', encoding='utf-8') as handle:  # truncate and write: same inode
                handle.write(text)


# follows plugins/network_/dns.py (query)
@api_method('dns.query', args=models.QueryArgs)
async def query(ctx, filters, options):
    return filter_list([{'nameserver': address} for address in ctx.emu.resolver.nameservers()], filters, options)
