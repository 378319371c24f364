"""Bad input, every module and every role: each case runs on its own emulated NAS, all in one ansible-playbook run,
and must fail with a message that names the parameter, having made no call at all to its NAS.

Module cases go through ``args`` from the host's ``case_args`` (the module's own argument checks, then the
collection's); role cases set the role's variables (the role argument spec, then the module's checks).
"""

import json
import os
import re

import pytest

from ..conftest import COLLECTION, JOIN_PASSWORD, URL_KEY
from .conftest import DOMAIN, Fleet, fleet_runner

MARKER = '/tmp/nasjoin-hostile-injected-%d' % os.getpid()  # per process: two suites may run at once
FIFO = '/tmp/nasjoin-hostile-fifo-%d' % os.getpid()  # made by the fixture: a CA path whose read would block
CREDENTIALS = 'api_url must not carry credentials (wss://********@127.0.0.1:'
PATH_WORDS = 'the path must be /api/current (or none), with no query or fragment'


def own_url(old, new):
    """api_url: the host's own NAS address with ``old`` replaced (a refusal that fails would reach this NAS)."""
    return "{{ truenas_api_url | replace('%s', '%s') }}" % (old, new)


OMIT = '__omit__'
HUGE = 'a' * 70000
BASE = {
    'dns': {'domain': DOMAIN, 'nameservers': ['198.51.100.10', '198.51.100.11'], 'verify': False},
    'join': {'domain': DOMAIN, 'username': 'aaddsadmin@' + DOMAIN, 'password': JOIN_PASSWORD, 'wait_timeout': 20},
    'conn': {'domain': DOMAIN, 'dc_ips': ['198.51.100.10', '198.51.100.11'], 'probe_timeout': 1},
    'idmap': {'users': ['alice'], 'groups': [{'name': 'NAS Users'}]},
    'r_network': {'entra_domain': DOMAIN, 'entra_dc_ips': ['198.51.100.10', '198.51.100.11'], 'entra_network_verify': False},
    'r_preflight': {'entra_domain': DOMAIN, 'entra_dc_ips': ['198.51.100.10', '198.51.100.11']},
    'r_join': {'entra_domain': DOMAIN, 'entra_join_user': 'aaddsadmin@' + DOMAIN, 'entra_join_password': JOIN_PASSWORD},
}
MODULES = {'dns': 'entra_dns_config', 'join': 'ad_join', 'conn': 'entra_connectivity', 'idmap': 'verify_idmap'}
ROLES = {'r_network': 'entra_network', 'r_preflight': 'entra_preflight', 'r_join': 'entra_join'}

