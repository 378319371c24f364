# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ways to reach the middleware: JSON-RPC over WebSocket (remote or local socket) and midclt.

PRIVATE to the collection. Each transport offers ``connect()``, ``request(method, params, timeout)`` and
``close()``; the JSON-RPC ones also ``next_notification(timeout)`` for job events (midclt waits for jobs
itself: ``runs_jobs``). Every transport fault leaves as TrueNASError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import http.client
import itertools
import json
import os
import socket
import ssl
import subprocess
from urllib.parse import urlsplit, urlunsplit

try:
    import websocket
    HAS_WEBSOCKET = True
except ImportError:
    HAS_WEBSOCKET = False

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError, from_rpc_error, printable

DEFAULT_SOCKET = '/var/run/middleware/middlewared.sock'
_VERSIONS_MAX = 65536  # bytes of the /api/versions answer read (a list of some tens of names)


@contextlib.contextmanager
def guarded(where, method=None):
    """Turn transport exceptions into TrueNASError naming ``where`` and what to do."""
    try:
        yield
    except TrueNASError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise TrueNASError(
            'TLS certificate of %s could not be verified: %s.' % (where, exc.verify_message or exc),
            method=method, errname='ESSLCERTVERIFICATIONERROR',
            hint='set ca_path to the CA that signed the NAS certificate (the certificate must name the host in api_url); '
                 'validate_certs=false only for a lab.')
    except ssl.SSLError as exc:
        raise TrueNASError('TLS handshake with %s failed: %s.' % (where, exc), method=method, errname='ESSL',
                           hint='check that api_url points at the TrueNAS web interface port and that it speaks TLS 1.2+.')
    except ConnectionRefusedError:
        raise TrueNASError('%s refused the connection.' % where, method=method, errname='ECONNREFUSED',
                           hint='check the host and port in api_url and that the TrueNAS web interface is running.')
    except (socket.timeout, TimeoutError) as exc:
        raise TrueNASError('%s did not answer%s in time (%s).' % (where, ' %s' % method if method else '', exc or 'timeout'),
                           method=method, errname='ETIMEDOUT',
                           hint='raise timeout, or check that the NAS is reachable and not overloaded.')
    except (OSError, ValueError) as exc:
        raise TrueNASError('connection to %s failed%s: %s.' % (where, ' during %s' % method if method else '', exc),
                           method=method, errname='ECONNECTION',
                           hint='check the network path to the NAS; the call may or may not have taken effect, read the state back.')
    except Exception as exc:  # websocket-client raises its own exception tree
        if HAS_WEBSOCKET and isinstance(exc, websocket.WebSocketBadStatusException) and exc.status_code == 404:
            raise TrueNASError('%s does not exist on this TrueNAS (HTTP 404 at the WebSocket handshake).' % where,
                               method=method, errname='ENOENT',
                               hint='use /api/current, or an API version this release serves (GET /api/versions lists them).')
        if HAS_WEBSOCKET and isinstance(exc, websocket.WebSocketTimeoutException):
            raise TrueNASError('%s did not answer%s in time.' % (where, ' %s' % method if method else ''), method=method,
                               errname='ETIMEDOUT', hint='raise timeout, or check that the NAS is reachable and not overloaded.')
        if HAS_WEBSOCKET and isinstance(exc, websocket.WebSocketException):
            raise TrueNASError('connection to %s failed%s: %s.' % (where, ' during %s' % method if method else '', exc or type(exc).__name__),
                               method=method, errname='ECONNECTION',
                               hint='check that api_url ends in /api/current on TrueNAS 25.04+; '
                                    'the call may or may not have taken effect, read the state back.')
        raise


class JsonRpcTransport:
    """JSON-RPC 2.0 over one WebSocket; subclasses open the socket."""

    secure = True
    needs_login = True
    runs_jobs = False
    api_path = None  # the /api/ path in use, for a transport that can choose one

    def __init__(self, where, timeout):
        self.where = where
        self.timeout = timeout
        self._ws = None
        self._ids = itertools.count(1)
        self._notifications = []

    def _open(self):
        raise NotImplementedError

    def connect(self):
        with guarded(self.where):
            self._ws = self._open()

    def _send(self, method, params):
        request_id = next(self._ids)
        self._ws.send(json.dumps({'jsonrpc': '2.0', 'id': request_id, 'method': method, 'params': list(params)}))
        return request_id

    def _receive(self, timeout):
        self._ws.settimeout(timeout)
        return json.loads(self._ws.recv())

    def request(self, method, params, timeout=None):
        """Send one call and wait for its reply; notifications that arrive meanwhile are kept."""
        with guarded(self.where, method):
            request_id = self._send(method, params)
            while True:
                message = self._receive(timeout or self.timeout)
                if message.get('id') == request_id:
                    break
                if 'method' in message and 'id' not in message:
                    self._notifications.append(message)
        if 'error' in message:
            raise from_rpc_error(method, message['error'])
        return message.get('result')

    def next_notification(self, timeout):
        """The oldest server notification, waiting up to ``timeout`` seconds (0: only one already received); None on
        timeout."""
        if self._notifications:
            return self._notifications.pop(0)
        if not timeout:
            return None
        try:
            with guarded(self.where):
                message = self._receive(timeout)
        except TrueNASError as exc:
            if exc.errname == 'ETIMEDOUT':
                return None
            raise
        return message if 'method' in message and 'id' not in message else None

    def close(self):
        if self._ws is not None:
            with contextlib.suppress(Exception):
                self._ws.close()
            self._ws = None


