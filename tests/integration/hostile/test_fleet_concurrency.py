"""The playbook users run, over 20 emulated NAS at once with 20 forks, twice: every host's result names its own NAS,
no NAS sees another host's calls, no NAS refuses a login (each enforces TrueNAS's 20 logins a minute per address, and
both runs together stay under it: test_login_rate_limit.py shows a burst over it), and the second run changes nothing.

The preflight role is skipped (--skip-tags entra_preflight): it probes the domain controllers from the controller,
and the scripted domain of the emulators has none on the network. The lab runs the whole playbook
(tests/integration/lab/test_main_playbook_lab.py).
"""

import json

from ..conftest import COLLECTION, JOIN_PASSWORD
from .conftest import DC_IPS, DOMAIN, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
NAMES = ['nas%02d' % number for number in range(1, 21)]


def per_host(run, key):
    """{host: result} of the task results that hold ``key``."""
    return dict((host, result) for host, status, result in run.results if key in result)


def test_twenty_nas_with_twenty_forks_twice(fleet_of, tmp_path):
    fleet = fleet_of(NAMES)
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
    variables = tmp_path / 'domain.json'
    variables.write_text(json.dumps({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_join_user': 'aaddsadmin@' + DOMAIN,
                                     'entra_network_verify': False}))
    args = ('-e', '@%s' % variables, '--forks', '20', '--skip-tags', 'entra_preflight')
    env = {'ENTRA_JOIN_PASSWORD': JOIN_PASSWORD}

    first = runner.run_playbook(PLAYBOOK, *args, env=env)
    assert first.rc == 0, first.stdout[-5000:] + first.stderr
    joins = per_host(first, 'progress')
    assert sorted(joins) == NAMES and len(per_host(first, 'verify')) == 20 and sorted(per_host(first, 'idmap')) == NAMES
    for name, result in joins.items():
        emu = fleet.nas[name]
        assert result['changed'] and result['status'] == 'HEALTHY', result
        assert result['config']['hostname'].lower() == name and result['config']['domain'] == DOMAIN
        assert result['connection']['url'] == emu.url
        assert list(emu.fake.computers) == [name.upper()]
        seen = emu.counters()
        assert seen['connections'] == 3 and seen['logins_ok'] == 3, (name, seen)  # network, join, verify
        assert seen['rate_limited'] == 0, (name, seen)
        assert seen['by_method']['directoryservices.update'] == 1
        assert emu.network_config['domain'] == DOMAIN and emu.network_config['nameserver2'] == DC_IPS[1]
        emu.reset_counters()
    report = json.loads((runner.tmp_path / 'entra-report' / 'fleet-report.json').read_text())
    assert sorted(record['host'] for record in report['records']) == NAMES and 'failed' not in report['outcomes']
    assert all(record['nas'] == fleet.nas[record['host']].url for record in report['records'])

    second = runner.run_playbook(PLAYBOOK, *args, env=env)
    assert second.rc == 0 and second.changed == 0, second.stdout[-5000:] + second.stderr
    again = per_host(second, 'progress')
    assert sorted(again) == NAMES
    for name, result in again.items():
        seen = fleet.nas[name].counters()
        assert result['config']['hostname'].lower() == name and result['msg'] == 'already joined, HEALTHY'
        assert seen['writes'] == 0 and seen['connections'] == 3 and seen['rate_limited'] == 0, (name, seen)