# (case id, module or role, changes to its base arguments, words the message must hold)
CASES = [
    # entra_dns_config: domain names
    ('dns-double-dot', 'dns', {'domain': 'corp..test'}, "domain: 'corp..test' is not a valid DNS domain"),
    ('dns-idn', 'dns', {'domain': 'münchen.de'}, 'domain: \'münchen.de\' has non-ASCII characters'),
    ('dns-single-label', 'dns', {'domain': 'aaddscontoso'}, 'is not a valid DNS domain'),
    ('dns-leading-hyphen', 'dns', {'domain': '-bad.test'}, 'domain: \'-bad.test\''),
    ('dns-underscore', 'dns', {'domain': 'bad_name.test'}, 'domain: \'bad_name.test\''),
    ('dns-only-dots', 'dns', {'domain': '..'}, 'domain'),
    ('dns-empty', 'dns', {'domain': ''}, 'domain must not be empty'),
    ('dns-null', 'dns', {'domain': None}, 'domain must not be empty'),
    ('dns-huge', 'dns', {'domain': HUGE + '.test'}, '(70005 characters) is 70005 characters; a DNS name has at most 253'),
    ('dns-newline-injection', 'dns', {'domain': 'corp.test\nnameserver 203.0.113.66'}, 'domain:'),
    ('dns-shell-injection', 'dns', {'domain': '$(touch %s).test' % MARKER}, 'domain:'),
    ('dns-semicolon', 'dns', {'domain': 'corp.test;reboot'}, 'domain:'),
    ('dns-label-64', 'dns', {'domain': 'a' * 64 + '.test'}, 'has a label of 64 characters; a DNS label has at most 63'),
    # entra_dns_config: nameservers
    ('dns-ns-loopback', 'dns', {'nameservers': ['127.0.0.1']}, 'nameservers[0]: 127.0.0.1 is a loopback'),
    ('dns-ns-ipv6-loopback', 'dns', {'nameservers': ['::1']}, 'nameservers[0]: ::1 is a loopback'),
    ('dns-ns-link-local', 'dns', {'nameservers': ['198.51.100.10', '169.254.10.1']}, 'nameservers[1]: 169.254.10.1'),
    ('dns-ns-ipv6-link-local', 'dns', {'nameservers': ['fe80::1']}, 'nameservers[0]: fe80::1'),
    ('dns-ns-multicast', 'dns', {'nameservers': ['224.0.0.251']}, 'nameservers[0]: 224.0.0.251'),
    ('dns-ns-ipv6-multicast', 'dns', {'nameservers': ['ff02::1']}, 'nameservers[0]: ff02::1'),
    ('dns-ns-unspecified', 'dns', {'nameservers': ['0.0.0.0']}, 'nameservers[0]: 0.0.0.0'),
    ('dns-ns-broadcast', 'dns', {'nameservers': ['255.255.255.255']}, 'nameservers[0]: 255.255.255.255'),
    ('dns-ns-bad-octet', 'dns', {'nameservers': ['198.51.100.300']}, "nameservers[0]: '198.51.100.300' is not an IP"),
    ('dns-ns-hostname', 'dns', {'nameservers': ['dc1.aaddscontoso.com']}, 'nameservers[0]:'),
    ('dns-ns-four', 'dns', {'nameservers': ['198.51.100.%d' % n for n in (10, 11, 12, 13)]}, 'one to three of them (got 4)'),
    ('dns-ns-none', 'dns', {'nameservers': []}, 'one to three of them (got 0)'),
    ('dns-ns-twice', 'dns', {'nameservers': ['198.51.100.10', '198.51.100.10']}, 'nameservers lists 198.51.100.10 twice'),
    ('dns-ns-empty-string', 'dns', {'nameservers': ['']}, "nameservers[0]: '' is not an IP"),
    ('dns-ns-injection', 'dns', {'nameservers': ['198.51.100.10; rm -rf /']}, 'nameservers[0]:'),
    ('dns-ns-dict', 'dns', {'nameservers': {'a': '198.51.100.10'}}, "'nameservers' is of type"),
    ('dns-ns-null', 'dns', {'nameservers': None}, "argument 'nameservers' is of type NoneType"),
    # entra_dns_config: the other options
    ('dns-search-six', 'dns', {'search_domains': ['s%d.test' % n for n in range(6)]}, 'search_domains: TrueNAS keeps at most 5'),
    ('dns-search-bad', 'dns', {'search_domains': ['ok.test', 'bad..test']}, 'search_domains[1]:'),
    ('dns-gateway-ipv6', 'dns', {'ipv4gateway': '2001:db8::1'}, "ipv4gateway: '2001:db8::1' is not an IPv4"),
    ('dns-verify-maybe', 'dns', {'verify': 'maybe'}, "'verify' is of type"),
    ('dns-verify-timeout-negative', 'dns', {'verify_timeout': -1}, 'verify_timeout: -1.0 is not a number from 0.1 to 300'),
    ('dns-verify-timeout-text', 'dns', {'verify_timeout': 'soon'}, "'verify_timeout' is of type"),
    ('dns-state-absent', 'dns', {'state': 'absent'}, 'value of state must be one of: present'),
    ('dns-unknown-key', 'dns', {'nameserver': '198.51.100.10'}, 'Unsupported parameters for (nasjoin.entra.entra_dns_config) module: nameserver'),
    # connection options (shared by every module)
    ('api-url-newline', 'dns', {'api_url': 'nas1.example.com\nHost: evil'}, "api_url 'nas1.example.com\\nHost: evil' is not a TrueNAS address"),
    ('api-url-ftp', 'dns', {'api_url': 'ftp://nas1.example.com'}, "api_url 'ftp://nas1.example.com' is not a TrueNAS address"),
    ('api-url-bad-port', 'dns', {'api_url': 'wss://nas1.example.com:99999/api/current'}, 'is not a TrueNAS address'),
    ('api-url-plain-ws', 'dns', {'api_url': 'ws://127.0.0.1:9/api/current'}, 'refusing to send the API key over plain ws://'),
    ('api-timeout-zero', 'dns', {'timeout': 0}, 'timeout: 0 is not a number from 1 to 3600'),
    ('api-timeout-text', 'join', {'timeout': 'long'}, "'timeout' is of type"),
    # ad_join
    ('join-netbios-16', 'join', {'hostname': 'nas-0123456789ab'}, "hostname: 'nas-0123456789ab' is 16 characters"),
    ('join-netbios-underscore', 'join', {'hostname': 'nas_1'}, "hostname: 'nas_1' is not a valid NetBIOS name"),
    ('join-netbios-space', 'join', {'hostname': 'nas 1'}, 'hostname:'),
    ('join-netbios-digits', 'join', {'hostname': '12345'}, 'not only digits'),
    ('join-netbios-injection', 'join', {'hostname': '$(touch %s)' % MARKER}, 'hostname:'),
    ('join-netbios-non-ascii', 'join', {'hostname': 'NÄS1'}, 'hostname:'),
    ('join-domain-trailing-dots', 'join', {'domain': 'aaddscontoso.com..'}, 'domain:'),
    ('join-domain-empty', 'join', {'domain': ''}, 'domain must not be empty'),
    ('join-domain-null', 'join', {'domain': None}, 'domain: give the managed domain'),
    ('join-ou-dotdot', 'join', {'computer_account_ou': 'AADDC Computers/../Domain Controllers'}, 'computer_account_ou:'),
    ('join-ou-parent', 'join', {'computer_account_ou': '../x'}, 'no "..")'),
    ('join-ou-dn', 'join', {'computer_account_ou': 'OU=NAS,DC=aaddscontoso,DC=com'}, 'no DN syntax'),
    ('join-ou-computers', 'join', {'computer_account_ou': 'Computers'}, '"Computers" is not an OU'),
    ('join-ou-newline', 'join', {'computer_account_ou': 'NAS\nOU=evil'}, 'computer_account_ou:'),
    ('join-user-netbios-form', 'join', {'username': 'AADDSCONTOSO\\aaddsadmin'}, 'username:'),
    ('join-user-other-suffix', 'join', {'username': 'aaddsadmin@contoso.onmicrosoft.com'}, 'username: the UPN suffix'),
    ('join-user-two-at', 'join', {'username': 'a@b@aaddscontoso.com'}, 'more than one "@"'),
    ('join-user-ldap-filter', 'join', {'username': '*)(sAMAccountName=*'}, "username: '*)(sAMAccountName=*' is not a user name"),
    ('join-user-ldap-or', 'join', {'username': 'admin)(|(objectClass=*'}, 'username:'),
    ('join-user-semicolon', 'join', {'username': 'admin;id'}, 'username:'),
    ('join-user-newline', 'join', {'username': 'admin\nroot'}, 'username:'),
    ('join-user-huge', 'join', {'username': HUGE}, '(70000 characters) is not a user name'),
    ('join-user-without-password', 'join', {'password': OMIT}, 'parameters are required together: username, password'),
    ('join-password-without-user', 'join', {'username': OMIT}, 'parameters are required together: username, password'),
    ('join-idmap-overlap', 'join', {'idmap': {'domain': {'range_low': 95000000, 'range_high': 195000000}}}, 'idmap: the builtin range'),
    ('join-idmap-small', 'join', {'idmap': {'domain': {'range_low': 100000001, 'range_high': 100000002}}}, 'idmap.domain: range'),
    ('join-idmap-text', 'join', {'idmap': {'domain': {'range_low': 'low'}}}, "'range_low' is of type"),
    ('join-idmap-unknown-key', 'join', {'idmap': {'domian': {'range_low': 1}}}, 'idmap.domian'),
    ('join-idmap-backend', 'join', {'idmap': {'domain': {'backend': 'AD'}}}, 'backend must be one of: RID'),
    ('join-timeout-negative', 'join', {'join_timeout': -1}, 'join_timeout: -1 is not a number from 1 to 86400'),
    ('join-wait-timeout-zero', 'join', {'wait_timeout': 0}, 'wait_timeout: 0 is not a number from 1 to 86400'),
    ('join-site-injection', 'join', {'site': 'Default;reboot'}, "site: 'Default;reboot' is not an Active Directory site"),
    ('join-admin-group-domain', 'join', {'admin_group': 'AADDSCONTOSO\\AAD DC Administrators'}, 'admin_group:'),
    ('join-admin-group-newline', 'join', {'admin_group': 'AAD DC Administrators\nDomain Admins'}, 'admin_group:'),
    ('join-leave-user-filter', 'join', {'state': 'absent', 'username': OMIT, 'password': OMIT,
                                        'leave_credentials': {'username': 'x*', 'password': JOIN_PASSWORD}},
     'leave_credentials.username:'),
    ('join-leave-no-password', 'join', {'state': 'absent', 'leave_credentials': {'username': 'aaddsadmin'}},
     'missing required arguments: password found in leave_credentials'),
    ('join-state-joined', 'join', {'state': 'joined'}, 'value of state must be one of: present, absent'),
    ('join-dns-updates-text', 'join', {'enable_dns_updates': 'perhaps'}, "'enable_dns_updates' is of type"),
    ('join-unknown-key', 'join', {'hostnmae': 'nas1'}, 'Unsupported parameters for (nasjoin.entra.ad_join) module: hostnmae'),
    # entra_connectivity
    ('conn-dc-loopback', 'conn', {'dc_ips': ['127.0.0.1']}, 'dc_ips[0]: 127.0.0.1 is a loopback'),
    ('conn-dc-none', 'conn', {'dc_ips': []}, 'dc_ips: give the managed domain'),
    ('conn-dc-link-local-v6', 'conn', {'dc_ips': ['198.51.100.10', 'fe80::2']}, 'dc_ips[1]: fe80::2'),
    ('conn-dc-name', 'conn', {'dc_ips': ['dc1']}, "dc_ips[0]: 'dc1' is not an IP"),
    ('conn-dc-twice', 'conn', {'dc_ips': ['198.51.100.10', '198.51.100.10']}, 'dc_ips lists 198.51.100.10 twice'),
    ('conn-ns-multicast', 'conn', {'nameservers': ['239.1.1.1']}, 'nameservers[0]: 239.1.1.1'),
    ('conn-domain-bad', 'conn', {'domain': 'aadds contoso.com'}, 'domain:'),
    ('conn-user-ldap-filter', 'conn', {'username': 'x)(cn=*', 'password': JOIN_PASSWORD}, 'username:'),
    ('conn-user-without-password', 'conn', {'username': 'aaddsadmin@' + DOMAIN}, 'password: give the join user'),
    ('conn-skew-zero', 'conn', {'max_clock_skew': 0}, 'max_clock_skew: 0 is not a number from 1 to 3600'),
    ('conn-probe-timeout-negative', 'conn', {'probe_timeout': -2}, 'probe_timeout: -2.0 is not a number from 0.1 to 300'),
    ('conn-fail-on', 'conn', {'fail_on': 'sometimes'}, 'value of fail_on must be one of: fail, warn, never'),
    ('conn-unknown-key', 'conn', {'dcs': ['198.51.100.10']}, 'Unsupported parameters for (nasjoin.entra.entra_connectivity) module: dcs'),
    # verify_idmap
    ('idmap-user-newline', 'idmap', {'users': ['alice', 'bob\nroot']}, 'users[1]:'),
    ('idmap-user-empty', 'idmap', {'users': ['']}, 'users[0]:'),
    ('idmap-user-wildcard', 'idmap', {'users': ['*']}, "users[0]: '*' is not a user or group name"),
    ('idmap-user-ldap-filter', 'idmap', {'users': ['alice)(uid=*']}, 'users[0]:'),
    ('idmap-group-no-name', 'idmap', {'groups': [{'members': ['alice']}]}, 'missing required arguments: name found in groups'),
    ('idmap-group-empty-name', 'idmap', {'groups': [{'name': ' '}]}, 'groups[0].name: give the group name'),
    ('idmap-member-injection', 'idmap', {'groups': [{'name': 'NAS Users', 'members': ['bob;id']}]}, 'groups[0].members[0]:'),
    ('idmap-refresh-timeout', 'idmap', {'refresh_timeout': -5}, 'refresh_timeout: -5 is not a number from 1 to 86400'),
    ('idmap-page-size', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'page_size': 0}},
     'directory.page_size: 0 is not a number from 1 to 100000'),
    ('idmap-directory-no-password', 'idmap', {'directory': {'username': 'reader'}}, 'missing required arguments: password found in directory'),
    ('idmap-domain-bad', 'idmap', {'domain': 'corp..test'}, 'domain:'),
    ('idmap-fail-on', 'idmap', {'fail_on': 'loudly'}, 'value of fail_on must be one of'),
    ('idmap-unknown-key', 'idmap', {'user': ['alice']}, 'Unsupported parameters for (nasjoin.entra.verify_idmap) module: user'),
    # role argument specs (and the module checks behind them)
    ('role-network-no-domain', 'r_network', {'entra_domain': OMIT}, 'entra_domain'),
    ('role-network-no-dcs', 'r_network', {'entra_dc_ips': OMIT}, 'entra_dc_ips'),
    ('role-network-dcs-dict', 'r_network', {'entra_dc_ips': {'dc1': '198.51.100.10'}}, "argument 'entra_dc_ips' is of type dict"),
    ('role-network-verify-text', 'r_network', {'entra_network_verify': 'maybe'}, "argument 'entra_network_verify' is of type"),
    ('role-network-timeout-text', 'r_network', {'entra_network_verify_timeout': 'soon'}, "'entra_network_verify_timeout' is of type"),
    ('role-network-loopback', 'r_network', {'entra_dc_ips': ['127.0.0.1', '198.51.100.10']}, 'nameservers[0]: 127.0.0.1'),
    ('role-network-four-dcs', 'r_network', {'entra_dc_ips': ['198.51.100.%d' % n for n in range(10, 14)]}, 'one to three'),
    ('role-preflight-no-dcs', 'r_preflight', {'entra_dc_ips': OMIT}, 'entra_dc_ips'),
    ('role-preflight-fail-on', 'r_preflight', {'entra_preflight_fail_on': 'sometimes'}, 'entra_preflight_fail_on'),
    ('role-preflight-skew-text', 'r_preflight', {'entra_preflight_max_clock_skew': 'lots'}, "'entra_preflight_max_clock_skew' is of type"),
    ('role-preflight-secure-text', 'r_preflight', {'entra_preflight_secure_ldap': 'perhaps'}, "'entra_preflight_secure_ldap' is of type"),
    ('role-preflight-dc-multicast', 'r_preflight', {'entra_dc_ips': ['224.0.0.1']}, 'dc_ips[0]: 224.0.0.1'),
    ('role-join-no-user', 'r_join', {'entra_join_user': OMIT}, 'entra_join_user'),
    ('role-join-idmap-text', 'r_join', {'entra_join_idmap': 'wide'}, "argument 'entra_join_idmap' is of type"),
    ('role-join-timeout-text', 'r_join', {'entra_join_timeout': 'long'}, "'entra_join_timeout' is of type"),
    ('role-join-dns-updates-text', 'r_join', {'entra_join_dns_updates': 'maybe'}, "'entra_join_dns_updates' is of type"),
    ('role-join-netbios-16', 'r_join', {'entra_join_hostname': 'nas-0123456789ab'}, 'hostname:'),
    ('role-join-ou-dotdot', 'r_join', {'entra_join_computer_ou': '../Domain Controllers'}, 'computer_account_ou:'),
    ('role-join-user-filter', 'r_join', {'entra_join_user': '*)(cn=*'}, 'username:'),
    ('role-join-timeout-zero', 'r_join', {'entra_join_timeout': 0}, 'join_timeout: 0 is not a number from 1 to 86400'),
    # round 2 (issue 16): credentials in api_url, refused and never shown (URL_KEY is a canary secret)
    ('api-url-credentials', 'dns', {'api_url': own_url('wss://', 'wss://root:%s@' % URL_KEY)}, CREDENTIALS),
    ('api-url-credentials-empty-user', 'join', {'api_url': own_url('wss://', 'https://:%s@' % URL_KEY)},
     'api_url must not carry credentials (https://********@127.0.0.1:'),
    ('api-url-credentials-key-as-user', 'idmap', {'api_url': own_url('wss://', 'wss://%s@' % URL_KEY)}, CREDENTIALS),
    ('api-url-credentials-encoded-colon', 'conn', {'api_url': own_url('wss://', 'wss://root%%3A%s@' % URL_KEY)}, CREDENTIALS),
    ('api-url-credentials-encoded-at', 'dns', {'api_url': own_url('wss://', 'wss://root:%s%%40' % URL_KEY)}, CREDENTIALS),
    ('api-url-credentials-encoded-key', 'dns', {'api_url': own_url('wss://', 'wss://root:%s@' % URL_KEY.replace('-', '%2D'))},
     CREDENTIALS),
    # numbers: NaN, infinities, -0 and huge values, for every module and role
    ('conn-probe-timeout-nan', 'conn', {'probe_timeout': 'nan'}, 'probe_timeout: nan is not a number from 0.1 to 300'),
    ('conn-probe-timeout-inf', 'conn', {'probe_timeout': 'inf'}, 'probe_timeout: inf is not a number from 0.1 to 300'),
    ('conn-probe-timeout-minus-zero', 'conn', {'probe_timeout': '-0'}, 'probe_timeout: -0.0 is not a number from 0.1 to 300'),
    ('conn-skew-1e23', 'conn', {'max_clock_skew': '1e23'}, 'max_clock_skew: 100000000000000000000000 is not a number from 1 to 3600'),
    ('conn-skew-inf', 'conn', {'max_clock_skew': 'inf'}, 'max_clock_skew: inf is not a number from 1 to 3600'),
    ('dns-verify-timeout-nan', 'dns', {'verify_timeout': 'NaN'}, 'verify_timeout: nan is not a number from 0.1 to 300'),
    ('api-timeout-inf', 'join', {'timeout': 'inf'}, 'timeout: inf is not a number from 1 to 3600'),
    ('api-timeout-huge', 'idmap', {'timeout': 10 ** 6}, 'timeout: 1000000 is not a number from 1 to 3600'),
    ('join-wait-timeout-huge', 'join', {'wait_timeout': 86401}, 'wait_timeout: 86401 is not a number from 1 to 86400'),
    ('join-idmap-negative', 'join', {'idmap': {'domain': {'range_low': -5, 'range_high': 100000}}},
     'idmap.domain.range_low: -5 is not a number from 1000 to 2147000000'),
    ('join-idmap-1e23', 'join', {'idmap': {'builtin': {'range_high': '1e23'}}},
     'idmap.builtin.range_high: 100000000000000000000000 is not a number'),
    ('idmap-port-zero', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'port': 0}},
     'directory.port: 0 is not a number from 1 to 65535'),
    ('idmap-page-size-inf', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'page_size': 'inf'}},
     'directory.page_size: inf is not a number from 1 to 100000'),
    ('role-preflight-probe-nan', 'r_preflight', {'entra_preflight_probe_timeout': 'nan'}, 'probe_timeout: nan is not a number'),
    ('role-network-timeout-inf', 'r_network', {'entra_network_verify_timeout': 'inf'}, 'verify_timeout: inf is not a number'),
    ('role-join-wait-huge', 'r_join', {'entra_join_wait_timeout': '1e23'}, 'wait_timeout: 100000000000000000000000 is not'),
    # IPv4-mapped (and other) spellings of an address meet the same rules
    ('dns-ns-mapped-loopback', 'dns', {'nameservers': ['::ffff:127.0.0.1']}, 'nameservers[0]: ::ffff:127.0.0.1 (127.0.0.1) is a loopback'),
    ('dns-ns-mapped-twice', 'dns', {'nameservers': ['198.51.100.11', '::ffff:198.51.100.11']}, 'nameservers lists 198.51.100.11 twice'),
    ('dns-ns-mapped-hex-broadcast', 'dns', {'nameservers': ['::ffff:ffff:ffff']}, '(255.255.255.255) is a loopback'),
    ('dns-ns-ipv4-compatible', 'dns', {'nameservers': ['::198.51.100.10']}, 'is a deprecated IPv4-compatible IPv6 address'),
    ('dns-ns-zone-id', 'dns', {'nameservers': ['2001:db8::53%eth0']}, "nameservers[0]: '2001:db8::53%eth0' has a zone id (%eth0)"),
    ('dns-ns-leading-zeros', 'dns', {'nameservers': ['198.051.100.010']}, "nameservers[0]: '198.051.100.010' is not an IP"),
    ('conn-dc-mapped-twice', 'conn', {'dc_ips': ['198.51.100.10', '::FFFF:c633:640a']}, 'dc_ips lists 198.51.100.10 twice'),
    ('conn-dc-mapped-link-local', 'conn', {'dc_ips': ['::ffff:169.254.1.1']}, 'dc_ips[0]: ::ffff:169.254.1.1 (169.254.1.1)'),
    ('conn-dc-eleven', 'conn', {'dc_ips': ['198.51.100.%d' % n for n in range(10, 21)]}, 'dc_ips: 11 entries; give at most 10'),
    ('idmap-server-mapped-loopback', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'servers': ['::ffff:127.0.0.1']}},
     'directory.servers[0]: ::ffff:127.0.0.1 (127.0.0.1) is a loopback'),
    ('idmap-server-zero-width', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'servers': ['dc1\u200b.aaddscontoso.com']}},
     'directory.servers[0]:'),
    ('role-network-mapped-twice', 'r_network', {'entra_dc_ips': ['198.51.100.10', '::ffff:198.51.100.10']}, 'nameservers lists 198.51.100.10 twice'),
    ('role-preflight-mapped-loopback', 'r_preflight', {'entra_dc_ips': ['::ffff:127.0.0.1']}, 'dc_ips[0]: ::ffff:127.0.0.1 (127.0.0.1)'),
    # domain rules up front: 63 per label, 253 in all, a 15-character prefix (the domain's NetBIOS name)
    ('dns-domain-253-long-prefix', 'dns', {'domain': '.'.join(['a' * 63] * 3 + ['b' * 61])},
     'is 63 characters; Entra Domain Services takes it as the NetBIOS name of the domain, which has at most 15'),
    ('join-domain-255', 'join', {'domain': 'aadds.' + '.'.join(['c' * 49] * 5)}, 'is 255 characters; a DNS name has at most 253'),
    ('conn-domain-prefix-16', 'conn', {'domain': 'aaddscontoso1234.com'}, "domain: the prefix 'aaddscontoso1234'"),
    ('idmap-domain-label-64', 'idmap', {'domain': 'aadds.' + 'd' * 64 + '.com'}, 'a DNS label has at most 63'),
    ('role-join-domain-prefix-16', 'r_join', {'entra_domain': 'aaddscontoso1234.com'}, 'which has at most 15'),
    ('dns-domain-homoglyph', 'dns', {'domain': '\u0430addscontoso.com'}, 'has non-ASCII characters (look-alike'),
    ('join-domain-zero-width', 'join', {'domain': 'aadds\u200bcontoso.com'}, 'has non-ASCII characters'),
    ('dns-search-idn', 'dns', {'search_domains': ['b\u00fccher.test']}, 'search_domains[0]:'),
    # api_url: only the API path, printable ASCII, a real port; a CA file that is a PEM file
    ('api-url-path-traversal', 'dns', {'api_url': own_url('/api/current', '/evil/../api/current?x=1#f')}, PATH_WORDS),
    ('api-url-query', 'join', {'api_url': own_url('/api/current', '/api/current?token=x')}, PATH_WORDS),
    ('api-url-other-path', 'conn', {'api_url': own_url('/api/current', '/ui/')}, PATH_WORDS),
    ('api-url-port-zero', 'dns', {'api_url': 'wss://nas1.example.com:0/api/current'}, 'is not a TrueNAS address'),
    ('api-url-homoglyph', 'dns', {'api_url': 'wss://n\u0430s1.example.com/api/current'}, 'is not a TrueNAS address'),
    ('api-url-backslash', 'dns', {'api_url': 'wss://127.0.0.1\\@evil.example/api/current'}, 'is not a TrueNAS address'),
    ('api-url-zone-id', 'idmap', {'api_url': 'wss://[fe80::1%25eth0]/api/current'}, 'is not a TrueNAS address'),
    ('api-ca-not-pem', 'dns', {'ca_path': '/etc/passwd'}, "ca_path: '/etc/passwd' is not a certificate file"),
    ('api-ca-device', 'join', {'ca_path': '/dev/zero'}, "ca_path: '/dev/zero' is not a regular file"),
    ('api-ca-fifo', 'dns', {'ca_path': FIFO}, "ca_path: '%s' is not a regular file (a directory, device, FIFO" % FIFO),
    ('api-ca-missing', 'conn', {'ca_path': '/nonexistent/ca.pem'}, "ca_path: '/nonexistent/ca.pem' cannot be read"),
    ('conn-ldaps-ca-not-pem', 'conn', {'ldaps_ca_path': '/etc/passwd'}, "ldaps_ca_path: '/etc/passwd' is not a certificate file"),
    ('idmap-directory-ca-directory', 'idmap', {'directory': {'username': 'r', 'password': JOIN_PASSWORD, 'ca_path': '/etc'}},
     "directory.ca_path: '/etc' is not a regular file"),
    # names: invisible and look-alike characters, case-insensitive duplicates, huge lists
    ('join-user-fullwidth-at', 'join', {'username': 'aaddsadmin\uff20' + DOMAIN}, 'username:'),
    ('join-user-bidi', 'join', {'username': 'aaddsadmin\u202e@' + DOMAIN}, 'has invisible (zero-width, direction)'),
    ('join-netbios-zero-width', 'join', {'hostname': 'nas\u200b1'}, 'hostname:'),
    ('join-admin-group-fullwidth', 'join', {'admin_group': '\uff21AD DC Administrators'}, 'admin_group:'),
    ('idmap-user-zero-width', 'idmap', {'users': ['ali\u200bce']}, 'users[0]:'),
    ('idmap-users-case-twice', 'idmap', {'users': ['alice', 'ALICE']}, 'users lists ALICE twice (names are not case-sensitive)'),
    ('idmap-groups-case-twice', 'idmap', {'groups': [{'name': 'NAS Users'}, {'name': 'nas users'}]}, 'groups lists nas users twice'),
    ('idmap-users-huge-list', 'idmap', {'users': ['u%d' % n for n in range(1001)]}, 'users: 1001 entries; give at most 1000'),
    ('role-join-user-zero-width', 'r_join', {'entra_join_user': 'aadds\u200badmin@' + DOMAIN}, 'username:'),
]
PLAY = '''- name: module {module}
  hosts: {group}
  gather_facts: false
  module_defaults:
    group/nasjoin.entra.truenas:
      api_url: "{{{{ truenas_api_url }}}}"
      ca_path: "{{{{ truenas_ca_path }}}}"
  tasks:
    - name: bad input
      nasjoin.entra.{module}:
      args: "{{{{ case_args }}}}"
      when: inventory_hostname != 'survivor'
'''
ROLE_PLAY = '''- name: role {role}
  hosts: {group}
  gather_facts: false
  module_defaults:
    group/nasjoin.entra.truenas:
      api_url: "{{{{ truenas_api_url }}}}"
      ca_path: "{{{{ truenas_ca_path }}}}"
  roles:
    - role: nasjoin.entra.{role}
      when: inventory_hostname != 'survivor'
'''


