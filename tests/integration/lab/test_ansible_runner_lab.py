"""nasjoin.entra.join_entra_ds through ansible-runner, as AWX and AAP run a job: a private data directory with the
lab's inventory, the join password in the job's environment (a credential), the API keys in its extra variables
file. The job joins nas1 from the controller, its events carry the per-host results, the report is written, a
second job changes nothing, and no secret is in the job's events, its output or its command line. nas1 leaves
afterwards."""

import json
import os

import ansible_runner
import pytest
import yaml

from ..conftest import COLLECTION, SESSION

PLAYBOOK = str(COLLECTION / 'playbooks' / 'join_entra_ds.yml')
LEAVE = str(COLLECTION / 'playbooks' / 'leave_entra_ds.yml')


@pytest.fixture
def job(lab, tmp_path):
    """Runs a playbook as an ansible-runner job on nas1-api; nas1 has left before and after."""
    secrets = yaml.safe_load(open(lab['secrets_file'], encoding='utf-8'))
    for name in ('inventory', 'env'):
        (tmp_path / name).mkdir()
    lab.labctl('inventory', '--output', str(tmp_path / 'inventory' / 'lab.yml'))
    SESSION['canary'].watch(tmp_path / 'report')
    (tmp_path / 'env' / 'extravars').write_text(yaml.safe_dump({
        'truenas_api_keys': secrets['truenas_api_keys'], 'entra_hosts': 'truenas_api',
        'entra_report_dir': str(tmp_path / 'report')}))

    def run(playbook):
        return ansible_runner.run(
            private_data_dir=str(tmp_path), playbook=playbook, limit='nas1-api', quiet=True,
            envvars={'ENTRA_JOIN_PASSWORD': secrets['entra_join_password'],
                     'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH']})
    run(LEAVE)
    yield run, [secrets['entra_join_password']] + list(secrets['truenas_api_keys'].values())
    assert run(LEAVE).status == 'successful'


def results(runner, module):
    return [event['event_data']['res'] for event in runner.events if event['event'] == 'runner_on_ok'
            and event['event_data'].get('task_action') == module]


def test_a_runner_job_joins_and_a_second_job_changes_nothing(lab, job, tmp_path):
    run, secrets = job
    first = run(PLAYBOOK)
    assert first.status == 'successful' and first.rc == 0, first.stdout.read()
    joined = results(first, 'nasjoin.entra.ad_join')
    assert len(joined) == 1 and joined[0]['changed'] and joined[0]['status'] == 'HEALTHY'
    assert results(first, 'nasjoin.entra.verify_idmap')[0]['summary']['fail'] == 0
    assert list(first.stats['changed']) == ['nas1-api']
    report = json.loads((tmp_path / 'report' / 'fleet-report.json').read_text())
    assert [(record['host'], record['steps']['join']['status']) for record in report['records']] == \
        [('nas1-api', 'HEALTHY')]
    second = run(PLAYBOOK)
    assert second.status == 'successful' and second.stats['changed'] == {}, second.stdout.read()
    shown = [json.dumps(event) for runner in (first, second) for event in runner.events]
    shown += [runner.stdout.read() for runner in (first, second)]
    shown += [json.dumps(json.loads(path.read_text())['command']) for path in (tmp_path / 'artifacts').glob('*/command')]
    assert len(shown) > 20 and not [text for text in shown for secret in secrets if secret in text]
