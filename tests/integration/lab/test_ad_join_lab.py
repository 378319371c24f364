"""ad_join against the lab's real Samba domain, through stand-in nas1's emulator (which runs net ads join and
winbind for real): from the controller over wss and on the NAS over SSH, on TrueNAS 25.10 (main lab) and 25.04
(alt lab). Leaves nas1 not joined."""

import json
import sys
from pathlib import Path

import pytest

from .labprobes import ldaps
from .test_entra_dns_config_lab import API_DEFAULTS, lab_runner

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'lab'))
from truenas_emulator.control import Control  # noqa: E402  pylint: disable=wrong-import-position

MEMBER = Path(__file__).resolve().parents[2] / 'lab' / 'nas' / 'member.sh'


def join_play(runner, host, *args, **options):
    body = ''.join('        %s: %s\n' % (key, value if isinstance(value, str) and value.startswith('"{{') else json.dumps(value))
                   for key, value in options.items())
    tasks = '    - name: ad_join\n      nasjoin.entra.ad_join:\n' + body + API_DEFAULTS
    return runner.playbook(tasks, *(runner.secrets + list(args)), hosts=host)


JOIN = dict(domain='"{{ entra_domain }}"', username='"{{ entra_join_user }}"', password='"{{ entra_join_password }}"')


def reset(lab, runner):
    """Join and leave again, so nas1 ends not joined and without a computer account whatever came before."""
    creds = {'username': lab.user('join')['upn'], 'password': lab['user_password']}
    assert join_play(runner, 'nas1-api', force_rejoin=True, **JOIN).rc == 0
    assert join_play(runner, 'nas1-api', state='absent', leave_credentials=creds).rc == 0
    for privilege in lab.midclt(1, 'privilege.query', [['name', '=', lab['groups']['admins']]]):
        lab.midclt(1, 'privilege.delete', privilege['id'])


def standing(the_lab, tmp_path):
    """Stand-in 1 of ``the_lab``, not joined, its nameservers at the DCs; left not joined afterwards."""
    nas = the_lab['nas'][0]
    control = Control(str(Path(nas['dir']) / 'control.sock'))
    runner = lab_runner(the_lab, tmp_path)
    dns = ('    - name: nameservers\n      nasjoin.entra.entra_dns_config:\n        domain: "{{ entra_domain }}"\n'
           '        nameservers: "{{ entra_dc_ips }}"\n')
    assert runner.playbook(dns + API_DEFAULTS, *runner.secrets, hosts='nas1-api').rc == 0
    reset(the_lab, runner)
    yield nas, runner, control
    reset(the_lab, runner)


@pytest.fixture
def nas1(lab, tmp_path):
    yield from standing(lab, tmp_path)


@pytest.fixture
def any_nas1(any_lab, tmp_path):
    """nas1 of the main lab (TrueNAS 25.10) and of the alt lab (25.04, every hardening off)."""
    yield from standing(any_lab, tmp_path)


def computer_dn(lab, name):
    conn = ldaps(lab)
    conn.search(lab['base_dn'], '(sAMAccountName=%s$)' % name.upper(), attributes=['distinguishedName'])
    return str(conn.entries[0].distinguishedName) if conn.entries else None


def test_join_converge_admin_group_and_leave(any_lab, any_nas1):
    lab = any_lab
    nas, runner, control = any_nas1
    first = join_play(runner, 'nas1-api', admin_group=lab['groups']['admins'], **JOIN)
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    assert first.result['status'] == 'HEALTHY'
    assert 'Performing domain join.' in [step['description'] for step in first.result['progress']]
    assert first.result['admin_group']['changed'] is True
    assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']
    control.reset_counters()
    again = join_play(runner, 'nas1-ssh', admin_group=lab['groups']['admins'], **JOIN)
    assert again.rc == 0 and again.changed == 0, again.stdout + again.stderr
    assert again.result['connection']['transport'] == 'local_socket'
    assert control.counters()['writes'] == 0
    privileges = lab.midclt(1, 'privilege.query')
    assert [p['roles'] for p in privileges if p['name'] == lab['groups']['admins']] == [['FULL_ADMIN']]
    left = join_play(runner, 'nas1-api', state='absent',
                     leave_credentials={'username': lab.user('join')['upn'], 'password': lab['user_password']})
    assert left.rc == 0 and left.changed == 1 and left.result['status'] == 'DISABLED', left.stdout + left.stderr
    assert computer_dn(lab, 'nas1') is None


def test_check_mode_and_disable_only(lab, nas1):
    nas, runner, control = nas1
    control.reset_counters()
    predicted = join_play(runner, 'nas1-api', '--check', **JOIN)
    assert predicted.rc == 0 and predicted.changed == 1 and control.counters()['writes'] == 0
    assert computer_dn(lab, 'nas1') is None
    assert 'credentials of %s were not checked' % lab['join_user']['upn'] in predicted.result['msg']
    joined = join_play(runner, 'nas1-api', **JOIN)
    assert joined.rc == 0
    predicted_hostname = predicted.result['config']['hostname']  # the diff's after
    assert predicted_hostname is not None and predicted_hostname == joined.result['config']['hostname']
    disabled = join_play(runner, 'nas1-api', state='absent')
    assert disabled.rc == 0 and 'stays in the directory' in disabled.result['msg']
    assert computer_dn(lab, 'nas1') == 'CN=NAS1,%s' % lab['computers_ou']


@pytest.mark.parametrize('role, options, words', [
    ('plain2', dict(password='Wrong-Pass-1!'), 'The bind password is not correct'),
    ('plain', dict(computer_account_ou='Domain Controllers'), 'Insufficient access'),
])
def test_failures_are_named_with_a_hint(lab, nas1, role, options, words):
    nas, runner, control = nas1
    args = {'domain': JOIN['domain'], 'username': lab.user(role)['upn'], 'password': lab['user_password']}
    args.update(options)
    run = join_play(runner, 'nas1-api', '-vvvv', **args)
    assert run.rc != 0 and words in run.result['msg'], run.stdout + run.stderr
    assert run.result['error']['hint']
    assert args['password'] not in run.stdout + run.stderr
    assert computer_dn(lab, 'nas1') is None
    # TrueNAS reverted the settings; the module read them back and said so
    status = lab.midclt(1, 'directoryservices.status') or {}
    assert run.result['outcome'] == 'reverted' and 'TrueNAS reverted the directory settings' in run.result['msg']
    assert run.result['status'] == (status.get('status') or 'DISABLED') and run.result['config']['enabled'] is False
