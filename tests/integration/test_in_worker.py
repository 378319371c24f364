"""The API modules run inside Ansible's worker when they would run on the controller's own Python
(plugins/plugin_utils/in_worker.py), and as AnsiballZ payloads otherwise: the same results either way.

Each case runs the same play both ways against the same emulated NAS and compares every task result.
"""

import json

from .conftest import API_KEY
from .test_entra_dns_config import DCS, DOMAIN, api_options, task

ANSIBALLZ = ('-e', 'entra_in_worker=false')
IN_WORKER = 'nasjoin.entra.entra_dns_config runs in the worker'


def both_ways(ansible, tasks, *args, env=None):
    """The play run in the worker, then as an AnsiballZ payload; which way each took is read from its -vvvv output."""
    worker = ansible.playbook(tasks, *args, env=env)
    ansiballz = ansible.playbook(tasks, *(args + ANSIBALLZ), env=env)
    assert IN_WORKER in worker.stdout and 'AnsiballZ_entra_dns_config' not in worker.stdout, worker.stdout
    assert 'AnsiballZ_entra_dns_config' in ansiballz.stdout and IN_WORKER not in ansiballz.stdout, ansiballz.stdout
    assert worker.results and worker.results == ansiballz.results
    assert worker.rc == ansiballz.rc
    return worker


def test_check_mode_and_diff_the_same_and_nothing_written(ansible, nas, tls):
    before = dict(nas.network_config)
    run = both_ways(ansible, task(nas, tls), '--check', '--diff')
    assert run.rc == 0 and run.changed == 1
    assert run.result['diff']['after']['domain'] == DOMAIN
    assert 'network.configuration.update' not in nas.counters()['by_method']
    assert nas.network_config == before


def test_converged_result_the_same_and_one_login_each(ansible, nas, tls):
    first = ansible.playbook(task(nas, tls))
    assert first.rc == 0 and first.changed == 1 and IN_WORKER in first.stdout
    assert nas.network_config['domain'] == DOMAIN
    nas.reset_counters()
    run = both_ways(ansible, task(nas, tls))
    assert run.rc == 0 and run.changed == 0
    seen = nas.counters()
    assert seen['connections'] == 2 and seen['logins_ok'] == 2 and seen['writes'] == 0


def test_secret_masked_the_same_in_the_invocation(ansible, nas, tls):
    run = both_ways(ansible, task(nas, tls), '--check')
    assert run.result['invocation']['module_args']['api_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert API_KEY not in json.dumps(run.results)


def test_wrong_key_fails_the_same(ansible, nas, tls):
    wrong = '7-CANARYwrongKEYnasjoinDoNotLeak'
    run = both_ways(ansible, task(nas, tls, api_key=wrong))
    assert run.rc == 2 and 'rejected the API key' in run.result['msg']
    assert wrong not in run.stdout + run.stderr
    assert nas.counters()['writes'] == 0


def test_bad_input_fails_the_same_before_any_call(ansible, nas, tls):
    run = both_ways(ansible, task(nas, tls, nameservers=['198.51.100.10', 'not-an-address']))
    assert run.rc == 2 and 'not-an-address' in run.result['msg']
    assert nas.counters()['connections'] == 0


def test_task_environment_reaches_the_module_in_the_worker(ansible, nas, tls):
    options = api_options(nas, tls).replace('        api_url: %s\n' % json.dumps(nas.url), '')
    tasks = '''    - name: network settings, the NAS URL from the task's environment
      nasjoin.entra.entra_dns_config:
        domain: %s
        nameservers: %s
        verify: false
%s      environment:
        TRUENAS_API_URL: %s
''' % (DOMAIN, json.dumps(DCS), options, nas.url)
    run = both_ways(ansible, tasks, '--check')
    assert run.rc == 0 and run.changed == 1
    assert run.result['connection']['url'] == nas.url
    assert nas.counters()['logins_ok'] == 2
