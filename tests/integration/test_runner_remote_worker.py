"""The playbook on a remote execution node, as AWX / AAP runs a job there (Receptor carries the same streams):
``ansible-runner transmit <job> | ansible-runner worker | ansible-runner process <job>``. The worker runs in a
network namespace of its own (only its loopback), where the emulated NAS listen on 127.0.0.1 and which alone reaches
them, from a venv holding exactly locks/ee-py3.11.txt (what the execution environment installs) and the built
collection. The credential is applied as AWX applies it (awx.py). Both NAS join (one of each supported release),
the report comes back with the job's artifacts, a second job changes nothing, and no secret is in what comes back."""

import json
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from . import awx
from .conftest import API_KEY, API_USER, COLLECTION, JOIN_PASSWORD, PERSONALITIES, SESSION, request_log
from .hostile.conftest import DC_IPS, DOMAIN

NAMES = dict(zip(('nas1', 'nas2'), PERSONALITIES))  # NAS name: release
NAMESPACE = 'nje-worker-%d' % os.getpid()
RUNNER = str(Path(sys.executable).parent / 'ansible-runner')  # the control node's


@pytest.fixture(scope='module')
def node(tmp_path_factory):
    """The execution node's software: a venv of the EE lock (hashes checked, no index) and the built collection."""
    home = tmp_path_factory.mktemp('node')
    awx.ee_venv(home / 'ee', awx.LOCK)
    awx.run('ansible-galaxy', 'collection', 'build', str(COLLECTION), '--output-path', str(home))
    awx.run(str(home / 'ee' / 'bin' / 'ansible-galaxy'), 'collection', 'install', str(next(home.glob('*.tar.gz'))),
            '-p', str(home / 'collections'), env={'PATH': os.environ['PATH'], 'HOME': str(home)})
    return home


@pytest.fixture(scope='module')
def namespace():
    """A network namespace of this test's own: its loopback only."""
    subprocess.run(['ip', 'netns', 'add', NAMESPACE], check=True)
    try:
        subprocess.run(['ip', '-n', NAMESPACE, 'link', 'set', 'lo', 'up'], check=True)
        links = awx.run('ip', '-n', NAMESPACE, '-o', 'link', 'show').splitlines()
        assert len(links) == 1 and ': lo: ' in links[0], links
        yield NAMESPACE
    finally:
        subprocess.run(['ip', 'netns', 'delete', NAMESPACE], check=False)


def _ready_line(proc):
    if not select.select([proc.stdout], [], [], 60)[0]:
        raise AssertionError('the emulator did not start in 60 s')
    return json.loads(proc.stdout.readline())