class WebSocketTransport(JsonRpcTransport):
    """``wss://<nas>/api/current`` (or a pinned ``/api/<version>``) from the controller."""

    def __init__(self, url, timeout, validate_certs=True, ca_path=None):
        super(WebSocketTransport, self).__init__(url, timeout)
        self.url = url
        self.secure = url.startswith('wss://')
        self.validate_certs = validate_certs
        self.ca_path = ca_path

    def _ssl_context(self):
        """TLS 1.2+, hostname and chain checked against ``ca_path`` or else the system store, with this Python's
        default verification flags (3.13 and later: strict X.509 checks)."""
        where = {}
        if self.validate_certs and self.ca_path:
            where = {'capath': self.ca_path} if os.path.isdir(self.ca_path) else {'cafile': self.ca_path}
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, **where)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if not self.validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _open(self):
        options = {'sslopt': {'context': self._ssl_context()}} if self.secure else {}
        return websocket.create_connection(self.url, timeout=self.timeout, enable_multithread=False, **options)

    @property
    def api_path(self):
        return urlsplit(self.url).path

    def use_path(self, path):
        """Connect to ``path`` (``/api/current`` or ``/api/v26.0.0``) of the same NAS from the next ``connect``."""
        parts = urlsplit(self.url)
        self.url = self.where = urlunsplit((parts.scheme, parts.netloc, path, '', ''))

    def api_versions(self):
        """The API versions the NAS serves (``GET /api/versions``: main.py ``api_versions_handler``, 25.04 and
        later), over the WebSocket's TLS settings and timeout; None when that answer is not a list of names.
        Nothing secret is sent."""
        parts = urlsplit(self.url)
        port = parts.port or (443 if self.secure else 80)  # given, so that http.client reads no port off an IPv6 host
        if self.secure:
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=self.timeout, context=self._ssl_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=self.timeout)
        try:
            conn.request('GET', '/api/versions', headers={'Accept': 'application/json'})
            response = conn.getresponse()
            listed = json.loads(response.read(_VERSIONS_MAX)) if response.status == 200 else None
        except (OSError, ValueError, http.client.HTTPException):
            return None
        finally:
            conn.close()
        return listed if isinstance(listed, list) and all(isinstance(name, str) for name in listed) else None


class LocalSocketTransport(JsonRpcTransport):
    """The middleware's unix socket on the NAS itself: root, no login needed."""

    needs_login = False

    def __init__(self, path, timeout):
        super(LocalSocketTransport, self).__init__(path, timeout)
        self.path = path

    def _open(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
            return websocket.create_connection('ws://localhost/api/current', socket=sock, timeout=self.timeout)
        except Exception:
            sock.close()
            raise


class MidcltTransport:
    """``midclt call`` on the NAS, one process per call: the fallback without websocket-client."""

    secure = True
    needs_login = False
    runs_jobs = True
    api_path = None

    def __init__(self, run_command, timeout, midclt='midclt'):
        self.run_command = run_command
        self.timeout = timeout
        self.midclt = midclt
        self.where = 'midclt'

    def connect(self):
        """Nothing to open: each call is its own process."""

    def request(self, method, params, timeout=None, job=False):
        argv = [self.midclt, '-t', str(int(timeout or self.timeout)), 'call'] + (['-j'] if job else []) + [method]
        argv += [json.dumps(param) for param in params]
        try:
            rc, out, err = self.run_command(argv)
        except (OSError, subprocess.SubprocessError) as exc:
            raise TrueNASError('midclt could not be run: %s.' % exc, method=method, errname='ENOENT',
                               hint='run on a TrueNAS host, or give api_url to reach the NAS over the network.')
        if rc != 0:
            reason = (err or out).strip().splitlines()
            raise TrueNASError('%s failed: %s' % (method, printable(reason[-1]) if reason else 'midclt exited %d' % rc),
                               method=method, reason=printable('\n'.join(reason)))
        out = out.strip()
        try:
            return json.loads(out) if out else None
        except ValueError:
            return out

    def close(self):
        """Nothing to close."""
