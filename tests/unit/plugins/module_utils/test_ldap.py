"""The hand-encoded LDAP messages: what the preflight sends, and reading what DCs answer."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import der, ldap


def operation(message):
    dummy, body, dummy = der.parse(message)
    (dummy, message_id), (op, value) = der.children(body)
    return der.to_int(message_id), op, der.children(value)


def test_rootdse_search_is_a_base_search_of_the_empty_dn():
    message_id, op, parts = operation(ldap.rootdse_search(7, ('currentTime', 'dnsHostName')))
    assert (message_id, op) == (7, ldap.SEARCH_REQUEST)
    assert parts[0] == (der.OCTET_STRING, b'') and parts[1] == (der.ENUMERATED, b'\x00')
    assert parts[6] == (0x87, b'objectClass')
    assert [value for dummy, value in der.children(parts[7][1])] == [b'currentTime', b'dnsHostName']


def test_netlogon_ping_filters_on_domain_and_nt_version():
    dummy, op, parts = operation(ldap.netlogon_ping('example.test'))
    (first_tag, first), (dummy, second) = der.children(parts[6][1])
    assert op == ldap.SEARCH_REQUEST and parts[6][0] == 0xA0 and first_tag == 0xA3
    assert [value for dummy, value in der.children(first)] == [b'DnsDomain', b'example.test']
    assert der.children(second)[1][1] == b'\x06\x00\x00\x00'
    assert der.children(parts[7][1]) == [(der.OCTET_STRING, b'Netlogon')]


def test_simple_bind_is_version_3_with_the_password_as_simple_credentials():
    dummy, op, parts = operation(ldap.simple_bind('cn=probe', 'x'))
    assert op == ldap.BIND_REQUEST and parts == [(der.INTEGER, b'\x03'), (der.OCTET_STRING, b'cn=probe'), (0x80, b'x')]


def result(op, code, diagnostic):
    return der.sequence(der.integer(3), der.tlv(op, der.integer(code, der.ENUMERATED) + der.octets('') + der.octets(diagnostic)))


@pytest.mark.parametrize('code, name', [(8, 'strongerAuthRequired'), (49, 'invalidCredentials'), (99, 'LDAP result 99')])
def test_bind_response(code, name):
    message = ldap.parse_message(result(ldap.BIND_RESPONSE, code, 'data 52e'))
    assert message == {'id': 3, 'op': ldap.BIND_RESPONSE, 'code': code, 'result': name, 'diagnostic': 'data 52e'}


def test_search_entry_attributes():
    attribute = der.sequence(der.octets('currentTime'), der.tlv(0x31, der.octets('20261122004936.0Z')))  # SET OF values
    entry = der.sequence(der.integer(1), der.tlv(ldap.SEARCH_ENTRY, der.octets('') + der.sequence(attribute)))
    assert ldap.parse_message(entry)['attributes'] == {'currentTime': ['20261122004936.0Z']}


def test_der_lengths_and_truncation():
    long_value = der.octets(b'x' * 300)
    assert long_value[:4] == b'\x04\x82\x01\x2c' and der.complete(long_value) == len(long_value)
    assert der.complete(long_value[:100]) is None and der.complete(b'\x30') is None
    assert der.integer(128) == b'\x02\x02\x00\x80' and der.to_int(b'\xff') == -1
