"""Many emulated NAS in one process (truenas_emulator.fleet, `--instances`): separate ports, certificates,
hostnames, state, API keys, counters and login rate limits, all verified against one fleet CA."""

import json
import os
import random
import signal
import socket
import ssl
import subprocess
import sys

import pytest

from .conftest import LAB, RawClient
from truenas_emulator.__main__ import parse_args
from truenas_emulator.control import Control
from truenas_emulator.fleet import Fleet


def login(client, instance):
    """The response_type of an API key login, or the error reason."""
    answer = client.request('auth.login_ex', {'mechanism': 'API_KEY_PLAIN', 'username': instance['api_username'],
                                              'api_key': instance['api_key']})
    return answer['result']['response_type'] if 'result' in answer else answer['error']['data']['reason']


def login_once(instance, ca):
    """Log in on a new connection, as one module run does."""
    client = RawClient(instance['url'], ca=ca)
    try:
        return login(client, instance)
    finally:
        client.close()


def peer_names(url, ca):
    """The DNS names in the certificate a NAS presents."""
    host, port = url.split('/')[2].rsplit(':', 1)
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False
    with socket.create_connection((host, int(port)), 5) as raw, context.wrap_socket(raw) as tls:
        return [value for kind, value in tls.getpeercert()['subjectAltName'] if kind == 'DNS']


@pytest.fixture
def fleet(tmp_path):
    with Fleet(3, tmp_path / 'fleet', directory_options={'realm': 'OTHER.TEST'}) as the_fleet:
        yield the_fleet.start()


def test_each_nas_has_its_own_port_certificate_hostname_and_key(fleet, tmp_path):
    listed = json.loads((tmp_path / 'fleet' / 'fleet.json').read_text())
    assert listed['instances'] == fleet.instances and oct(os.stat(tmp_path / 'fleet' / 'fleet.json').st_mode)[-3:] == '600'
    assert len({instance['url'] for instance in fleet.instances}) == 3
    assert len({instance['api_key'] for instance in fleet.instances}) == 3
    for instance in fleet.instances:
        assert peer_names(instance['url'], listed['ca'])[0] == instance['hostname']
        client = RawClient(instance['url'], ca=listed['ca'])
        assert login(client, instance) == 'SUCCESS'
        assert client.request('system.info')['result']['hostname'] == instance['hostname']
    assert [emu.directory.backend.realm for emu in fleet.nas] == ['OTHER.TEST'] * 3
    assert len({id(emu.directory.backend) for emu in fleet.nas}) == 3


def test_a_key_of_one_nas_opens_no_other(fleet):
    first, second = fleet.instances[:2]
    client = RawClient(second['url'], ca=fleet.ca)
    assert login(client, dict(second, api_key=first['api_key'])) != 'SUCCESS'


def test_state_and_counters_are_per_nas(fleet):
    first, second = fleet.instances[:2]
    client = RawClient(first['url'], ca=fleet.ca)
    login(client, first)
    client.request('network.configuration.update', {'nameserver1': '198.51.100.53'})
    with Control(first['control_socket']) as one, Control(second['control_socket']) as two:
        assert one.counters()['logins_ok'] == 1 and one.counters()['writes'] == 1
        assert two.counters()['calls'] == 0
        assert one.state()['network']['nameserver1'] == '198.51.100.53'
        assert two.state()['network']['nameserver1'] == ''


def test_each_nas_rate_limits_logins_on_its_own(fleet):
    first, second = fleet.instances[:2]
    for dummy in range(20):
        assert login_once(first, fleet.ca) == login_once(second, fleet.ca) == 'SUCCESS'
    assert login_once(first, fleet.ca) == '[EBUSY] Rate Limit Exceeded'
    with Control(first['control_socket']) as one, Control(second['control_socket']) as two:
        assert one.counters()['rate_limited'] == 1 and one.counters()['logins_ok'] == 20
        assert two.counters()['rate_limited'] == 0 and two.counters()['logins_ok'] == 20


def test_the_real_login_rate_limit_is_the_default():
    assert parse_args(['--instances', '3', '--fleet-dir', 'f']).rate_limit == 20


@pytest.mark.parametrize('version', ('26', '27'))
def test_a_fleet_of_a_newer_release(tmp_path, version):
    assert parse_args(['--instances', '2', '--fleet-dir', 'f', '--version', version]).version == version
    with Fleet(2, tmp_path, version=version) as the_fleet:
        the_fleet.start()
        for instance in the_fleet.instances:
            client = RawClient(instance['url'], ca=the_fleet.ca)
            assert login(client, instance) == 'SUCCESS'
            assert client.request('system.version_short')['result'] == f'{version}.0.0'
            client.close()


def free_pair():
    """A port below the kernel's ephemeral range (where bind to port 0 never lands, so no other test takes it
    meanwhile) that is free together with the next one."""
    low = int(open('/proc/sys/net/ipv4/ip_local_port_range', encoding='ascii').read().split()[0])
    for base in random.sample(range(low // 2, low - 1), 200):
        with socket.socket() as first, socket.socket() as second:
            try:
                first.bind(('127.0.0.1', base))
                second.bind(('127.0.0.1', base + 1))
            except OSError:
                continue
        return base
    raise AssertionError('no two free ports next to each other below %d' % low)


def test_fixed_ports_from_the_base_port(tmp_path):
    base = free_pair()
    with Fleet(2, tmp_path, ('127.0.0.1', base)) as the_fleet:
        the_fleet.start()
        assert [instance['url'].split(':')[2].split('/')[0] for instance in the_fleet.instances] == [str(base), str(base + 1)]


def test_a_fleet_as_a_process(tmp_path):
    options = tmp_path / 'directory.json'
    options.write_text(json.dumps({'realm': 'OTHER.TEST'}))
    command = [sys.executable, '-m', 'truenas_emulator', '--instances', '2', '--fleet-dir', str(tmp_path / 'f'),
               '--directory-options', str(options), '--rate-limit', '1']
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': str(LAB)}) as process:
        ready = json.loads(process.stdout.readline())
        listed = json.loads(open(ready['fleet'], encoding='utf-8').read())
        assert ready['instances'] == 2 and len(listed['instances']) == 2
        first, second = listed['instances']
        client = RawClient(second['url'], ca=listed['ca'])
        assert login(client, second) == 'SUCCESS'
        assert client.request('system.info')['result']['hostname'] == 'nas002'
        assert login_once(second, listed['ca']) == '[EBUSY] Rate Limit Exceeded'  # --rate-limit 1, per NAS
        assert login_once(first, listed['ca']) == 'SUCCESS'
        with Control(second['control_socket']) as control:
            assert control.counters()['rate_limited'] == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_a_fleet_makes_its_own_certificates_and_keys(tmp_path):
    command = [sys.executable, '-m', 'truenas_emulator', '--instances', '2', '--fleet-dir', str(tmp_path),
               '--hostname', 'nas1']
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, 'PYTHONPATH': str(LAB)},
                            timeout=30, check=False)
    assert result.returncode == 2 and 'drop --hostname' in result.stderr
