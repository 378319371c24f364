"""LabMember (the ``--directory lab`` backend) against stub commands: what it runs, how it reads their answers,
and that no secret ever reaches a command line or the environment. One 25.10 join runs end to end on the stubs."""

import json
import os
import stat
import sys

import pytest

from truenas_emulator import Emulator
from truenas_emulator.__main__ import parse_args
from truenas_emulator.directory_backend import (BadName, DirectoryError, DnsLookupError, JoinFailure, Krb5Failure,
                                                LabMember, kinit_code)

from .test_directory_helpers import JOIN_25_10, REALM, run_job

SECRET_WORD = 'Stub-Passw0rd!'
# One stub program for every command LabMember runs: it logs argv, stdin and the environment's JOIN_*/PASSWD
# variables to $STUB_LOG, then answers from the $STUB_SCENARIO JSON ({"command word": [rc, stdout, stderr]}).
STUB = r'''#!PYTHON
import json, os, sys
name = os.path.basename(sys.argv[0])
stdin = '' if sys.stdin.isatty() else sys.stdin.read()
env = {k: v for k, v in os.environ.items() if k.startswith(('JOIN_', 'PASSWD', 'KRB5CCNAME'))}
with open(os.environ['STUB_LOG'], 'a') as log:
    log.write(json.dumps({'cmd': [name] + sys.argv[1:], 'stdin': stdin, 'env': env}) + '\n')
scenario = json.load(open(os.environ['STUB_SCENARIO']))
key = ' '.join([name] + sys.argv[1:])
for pattern, (rc, out, err) in scenario.items():
    if pattern in key:
        sys.stdout.write(out)
        sys.stderr.write(err)
        sys.exit(rc)
sys.exit(0)
'''
NET_INFO = {'LDAP server': '192.0.2.11', 'LDAP server name': 'dc1.aaddscontoso.com', 'Realm': REALM,
            'Bind Path': 'dc=AADDSCONTOSO,dc=COM', 'LDAP port': 389, 'Server time': 1, 'KDC server': '192.0.2.11',
            'Server time offset': 3, 'Last machine account password change': 0}
NET_LOOKUP = {'Pre-Win2k Domain': 'AADDSCONTOSO', 'Client Site Name': 'Default-First-Site-Name'}
DIG_SRV = (';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n\n'
           f'_kerberos._tcp.{REALM}. 900 IN SRV 0 100 88 dc1.aaddscontoso.com.\n')
DIG_NX = ';; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2\n'
KLIST = ('Keytab name: FILE:/x\nKVNO Principal\n---- ----\n   1 host/nas1.aaddscontoso.com@AADDSCONTOSO.COM\n'
         '   1 NAS1$@AADDSCONTOSO.COM\n   1 NAS1$@AADDSCONTOSO.COM\n')


@pytest.fixture
def stubs(tmp_path, monkeypatch):
    """A LabMember whose commands (net, kinit, dig, member.sh, ...) are stubs; ``stubs.scenario(...)`` sets
    their answers, ``stubs.calls()`` lists what ran."""
    bin_dir, nas_dir = tmp_path / 'bin', tmp_path / 'nas1'
    bin_dir.mkdir()
    (nas_dir / 'samba' / 'private').mkdir(parents=True)
    program = STUB.replace('PYTHON', sys.executable)
    for name in ('net', 'kinit', 'kdestroy', 'klist', 'dig', 'getent', 'id', 'wbinfo', 'member.sh'):
        path = bin_dir / name
        path.write_text(program)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    log, scenario = tmp_path / 'calls.jsonl', tmp_path / 'scenario.json'
    monkeypatch.setenv('PATH', f'{bin_dir}:{os.environ["PATH"]}')
    monkeypatch.setenv('STUB_LOG', str(log))
    monkeypatch.setenv('STUB_SCENARIO', str(scenario))
    monkeypatch.setenv('LAB_NAS_DIR', str(nas_dir))
    scenario.write_text('{}')

    class Stubs:
        member = LabMember(member_script=bin_dir / 'member.sh')

        @staticmethod
        def scenario(answers):
            """{substring of "command arg...": [rc, stdout, stderr]}, the first match wins."""
            scenario.write_text(json.dumps(answers))

        @staticmethod
        def calls():
            return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Stubs


