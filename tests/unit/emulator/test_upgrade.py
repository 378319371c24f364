"""Upgrading a NAS: the state a 25.10 emulator wrote, served by 26 and then 27 (in process with
Emulator.upgraded(), and as a process restarted with a later --version on the same --state-file)."""

import json
import os
import signal
import subprocess
import sys

from truenas_emulator.directory_backend import FakeDirectory

from .conftest import API_KEY, LAB, RawClient
from .test_directory_helpers import DC_IPS, DOMAIN, JOIN_25_10, LEAVE_25_10, run_job

SECOND_KEY = '2-othersecret'
KEY = {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin', 'api_key': API_KEY}


def test_joined_25_10_nas_upgraded_to_26_then_27(make_emulator, connect, tmp_path, certs):
    resolv = tmp_path / 'resolv.conf'
    resolv.write_text(''.join(f'nameserver {ip}\n' for ip in DC_IPS))
    fake = FakeDirectory()
    emu = make_emulator('25.10', directory=fake, resolv_conf=resolv, state_file=tmp_path / 'state.json',
                        api_keys={'truenas_admin': [API_KEY, SECOND_KEY]})
    client = connect(emu)
    client.login()
    client.call('network.configuration.update', {'nameserver1': DC_IPS[0], 'nameserver2': DC_IPS[1]})
    assert run_job(client, 'directoryservices.update', JOIN_25_10)['state'] == 'SUCCESS'
    emu.accounts.revoke(2, 'Attempt to use over an insecure transport')
    before = {'network': client.call('network.configuration.config'), 'ds': client.call('directoryservices.config'),
              'privileges': client.call('privilege.query')}
    assert before['network']['domain'] == 'local'  # 25.10 never writes the domain
    port = int(emu.url.rsplit(':', 1)[1].split('/')[0])

    try:
        for version in ('26', '27'):
            emu.stop()
            emu = emu.upgraded(version).start(port=port, certfile=certs['cert'], keyfile=certs['key'])
            client = connect(emu)
            assert client.call('auth.login_ex', {**KEY, 'api_key': SECOND_KEY}) == {'response_type': 'EXPIRED'}
            client.login()
            assert client.call('system.version_short') == f'{version}.0.0'
            assert client.call('directoryservices.status')['status'] == 'HEALTHY'  # the boot's health check
            assert client.call('network.configuration.config') == before['network']
            assert client.call('directoryservices.config') == before['ds']
            assert client.call('privilege.query') == before['privileges']
            # 26 on: the domain is locked while joined and healthy, even the one 25.10 left
            assert client.error('network.configuration.update', {'domain': DOMAIN})['data']['extra'][0][0] == \
                'global_configuration_update.domain'
        assert run_job(client, 'directoryservices.leave', LEAVE_25_10)['state'] == 'SUCCESS'
    finally:
        emu.stop()
    assert json.loads((tmp_path / 'state.json').read_text())['directoryservices']['enable'] is False


def start(version, tmp_path, certs):
    command = [sys.executable, '-m', 'truenas_emulator', '--version', version, '--listen', '127.0.0.1:0',
               '--listen-plain', '127.0.0.1:0', '--cert', certs['cert'], '--key', certs['key'],
               '--api-keys-file', str(tmp_path / 'keys.json'), '--state-file', str(tmp_path / 'state.json')]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,  # pylint: disable=consider-using-with
                            env={**os.environ, 'PYTHONPATH': str(LAB)})
    return proc, json.loads(proc.stdout.readline())


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    proc.stdout.close()


def test_process_restarted_with_a_later_version_keeps_its_state(tmp_path, certs):
    (tmp_path / 'keys.json').write_text(json.dumps({'truenas_admin': [API_KEY, SECOND_KEY]}))
    proc, started = start('25.10', tmp_path, certs)
    try:
        assert RawClient(started['plain_url']).request('auth.login_ex', {**KEY, 'api_key': SECOND_KEY})['result'] == \
            {'response_type': 'EXPIRED'}
        client = RawClient(started['url'], ca=certs['ca'])
        client.request('auth.login_ex', KEY)
        client.request('network.configuration.update', {'nameserver1': '192.0.2.53', 'hostname': 'nas7'})
    finally:
        stop(proc)
    proc, started = start('27', tmp_path, certs)  # 25.10 -> 26 -> 27 in process above; here a process restart
    try:
        client = RawClient(started['url'], ca=certs['ca'])
        assert client.request('auth.login_ex', {**KEY, 'api_key': SECOND_KEY})['result'] == {'response_type': 'EXPIRED'}
        assert client.request('auth.login_ex', KEY)['result']['response_type'] == 'SUCCESS'
        config = client.request('network.configuration.config')['result']
        assert (config['hostname'], config['nameserver1']) == ('nas7', '192.0.2.53')
        assert client.request('system.version')['result'] == 'TrueNAS-27.0.0'
    finally:
        stop(proc)