def case_vars(target, changes):
    merged = dict(BASE[target], **changes)
    merged = dict((key, value) for key, value in merged.items() if value != OMIT)
    return merged if target in ROLES else {'case_args': merged}


@pytest.fixture(scope='module')
def bad_run(tls, tmp_path_factory):
    """One playbook over every case, each its own NAS: {case id: (status, result)} and the fleet."""
    for path in (MARKER, FIFO):
        if os.path.exists(path):
            os.unlink(path)
    os.mkfifo(FIFO)
    tmp_path = tmp_path_factory.mktemp('bad-inputs')
    fleet = Fleet(tls, [case[0] for case in CASES])
    # a host that skips every play, so that a play where every case fails does not end the playbook
    groups = dict((target, [case[0] for case in CASES if case[1] == target] + ['survivor']) for target in BASE)
    inventory = fleet.inventory(tmp_path / 'inventory.json', dict((case[0], case_vars(case[1], case[2])) for case in CASES), groups,
                                extra_hosts=['survivor'])
    plays = [PLAY.format(module=module, group=target) for target, module in MODULES.items()]
    plays += [ROLE_PLAY.format(role=role, group=target) for target, role in ROLES.items()]
    playbook = tmp_path / 'bad-inputs.yml'
    playbook.write_text(''.join(plays))
    runner = fleet_runner(tmp_path)
    runner.inventory = inventory
    run = runner.run_playbook(playbook, '--forks', '8')
    results = {}
    for host, status, body in run.results:
        results.setdefault(host, []).append((status, body))
    yield results, fleet, run
    fleet.stop()
    os.unlink(FIFO)


