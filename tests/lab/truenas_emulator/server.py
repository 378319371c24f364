"""JSON-RPC 2.0 over WebSocket: listeners, per-connection state, message handling, auth gate, events.

Follows api/base/server/ws_handler/rpc.py (RpcWebSocketApp, RpcWebSocketHandler: process, validate_message,
process_message, process_method_call, send_event), utils/limits.py (parse_message size limits), utils/lock.py
(SoftHardSemaphore 10/20), main.py (routes, authorize_method_call, api_versions_handler; the login rate limit is
rate_limit.py) and utils/origin.py (secure_transport). TLS stands for the NAS's nginx.

Each connection speaks the API version of its path (/api/current is the newest): api_versions.py says which methods
that version serves (others answer ENOMETHOD) and which are private there. A private method called without the
``private_methods`` option still runs; the call is counted (``counters()['private_calls']``) and marked in the
request log, where TrueNAS logs a warning.
"""

import asyncio
import errno
import ipaddress
import json
import os
import random
import ssl
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import serve, unix_serve
from websockets.exceptions import ConnectionClosed

from . import api_versions
from .errors import (CALL_ERROR, INVALID_JSON, INVALID_REQUEST, METHOD_NOT_FOUND, TOO_MANY_CONCURRENT_CALLS,
                     ENOTAUTHENTICATED, CallError, MethodNotFoundError, error_object)
from .models import accept_params
from .rate_limit import RateLimit

UNAUTHENTICATED_MAX = 8192
AUTHENTICATED_MAX = 65536
_NO_ID = object()


def ejson(value):
    """truenas_api_client/ejson.py: datetimes as {"$date": ms}, sets as {"$set": [...]}."""
    if isinstance(value, datetime):
        return {'$date': int(value.timestamp() * 1000)}
    if isinstance(value, set):
        return {'$set': sorted(value)}
    raise TypeError(f'{type(value).__name__} is not JSON serializable')


class _Dropped(Exception):
    """A fault closed the connection: answer nothing."""


@dataclass
class Call:
    """The context a handler runs in: the emulator, the connection, the method name and the request id."""

    emu: Any
    app: Any
    method: str
    id: Any


class App:  # pylint: disable=too-many-instance-attributes
    """One client connection (rpc.py RpcWebSocketApp)."""

    def __init__(self, server, ws, transport):
        self.server, self.ws, self.transport = server, ws, transport  # transport: tcp, tls or unix
        self.api_version = server.api_version(ws.request.path)
        self.remote_ip = ws.remote_address[0] if transport != 'unix' and ws.remote_address else None
        self.credentials = None
        self.subscriptions = {}
        self.options = {'legacy_jobs': True, 'private_methods': False, 'py_exceptions': False}
        self.in_flight = 0
        self.slots = asyncio.Semaphore(10)
        self.outbox = asyncio.Queue()
        self.writer = asyncio.get_running_loop().create_task(self._write())

    @property
    def authenticated(self):
        return self.credentials is not None

    @property
    def secure_transport(self):
        """TLS or unix socket; loopback clients only with trust_loopback (real TrueNAS trusts them)."""
        if self.transport != 'tcp':
            return True
        return self.server.emu.trust_loopback and ipaddress.ip_address(self.remote_ip).is_loopback

    def send(self, message):
        self.outbox.put_nowait(message)

    def reply(self, id_, result):
        self.send({'jsonrpc': '2.0', 'result': result, 'id': id_})

    def error(self, id_, code, message, data=None):
        error = {'code': code, 'message': message}
        if data is not None:
            error['data'] = data
        self.send({'jsonrpc': '2.0', 'error': error, 'id': id_})

    def send_event(self, collection, kind, id_, fields):
        """A collection_update notification, for subscribers of ``collection`` that are logged in."""
        if self.authenticated and collection in self.subscriptions.values():
            event = {'msg': kind.lower(), 'collection': collection, 'id': id_}
            if kind in ('ADDED', 'CHANGED'):
                event['fields'] = fields
            self.send({'jsonrpc': '2.0', 'method': 'collection_update', 'params': event})

    def abort(self):
        """Cut the connection without a closing handshake, as a broken network would."""
        self.ws.transport.abort()

    async def drop(self):
        """A fault: cut the connection once what is already queued for it has been written."""
        try:
            await asyncio.wait_for(self.outbox.join(), 2)
        except TimeoutError:
            pass
        self.abort()

    async def _write(self):
        while True:
            message = await self.outbox.get()
            try:
                await self.ws.send(json.dumps(message, default=ejson))
            except ConnectionClosed:
                return
            finally:
                self.outbox.task_done()


