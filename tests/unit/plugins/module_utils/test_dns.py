"""The standard-library DNS client of the probes: messages checked against dnspython, lookups against a local server."""

import socket
import struct
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._directory import dns_wire
from ansible_collections.nasjoin.entra.plugins.module_utils._directory.dns import DNSProblem, DNSRefused, DNSTimeout, Resolver
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober

ZONE = 'aaddscontoso.com.'


def reply(request, rcode=dns.rcode.NOERROR, records=(), truncated=False, ident=None):
    """dnspython's answer to the wire ``request``: ``records`` as (name, type, text) in the answer section."""
    message = dns.message.make_response(dns.message.from_wire(request))
    message.set_rcode(rcode)
    for name, rdtype, text in records:
        message.answer.append(dns.rrset.from_text(name, 300, 'IN', rdtype, text))
    if truncated:
        message.flags |= dns.flags.TC
    if ident is not None:
        message.id = ident
    return message.to_wire()


@pytest.mark.parametrize('rdtype', ['A', 'SOA', 'SRV'])
def test_the_question_is_what_dnspython_reads(rdtype):
    message = dns.message.from_wire(dns_wire.question(4242, '_ldap._tcp.dc._msdcs.' + ZONE, rdtype))
    assert message.id == 4242 and message.flags & dns.flags.RD and not message.flags & dns.flags.QR
    assert [(question.name, question.rdtype) for question in message.question] == [
        (dns.name.from_text('_ldap._tcp.dc._msdcs.' + ZONE), dns.rdatatype.from_text(rdtype))]
    assert not message.answer and not message.additional


@pytest.mark.parametrize('name, wire', [('a.b', b'\x01a\x01b\x00'), ('a.b.', b'\x01a\x01b\x00'), ('.', b'\x00')])
def test_names_are_encoded_with_or_without_the_trailing_dot(name, wire):
    assert dns_wire.encode_name(name) == wire


@pytest.mark.parametrize('name', ['a..b', 'x' * 64 + '.com', '.'.join(['abcdefghi'] * 26), 'dc\u00e9.example.com'])
def test_a_name_that_cannot_be_asked_is_refused(name):
    with pytest.raises(dns_wire.WireError):
        dns_wire.encode_name(name)


def test_a_and_srv_answers_read_as_zone_file_text():
    request = dns_wire.question(7, ZONE, 'A')
    assert dns_wire.answer(reply(request, records=[(ZONE, 'A', '198.51.100.11'), (ZONE, 'A', '198.51.100.12')]),
                           7, ZONE, 'A') == ('NOERROR', ['198.51.100.11', '198.51.100.12'])
    name = '_kerberos._tcp.' + ZONE
    request = dns_wire.question(8, name, 'SRV')
    records = [(name, 'SRV', '0 100 88 dc1.' + ZONE), (name, 'SRV', '10 50 88 DC2.' + ZONE)]
    assert dns_wire.answer(reply(request, records=records), 8, name, 'SRV') == (
        'NOERROR', ['0 100 88 dc1.' + ZONE, '10 50 88 DC2.' + ZONE])  # compressed targets, their case kept


def test_cnames_in_the_answer_are_followed_and_other_records_ignored():
    request = dns_wire.question(9, 'ldap.' + ZONE, 'A')
    records = [('ldap.' + ZONE, 'CNAME', 'Alias.' + ZONE), ('alias.' + ZONE, 'CNAME', 'dc1.' + ZONE),
               ('dc1.' + ZONE, 'A', '198.51.100.11'), ('other.' + ZONE, 'A', '192.0.2.1'),
               ('dc1.' + ZONE, 'TXT', '"ignored"')]
    assert dns_wire.answer(reply(request, records=records), 9, 'LDAP.' + ZONE.upper(), 'A') == ('NOERROR', ['198.51.100.11'])


def test_a_cname_loop_is_malformed():
    request = dns_wire.question(9, 'a.' + ZONE, 'A')
    records = [('a.' + ZONE, 'CNAME', 'b.' + ZONE), ('b.' + ZONE, 'CNAME', 'a.' + ZONE)]
    with pytest.raises(dns_wire.WireError, match='CNAMEs'):
        dns_wire.answer(reply(request, records=records), 9, 'a.' + ZONE, 'A')


@pytest.mark.parametrize('rcode, name', [(dns.rcode.NXDOMAIN, 'NXDOMAIN'), (dns.rcode.SERVFAIL, 'SERVFAIL'),
                                         (dns.rcode.REFUSED, 'REFUSED'), (dns.rcode.NOERROR, 'NOERROR')])
def test_the_rcode_comes_back_by_name(rcode, name):
    request = dns_wire.question(10, ZONE, 'SRV')
    assert dns_wire.answer(reply(request, rcode), 10, ZONE, 'SRV') == (name, [])


