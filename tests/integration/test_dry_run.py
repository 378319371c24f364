"""A fleet-wide dry run: the join playbook with --check --diff over emulated NAS of every supported release, one
unjoined, one half-configured (DNS set, not joined) and one converged. Every host ends as a real run would (the
unjoined and half-configured ones changed, with the predicted diff; the converged one unchanged and really verified),
preflight checks the nameservers step 1 would set, verify is not run where the join is only predicted, the exit code
is 0, the report is written marked as a dry run to files of its own (the real run's report stays as it was), and no
NAS is written to. What would fail for real (a DC that does not serve the domain at preflight, a bad variable) fails
the same in check mode.

The emulators' scripted domain has no DC on the network, so the preflight role is left out (--skip-tags) where the
outcomes are asserted, and runs with fail_on=never where the nameservers it checks are.
"""

import json

import pytest

from .conftest import COLLECTION, JOIN_PASSWORD, PERSONALITIES
from .hostile.conftest import DC_IPS, DOMAIN, Fleet, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
HOSTS = ['unjoined', 'half', 'converged']
DRY_FILES = ['fleet-report-dry-run.html', 'fleet-report-dry-run.json', 'fleet-report-dry-run.md']
REAL_FILES = ['fleet-report.html', 'fleet-report.json', 'fleet-report.md']
ENV = {'ENTRA_JOIN_PASSWORD': JOIN_PASSWORD}


@pytest.fixture
def fleet_of(tls):
    """``fleet_of(names, version)``: emulated NAS named ``names``, stopped after the test."""
    made = []

    def make(names, version='25.10'):
        made.append(Fleet(tls, names, version=version))
        return made[-1]

    yield make
    for fleet in made:
        fleet.stop()


def domain_vars(tmp_path, **extra):
    """The ``-e @file`` of the scripted domain (DNS verification off: its DCs are not on the network)."""
    path = tmp_path / 'domain.json'
    path.write_text(json.dumps(dict({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_network_verify': False,
                                     'entra_join_user': 'aaddsadmin@' + DOMAIN}, **extra)))
    return ('-e', '@%s' % path)


def half_configure(emu):
    """DNS set as step 1 sets it (domain and the DCs), not joined."""
    emu.network.update({'domain': DOMAIN, 'nameserver1': DC_IPS[0], 'nameserver2': DC_IPS[1]})


def results_of(run, host):
    """{step: result} of one host, found by what each step's result holds."""
    keys = {'network': 'verify', 'preflight': 'checks', 'join': 'progress', 'verify': 'idmap'}
    found = {}
    for name, status, result in run.results:
        for step, key in keys.items():
            if name == host and key in result and 'entra_failure' not in result.get('ansible_facts', {}):
                found[step] = (status, result)
    return found


def dry_report(tmp_path):
    return json.loads((tmp_path / 'entra-report' / 'fleet-report-dry-run.json').read_text())


@pytest.mark.parametrize('version', PERSONALITIES)
def test_a_dry_run_predicts_every_host_writes_its_own_report_and_changes_no_nas(fleet_of, tmp_path, version):
    fleet = fleet_of(HOSTS, version=version)
    half_configure(fleet.nas['half'])
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
    argv = domain_vars(tmp_path) + ('--skip-tags', 'entra_preflight')
    real = runner.run_playbook(PLAYBOOK, *argv, '--limit', 'converged', env=ENV)
    assert real.rc == 0 and real.changed > 0, real.stdout[-5000:] + real.stderr
    real_report = dict((name, (tmp_path / 'entra-report' / name).read_bytes()) for name in REAL_FILES)
    networks = [emu.network_config for emu in fleet.nas.values()]
    for emu in fleet.nas.values():
        emu.reset_counters()

    run = runner.run_playbook(PLAYBOOK, *argv, '--check', '--diff', env=ENV)

    assert run.rc == 0, run.stdout[-5000:] + run.stderr
    assert [emu.counters()['writes'] for emu in fleet.nas.values()] == [0, 0, 0]
    assert all(emu.counters()['calls'] > 0 for emu in fleet.nas.values())  # each NAS was read
    assert networks == [emu.network_config for emu in fleet.nas.values()]
    assert [list(emu.fake.computers) for emu in fleet.nas.values()] == [[], [], ['CONVERGED']]
    unjoined, half, converged = (results_of(run, host) for host in HOSTS)
    # the unjoined NAS: step 1's diff and the join's, both only predicted; verify not run
    status, network = unjoined['network']
    assert status == 'CHANGED' and network['diff']['before']['nameservers'] == []
    assert network['diff']['after']['nameservers'] == DC_IPS == network['config']['nameservers']
    for joins in (unjoined, half):
        status, join = joins['join']
        assert status == 'CHANGED' and join['msg'].startswith('would join %s' % DOMAIN), join['msg']
        assert join['diff']['before']['enabled'] is False and join['diff']['after']['enabled'] is True
        assert 'verify' not in joins
    assert half['network'][0] == 'SUCCESS' and half['network'][1]['diff']['before'] == half['network'][1]['diff']['after']
    skipped = [line for line in run.stdout.splitlines() if line.endswith(' | SKIPPED')]
    # every host skips the Azure discovery; verify is skipped where the join is only predicted
    assert dict((host, skipped.count('%s | SKIPPED' % host)) for host in HOSTS) == {'unjoined': 2, 'half': 2, 'converged': 1}
    # the converged NAS: nothing to change, and verify really ran (it reads only)
    assert [status for name, status, dummy in run.results if name == 'converged'].count('CHANGED') == 0
    assert converged['join'][1]['msg'] == 'already joined, HEALTHY'
    assert converged['verify'][0] == 'SUCCESS' and converged['verify'][1]['status'] == 'HEALTHY'
    assert converged['verify'][1]['summary']['fail'] == 0

    assert sorted(path.name for path in (tmp_path / 'entra-report').iterdir()) == sorted(DRY_FILES + REAL_FILES)
    assert real_report == dict((name, (tmp_path / 'entra-report' / name).read_bytes()) for name in REAL_FILES)
    written = dry_report(tmp_path)
    assert written['dry_run'] is True and written['outcomes'] == {'changed': 2, 'ok': 1}
    records = dict((record['host'], record) for record in written['records'])
    assert all(record['dry_run'] and record['why'].startswith('dry run (check mode, nothing was changed): ')
               for record in records.values())
    states = dict((host, [records[host]['steps'][step]['state'] for step in ('network', 'preflight', 'join', 'verify')])
                  for host in HOSTS)
    assert states == {'unjoined': ['changed', 'not run', 'changed', 'not run'],
                      'half': ['ok', 'not run', 'changed', 'not run'],
                      'converged': ['ok', 'not run', 'ok', 'ok']}
    for host in ('unjoined', 'half'):
        assert records[host]['steps']['verify']['why'].startswith('the join is only predicted (check mode)')
    assert records['unjoined']['steps']['network']['nameservers'] == DC_IPS  # the predicted settings
    report_task = [result for dummy, dummy, result in run.results if 'outcomes' in result][-1]
    assert report_task['dry_run'] is True and report_task['paths']['json'].endswith('fleet-report-dry-run.json')
    assert 'dry run (check mode)' in report_task['msg'] and 'fleet-report-dry-run.md' in report_task['msg']
    markdown = (tmp_path / 'entra-report' / 'fleet-report-dry-run.md').read_text()
    assert markdown.startswith('# Entra Domain Services join report (dry run)\n\nDry run (check mode): nothing was changed')
    assert '| unjoined |' in markdown and 'changed (dry run)' in markdown and 'would change to HEALTHY' in markdown
    page = (tmp_path / 'entra-report' / 'fleet-report-dry-run.html').read_text()
    assert '<title>Entra Domain Services join report (dry run)</title>' in page and '2 changed (dry run)' in page


