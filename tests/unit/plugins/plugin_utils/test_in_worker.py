"""When the API modules run in Ansible's worker, and when they run as AnsiballZ payloads (plugin_utils/in_worker.py);
the running core's ends of a module run (in_worker_core.py) and the process state put back after it
(in_worker_state.py)."""

import importlib
import locale
import os
import sys
import tempfile
from types import SimpleNamespace

import pytest
import yaml
from ansible.module_utils import basic
from ansible.module_utils.common import warnings

from ansible_collections.nasjoin.entra.plugins.plugin_utils import in_worker, in_worker_core
from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker import ActionModule, same_python
from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker_state import ProcessState


def test_same_python_is_the_controllers_own():
    assert same_python(sys.executable)


@pytest.mark.parametrize('interpreter', ['', None, '/nonexistent/bin/python3', 'python3'])
def test_other_or_missing_interpreter_is_not_the_same(interpreter):
    assert not same_python(interpreter)


def test_same_binary_from_another_directory_is_another_environment(tmp_path):
    link = tmp_path / 'python3'
    os.symlink(sys.executable, str(link))
    assert os.path.samefile(str(link), sys.executable)
    assert not same_python(str(link))


class Display:
    """Records what the plugin says at -vvv."""

    def __init__(self):
        self.said = []

    def vvv(self, msg):
        self.said.append(msg)


def action(transport='local', become=False, async_val=0, delegate_to=None, args=None):
    """An ActionModule with what run() reads; the templar returns what it is given."""
    plugin = ActionModule.__new__(ActionModule)
    plugin._connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir=None))
    plugin._play_context = SimpleNamespace(become=become)
    plugin._task = SimpleNamespace(async_val=async_val, delegate_to=delegate_to, check_mode=False, args=dict(args or {}),
                                   action='fake', resolved_action='nasjoin.entra.fake')
    plugin._templar = SimpleNamespace(template=lambda value: value)
    plugin._display = Display()
    plugin._used_interpreter = None
    return plugin


HERE = {'ansible_python_interpreter': sys.executable}


def test_local_connection_with_the_controllers_python_runs_in_the_worker():
    assert action()._runs_here(dict(HERE)) and action()._wanted(dict(HERE))
    assert action()._wanted(dict(HERE, entra_in_worker='yes'))


@pytest.mark.parametrize('plugin, task_vars', [
    (action(transport='ssh'), HERE),
    (action(become=True), HERE),
    (action(async_val=60), HERE),
    (action(delegate_to='localhost'), HERE),
    (action(), {}),
    (action(), {'ansible_python_interpreter': '/usr/bin/python3.99'}),
], ids=['ssh', 'become', 'async', 'delegated', 'interpreter-unset', 'other-python'])
def test_anything_else_runs_as_ansiballz(plugin, task_vars):
    assert not plugin._runs_here(task_vars)


@pytest.mark.parametrize('value', [False, 'false'])
def test_opted_out_runs_as_ansiballz(value):
    assert not action()._wanted(dict(HERE, entra_in_worker=value))


@pytest.mark.parametrize('value', ['maybe', 2, ''])
def test_an_opt_out_that_is_not_a_boolean_is_refused_by_name(value):
    with pytest.raises(in_worker.AnsibleActionFail, match='entra_in_worker must be true or false'):
        action()._wanted(dict(HERE, entra_in_worker=value))


def test_the_running_core_reads_a_module_output_as_its_execute_module_does():
    core = in_worker_core.for_action(action())
    result = core.read(0, 'noise before\n{"changed": true, "msg": "all set", "_ansible_no_log": false}\n', '')
    assert result['changed'] is True and result['msg'] == 'all set'
    assert not [key for key in result if key.startswith('_ansible_') and key != '_ansible_parsed']


@pytest.mark.parametrize('name', ['ad_join', 'entra_connectivity', 'entra_dns_config', 'verify_idmap'])
def test_the_api_modules_return_nothing_else_execute_module_changes(name):
    """in_worker_core.py cleans a result as _execute_module does but for stdout, stderr and results (split into
    lines, renamed): keys the API modules do not return."""
    returned = yaml.safe_load(importlib.import_module('ansible_collections.nasjoin.entra.plugins.modules.' + name).RETURN)
    assert not set(returned) & {'stdout', 'stderr', 'results'}


