"""Integration fixtures: an emulated NAS on loopback (TLS + local socket), an Ansible runner (always at -vvvv) and
the secrets canary (canary.py): every run's output, log and results, every emulator's request log and the process
list during the runs are scanned for the canary secrets when the session ends, and any find fails the session."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

COLLECTION = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(COLLECTION / 'tests' / 'lab'))

from truenas_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.certs import make_ca_and_cert  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD  # noqa: E402  pylint: disable=wrong-import-position

from .canary import Canary, ProcessWatch  # noqa: E402  pylint: disable=wrong-import-position

API_USER = 'truenas_admin'
# The canaries: the session fails if either ever shows up in an artefact (see canary.py)
API_KEY = '7-CANARYapiKEYnasjoinDoNotLeak0123456789'
# a key a careless operator writes into api_url (wss://user:KEY@nas): refused, and never shown
URL_KEY = '9-CANARYurlKEYnasjoinDoNotLeak9876543210'
JOIN_PASSWORD = FAKE_JOIN_PASSWORD  # the scripted domain's join user
SESSION = {}  # 'canary': the Canary, 'ps': its ProcessWatch (set by the canary fixture)
# the TrueNAS releases the emulator tests run on: every one (scripts/matrix's cells: the oldest and the newest)
PERSONALITIES = tuple(os.environ.get('NASJOIN_PERSONALITIES', '25.04,25.10,26,27').split(','))
_RESULT = re.compile(r'^(\S+) \| (SUCCESS|CHANGED|FAILED!|UNREACHABLE!) => (\{.*?^\})$', re.M | re.S)


@pytest.fixture(scope='session', autouse=True)
def canary(tmp_path_factory):
    """The session's Canary; at the end, no secret may be in any artefact, and there must be artefacts."""
    SESSION['canary'] = found = Canary(tmp_path_factory.mktemp('canary'))
    SESSION['ps'] = watch = ProcessWatch(found)
    found.secret(API_KEY, 'canary API key')
    found.secret(JOIN_PASSWORD, 'canary join password')
    found.secret(URL_KEY, 'canary key in api_url')
    yield found
    lines = watch.flush()
    leaks, files, size = found.scan()
    numbers = (files, size / 1e6, lines, watch.snapshots, len(found.secrets), len(leaks))
    SESSION['summary'] = ('secrets canary: %d artefact files (%.1f MB, %d distinct process lines from %d snapshots) '
                          'scanned for %d secret forms: %d leak(s)' % numbers)
    assert not leaks, 'secrets in artefacts:\n' + '\n'.join('%s: %s' % leak for leak in leaks)
    if SESSION.get('runs'):  # a session (an xdist worker) that ran no ansible has no artefacts to read
        assert files > 1 and size > 0 and (lines or not watch.snapshots), 'the canary scan read nothing'


def pytest_terminal_summary(terminalreporter):
    """The canary's numbers at the end of the run."""
    if 'summary' in SESSION:
        terminalreporter.write_line(SESSION['summary'])


def request_log():
    """A new request log file for an emulator, under the canary's artefacts."""
    return str(SESSION['canary'].path('requests.jsonl'))


@pytest.fixture(scope='session')
def tls(tmp_path_factory):
    return make_ca_and_cert(tmp_path_factory.mktemp('tls'), names=('localhost',), ips=('127.0.0.1',))


@pytest.fixture(params=PERSONALITIES)
def nas(request, tls, tmp_path):
    """An emulated TrueNAS of each supported release, on wss://127.0.0.1 and a unix socket."""
    emulator = Emulator(request.param, api_keys={API_USER: API_KEY}, hostname='nas1', request_log=request_log(),
                        interfaces=[{'name': 'eth0', 'ipv4': ['192.0.2.20/24']}])
    emulator.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'middlewared.sock'))
    yield emulator
    emulator.stop()


class Run:
    """One ansible or ansible-playbook process: exit code, output, and the per-task results."""

    def __init__(self, proc):
        self.rc, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self.results = [(host, status, json.loads(body)) for host, status, body in _RESULT.findall(proc.stdout)]

    @property
    def result(self):
        assert self.results, 'no task result in:\n%s\n%s' % (self.stdout, self.stderr)
        return self.results[-1][2]

    @property
    def changed(self):
        """How many task results say CHANGED."""
        return sum(status == 'CHANGED' for dummy, status, dummy in self.results)


class Ansible:
    """Runs ansible / ansible-playbook against localhost (connection local) with the collection installed."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.inventory = tmp_path / 'inventory.ini'
        self.inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
        self.env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK='minimal', ANSIBLE_LOAD_CALLBACK_PLUGINS='1',
                        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_HOST_KEY_CHECKING='0',
                        ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'), ANSIBLE_RETRY_FILES_ENABLED='0')
        for name in [name for name in self.env if name.startswith('TRUENAS_')]:
            del self.env[name]
        SESSION['canary'].watch(tmp_path / 'entra-report')  # the join playbook's default fleet report directory

    def _run(self, argv, env):
        """Run at -vvvv unless asked for another verbosity; every artefact goes to the canary."""
        canary = SESSION['canary']
        SESSION['runs'] = SESSION.get('runs', 0) + 1
        if not any(arg.startswith('-v') for arg in argv):
            argv = argv + ['-vvvv']
        run_env = dict(self.env, **(env or {}))
        run_env['ANSIBLE_LOG_PATH'] = str(canary.path('ansible.log'))
        with SESSION['ps']:
            proc = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=300, check=False,
                                  cwd=self.tmp_path)
        canary.keep('stdout.txt', proc.stdout)
        canary.keep('stderr.txt', proc.stderr)
        run = Run(proc)
        canary.keep('results.json', json.dumps(run.results, indent=1))
        return run

    def playbook(self, tasks, *args, env=None, hosts='localhost'):
        """Run one play of ``tasks`` (YAML text, indented for the tasks list) on ``hosts``."""
        path = self.tmp_path / 'play.yml'
        path.write_text('- name: test\n  hosts: %s\n  gather_facts: false\n  tasks:\n%s' % (hosts, tasks))
        return self.run_playbook(path, *args, env=env)

    def run_playbook(self, path, *args, env=None):
        return self._run(['ansible-playbook', '-i', str(self.inventory), str(path)] + list(args), env)

    def adhoc(self, module, module_args, *args, env=None):
        return self._run(['ansible', 'localhost', '-i', str(self.inventory), '-m', module, '-a', module_args]
                         + list(args), env)


@pytest.fixture
def ansible(tmp_path):
    return Ansible(tmp_path)
