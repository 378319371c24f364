# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One exception type for everything that goes wrong between a module and Azure.

PRIVATE to the collection. HTTP errors of Azure Resource Manager and of the Entra token
endpoint, and transport faults, all become ``AzureError`` with a message that names the
request, the status, Azure's own code and text, and a hint.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.nasjoin.entra.plugins.module_utils._errors import NasjoinError

_HINTS = {
    401: 'the token was refused: check tenant, client_id and the credential (secret, certificate or managed identity), '
         'and that arm_endpoint and the token authority belong to the same cloud.',
    403: 'the principal lacks an Azure role on the resource: Reader (or any role with Microsoft.AAD/domainServices/read) '
         'to read, Domain Services Contributor to change settings; assign it on the resource or its resource group.',
    404: 'check subscription_id, resource_group and name (the managed domain resource, usually named like the domain); '
         'the principal may also see nothing because it has no role in that subscription.',
    429: 'Azure throttled the requests; wait for the time Azure asked for and run again, with fewer concurrent runs.',
}


class AzureError(NasjoinError):
    """A failed request to Azure, with a message a person can act on (never a secret or a token)."""

    def __init__(self, message, status=None, code=None, hint=None, retry_after=None):
        super(AzureError, self).__init__(message, hint if hint is not None else _HINTS.get(status))
        self.status = status
        self.code = code
        self.retry_after = retry_after

    def result(self):
        """Structured data for ``fail_json``."""
        return {'error': {'status': self.status, 'code': self.code, 'hint': self.hint, 'retry_after': self.retry_after}}


def _json(body):
    try:
        return json.loads(body) if body else {}
    except ValueError:
        return {}


def from_http(what, status, body, retry_after=None):
    """An AzureError for an HTTP error reply; ``what`` names the request (method and path, no query)."""
    data = _json(body)
    error = data.get('error')
    if isinstance(error, dict):  # ARM: {"error": {"code", "message"}}
        code, text = error.get('code'), error.get('message')
    else:  # token endpoint: {"error": "invalid_client", "error_description": "AADSTS..."}
        code, text = error, data.get('error_description')
    text = (text or (body[:200] if isinstance(body, str) else '') or 'no reason given').strip()
    message = '%s failed with HTTP %s%s: %s' % (what, status, ' [%s]' % code if code else '', text)
    if retry_after is not None:
        message = '%s%s Azure asked to retry after %s s.' % (message, '' if message.endswith('.') else '.', retry_after)
    return AzureError(message, status=status, code=code, retry_after=retry_after)
