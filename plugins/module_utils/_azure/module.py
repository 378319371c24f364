# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Azure modules' main() shares: options, credential, token, client, errors, result.

PRIVATE to the collection. Mirrors doc fragment ``nasjoin.entra.azure`` (auth and resource options).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nasjoin.entra.plugins.module_utils import _validate
from ansible_collections.nasjoin.entra.plugins.module_utils._azure import auth
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.arm import ArmClient
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.domain_service import DEFAULT_API_VERSION, resource_path
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.http import Http

RESOURCE_SPEC = dict(
    resource_group=dict(type='str', required=True),
    name=dict(type='str', required=True),
    api_version=dict(type='str', default=DEFAULT_API_VERSION),
)


def run_azure_module(spec, logic):
    """Build the module from ``spec`` plus the Azure options and run ``logic(module, client, path)``.

    ``logic`` returns the result dict; ValueError means bad input (nothing was sent to Azure; the numbers and
    ca_path are checked first),
    AzureError a refused or broken request.
    """
    argument_spec = dict(auth.AUTH_SPEC)
    argument_spec.update(RESOURCE_SPEC)
    argument_spec.update(spec)
    argument_spec = _validate.infinite_as_float(_validate.given_params(), argument_spec)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    arm_endpoint = auth.endpoints(params)[0]
    connection = {'endpoint': arm_endpoint, 'api_version': params['api_version']}
    http = client = None
    try:
        _validate.numbers(params, argument_spec)
        if params['ca_path']:
            _validate.ca_file(params['ca_path'], 'ca_path')
        http = Http(params['timeout'], params['cert_validation_mode'] == 'validate', params['ca_path'])
        cred = auth.credential(params)
        connection['auth'] = cred['kind']
        if cred['kind'] == 'certificate' and not auth.HAS_CRYPTOGRAPHY:
            module.fail_json(msg=missing_required_lib('cryptography', reason='for certificate authentication'))
        client = ArmClient(http, arm_endpoint, auth.access_token(http, params, cred), params['api_version'])
        path = resource_path(cred['subscription_id'], params['resource_group'], params['name'])
        connection['resource_id'] = path
        result = logic(module, client, path)
    except ValueError as exc:
        module.fail_json(msg=str(exc), changed=False, connection=_counted(connection, http, client))
    except AzureError as exc:
        module.fail_json(msg=str(exc), changed=False, connection=_counted(connection, http, client), **exc.result())
    result['connection'] = _counted(connection, http, client)
    if not module._diff:
        result.pop('diff', None)
    module.exit_json(**result)


def _counted(connection, http, client):
    connection.update(retries=http.retries if http else 0, polls=client.polls if client else 0)
    return connection
