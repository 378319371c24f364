"""The API modules run inside Ansible's worker when they would run on the controller's own Python
(plugins/plugin_utils/in_worker.py), and as AnsiballZ payloads otherwise: the same results either way, on the
ansible-core running the tests.

Each case runs the same play both ways against the same emulated NAS (a play that changes it, against two alike) and
compares every task result, the warnings and deprecations Ansible shows, and the exit code. One NAS release is
enough here: the other integration tests run every module in the worker against each release.
"""

import contextlib
import difflib
import json
import os
import re
import socket

import pytest
from truenas_emulator import Emulator
from truenas_emulator.directory_backend import FakeDirectory

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport
from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker_core import LIBRARY

from .conftest import API_KEY, API_USER, PERSONALITIES, request_log
from .test_ad_join import DOMAIN as JOINED_DOMAIN
from .test_ad_join import join_task, nas_of
from .test_entra_dns_config import DCS, DOMAIN, api_options, task
from .test_verify_idmap import verify_task

ANSIBALLZ = ('-e', 'entra_in_worker=false')
TIMES = ('elapsed', 'elapsed_ms', 'clock', 'clock_offset')  # how long a module or probe took, the NAS clock
PAYLOAD = re.compile(r'File "[^"]*/ansible_collections/')  # a frame's file: in the collection or in a payload
SECONDS = re.compile(r'\b[0-9]+\.[0-9]+ s\b')  # and in a message ("joined aaddscontoso.com in 0.1 s")
FLEET_RUN = re.compile(r'\bfleet-[0-9a-f]{12}\b')  # the name of a run of the fleet's DC probes
RELEASE = PERSONALITIES[-1]
DNS = ('nasjoin.entra.entra_dns_config',)
# a key for tasks that give it in their environment: AnsiballZ shows the environment at -vvv, so not a canary
ENVIRONMENT_KEY = '8-loopItemKeyGivenInTheTaskEnvironment'


@pytest.fixture
def nas(tls, tmp_path):
    """The emulated NAS of the newest release, with a second API key for tasks that give it in their environment."""
    emulator = Emulator(RELEASE, api_keys={API_USER: [API_KEY, ENVIRONMENT_KEY]}, hostname='nas1', request_log=request_log(),
                        interfaces=[{'name': 'eth0', 'ipv4': ['192.0.2.20/24']}])
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'middlewared.sock'))
    yield emulator
    emulator.stop()


@pytest.fixture
def domain_twins(tls, tmp_path):
    """Two emulated NAS of the newest release, each pointed at a scripted domain of its own: one for each way of a
    play that changes them."""
    with contextlib.ExitStack() as stack:
        twins = []
        for name in ('worker', 'ansiballz'):
            (tmp_path / name).mkdir()
            twins.append(stack.enter_context(contextlib.contextmanager(nas_of)(FakeDirectory(), RELEASE, tls, tmp_path / name)))
        yield twins


