# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON over HTTPS for the Azure modules, with the one error handler and the bounded retry.

PRIVATE to the collection. Plain ``open_url`` (no Azure SDK). HTTP errors become
``AzureError`` through ``errors.from_http``; 429 and 503 are retried after the time Azure asks
for (``Retry-After``), at most ``MAX_RETRIES`` times and only when that wait is at most
``MAX_RETRY_WAIT`` seconds, so a run never waits unbounded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlencode, urlsplit
from ansible.module_utils.urls import open_url

from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError, from_http

MAX_RETRIES = 3
MAX_RETRY_WAIT = 60
RETRYABLE = (429, 503)


def retry_after(headers, default):
    """Seconds from a ``Retry-After`` header (delta-seconds form), ``default`` when absent or unreadable."""
    value = headers.get('Retry-After') if headers is not None else None
    try:
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return default


def describe(method, url):
    """``GET https://host/path`` without the query, for messages."""
    parts = urlsplit(url)
    return '%s %s://%s%s' % (method, parts.scheme, parts.netloc, parts.path)


class Http:
    """One configured HTTPS client: certificate checks, CA file, timeout, retry policy."""

    def __init__(self, timeout=30, validate_certs=True, ca_path=None, sleep=time.sleep):
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.sleep = sleep
        self.retries = 0

    def request(self, method, url, headers=None, body=None, form=None):
        """Send one request; return ``(status, headers, data)`` with the JSON body decoded ({} when empty)."""
        headers = dict(headers or {}, Accept='application/json')
        data = None
        if form is not None:
            data, headers['Content-Type'] = urlencode(form), 'application/x-www-form-urlencoded'
        elif body is not None:
            data, headers['Content-Type'] = json.dumps(body), 'application/json'
        attempt = 0
        while True:
            try:
                return self._send(method, url, headers, data)
            except HTTPError as exc:
                status, reply = exc.code, _read(exc)
                wait = retry_after(exc.headers, 2 ** attempt)
                if status in RETRYABLE and attempt < MAX_RETRIES and wait <= MAX_RETRY_WAIT:
                    attempt += 1
                    self.retries += 1
                    self.sleep(wait)
                    continue
                error = from_http(describe(method, url), status, reply, retry_after(exc.headers, None))
                if status in RETRYABLE:
                    error.message += (' Gave up after %d retries.' % attempt if wait <= MAX_RETRY_WAIT else
                                      ' The requested wait of %d s is longer than the %d s this module waits.'
                                      % (wait, MAX_RETRY_WAIT))
                raise error

    def _send(self, method, url, headers, data):
        where = describe(method, url)
        try:
            response = open_url(url, data=data, headers=headers, method=method, timeout=self.timeout,
                                validate_certs=self.validate_certs, ca_path=self.ca_path, follow_redirects='none',
                                http_agent='nasjoin.entra')
            reply = response.read()
            status, reply_headers = response.getcode(), response.headers
        except HTTPError:
            raise
        except ssl.SSLError as exc:
            raise _tls_error(where, exc)
        except (socket.timeout, TimeoutError):
            raise AzureError('%s: no answer within %s s.' % (where, self.timeout), code='Timeout',
                             hint='raise timeout, or check the network path (proxy, firewall) to the endpoint.')
        except (URLError, OSError) as exc:
            reason = getattr(exc, 'reason', exc)
            if isinstance(reason, ssl.SSLError):
                raise _tls_error(where, reason)
            raise AzureError('%s: connection failed: %s.' % (where, reason), code='ConnectionError',
                             hint='check arm_endpoint / authority_url / cloud_environment and the network path '
                                  '(proxy, firewall) from the host that runs the module.')
        try:
            decoded = json.loads(reply) if reply else {}
        except ValueError:
            raise AzureError('%s: HTTP %s with a body that is not JSON.' % (where, status), status=status,
                             code='InvalidResponse', hint='check that the endpoint is Azure Resource Manager or the '
                                                          'Entra token endpoint (arm_endpoint, authority_url).')
        return status, reply_headers, decoded


def _read(exc):
    try:
        body = exc.read()
    except Exception:  # the error body is best effort only
        return ''
    return body.decode('utf-8', 'replace') if isinstance(body, bytes) else (body or '')


def _tls_error(where, exc):
    return AzureError('%s: TLS certificate or handshake failed: %s.' % (where, exc), code='SSLError',
                      hint='set ca_path (or REQUESTS_CA_BUNDLE) to the CA that signed the endpoint\'s certificate; '
                           'cert_validation_mode=ignore only for a lab.')