def test_a_message_for_another_question_is_not_the_answer():
    request = dns_wire.question(11, ZONE, 'A')
    assert dns_wire.answer(reply(request), 12, ZONE, 'A') is None  # another id
    assert dns_wire.answer(reply(request), 11, 'other.' + ZONE, 'A') is None
    assert dns_wire.answer(reply(request), 11, ZONE, 'SRV') is None
    assert dns_wire.answer(request, 11, ZONE, 'A') is None  # a query, not a response
    assert dns_wire.answer(b'junk', 11, ZONE, 'A') is None  # shorter than a header


def test_truncated_is_only_our_cut_short_reply():
    request = dns_wire.question(13, ZONE, 'SRV')
    assert dns_wire.truncated(reply(request, truncated=True), 13)
    assert not dns_wire.truncated(reply(request, truncated=True), 14)
    assert not dns_wire.truncated(reply(request), 13)
    assert not dns_wire.truncated(b'\x00', 13)


@pytest.mark.parametrize('cut', [
    lambda wire: wire[:-3],  # the last record runs past the end
    lambda wire: wire[:12] + b'\xc0\x0c' + wire[14:],  # the question name points at itself
    lambda wire: wire[:12] + b'\x40' + wire[13:],  # a label type that does not exist
    lambda wire: wire.replace(b'\x03dc1', b'\x03d\x00c'),  # a label that is not text
])
def test_a_malformed_answer_raises_wire_error(cut):
    request = dns_wire.question(15, ZONE, 'A')
    wire = reply(request, records=[(ZONE, 'A', '198.51.100.11'), ('dc1.' + ZONE, 'A', '198.51.100.12')])
    with pytest.raises(dns_wire.WireError):
        dns_wire.answer(cut(wire), 15, ZONE, 'A')


class Server:
    """A nameserver on 127.0.0.1 (UDP and TCP on one port) that answers each request with ``udp(request)`` (a list of
    datagrams to send, [] for silence) and ``tcp(request)``."""

    def __init__(self, udp, tcp=None):
        self.udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp_socket.bind(('127.0.0.1', 0))
        self.port = self.udp_socket.getsockname()[1]
        self.tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp_socket.bind(('127.0.0.1', self.port))
        self.tcp_socket.listen(4)
        self.udp, self.tcp, self.asked = udp, tcp, []
        for serve in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=serve, daemon=True).start()

    def _serve_udp(self):
        while True:
            try:
                request, peer = self.udp_socket.recvfrom(4096)
            except OSError:
                return
            self.asked.append(('udp', request))
            for datagram in self.udp(request):
                self.udp_socket.sendto(datagram, peer)

    def _serve_tcp(self):
        while True:
            try:
                conn = self.tcp_socket.accept()[0]
            except OSError:
                return
            with conn:
                size = struct.unpack('>H', conn.recv(2))[0]
                request = conn.recv(size)
                self.asked.append(('tcp', request))
                answer = self.tcp(request)
                conn.sendall(struct.pack('>H', len(answer)) + answer)

    def close(self):
        self.udp_socket.close()
        self.tcp_socket.close()


@pytest.fixture
def serve():
    servers = []

    def start(udp, tcp=None, timeout=1.0):
        servers.append(Server(udp, tcp))
        resolver = Resolver(timeout)
        resolver.port = servers[-1].port
        return resolver, servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_lookup_asks_over_udp_and_reads_the_records(serve):
    resolver, server = serve(lambda request: [reply(request, records=[(ZONE, 'A', '198.51.100.11')])])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']
    assert [kind for kind, dummy in server.asked] == ['udp']


def test_stray_datagrams_are_ignored_until_the_answer_comes(serve):
    good = [(ZONE, 'A', '198.51.100.11')]
    resolver, dummy = serve(lambda request: [b'junk', reply(request, records=[(ZONE, 'A', '192.0.2.66')], ident=(
        struct.unpack('>H', request[:2])[0] + 1) % 65536), reply(request, records=good)])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']


def test_a_cut_short_answer_is_asked_again_over_tcp(serve):
    name = '_ldap._tcp.' + ZONE
    records = [(name, 'SRV', '0 100 389 dc%d.%s' % (index, ZONE)) for index in range(1, 11)]
    resolver, server = serve(lambda request: [reply(request, truncated=True)],
                             lambda request: reply(request, records=records))
    assert resolver.query('127.0.0.1', name, 'SRV') == [text for dummy, dummy, text in records]
    assert [kind for kind, dummy in server.asked] == ['udp', 'tcp']
    assert server.asked[0][1] == server.asked[1][1]  # the same question, the same id


