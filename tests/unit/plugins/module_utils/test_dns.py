"""The DNS lookups of the probes (dnspython underneath), against a local UDP and TCP nameserver on loopback."""

import errno
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import dns as lookups
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import DNSProblem, DNSRefused, DNSTimeout, Resolver
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober

ZONE = 'aaddscontoso.com.'


def reply(request, rcode=dns.rcode.NOERROR, records=(), truncated=False, ident=None, edns=True):
    """dnspython's answer to the wire ``request``: ``records`` as (name, type, text) in the answer section; without
    ``edns``, as a server that knows no EDNS answers (no OPT record)."""
    message = dns.message.make_response(dns.message.from_wire(request))
    if not edns:
        message.use_edns(False)
    message.set_rcode(rcode)
    for name, rdtype, text in records:
        message.answer.append(dns.rrset.from_text(name, 300, 'IN', rdtype, text))
    if truncated:
        message.flags |= dns.flags.TC
    if ident is not None:
        message.id = ident
    return message.to_wire()


def asked_name(request):
    return dns.message.from_wire(request).question[0].name.to_text()


class Server:
    """A nameserver on 127.0.0.1 (UDP and TCP on one port). ``udp(request)`` gives what to send back to a datagram,
    ``tcp(request)`` what to send on the connection: bytes to send and seconds (floats) to wait, in order."""

    def __init__(self, udp, tcp=None):
        for dummy in range(20):  # a free UDP port whose TCP twin may be taken: try another
            self.udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp_socket.bind(('127.0.0.1', 0))
            self.port = self.udp_socket.getsockname()[1]
            self.tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                self.tcp_socket.bind(('127.0.0.1', self.port))
                break
            except OSError:
                self.udp_socket.close()
                self.tcp_socket.close()
        self.tcp_socket.listen(4)
        self.udp, self.tcp, self.asked = udp, tcp, []
        for serve in (self._serve_udp, self._serve_tcp):
            threading.Thread(target=serve, daemon=True).start()

    def _serve_udp(self):
        while True:
            try:
                request, peer = self.udp_socket.recvfrom(4096)
                self.asked.append(('udp', request))
                for item in self.udp(request):
                    if isinstance(item, float):
                        time.sleep(item)
                    else:
                        self.udp_socket.sendto(item, peer)
            except OSError:
                return

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
                items = answer if isinstance(answer, list) else [struct.pack('>H', len(answer)) + answer]
                try:
                    for item in items:
                        if isinstance(item, float):
                            time.sleep(item)
                        else:
                            conn.sendall(item)
                except OSError:
                    pass

    def kinds(self):
        return [kind for kind, dummy in self.asked]

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


def test_a_lookup_asks_once_over_udp_with_edns_and_reads_the_records(serve):
    resolver, server = serve(lambda request: [reply(request, records=[(ZONE, 'A', '198.51.100.11')])])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']
    assert server.kinds() == ['udp']
    request = dns.message.from_wire(server.asked[0][1])
    assert request.flags & dns.flags.RD and request.edns == 0 and request.payload == lookups.EDNS_PAYLOAD


def test_a_and_srv_answers_read_as_zone_file_text_in_their_order(serve):
    name = '_kerberos._tcp.' + ZONE
    answers = {ZONE: [(ZONE, 'A', '198.51.100.12'), (ZONE, 'A', '198.51.100.11')],
               name: [(name, 'SRV', '10 50 88 DC2.' + ZONE), (name, 'SRV', '0 100 88 dc1.' + ZONE)]}
    resolver, dummy = serve(lambda request: [reply(request, records=answers[asked_name(request)])])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.12', '198.51.100.11']
    assert resolver.query('127.0.0.1', name, 'SRV') == ['10 50 88 DC2.' + ZONE, '0 100 88 dc1.' + ZONE]


def test_cnames_are_followed_and_other_records_ignored(serve):
    records = [('ldap.' + ZONE, 'CNAME', 'Alias.' + ZONE), ('alias.' + ZONE, 'CNAME', 'dc1.' + ZONE),
               ('dc1.' + ZONE, 'A', '198.51.100.11'), ('other.' + ZONE, 'A', '192.0.2.1'),
               ('dc1.' + ZONE, 'TXT', '"ignored"')]
    resolver, dummy = serve(lambda request: [reply(request, records=records)])
    assert resolver.query('127.0.0.1', 'LDAP.' + ZONE.upper(), 'A') == ['198.51.100.11']


