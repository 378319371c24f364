# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure modules' session: options, credential, token and the Resource Manager client, for the one driver.

PRIVATE to the collection. Mirrors doc fragment ``nasjoin.entra.azure`` (auth and resource options).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.nasjoin.entra.plugins.module_utils import _ca_file
from ansible_collections.nasjoin.entra.plugins.module_utils._azure import auth
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.arm import ArmClient
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.domain_service import DEFAULT_API_VERSION, resource_path
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.http import Http
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import MissingLibrary
from ansible_collections.nasjoin.entra.plugins.module_utils._module import drive

RESOURCE_SPEC = dict(
    resource_group=dict(type='str', required=True),
    name=dict(type='str', required=True),
    api_version=dict(type='str', default=DEFAULT_API_VERSION),
)


@contextmanager
def session(module, connection):
    """The ARM client of the managed domain resource (``client.resource``); ``connection`` gets the endpoint, API
    version, authentication kind, resource id, and at the end the throttled replies retried and operation polls."""
    params = module.params
    http = client = None
    try:
        connection.update(endpoint=auth.endpoints(params)[0], api_version=params['api_version'])
        if params['ca_path']:
            _ca_file.ca_file(params['ca_path'], 'ca_path')
        http = Http(params['timeout'], params['cert_validation_mode'] == 'validate', params['ca_path'])
        cred = auth.credential(params)
        connection['auth'] = cred['kind']
        if cred['kind'] == 'certificate' and not auth.HAS_CRYPTOGRAPHY:
            raise MissingLibrary('cryptography', reason='for certificate authentication')
        client = ArmClient(http, connection['endpoint'], auth.access_token(http, params, cred), params['api_version'])
        client.resource = connection['resource_id'] = resource_path(cred['subscription_id'], params['resource_group'],
                                                                    params['name'])
        yield client
    finally:
        connection.update(retries=http.retries if http else 0, polls=client.polls if client else 0)


def run_azure_module(spec, logic):
    """An Azure module: ``spec`` plus the Azure options; ``logic(module, client)`` gets the ARM client."""
    argument_spec = dict(auth.AUTH_SPEC)
    argument_spec.update(RESOURCE_SPEC)
    argument_spec.update(spec)
    drive(argument_spec, session, logic)