def test_a_silent_server_costs_one_timeout(serve):
    resolver, dummy = serve(lambda request: [], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DNSTimeout, match=r'no answer within 0\.3 s'):
        resolver.query('127.0.0.1', ZONE, 'A')
    assert time.monotonic() - started >= 0.3


def test_stray_datagrams_do_not_extend_the_timeout(serve):
    resolver, dummy = serve(lambda request: [b'junk'] * 3, timeout=0.3)
    with pytest.raises(DNSTimeout):
        resolver.query('127.0.0.1', ZONE, 'A')


@pytest.mark.parametrize('rcode, records, message', [
    (dns.rcode.NXDOMAIN, [], r'aaddscontoso\.com\. does not exist \(NXDOMAIN\)'),
    (dns.rcode.NOERROR, [], r'aaddscontoso\.com\. has no A record'),
    (dns.rcode.SERVFAIL, [], r'the server failed to answer \(127.0.0.1 answered SERVFAIL\)'),
    (dns.rcode.REFUSED, [], r'the server failed to answer \(127.0.0.1 answered REFUSED\)'),
])
def test_an_answer_without_records_says_why(serve, rcode, records, message):
    resolver, dummy = serve(lambda request: [reply(request, rcode, records)])
    with pytest.raises(DNSProblem, match=message) as caught:
        resolver.query('127.0.0.1', ZONE, 'A')
    assert not isinstance(caught.value, DNSTimeout)


def test_a_malformed_answer_is_a_dns_problem(serve):
    resolver, dummy = serve(lambda request: [reply(request, records=[(ZONE, 'A', '198.51.100.11')])[:-2]])
    with pytest.raises(DNSProblem, match=r'malformed answer \(record runs past the end'):
        resolver.query('127.0.0.1', ZONE, 'A')


def test_a_closed_port_is_a_dns_problem_not_a_timeout():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', 0))
        resolver = Resolver(1.0)
        resolver.port = sock.getsockname()[1]
    # nothing listens there now: loopback answers "port unreachable"
    with pytest.raises(DNSRefused, match='the server failed to answer'):
        resolver.query('127.0.0.1', ZONE, 'A')


def test_a_name_that_cannot_be_asked_is_a_dns_problem(serve):
    resolver, server = serve(lambda request: [])
    with pytest.raises(DNSProblem, match='not a valid DNS name'):
        resolver.query('127.0.0.1', 'a..b', 'A')
    assert not server.asked


def test_one_resolver_serves_many_threads(serve):
    def answer(request):
        name = dns.message.from_wire(request).question[0].name.to_text()
        return [reply(request, records=[(name, 'A', '192.0.2.%d' % int(name.split('.')[0][1:]))])]

    resolver, dummy = serve(answer)
    found = {}
    threads = [threading.Thread(target=lambda index=index: found.update(
        {index: resolver.query('127.0.0.1', 'h%d.%s' % (index, ZONE), 'A')})) for index in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == dict((index, ['192.0.2.%d' % index]) for index in range(1, 21))


class Answers:
    """A resolver whose answers are given: {name: records or an exception}; it notes each question."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def query(self, nameserver, name, rdtype):
        self.asked.append(name)
        found = self.answers.get(name, DNSProblem('%s does not exist (NXDOMAIN)' % name))
        if isinstance(found, Exception):
            raise found
        return found


@pytest.mark.parametrize('dead', [DNSTimeout('no answer within 1.0 s'), DNSRefused('the server failed to answer (x)')])
def test_a_dead_nameserver_ends_the_srv_probe_at_its_first_name(dead):
    resolver = Answers({'_a.' + ZONE: dead})
    found = Prober(ZONE.rstrip('.'), 1.0, resolver).srv('192.0.2.1', ['_a.' + ZONE, '_b.' + ZONE, '_c.' + ZONE])
    assert resolver.asked == ['_a.' + ZONE] and list(found) == ['_a.' + ZONE]
    assert found['_a.' + ZONE]['problem'] == ('timeout' if isinstance(dead, DNSTimeout) else 'dns')


def test_a_missing_name_does_not_end_the_srv_probe():
    resolver = Answers({'_b.' + ZONE: ['0 100 88 dc1.' + ZONE], 'dc1.' + ZONE.rstrip('.'): ['198.51.100.11']})
    found = Prober(ZONE.rstrip('.'), 1.0, resolver).srv('192.0.2.1', ['_a.' + ZONE, '_b.' + ZONE])
    assert found['_a.' + ZONE]['problem'] == 'dns'
    assert found['_b.' + ZONE] == [{'target': 'dc1.' + ZONE.rstrip('.'), 'port': 88, 'priority': 0, 'weight': 100,
                                   'addresses': ['198.51.100.11']}]
