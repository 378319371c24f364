# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Resource Manager calls: GET, and PATCH with long-running operation polling.

PRIVATE to the collection. A PATCH that ARM accepts with 202 is followed through its
``Azure-AsyncOperation`` status URL (or ``Location`` when that is all ARM gives) until it
succeeds, fails or ``wait_timeout`` passes, waiting as long as each reply's ``Retry-After`` asks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.http import describe, retry_after

DEFAULT_POLL = 10
TERMINAL = ('succeeded', 'failed', 'canceled')


class ArmClient:
    """Resource Manager at ``endpoint`` with one bearer token and one API version; ``resource``: the path of the
    resource the module works on (set by the session)."""

    def __init__(self, http, endpoint, token, api_version, clock=time.monotonic):
        self.http = http
        self.endpoint = endpoint
        self.headers = {'Authorization': 'Bearer ' + token}
        self.api_version = api_version
        self.clock = clock
        self.polls = 0
        self.resource = None

    def url(self, path):
        return '%s%s?api-version=%s' % (self.endpoint, path, self.api_version)

    def get(self, path):
        return self.http.request('GET', self.url(path), headers=self.headers)[2]

    def patch(self, path, body, wait_timeout):
        """PATCH ``body``; return the resource as ARM holds it once the operation has finished, or None
        when ``wait_timeout`` is None and the operation goes on in the background."""
        status, headers, data = self.http.request('PATCH', self.url(path), headers=self.headers, body=body)
        if status == 202 or _state(data) not in TERMINAL + ('',):
            if wait_timeout is None:
                return None
            self._wait(path, headers, wait_timeout)
            return self.get(path)
        if _state(data) in ('failed', 'canceled'):
            raise AzureError('PATCH %s ended with provisioningState %s.' % (path, data['properties']['provisioningState']),
                             code='OperationFailed', hint='read the resource\'s health alerts in the Azure portal.')
        return data

    def _wait(self, path, headers, wait_timeout):
        """Poll the operation until it is terminal; AzureError when it fails or outlasts ``wait_timeout``."""
        operation, location = headers.get('Azure-AsyncOperation'), headers.get('Location')
        if not operation and not location:
            return
        deadline = self.clock() + wait_timeout
        delay = retry_after(headers, DEFAULT_POLL)
        while True:
            if self.clock() + delay > deadline:
                raise AzureError(
                    'the change of %s is still running after wait_timeout=%s s (%s).'
                    % (path, wait_timeout, describe('GET', operation or location)), code='OperationTimeout',
                    hint='the operation goes on in Azure; run the task again later (it only changes what still differs) '
                         'or raise wait_timeout. Entra Domain Services applies security settings in about 10 minutes.')
            self.http.sleep(delay)
            self.polls += 1
            status, reply_headers, data = self.http.request('GET', operation or location, headers=self.headers)
            delay = retry_after(reply_headers, DEFAULT_POLL)
            if operation:
                state = str(data.get('status', '')).lower()
                if state == 'succeeded':
                    return
                if state in ('failed', 'canceled'):
                    error = data.get('error') or {}
                    raise AzureError('the change of %s %s: %s%s' % (
                        path, state, error.get('message') or 'no reason given',
                        ' [%s]' % error['code'] if error.get('code') else ''), code=error.get('code') or 'OperationFailed',
                        hint='nothing may have changed; read the resource back, fix the cause and run again.')
            elif status != 202:
                return


def _state(resource):
    return str((resource.get('properties') or {}).get('provisioningState') or '').lower()