def test_lab_member_needs_a_stand_in(monkeypatch):
    monkeypatch.delenv('LAB_NAS_DIR', raising=False)
    with pytest.raises(ValueError, match='LAB_NAS_DIR'):
        Emulator('25.10', directory='lab')
    assert parse_args(['--directory', 'lab']).directory == 'lab' and parse_args([]).directory == 'fake'


def test_kinit_password_goes_to_stdin_only(stubs):
    stubs.member.kinit(f'aaddsadmin@{REALM}', SECRET_WORD)
    call, = stubs.calls()
    assert call['cmd'] == ['kinit', '-c', f'FILE:{stubs.member.ccache}', f'aaddsadmin@{REALM}']
    assert call['stdin'] == f'{SECRET_WORD}\n' and SECRET_WORD not in json.dumps(call['env'])
    assert stubs.member.ticket == f'aaddsadmin@{REALM}'
    stubs.member.kinit(f'NAS1$@{REALM}')
    assert stubs.calls()[-1]['cmd'][:3] == ['kinit', '-k', '-t']


@pytest.mark.parametrize('stderr, expected', [
    ('kinit: Password incorrect while getting initial credentials\n', 'KRB5KDC_ERR_PREAUTH_FAILED'),
    (f"kinit: Client 'x@{REALM}' not found in Kerberos database while getting initial credentials\n",
     'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN'),
    ("kinit: Client's credentials have been revoked while getting initial credentials\n", 'KRB5KDC_ERR_CLIENT_REVOKED'),
    ('kinit: Cannot read password while getting initial credentials\n', 'KRB5_LIBOS_CANTREADPWD'),
    ('kinit: KDC reply did not match expectations while getting initial credentials\n', 'KRB5_KDCREP_MODIFIED'),
    ('kinit: Malformed representation of principal when parsing name x@@\n', BadName),
    ('kinit: something new\n', DirectoryError),
])
def test_kinit_errors_by_message(stubs, stderr, expected):
    stubs.scenario({'kinit': [1, '', stderr]})
    with pytest.raises(Exception) as info:
        stubs.member.kinit('x', 'y')
    if isinstance(expected, str):
        assert isinstance(info.value, Krb5Failure) and info.value.code == expected
        assert kinit_code(stderr) == expected
    else:
        assert type(info.value) is expected  # pylint: disable=unidiomatic-typecheck


def test_join_and_leave_use_the_ticket_not_the_password(stubs):
    stubs.member.join(netbios_name='nas1', dns_hostname=f'nas1.{REALM}', ou=None, dns_updates=False)
    stubs.member.leave(netbios_name='nas1', dns_hostname=f'nas1.{REALM}', dns_updates=True)
    join, leave = stubs.calls()
    assert join['cmd'] == ['member.sh', 'join'] and leave['cmd'] == ['member.sh', 'leave']
    assert join['env'] == {'JOIN_CCACHE': f'FILE:{stubs.member.ccache}', 'JOIN_NO_START': '1', 'JOIN_OU': '',
                           'JOIN_NETBIOS_NAME': 'nas1', 'JOIN_DNS_HOSTNAME': f'nas1.{REALM}',
                           'JOIN_NO_DNS_UPDATES': '1', 'KRB5CCNAME': f'FILE:{stubs.member.ccache}'}
    assert 'JOIN_PASSWORD' not in leave['env'] and 'JOIN_NO_DNS_UPDATES' not in leave['env']
    stubs.scenario({'member.sh join': [255, '', 'Using short domain name -- AADDSCONTOSO\nFailed to join domain: '
                                                'failed to precreate account in ou ou=X: No such object\n']})
    with pytest.raises(JoinFailure) as info:
        stubs.member.join(netbios_name='nas1', dns_hostname=None, ou='X', dns_updates=True)
    assert info.value.text == 'Failed to join domain: failed to precreate account in ou ou=X: No such object'
    assert stubs.calls()[-1]['env']['JOIN_OU'] == 'X'


