"""midclt stand-in for the TrueNAS emulator (a test fixture, not TrueNAS's midclt).

Behaves like truenas_api_client's midclt (``main``/``get_parser``) for what the collection uses:
``midclt [-u ws+unix://PATH] [-U USER -P PASS | -K KEY] [-t T] call [-q] [-j] METHOD [ARG ...]`` and
``midclt ping``. Each ARG is JSON when it parses, else a string. int/str results print raw, anything else as
one JSON document; errors go to stderr with exit status 1; a failed login prints "Failed to login: ..." and
exits 0 (as the real one does); ``-j`` waits for the job through a core.get_jobs subscription and prints its
result. Only unix sockets: ``-u``, else $MIDCLT_SOCKET, else /var/run/middleware/middlewared.sock.
Standard library only, so it runs under any python3 on a lab host.
"""

import argparse
import base64
import errno
import json
import os
import pprint
import socket
import struct
import sys

DEFAULT_SOCKET = '/var/run/middleware/middlewared.sock'
UNIX_PREFIX = 'ws+unix://'
FINISHED = ('SUCCESS', 'FAILED', 'ABORTED')


class ClientError(Exception):
    """A failed call: ``text`` as the real client's ClientException would print it, plus trace and extra."""

    def __init__(self, text, trace=None, extra=None):
        super().__init__(text)
        self.text, self.trace, self.extra = text, trace, extra


def validation_text(errors):
    return '\n'.join(f'[{errno.errorcode.get(code, "EUNKNOWN")}] {attr or "ALL"}: {msg}' for attr, msg, code in errors)


def call_error(error):
    """truenas_api_client JSONRPCClient._parse_error_and_unpickle_exception."""
    if error['code'] == -32602:
        return ClientError(validation_text(error['data']['extra']))
    if error['code'] == -32001:
        data = error['data']
        return ClientError(data['reason'], data['trace'], data['extra'])
    return ClientError(error.get('message') or str(error['code']))


