# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The few LDAP messages the preflight sends (RFC 4511), hand-encoded: TrueNAS ships no LDAP library.

PRIVATE to the collection. A base search of the rootDSE, one simple bind, and the CLDAP
netlogon ping that Windows and Samba clients send to UDP 389 to find a DC.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import der

BIND_REQUEST, BIND_RESPONSE, SEARCH_REQUEST, SEARCH_ENTRY, SEARCH_DONE = 0x60, 0x61, 0x63, 0x64, 0x65
RESULTS = {0: 'success', 1: 'operationsError', 2: 'protocolError', 7: 'authMethodNotSupported',
           8: 'strongerAuthRequired', 13: 'confidentialityRequired', 32: 'noSuchObject', 34: 'invalidDNSyntax',
           48: 'inappropriateAuthentication', 49: 'invalidCredentials', 50: 'insufficientAccessRights',
           52: 'unavailable', 53: 'unwillingToPerform'}
ROOTDSE_ATTRIBUTES = ('currentTime', 'defaultNamingContext', 'dnsHostName', 'ldapServiceName', 'domainControllerFunctionality')
_NT_VERSION_5EX = b'\x06\x00\x00\x00'  # NETLOGON_NT_VERSION_5 | 5EX: the reply Windows clients ask for


def _message(message_id, operation):
    return der.sequence(der.integer(message_id), operation)


def _search(message_id, search_filter, attributes):
    return _message(message_id, der.tlv(SEARCH_REQUEST, b''.join([
        der.octets(''),                              # baseObject: the rootDSE
        der.integer(0, der.ENUMERATED),              # scope: baseObject
        der.integer(0, der.ENUMERATED),              # derefAliases: never
        der.integer(0), der.integer(0),              # no size or time limit
        der.tlv(der.BOOLEAN, b'\x00'),               # typesOnly: false
        search_filter,
        der.sequence(*(der.octets(name) for name in attributes)),
    ])))


def rootdse_search(message_id=1, attributes=ROOTDSE_ATTRIBUTES):
    """Anonymous base search of the rootDSE for ``attributes`` (filter ``(objectClass=*)``)."""
    return _search(message_id, der.octets('objectClass', 0x87), attributes)


def netlogon_ping(domain, message_id=1):
    """The CLDAP ping: ``(&(DnsDomain=<domain>)(NtVer=...))`` for the Netlogon attribute."""
    def equals(name, value):
        return der.tlv(0xA3, der.octets(name) + der.octets(value))
    return _search(message_id, der.tlv(0xA0, equals('DnsDomain', domain) + equals('NtVer', _NT_VERSION_5EX)),
                   ('Netlogon',))


def simple_bind(name, password, message_id=1):
    """A simple bind (version 3) of ``name``; an empty password makes it an unauthenticated bind."""
    return _message(message_id, der.tlv(BIND_REQUEST, der.integer(3) + der.octets(name) + der.octets(password, 0x80)))


def parse_message(data):
    """One LDAPMessage: {'id', 'op', and either 'attributes' (entry) or 'code', 'result', 'diagnostic'}."""
    dummy, body, dummy = der.parse(data)
    (dummy, message_id), (op, value) = der.children(body)[:2]
    message = {'id': der.to_int(message_id), 'op': op}
    if op == SEARCH_ENTRY:
        message['attributes'] = {}
        for dummy, attribute in der.children(der.children(value)[1][1]):
            (dummy, name), (dummy, values) = der.children(attribute)
            message['attributes'][name.decode('utf-8', 'replace')] = [
                item.decode('utf-8', 'replace') for dummy, item in der.children(values)]
    elif op in (BIND_RESPONSE, SEARCH_DONE):
        parts = der.children(value)
        code = der.to_int(parts[0][1])
        message.update(code=code, result=RESULTS.get(code, 'LDAP result %d' % code),
                       diagnostic=parts[2][1].decode('utf-8', 'replace') if len(parts) > 2 else '')
    return message
