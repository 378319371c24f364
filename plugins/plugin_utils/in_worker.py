# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of the API modules: run the module inside Ansible's worker when it would run on the controller anyway.

A module task whose connection is local, without become, async or delegation, and whose Python is the one running
Ansible, would start that same Python again to unpack an AnsiballZ payload. Here the worker runs the module itself,
as the payload would (in_worker_core.py: the same arguments, the internal ones included, the same start, its output
read the same way), in a process state put back after each run (in_worker_state.py). Any other task, any task with
``entra_in_worker: false``, and any task on a core whose in-worker path cannot be set up (said at -vvv) runs as
ansible.builtin.normal runs a module: as AnsiballZ.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import io
import os
import sys
import traceback

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.release import __version__ as core_version
from ansible.utils.vars import merge_hash

from ansible_collections.nasjoin.entra.plugins.plugin_utils import in_worker_core
from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker_state import ProcessState


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


class ActionModule(NormalAction):
    """Run the task's module in the worker when it would run on the controller's own Python, else as AnsiballZ."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        here = self._set_up(task_vars)
        if here is None:
            return super(ActionModule, self).run(tmp, task_vars)
        core, state, fqn = here
        try:
            result = ActionBase.run(self, tmp, task_vars)  # the checks ansible.builtin.normal makes
            module_args = dict(self._task.args)
            self._update_module_args(self._task.action, module_args, task_vars)
            module_args['_ansible_tmpdir'] = state.tmpdir
            environment = {}
            self._compute_environment_string(environment)  # the task's environment: keyword, as the module gets it
            self._display.vvv('%s runs in the worker, on %s' % (self._task.resolved_action, sys.executable))
            state.fresh(dict((str(key), str(value)) for key, value in environment.items()))
            output = self._start(core, fqn, core.arguments(module_args))
        finally:
            state.restore()
        return merge_hash(result, core.read(*output))

    def _set_up(self, task_vars):
        """(the core's ends of a module run, the process state to put back, the module's name) to run the task's
        module here, or None to run it as AnsiballZ."""
        if not self._wanted(task_vars):
            return None
        try:
            if not self._runs_here(task_vars):
                return None
            namespace, collection, name = self._task.resolved_action.split('.')
            core = in_worker_core.for_action(self)
            return core, ProcessState(C.DEFAULT_LOCAL_TMP), 'ansible_collections.%s.%s.plugins.modules.%s' % (
                namespace, collection, name)
        except Exception as exc:  # whatever this core does differently: the module runs as AnsiballZ
            self._display.vvv('%s runs as AnsiballZ: no in-worker path on ansible-core %s (%s: %s)' % (
                self._task.resolved_action, core_version, type(exc).__name__, exc))
            return None

    def _wanted(self, task_vars):
        """entra_in_worker, true unless set."""
        wanted = self._templar.template(task_vars.get('entra_in_worker', True))
        try:
            return boolean(wanted, strict=True)
        except TypeError:
            raise AnsibleActionFail('entra_in_worker must be true or false, not %r' % (wanted,)) from None

    def _runs_here(self, task_vars):
        """True when the module would run on the controller, as this user, with the Python running Ansible."""
        if self._connection.transport != 'local' or self._play_context.become:
            return False
        if self._task.async_val or self._task.delegate_to:
            return False
        return same_python(self._templar.template(task_vars.get('ansible_python_interpreter', '')))

    @staticmethod
    def _start(core, fqn, arguments):
        """Run module ``fqn`` as its own process would, its stdout and stderr captured: (rc, stdout, stderr)."""
        stdout, stderr, rc = io.StringIO(), io.StringIO(), 0
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                core.start(fqn, arguments)
            except SystemExit as exc:  # a module ends by exit_json or fail_json
                rc = exc.code or 0
            except Exception:  # what Python does when an exception ends a process
                traceback.print_exc()
                rc = 1
        return rc, stdout.getvalue(), stderr.getvalue()
