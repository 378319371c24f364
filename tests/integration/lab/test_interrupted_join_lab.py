"""Joins and leaves cut short on a lab stand-in (real Samba DCs, the stand-in's emulator in LabMember mode, TrueNAS
25.10), each followed by its one documented recovery; the computer account is read on the DC. Leaves nas1 not
joined."""

import os
import signal
import time
from pathlib import Path

from .test_ad_join_lab import JOIN, computer_dn, join_play, nas1  # noqa: F401  pylint: disable=unused-import


def leave_creds(lab):
    return {'username': lab.user('join')['upn'], 'password': lab['user_password']}


def cut_short(control, runner, step, restart=True, **options):
    control.set_fault('middleware_stops', at=step, restart=restart)
    run = join_play(runner, 'nas1-api', **dict(JOIN, **options))
    assert run.rc != 0, run.stdout + run.stderr
    return run


def status(lab):
    return (lab.midclt(1, 'directoryservices.status') or {}).get('status')


def test_join_cut_short_after_the_update_then_force_rejoin(lab, nas1):
    nas, runner, control = nas1
    run = cut_short(control, runner, 'update_stored')
    assert 'is gone' in run.result['msg'] and run.result['outcome'] == 'kept', run.stdout
    assert status(lab) == 'FAULTED' and computer_dn(lab, 'nas1') is None
    again = join_play(runner, 'nas1-api', **JOIN)
    assert again.rc != 0 and 'lacks an entry for this TrueNAS server' in again.result['msg'], again.stdout
    fixed = join_play(runner, 'nas1-api', force_rejoin=True, **JOIN)
    assert fixed.rc == 0 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0


def test_join_cut_short_after_the_computer_account_converges(lab, nas1):
    nas, runner, control = nas1
    cut_short(control, runner, 'account_created')
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    again = join_play(runner, 'nas1-api', **JOIN)
    assert again.rc == 0 and again.changed == 0 and again.result['status'] == 'HEALTHY', again.stdout + again.stderr
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0


def test_leave_cut_short_then_absent(lab, nas1):
    nas, runner, control = nas1
    assert join_play(runner, 'nas1-api', **JOIN).rc == 0
    cut_short(control, runner, 'leave_started', state='absent', leave_credentials=leave_creds(lab))
    assert computer_dn(lab, 'nas1') is None and status(lab) == 'FAULTED'
    left = join_play(runner, 'nas1-api', state='absent', leave_credentials=leave_creds(lab))
    assert left.rc == 0 and left.changed == 1, left.stdout + left.stderr
    assert 'the computer account was not removed' in left.result['msg'] and left.result['config']['enabled'] is False
    again = join_play(runner, 'nas1-api', state='absent', leave_credentials=leave_creds(lab))
    assert again.rc == 0 and again.changed == 0 and computer_dn(lab, 'nas1') is None


def test_rebooted_mid_join_then_force_rejoin(lab, nas1):
    nas, runner, control = nas1
    cut_short(control, runner, 'update_stored', restart=False)
    control.close()
    pid_file = Path(nas['dir']) / 'emulator.pid'
    os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the power cut; labctl up boots it from its state file
    for dummy in range(50):
        if lab.labctl('status', check=False).stdout.count('emulator DOWN'):
            break
        time.sleep(0.1)
    lab.labctl('up')
    assert status(lab) == 'FAULTED' and computer_dn(lab, 'nas1') is None
    fixed = join_play(runner, 'nas1-api', force_rejoin=True, **JOIN)
    assert fixed.rc == 0 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
