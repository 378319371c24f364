"""ad_join after a join or leave cut short, and two runs at once, on TrueNAS 25.04 and 25.10 (emulated, scripted domain).

Each interrupted state (the middleware stopped after the update was stored, after the computer account was made,
during a leave; the NAS powered off mid-join and booted from its state file) ends in the one documented recovery:
run again with force_rejoin=true (or state=absent). Two runs at once: the second waits for the first's job and finds
the NAS joined, or stops naming the job; never a second net ads join, never a wrong cause.
"""

import json
import threading

import pytest

from truenas_emulator import Emulator
from truenas_emulator.directory import SECRET_ENTRY_MISSING
from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD, FakeDirectory

from .conftest import API_KEY, API_USER, PERSONALITIES, request_log
from .test_ad_join import JOIN_USER, domain_nas, join_task, nas_of  # noqa: F401  pylint: disable=unused-import

LEAVE = {'username': JOIN_USER, 'password': FAKE_JOIN_PASSWORD}


def update_method(emu):
    return 'directoryservices.update' if emu.personality.name != '25.04' else 'activedirectory.update'


def net_ads_joins(emu):
    return [entry for entry in emu.directory.log if entry['op'] == 'join']


def cut_short(ansible, nas, tls, step, **options):
    """A run whose job the middleware_stops fault ends at ``step``: it fails and says the job is gone."""
    nas.faults.set('middleware_stops', at=step)
    run = ansible.playbook(join_task(nas, tls, **options))
    assert run.rc != 0 and 'is gone' in run.result['msg'], run.stdout + run.stderr
    return run


def test_cut_short_after_the_update_was_stored_then_force_rejoin(ansible, domain_nas, tls):
    run = cut_short(ansible, domain_nas, tls, 'update_stored')
    assert run.result['outcome'] == 'kept' and run.result['status'] == 'FAULTED'
    again = ansible.playbook(join_task(domain_nas, tls))
    assert again.rc != 0 and SECRET_ENTRY_MISSING in again.result['msg'], again.stdout
    assert 'force_rejoin=true' in json.dumps(again.result)
    fixed = ansible.playbook(join_task(domain_nas, tls, force_rejoin=True))
    assert fixed.rc == 0 and fixed.changed == 1 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
    assert list(domain_nas.fake.computers) == ['NAS1'] and len(net_ads_joins(domain_nas)) == 1


def test_cut_short_after_the_computer_account_was_made_is_joined(ansible, domain_nas, tls):
    cut_short(ansible, domain_nas, tls, 'account_created')
    again = ansible.playbook(join_task(domain_nas, tls))  # the restarted middleware found a working machine account
    assert again.rc == 0 and again.changed == 0 and again.result['status'] == 'HEALTHY', again.stdout + again.stderr
    assert list(domain_nas.fake.computers) == ['NAS1'] and len(net_ads_joins(domain_nas)) == 1


@pytest.mark.parametrize('recovery', ['absent', 'force_rejoin'])
def test_leave_cut_short_then_absent_or_force_rejoin(ansible, domain_nas, tls, recovery):
    assert ansible.playbook(join_task(domain_nas, tls)).rc == 0
    cut_short(ansible, domain_nas, tls, 'leave_started', state='absent', leave_credentials=LEAVE)
    assert domain_nas.fake.computers == {}
    if recovery == 'absent':
        run = ansible.playbook(join_task(domain_nas, tls, state='absent', leave_credentials=LEAVE))
        assert run.rc == 0 and run.changed == 1 and run.result['config']['enabled'] is False, run.stdout + run.stderr
        if domain_nas.personality.name != '25.04':  # leave_domain found no valid join: local settings removed only
            assert 'the computer account was not removed' in run.result['msg'] and 'Delete NAS1$' in run.stdout + run.stderr
        again = ansible.playbook(join_task(domain_nas, tls, state='absent'))
        assert again.rc == 0 and again.changed == 0 and again.result['msg'] == 'not joined'
    else:
        run = ansible.playbook(join_task(domain_nas, tls, force_rejoin=True))
        assert run.rc == 0 and run.result['status'] == 'HEALTHY', run.stdout + run.stderr
        assert list(domain_nas.fake.computers) == ['NAS1']


