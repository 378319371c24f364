# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DNS lookups at one given nameserver at a time, behind a resolver tests can replace.

PRIVATE to the collection. Standard library only (dns_wire.py reads and writes the messages): a
lookup costs a tenth of a millisecond of CPU, and nothing is imported that the NAS lacks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct
import time

from ansible_collections.nasjoin.entra.plugins.module_utils._directory import dns_wire


class DNSProblem(Exception):
    """A lookup that got no usable answer; the message says why."""


class DNSTimeout(DNSProblem):
    """The nameserver did not answer at all within the timeout."""


class DNSRefused(DNSProblem):
    """Nothing serves DNS at that address (port or host unreachable): asking it again is no use."""


def _receive(sock, size):
    data = b''
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError()
        data += chunk
    return data


class Resolver:
    """Ask one given nameserver, never the host's resolver configuration: UDP, then TCP when the answer is cut."""

    port = 53

    def __init__(self, timeout=3.0):
        self.timeout = timeout

    def _udp(self, nameserver, request, question, deadline):
        """The answer to ``request`` (dns_wire.answer), or None when it was cut short; other datagrams are ignored."""
        with socket.socket(socket.AF_INET6 if ':' in nameserver else socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect((nameserver, self.port))  # only datagrams from the nameserver reach us
            sock.send(request)
            while True:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                reply = sock.recv(65535)
                if dns_wire.truncated(reply, question[0]):
                    return None
                found = dns_wire.answer(reply, *question)
                if found is not None:
                    return found

    def _tcp(self, nameserver, request, question, deadline):
        with socket.create_connection((nameserver, self.port), timeout=max(deadline - time.monotonic(), 0.001)) as sock:
            sock.sendall(struct.pack('>H', len(request)) + request)
            found = dns_wire.answer(_receive(sock, struct.unpack('>H', _receive(sock, 2))[0]), *question)
        if found is None:
            raise dns_wire.WireError('the TCP answer is for another question')
        return found

    def query(self, nameserver, name, rdtype):
        """Answers of ``name``/``rdtype`` ('A' or 'SRV') at ``nameserver`` as text records."""
        deadline = time.monotonic() + self.timeout
        question = (dns_wire.random_id(), name, rdtype)
        try:
            request = dns_wire.question(*question)
        except dns_wire.WireError as exc:
            raise DNSProblem(str(exc))
        try:
            rcode, records = self._udp(nameserver, request, question, deadline) or \
                self._tcp(nameserver, request, question, deadline)
        except (socket.timeout, TimeoutError):
            raise DNSTimeout('no answer within %.1f s' % self.timeout)
        except dns_wire.WireError as exc:
            raise DNSProblem('the server sent a malformed answer (%s)' % exc)
        except OSError as exc:
            raise DNSRefused('the server failed to answer (%s)' % (exc.strerror or exc))
        except EOFError:
            raise DNSProblem('the server failed to answer (it closed the connection)')
        if rcode == 'NXDOMAIN':
            raise DNSProblem('%s does not exist (NXDOMAIN)' % name)
        if rcode != 'NOERROR':
            raise DNSProblem('the server failed to answer (%s answered %s)' % (nameserver, rcode))
        if not records:
            raise DNSProblem('%s has no %s record' % (name, rdtype))
        return records


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
