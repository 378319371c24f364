"""Joins and leaves cut short on a lab stand-in (real Samba DCs, the stand-in's emulator in LabMember mode), on TrueNAS
25.10 (main lab) and 25.04 (alt lab, every hardening switch off), each followed by its one documented recovery
(docs/guide.md, "When a join was interrupted"); the computer account is read on the DC. Leaves nas1 not joined."""

import os
import signal
import time
from pathlib import Path

from truenas_emulator.directory import SECRET_ENTRY_MISSING

from .test_ad_join_lab import JOIN, any_nas1, computer_dn, join_play  # noqa: F401  pylint: disable=unused-import


def leave_creds(lab):
    return {'username': lab.user('join')['upn'], 'password': lab['user_password']}


def cut_short(control, runner, step, restart=True, **options):
    """A run whose job the middleware_stops fault ends at ``step``: it fails; with a restart it says the job is
    gone."""
    control.set_fault('middleware_stops', at=step, restart=restart)
    run = join_play(runner, 'nas1-api', **dict(JOIN, **options))
    assert run.rc != 0, run.stdout + run.stderr
    if restart:
        assert 'is gone' in run.result['msg'], run.stdout
    return run


def status(lab):
    return lab.midclt(1, 'directoryservices.status') or {}


def faulted_without_account(lab):
    """What a cut-short join or leave leaves once the middleware is back: the settings enabled, no machine account
    (the health check at boot says so), none on the DC."""
    assert status(lab) == {'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED', 'status_msg': SECRET_ENTRY_MISSING}
    assert computer_dn(lab, 'nas1') is None


def stored_join_settings(lab):
    """The settings the update job stored before it was cut short: 25.10 keeps the join user's KERBEROS_USER
    credential (no password), 25.04 the bind name and no machine principal yet."""
    if lab['truenas_version'] == '25.04':
        config = lab.midclt(1, 'activedirectory.config')
        assert config['enable'] is True and config['kerberos_principal'] == '', config
        assert config['bindname'] in (lab.user('join')['sam'], lab.user('join')['upn']), config
    else:
        config = lab.midclt(1, 'directoryservices.config')
        assert config['enable'] is True and config['credential']['credential_type'] == 'KERBEROS_USER', config
        assert config['credential'].get('password') in (None, '********'), config  # never the password itself


def test_join_cut_short_after_the_update_then_force_rejoin(any_lab, any_nas1):
    lab = any_lab
    dummy, runner, control = any_nas1
    run = cut_short(control, runner, 'update_stored')
    assert run.result['outcome'] == 'kept' and run.result['status'] == 'FAULTED', run.stdout
    faulted_without_account(lab)
    stored_join_settings(lab)
    again = join_play(runner, 'nas1-api', **JOIN)
    assert again.rc != 0 and SECRET_ENTRY_MISSING in again.result['msg'], again.stdout
    assert 'force_rejoin=true' in again.result['hint'], again.stdout
    fixed = join_play(runner, 'nas1-api', force_rejoin=True, **JOIN)
    assert fixed.rc == 0 and fixed.changed == 1 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0


def test_join_cut_short_after_the_computer_account_converges(any_lab, any_nas1):
    lab = any_lab
    dummy, runner, control = any_nas1
    cut_short(control, runner, 'account_created')
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    assert status(lab)['status'] == 'HEALTHY'  # the restarted middleware found a working machine account
    control.reset_counters()
    again = join_play(runner, 'nas1-api', **JOIN)
    assert again.rc == 0 and again.changed == 0 and again.result['status'] == 'HEALTHY', again.stdout + again.stderr
    assert control.counters()['writes'] == 0
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0


def test_leave_cut_short_then_absent(any_lab, any_nas1):
    lab = any_lab
    dummy, runner, control = any_nas1
    assert join_play(runner, 'nas1-api', **JOIN).rc == 0
    cut_short(control, runner, 'leave_started', state='absent', leave_credentials=leave_creds(lab))
    faulted_without_account(lab)
    left = join_play(runner, 'nas1-api', state='absent', leave_credentials=leave_creds(lab))
    assert left.rc == 0 and left.changed == 1 and left.result['config']['enabled'] is False, left.stdout + left.stderr
    if lab['truenas_version'] == '25.04':  # the leave job runs again (its net ads leave finds no account, logged only)
        assert left.result['msg'] == 'left %s: the computer account was removed' % lab['dns_domain'], left.stdout
    else:  # leave_domain finds no valid join: TrueNAS removes its local settings only, and the module says so
        assert 'the computer account was not removed' in left.result['msg'], left.stdout
        assert 'Delete NAS1$' in left.stdout + left.stderr
    # 25.10 leaves the health state at LEAVING with no settings left (docs/guide.md); 25.04 ends DISABLED
    assert status(lab)['status'] == (None if lab['truenas_version'] == '25.04' else 'LEAVING')
    again = join_play(runner, 'nas1-api', state='absent', leave_credentials=leave_creds(lab))
    assert again.rc == 0 and again.changed == 0 and again.result['msg'] == 'not joined', again.stdout + again.stderr
    assert computer_dn(lab, 'nas1') is None


def test_rebooted_mid_join_then_force_rejoin(any_lab, any_nas1):
    lab = any_lab
    nas, runner, control = any_nas1
    run = cut_short(control, runner, 'update_stored', restart=False)
    assert run.result['outcome'] == 'unknown', run.stdout
    control.close()
    pid_file = Path(nas['dir']) / 'emulator.pid'
    os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the power cut; labctl up boots it from its state file
    for dummy in range(50):
        if 'emulator DOWN' in lab.labctl('status', check=False).stdout:
            break
        time.sleep(0.1)
    lab.labctl('up')  # the Lab's own directory: the alt lab's stand-in comes back as 25.04
    faulted_without_account(lab)
    stored_join_settings(lab)
    fixed = join_play(runner, 'nas1-api', force_rejoin=True, **JOIN)
    assert fixed.rc == 0 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
    assert 'waited' not in fixed.result['msg'], fixed.stdout
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0
