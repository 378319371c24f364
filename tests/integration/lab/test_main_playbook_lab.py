"""The playbooks users run, over the lab inventory's `truenas` group (nas1 from the controller with an API key, nas2
on the NAS over SSH): nasjoin.entra.join_entra_ds (network, preflight, join, verify, fleet report) joins both and
converges; a stand-in given a wrong nameserver stops at the network step, alone, and the report says so (also as
rendered by headless Chromium); nasjoin.entra.leave_entra_ds takes both out again."""

import json
import shutil
import subprocess

import pytest
import yaml

from ..conftest import COLLECTION
from .test_entra_dns_config_lab import lab_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
LEAVE_PLAYBOOK = COLLECTION / 'playbooks' / 'leave_entra_ds.yml'
PANEL = (0xf6, 0xf8, 0xfa)  # the background of a host's details
COLOURS = {'red': (0xcf, 0x22, 0x2e), 'amber': (0xbf, 0x87, 0x00), 'green': (0x1a, 0x7f, 0x37)}


@pytest.fixture
def fleet(lab, tmp_path):
    """The lab inventory with the accounts to verify; every stand-in has left the domain before and after."""
    runner = lab_runner(lab, tmp_path)
    inventory = yaml.safe_load(runner.inventory.read_text())
    inventory['all']['vars'].update(entra_verify_users=[lab.user('long_upn')['upn'], lab.user('plain')['sam']],
                                    entra_verify_groups=[{'name': lab['groups']['nested_parent'],
                                                          'members': [lab.user('plain')['upn']]}])
    runner.inventory.write_text(yaml.safe_dump(inventory))
    runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
    yield runner
    left = runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
    assert left.rc == 0, left.stdout + left.stderr


def report(runner):
    return json.loads((runner.tmp_path / 'entra-report' / 'fleet-report.json').read_text())


def directory_status(lab, number):
    return lab.midclt(number, 'directoryservices.status')['status']


def test_main_playbook_joins_verifies_reports_then_converges(lab, fleet):
    first = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert first.rc == 0, first.stdout + first.stderr
    joins = [result for host, status, result in first.results if 'progress' in result]
    assert len(joins) == 2 and all(result['status'] == 'HEALTHY' and result['changed'] for result in joins)
    for number in (1, 2):
        assert lab.nas_exec(number, 'wbinfo', '-t').returncode == 0
    verified = [result for host, status, result in first.results if 'idmap' in result]
    assert [result['summary']['fail'] for result in verified] == [0, 0]
    assert all('user' in [check['name'] for check in result['checks']] for result in verified)
    written = report(fleet)
    assert written['outcomes'] == {'warn': 2}  # the long UPN's generated sAMAccountName
    for record in written['records']:
        assert [check['name'] for check in record['steps']['verify']['checks']] == ['naming']
        assert [record['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['ok', 'changed', 'ok']
        assert record['steps']['join']['status'] == 'HEALTHY' and record['steps']['join']['elapsed'] > 0
    second = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert second.rc == 0 and second.changed == 0, second.stdout + second.stderr
    assert 'nas1-api' in second.stdout and 'nas2-ssh' in second.stdout
    left = fleet.run_playbook(LEAVE_PLAYBOOK, *fleet.secrets)
    assert left.rc == 0 and left.changed == 2, left.stdout + left.stderr
    assert [directory_status(lab, number) for number in (1, 2)] == [None, None]  # 25.10: no directory service
    assert all('computer account was removed' in result['msg'] for host, status, result in left.results)
    again = fleet.run_playbook(LEAVE_PLAYBOOK, *fleet.secrets)
    assert again.rc == 0 and again.changed == 0, again.stdout + again.stderr


def test_wrong_nameserver_stops_that_host_only_and_the_report_shows_it(lab, fleet):
    host_vars = fleet.inventory.parent / 'host_vars'
    host_vars.mkdir()
    wrong = lab['network']['cidr'].rsplit('.', 1)[0] + '.99'
    (host_vars / 'nas2-ssh.yml').write_text('entra_dc_ips: ["%s"]\nentra_network_verify_timeout: 1\n' % wrong)
    before = lab.midclt(2, 'network.configuration.config')
    run = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert run.rc == 2, run.stdout + run.stderr
    after = lab.midclt(2, 'network.configuration.config')
    assert (after['nameserver1'], after['nameserver2']) == (before['nameserver1'], before['nameserver2'])
    assert directory_status(lab, 1) == 'HEALTHY' and directory_status(lab, 2) != 'HEALTHY'
    written = report(fleet)
    assert written['outcomes'] == {'warn': 1, 'failed': 1}
    failed = next(record for record in written['records'] if record['outcome'] == 'failed')
    assert failed['host'] == 'nas2-ssh' and failed['first_failure']['step'] == 'network'
    assert 'did not resolve' in failed['first_failure']['msg'] and failed['first_failure']['hint']
    assert failed['steps']['network']['restored'] is True
    assert [failed['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['not run'] * 3
    markdown = (fleet.tmp_path / 'entra-report' / 'fleet-report.md').read_text()
    assert '| nas2-ssh |' in markdown and 'network: nameserver' in markdown
    page = fleet.tmp_path / 'entra-report' / 'fleet-report.html'
    table = screenshot(page, fleet.tmp_path)
    assert colour_rows(table) == {'red': 1, 'amber': 1, 'green': 0}
    assert panel_rows(table) == 0
    opened = screenshot(page, fleet.tmp_path, fragment='nas2-ssh')  # the page opens that host's details
    assert colour_rows(opened)['red'] == 1 and panel_rows(opened) > 100


def screenshot(page, tmp_path, fragment=''):
    """The report as headless Chromium renders it (1200x900), optionally with one host's details open."""
    from PIL import Image  # pylint: disable=import-outside-toplevel
    chromium = shutil.which('chromium')
    assert chromium, 'chromium is not installed (scripts/setup installs it)'
    out = tmp_path / ('shot-%s.png' % (fragment or 'table'))
    subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                    '--window-size=1200,900', '--screenshot=%s' % out, '%s#%s' % (page.as_uri(), fragment)],
                   capture_output=True, timeout=60, check=True)
    return Image.open(out).convert('RGB')


def colour_rows(image):
    """How many separate horizontal bands of the outcome colours the page shows (one per host row)."""
    bands = {}
    for name, colour in COLOURS.items():
        rows = [y for y in range(image.height)
                if sum(image.getpixel((x, y)) == colour for x in range(0, image.width, 4)) >= 10]
        bands[name] = sum(1 for index, y in enumerate(rows) if index == 0 or rows[index - 1] != y - 1)
    return bands


def panel_rows(image):
    """How many pixel rows are mostly the details panel's background."""
    return sum(1 for y in range(image.height)
               if sum(image.getpixel((x, y)) == PANEL for x in range(0, image.width, 8)) > image.width // 16)