def test_a_cname_loop_is_a_malformed_answer(serve):
    records = [('a.' + ZONE, 'CNAME', 'b.' + ZONE), ('b.' + ZONE, 'CNAME', 'a.' + ZONE)]
    resolver, dummy = serve(lambda request: [reply(request, records=records)])
    with pytest.raises(DNSProblem, match=r'malformed answer \(.*CNAME'):
        resolver.query('127.0.0.1', 'a.' + ZONE, 'A')


def test_stray_datagrams_are_ignored_until_the_answer_comes(serve):
    def answer(request):
        ident = struct.unpack('>H', request[:2])[0]
        other = dns.message.make_query('other.' + ZONE, 'A')
        other.id = ident
        return [b'junk', reply(request, records=[(ZONE, 'A', '192.0.2.66')], ident=(ident + 1) % 65536),
                reply(other.to_wire(), records=[('other.' + ZONE, 'A', '192.0.2.67')]), request,  # a query, not an answer
                reply(request, records=[(ZONE, 'A', '198.51.100.11')])]

    resolver, server = serve(answer)
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']
    assert server.kinds() == ['udp']


def test_a_cut_short_answer_is_asked_again_over_tcp(serve):
    name = '_ldap._tcp.' + ZONE
    records = [(name, 'SRV', '0 100 389 dc%d.%s' % (index, ZONE)) for index in range(1, 11)]
    resolver, server = serve(lambda request: [reply(request, truncated=True)],
                             lambda request: reply(request, records=records))
    assert resolver.query('127.0.0.1', name, 'SRV') == [text for dummy, dummy, text in records]
    assert server.kinds() == ['udp', 'tcp']
    assert server.asked[0][1] == server.asked[1][1]  # the same question, the same id


def test_a_lost_datagram_is_sent_again_and_the_lookup_succeeds(serve):
    seen = set()

    def second_time(request):  # the first datagram of each question is lost
        if request in seen:
            return [reply(request, records=[(ZONE, 'A', '198.51.100.11')])]
        seen.add(request)
        return []

    resolver, server = serve(second_time, timeout=1.5)
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']
    assert server.kinds() == ['udp', 'udp'] and server.asked[0][1] == server.asked[1][1]


def test_a_late_answer_to_the_first_try_still_counts(serve):
    seen = set()

    def first_time_late(request):  # the first datagram of each question answered after the next try was sent
        if request in seen:
            return []
        seen.add(request)
        return [0.8, reply(request, records=[(ZONE, 'A', '198.51.100.11')])]

    resolver, dummy = serve(first_time_late, timeout=1.5)
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']


def test_a_silent_server_costs_one_timeout_over_three_tries(serve):
    resolver, server = serve(lambda request: [], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DNSTimeout, match=r'^no answer within 0\.3 s$'):
        resolver.query('127.0.0.1', ZONE, 'A')
    assert time.monotonic() - started < 5
    assert server.kinds() == ['udp'] * lookups.TRIES


def test_stray_datagrams_do_not_extend_the_timeout(serve):
    resolver, dummy = serve(lambda request: [b'junk', 0.02] * 150, timeout=0.3)  # 3 s of junk per question
    started = time.monotonic()
    with pytest.raises(DNSTimeout):
        resolver.query('127.0.0.1', ZONE, 'A')
    assert time.monotonic() - started < 2.5


