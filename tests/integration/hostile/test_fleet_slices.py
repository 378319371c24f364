"""A sliced job over an emulated fleet: three slices of the join playbook run at once as ansible-runner jobs (as AWX
runs each slice of a sliced job), each writing its own report into one directory (entra_report_name) and publishing
its summary with set_stats (the job's artifacts); then merge_fleet_report.yml, over the whole inventory, makes one
report of them - JSON, Markdown and JUnit XML, parsed back - in which a host no slice ran is "not run", never ok.

The preflight role is skipped: the scripted domain of the emulators has no domain controller on the network."""

import json
import os
import threading
import xml.etree.ElementTree as ET

import ansible_runner

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import OUTCOMES

from .. import awx
from ..conftest import API_KEY, API_USER, COLLECTION, JOIN_PASSWORD, SESSION
from .conftest import DC_IPS, DOMAIN

SLICES = {'slice1': ['nas1', 'nas2'], 'slice2': ['nas3', 'nas4'], 'slice3': ['nas5', 'nas6']}
NAMES = [name for hosts in SLICES.values() for name in hosts]
FORMATS = ['json', 'markdown', 'junit']
DEAD = 'https://127.0.0.1:9'  # nas6's address: nothing listens there, so its first step fails


def job(tmp_path, fleet, ident, playbook, limit=None):
    """Run ``playbook`` as an ansible-runner job whose private data directory is ``tmp_path/ident``; the reports go
    to ``tmp_path/reports``; the API key and the join password come from a read-only file of extra vars, as AWX
    passes a credential's (never the environment, which ansible-runner records in the job's artifacts)."""
    private = tmp_path / ident
    private.mkdir()
    credential = tmp_path / 'credential' / ident
    credential.parent.mkdir(exist_ok=True)
    credential.write_text(json.dumps({'truenas_api_key': API_KEY, 'entra_join_password': JOIN_PASSWORD}))
    credential.chmod(0o400)
    inventory = fleet.inventory(tmp_path / ('%s.json' % ident), hostvars={'nas6': {'truenas_api_url': DEAD}}, extra_hosts=['nas7'],
                                groups={'truenas': NAMES + ['nas7']})
    extravars = {'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_join_user': 'aaddsadmin@' + DOMAIN,
                 'entra_network_verify': False, 'entra_report_dir': str(tmp_path / 'reports'), 'entra_report_formats': FORMATS}
    if limit:
        extravars['entra_report_name'] = ident
    SESSION['runs'] = SESSION.get('runs', 0) + 1
    with SESSION['ps']:
        return ansible_runner.run(
            private_data_dir=str(private), playbook=str(playbook), inventory=str(inventory), extravars=extravars,
            limit=limit, ident=ident, quiet=True, cmdline='--skip-tags entra_preflight -e @%s' % credential,
            envvars={'TRUENAS_API_USERNAME': API_USER, 'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH']})


def artifact(runner):
    """The job's set_stats data, as AWX stores it for the job's artifacts (playbook_on_stats' artifact_data)."""
    return awx.stats(list(runner.events))['artifact_data']['entra_fleet_report']


def run_slices(tmp_path, fleet):
    runners = {}
    threads = [threading.Thread(target=lambda ident=ident, hosts=hosts: runners.__setitem__(
        ident, job(tmp_path, fleet, ident, COLLECTION / 'playbooks' / 'join_entra_ds.yml', ','.join(hosts))))
        for ident, hosts in SLICES.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runners


def test_three_slices_at_once_make_one_report(fleet_of, tmp_path):
    fleet = fleet_of(NAMES)
    runners = run_slices(tmp_path, fleet)
    assert [runners[ident].rc for ident in SLICES] == [0, 0, 2], [runner.stdout.read()[-3000:] for runner in runners.values()]
    reports = tmp_path / 'reports'
    assert sorted(path.name for path in reports.iterdir()) == sorted(
        'fleet-report-%s.%s' % (ident, ext) for ident in SLICES for ext in ('json', 'md', 'junit.xml'))
    for ident, hosts in SLICES.items():
        written = json.loads((reports / ('fleet-report-%s.json' % ident)).read_text())
        assert [record['host'] for record in written['records']] == hosts  # its own hosts: no slice overwrote another
        published = artifact(runners[ident])
        assert published['hosts'] == 2 and sorted(published['by_host']) == hosts
        assert published['outcomes'] == dict((outcome, written['outcomes'].get(outcome, 0)) for outcome in OUTCOMES)
    slice3 = artifact(runners['slice3'])
    assert slice3['failed_hosts'] == ['nas6'] and slice3['by_host']['nas6']['step'] == 'network'
    assert slice3['by_host']['nas6']['nas'] == DEAD and slice3['by_host']['nas5']['outcome'] == 'changed'

    merged_run = job(tmp_path, fleet, 'merge', COLLECTION / 'playbooks' / 'merge_fleet_report.yml')
    assert merged_run.rc == 0, merged_run.stdout.read()[-3000:]
    merged = json.loads((reports / 'fleet-report.json').read_text())
    outcomes = dict((record['host'], record['outcome']) for record in merged['records'])
    assert outcomes == dict([(name, 'changed') for name in NAMES[:5]] + [('nas6', 'failed'), ('nas7', 'not run')])
    assert sorted(os.path.basename(entry['report']) for entry in merged['merged']) == \
        ['fleet-report-%s.json' % ident for ident in SLICES]
    assert 'no merged report names this host' in merged['records'][-1]['why']
    assert artifact(merged_run)['outcomes']['not run'] == 1 and artifact(merged_run)['failed_hosts'] == ['nas6']
    assert '## nas7: not run' in (reports / 'fleet-report.md').read_text()
    root = ET.parse(str(reports / 'fleet-report.junit.xml')).getroot()
    assert [suite.get('name') for suite in root.findall('testsuite')] == NAMES + ['nas7']
    assert (root.get('tests'), root.get('failures'), root.get('errors')) == ('28', '1', '0')
    failure = root.find("testsuite[@name='nas6']/testcase[@name='network']/failure")
    assert failure is not None and DEAD.split('//')[1] in failure.text
    for directory in list(SLICES) + ['merge', 'reports']:  # the jobs' artifacts and the reports
        assert awx.leaks(tmp_path / directory, [API_KEY, JOIN_PASSWORD]) == []
