"""The join playbook's dry run against the lab's real DCs: ansible-playbook --check --diff over the unjoined
stand-ins (nas1 from the controller, holding no nameserver yet; nas2 on the NAS over SSH). Step 1 predicts the DCs as
nameservers and proves them, preflight checks those predicted nameservers and passes, the join is predicted, verify is
not run, the play exits 0 with both hosts changed, the report is the dry run's own, and neither stand-in was written to.
"""

import json
import os

from truenas_emulator.control import Control

from .test_main_playbook_lab import PLAYBOOK, fleet  # noqa: F401  pylint: disable=unused-import

HOSTS = {'nas1-api': 1, 'nas2-ssh': 2}
CLEARED = {'nameserver1': '', 'nameserver2': '', 'nameserver3': ''}


def control(lab, number):
    return Control(os.path.join(lab['nas'][number - 1]['dir'], 'control.sock'))


def state(lab, number):
    """What a dry run must leave as it is: the stand-in's network settings and directory service."""
    network = lab.midclt(number, 'network.configuration.config')
    network.pop('state', None)
    return network, lab.midclt(number, 'directoryservices.status'), lab.midclt(number, 'directoryservices.config')


def writes(lab):
    with control(lab, 1) as nas1, control(lab, 2) as nas2:
        return [nas1.counters()['writes'], nas2.counters()['writes']]


def test_a_dry_run_over_unjoined_stand_ins_predicts_every_step_and_writes_nothing(lab, fleet):  # pylint: disable=redefined-outer-name
    kept = lab.midclt(1, 'network.configuration.config')
    lab.midclt(1, 'network.configuration.update', CLEARED)  # nas1: DNS not set yet
    try:
        before, written = [state(lab, number) for number in (1, 2)], writes(lab)
        run = fleet.run_playbook(PLAYBOOK, *fleet.secrets, '--check', '--diff')
        after, written_after = [state(lab, number) for number in (1, 2)], writes(lab)
    finally:
        lab.midclt(1, 'network.configuration.update', dict((key, kept[key]) for key in CLEARED))
    assert run.rc == 0, run.stdout[-5000:] + run.stderr
    assert before == after and written == written_after
    assert before[0][0]['nameserver1'] == '' and [status for dummy, status, dummy in before] != ['HEALTHY'] * 2
    for host in HOSTS:
        network = next(result for name, dummy, result in run.results if name == host and 'verify' in result)
        assert network['config']['nameservers'] == lab['dc_ips'] and network['diff']['after']['nameservers'] == lab['dc_ips']
        if network['changed'] or host == 'nas1-api':  # nas2 may hold the DCs from an earlier run
            assert [check['status'] for check in network['verify']] == ['pass', 'pass']  # proven in check mode too
        preflight = next(result for name, dummy, result in run.results if name == host and 'checks' in result)
        assert preflight['summary']['fail'] == 0, preflight['msg']
        assert [check['target'] for check in preflight['checks'] if check['name'] == 'resolver'] == lab['dc_ips']
        join = next((status, result) for name, status, result in run.results if name == host and 'progress' in result)
        assert join[0] == 'CHANGED' and join[1]['msg'].startswith('would join %s' % lab['dns_domain']), join
        assert join[1]['diff']['before']['enabled'] is False and join[1]['diff']['after']['status'] == 'HEALTHY'
        assert not [result for name, dummy, result in run.results if name == host and 'idmap' in result]
    nas1_preflight = next(result for name, dummy, result in run.results if name == 'nas1-api' and 'checks' in result)
    assert nas1_preflight['nas']['nameservers'] == []  # the NAS held none: the checked ones are step 1's
    out = fleet.tmp_path / 'entra-report'
    assert sorted(path.name for path in out.iterdir()) == ['fleet-report-dry-run.html', 'fleet-report-dry-run.json',
                                                           'fleet-report-dry-run.md']
    report = json.loads((out / 'fleet-report-dry-run.json').read_text())
    assert report['dry_run'] is True and report['outcomes'] == {'changed': 2}
    for record in report['records']:
        assert [record['steps'][step]['state'] for step in ('network', 'preflight', 'join', 'verify')] == \
            ['changed' if record['host'] == 'nas1-api' else record['steps']['network']['state'], 'ok', 'changed', 'not run']
        assert record['steps']['verify']['why'].startswith('the join is only predicted (check mode)')
    assert 'Dry run (check mode): nothing was changed' in (out / 'fleet-report-dry-run.md').read_text()


def test_a_dry_run_over_joined_stand_ins_changes_nothing_and_really_verifies(lab, fleet):  # pylint: disable=redefined-outer-name
    joined = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert joined.rc == 0, joined.stdout[-5000:] + joined.stderr
    before, written = [state(lab, number) for number in (1, 2)], writes(lab)
    run = fleet.run_playbook(PLAYBOOK, *fleet.secrets, '--check', '--diff')
    assert run.rc == 0 and run.changed == 0, run.stdout[-5000:] + run.stderr
    assert before == [state(lab, number) for number in (1, 2)] and written == writes(lab)
    verified = dict((name, result) for name, dummy, result in run.results if 'idmap' in result)
    assert sorted(verified) == sorted(HOSTS) and all(result['status'] == 'HEALTHY' for result in verified.values())
    assert [result['summary']['fail'] for result in verified.values()] == [0, 0]
    out = fleet.tmp_path / 'entra-report'
    report = json.loads((out / 'fleet-report-dry-run.json').read_text())
    assert report['dry_run'] is True and report['outcomes'] == {'ok': 2}
    assert json.loads((out / 'fleet-report.json').read_text())['outcomes'] == {'changed': 2}  # the real run's, kept
