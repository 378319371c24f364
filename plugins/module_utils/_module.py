# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one driver of every module: argument spec, session, error handling, result.

PRIVATE to the collection. A backend gives the session (the TrueNAS client here, Azure Resource Manager in
``_azure/session.py``); the driver does the rest the same way for every module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nasjoin.entra.plugins.module_utils import _arguments
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import HAS_DNSPYTHON
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import MissingLibrary, NasjoinError
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.connection import client_for, connection_spec


def drive(argument_spec, session, logic, given=None, **module_kwargs):
    """Build the module from ``argument_spec``, open ``session(module, connection)`` (a context manager that gives the
    client and fills ``connection``), run ``logic(module, client)`` and end the task with its result.

    ``logic`` returns the result dict (``failed=True`` in it fails the task with its ``msg``). ValueError is bad
    input (nothing was sent; every int and float option is checked against ``_arguments.LIMITS`` first),
    NasjoinError a failure with its message, hint and data: both fail the task, ``connection`` included. Any other
    exception is a defect of the collection: the task fails with its type and text, the traceback in ``exception``.
    """
    given = _arguments.given_params() if given is None else given
    argument_spec = _arguments.retyped_spec(given, argument_spec)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    connection = {}
    try:
        _arguments.numbers(module.params, argument_spec)
        with session(module, connection) as client:
            result = logic(module, client)
    except ValueError as exc:
        _end(module, {'msg': str(exc), 'changed': False}, connection, failed=True)
    except NasjoinError as exc:
        _end(module, dict({'changed': False}, **exc.result()), connection, failed=True, msg=str(exc))
    except Exception as exc:  # pylint: disable=broad-except  # a defect: reported like Ansible's own modules do
        module.fail_json(msg='%s: %s (a defect of nasjoin.entra: please report it with the exception below)'
                         % (type(exc).__name__, exc), exception=traceback.format_exc(), connection=connection,
                         changed=False)
    _end(module, result, connection)


def _end(module, result, connection, failed=False, **more):
    """End the task with ``result`` and ``connection`` (its diff only when asked for)."""
    result.update(more, connection=connection)
    if not module._diff:
        result.pop('diff', None)
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)


def run_module(spec, logic, needs_dns=None, connects=None, **module_kwargs):
    """A TrueNAS module: ``spec`` plus the connection options; ``logic(module, client)`` gets the NAS's client, or None
    when ``connects(params)`` says the run needs no NAS. When ``needs_dns(params)`` says the run may look names up and
    dnspython is missing, the run fails before anything is done."""
    given = _arguments.given_params()
    argument_spec = connection_spec(given.get('api_url'))
    argument_spec.update(spec)

    @contextmanager
    def session(module, connection):
        if needs_dns and needs_dns(module.params) and not HAS_DNSPYTHON:
            raise MissingLibrary('dnspython', reason='for the DNS lookups')
        if connects is not None and not connects(module.params):
            yield None
            return
        client, described = client_for(module)
        connection.update(described)
        try:
            with client:
                yield client
        finally:
            if 'url' in described:  # the API path the client settled on (TrueNAS 27 without api_username: an older one)
                connection['url'] = client.transport.url

    drive(argument_spec, session, logic, given, **module_kwargs)
