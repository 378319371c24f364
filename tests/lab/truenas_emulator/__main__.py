"""``python -m truenas_emulator``: run one emulated NAS until SIGTERM or SIGINT.

Example (PYTHONPATH=tests/lab)::

    python -m truenas_emulator --version 25.10 --listen 198.51.100.20:443 --cert C --key K \\
        --socket /var/run/middleware/middlewared.sock --state-file S --api-keys-file F \\
        --resolv-conf /etc/resolv.conf --control-socket CS --hostname nas1 --interface eth0=198.51.100.20/24 \\
        --directory lab

When ready it prints one JSON line: {"url", "socket", "control_socket", "version", "pid"}.
"""

import argparse
import json
import os
import signal
import sys

from .emulator import Emulator
from .personalities import DEFAULT


def _listen(text):
    host, sep, port = text.rpartition(':')
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f'expected HOST:PORT, got {text!r}')
    return host.strip('[]'), int(port)


def _interface(text):
    """``eth0=192.0.2.10/24,2001:db8::10/64`` -> {"name", "ipv4", "ipv6"}."""
    name, sep, addresses = text.partition('=')
    if not sep or not name:
        raise argparse.ArgumentTypeError(f'expected NAME=ADDRESS/PREFIX[,...], got {text!r}')
    addresses = [address for address in addresses.split(',') if address]
    return {'name': name, 'ipv4': [a for a in addresses if ':' not in a], 'ipv6': [a for a in addresses if ':' in a]}


def _json_file(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='python -m truenas_emulator', description=__doc__.splitlines()[0])
    parser.add_argument('--version', default=DEFAULT, help='25.04, 25.10 or a full 25.x.y version (default %(default)s)')
    parser.add_argument('--listen', type=_listen, default=('127.0.0.1', 0), help='HOST:PORT (default 127.0.0.1:0)')
    parser.add_argument('--no-listen', action='store_true', help='no TCP listener (unix socket only)')
    parser.add_argument('--cert', help='TLS certificate (PEM); without it the listener speaks plain ws://')
    parser.add_argument('--key', help='TLS private key (PEM)')
    parser.add_argument('--socket', help='middleware unix socket path (root without login)')
    parser.add_argument('--control-socket', help='control socket path (emulator.* methods)')
    parser.add_argument('--state-file', help='JSON file keeping configuration and API keys across restarts')
    parser.add_argument('--api-keys-file', type=_json_file, help='JSON {"username": "<id>-<secret>" or [...]}')
    parser.add_argument('--users-file', type=_json_file, help='JSON {"username": "password"}')
    parser.add_argument('--resolv-conf', help='resolv.conf to rewrite on DNS changes (in place)')
    parser.add_argument('--hostname', help='hostname of a fresh configuration')
    parser.add_argument('--interface', type=_interface, action='append', default=[], help='NAME=ADDR/PREFIX[,...]')
    parser.add_argument('--trust-loopback', action='store_true', help='treat plain ws:// from loopback as secure')
    parser.add_argument('--realistic-delays', action='store_true', help='sleep like the NAS before refusals')
    parser.add_argument('--rate-limit', type=int, default=20,
                        help='unauthenticated calls per method and client address in 60 s (TrueNAS: 20)')
    parser.add_argument('--request-log', help='file that gets one JSON line per call, secrets redacted')
    parser.add_argument('--directory', choices=('fake', 'lab'), default='fake',
                        help='directory backend: a scripted domain (fake, default) or the lab stand-in\'s Samba '
                             'member through nas/member.sh (lab; needs LAB_NAS_DIR)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    emu = Emulator(args.version, api_keys=args.api_keys_file, users=args.users_file, resolv_conf=args.resolv_conf,
                   state_file=args.state_file, interfaces=args.interface, hostname=args.hostname,
                   trust_loopback=args.trust_loopback, realistic_delays=args.realistic_delays,
                   directory=args.directory, rate_limit=args.rate_limit, request_log=args.request_log)
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)  # only the main thread waits for them
    host, port = (None, 0) if args.no_listen else args.listen
    emu.start(host, port, args.cert, args.key, args.socket, args.control_socket)
    print(json.dumps({'url': emu.url, 'socket': emu.socket_path, 'control_socket': emu.control_socket_path,
                      'version': emu.personality.version, 'pid': os.getpid()}), flush=True)
    signal.sigwait(stop_signals)
    emu.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