def without_private_names(monkeypatch):
    """Every private name in_worker_core.py reads, gone, as a core that dropped them would have it."""
    from ansible.vars import clean
    monkeypatch.delattr(clean, 'remove_internal_keys', raising=False)
    try:
        from ansible.module_utils._internal._ansiballz import _loader
    except ImportError:
        return
    monkeypatch.delattr(_loader, 'run_module')


@pytest.mark.parametrize('breakage', [
    without_private_names,
    lambda monkeypatch: monkeypatch.setattr(ActionModule, '_parse_returned_data', lambda self, res, profile=None, extra=None: None),
    lambda monkeypatch: monkeypatch.setattr(ActionModule, '_parse_returned_data', lambda self, res, *args: object()),
    lambda monkeypatch: monkeypatch.setattr(ActionModule, '_parse_returned_data', lambda self: {}),
], ids=['private-names', 'result-none', 'result-unknown', 'signature'])
def test_a_core_the_in_worker_path_does_not_know_runs_the_module_as_ansiballz(monkeypatch, breakage):
    breakage(monkeypatch)
    with pytest.raises(in_worker_core.Unsupported):
        in_worker_core.for_action(action())
    monkeypatch.setattr(in_worker.NormalAction, 'run', lambda self, tmp=None, task_vars=None: {'ran': 'as AnsiballZ'})
    plugin = action()
    assert plugin.run(task_vars=dict(HERE)) == {'ran': 'as AnsiballZ'}
    assert len(plugin._display.said) == 1 and plugin._display.said[0].startswith(
        'nasjoin.entra.fake runs as AnsiballZ: no in-worker path on ansible-core %s (Unsupported: ' % in_worker.core_version)


