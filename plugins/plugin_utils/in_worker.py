# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of the API modules: run the module inside Ansible's worker when it would run on the controller anyway.

A module task whose connection is local, without become, async or delegation, and whose Python is the one running
Ansible, would start that same Python again to unpack and compile an AnsiballZ payload. Here the worker imports the
module (compiled once, cached as .pyc) and calls its main() with the same arguments Ansible would have sent, the
internal ones (check mode, diff, no_log) included, and reads its result the way Ansible reads a module's output.
Any other task, and any task with ``entra_in_worker: false``, runs as an ordinary module.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import importlib
import io
import json
import os
import sys

from ansible.errors import AnsibleActionFail
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.vars.clean import remove_internal_keys

try:  # ansible-core 2.19+: module arguments and results travel as a serialization profile
    from ansible.module_utils.common.json import Direction, get_module_encoder
except ImportError:  # older cores run the modules as AnsiballZ payloads only
    get_module_encoder = None

PROFILE = 'legacy'  # the collection's modules declare no metadata: Ansible sends them this profile


def same_python(interpreter):
    """True when ``interpreter`` is the Python running Ansible: the same binary, invoked from the same directory (so
    the same virtual environment and site-packages)."""
    if not interpreter:
        return False
    path = os.path.abspath(str(interpreter))
    try:
        return os.path.dirname(path) == os.path.dirname(os.path.abspath(sys.executable)) and os.path.samefile(
            path, sys.executable)
    except OSError:
        return False


class ActionModule(ActionBase):
    """Run the task's module in the worker when it would run on the controller's own Python, else as AnsiballZ."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        if not self._runs_here(task_vars):
            result.update(self._execute_module(task_vars=task_vars))
            return result
        module_args = dict(self._task.args)
        self._update_module_args(self._task.resolved_action, module_args, task_vars)
        self._display.vvv('%s runs in the worker, on %s' % (self._task.resolved_action, sys.executable))
        result.update(self._run_in_worker(module_args))
        return result

    def _runs_here(self, task_vars):
        """True when the module would run on the controller, as this user, with the Python running Ansible."""
        wanted = self._templar.template(task_vars.get('entra_in_worker', True))
        try:
            if not boolean(wanted, strict=True):
                return False
        except TypeError:
            raise AnsibleActionFail('entra_in_worker must be true or false, not %r' % (wanted,)) from None
        if get_module_encoder is None or self._connection.transport != 'local' or self._play_context.become:
            return False
        if self._task.async_val or self._task.delegate_to:
            return False
        return same_python(self._templar.template(task_vars.get('ansible_python_interpreter', '')))

    def _run_in_worker(self, module_args):
        """Call the module's main() with ``module_args``; its printed result parsed as Ansible parses a module's."""
        environment = {}
        self._compute_environment_string(environment)  # the task's environment: keyword, as the module process gets it
        os.environ.update((str(key), str(value)) for key, value in environment.items())
        encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=encoder))
        basic._ANSIBLE_PROFILE = PROFILE
        namespace, collection, name = self._task.resolved_action.split('.')
        stdout, stderr = io.StringIO(), io.StringIO()
        rc = None
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                importlib.import_module('ansible_collections.%s.%s.plugins.modules.%s' % (namespace, collection, name)).main()
            except SystemExit as exc:  # a module always ends by exit_json or fail_json
                rc = exc.code or 0
            except Exception as exc:
                raise AnsibleActionFail('%s stopped on an unexpected %s: %s' % (
                    self._task.resolved_action, type(exc).__name__, exc)) from exc
        if rc is None:
            raise AnsibleActionFail('%s returned without a result' % self._task.resolved_action)
        data = self._parse_returned_data({'rc': rc, 'stdout': stdout.getvalue(), 'stderr': stderr.getvalue()}, PROFILE)
        remove_internal_keys(data)
        return data
