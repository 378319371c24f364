# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module's main() shares: argument spec, client, error handling, result.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nasjoin.entra.plugins.module_utils._directory.dns import HAS_DNSPYTHON
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.connection import CONNECTION_SPEC, client_for
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


def run_module(spec, logic, needs_dns=None, **module_kwargs):
    """Build the module from ``spec`` plus the connection options and run ``logic(module, client)``.

    ``logic`` returns the result dict (``failed=True`` in it fails the task with its ``msg``);
    ValueError means bad input (nothing was sent), TrueNASError a refused or broken call.
    """
    argument_spec = dict(CONNECTION_SPEC)
    argument_spec.update(spec)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    if needs_dns and needs_dns(module.params) and not HAS_DNSPYTHON:
        module.fail_json(msg=missing_required_lib('dnspython'))
    connection = {}
    try:
        client, connection = client_for(module)
        with client:
            result = logic(module, client)
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
