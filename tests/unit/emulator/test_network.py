"""network.configuration.*, network.general.summary and dns.query, per personality."""

import os

import pytest

UPDATE = 'network.configuration.update'
HAND = 'global_configuration_update'  # hand-written checks use this prefix on both releases
HOSTNAME_PATTERN = r'^[a-z\.\-0-9]*[a-z0-9]$'
DOMAIN_PATTERN = r'^[a-zA-Z\.\-0-9]*$'
ORDER_ERROR = [[f'{HAND}.nameserver', 'When providing nameservers, they must be provided in consecutive order '
                                      '(i.e. nameserver1, nameserver2, nameserver3)', 22]]
HAND_WRITTEN = [
    ({'nameserver1': '127.0.0.1'}, [[f'{HAND}.nameserver1', 'Loopback is not a valid nameserver', 22]]),
    ({'nameserver1': '0.0.0.0'}, [[f'{HAND}.nameserver1', 'Unspecified addresses are not valid as nameservers', 22]]),
    ({'nameserver1': '255.255.255.255'}, [[f'{HAND}.nameserver1', 'This is not a valid nameserver address', 22]]),
    ({'nameserver1': '192.0.2.53', 'nameserver2': '169.254.1.1'},
     [[f'{HAND}.nameserver2', '169.254/16 subnet is not valid for nameserver', 22]]),
    ({'nameserver1': '192.0.2.53', 'nameserver3': '192.0.2.54'}, ORDER_ERROR),
    ({'ipv4gateway': '198.51.100.1'}, [[f'{HAND}.ipv4gateway', 'Gateway 198.51.100.1 is unreachable', 22]]),
    ({'domains': ['a', 'b', 'c', 'd', 'e', 'f']}, [[f'{HAND}.domains', 'No more than 5 additional domains are allowed', 22]]),
]
SCHEMA_25_04 = [
    ({'nameserver1': 'foo'}, [[f'{HAND}.nameserver1', "'foo' does not appear to be an IPv4 or IPv6 address", 22]]),
    ({'bogus': 1}, [[f'{HAND}.bogus', 'Field was not expected', 22]]),
    ({'hostname': 'bad_host'}, [[f'{HAND}.hostname', f'Value does not match {HOSTNAME_PATTERN!r} pattern', 22]]),
    ({'domain': 'bad domain'}, [[f'{HAND}.domain', f'Value does not match {DOMAIN_PATTERN!r} pattern', 22]]),
    ({'domains': 'x'}, [[f'{HAND}.domains', 'Not a list', 22]]),
    ({'service_announcement': {'x': True}}, [[f'{HAND}.service_announcement.x', 'Field was not expected', 22]]),
    ({'httpproxy': 'proxy'}, [[f'{HAND}.httpproxy', 'Not a valid URI', 22]]),
    ({'activity': {}}, [[f'{HAND}.activity.type', 'attribute required', 22]]),
]
SCHEMA_25_10 = [
    # 25.10's accept.py joins pydantic locations as they are: a union field's error names each member (see models.py)
    ({'nameserver1': 'foo'}, [['data.nameserver1.literal[\'\']', "Input should be ''", 22],
                              ['data.nameserver1.function-after[_validate_ipaddr(), constrained-str]',
                               'value is not a valid IPv4 or IPv6 address', 22]]),
    ({'bogus': 1}, [['data.bogus', 'Extra inputs are not permitted', 22]]),
    ({'hostname': 'bad_host'}, [['data.hostname', 'Assertion failed, Hostname can only contain letters, numbers, '
                                                  'periods, and dashes and must end with a letter or number', 22]]),
    ({'domains': 'x'}, [['data.domains', 'Input should be a valid list', 22]]),
    ({'service_announcement': {'x': True}}, [['data.service_announcement.x', 'Extra inputs are not permitted', 22]]),
    ({'activity': {'type': 'MAYBE'}}, [['data.activity.type', "Input should be 'ALLOW' or 'DENY'", 22]]),
]


