"""When the API modules run in Ansible's worker, and when they run as AnsiballZ payloads (plugin_utils/in_worker.py)."""

import os
import sys
from types import SimpleNamespace

import pytest

from ansible_collections.nasjoin.entra.plugins.plugin_utils import in_worker
from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker import ActionModule, same_python


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


def action(transport='local', become=False, async_val=0, delegate_to=None):
    """An ActionModule with just what _runs_here reads; the templar returns what it is given."""
    plugin = ActionModule.__new__(ActionModule)
    plugin._connection = SimpleNamespace(transport=transport)
    plugin._play_context = SimpleNamespace(become=become)
    plugin._task = SimpleNamespace(async_val=async_val, delegate_to=delegate_to)
    plugin._templar = SimpleNamespace(template=lambda value: value)
    return plugin


HERE = {'ansible_python_interpreter': sys.executable}


def test_local_connection_with_the_controllers_python_runs_in_the_worker():
    assert action()._runs_here(dict(HERE))
    assert action()._runs_here(dict(HERE, entra_in_worker='yes'))


@pytest.mark.parametrize('plugin, task_vars', [
    (action(transport='ssh'), HERE),
    (action(become=True), HERE),
    (action(async_val=60), HERE),
    (action(delegate_to='localhost'), HERE),
    (action(), dict(HERE, entra_in_worker=False)),
    (action(), dict(HERE, entra_in_worker='false')),
    (action(), {}),
    (action(), {'ansible_python_interpreter': '/usr/bin/python3.99'}),
], ids=['ssh', 'become', 'async', 'delegated', 'opted-out', 'opted-out-text', 'interpreter-unset', 'other-python'])
def test_anything_else_runs_as_ansiballz(plugin, task_vars):
    assert not plugin._runs_here(task_vars)


@pytest.mark.parametrize('value', ['maybe', 2, ''])
def test_an_opt_out_that_is_not_a_boolean_is_refused_by_name(value):
    with pytest.raises(in_worker.AnsibleActionFail, match='entra_in_worker must be true or false'):
        action()._runs_here(dict(HERE, entra_in_worker=value))


def test_older_ansible_core_runs_as_ansiballz(monkeypatch):
    monkeypatch.setattr(in_worker, 'get_module_encoder', None)
    assert not action()._runs_here(dict(HERE))


@pytest.fixture(autouse=True)
def module_globals(monkeypatch):
    """What a run in the worker sets (the module arguments, the task's environment) is undone after each test."""
    from ansible.module_utils import basic
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', None)
    monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', None)
    monkeypatch.setenv('NASJOIN_FAKE', 'unset')


def run_fake_module(monkeypatch, main, module_args=None):
    """_run_in_worker on a module whose main() is ``main``; what it returns, and the module arguments main() saw."""
    seen = {}
    real_import = in_worker.importlib.import_module

    def load(name, *args):
        if not name.endswith('.modules.fake'):
            return real_import(name, *args)
        seen['name'] = name
        return SimpleNamespace(main=lambda: main(seen))

    monkeypatch.setattr(in_worker.importlib, 'import_module', load)
    plugin = action()
    plugin._task.resolved_action = 'nasjoin.entra.fake'
    plugin._compute_environment_string = lambda environment: environment.update(NASJOIN_FAKE='from the task') or ''
    plugin._used_interpreter = None
    return plugin._run_in_worker(module_args or {'domain': 'aaddscontoso.com'}), seen


def exits_with(result, code):
    """A main() that reads its arguments as AnsibleModule does, prints ``result`` and exits with ``code``."""
    def main(seen):
        from ansible.module_utils import basic
        seen['args'] = basic._load_params()
        seen['environment'] = os.environ.get('NASJOIN_FAKE')
        print('{"changed": false, "_ansible_no_log": false, "msg": "%s"}' % result)
        sys.exit(code)
    return main


def test_the_module_gets_its_arguments_and_environment_and_its_result_is_parsed(monkeypatch):
    result, seen = run_fake_module(monkeypatch, exits_with('all set', 0))
    assert seen == {'name': 'ansible_collections.nasjoin.entra.plugins.modules.fake',
                    'args': {'domain': 'aaddscontoso.com'}, 'environment': 'from the task'}
    assert result['msg'] == 'all set' and result['changed'] is False
    assert '_ansible_no_log' not in result


def test_a_failed_module_result_is_kept(monkeypatch):
    result, dummy = run_fake_module(monkeypatch, exits_with('refused', 1))
    assert result['msg'] == 'refused'


def test_an_unexpected_exception_names_the_module_and_the_error(monkeypatch):
    def main(seen):
        raise KeyError('nameserver1')
    with pytest.raises(in_worker.AnsibleActionFail, match=r"nasjoin.entra.fake stopped on an unexpected KeyError: 'nameserver1'"):
        run_fake_module(monkeypatch, main)


def test_a_module_that_returns_without_a_result_fails(monkeypatch):
    with pytest.raises(in_worker.AnsibleActionFail, match='nasjoin.entra.fake returned without a result'):
        run_fake_module(monkeypatch, lambda seen: None)
