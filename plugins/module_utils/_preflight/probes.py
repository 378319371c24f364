# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network probes of entra_connectivity, one method each, behind one class tests replace.

PRIVATE to the collection. Every method talks to one address, waits at most ``timeout`` seconds
for each answer, returns what it saw as a plain dict and raises on a network failure;
``failure(exc)`` turns that into {'problem': kind, 'detail': text}. Nothing here decides pass or fail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import socket
import ssl
import struct
import time

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import der, kerberos, ldap
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import DNSProblem, DNSRefused, DNSTimeout, question, srv_with_addresses
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.kerberos_crypto import string_to_key

PROBE_DN = 'cn=nasjoin-preflight-probe'  # no such object: a bind as it can lock nobody out


def failure(exc, timeout):
    """What went wrong, as {'problem': kind, 'detail': text}; kinds: timeout, refused, reset, unreachable,
    certificate, tls, dns, protocol."""
    if isinstance(exc, (socket.timeout, TimeoutError, DNSTimeout)):
        return {'problem': 'timeout', 'detail': 'no answer within %.1f s' % timeout}
    if isinstance(exc, ConnectionRefusedError):
        return {'problem': 'refused', 'detail': 'connection refused (nothing listens there)'}
    if isinstance(exc, ssl.SSLCertVerificationError):
        return {'problem': 'certificate', 'detail': exc.verify_message or str(exc)}
    if isinstance(exc, ssl.SSLError):
        return {'problem': 'tls', 'detail': 'TLS handshake refused (%s)' % (exc.reason or exc)}
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, EOFError)):
        return {'problem': 'reset', 'detail': 'the server closed the connection'}
    if isinstance(exc, DNSProblem):
        return {'problem': 'dns', 'detail': str(exc)}
    if isinstance(exc, OSError):
        return {'problem': 'unreachable', 'detail': exc.strerror or str(exc)}
    return {'problem': 'protocol', 'detail': 'unexpected answer (%s)' % (exc or type(exc).__name__)}


def _legacy_context():
    """TLS 1.0/1.1 only, nothing verified: does the DC still accept them?"""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers('DEFAULT:@SECLEVEL=0')  # OpenSSL 3 offers TLS < 1.2 only at level 0
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context


def _verifying_context(ca_path):
    """TLS 1.2 or later, the chain verified against ``ca_path`` (file or directory) or the system CAs."""
    context = ssl.create_default_context(cafile=ca_path if ca_path and os.path.isfile(ca_path) else None,
                                         capath=ca_path if ca_path and os.path.isdir(ca_path) else None)
    context.check_hostname = False  # names are checked against the domain, not the address
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _AskOnce:
    """A resolver that asks each question once for all probes (threads): the DC locator records all point at the
    same few targets, and the resolver and DNS probes of a DC that is also a nameserver ask it the same questions.
    Only answers are kept: a question that failed is asked again by the next probe that needs it."""

    def __init__(self, resolver):
        self.resolver = resolver
        self.answers = {}

    def query(self, *question):
        if question not in self.answers:
            self.answers[question] = self.resolver.query(*question)
        return self.answers[question]