@pytest.mark.parametrize('version, payload, extra', [('25.04',) + case for case in SCHEMA_25_04 + HAND_WRITTEN]
                         + [('25.10',) + case for case in SCHEMA_25_10 + HAND_WRITTEN])
def test_update_validation_errors(make_emulator, connect, version, payload, extra):
    emu = make_emulator(version)
    client = connect(emu)
    client.login()
    error = client.error(UPDATE, payload)
    assert error['code'] == -32602
    assert error['data']['extra'] == extra
    assert error['data']['reason'] == ''.join(f'[EINVAL] {attr}: {msg}\n' for attr, msg, dummy in extra)
    assert emu.counters()['writes'] == 0


@pytest.mark.parametrize('version, error', [
    ('25.04', {'code': -32001, 'reason': '[EFAULT] Too many arguments (expected 1, found 2)'}),
    ('25.10', {'code': -32602, 'reason': '[EINVAL] : Too many arguments (expected 1, found 2)\n'}),
])
def test_update_too_many_arguments(make_emulator, connect, version, error):
    client = connect(make_emulator(version))
    client.login()
    answer = client.error(UPDATE, {}, {})
    assert {'code': answer['code'], 'reason': answer['data']['reason']} == error


def test_entry_fields(nas):
    dummy, client = nas
    entry = client.call('network.configuration.config')
    assert set(entry) == {'id', 'hostname', 'domain', 'ipv4gateway', 'ipv6gateway', 'nameserver1', 'nameserver2',
                          'nameserver3', 'httpproxy', 'hosts', 'domains', 'service_announcement', 'activity',
                          'hostname_local', 'state'}
    assert set(entry['state']) == {'ipv4gateway', 'ipv6gateway', 'nameserver1', 'nameserver2', 'nameserver3', 'hosts'}
    assert entry['hostname'] == entry['hostname_local'] == 'truenas' and entry['domain'] == 'local'


@pytest.mark.parametrize('version', ['25.04', '25.10'])
def test_update_writes_resolv_conf_in_place(make_emulator, connect, tmp_path, version):
    resolv = tmp_path / 'resolv.conf'
    resolv.write_text('nameserver 192.0.2.1\n')
    inode = os.stat(resolv).st_ino
    emu = make_emulator(version, resolv_conf=resolv)
    client = connect(emu)
    client.login()
    assert client.call('dns.query') == [{'nameserver': '192.0.2.1'}]
    entry = client.call(UPDATE, {'domain': 'corp.example', 'domains': ['corp.example', 'example'],
                                 'nameserver1': '192.0.2.53', 'nameserver2': '192.0.2.54', 'ipv4gateway': '192.0.2.1'})
    assert resolv.read_text() == ('domain corp.example\nsearch corp.example example\n'
                                  'nameserver 192.0.2.53\nnameserver 192.0.2.54\n')
    assert os.stat(resolv).st_ino == inode
    assert entry['state']['nameserver1'] == '192.0.2.53' and entry['state']['ipv4gateway'] == '192.0.2.1'
    assert emu.network_config['nameserver2'] == '192.0.2.54'
    assert client.call('dns.query', [['nameserver', '^', '192.0.2.5']], {'count': True}) == 2
    client.call(UPDATE, {'nameserver1': '', 'nameserver2': ''})  # back to what DHCP gave
    assert resolv.read_text().endswith('nameserver 192.0.2.1\n')
    assert emu.counters()['writes'] == 2


def test_unchanged_update_writes_nothing(nas):
    emu, client = nas
    client.call(UPDATE, {'nameserver1': '192.0.2.53', 'service_announcement': {'mdns': True}})
    emu.reset_counters()
    config = emu.network_config
    same = {key: config[key] for key in ('hostname', 'domain', 'nameserver1', 'domains')}
    entry = client.call(UPDATE, same)
    assert entry['nameserver1'] == '192.0.2.53'
    assert client.call(UPDATE, {}) == entry
    counters = emu.counters()
    assert counters['writes'] == 0 and counters['by_method'][UPDATE] == 2


