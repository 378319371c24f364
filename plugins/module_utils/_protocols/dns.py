# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DNS lookups at one given nameserver at a time, behind a resolver tests can replace.

PRIVATE to the collection. dnspython (TrueNAS ships it) writes and reads the messages and asks over
TCP. It is imported when a Resolver is made, and one is made only to look something up: a module
run that looks nothing up does not load it. The UDP exchange is here rather than in dnspython's
resolver for two things the probes need: a connected socket, so a closed port is refused at once
instead of costing the timeout, and answers read record by record, so one bad record does not drop
the others.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import socket
import time

HAS_DNSPYTHON = importlib.util.find_spec('dns') is not None
TRIES = 3  # UDP sends of a question, spread over the timeout: a lost datagram is sent again
EDNS_PAYLOAD = 1232  # the largest UDP answer asked for (the DNS flag day 2020 value: no IP fragments)


class DNSProblem(Exception):
    """A lookup that got no usable answer; the message says why."""


class DNSTimeout(DNSProblem):
    """The nameserver did not answer at all within the timeout."""


class DNSRefused(DNSProblem):
    """Nothing serves DNS at that address (ICMP port unreachable, a refused TCP connection): asking again is no use."""


def _dnspython():
    """The dnspython package with the modules the lookups use; ImportError without it."""
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    return dns


def question(name, rdtype):
    """A query for ``name``/``rdtype`` in wire form (recursion desired, a random id), as the probes send it."""
    return _dnspython().message.make_query(name, rdtype).to_wire()


def _text(exc):
    return str(exc).rstrip('.') or type(exc).__name__


class _Malformed(Exception):
    """The answer to our question, unreadable."""


def _answer(dns, datagram, request):
    """``datagram`` read as the answer to ``request``; None when it is not that answer (keep waiting)."""
    try:
        response = dns.message.from_wire(datagram, continue_on_error=True)
    except dns.exception.DNSException:  # shorter than a header: not even an id to match
        return None
    if request.is_response(response):
        return response
    if response.id == request.id and response.flags & dns.flags.QR and response.errors:
        raise _Malformed(_text(response.errors[0].exception))  # our id, but its question cannot be read
    return None


class Resolver:
    """Ask one given nameserver, never the host's resolver configuration: UDP with EDNS, the question sent again
    when no answer comes, then TCP when the answer is cut short. ``timeout`` bounds the whole lookup."""

    port = 53

    def __init__(self, timeout=3.0):
        self.timeout = timeout
        try:
            self.dns = _dnspython()
        except ImportError:
            self.dns = None  # the module checked HAS_DNSPYTHON first; query() says so again

    def _udp(self, nameserver, request, deadline):
        """The answer to ``request``; datagrams that are not that answer are ignored. One socket for every try:
        a late answer to an earlier try counts."""
        wire = request.to_wire()
        with socket.socket(socket.AF_INET6 if ':' in nameserver else socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect((nameserver, self.port))  # only the nameserver's datagrams reach us, "port unreachable" too
            for sent in range(1, TRIES + 1):
                sock.send(wire)
                until = deadline - (TRIES - sent) * self.timeout / TRIES
                while True:
                    left = until - time.monotonic()
                    if left <= 0:
                        break
                    sock.settimeout(left)
                    try:
                        response = _answer(self.dns, sock.recv(65535), request)
                    except socket.timeout:
                        break
                    if response is not None:
                        return response
        raise socket.timeout()

    def _ask(self, nameserver, request, deadline):
        response = self._udp(nameserver, request, deadline)
        if response.flags & self.dns.flags.TC:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            response = self.dns.query.tcp(request, nameserver, timeout=left, port=self.port)
        return response

    def query(self, nameserver, name, rdtype):
        """Answers of ``name``/``rdtype`` ('A' or 'SRV') at ``nameserver`` as text records."""
        dns = self.dns
        if dns is None:
            raise DNSProblem('dnspython is not installed for this Python; the DNS lookups need it')
        deadline = time.monotonic() + self.timeout
        try:
            request = dns.message.make_query(name, rdtype, use_edns=0, payload=EDNS_PAYLOAD)
        except (dns.exception.DNSException, ValueError) as exc:
            raise DNSProblem('%r is not a valid DNS name (%s)' % (name, _text(exc)))
        try:
            response = self._ask(nameserver, request, deadline)
            if response.rcode() in (dns.rcode.FORMERR, dns.rcode.NOTIMP) and response.edns < 0:
                request = dns.message.make_query(name, rdtype)  # a server without EDNS (RFC 6891 section 7)
                response = self._ask(nameserver, request, deadline)
        except (socket.timeout, dns.exception.Timeout):
            raise DNSTimeout('no answer within %.1f s' % self.timeout)
        except ConnectionRefusedError as exc:
            raise DNSRefused('the server failed to answer (%s)' % (exc.strerror or exc))
        except EOFError:
            raise DNSProblem('the server failed to answer (it closed the connection)')
        except OSError as exc:
            raise DNSProblem('the server failed to answer (%s)' % (exc.strerror or exc))
        except (_Malformed, dns.exception.DNSException) as exc:
            raise DNSProblem('the server sent a malformed answer (%s)' % _text(exc))
        rcode = response.rcode()
        if rcode == dns.rcode.NXDOMAIN:
            raise DNSProblem('%s does not exist (NXDOMAIN)' % name)
        if rcode != dns.rcode.NOERROR:
            raise DNSProblem('the server failed to answer (%s answered %s)' % (nameserver, dns.rcode.to_text(rcode)))
        try:
            records = response.resolve_chaining().answer  # the records of the final name after any CNAMEs
        except dns.exception.DNSException as exc:
            raise DNSProblem('the server sent a malformed answer (%s)' % _text(exc))
        if not records:
            if response.errors:  # none readable
                raise DNSProblem('the server sent a malformed answer (%s)' % _text(response.errors[0].exception))
            raise DNSProblem('%s has no %s record' % (name, rdtype))
        return [rdata.to_text() for rdata in records]


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