def test_one_deadline_covers_the_tcp_answer(serve):
    def dribble(request):
        wire = reply(request, records=[(ZONE, 'A', '198.51.100.11')])
        wire = struct.pack('>H', len(wire)) + wire
        return [item for index in range(len(wire)) for item in (wire[index:index + 1], 0.05)]  # each byte in time

    resolver, dummy = serve(lambda request: [reply(request, truncated=True)], dribble, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(DNSTimeout, match=r'no answer within 0\.5 s'):
        resolver.query('127.0.0.1', ZONE, 'A')
    assert time.monotonic() - started < 2.5  # the whole answer would take more than 3 s


@pytest.mark.parametrize('rcode, message', [
    (dns.rcode.NXDOMAIN, r'^aaddscontoso\.com\. does not exist \(NXDOMAIN\)$'),
    (dns.rcode.NOERROR, r'^aaddscontoso\.com\. has no A record$'),
    (dns.rcode.SERVFAIL, r'^the server failed to answer \(127\.0\.0\.1 answered SERVFAIL\)$'),
    (dns.rcode.REFUSED, r'^the server failed to answer \(127\.0\.0\.1 answered REFUSED\)$'),
])
def test_an_answer_without_records_says_why(serve, rcode, message):
    resolver, server = serve(lambda request: [reply(request, rcode)])
    with pytest.raises(DNSProblem, match=message) as caught:
        resolver.query('127.0.0.1', ZONE, 'A')
    assert not isinstance(caught.value, (DNSTimeout, DNSRefused))
    assert server.kinds() == ['udp']


def test_a_server_without_edns_is_asked_again_without_it(serve):
    resolver, server = serve(lambda request: [reply(request, dns.rcode.FORMERR, edns=False) if dns.message.from_wire(request).edns >= 0
                                              else reply(request, records=[(ZONE, 'A', '198.51.100.11')])])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']
    assert [dns.message.from_wire(request).edns for dummy, request in server.asked] == [0, -1]


def with_bad_rdata(wire, address):
    """``wire`` with the A record of ``address`` five bytes long: one byte more than an A record holds."""
    packed = b'\x00\x04' + socket.inet_aton(address)
    assert wire.count(packed) == 1
    return wire.replace(packed, b'\x00\x05' + socket.inet_aton(address) + b'\x00')


def test_one_bad_record_does_not_drop_the_others(serve):
    records = [(ZONE, 'A', '198.51.100.11'), ('dc2.' + ZONE, 'A', '198.51.100.12')]
    resolver, dummy = serve(lambda request: [with_bad_rdata(reply(request, records=records), '198.51.100.12')])
    assert resolver.query('127.0.0.1', ZONE, 'A') == ['198.51.100.11']


def test_an_answer_with_no_readable_record_is_malformed(serve):
    resolver, dummy = serve(lambda request: [with_bad_rdata(reply(request, records=[(ZONE, 'A', '198.51.100.11')]),
                                                            '198.51.100.11')])
    with pytest.raises(DNSProblem, match=r'^the server sent a malformed answer \(.+\)$') as caught:
        resolver.query('127.0.0.1', ZONE, 'A')
    assert not isinstance(caught.value, DNSTimeout)


def test_an_answer_whose_question_cannot_be_read_is_malformed_at_once(serve):
    def answer(request):
        return [request[:2] + b'\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00' + b'\x40bad']  # our id, a bad label type

    resolver, dummy = serve(answer, timeout=5.0)
    started = time.monotonic()
    with pytest.raises(DNSProblem, match='malformed answer') as caught:
        resolver.query('127.0.0.1', ZONE, 'A')
    assert not isinstance(caught.value, DNSTimeout) and time.monotonic() - started < 4


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]  # nothing listens there once closed: loopback answers "port unreachable"


def test_a_closed_port_is_refused_not_a_timeout():
    resolver = Resolver(5.0)
    resolver.port = closed_port()
    started = time.monotonic()
    with pytest.raises(DNSRefused, match=r'^the server failed to answer \(Connection refused\)$'):
        resolver.query('127.0.0.1', ZONE, 'A')
    assert time.monotonic() - started < 4


def test_an_unreachable_network_is_not_called_refused(monkeypatch):
    connect = socket.socket.connect

    def unreachable(sock, address):
        if address[0] == '192.0.2.53':
            raise OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH))
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, 'connect', unreachable)
    with pytest.raises(DNSProblem, match=r'^the server failed to answer \(%s\)$' % os.strerror(errno.ENETUNREACH)) as caught:
        Resolver(1.0).query('192.0.2.53', ZONE, 'A')
    assert not isinstance(caught.value, (DNSTimeout, DNSRefused))


@pytest.mark.parametrize('name', ['a..b', 'x' * 64 + '.com', '.'.join(['abcdefghi'] * 26)])
def test_a_name_that_cannot_be_asked_is_a_dns_problem(serve, name):
    resolver, server = serve(lambda request: [])
    with pytest.raises(DNSProblem, match='is not a valid DNS name'):
        resolver.query('127.0.0.1', name, 'A')
    assert not server.asked


def test_one_resolver_serves_many_threads(serve):
    def answer(request):
        name = asked_name(request)
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


def test_the_udp_53_probe_asks_for_the_soa_of_the_domain():
    message = dns.message.from_wire(lookups.question(ZONE.rstrip('.'), 'SOA'))
    assert message.flags & dns.flags.RD and not message.flags & dns.flags.QR and message.edns < 0
    assert [(question.name.to_text(), question.rdtype) for question in message.question] == [(ZONE, dns.rdatatype.SOA)]


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


