# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""role_vars: check a host's variables of the collection's roles against their argument specs, on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.nasjoin.entra.plugins.module_utils import _arguments
from ansible_collections.nasjoin.entra.plugins.plugin_utils.role_numbers import out_of_range

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles')
STEPS = ['entra_network', 'entra_preflight', 'entra_join', 'entra_verify']


class ActionModule(ActionBase):
    """Validate the variables of several roles in one task: one message names every bad variable."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(('roles',))

    def _role_options(self, role):
        """The options of a role's main entry point, from its meta/argument_specs.yml (the parse Ansible caches)."""
        path = os.path.join(ROLES_DIR, role, 'meta', 'argument_specs.yml')
        if not os.path.isfile(path):
            raise AnsibleActionFail('roles: %s is not a role of nasjoin.entra with an argument spec; give some of: %s.'
                                    % (role, ', '.join(sorted(os.listdir(ROLES_DIR)))))
        return self._loader.load_from_file(path, cache='all')['argument_specs']['main'].get('options') or {}

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec={
            'roles': {'type': 'list', 'elements': 'str', 'default': STEPS},
        })
        options = {}
        for role in args['roles']:
            options.update(self._role_options(role))
        given = self._templar.template(dict((name, task_vars[name]) for name in options if name in task_vars))
        result.update(changed=False, roles=args['roles'])
        # numbers and types first: the spec validation fails on an infinite int without naming the variable, and takes
        # a list or a dict given for a string (a password) as its string form
        refused = out_of_range(given) + _arguments.wrong_types(given, options)
        errors = refused or ArgumentSpecValidator(options).validate(given, validate_role_argument_spec=True).error_messages
        result['argument_errors'] = errors
        if refused:
            result.update(failed=True, msg=' '.join(refused))
        elif errors:
            result.update(failed=True, msg='Validation of arguments failed:\n%s' % '\n'.join(errors))
        else:
            result['msg'] = 'The variables of %s are valid.' % ', '.join(args['roles'])
        return result