@pytest.fixture(scope='module')
def fleet(namespace, tls, tmp_path_factory):
    """{name: url} of emulated NAS started inside the namespace (python -m truenas_emulator), stopped afterwards."""
    home = tmp_path_factory.mktemp('fleet')
    (home / 'keys.json').write_text(json.dumps({API_USER: API_KEY}))
    os.chmod(home / 'keys.json', 0o600)
    (home / 'directory.json').write_text(json.dumps({'dcs': [['dc%d.%s' % (n, DOMAIN), ip] for n, ip in enumerate(DC_IPS, 1)]}))
    env = dict(os.environ, PYTHONPATH=str(COLLECTION / 'tests' / 'lab'))
    procs, urls = [], {}
    try:
        for number, (name, version) in enumerate(sorted(NAMES.items()), 1):
            procs.append(subprocess.Popen(
                ['ip', 'netns', 'exec', namespace, sys.executable, '-m', 'truenas_emulator', '--version', version,
                 '--listen', '127.0.0.1:0', '--cert', tls['cert'], '--key', tls['key'], '--hostname', name,
                 '--api-keys-file', str(home / 'keys.json'), '--directory-options', str(home / 'directory.json'),
                 '--interface', 'eth0=198.18.0.%d/24' % number, '--request-log', request_log()],
                env=env, stdout=subprocess.PIPE, text=True))
            urls[name] = _ready_line(procs[-1])['url']
        yield urls
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _reachable(url, ca):
    """Whether a TLS handshake with the NAS at ``url`` (its certificate checked against ``ca``) succeeds from here."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=3) as sock, \
                ssl.create_default_context(cafile=ca).wrap_socket(sock, server_hostname=parts.hostname):
            return True
    except OSError:
        return False


def _pipeline(output, transmit, worker, process):
    """``transmit | worker | process`` (``worker`` with its environment), ``process`` writing to ``output``; their
    exit codes. A stage still running after 4 minutes is killed, with the processes it started."""
    procs = [subprocess.Popen(transmit, stdout=subprocess.PIPE, start_new_session=True)]
    try:
        procs.append(subprocess.Popen(worker[0], env=worker[1], stdin=procs[0].stdout, stdout=subprocess.PIPE,
                                      start_new_session=True))
        procs.append(subprocess.Popen(process, stdin=procs[1].stdout, stdout=output, start_new_session=True))
        for proc in procs[:2]:
            proc.stdout.close()  # each stage alone holds its input: one that ends ends the next
        return [proc.wait(240) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _job(ident, urls, node, tmp_path, tls):
    """One job: the control node lays out the private data directory and applies the credential, transmits it to
    the worker in the namespace, and processes what comes back into its own artifacts. Returns its artifacts dir."""
    control, worker = tmp_path / ('control-%s' % ident), tmp_path / ('worker-%s' % ident)
    awx.private_data_dir(control, awx.inventory(urls, str(node / 'ee' / 'bin' / 'python')), awx.domain_vars())
    env, args = awx.inject(awx.credential_type(), awx.canary_inputs(Path(tls['ca']).read_text()), control, seen_as=worker)
    (control / 'env' / 'envvars').write_text(json.dumps(env))
    (node / 'home').mkdir(exist_ok=True)
    node_env = {'PATH': '%s:/usr/sbin:/usr/bin:/sbin:/bin' % (node / 'ee' / 'bin'), 'HOME': str(node / 'home'),
                'LC_ALL': 'C.UTF-8', 'ANSIBLE_COLLECTIONS_PATH': str(node / 'collections'),
                'ANSIBLE_LOG_PATH': str(SESSION['canary'].path('ansible.log'))}
    SESSION['runs'] = SESSION.get('runs', 0) + 1
    with SESSION['ps'], open(tmp_path / ('process-%s.txt' % ident), 'wb') as shown:
        codes = _pipeline(shown, [RUNNER, 'transmit', str(control), '-p', 'site.yml', '--ident', ident,
                                  '--cmdline=%s' % ' '.join(args + awx.JOB_ARGS)],
                          (['ip', 'netns', 'exec', NAMESPACE, str(node / 'ee' / 'bin' / 'ansible-runner'), 'worker',
                            '--private-data-dir', str(worker)], node_env),
                          [RUNNER, 'process', str(control), '--ident', ident])
    SESSION['canary'].keep('process-stdout.txt', (tmp_path / ('process-%s.txt' % ident)).read_text())
    assert codes == [0, 0, 0], (codes, (tmp_path / ('process-%s.txt' % ident)).read_text()[-5000:])
    return control / 'artifacts' / ident, worker / 'artifacts' / ident


def test_a_remote_worker_joins_the_fleet_it_alone_reaches_and_a_second_job_changes_nothing(fleet, node, tls, tmp_path):
    assert not [name for name, url in fleet.items() if _reachable(url, tls['ca'])], 'the control node reaches a NAS'
    artifacts, on_node = _job('1', fleet, node, tmp_path, tls)
    assert (artifacts / 'status').read_text() == 'successful' and (artifacts / 'rc').read_text() == '0'
    job_events = awx.events(artifacts)
    joins = awx.results(job_events, 'nasjoin.entra.ad_join')
    assert sorted(joins) == sorted(fleet), joins
    for name, result in joins.items():
        assert result['changed'] and result['status'] == 'HEALTHY' and result['connection']['url'] == fleet[name]
    assert sorted(awx.stats(job_events)['changed']) == sorted(fleet) and not awx.stats(job_events)['failures']
    report = json.loads((artifacts / 'entra-report' / 'fleet-report.json').read_text())
    assert sorted((record['host'], record['steps']['join']['status']) for record in report['records']) == \
        [(name, 'HEALTHY') for name in sorted(fleet)]
    ran = json.loads((artifacts / 'command').read_text())['env']  # the worker's: its artifacts, its collection
    assert ran['AWX_ISOLATED_DATA_DIR'] == str(on_node) and ran['ANSIBLE_COLLECTIONS_PATH'] == str(node / 'collections')

    again, dummy = _job('2', fleet, node, tmp_path, tls)
    second = awx.events(again)
    assert (again / 'status').read_text() == 'successful' and awx.stats(second)['changed'] == {}
    converged = awx.results(second, 'nasjoin.entra.ad_join')
    assert sorted(converged) == sorted(fleet) and all(res['msg'] == 'already joined, HEALTHY' for res in converged.values())
    for directory in (artifacts, again, on_node):
        assert awx.leaks(directory, [API_KEY, JOIN_PASSWORD]) == []