def test_dns_answers(stubs):
    stubs.scenario({'dig': [0, DIG_SRV, '']})
    assert stubs.member.srv_lookup('192.0.2.11', f'_kerberos._tcp.{REALM}.', 5) == ['dc1.aaddscontoso.com.']
    assert stubs.calls()[-1]['cmd'][-3:] == ['@192.0.2.11', 'SRV', f'_kerberos._tcp.{REALM}.']
    for answer, kind in (([0, DIG_NX, ''], 'NXDOMAIN'), ([9, ';; connection timed out; no servers could be reached\n',
                                                          ''], 'LifetimeTimeout')):
        stubs.scenario({'dig': answer})
        with pytest.raises(DnsLookupError) as info:
            stubs.member.srv_lookup('192.0.2.11', 'x.', 5)
        assert info.value.kind == kind


def test_accounts_through_nss_and_winbind(stubs):
    stubs.scenario({'getent -s files': [2, '', ''],
                    'getent -s winbind passwd': [0, 'AADDSCONTOSO\\alice:*:100001105:100000514::/home/alice:/bin/bash\n',
                                                 ''],
                    'wbinfo --uid-to-sid': [0, 'S-1-5-21-1-2-3-1104\n', '']})
    user = stubs.member.getpw(name='AADDSCONTOSO\\alice')
    assert user == {'pw_name': 'AADDSCONTOSO\\alice', 'pw_gecos': '', 'pw_dir': '/home/alice', 'pw_shell': '/bin/bash',
                    'pw_uid': 100001105, 'pw_gid': 100000514, 'source': 'ACTIVEDIRECTORY'}
    assert stubs.member.xid_to_sid('USER', 100001105) == 'S-1-5-21-1-2-3-1104'


def test_a_25_10_join_on_the_stubs(stubs, make_emulator, connect, tmp_path):
    stubs.scenario({'net -d 0': [0, json.dumps(NET_INFO), ''], 'ads lookup': [0, json.dumps(NET_LOOKUP), ''],
                    'ads testjoin': [255, '', 'Join to domain is not valid: NT code 0xfffffff6\n'],
                    'SRV': [0, DIG_SRV, ''], 'dig': [0, DIG_NX, ''], 'klist': [0, KLIST, ''],
                    'wbinfo --own-domain': [0, 'AADDSCONTOSO\n', ''], 'wbinfo -D': [0, 'SID : S-1-5-21-1-2-3\n', '']})
    resolv = tmp_path / 'resolv.conf'
    resolv.write_text('nameserver 192.0.2.11\n')
    emu = make_emulator('25.10', directory=stubs.member, resolv_conf=resolv)
    client = connect(emu)
    client.login()
    password = JOIN_25_10['credential']['password']
    entry = run_job(client, 'directoryservices.update', JOIN_25_10)
    assert entry['state'] == 'SUCCESS', entry['error']
    assert entry['result']['credential']['principal'] == f'NAS1$@{REALM}'
    commands = [' '.join(call['cmd'][:3]) for call in stubs.calls()]
    assert 'member.sh join' in commands and 'member.sh start' in commands
    kinit = next(call for call in stubs.calls() if call['cmd'][0] == 'kinit')
    assert kinit['cmd'][-1] == f'aaddsadmin@{REALM}' and kinit['stdin'] == f'{password}\n'
    for call in stubs.calls():
        assert password not in ' '.join(call['cmd']) and password not in json.dumps(call['env'])
    assert client.call('privilege.query', [['name', '=', REALM]], {'get': True})['ds_groups'][0]['sid'] == \
        'S-1-5-21-1-2-3-512'
