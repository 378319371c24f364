"""entra_dns_config through ansible-playbook and ad-hoc ansible, against an emulated NAS, both transports.

These runs use verify=false: the emulated NAS is on loopback and no domain controller answers here. The
lab tests (tests/integration/lab) run the module with verification against the lab's two DCs.
"""

import json
import os
import sys
from pathlib import Path

import pytest

from .conftest import API_KEY, API_USER

DOMAIN = 'aaddscontoso.test'
DCS = ['198.51.100.10', '198.51.100.11']
TASK = '''    - name: network settings
      nasjoin.entra.entra_dns_config:
        domain: %s
        nameservers: %s
        verify: false
%s'''


def api_options(nas, tls, **extra):
    options = dict(api_url=nas.url, api_key=API_KEY, api_username=API_USER, ca_path=tls['ca'])
    options.update(extra)
    return ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in options.items())


def task(nas, tls, nameservers=None, **extra):
    return TASK % (DOMAIN, json.dumps(nameservers or DCS), api_options(nas, tls, **extra))


def test_playbook_changes_once_then_converges(ansible, nas, tls):
    first = ansible.playbook(task(nas, tls))
    assert first.rc == 0, first.stdout + first.stderr
    assert first.changed == 1
    stored = nas.network_config
    assert stored['domain'] == DOMAIN
    assert [stored['nameserver1'], stored['nameserver2'], stored['nameserver3']] == DCS + ['']
    assert first.result['connection']['transport'] == 'websocket'

    nas.reset_counters()
    second = ansible.playbook(task(nas, tls))
    assert second.rc == 0 and second.changed == 0
    seen = nas.counters()
    assert seen['connections'] == 1 and seen['logins_ok'] == 1
    assert seen['by_method'] == {'auth.login_ex': 1, 'network.configuration.config': 1}
    assert seen['writes'] == 0


def test_check_mode_reports_diff_and_writes_nothing(ansible, nas, tls):
    before = dict(nas.network_config)
    run = ansible.playbook(task(nas, tls), '--check', '--diff')
    assert run.rc == 0 and run.changed == 1
    assert '+    "domain": "%s"' % DOMAIN in run.stdout
    assert 'network.configuration.update' not in nas.counters()['by_method']
    assert nas.network_config == before


def test_adhoc_with_environment_connection(ansible, nas, tls):
    env = {'TRUENAS_API_URL': nas.url, 'TRUENAS_API_KEY': API_KEY, 'TRUENAS_API_USERNAME': API_USER,
           'TRUENAS_CA_PATH': tls['ca']}
    args = 'domain=%s nameservers=%s verify=false' % (DOMAIN, ','.join(DCS))
    first = ansible.adhoc('nasjoin.entra.entra_dns_config', args, env=env)
    assert first.rc == 0 and first.results[0][1] == 'CHANGED', first.stdout + first.stderr
    second = ansible.adhoc('nasjoin.entra.entra_dns_config', args, env=env)
    assert second.rc == 0 and second.results[0][1] == 'SUCCESS'
    assert second.result['changed'] is False
    assert API_KEY not in first.stdout + first.stderr + second.stdout + second.stderr


def test_on_box_local_socket_needs_no_login(ansible, nas):
    tasks = TASK % (DOMAIN, json.dumps(DCS), '        local_socket: %s\n' % nas.socket_path)
    first = ansible.playbook(tasks)
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    assert first.result['connection'] == {'transport': 'local_socket', 'path': nas.socket_path}
    assert nas.counters()['logins_ok'] == 0
    assert nas.network_config['nameserver2'] == DCS[1]
    assert ansible.playbook(tasks).changed == 0


def test_on_box_midclt_when_socket_is_missing(ansible, nas, tmp_path):
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    (bindir / 'midclt').symlink_to(Path(__file__).resolve().parents[1] / 'lab' / 'truenas_emulator' / 'midclt')
    env = {'PATH': '%s:%s' % (bindir, os.environ['PATH']), 'MIDCLT_SOCKET': nas.socket_path, 'MIDCLT_PYTHON': sys.executable}
    tasks = TASK % (DOMAIN, json.dumps(DCS), '        local_socket: %s\n' % (tmp_path / 'absent.sock'))
    run = ansible.playbook(tasks, env=env)
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert run.result['connection']['transport'] == 'midclt'
    assert nas.network_config['domain'] == DOMAIN