def comparable(value):
    """``value`` without what differs between any two runs: the time things took and the clock, the name of a fleet
    probe run, where a module's file is (an AnsiballZ payload or the collection), the frames of a process's traceback
    (the payload's wrapper against the worker's)."""
    if isinstance(value, dict):
        return dict((key, 'time' if key in TIMES else comparable(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [comparable(item) for item in value]
    if isinstance(value, str) and value.startswith('Traceback (most recent call last):'):
        return value.strip().splitlines()[-1]
    if isinstance(value, str):
        return PAYLOAD.sub('File "ansible_collections/', FLEET_RUN.sub('fleet-RUN', SECONDS.sub('N s', value)))
    return value


def difference(worker, ansiballz):
    """Where the results of the two ways differ."""
    lines = [json.dumps(comparable(run.results), indent=1, sort_keys=True).splitlines() for run in (worker, ansiballz)]
    return '\n'.join(difflib.unified_diff(*lines, 'worker', 'ansiballz', lineterm=''))


def shown(run):
    """The warnings and deprecations Ansible showed."""
    return sorted(line for line in (run.stdout + run.stderr).splitlines() if line.startswith(('[WARNING]', '[DEPRECATION')))


def both_ways(ansible, tasks, *args, modules=DNS, env=None, twin=None):
    """The play run in the worker, then as AnsiballZ payloads (which way each module took is read from the -vvvv
    output); the worker's run. ``twin``: the play for AnsiballZ against another NAS, and that NAS's URL, read as the
    first one's in its results."""
    worker = ansible.playbook(tasks, *args, env=env)
    ansiballz = ansible.playbook(twin[0] if twin else tasks, *(args + ANSIBALLZ), env=env)
    if twin:
        ansiballz.results = json.loads(json.dumps(ansiballz.results).replace(twin[1], twin[2]))
    for module in modules:
        payload = 'AnsiballZ_%s' % module.rsplit('.', 1)[1]
        assert '%s runs in the worker' % module in worker.stdout and payload not in worker.stdout, worker.stdout
        assert payload in ansiballz.stdout and '%s runs in the worker' % module not in ansiballz.stdout, ansiballz.stdout
    assert worker.results and comparable(worker.results) == comparable(ansiballz.results), difference(worker, ansiballz)
    assert shown(worker) == shown(ansiballz)
    assert worker.rc == ansiballz.rc
    return worker


def registered(name, body):
    """A task registering its result as ``name``, then one showing it (a registered result keeps its warnings)."""
    return body.replace('    - name: ', '    - register: %s\n      name: ' % name, 1) + (
        '    - name: show %s\n      ansible.builtin.debug:\n        var: %s\n' % (name, name))


def test_check_mode_and_diff_the_same_and_nothing_written(ansible, nas, tls):
    before = dict(nas.network_config)
    run = both_ways(ansible, task(nas, tls), '--check', '--diff')
    assert run.rc == 0 and run.changed == 1
    assert run.result['diff']['after']['domain'] == DOMAIN
    assert 'network.configuration.update' not in nas.counters()['by_method']
    assert nas.network_config == before


def test_converged_result_the_same_and_one_login_each(ansible, nas, tls):
    first = ansible.playbook(task(nas, tls))
    assert first.rc == 0 and first.changed == 1 and 'entra_dns_config runs in the worker' in first.stdout
    assert nas.network_config['domain'] == DOMAIN
    nas.reset_counters()
    run = both_ways(ansible, task(nas, tls))
    assert run.rc == 0 and run.changed == 0
    seen = nas.counters()
    assert seen['connections'] == 2 and seen['logins_ok'] == 2 and seen['writes'] == 0


@pytest.mark.parametrize('inject', [True, False], ids=['inject_invocation', 'core-default'])
def test_invocation_as_the_core_gives_it_and_the_secret_masked(ansible, nas, tls, inject):
    """ansible-core 2.21 adds ``invocation`` only with inject_invocation (older cores always do): the worker too."""
    run = both_ways(ansible, task(nas, tls), '--check', env={'ANSIBLE_INJECT_INVOCATION': str(inject)})
    if inject:
        assert run.result['invocation']['module_args']['api_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert API_KEY not in json.dumps(run.results)


def test_wrong_key_fails_the_same(ansible, nas, tls):
    wrong = '7-CANARYwrongKEYnasjoinDoNotLeak'
    run = both_ways(ansible, task(nas, tls, api_key=wrong))
    assert run.rc == 2 and 'rejected the API key' in run.result['msg']
    assert wrong not in run.stdout + run.stderr
    assert nas.counters()['writes'] == 0


def test_bad_input_of_each_module_fails_the_same_before_any_call(ansible, nas, tls):
    options = api_options(nas, tls)
    tasks = ''.join('''    - name: %s with a bad input
      nasjoin.entra.%s:
%s%s      ignore_errors: true
''' % (module, module, body, options) for module, body in [
        ('entra_dns_config', '        domain: %s\n        nameservers: ["198.51.100.10", "not-an-address"]\n' % DOMAIN),
        ('entra_connectivity', '        domain: %s\n        dc_ips: ["127.0.0.1"]\n' % DOMAIN),
        ('ad_join', '        domain: %s\n        username: aaddsadmin@%s\n        password: Not-the-join-password1\n'
         '        hostname: nas-0123456789abc\n' % (DOMAIN, DOMAIN)),
        ('verify_idmap', '        users: ["alice)(uid=*"]\n')])
    modules = ('nasjoin.entra.entra_dns_config', 'nasjoin.entra.entra_connectivity', 'nasjoin.entra.ad_join',
               'nasjoin.entra.verify_idmap')
    run = both_ways(ansible, tasks, modules=modules)
    assert [status for dummy, status, dummy in run.results] == ['FAILED!'] * 4
    assert [words in result['msg'] for (dummy, dummy, result), words in zip(run.results, [
        'not-an-address', '127.0.0.1 is a loopback', 'may not exceed 15', 'users[0]:'])] == [True] * 4
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


def test_async_runs_as_ansiballz(ansible, nas, tls):
    run = ansible.playbook(task(nas, tls).replace('    - name: ', '    - async: 60\n      poll: 1\n      name: ', 1), '--check')
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    assert 'AnsiballZ_entra_dns_config' in run.stdout and 'runs in the worker' not in run.stdout
    assert run.result['finished'] and run.result['config']['domain'] == DOMAIN


@pytest.fixture
def nas3(tls):
    """A second emulated NAS, with an API key of its own: (the path of its request log, the emulator)."""
    log = request_log()
    emulator = Emulator(RELEASE, api_keys={API_USER: '9-nas3OwnKeyNeverGivenHere'}, hostname='nas3', request_log=log)
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'])
    yield log, emulator
    emulator.stop()


def test_a_loop_item_gets_only_its_own_environment(ansible, nas, nas3, tls):
    """The items of a loop share one worker: item 1's environment holds nas1's API key, item 2 (aimed at nas3) has
    none, so it fails before sending anything, as it does as AnsiballZ, and nas3 never hears of the task."""
    log, other = nas3
    items = [{'url': nas.url, 'environment': {'TRUENAS_API_KEY': ENVIRONMENT_KEY}}, {'url': other.url, 'environment': {}}]
    tasks = '''    - name: network settings of two NAS, each item's API key from its own environment
      nasjoin.entra.entra_dns_config:
        domain: %s
        nameservers: %s
        verify: false
        api_url: "{{ item.url }}"
        api_username: %s
        ca_path: %s
      environment: "{{ item.environment }}"
      loop: %s
''' % (DOMAIN, json.dumps(DCS), API_USER, tls['ca'], json.dumps(items))
    run = both_ways(ansible, tasks, '--check')
    first, second = run.result['results']
    assert run.rc == 2 and first['changed'] is True and 'error' not in first
    assert second['error']['errname'] == 'ENOTAUTHENTICATED' and second['msg'].startswith('no api_key given for %s' % other.url)
    assert not os.path.exists(log) and other.counters()['connections'] == 0
    assert nas.counters()['logins_ok'] == 2


def join_verify_leave(nas, tls):
    """A play that joins ``nas``, verifies its id mapping and disables the directory service without credentials."""
    leave = join_task(nas, tls, state='absent', username=None, password=None).replace('name: join', 'name: leave')
    return ''.join([registered('joined', join_task(nas, tls, hostname='nas1')),
                    registered('verified', verify_task(nas, tls, domain=JOINED_DOMAIN)), registered('left', leave)])


def test_join_verify_and_leave_the_same_with_the_same_warning(ansible, domain_twins, tls):
    """The directory service disabled without leave credentials warns; the worker's result keeps the warning too."""
    first, second = domain_twins
    run = both_ways(ansible, join_verify_leave(first, tls), modules=('nasjoin.entra.ad_join', 'nasjoin.entra.verify_idmap'),
                    twin=(join_verify_leave(second, tls), second.url, first.url))
    assert run.rc == 0, run.stdout + run.stderr
    results = dict(item for dummy, dummy, body in run.results for item in body.items() if item[0] in ('joined', 'verified', 'left'))
    assert results['joined']['changed'] is True and results['verified']['summary']['fail'] == 0
    assert len(results['left']['warnings']) == 1 and 'directory service disabled only' in results['left']['warnings'][0]


def own_address():
    """An IPv4 address of this machine that is not a loopback: its ports refuse at once, every time."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(('203.0.113.1', 9))  # UDP: only picks the route and the source address, sends nothing
        return probe.getsockname()[0]


def test_connectivity_probes_and_a_nas_run_from_them_the_same(ansible, nas, tls):
    """The fleet's DC probes, then a NAS's run from them, with this machine as the DC and the NAS's nameserver."""
    address = own_address()
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client:
        client.call('network.configuration.update', {'nameserver1': address})
    tasks = registered('probes', '''    - name: the DC probes, once for the fleet
      nasjoin.entra.entra_connectivity:
        domain: %s
        dc_ips: ["%s"]
        probes_only: true
''' % (JOINED_DOMAIN, address)) + '''    - name: one NAS from the fleet probes
      nasjoin.entra.entra_connectivity:
        domain: %s
        dc_ips: ["%s"]
        fail_on: never
        fleet_probes: "{{ probes.fleet_probes }}"
%s''' % (JOINED_DOMAIN, address, api_options(nas, tls))
    run = both_ways(ansible, tasks, modules=('nasjoin.entra.entra_connectivity',))
    assert run.rc == 0, run.stdout + run.stderr
    assert run.result['dc_probes']['shared'] is True and run.result['nas']['nameservers'] == [address]
    assert run.result['summary']['fail'] > 0 and 'refused' in run.result['msg']


BOOM = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(end=dict(type='str')))
    if module.params['end'] == 'raise':
        raise KeyError('nameserver1')
    if module.params['end'] == 'warn':
        module.warn('boom warns')
        module.deprecate('boom deprecates', version='2.0.0', collection_name='nasjoin_test.boom')
        module.exit_json(changed=False)


if __name__ == '__main__':
    main()
'''
ACTION = 'from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker import ActionModule  # noqa: F401\n'


@pytest.fixture
def boom(tmp_path):
    """A collection whose module ``boom`` (with the API modules' action) raises, warns and deprecates, or ends
    without a result; the environment that finds it."""
    root = tmp_path / 'boom-collection'
    plugins = root / 'ansible_collections' / 'nasjoin_test' / 'boom' / 'plugins'
    for path, text in [('modules/boom.py', BOOM), ('action/boom.py', ACTION)]:
        (plugins / path).parent.mkdir(parents=True, exist_ok=True)
        (plugins / path).write_text(text)
    return {'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join([str(root), LIBRARY])}


def test_an_unexpected_exception_and_a_missing_result_fail_the_same(ansible, boom):
    tasks = '''    - name: a module that ends in each way
      nasjoin_test.boom.boom:
        end: "{{ item }}"
      loop: [raise, warn, return]
      register: ended
      ignore_errors: true
    - name: show them
      ansible.builtin.debug:
        var: ended
'''
    run = both_ways(ansible, tasks, modules=('nasjoin_test.boom.boom',), env=boom)
    ended = run.result['ended']
    raised, dummy, returned = ended['results']
    assert raised['failed'] is True and ('nameserver1' in raised['msg'] or raised['exception'].endswith("KeyError: 'nameserver1'\n"))
    assert ended['warnings'] == ['boom warns'] and [entry['msg'] for entry in ended['deprecations']] == ['boom deprecates']
    assert returned['failed'] is True and 'did not handle its own exit' in returned['msg']
