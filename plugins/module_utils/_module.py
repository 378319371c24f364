# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's main() shares: argument spec, client, error handling, result.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nasjoin.entra.plugins.module_utils import _validate
from ansible_collections.nasjoin.entra.plugins.module_utils._directory.dns import HAS_DNSPYTHON
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.connection import client_for, connection_spec
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


def run_module(spec, logic, needs_dns=None, connects=None, **module_kwargs):
    """Build the module from ``spec`` plus the connection options and run ``logic(module, client)`` (client None when
    ``connects(params)`` says the run needs no NAS). When ``needs_dns(params)`` says the run may look names up and
    dnspython is missing, fail before anything is done.

    ``logic`` returns the result dict (``failed=True`` in it fails the task with its ``msg``);
    ValueError means bad input (nothing was sent; every int and float option is checked
    against ``_validate.LIMITS`` first), TrueNASError a refused or broken call.
    """
    given = _validate.given_params()
    argument_spec = connection_spec(given.get('api_url'))
    argument_spec.update(spec)
    argument_spec = _validate.infinite_as_float(given, argument_spec)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    if needs_dns and needs_dns(module.params) and not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib('dnspython', reason='for the DNS lookups'), changed=False)
    connection = {}
    try:
        _validate.numbers(module.params, argument_spec)
        if connects is None or connects(module.params):
            client, connection = client_for(module)
            with client:
                result = logic(module, client)
        else:
            result = logic(module, None)
    except ValueError as exc:
        module.fail_json(msg=str(exc), connection=connection, changed=False)
    except TrueNASError as exc:
        module.fail_json(msg=str(exc), connection=connection, changed=False, **exc.result())
    result['connection'] = connection
    if not module._diff:
        result.pop('diff', None)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