@pytest.mark.parametrize('args, words', [
    ('nameservers=127.0.0.1', 'nameservers[0]: 127.0.0.1 is a loopback'),
    ('nameservers=198.51.100.1,198.51.100.2,198.51.100.3,198.51.100.4', 'one to three'),
    ('nameservers=198.51.100.10 domain=corp..test', 'not a valid DNS domain'),
    ('nameservers=198.51.100.10 nameserver=198.51.100.11', 'nameserver'),
    ('nameservers=198.51.100.10 verify=maybe', 'verify'),
])
def test_bad_input_is_refused_before_any_call(ansible, nas, tls, args, words):
    if 'domain=' not in args:
        args += ' domain=%s' % DOMAIN
    args += ' api_url=%s ca_path=%s' % (nas.url, tls['ca'])
    run = ansible.adhoc('nasjoin.entra.entra_dns_config', args, env={'TRUENAS_API_KEY': API_KEY})
    assert run.rc != 0 and run.results[0][1] == 'FAILED!'
    assert words in run.result['msg']
    assert nas.counters()['connections'] == 0


def test_unknown_ca_is_refused(ansible, nas, tls):
    run = ansible.playbook(task(nas, tls, ca_path=None))
    assert run.rc != 0
    assert 'TLS certificate of %s could not be verified' % nas.url in run.result['msg']
    assert run.result['error']['errname'] == 'ESSLCERTVERIFICATIONERROR'
    assert nas.counters()['logins_ok'] + nas.counters()['logins_failed'] == 0


def test_plain_ws_with_key_is_refused_and_key_survives(ansible, nas, tls):
    run = ansible.playbook(task(nas, tls, api_url=nas.url.replace('wss://', 'ws://')))
    assert run.rc != 0 and 'refusing to send the API key over plain ws://' in run.result['msg']
    assert nas.counters()['connections'] == 0
    assert not any(key.get('revoked') for key in nas.api_keys)
    assert ansible.playbook(task(nas, tls)).rc == 0


def test_read_survives_a_dropped_connection(ansible, nas, tls):
    nas.faults.set('drop_on_call', method='network.configuration.config')
    run = ansible.playbook(task(nas, tls))
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert nas.counters()['connections'] == 2 and nas.counters()['writes'] == 1


def test_write_lost_reply_is_named_and_rerun_converges(ansible, nas, tls):
    nas.faults.set('drop_on_call', method='network.configuration.update', after_execute=True)
    run = ansible.playbook(task(nas, tls))
    assert run.rc != 0
    assert 'during network.configuration.update' in run.result['msg'] and 'read the state back' in run.result['msg']
    assert nas.counters()['by_method']['network.configuration.update'] == 1
    assert nas.network_config['domain'] == DOMAIN
    again = ansible.playbook(task(nas, tls))
    assert again.rc == 0 and again.changed == 0


def test_rate_limited_login_is_explained(ansible, nas, tls):
    nas.faults.set('rate_limit_logins')
    run = ansible.playbook(task(nas, tls))
    assert run.rc != 0
    assert 'Rate Limit Exceeded' in run.result['msg'] and 'rate-limits' in run.result['msg']
    assert nas.counters()['writes'] == 0


def test_wrong_key_is_refused_without_showing_it(ansible, nas, tls):
    wrong = '7-CANARYwrongKEYnasjoinDoNotLeak'
    run = ansible.playbook(task(nas, tls, api_key=wrong), '-vvvv')
    assert run.rc != 0 and 'rejected the API key' in run.result['msg']
    assert wrong not in run.stdout + run.stderr


def test_no_secret_in_verbose_output(ansible, nas, tls):
    run = ansible.playbook(task(nas, tls), '-vvvv', '--diff')
    assert run.rc == 0
    assert API_KEY not in run.stdout + run.stderr
    assert API_KEY.split('-', 1)[1] not in run.stdout + run.stderr


def test_slow_reply_past_timeout_is_named(ansible, nas, tls):
    nas.faults.set('delay', seconds=3, method='network.configuration.config')
    run = ansible.playbook(task(nas, tls, timeout=1))
    assert run.rc != 0
    assert 'did not answer network.configuration.config in time' in run.result['msg']
    assert nas.counters()['writes'] == 0