class Server:
    """The listeners of one emulated NAS: TCP (TLS or plain), the middleware unix socket, a control socket."""

    def __init__(self, emu):
        self.emu = emu
        self.apps = set()
        self.rate_limit = RateLimit(emu.rate_limit)
        self._servers = []
        self.url = self.plain_url = self.socket_path = self.control_path = None

    async def start(self, host=None, port=0, certfile=None, keyfile=None, *,  # pylint: disable=too-many-arguments
                    unix_socket=None, control_socket=None, plain_port=None, plain_host=None):
        """``plain_port``: also plain ws:// on that port (0: a free one) of ``plain_host`` (default ``host``), as nginx
        serves port 80 next to 443."""
        tls = None
        if certfile:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(certfile, keyfile)
        options = {'process_request': self._route, 'max_size': 4 * 1024 * 1024}
        if host is not None:
            self.url = await self._tcp(host, port, tls, options)
        if plain_port is not None and (plain_host or host) is not None:
            self.plain_url = await self._tcp(plain_host or host, plain_port, None, options)
        if unix_socket:
            self.socket_path = await self._unix(unix_socket, lambda ws: self._serve(ws, 'unix'), options)
        if control_socket:
            # no keepalive pings: a test holds its control connection idle for minutes without reading, and
            # websockets would close it when its pings go unanswered
            self.control_path = await self._unix(control_socket, self._serve_control, {'ping_interval': None})

    async def _tcp(self, host, port, tls, options):
        transport = 'tls' if tls else 'tcp'
        tcp = await serve(lambda ws: self._serve(ws, transport), host, port, ssl=tls, **options)
        self._servers.append(tcp)
        bound = tcp.sockets[0].getsockname()
        netloc = f'[{bound[0]}]' if ':' in bound[0] else bound[0]
        return f'{"wss" if tls else "ws"}://{netloc}:{bound[1]}/api/current'

    async def _unix(self, path, handler, options):
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)  # like middlewared's /var/run/middleware
        if os.path.exists(path):
            os.unlink(path)
        self._servers.append(await unix_serve(handler, path, **options))
        return path

    async def stop(self):
        """Stop listening and cut every connection at once (no closing handshake to wait for)."""
        for app in list(self.apps):
            app.abort()
        for server in self._servers:
            server.close(close_connections=False)
            for connection in server.connections:
                connection.transport.abort()
            await server.wait_closed()
        for path in (self.socket_path, self.control_path):
            if path and os.path.exists(path):
                os.unlink(path)

    def _route(self, connection, request):
        """main.py routes: /api/current, pinned /api/vXX.YY.Z, GET /api/versions (JSON, no login); anything else is
        a 404."""
        path = request.path.split('?', 1)[0]
        if path == '/api/versions':
            response = connection.respond(HTTPStatus.OK, json.dumps(list(self.emu.personality.api_versions)))
            del response.headers['Content-Type']
            response.headers['Content-Type'] = 'application/json'
            return response
        if path not in self.emu.personality.paths:
            return connection.respond(HTTPStatus.NOT_FOUND, '404: Not Found')
        return None

    def api_version(self, path):
        """The API version a connection on ``path`` speaks (/api/current: the newest)."""
        path = path.split('?', 1)[0]
        return self.emu.personality.current_api if path == '/api/current' else path.removeprefix('/api/')

    def send_event(self, collection, kind, id_, fields):
        for app in list(self.apps):
            app.send_event(collection, kind, id_, fields)

    async def _serve(self, ws, transport):
        app = App(self, ws, transport)
        self.emu.stats.connection()
        if transport == 'unix':  # plugins/auth.py check_permission: root on the unix socket needs no login
            app.credentials = self.emu.accounts.root_credentials()
        self.apps.add(app)
        try:
            async for raw in ws:
                if not isinstance(raw, str):
                    await ws.close(1003, 'Invalid websocket message type: binary')
                    break
                await self._receive(app, raw)
        except ConnectionClosed:
            pass
        finally:
            self.apps.discard(app)
            app.writer.cancel()

    async def _receive(self, app, raw):
        """rpc.py process + process_message: parse, validate, look up; then run the call as its own task."""
        if not app.authenticated and len(raw) > UNAUTHENTICATED_MAX:
            await app.ws.close(1007, 'Anonymous connection max message length is 8 kB')
            return
        if len(raw) > AUTHENTICATED_MAX:
            await app.ws.close(1009, 'Max message length is 64 kB')
            return
        try:
            message = json.loads(raw)
        except ValueError as exc:
            app.error(None, INVALID_JSON, str(exc))
            return
        if not isinstance(message, dict):
            text = 'Batch messages are not supported at this time' if isinstance(message, list) else 'Invalid Message Format'
            app.error(None, INVALID_JSON, text)
            return
        id_ = message.get('id', _NO_ID)
        problem = _invalid(message)
        if problem:
            if id_ is not _NO_ID:
                app.error(id_, INVALID_REQUEST, problem)
            return
        method = self.emu.methods.get(message['method'])
        private = method is not None and not app.options['private_methods'] and \
            api_versions.private_on(self.emu.personality, method.name, app.api_version)
        self.emu.stats.call(message['method'], app.authenticated, private)
        if self.emu.request_log:
            self.emu.request_log.record(message['method'], message.get('params', []), app.transport, app.authenticated,
                                        private)
        if method is None:
            if id_ is not _NO_ID:
                app.error(id_, METHOD_NOT_FOUND, 'Method does not exist')
            return
        call = Call(self.emu, app, method.name, None if id_ is _NO_ID else id_)
        self.emu.spawn(self._call(call, method, message.get('params', []), id_))

    async def _call(self, call, method, params, id_):
        """rpc.py process_method_call: at most 10 calls at once and 20 in all per connection."""
        app = call.app
        if app.in_flight >= 20:
            if id_ is not _NO_ID:
                app.error(id_, TOO_MANY_CONCURRENT_CALLS, 'Maximum number of concurrent calls (20) has exceeded')
            return
        app.in_flight += 1
        try:
            async with app.slots:
                result = await self._execute(call, method, params)
        except _Dropped:
            return
        except Exception as exc:  # pylint: disable=broad-except  # every failure becomes a JSON-RPC error
            if id_ is not _NO_ID:
                app.error(id_, **error_object(exc))
        else:
            if id_ is not _NO_ID:
                app.reply(id_, result)
        finally:
            app.in_flight -= 1

    async def _execute(self, call, method, params):
        faults, app = self.emu.faults, call.app
        delay = faults.take('delay', method.name)
        if delay:
            await asyncio.sleep(delay['seconds'])
        drop = faults.take('drop_on_call', method.name)
        if drop and not drop['after_execute']:
            await app.drop()
            raise _Dropped()
        if not api_versions.on_path(self.emu.personality, method.name, app.api_version):
            service, dummy, name = method.name.rpartition('.')
            raise MethodNotFoundError(name, service)  # legacy_api_method.py _adapt_params, before authorization
        await self._authorize(app, method)
        args = accept_params(method.args, params, self.emu.personality.folds_union_errors) if method.args else list(params)
        if method.job:
            result = await self._start_job(call, method, args)
        else:
            result = await method.handler(call, *args)
        if drop:
            await app.drop()
            raise _Dropped()
        return result

    async def _start_job(self, call, method, args):
        """api/base/server/method.py: the job id, or with legacy_jobs off the job's result (or error)."""
        app = call.app
        job = self.emu.jobs.submit(call, method, args)
        if self.emu.faults.take('drop_during_job', method.name):
            if app.options['legacy_jobs']:
                app.reply(call.id, job.id)
            await app.drop()
            raise _Dropped()
        if app.options['legacy_jobs']:
            return job.id
        return await job.wait(raise_error=True, forward=(Exception,))

    async def _authorize(self, app, method):
        """main.py authorize_method_call."""
        if not method.auth:
            if app.authenticated or not method.rate_limit or app.remote_ip is None:
                return
            refused = self.rate_limit.exceeded(method.name, app.remote_ip)
            if refused or (method.name.startswith('auth.login') and self.emu.faults.take('rate_limit_logins')):
                self.emu.stats.rate_limited()
                if self.emu.realistic_delays:
                    await asyncio.sleep(round(random.uniform(1.0, 10.0), 2))
                raise CallError('Rate Limit Exceeded', errno.EBUSY)
            return
        if not app.authenticated:
            raise CallError('Not authenticated', ENOTAUTHENTICATED)

    async def _serve_control(self, ws):
        """The emulator's own control socket: same framing, emulator.* methods, never counted."""
        try:
            async for raw in ws:
                message = json.loads(raw)
                try:
                    result = self.emu.control(message['method'], message.get('params', []))
                except Exception as exc:  # pylint: disable=broad-except  # reported to the control client
                    await ws.send(json.dumps({'jsonrpc': '2.0', 'id': message.get('id'), 'error': {
                        'code': CALL_ERROR, 'message': str(exc)}}))
                else:
                    await ws.send(json.dumps({'jsonrpc': '2.0', 'id': message.get('id'), 'result': result},
                                             default=ejson))
        except ConnectionClosed:
            pass


def _invalid(message):  # pylint: disable=too-many-return-statements
    """rpc.py validate_message: the reason a request is not JSON-RPC 2.0, or None."""
    if 'jsonrpc' not in message:
        return "Missing 'jsonrpc' member"
    if message['jsonrpc'] != '2.0':
        return "'jsonrpc' member must be of type string and must be exactly '2.0'"
    if 'id' in message and not (message['id'] is None or isinstance(message['id'], (int, str))):
        return "'id' member must be of type null, string or number"
    if 'method' not in message:
        return "Missing 'method' member"
    if not isinstance(message['method'], str) or not message['method']:
        return "'method' member must be of type string"
    if 'params' in message and not isinstance(message['params'], list):
        return "'params' member must be of type array"
    return None