class Prober:
    """Probes for one managed domain; ``resolver`` is a dns.Resolver, ``ca_path`` verifies LDAPS."""

    def __init__(self, domain, timeout, resolver, ca_path=None, clock=time.time):
        self.domain = domain
        self.realm = domain.upper()
        self.timeout = timeout
        self.resolver = _AskOnce(resolver)
        self.ca_path = ca_path
        self.clock = clock
        self._contexts = {}  # TLS contexts, built once (loading CA certificates costs more than a handshake)

    def _context(self, kind):
        if kind not in self._contexts:
            self._contexts[kind] = _legacy_context() if kind == 'legacy' else _verifying_context(self.ca_path)
        return self._contexts[kind]

    def _connect(self, ip, port):
        return socket.create_connection((ip, port), timeout=self.timeout)

    def tcp(self, ip, port):
        """A TCP connection to ``ip``:``port`` opens."""
        self._connect(ip, port).close()
        return {'open': True}

    def udp(self, ip, port):
        """One datagram of the port's own protocol (DNS query, AS-REQ, CLDAP ping) gets an answer."""
        payload = {53: lambda: question(self.domain, 'SOA'),
                   88: lambda: kerberos.as_req('krbtgt', self.realm, [kerberos.AES256]),
                   389: lambda: ldap.netlogon_ping(self.domain)}[port]()
        sock = socket.socket(socket.AF_INET6 if ':' in ip else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect((ip, port))  # connected: an ICMP "port unreachable" becomes ConnectionRefusedError
            sock.send(payload)
            return {'answer_bytes': len(sock.recv(65535))}
        finally:
            sock.close()

    def srv(self, nameserver, names):
        """SRV targets (with addresses) of each name at ``nameserver``: {name: targets or {'problem'...}}.

        The first timeout or refusal ends the probe: a dead nameserver costs one timeout, or one "port unreachable"
        (hosts send few of those a second), not one per name.
        """
        found = {}
        for name in names:
            try:
                found[name] = srv_with_addresses(self.resolver, nameserver, name)[0]
            except (DNSTimeout, DNSRefused) as exc:
                found[name] = failure(exc, self.timeout)
                break
            except DNSProblem as exc:
                found[name] = failure(exc, self.timeout)
        return found

    def addresses(self, nameserver, name):
        return {'addresses': sorted(self.resolver.query(nameserver, name, 'A'))}

    def _ldap(self, ip, request):
        """Send one LDAP request to plain 389 and read until its result: (messages, local time halfway)."""
        started = self.clock()
        with self._connect(ip, 389) as sock:
            sock.sendall(request)
            messages, buffer = [], b''
            while not messages or messages[-1]['op'] not in (ldap.BIND_RESPONSE, ldap.SEARCH_DONE):
                size = der.complete(buffer)
                if size is None:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise EOFError()
                    buffer += chunk
                    continue
                messages.append(ldap.parse_message(buffer[:size]))
                buffer = buffer[size:]
        return messages, (started + self.clock()) / 2

    def rootdse(self, ip):
        """Anonymous rootDSE read on 389: its attributes, and the local time in the middle of the exchange."""
        messages, local_time = self._ldap(ip, ldap.rootdse_search())
        attributes = {}
        for message in messages:
            attributes.update(message.get('attributes') or {})
        return {'attributes': attributes, 'result': messages[-1]['result'], 'local_time': local_time}

    def simple_bind(self, ip):
        """A simple bind on plain 389 as an object that does not exist, with a made-up password."""
        messages, dummy = self._ldap(ip, ldap.simple_bind(PROBE_DN, os.urandom(12).hex()))
        return dict((key, messages[-1][key]) for key in ('code', 'result', 'diagnostic'))

    def tls_legacy(self, ip):
        """A TLS 1.0/1.1-only handshake on 636: the version the DC accepted; raises when it refuses."""
        with self._connect(ip, 636) as raw:
            with self._context('legacy').wrap_socket(raw) as tls:
                return {'version': tls.version()}

    def certificate(self, ip):
        """The LDAPS certificate on 636, chain verified (``ca_path`` or the system CAs), TLS 1.2 or later."""
        with self._connect(ip, 636) as raw:
            with self._context('verifying').wrap_socket(raw) as tls:
                return {'certificate': tls.getpeercert(), 'version': tls.version()}

    def _kdc(self, ip, message):
        with self._connect(ip, 88) as sock:
            sock.sendall(kerberos.tcp_frame(message))
            data = b''
            while len(data) < 4 or len(data) < 4 + struct.unpack('>I', data[:4])[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    raise EOFError()
                data += chunk
        return kerberos.parse_reply(data[4:])

    def as_req(self, ip, user, etypes):
        """An AS-REQ without pre-authentication: what the KDC offers ``user`` for ``etypes``."""
        return self._kdc(ip, kerberos.as_req(user, self.realm, etypes))

    def authenticate(self, ip, user, password, etype_info):
        """One AS-REQ with PA-ENC-TIMESTAMP from ``password``: one logon attempt, never repeated."""
        key = string_to_key(etype_info['etype'], password, etype_info['salt'], etype_info.get('s2kparams'))
        now = datetime.datetime.fromtimestamp(self.clock(), datetime.timezone.utc)
        padata = kerberos.enc_timestamp(key, etype_info['etype'], now)
        return self._kdc(ip, kerberos.as_req(user, self.realm, [etype_info['etype']], padata))

    def credentials(self, ip, user, password):
        """At most one password check: first ask, without one, what the KDC knows of ``user``; authenticate once
        only when it asks for pre-authentication with an AES key. {'precheck', 'attempts', and 'reply', 'etype'}."""
        precheck = self.as_req(ip, user, [kerberos.AES256, kerberos.AES128])
        offered = [entry for entry in precheck['etype_info'] if entry['etype'] in (kerberos.AES256, kerberos.AES128)] \
            if precheck.get('code') == 25 else []
        if not offered:
            return {'precheck': precheck, 'attempts': 0}
        return {'precheck': precheck, 'attempts': 1, 'etype': offered[0]['name'],
                'reply': self.authenticate(ip, user, password, offered[0])}