@pytest.mark.parametrize('version', PERSONALITIES)
def test_preflight_in_check_mode_checks_the_nameservers_step_1_would_set(fleet_of, tmp_path, version):
    fleet = fleet_of(['unjoined', 'half'], version=version)
    half_configure(fleet.nas['half'])
    for emu in fleet.nas.values():
        emu.reset_counters()
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
    argv = domain_vars(tmp_path, entra_preflight_fail_on='never', entra_preflight_probe_timeout=0.3)
    run = runner.run_playbook(PLAYBOOK, *argv, '--tags', 'entra_network,entra_preflight', '--check', '--diff', env=ENV)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr
    assert [emu.counters()['writes'] for emu in fleet.nas.values()] == [0, 0]
    assert 'the NAS has no nameserver' not in run.stdout
    for host, has in (('unjoined', []), ('half', DC_IPS)):
        preflight = results_of(run, host)['preflight'][1]
        assert preflight['nas']['nameservers'] == has  # what the NAS holds now
        assert [check['target'] for check in preflight['checks'] if check['name'] == 'resolver'] == DC_IPS, host


# (variables, the step that stops the host, whether the two messages are the same text: the probes of DCs that serve no
# domain end in a timeout or an answer depending on the machine's load, so their message may differ between two runs)
@pytest.mark.parametrize('extra, step, same_text', [
    ({'entra_preflight_probe_timeout': 0.5}, 'Prove the NAS can reach the managed domain', False),
    ({'entra_join_timeout': 0}, 'Check the variables of every step before any change', True),
])
def test_what_would_fail_for_real_fails_the_same_in_check_mode(fleet_of, tmp_path, extra, step, same_text):
    runs = {}
    for mode in ('check', 'real'):
        fleet = fleet_of(['nas1'])
        fleet.nas['nas1'].reset_counters()
        (tmp_path / mode).mkdir()
        runner = fleet_runner(tmp_path / mode)
        runner.inventory = fleet.inventory(tmp_path / mode / 'fleet.json')
        argv = domain_vars(tmp_path / mode, **extra) + (('--check', '--diff') if mode == 'check' else ())
        runs[mode] = runner.run_playbook(PLAYBOOK, *argv, env=ENV)
        runs[mode].writes = fleet.nas['nas1'].counters()['writes']
    for run in runs.values():
        assert run.rc == 2, run.stdout[-5000:] + run.stderr
    stopped = [[result['msg'] for host, status, result in run.results
                if status == 'FAILED!' and result['msg'].startswith(step + ': ')] for run in runs.values()]
    assert len(stopped[0]) == len(stopped[1]) == 1 and (stopped[0] == stopped[1] or not same_text), stopped
    assert runs['check'].writes == 0
    written = dry_report(tmp_path / 'check')
    assert written['dry_run'] is True and written['outcomes'] == {'failed': 1}
    assert written['records'][0]['first_failure']['msg'] in stopped[0][0]
