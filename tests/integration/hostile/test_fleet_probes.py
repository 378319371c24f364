"""The preflight role over emulated NAS from the controller: the DC probes run once for the play and every NAS's
check decides from them, making only its own probes (its nameservers); a NAS whose probe settings differ probes the
DCs itself, and says why."""

import json

from ..conftest import COLLECTION
from .conftest import DC_IPS, DOMAIN, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
SHARING = ['nas-a', 'nas-b', 'nas-c']


def dc_checks(result):
    """The checks of the DC probes, with their elapsed_ms (the shared outcome's): all but the NAS's own."""
    return [item for item in result['checks'] if item['name'] not in ('hostname', 'resolver', 'clock_skew')]


def test_dc_probes_run_once_and_each_nas_probes_only_its_own_resolver_view(fleet_of, tmp_path):
    fleet = fleet_of(SHARING + ['nas-own'])
    for emu in fleet.nas.values():  # the NAS's nameservers: the DCs
        emu.network.update({'nameserver1': DC_IPS[0], 'nameserver2': DC_IPS[1]})
    runner = fleet_runner(tmp_path)
    timeouts = dict((name, {'entra_preflight_probe_timeout': 0.3 if name == 'nas-own' else 0.2}) for name in fleet.nas)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json', timeouts)
    variables = tmp_path / 'domain.json'
    variables.write_text(json.dumps({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_preflight_fail_on': 'never',
                                     'entra_join_user': 'aaddsadmin@' + DOMAIN}))
    run = runner.run_playbook(PLAYBOOK, '-e', '@%s' % variables, '--tags', 'entra_preflight',
                              env={'ENTRA_JOIN_PASSWORD': 'not-used-without-the-credential-check'})
    assert run.rc == 0, run.stdout + run.stderr
    fleet_runs = [result for dummy, dummy, result in run.results if 'fleet_probes' in result]
    assert len(fleet_runs) == 1 and not fleet_runs[0]['connection']
    checks = dict((host, result) for host, dummy, result in run.results if 'checks' in result)
    assert sorted(checks) == sorted(fleet.nas)
    for name in SHARING:
        assert checks[name]['dc_probes'] == {'shared': True, 'run': fleet_runs[0]['fleet_probes']['run'],
                                             'own_probes': ['resolver@' + ip for ip in DC_IPS]}, name
        assert dc_checks(checks[name]) == dc_checks(checks[SHARING[0]]), name  # decided from the same outcomes
    assert checks['nas-own']['dc_probes']['shared'] is False and 'probe_timeout' in checks['nas-own']['dc_probes']['why']
