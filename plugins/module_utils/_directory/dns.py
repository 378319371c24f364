# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DNS probes against one nameserver at a time, behind a resolver tests can replace.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import importlib.util
import time

# dnspython costs ~60 ms to import: look for it now, import it on the first lookup only.
HAS_DNSPYTHON = importlib.util.find_spec('dns') is not None


class DNSProblem(Exception):
    """A lookup that got no usable answer; the message says why."""


class DNSTimeout(DNSProblem):
    """The nameserver did not answer at all within the timeout."""


class Resolver:
    """Ask one given nameserver, never the host's resolver configuration."""

    def __init__(self, timeout=3.0):
        self.timeout = timeout

    def query(self, nameserver, name, rdtype):
        """Answers of ``name``/``rdtype`` at ``nameserver`` as text records."""
        resolver_lib = importlib.import_module('dns.resolver')
        exception = importlib.import_module('dns.exception')
        resolver = resolver_lib.Resolver(configure=False)
        resolver.nameservers = [nameserver]
        resolver.lifetime = self.timeout
        resolver.timeout = self.timeout
        try:
            return [rdata.to_text() for rdata in resolver.resolve(name, rdtype, search=False)]
        except resolver_lib.NXDOMAIN:
            raise DNSProblem('%s does not exist (NXDOMAIN)' % name)
        except resolver_lib.NoAnswer:
            raise DNSProblem('%s has no %s record' % (name, rdtype))
        except resolver_lib.LifetimeTimeout:
            raise DNSTimeout('no answer within %.1f s' % self.timeout)
        except resolver_lib.NoNameservers as exc:
            raise DNSProblem('the server failed to answer (%s)' % exc)
        except exception.DNSException as exc:
            raise DNSProblem(str(exc) or type(exc).__name__)


def srv_with_addresses(resolver, nameserver, name):
    """SRV targets of ``name`` at ``nameserver`` with each target's A records, plus the time taken."""
    started = time.monotonic()
    targets = []
    for record in resolver.query(nameserver, name, 'SRV'):
        priority, weight, port, target = record.split()
        target = target.rstrip('.').lower()
        try:
            addresses = resolver.query(nameserver, target, 'A')
        except DNSProblem:
            addresses = []
        targets.append({'target': target, 'port': int(port), 'priority': int(priority), 'weight': int(weight),
                        'addresses': sorted(addresses)})
    return targets, round((time.monotonic() - started) * 1000, 1)
