# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the running ansible-core does on both ends of an AnsiballZ module run, for running a module in the worker.

In the module's process: ansible-core 2.19 and later start a module with the AnsiballZ loader's own ``run_module``
(the arguments and their serialization profile, the failure result of an exception); 2.17 and 2.18, whose wrapper no
longer changes, set ``basic._ANSIBLE_ARGS``, run the module as ``__main__`` and let an exception end the process
with its traceback on stderr. On the controller: the action's own ``_parse_returned_data``, then what that core's
``_execute_module`` does next (``remove_internal_keys`` on a dict up to 2.20, the result object's own methods on
2.21; the API modules return no ``stdout``, ``stderr`` or ``results``, the other keys it touches).

ansible-core's private modules and functions are imported here when a task asks for them, never when the action
plugin is loaded; anything this file does not know raises Unsupported, and the task runs as AnsiballZ.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import json
import os
import runpy
import sys

from ansible.module_utils import basic
from ansible.module_utils.common import json as module_json

PROFILE = 'legacy'  # the serialization profile ansible-core 2.19+ gives a module without METADATA, as ours are
LIBRARY = __file__.rsplit(os.sep + 'ansible_collections' + os.sep, 1)[0]  # where the collection's modules come from
PROBE = '{"changed": false, "nasjoin_probe": true}'


class Unsupported(Exception):
    """This ansible-core offers no in-worker path this collection knows."""


def for_action(action):
    """The running core's ends of a module run, bound to ``action``, after reading a probe result as a module's."""
    try:
        core = _Profiled(action) if hasattr(module_json, 'get_module_encoder') else _Legacy(action)
        probe = core.read(0, PROBE, '')
    except Exception as exc:
        raise Unsupported('%s: %s' % (type(exc).__name__, exc)) from exc
    if not isinstance(probe, dict) or probe.get('nasjoin_probe') is not True:
        raise Unsupported('a module result read as %r' % (probe,))
    return core


class _Legacy:
    """ansible-core 2.17 and 2.18."""

    def __init__(self, action):
        from ansible.vars.clean import remove_internal_keys
        self._clean, self._parse = remove_internal_keys, action._parse_returned_data

    @staticmethod
    def arguments(module_args):
        """The module's arguments as the AnsiballZ payload carries them."""
        return json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=module_json.AnsibleJSONEncoder, vault_to_text=True).encode('utf-8')

    @staticmethod
    def start(fqn, arguments):
        """What the AnsiballZ wrapper of these cores does, from handing over the arguments on."""
        basic._ANSIBLE_ARGS = arguments
        runpy.run_module(fqn, init_globals=dict(_module_fqn=fqn, _modlib_path=LIBRARY), run_name='__main__', alter_sys=True)
        print('{"msg": "New-style module did not handle its own exit", "failed": true}')
        sys.exit(1)

    def read(self, rc, stdout, stderr):
        """The module's result, as the action's _execute_module gives it from the module process's output."""
        data = self._parse({'rc': rc, 'stdout': stdout, 'stderr': stderr})
        self._clean(data)
        return data


class _Profiled:
    """ansible-core 2.19 and later."""

    def __init__(self, action):
        from ansible.module_utils._internal._ansiballz import _loader
        self._encoder = module_json.get_module_encoder(PROFILE, module_json.Direction.CONTROLLER_TO_MODULE)
        self._run_module = _loader.run_module
        inspect.signature(self._run_module).bind(json_params=b'', profile=PROFILE, module_fqn='', modlib_path='', extensions={})
        self._parse = action._parse_returned_data

    def arguments(self, module_args):
        return json.dumps({'ANSIBLE_MODULE_ARGS': module_args}, cls=self._encoder).encode('utf-8')

    def start(self, fqn, arguments):
        self._run_module(json_params=arguments, profile=PROFILE, module_fqn=fqn, modlib_path=LIBRARY, extensions={})

    def read(self, rc, stdout, stderr):
        data = self._parse({'rc': rc, 'stdout': stdout, 'stderr': stderr}, PROFILE)
        if isinstance(data, dict):  # 2.19, 2.20
            from ansible.vars.clean import remove_internal_keys
            remove_internal_keys(data)
            return data
        data.remove_internal_keys()  # 2.21: a UnifiedTaskResult
        return data.as_result_dict(for_round_trip=True)
