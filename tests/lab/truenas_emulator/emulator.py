"""The in-process face of the emulator: one emulated NAS with its own asyncio loop in a daemon thread."""

import asyncio
import threading
import time

from . import auth, core, dns, network, system  # noqa: F401  pylint: disable=unused-import  # registers the methods
from . import account, activedirectory, directoryservices, idmap, privilege  # noqa: F401  pylint: disable=unused-import
from .directory import Directory
from .directory_backend import FakeDirectory, LabMember
from .api import Method, methods_for
from .control import CONTROL_METHODS
from .counters import Counters
from .faults import Faults
from .personalities import DEFAULT, personality
from .request_log import RequestLog
from .server import Server
from .state import Store


class Emulator:  # pylint: disable=too-many-instance-attributes
    """An emulated TrueNAS middleware.

    ``api_keys``: ``{username: "<id>-<secret>" or [...]}``; ``users``: ``{username: password}`` for
    PASSWORD_PLAIN logins; ``interfaces``: ``[{"name": "eth0", "ipv4": ["192.0.2.10/24"], "ipv6": []}]`` (the
    ipv4gateway check uses them); ``resolv_conf``: a file that nameserver changes rewrite (else kept in
    memory); ``state_file``: JSON file keeping network config and API keys (revocations too) across restarts, or a
    state.Store to share;
    ``trust_loopback``: treat plain ws:// from 127.0.0.1 as secure like real TrueNAS does (off by default, so
    tests on loopback see API keys revoked); ``realistic_delays``: sleep like the NAS does before refusing
    rate-limited calls (1-10 s) and unknown API keys (1-2 s).
    ``version``: the release ('25.04', '25.10', '26', '27' or a full version, personalities.py); ``upgraded()``
    gives this NAS as a later release.
    ``directory``: the directory backend (directory_backend.py): a FakeDirectory (default: a healthy
    AADDSCONTOSO.COM), a LabMember, or "fake" / "lab"; ``rate_limit``: unauthenticated calls per method and
    client address a minute before "Rate Limit Exceeded" (TrueNAS: 20; rate_limit.py), refusals counted in
    ``counters()['rate_limited']``; ``request_log``: a file that gets one JSON line per call, secrets
    redacted (request_log.py).
    """

    def __init__(self, version=DEFAULT, *, api_keys=None, users=None,  # pylint: disable=too-many-arguments
                 resolv_conf=None, state_file=None, interfaces=None, hostname=None, trust_loopback=False,
                 realistic_delays=False, directory=None, rate_limit=20, request_log=None):
        self._options = {'api_keys': api_keys, 'users': users, 'resolv_conf': resolv_conf, 'interfaces': interfaces,
                         'hostname': hostname, 'trust_loopback': trust_loopback, 'realistic_delays': realistic_delays,
                         'rate_limit': rate_limit, 'request_log': request_log}
        self.personality = personality(version)
        self.rate_limit = rate_limit
        self.trust_loopback, self.realistic_delays = trust_loopback, realistic_delays
        self.store = state_file if isinstance(state_file, Store) else Store(state_file)
        self.stats = Counters()
        self.request_log = RequestLog(request_log) if request_log else None
        self.faults = Faults()
        self.accounts = auth.Accounts(self.store, users, api_keys)
        self.resolver = dns.Resolver(self.store, resolv_conf)
        self.network = network.Network(self, interfaces, hostname)
        self.directory = Directory(self, make_directory(directory))
        self.methods = methods_for(self.personality.name)
        self.jobs = core.Jobs(self)
        self.server = Server(self)
        self._tasks = set()
        self.started_monotonic = time.monotonic()
        self._loop = self._thread = None
        if any(self.network.stored()[f'nameserver{i}'] for i in (1, 2, 3)):
            self.resolver.sync(self.network.stored())  # what the NAS does at boot

    # -- life cycle ------------------------------------------------------------------------------------------

    def start(self, host='127.0.0.1', port=0, certfile=None, keyfile=None,  # pylint: disable=too-many-arguments
              unix_socket=None, control_socket=None, loop=None, plain_port=None, plain_host=None):
        """Listen (TCP unless ``host`` is None; TLS when ``certfile`` is given, plus plain ws:// on ``plain_port`` of
        ``plain_host`` (default ``host``) when that is given, see ``plain_url``) and return self. ``loop``: a running
        event loop of another thread to share (a fleet's); without it the emulator runs its own."""
        self._loop = loop or asyncio.new_event_loop()
        if loop is None:
            self._thread = threading.Thread(target=self._loop.run_forever, name='truenas-emulator', daemon=True)
            self._thread.start()
        try:
            self._run(self.server.start(host, port, certfile, keyfile, unix_socket=unix_socket, control_socket=control_socket,
                                        plain_port=plain_port, plain_host=plain_host))
            self._run(self.directory.boot())
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Close every listener and connection, end running jobs, stop the loop thread (when it is its own)."""
        if self._loop is None:
            return
        self._run(self._shutdown())
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()
        self._loop = self._thread = None

    async def _shutdown(self):
        await self.server.stop()
        pending = [task for task in (asyncio.all_tasks() if self._thread else self._tasks)
                   if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def middleware_stopped(self, restart):
        """The middleware process ended in the middle of a job (fault ``middleware_stops``; called from that job's
        task): every other job and call and every connection end with it, and what it kept only in memory is gone
        (job list, job locks, directory health state); the state file stays as the job left it. ``restart``: it
        starts again at once, as systemd restarts middlewared (a new job list from id 1, directoryservices.setup
        at boot); else the NAS stays down, without listeners, until a test starts an emulator on the state file."""
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        if not restart:
            await self.server.stop()
            return
        for app in list(self.server.apps):
            app.abort()
        self.jobs = core.Jobs(self)
        self.directory.forget()
        await self.directory.boot()

    def spawn(self, coroutine):
        """Run ``coroutine`` as a task of the emulator loop (kept referenced until done)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _run(self, coroutine, timeout=30):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- what tests use ----------------------------------------------------------------------------------

    @property
    def url(self):
        """``wss://127.0.0.1:<port>/api/current`` (``ws://`` without TLS)."""
        return self.server.url

    @property
    def plain_url(self):
        """``ws://127.0.0.1:<plain_port>/api/current`` next to the TLS listener, or None."""
        return self.server.plain_url

    @property
    def socket_path(self):
        return self.server.socket_path

    @property
    def control_socket_path(self):
        return self.server.control_path

    @property
    def network_config(self):
        """The stored network configuration (as network.configuration.config shows it, without ``state``)."""
        return self.network.stored()

    @property
    def api_keys(self):
        """Every API key with its ``revoked`` flag and reason."""
        return self.store.get('api_keys', [])

    def counters(self):
        """A snapshot of the counters (see counters.py; ``private_calls`` / ``private_by_method``: calls of methods
        private on the connection's API version, such as auth.login_with_api_key on 27's /api/current)."""
        return self.stats.snapshot()

    def set_api_access(self, username, allowed=True):
        """Give ``username`` API access or take it away (a user whose groups have no privilege): its logins then answer
        DENIED on 26 and later, AUTH_ERR before (auth.py)."""
        self.accounts.set_api_access(username, allowed)

    def upgraded(self, version):
        """This NAS as release ``version``, not started: a new Emulator on the same state (the store, shared, so an
        in-memory one too) and the same directory backend (the domain's side of the join), with the same options.
        Stop this one, then start the new one (``port=`` this one's port to keep the URL): what an upgrade boots."""
        return Emulator(version, state_file=self.store, directory=self.directory.backend, **self._options)

    def reset_counters(self):
        self.stats.reset()

    def add_job_method(self, name, steps=(), result=None, *, write=False):
        """Register job method ``name`` on this NAS: it walks ``steps`` of (percent, description, seconds),
        then returns ``result`` (called with the call's params when callable). Params are not validated."""
        self.methods[name] = Method(name, core.steps_job(steps, result), args=None, job=True, write=write)

    def control(self, method, params):
        """Answer one control-socket call (see control.py)."""
        if method not in CONTROL_METHODS:
            raise ValueError(f'unknown control method {method!r}')
        return CONTROL_METHODS[method](self, *params)


def make_directory(directory):
    """The backend for ``Emulator(directory=...)``: an instance, "fake" or None (a FakeDirectory), or "lab"."""
    if directory is None or directory == 'fake':
        return FakeDirectory()
    if directory == 'lab':
        return LabMember()
    return directory