def test_a_closed_port_ends_the_srv_probe_at_its_first_name():
    resolver = Resolver(5.0)
    resolver.port = closed_port()
    found = Prober(ZONE.rstrip('.'), 5.0, resolver).srv('127.0.0.1', ['_a.' + ZONE, '_b.' + ZONE])
    assert found == {'_a.' + ZONE: {'problem': 'dns', 'detail': 'the server failed to answer (Connection refused)'}}


def test_a_missing_name_does_not_end_the_srv_probe():
    resolver = Answers({'_b.' + ZONE: ['0 100 88 dc1.' + ZONE], 'dc1.' + ZONE.rstrip('.'): ['198.51.100.11']})
    found = Prober(ZONE.rstrip('.'), 1.0, resolver).srv('192.0.2.1', ['_a.' + ZONE, '_b.' + ZONE])
    assert found['_a.' + ZONE]['problem'] == 'dns'
    assert found['_b.' + ZONE] == [{'target': 'dc1.' + ZONE.rstrip('.'), 'port': 88, 'priority': 0, 'weight': 100,
                                   'addresses': ['198.51.100.11']}]


# entra_dns_config's main() in a fresh Python, its NAS a stub holding ``current`` as the network configuration and DNS
# a stub that fails every lookup; it prints the module result, then the dnspython modules loaded.
MODULE_RUN = r'''
import json, sys
CURRENT = json.loads(sys.argv[3])
if sys.argv[2] == 'hidden':
    sys.modules['dns'] = None  # what a Python without dnspython finds
from ansible_collections.nasjoin.entra.plugins.module_utils import _module
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import dns as lookups
from ansible_collections.nasjoin.entra.plugins.modules import entra_dns_config

class NAS:
    calls = []
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return None
    def call(self, method, *params):
        self.calls.append(method)
        return dict(CURRENT, **(params[0] if params else {}))

def no_answer(self, nameserver, name, rdtype):
    raise lookups.DNSProblem('no answer within 0.1 s')

_module.client_for = lambda module: (NAS(), {})
lookups.Resolver.query = no_answer
sys.argv[1:] = sys.argv[1:2]
try:
    entra_dns_config.main()
finally:
    print(json.dumps({'dns': sorted(name for name in sys.modules if name.split('.')[0] == 'dns' and sys.modules[name]),
                      'calls': NAS.calls}))
'''

CONVERGED = {'domain': 'aaddscontoso.com', 'nameserver1': '198.51.100.10', 'nameserver2': '', 'nameserver3': '',
             'domains': [], 'ipv4gateway': ''}


def module_run(tmp_path, nas, dnspython='installed', **args):
    path = tmp_path / 'args.json'
    path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': dict(
        domain='aaddscontoso.com', nameservers=['198.51.100.10'], verify_timeout=0.1, api_url='nas.example.test',
        api_key='3-key', **args)}))
    proc = subprocess.run([sys.executable, '-c', MODULE_RUN, str(path), dnspython, json.dumps(nas)], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), check=False)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert len(lines) == 2, proc.stdout + proc.stderr
    return lines[0], lines[1]


def test_a_module_run_that_looks_nothing_up_does_not_import_dnspython(tmp_path):
    result, seen = module_run(tmp_path, CONVERGED)  # converged: nothing to verify
    assert result['changed'] is False and 'failed' not in result
    assert seen['dns'] == []
    result, seen = module_run(tmp_path, dict(CONVERGED, nameserver1='192.0.2.53'), verify=False)
    assert result['changed'] is True and seen['dns'] == []


def test_a_module_run_that_looks_up_imports_dnspython(tmp_path):
    result, seen = module_run(tmp_path, dict(CONVERGED, nameserver1='192.0.2.53'))
    assert result['failed'] is True and 'did not resolve' in result['msg']
    assert 'dns.message' in seen['dns']


def test_without_dnspython_the_module_names_it_and_the_python_before_anything_is_done(tmp_path):
    result, seen = module_run(tmp_path, dict(CONVERGED, nameserver1='192.0.2.53'), dnspython='hidden')
    assert result['failed'] is True and seen['calls'] == []
    assert 'required Python library (dnspython)' in result['msg'] and sys.executable in result['msg']
    result, seen = module_run(tmp_path, dict(CONVERGED, nameserver1='192.0.2.53'), dnspython='hidden', verify=False)
    assert result['changed'] is True and 'failed' not in result
