"""A NAS upgraded between two runs of the join playbook: joined on 25.10, upgraded to 26, then to 27 (the emulator
restarted as the newer release on the state it kept, as a NAS keeps its database; the domain is the same scripted
one). After each upgrade the playbook converges: nothing changed, nothing written, the join HEALTHY, the network
domain the one the join wrote, and the collection called no method the release has made private (27:
auth.login_with_api_key and auth.login), with api_username and without it."""

import json

import pytest

from truenas_emulator import Emulator
from truenas_emulator.directory_backend import FakeDirectory

from .conftest import API_KEY, API_USER, COLLECTION, JOIN_PASSWORD, request_log
from .hostile.conftest import DC_IPS, DOMAIN, Fleet, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
RELEASES = ('25.10', '26', '27')


@pytest.fixture
def nas(tls):
    """A NAS of 25.10 whose release changes between runs (``emulator.upgraded``: the same state and domain)."""
    directory = FakeDirectory(dcs=[('dc%d.%s' % (index, DOMAIN), ip) for index, ip in enumerate(DC_IPS, 1)])
    running = [Emulator(RELEASES[0], api_keys={API_USER: API_KEY}, hostname='nas1', directory=directory,
                        request_log=request_log(), interfaces=[{'name': 'eth0', 'ipv4': ['198.18.0.1/24']}])]
    running[0].start('127.0.0.1', 0, tls['cert'], tls['key'])
    yield running
    running[-1].stop()


def upgrade(running, tls, version):
    """Stop the NAS and boot ``version`` on its state, at the same address."""
    old = running[-1]
    port = int(old.url.rsplit(':', 1)[1].split('/')[0])
    old.stop()
    running.append(old.upgraded(version).start('127.0.0.1', port, tls['cert'], tls['key']))
    return running[-1]


def run(emulator, tls, tmp_path, with_username):
    """The playbook once over the NAS (preflight skipped: the scripted domain has no DC to probe)."""
    tmp_path.mkdir()
    runner = fleet_runner(tmp_path)
    if not with_username:
        del runner.env['TRUENAS_API_USERNAME']
    fleet = Fleet.__new__(Fleet)
    fleet.tls, fleet.nas = tls, {'nas1': emulator}
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
    variables = tmp_path / 'domain.json'
    variables.write_text(json.dumps({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_network_verify': False,
                                     'entra_join_user': 'aaddsadmin@' + DOMAIN}))
    return runner.run_playbook(PLAYBOOK, '-e', '@%s' % variables, '--skip-tags', 'entra_preflight',
                               env={'ENTRA_JOIN_PASSWORD': JOIN_PASSWORD})


@pytest.mark.parametrize('with_username', [True, False], ids=['api_username', 'key_only'])
def test_joined_on_25_10_the_playbook_converges_on_26_and_27(nas, tls, tmp_path, with_username):
    first = run(nas[0], tls, tmp_path / 'first', with_username)
    assert first.rc == 0 and first.changed > 0, first.stdout[-5000:] + first.stderr
    directory = nas[0].directory.backend
    for version in RELEASES[1:]:
        emulator = upgrade(nas, tls, version)
        assert emulator.personality.name == version
        again = run(emulator, tls, tmp_path / version, with_username)
        assert again.rc == 0 and again.changed == 0, again.stdout[-5000:] + again.stderr
        counters = emulator.counters()
        assert counters['writes'] == 0 and counters['private_calls'] == 0, counters
        assert emulator.directory.status()['status'] == 'HEALTHY'
        assert emulator.network_config['domain'].lower() == DOMAIN
        assert list(directory.computers) == ['NAS1']
        urls = {result['connection']['url'] for host, status, result in again.results if 'connection' in result}
        path = '/api/v26.0.0' if version == '27' and not with_username else '/api/current'
        assert urls == {emulator.url.replace('/api/current', path)}, urls
        warned = 'retires auth.login_with_api_key' in again.stdout + again.stderr  # Ansible shows a warning, not in the result
        assert warned is (version == '27' and not with_username), again.stderr[-3000:]