FAKE = '''import os
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(domain=dict(), end=dict(default='exit')), supports_check_mode=True)
    if module.params['end'] == 'raise':
        raise KeyError('nameserver1')
    if module.params['end'] == 'exit':
        module.exit_json(changed=False, domain=module.params['domain'], check_mode=module.check_mode,
                         environment=os.environ.get('NASJOIN_FAKE'), tmpdir=module.tmpdir)


if __name__ == '__main__':
    main()
'''


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """A module ``nasjoin_fake_module`` that reads its arguments as the API modules do and exits, raises or returns
    without a result (``end``); its result says what it saw."""
    (tmp_path / 'nasjoin_fake_module.py').write_text(FAKE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return 'nasjoin_fake_module'


def run_fake(fqn, end, environment=None):
    """The fake module run as the plugin runs a module, in a fresh process state put back afterwards: its result."""
    plugin = action()
    core, state = in_worker_core.for_action(plugin), ProcessState(tempfile.gettempdir())
    module_args = {'domain': 'aaddscontoso.com', 'end': end, '_ansible_check_mode': True, '_ansible_tmpdir': state.tmpdir}
    try:
        state.fresh(environment or {})
        output = plugin._start(core, fqn, core.arguments(module_args))
    finally:
        state.restore()
    return core.read(*output), state.tmpdir


def test_the_module_gets_its_arguments_and_environment_and_its_result_is_read(fake_module, monkeypatch):
    monkeypatch.delenv('NASJOIN_FAKE', raising=False)
    result, tmpdir = run_fake(fake_module, 'exit', {'NASJOIN_FAKE': 'from the task'})
    assert result['domain'] == 'aaddscontoso.com' and result['check_mode'] is True and result['changed'] is False
    assert result['environment'] == 'from the task' and 'NASJOIN_FAKE' not in os.environ
    assert result['tmpdir'] == tmpdir and not os.path.exists(tmpdir)


def test_an_unexpected_exception_fails_as_the_module_process_would(fake_module):
    result, dummy = run_fake(fake_module, 'raise')
    assert result['failed'] is True
    if 'module_stderr' in result:  # ansible-core 2.17, 2.18: the traceback the process ended with
        assert result['msg'].startswith('MODULE FAILURE') and result['exception'].endswith("KeyError: 'nameserver1'\n")
        assert result['rc'] == 1 and result['module_stdout'] == ''
    else:  # 2.19+: the AnsiballZ loader's failure result, whose message the task executor shows
        assert "'nameserver1'" in str(result['exception'])


def test_a_module_that_returns_without_a_result_fails(fake_module):
    result, dummy = run_fake(fake_module, 'return')
    assert result['failed'] is True and 'did not handle its own exit' in str(result.get('msg', result.get('exception')))


def test_a_run_starts_fresh_and_everything_is_put_back(tmp_path, monkeypatch):
    monkeypatch.setenv('NASJOIN_KEPT', 'before')
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', b'before')
    monkeypatch.setattr(warnings, '_global_warnings', warnings._global_warnings)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    cwd, settings, recorded = os.getcwd(), locale.setlocale(locale.LC_ALL), warnings._global_warnings
    state = ProcessState(str(tmp_path))
    state.fresh({'NASJOIN_ADDED': 'by the task', 'NASJOIN_KEPT': 'by the task'})
    assert os.environ['NASJOIN_ADDED'] == os.environ['NASJOIN_KEPT'] == 'by the task'
    assert not warnings._global_warnings and warnings._global_warnings is not recorded and tempfile.tempdir is None
    os.environ['NASJOIN_MODULE'] = 'set by the module'
    os.chdir(state.tmpdir)
    basic._ANSIBLE_ARGS, basic._ANSIBLE_NASJOIN = b'during', 'a global of a newer core'
    locale.setlocale(locale.LC_ALL, 'C')
    state.restore()
    assert os.environ['NASJOIN_KEPT'] == 'before' and 'NASJOIN_ADDED' not in os.environ and 'NASJOIN_MODULE' not in os.environ
    assert os.getcwd() == cwd and locale.setlocale(locale.LC_ALL) == settings
    assert basic._ANSIBLE_ARGS == b'before' and not hasattr(basic, '_ANSIBLE_NASJOIN')
    assert warnings._global_warnings is recorded and tempfile.tempdir == str(tmp_path)
    assert not os.path.exists(state.tmpdir)


class FakeCore:
    """Ends of a module run that record what the plugin hands them."""

    def __init__(self, fail=None):
        self.fail, self.seen = fail, {}

    def arguments(self, module_args):
        self.seen['arguments'] = module_args
        if self.fail:
            raise self.fail
        return b'{}'

    def start(self, fqn, arguments):
        self.seen.update(fqn=fqn, environment=os.environ.get('NASJOIN_FAKE'))
        print('{"changed": false}')
        sys.exit(0)

    def read(self, rc, stdout, stderr):
        return {'rc': rc, 'stdout': stdout}


@pytest.fixture
def worker_action(monkeypatch):
    """run() of an action that runs here, with a FakeCore: (the plugin, the core)."""
    core = FakeCore()
    monkeypatch.setattr(in_worker_core, 'for_action', lambda plugin: core)
    monkeypatch.delenv('NASJOIN_FAKE', raising=False)
    plugin = action(args={'domain': 'aaddscontoso.com'})
    plugin._update_module_args = lambda name, module_args, task_vars: module_args.update(_ansible_tmpdir=None)
    plugin._compute_environment_string = lambda environment: environment.update(NASJOIN_FAKE=42) or ''
    return plugin, core


def test_run_hands_the_module_its_arguments_environment_and_a_temporary_directory(worker_action):
    plugin, core = worker_action
    result = plugin.run(task_vars=dict(HERE))
    assert result == {'rc': 0, 'stdout': '{"changed": false}\n'}
    assert core.seen['fqn'] == 'ansible_collections.nasjoin.entra.plugins.modules.fake' and core.seen['environment'] == '42'
    tmpdir = core.seen['arguments'].pop('_ansible_tmpdir')
    assert core.seen['arguments'] == {'domain': 'aaddscontoso.com'} and not os.path.exists(tmpdir)
    assert plugin._display.said == ['nasjoin.entra.fake runs in the worker, on %s' % sys.executable]
    assert 'NASJOIN_FAKE' not in os.environ and plugin._task.args == {'domain': 'aaddscontoso.com'}


def test_an_error_of_the_run_itself_fails_the_task_with_everything_put_back(worker_action):
    plugin, core = worker_action
    core.fail = TypeError('Object of type Secret is not JSON serializable')
    with pytest.raises(TypeError, match='not JSON serializable'):
        plugin.run(task_vars=dict(HERE))
    assert 'NASJOIN_FAKE' not in os.environ and not os.path.exists(core.seen['arguments']['_ansible_tmpdir'])