class Connection:
    """A minimal RFC 6455 client over a unix socket (text frames, masked, no extensions)."""

    def __init__(self, path, timeout=None):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.rfile = self.sock.makefile('rb')
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f'GET /api/current HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n'
                           f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n').encode())
        status = self.rfile.readline().decode('latin-1')
        while self.rfile.readline() not in (b'\r\n', b''):
            pass
        if ' 101 ' not in status:
            raise ConnectionError(f'WebSocket handshake refused: {status.strip()}')

    def _frame(self, opcode, payload):
        mask = os.urandom(4)
        size = len(payload)
        header = bytes([0x80 | opcode])
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack('!H', size)
        else:
            header += bytes([0x80 | 127]) + struct.pack('!Q', size)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, message):
        self._frame(0x1, json.dumps(message).encode())

    def _read(self, size):
        data = self.rfile.read(size)
        if len(data) < size:
            raise ConnectionError('Unexpected closure of remote connection')
        return data

    def recv(self):
        """The next JSON message (answers pings, joins fragments)."""
        chunks = []
        while True:
            first, second = self._read(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack('!H', self._read(2))[0]
            elif size == 127:
                size = struct.unpack('!Q', self._read(8))[0]
            payload = self._read(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError('Unexpected closure of remote connection')
            if opcode == 0x9:
                self._frame(0xA, payload)
            elif opcode in (0x0, 0x1):
                chunks.append(payload)
                if first & 0x80:
                    return json.loads(b''.join(chunks))


class Client:
    """JSON-RPC calls, keeping core.get_jobs events seen in between."""

    def __init__(self, path, timeout=None):
        self.conn = Connection(path, timeout)
        self.next_id = 0
        self.jobs = {}

    def _dispatch(self, message):
        params = message.get('params') or {}
        if message.get('method') == 'collection_update' and params.get('collection') == 'core.get_jobs':
            self.jobs.setdefault(params['id'], {}).update(params.get('fields') or {})
            job = self.jobs[params['id']]
            if params['msg'] == 'changed' and job.get('state') == 'RUNNING' and job['progress']['description']:
                print(job['progress']['description'], file=sys.stderr)

    def call(self, method, *params):
        self.next_id += 1
        self.conn.send({'jsonrpc': '2.0', 'id': self.next_id, 'method': method, 'params': list(params)})
        while True:
            message = self.conn.recv()
            if message.get('id') != self.next_id or 'method' in message:
                self._dispatch(message)
            elif 'error' in message:
                raise call_error(message['error'])
            else:
                return message['result']

    def wait_job(self, job_id):
        """truenas_api_client Job.result: the result, or the failure as ClientError."""
        while self.jobs.get(job_id, {}).get('state') not in FINISHED:
            self._dispatch(self.conn.recv())
        job = self.jobs[job_id]
        if job['state'] == 'SUCCESS':
            return job['result']
        exc_info = job['exc_info'] or {}
        if exc_info.get('type') == 'VALIDATION':
            raise ClientError(validation_text(exc_info['extra'] or []))
        raise ClientError(job['error'], {'formatted': job['exception']}, exc_info.get('extra'))


def get_parser():
    parser = argparse.ArgumentParser(prog='midclt')
    parser.add_argument('-u', '--uri')
    parser.add_argument('-U', '--username')
    parser.add_argument('-P', '--password')
    parser.add_argument('-K', '--api-key')
    parser.add_argument('-t', '--timeout', type=int)
    subparsers = parser.add_subparsers(dest='name')
    call = subparsers.add_parser('call')
    call.add_argument('-q', '--quiet', action='store_true')
    call.add_argument('-j', '--job', action='store_true')
    call.add_argument('-jp', '--job-print', choices=('progressbar', 'description'), default='progressbar')
    call.add_argument('method', nargs='+')
    subparsers.add_parser('ping')
    return parser


def from_json(args):
    for arg in args:
        try:
            yield json.loads(arg)
        except ValueError:
            yield arg


def login(client, args):
    """midclt main: a failed login prints and exits 0."""
    try:
        if args.username and args.password:
            if not client.call('auth.login', args.username, args.password):
                raise ValueError('Invalid username or password')
        elif args.api_key:
            if not client.call('auth.login_with_api_key', args.api_key):
                raise ValueError('Invalid API key')
    except (ValueError, ClientError) as exc:
        print('Failed to login: ', exc)
        sys.exit(0)


def run_call(client, args):
    method, params = args.method[0], list(from_json(args.method[1:]))
    if args.job:
        client.call('core.subscribe', 'core.get_jobs')
        return client.wait_job(client.call(method, *params))
    return client.call(method, *params)


def main(argv=None):
    parser = get_parser()
    args = parser.parse_args(argv)
    if args.name not in ('call', 'ping'):
        parser.print_help()
        return 0
    uri = args.uri or UNIX_PREFIX + os.environ.get('MIDCLT_SOCKET', DEFAULT_SOCKET)
    if not uri.startswith(UNIX_PREFIX):
        print('midclt stand-in: only ws+unix:// URIs are supported', file=sys.stderr)
        return 1
    try:
        client = Client(uri[len(UNIX_PREFIX):], args.timeout)
    except (FileNotFoundError, ConnectionRefusedError):
        print('Failed to run middleware call. Daemon not running?', file=sys.stderr)
        return 1
    login(client, args)
    try:
        result = client.call('core.ping') if args.name == 'ping' else run_call(client, args)
    except ClientError as exc:
        if not getattr(args, 'quiet', False):
            print(exc.text, file=sys.stderr)
            if exc.trace:
                print(exc.trace['formatted'], file=sys.stderr)
            if exc.extra:
                pprint.pprint(exc.extra, stream=sys.stderr)
        return 1
    except (ConnectionError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(result if isinstance(result, (int, str)) else json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
