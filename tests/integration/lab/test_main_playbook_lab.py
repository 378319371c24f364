"""The playbooks users run, over the lab inventory's `truenas` group (nas1 from the controller with an API key, nas2
on the NAS over SSH): nasjoin.entra.join_entra_ds (network, preflight, join, verify, fleet report) joins both and
converges (green, generated names as information); a stand-in given a wrong nameserver stops at the network step,
alone; a wrong API key, a stopped sshd, a failed preflight and an sshd killed while the join runs each show in the
report as Ansible saw them (also as rendered by headless Chromium, at desktop and phone width);
nasjoin.entra.leave_entra_ds takes both out again."""

import glob
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml
from truenas_emulator.control import Control

from ..conftest import COLLECTION
from .test_entra_dns_config_lab import lab_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
LEAVE_PLAYBOOK = COLLECTION / 'playbooks' / 'leave_entra_ds.yml'
PANEL = (0xf6, 0xf8, 0xfa)  # the background of a host's details
COLOURS = {'red': (0xcf, 0x22, 0x2e), 'amber': (0xbf, 0x87, 0x00), 'green': (0x1a, 0x7f, 0x37),
           'changed': (0x2d, 0xa4, 0x4e), 'purple': (0x82, 0x50, 0xdf)}
DESKTOP, PHONE = (1200, 900), (390, 844)


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
    assert written['outcomes'] == {'changed': 2}  # the long UPN's generated sAMAccountName is no warning
    for record in written['records']:
        assert [(check['name'], check['status']) for check in record['steps']['verify']['checks']] == [('naming', 'info')]
        assert [note['name'] for note in record['notes']] == ['naming'] and record['first_failure'] is None
        assert [record['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['ok', 'changed', 'ok']
        assert record['steps']['join']['status'] == 'HEALTHY' and record['steps']['join']['elapsed'] > 0
    second = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert second.rc == 0 and second.changed == 0, second.stdout + second.stderr
    assert 'nas1-api' in second.stdout and 'nas2-ssh' in second.stdout
    assert report(fleet)['outcomes'] == {'ok': 2}
    markdown = (fleet.tmp_path / 'entra-report' / 'fleet-report.md').read_text()
    assert markdown.count('already joined, HEALTHY') == 2 and ' in 0.0 s' not in markdown
    assert '## Information' in markdown and 'generated sAMAccountName' in markdown
    page = fleet.tmp_path / 'entra-report' / 'fleet-report.html'
    for size in (DESKTOP, PHONE):
        assert colour_rows(screenshot(page, fleet.tmp_path, size=size)) == dict(NONE, green=3)  # headline + 2 hosts
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
    assert written['outcomes'] == {'changed': 1, 'failed': 1}
    failed = next(record for record in written['records'] if record['outcome'] == 'failed')
    assert failed['host'] == 'nas2-ssh' and failed['first_failure']['step'] == 'network'
    assert 'did not resolve' in failed['first_failure']['msg'] and failed['first_failure']['hint']
    assert failed['steps']['network']['restored'] is True
    assert [failed['steps'][step] for step in ('preflight', 'join', 'verify')] == \
        [{'state': 'not run', 'why': 'the host stopped at network'}] * 3
    markdown = (fleet.tmp_path / 'entra-report' / 'fleet-report.md').read_text()
    assert '| nas2-ssh |' in markdown and 'network: nameserver' in markdown
    page = fleet.tmp_path / 'entra-report' / 'fleet-report.html'
    table = screenshot(page, fleet.tmp_path)
    assert colour_rows(table) == dict(NONE, red=2, changed=2)  # a headline count and a host row each
    assert panel_rows(table) == 0
    opened = screenshot(page, fleet.tmp_path, fragment='nas2-ssh')  # the page opens that host's details
    assert colour_rows(opened)['red'] == 2 and panel_rows(opened) > 100
    filtered = screenshot(page, fleet.tmp_path, fragment='outcome=failed')  # only the failed hosts
    assert colour_rows(filtered) == dict(NONE, red=2, changed=1)
    assert colour_rows(screenshot(page, fleet.tmp_path, size=PHONE)) == dict(NONE, red=2, changed=2)


def stand_in_pids(lab, number, command):
    """The processes named ``command`` in stand-in ``number``'s namespace (only the lab runs there)."""
    netns = lab['nas'][number - 1]['netns']
    pids = subprocess.run(['ip', 'netns', 'pids', netns], capture_output=True, text=True, check=True).stdout.split()
    return [int(pid) for pid in pids if Path('/proc/%s/comm' % pid).exists()
            and Path('/proc/%s/comm' % pid).read_text().strip() == command]


def stop_sshd(lab, number):
    """Stop stand-in ``number``'s sshd and every SSH session it serves; ``labctl up`` starts it again."""
    for pid in stand_in_pids(lab, number, 'sshd'):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def sshd_restored(lab):
    yield
    lab.labctl('up')
    assert stand_in_pids(lab, 2, 'sshd'), 'labctl up did not start the sshd of nas2 again'


def test_wrong_api_key_and_stopped_sshd_are_failed_and_unreachable(lab, fleet, sshd_restored):
    (fleet.inventory.parent / 'host_vars').mkdir()
    wrong_key = fleet.inventory.parent / 'host_vars' / 'nas1-api.yml'
    wrong_key.write_text('truenas_api_key: "1-not-the-key-of-this-nas"\n')
    stop_sshd(lab, 2)
    try:
        run = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    finally:
        wrong_key.unlink()  # the fixture's leave playbook needs the right key
    assert run.rc == 4, run.stdout + run.stderr  # ansible-playbook exits 4 when a host is unreachable, failed or not
    unreachable = [result for host, status, result in run.results if status == 'UNREACHABLE!']
    assert len(unreachable) == 1, run.stdout
    written = report(fleet)
    assert written['outcomes'] == {'unreachable': 1, 'failed': 1}
    records = dict((record['host'], record) for record in written['records'])
    gone = records['nas2-ssh']
    assert gone['outcome'] == 'unreachable' and gone['first_failure']['step'] == 'network'
    assert gone['first_failure']['msg'] == unreachable[0]['msg'] and 'sshd' in gone['first_failure']['hint']
    assert gone['steps']['network']['state'] == 'unreachable'
    assert [gone['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['not run'] * 3
    refused = records['nas1-api']
    assert refused['outcome'] == 'failed' and refused['first_failure']['step'] == 'network'
    assert 'API key' in refused['first_failure']['msg'] + (refused['first_failure']['hint'] or '')
    assert directory_status(lab, 1) != 'HEALTHY'
    assert '1 unreachable, 1 failed' in (fleet.tmp_path / 'entra-report' / 'fleet-report.md').read_text()
    table = screenshot(fleet.tmp_path / 'entra-report' / 'fleet-report.html', fleet.tmp_path)
    assert colour_rows(table) == dict(NONE, red=2, purple=2)


def test_failed_preflight_and_sshd_killed_during_the_join(lab, fleet, sshd_restored):
    log = Path(lab['nas'][1]['dir']) / 'log' / 'requests.log'
    seen = log.read_text().count('directoryservices.config') if log.exists() else 0
    # the stand-ins share the host's /tmp: the payload of nas2's join, killed by the SIGHUP of its pty, leaves its
    # directory there (Ansible's own behaviour for a module killed by a signal); the test takes it out again
    payloads = set(glob.glob('/tmp/ansible_nasjoin.entra.ad_join_payload_*'))
    with Control(os.path.join(lab['nas'][0]['dir'], 'control.sock')) as nas1, \
            Control(os.path.join(lab['nas'][1]['dir'], 'control.sock')) as nas2:
        try:
            nas1.set_fault('clock_offset', seconds=900)  # nas1's clock 15 minutes ahead: the preflight stops it
            nas2.set_fault('delay', seconds=60, method='directoryservices.config', times=1)  # the join's first read
            done = {}
            play = threading.Thread(target=lambda: done.update(run=fleet.run_playbook(PLAYBOOK, *fleet.secrets)))
            play.start()
            while play.is_alive() and (log.read_text().count('directoryservices.config') if log.exists() else 0) == seen:
                time.sleep(0.5)  # until the join step asks nas2 for its directory settings
            stop_sshd(lab, 2)
            play.join(300)
        finally:
            nas1.clear_faults('clock_offset')
            nas2.clear_faults('delay')
            for left in set(glob.glob('/tmp/ansible_nasjoin.entra.ad_join_payload_*')) - payloads:
                shutil.rmtree(left, ignore_errors=True)
    run = done['run']
    assert run.rc == 4, run.stdout + run.stderr
    records = dict((record['host'], record) for record in report(fleet)['records'])
    killed = records['nas2-ssh']
    assert killed['outcome'] == 'unreachable' and killed['first_failure']['step'] == 'join'
    assert killed['steps']['network']['state'] in ('ok', 'changed')  # nas2's DNS may be set already
    assert [killed['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['ok', 'unreachable', 'not run']
    stopped = records['nas1-api']
    assert stopped['outcome'] == 'failed' and stopped['first_failure']['step'] == 'preflight'
    assert 'clock' in stopped['first_failure']['msg'] and 'NTP' in stopped['first_failure']['hint']
    assert [stopped['steps'][step]['why'] for step in ('join', 'verify')] == ['the host stopped at preflight'] * 2
    assert directory_status(lab, 1) != 'HEALTHY'


def screenshot(page, tmp_path, fragment='', size=DESKTOP):
    """The report as headless Chromium renders it (1200x900, or ``size``), optionally with one host's details open
    (``#host``) or only the hosts of one outcome (``#outcome=failed``)."""
    from PIL import Image  # pylint: disable=import-outside-toplevel
    chromium = shutil.which('chromium')
    assert chromium, 'chromium is not installed (scripts/setup installs it)'
    out = tmp_path / ('shot-%s-%dx%d.png' % (fragment.replace('=', '-') or 'table', size[0], size[1]))
    subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                    '--window-size=%d,%d' % size, '--screenshot=%s' % out, '%s#%s' % (page.as_uri(), fragment)],
                   capture_output=True, timeout=60, check=True)
    return Image.open(out).convert('RGB')


NONE = dict((name, 0) for name in COLOURS)


def colour_rows(image):
    """How many separate horizontal bands of the outcome colours the page shows (one per host row)."""
    bands = {}
    for name, colour in COLOURS.items():
        rows = [y for y in range(image.height)  # the white text on a badge leaves a few of its pixels in every row
                if sum(image.getpixel((x, y)) == colour for x in range(0, image.width, 2)) >= 4]
        bands[name] = sum(1 for index, y in enumerate(rows) if index == 0 or rows[index - 1] != y - 1)
    return bands


def panel_rows(image):
    """How many pixel rows are mostly the details panel's background."""
    return sum(1 for y in range(image.height)
               if sum(image.getpixel((x, y)) == PANEL for x in range(0, image.width, 8)) > image.width // 16)
