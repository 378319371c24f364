"""Helpers of the directory tests (test_directory_*.py): an emulated NAS whose resolv.conf points at a scripted
FakeDirectory domain, job runners, and the payloads a client sends. Its own tests check the fake's defaults."""

import json
import time

import pytest

from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD, FAKE_JOIN_USER, FakeDirectory

DOMAIN = 'aaddscontoso.com'
REALM = 'AADDSCONTOSO.COM'
WORKGROUP = 'AADDSCONTOSO'
DC_IPS = ['192.0.2.11', '192.0.2.12']
SECRET = '********'
JOIN_25_10 = {
    'service_type': 'ACTIVEDIRECTORY', 'enable': True,
    'credential': {'credential_type': 'KERBEROS_USER', 'username': FAKE_JOIN_USER, 'password': FAKE_JOIN_PASSWORD},
    'configuration': {'hostname': 'nas1', 'domain': DOMAIN},
}
JOIN_25_04 = {'domainname': DOMAIN, 'bindname': FAKE_JOIN_USER, 'bindpw': FAKE_JOIN_PASSWORD, 'enable': True,
              'netbiosname': 'nas1'}
LEAVE_25_10 = {'credential': {'credential_type': 'KERBEROS_USER', 'username': FAKE_JOIN_USER,
                              'password': FAKE_JOIN_PASSWORD}}
LEAVE_25_04 = {'username': FAKE_JOIN_USER, 'password': FAKE_JOIN_PASSWORD}
FINISHED = ('SUCCESS', 'FAILED', 'ABORTED')
JOIN_STEPS = ['Preparing to join Active Directory', 'Configuring Kerberos Settings.', 'Detecting Active Directory Site.',
              'Detecting Active Directory NetBIOS Domain Name.', 'Performing domain join.',
              'Performing post-join actions', 'Performing kinit using new computer account.']


@pytest.fixture
def directory_nas(make_emulator, connect, tmp_path):
    """``directory_nas(version='25.10', fake=None, **Emulator kwargs)`` -> (emu, client, fake): a logged-in
    client of a NAS whose nameservers are the fake domain's DCs."""
    def make(version='25.10', fake=None, nameservers=tuple(DC_IPS), **kwargs):
        fake = fake or FakeDirectory()
        resolv = tmp_path / f'resolv-{version}-{id(fake)}.conf'
        resolv.write_text(''.join(f'nameserver {ns}\n' for ns in nameservers))
        kwargs.setdefault('state_file', tmp_path / f'state-{version}-{id(fake)}.json')
        emu = make_emulator(version, directory=fake, resolv_conf=resolv, **kwargs)
        client = connect(emu)
        client.login()
        return emu, client, fake
    return make


def run_job(client, method, *params, timeout=10):
    """Call a job method (legacy jobs: its id comes back) and return its finished core.get_jobs entry."""
    job_id = client.call(method, *params)
    assert isinstance(job_id, int), job_id
    return wait_job(client, job_id, timeout)


def wait_job(client, job_id, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        entry = client.call('core.get_jobs', [['id', '=', job_id]], {'get': True})
        if entry['state'] in FINISHED:
            return entry
        assert time.monotonic() < deadline, entry
        time.sleep(0.02)


def progress_descriptions(client, job_id):
    """Every progress description a job reported, in order (from its collection_update events)."""
    seen = []
    for message in client.notifications:
        params = message['params']
        if message['method'] == 'collection_update' and params['collection'] == 'core.get_jobs' \
                and params['id'] == job_id and 'fields' in params:
            description = params['fields']['progress']['description']
            if description and (not seen or seen[-1] != description):
                seen.append(description)
    return seen


def extra(entry):
    """exc_info.extra of a failed job as a list of [attribute, message, errno]."""
    return [list(item) for item in entry['exc_info']['extra']]


def kinits(fake, source='password'):
    return [k for k in fake.kinits if (k['principal'].endswith('$@' + fake.realm)) == (source == 'keytab')]


def state_text(emu):
    """The state file as text (what a secret must never be found in)."""
    return json.dumps(emu.store.snapshot())


def test_fake_defaults():
    fake = FakeDirectory()
    assert fake.realm == REALM and fake.workgroup == WORKGROUP and [ip for dummy, ip in fake.dcs] == DC_IPS
    info = fake.domain_info(DOMAIN)
    assert info['Realm'] == REALM and info['Server time offset'] == 0 and info['KDC server'] == DC_IPS[0]
    assert fake.srv_lookup('192.0.2.99', f'_kerberos._tcp.{REALM}.', 10) == ['dc1.aaddscontoso.com.',
                                                                             'dc2.aaddscontoso.com.']
    assert not fake.joined and fake.getpw(name=f'{WORKGROUP}\\alice') is None  # winbind down before a join


def test_fake_kinit_outcomes():
    fake = FakeDirectory(kinit_errors={'bob': 'KRB5KDC_ERR_CLIENT_REVOKED'})
    fake.kinit(f'{FAKE_JOIN_USER}@{REALM}', FAKE_JOIN_PASSWORD)
    for principal, password, code in ((f'{FAKE_JOIN_USER}@{REALM}', 'wrong', 'KRB5KDC_ERR_PREAUTH_FAILED'),
                                      (f'nobody@{REALM}', 'x', 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN'),
                                      (f'bob@{REALM}', 'Bob-Passw0rd!', 'KRB5KDC_ERR_CLIENT_REVOKED'),
                                      (f'{FAKE_JOIN_USER}@{DOMAIN}', FAKE_JOIN_PASSWORD, 'KRB5_KDCREP_MODIFIED')):
        with pytest.raises(Exception) as info:
            fake.kinit(principal, password)
        assert info.value.code == code
    assert [k['result'] for k in fake.kinits] == ['OK', 'KRB5KDC_ERR_PREAUTH_FAILED', 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN',
                                                  'KRB5KDC_ERR_CLIENT_REVOKED', 'KRB5_KDCREP_MODIFIED']
    assert all('password' not in entry for entry in fake.kinits)
