"""``python -m truenas_emulator``: run one emulated NAS until SIGTERM or SIGINT.

Example (PYTHONPATH=tests/lab)::

    python -m truenas_emulator --version 25.10 --listen 198.51.100.20:443 --cert C --key K \\
        --socket /var/run/middleware/middlewared.sock --state-file S --api-keys-file F \\
        --resolv-conf /etc/resolv.conf --control-socket CS --hostname nas1 --interface eth0=198.51.100.20/24 \\
        --directory lab

When ready it prints one JSON line: {"url", "plain_url", "socket", "control_socket", "version", "pid"}.

``--version`` 25.04, 25.10, 26 or 27 (or a full version such as 26.0.2). ``--listen-plain HOST:PORT`` adds a plain
ws:// listener (nginx's port 80 next to 443): an API key used there is revoked (auth.py). Upgrading a NAS is
restarting it with a later ``--version`` on the same ``--state-file``.

A fleet (many NAS in this one process, see fleet.py), e.g. 100 on ports 8001-8100::

    python -m truenas_emulator --instances 100 --listen 127.0.0.1:8001 --fleet-dir D [--directory-options F]

prints {"fleet": "D/fleet.json", "instances", "version", "pid"}; fleet.json has each NAS's URL and API key.
"""

import argparse
import json
import os
import signal
import sys

from .directory_backend import FakeDirectory
from .emulator import Emulator
from .fleet import Fleet
from .personalities import DEFAULT, personality


def _listen(text):
    host, sep, port = text.rpartition(':')
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f'expected HOST:PORT, got {text!r}')
    return host.strip('[]'), int(port)


def _version(text):
    try:
        personality(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


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
    parser.add_argument('--version', type=_version, default=DEFAULT,
                        help='25.04, 25.10, 26, 27 or a full version such as 25.10.3 or 26.0.2 (default %(default)s)')
    parser.add_argument('--listen', type=_listen, default=('127.0.0.1', 0), help='HOST:PORT (default 127.0.0.1:0)')
    parser.add_argument('--listen-plain', type=_listen, metavar='HOST:PORT',
                        help='also serve the API on plain ws:// there (an API key used on it is revoked)')
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
                        help='unauthenticated calls per method and client address a minute before "Rate Limit '
                             'Exceeded" (default and TrueNAS: 20; each NAS of a fleet counts on its own)')
    parser.add_argument('--request-log', help='file that gets one JSON line per call, secrets redacted')
    parser.add_argument('--directory', choices=('fake', 'lab'), default='fake',
                        help='directory backend: a scripted domain (fake, default) or the lab stand-in\'s Samba '
                             'member through nas/member.sh (lab; needs LAB_NAS_DIR)')
    parser.add_argument('--directory-options', type=_json_file,
                        help='JSON object of FakeDirectory knobs (realm, dcs, users...; see directory_backend.py)')
    parser.add_argument('--instances', type=int, default=1,
                        help='emulated NAS in this process (a fleet when more than 1; the --listen port is the first)')
    parser.add_argument('--fleet-dir', help='where a fleet keeps its CA, certificates, state and fleet.json')
    args = parser.parse_args(argv)
    if args.instances > 1:
        given = [name for name in ('cert', 'key', 'socket', 'control_socket', 'state_file', 'api_keys_file',
                                   'resolv_conf', 'hostname', 'request_log', 'listen_plain') if getattr(args, name)]
        if given or args.no_listen or args.directory != 'fake' or not args.fleet_dir:
            parser.error('--instances: give --fleet-dir; the fleet makes each NAS\'s certificate, key, state, API key, '
                         'hostname and control socket, listens on TCP and uses the fake directory'
                         + (' (drop --%s)' % ', --'.join(name.replace('_', '-') for name in given) if given else ''))
    elif args.instances < 1:
        parser.error('--instances: 1 or more')
    if args.rate_limit < 1:
        parser.error('--rate-limit: 1 or more')
    return args


def fleet(args):
    """Run a fleet until SIGTERM or SIGINT."""
    with Fleet(args.instances, args.fleet_dir, args.listen, directory_options=args.directory_options,
               version=args.version, trust_loopback=args.trust_loopback, realistic_delays=args.realistic_delays,
               rate_limit=args.rate_limit, users=args.users_file) as the_fleet:
        the_fleet.start()
        print(json.dumps({'fleet': os.path.join(args.fleet_dir, 'fleet.json'), 'instances': args.instances,
                          'version': the_fleet.nas[0].personality.version, 'pid': os.getpid()}), flush=True)
        _wait()
    return 0


def _wait():
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.sigwait(stop_signals)


def main(argv=None):
    args = parse_args(argv)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # only the main thread waits for them
    if args.instances > 1:
        return fleet(args)
    directory = FakeDirectory(**args.directory_options) if args.directory_options and args.directory == 'fake' \
        else args.directory
    emu = Emulator(args.version, api_keys=args.api_keys_file, users=args.users_file, resolv_conf=args.resolv_conf,
                   state_file=args.state_file, interfaces=args.interface, hostname=args.hostname,
                   trust_loopback=args.trust_loopback, realistic_delays=args.realistic_delays,
                   directory=directory, rate_limit=args.rate_limit, request_log=args.request_log)
    host, port = (None, 0) if args.no_listen else args.listen
    plain_host, plain_port = args.listen_plain or (None, None)
    emu.start(host, port, args.cert, args.key, args.socket, args.control_socket, plain_port=plain_port,
              plain_host=plain_host)
    print(json.dumps({'url': emu.url, 'plain_url': emu.plain_url, 'socket': emu.socket_path,
                      'control_socket': emu.control_socket_path, 'version': emu.personality.version,
                      'pid': os.getpid()}), flush=True)
    _wait()
    emu.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