@pytest.mark.parametrize('personality', PERSONALITIES)
def test_rebooted_mid_join_then_force_rejoin(ansible, tls, tmp_path, personality):
    fake, state = FakeDirectory(), tmp_path / 'state.json'
    nas = next(nas_of(fake, personality, tls, tmp_path, state_file=state))
    nas.faults.set('middleware_stops', at='update_stored', restart=False)
    run = ansible.playbook(join_task(nas, tls))
    assert run.rc != 0 and run.result['outcome'] == 'unknown', run.stdout + run.stderr
    nas.stop()
    booted = Emulator(personality, api_keys={API_USER: API_KEY}, hostname='nas1', directory=fake, state_file=state,
                      request_log=request_log(), interfaces=[{'name': 'eth0', 'ipv4': ['192.0.2.20/24']}])
    booted.start('127.0.0.1', 0, tls['cert'], tls['key'])
    try:
        fixed = ansible.playbook(join_task(booted, tls, force_rejoin=True))
        assert fixed.rc == 0 and fixed.result['status'] == 'HEALTHY', fixed.stdout + fixed.stderr
        assert 'waited' not in fixed.result['msg'] and list(fake.computers) == ['NAS1']
    finally:
        booted.stop()


def at_once(ansible, tasks, runs=2):
    """``runs`` ansible-playbook processes of the same play started together; their Run results."""
    path = ansible.tmp_path / 'together.yml'
    path.write_text('- name: test\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s' % tasks)
    results = [None] * runs

    def one(index):
        results[index] = ansible.run_playbook(path)
    threads = [threading.Thread(target=one, args=(index,)) for index in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


@pytest.fixture(params=PERSONALITIES)
def slow_nas(request, tls, tmp_path):
    """A NAS whose domain controller takes 3 s for net ads join."""
    yield from nas_of(FakeDirectory(join_seconds=3), request.param, tls, tmp_path)


def test_two_runs_at_once_join_once(ansible, slow_nas, tls):
    runs = at_once(ansible, join_task(slow_nas, tls))
    assert all(run.rc == 0 for run in runs), [run.stdout + run.stderr for run in runs]
    assert sorted(run.changed for run in runs) == [0, 1]
    second = next(run for run in runs if not run.changed).result
    assert 'another run' in second['msg'] and second['status'] == 'HEALTHY', second['msg']
    assert len(net_ads_joins(slow_nas)) == 1


def test_two_runs_sending_their_join_together_join_once(ansible, slow_nas, tls):
    """Both runs find no job and send their join at once: TrueNAS runs one, then refuses the other's (the user's
    race); the refused run finds the NAS joined as it wanted and says so, without TrueNAS's misleading words."""
    slow_nas.faults.set('delay', seconds=1, method=update_method(slow_nas), times=2)
    runs = at_once(ansible, join_task(slow_nas, tls))
    assert all(run.rc == 0 for run in runs), [run.stdout + run.stderr for run in runs]
    refused = next(run for run in runs if not run.changed).result
    assert 'at the same time, and TrueNAS ran its job first; this run changed nothing' in refused['msg'], refused['msg']
    assert 'DNS' not in refused['msg'] and refused['changed'] is False and refused['status'] == 'HEALTHY'
    assert slow_nas.counters()['by_method'][update_method(slow_nas)] == 2 and len(net_ads_joins(slow_nas)) == 1


def test_a_second_run_that_cannot_wait_names_the_join(ansible, slow_nas, tls):
    slow_nas.directory.backend.join_seconds = 8  # still joining when the second run has started and waited 1 s
    first = threading.Thread(target=ansible.playbook, args=(join_task(slow_nas, tls),))
    first.start()
    while not slow_nas.directory.status()['status']:  # the first run's join is under way
        threading.Event().wait(0.05)
    path = ansible.tmp_path / 'impatient.yml'
    path.write_text('- name: test\n  hosts: localhost\n  gather_facts: false\n  tasks:\n%s' % join_task(slow_nas, tls, wait_timeout=1))
    second = ansible.run_playbook(path)
    first.join(300)
    assert second.rc != 0, second.stdout
    assert 'another run is joining this NAS (job 1 %s RUNNING)' % update_method(slow_nas) in second.result['msg']
    assert 'nothing was changed' in second.result['msg'] and len(net_ads_joins(slow_nas)) == 1