@pytest.mark.parametrize('case_id, target, changes, words', CASES, ids=[case[0] for case in CASES])
def test_bad_input_fails_naming_the_parameter_with_no_call(bad_run, case_id, target, changes, words):
    results, fleet, run = bad_run
    outcomes = results.get(case_id)
    assert outcomes, 'no result for %s:\n%s' % (case_id, run.stdout[-3000:])
    # a role case may pass its argument spec (SUCCESS) and fail in the module; preflight's fleet DC probes (run_once,
    # never failing the play: without them each host probes itself) come before its module
    allowed = (['FAILED!'], ['SUCCESS', 'FAILED!']) + ((['SUCCESS', 'SUCCESS', 'FAILED!'],) if target == 'r_preflight' else ())
    assert [status for status, body in outcomes] in allowed, outcomes
    message = outcomes[-1][1]['msg']
    assert words in message, message
    assert len(message) < 2000
    seen = fleet.nas[case_id].counters()
    assert seen['calls'] == 0 and seen['connections'] == 0 and seen['writes'] == 0, seen
    assert not os.path.exists(MARKER)
    assert URL_KEY.split('-', 1)[1] not in run.stdout + run.stderr + json.dumps(outcomes)


def test_the_table_is_large_and_covers_every_module_and_role():
    targets = [case[1] for case in CASES]
    assert len(CASES) >= 60 and len(set(case[0] for case in CASES)) == len(CASES)
    assert set(targets) == set(BASE)


def test_the_docs_table_is_the_record_of_the_cases():
    """docs/testing.md "The hostile inputs": one row per module or role with its number of cases, and the total."""
    section = (COLLECTION / 'docs' / 'testing.md').read_text().split('## The hostile inputs', 1)[1].split('\n## ', 1)[0]
    rows = dict((cells[0], int(cells[1])) for cells in
                ([cell.strip() for cell in line.strip('|').split('|')] for line in section.splitlines() if line.startswith('| '))
                if cells[1].isdigit())
    names = dict(MODULES, **ROLES)
    counted = {}
    for case in CASES:
        counted[names[case[1]]] = counted.get(names[case[1]], 0) + 1
    documented = dict((re.search(r'`(\w+)`', label).group(1), count) for label, count in rows.items() if label != 'total')
    assert documented == counted and rows['total'] == len(CASES)