def test_service_announcement_is_merged_into_the_stored_one(nas):
    emu, client = nas
    assert client.call(UPDATE, {'service_announcement': {'netbios': True}})['service_announcement'] == {
        'mdns': True, 'wsd': True, 'netbios': True}
    assert emu.counters()['writes'] == 1


@pytest.mark.parametrize('version', ['25.04', '25.10'])
@pytest.mark.parametrize('payload', [{'nameserver1': '', 'nameserver2': '192.0.2.54'},
                                     {'nameserver2': '192.0.2.54', 'nameserver3': '192.0.2.55'}])
def test_a_gap_before_the_given_nameservers_passes(make_emulator, connect, version, payload):
    """validate_nameservers: are_indices_in_consecutive_order over the non-empty nameserver keys of the payload only,
    so a gap before them passes; dns.sync writes the non-empty ones to resolv.conf in slot order."""
    emu = make_emulator(version)
    client = connect(emu)
    client.login()
    state = client.call(UPDATE, payload)['state']
    given = [payload[key] for key in sorted(payload) if payload[key]]
    assert [state['nameserver1'], state['nameserver2']][:len(given)] == given
    assert emu.counters()['writes'] == 1


def test_nameserver_order_is_the_payload_order_on_25_04_only(make_emulator, connect):
    """The order checked is the one validation leaves: 25.04 Dict.clean keeps the client's keys in their order,
    25.10 model_dump gives the model's field order."""
    payload = {'nameserver2': '192.0.2.54', 'nameserver1': '192.0.2.53'}
    old, new = make_emulator('25.04'), make_emulator('25.10')
    refused, accepted = connect(old), connect(new)
    refused.login()
    accepted.login()
    assert refused.error(UPDATE, payload)['data']['extra'] == ORDER_ERROR
    assert accepted.call(UPDATE, payload)['nameserver1'] == '192.0.2.53'
    assert old.counters()['writes'] == 0 and new.counters()['writes'] == 1


def test_configuration_survives_a_restart(make_emulator, connect, tmp_path):
    state = tmp_path / 'state.json'
    emu = make_emulator(state_file=state, hostname='nas1')
    client = connect(emu)
    client.login()
    client.call(UPDATE, {'domain': 'corp.example', 'nameserver1': '192.0.2.53'})
    emu.stop()
    again = make_emulator(state_file=state, hostname='ignored')
    assert again.network_config['hostname'] == 'nas1'
    assert again.network_config['domain'] == 'corp.example' and again.network_config['nameserver1'] == '192.0.2.53'


def test_general_summary(nas):
    dummy, client = nas
    client.call(UPDATE, {'ipv4gateway': '192.0.2.1', 'nameserver1': '192.0.2.53'})
    assert client.call('network.general.summary') == {
        'ips': {'eth0': {'IPV4': ['192.0.2.10/24'], 'IPV6': ['2001:db8::10/64']}},
        'default_routes': ['192.0.2.1'],
        'nameservers': ['192.0.2.53'],
    }


def test_dhcp_nameservers_are_remembered_across_restarts(make_emulator, connect, tmp_path):
    state, resolv = tmp_path / 'state.json', tmp_path / 'resolv.conf'
    resolv.write_text('nameserver 192.0.2.1\n')
    emu = make_emulator(state_file=state, resolv_conf=resolv)
    client = connect(emu)
    client.login()
    client.call(UPDATE, {'nameserver1': '192.0.2.53'})
    emu.stop()
    again = make_emulator(state_file=state, resolv_conf=resolv)
    assert resolv.read_text() == 'domain local\nnameserver 192.0.2.53\n'
    client = connect(again)
    client.login()
    assert client.call(UPDATE, {'nameserver1': ''})['state']['nameserver1'] == '192.0.2.1'
