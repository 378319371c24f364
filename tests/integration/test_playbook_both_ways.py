"""The join playbook users run converges against emulated NAS of every supported release both ways: with the API
modules in Ansible's worker and as AnsiballZ payloads (entra_in_worker=false), with the same results.

scripts/matrix runs this on every cell of locks/matrix, so each ansible-core of requires_ansible has joined, converged
and reported a fleet. The preflight role is skipped: the emulators' scripted domain has no DC on the network (the
lab runs the whole playbook, tests/integration/lab/test_main_playbook_lab.py).
"""

import json
import re

import pytest

from .conftest import COLLECTION, JOIN_PASSWORD, PERSONALITIES
from .hostile.conftest import DC_IPS, DOMAIN, Fleet, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
NAMES = ['nas1', 'nas2']
# what differs between two runs of the same play on two NAS: the NAS's address, the job's numbers and times (also
# in a message), and which of the join job's progress updates a run saw (compared apart: both must end alike)
VOLATILE = ('url', 'job_id', 'seconds', 'elapsed', 'started', 'finished', 'time', 'progress', 'generated_at')


def stable(value, tmp_path=None):
    """``value`` without what differs between runs (VOLATILE keys, at any depth; ``tmp_path`` in text)."""
    if tmp_path:
        value = json.loads(json.dumps(value).replace(str(tmp_path), '<tmp>'))
    if isinstance(value, dict):
        return dict((key, stable(item)) for key, item in value.items() if not key.endswith(VOLATILE))
    if isinstance(value, list):
        return [stable(item) for item in value]
    if isinstance(value, str):  # "joined aaddscontoso.com in 0.4 s"; a NAS's address (the summary's "nas")
        return re.sub(r'127\.0\.0\.1:[0-9]+', '127.0.0.1:<port>', re.sub(r' in [0-9.]+ s\b', ' in <n> s', value))
    return value


def by_host(run, tmp_path):
    """{host: [(status, stable result)]} of a run, in each host's order (hosts run side by side)."""
    found = {}
    for host, status, result in run.results:
        found.setdefault(host, []).append((status, stable(result, tmp_path)))
    return found


def converge(tls, tmp_path, version, *args):
    """The playbook twice over a new fleet of ``version``: (first run, second run, the fleet)."""
    tmp_path.mkdir()
    fleet = Fleet(tls, NAMES, version=version)
    try:
        runner = fleet_runner(tmp_path)
        runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
        variables = tmp_path / 'domain.json'
        variables.write_text(json.dumps({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_network_verify': False,
                                         'entra_join_user': 'aaddsadmin@' + DOMAIN}))
        argv = ('-e', '@%s' % variables, '--skip-tags', 'entra_preflight') + args
        env = {'ENTRA_JOIN_PASSWORD': JOIN_PASSWORD}
        runs = [runner.run_playbook(PLAYBOOK, *argv, env=env) for dummy in range(2)]
        joined = [list(fleet.nas[name].fake.computers) for name in NAMES]
    finally:
        fleet.stop()
    return runs, joined


@pytest.mark.parametrize('version', PERSONALITIES)
def test_the_playbook_converges_the_same_in_the_worker_and_as_ansiballz(tls, tmp_path, version):
    worker, joined = converge(tls, tmp_path / 'worker', version)
    ansiballz, joined_too = converge(tls, tmp_path / 'ansiballz', version, '-e', 'entra_in_worker=false')
    assert 'runs in the worker' in worker[0].stdout and 'AnsiballZ_ad_join' not in worker[0].stdout
    assert 'AnsiballZ_ad_join' in ansiballz[0].stdout and 'runs in the worker' not in ansiballz[0].stdout
    for first, second in (worker, ansiballz):
        assert first.rc == 0 and first.changed > 0, first.stdout[-5000:] + first.stderr
        assert second.rc == 0 and second.changed == 0, second.stdout[-5000:] + second.stderr
    assert joined == joined_too == [[name.upper()] for name in NAMES]
    for run, again in zip(worker, ansiballz):
        assert by_host(run, tmp_path / 'worker') == by_host(again, tmp_path / 'ansiballz')
    joins = [[result['progress'][-1] for host, status, result in first.results if result.get('progress')]
             for first in (worker[0], ansiballz[0])]
    assert joins[0] == joins[1] and len(joins[0]) == len(NAMES)
