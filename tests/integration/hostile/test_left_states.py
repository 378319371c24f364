"""States a NAS can be left in by hand, by an earlier run or by another tool, on both TrueNAS releases: the modules
read what the NAS holds (its stored network settings, the resolv.conf in effect, its privileges, its host name) and
either converge it with the fewest writes or refuse by name, never report a state the test does not read back."""

import threading

import pytest

from truenas_emulator import Emulator

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from ..conftest import API_KEY, API_USER, PERSONALITIES, request_log
from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from ..test_entra_dns_config import DCS, DOMAIN, task as dns_task
from .test_faults import join_method

DHCP = '192.0.2.1'  # the nameserver a DHCP lease wrote into resolv.conf before anyone configured one
STRAY = '192.0.2.77'
ADMINS = 'AAD DC Administrators'


def call(emu, method, *params):
    """One call on the NAS's own socket (root, no login), as another tool or the web UI would make it."""
    with Client(LocalSocketTransport(emu.socket_path, 10)) as client:
        return client.call(method, *params)


@pytest.fixture(params=PERSONALITIES)
def dhcp_nas(request, tls, tmp_path):
    """An emulated NAS whose resolv.conf (a real file) first held a DHCP lease's nameserver."""
    resolv = tmp_path / 'resolv.conf'
    resolv.write_text('nameserver %s\n' % DHCP)
    emu = Emulator(request.param, api_keys={API_USER: API_KEY}, hostname='nas1', resolv_conf=str(resolv),
                   request_log=request_log(), interfaces=[{'name': 'eth0', 'ipv4': ['192.0.2.20/24']}])
    emu.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(tmp_path / 'middlewared.sock'))
    emu.resolv = resolv
    yield emu
    emu.stop()


def in_resolv_conf(emu):
    return [line.split()[1] for line in emu.resolv.read_text().splitlines() if line.startswith('nameserver ')]


def slots(emu):
    return [emu.network_config['nameserver%d' % index] for index in (1, 2, 3)]


@pytest.mark.parametrize('left, words', [
    ({'domain': DOMAIN, 'nameserver1': DCS[0], 'nameserver2': DCS[1], 'nameserver3': STRAY}, 'stray-third'),
    ({'domain': DOMAIN}, 'domain-without-nameservers'),
    ({'domain': DOMAIN, 'nameserver1': DCS[1], 'nameserver2': DCS[0]}, 'swapped'),
], ids=['stray-third-nameserver', 'domain-set-no-nameservers', 'dcs-swapped'])
def test_dns_settings_left_half_done_are_completed(ansible, dhcp_nas, tls, left, words):
    """A third nameserver after the DCs, the domain set with resolv.conf still on DHCP's, the DCs in the other order:
    one write puts exactly the DCs, in order, into the settings and into resolv.conf; the next run writes nothing."""
    call(dhcp_nas, 'network.configuration.update', left)
    dhcp_nas.reset_counters()
    run = ansible.playbook(dns_task(dhcp_nas, tls))
    assert run.rc == 0 and run.changed == 1, (words, run.stdout + run.stderr)
    assert run.result['config']['nameservers'] == DCS and slots(dhcp_nas) == DCS + ['']
    assert in_resolv_conf(dhcp_nas) == DCS and dhcp_nas.counters()['writes'] == 1
    again = ansible.playbook(dns_task(dhcp_nas, tls))
    assert again.rc == 0 and again.changed == 0 and dhcp_nas.counters()['writes'] == 1


def test_dns_settings_in_another_spelling_are_converged(ansible, dhcp_nas, tls):
    """The domain and a search domain stored in upper case, IPv6 DCs stored with leading zeros and upper-case hex (as
    typed into the web UI; 25.04 stores addresses normalised, 25.10 as typed): the same settings, so no write."""
    written = ['2001:DB8:0:0::0A', '2001:0db8:0000:0000:0000:0000:0000:000b']
    call(dhcp_nas, 'network.configuration.update', {'domain': DOMAIN.upper(), 'domains': [DOMAIN.upper()],
                                                    'nameserver1': written[0], 'nameserver2': written[1]})
    dhcp_nas.reset_counters()
    run = ansible.playbook(dns_task(dhcp_nas, tls, nameservers=['2001:db8::a', '2001:db8::b'], search_domains=[DOMAIN]))
    assert run.rc == 0 and run.changed == 0, run.stdout + run.stderr
    assert dhcp_nas.counters()['writes'] == 0 and slots(dhcp_nas)[:2] in (written, ['2001:db8::a', '2001:db8::b'])
    assert run.result['config']['nameservers'] == ['2001:db8::a', '2001:db8::b']


def test_a_hand_edited_resolv_conf_is_named(ansible, dhcp_nas, tls):
    """Settings right, but resolv.conf edited by hand (a stray nameserver first): nothing to write through the API,
    and the run warns that the NAS resolves through other nameservers than its settings name."""
    assert ansible.playbook(dns_task(dhcp_nas, tls)).rc == 0
    dhcp_nas.resolv.write_text('nameserver %s\nnameserver %s\n' % (STRAY, DCS[0]))
    dhcp_nas.reset_counters()
    run = ansible.playbook(dns_task(dhcp_nas, tls))
    assert run.rc == 0 and run.changed == 0 and dhcp_nas.counters()['writes'] == 0, run.stdout + run.stderr
    warned = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith('[WARNING]: ')]
    assert len(warned) == 1 and STRAY in warned[0] and 'resolv.conf' in warned[0], run.stdout


def test_a_nameserver_slot_left_empty_before_the_dcs(ansible, dhcp_nas, tls):
    """nameserver1 cleared by hand while 2 and 3 hold the DCs (TrueNAS checks only the slots a write sends): resolv.conf
    lists the DCs in order, so the run converges without a write and reports the DCs."""
    call(dhcp_nas, 'network.configuration.update', {'domain': DOMAIN, 'nameserver1': STRAY, 'nameserver2': DCS[0],
                                                    'nameserver3': DCS[1]})
    call(dhcp_nas, 'network.configuration.update', {'nameserver1': ''})
    dhcp_nas.reset_counters()
    run = ansible.playbook(dns_task(dhcp_nas, tls))
    assert slots(dhcp_nas) == [''] + DCS and in_resolv_conf(dhcp_nas) == DCS
    assert run.rc == 0 and run.changed == 0 and run.result['config']['nameservers'] == DCS, run.stdout + run.stderr
    assert dhcp_nas.counters()['writes'] == 0


def admin_privilege(emu):
    return [entry for entry in call(emu, 'privilege.query') if entry['name'] == ADMINS]


@pytest.mark.parametrize('undo', ['deleted', 'role-removed'])
def test_the_admin_group_privilege_undone_out_of_band_is_restored(ansible, domain_nas, tls, undo):
    """After the join granted the admin group FULL_ADMIN, someone deletes that privilege or takes its role away:
    the next run grants it again (one write), and the run after that writes nothing."""
    assert ansible.playbook(join_task(domain_nas, tls, admin_group=ADMINS)).rc == 0
    granted = admin_privilege(domain_nas)
    assert len(granted) == 1 and granted[0]['roles'] == ['FULL_ADMIN']
    if undo == 'deleted':
        call(domain_nas, 'privilege.delete', granted[0]['id'])
    else:
        call(domain_nas, 'privilege.update', granted[0]['id'], {'roles': []})
    domain_nas.reset_counters()
    run = ansible.playbook(join_task(domain_nas, tls, admin_group=ADMINS))
    assert run.rc == 0 and run.result['admin_group']['changed'] is True, run.stdout + run.stderr
    restored = admin_privilege(domain_nas)
    assert len(restored) == 1 and 'FULL_ADMIN' in restored[0]['roles'] and domain_nas.counters()['writes'] == 1
    again = ansible.playbook(join_task(domain_nas, tls, admin_group=ADMINS))
    assert again.rc == 0 and again.changed == 0 and domain_nas.counters()['writes'] == 1


def test_the_truenas_default_host_name_is_not_joined(ansible, domain_nas, tls):
    """A NAS still named ``truenas`` (the installer's default, shared by every NAS not renamed) and no hostname given:
    joining would make or take over the computer account TRUENAS, so the run refuses by name before any join."""
    call(domain_nas, 'network.configuration.update', {'hostname': 'truenas'})
    domain_nas.reset_counters()
    run = ansible.playbook(join_task(domain_nas, tls))
    assert run.rc != 0 and 'hostname' in run.result['msg'] and 'truenas' in run.result['msg'].lower(), run.result
    assert domain_nas.counters()['writes'] == 0 and 'TRUENAS' not in domain_nas.fake.computers


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_the_api_key_revoked_between_two_steps_of_one_run(ansible, domain_nas, tls, tmp_path):
    """The key is revoked after the network step wrote and before the join logs in: the join step fails naming the
    revoked key, having sent nothing; the network step's write stays, as its result said."""
    go = tmp_path / 'revoked'
    tasks = (dns_task(domain_nas, tls) + '    - ansible.builtin.wait_for: {path: "%s", timeout: 60}\n' % go
             + join_task(domain_nas, tls))

    def revoke_after_the_first_write():
        while domain_nas.counters()['writes'] == 0 and not done.is_set():
            done.wait(0.1)
        domain_nas.accounts.revoke(domain_nas.accounts.find_key(API_KEY)['id'], 'revoked by a test')
        go.write_text('')
    done = threading.Event()
    helper = threading.Thread(target=revoke_after_the_first_write)
    helper.start()
    try:
        run = ansible.playbook(tasks)
    finally:
        done.set()
        helper.join()
    assert run.rc == 2 and run.changed == 1, run.stdout + run.stderr
    assert 'expired or revoked' in run.result['msg'], run.result
    seen = domain_nas.counters()
    assert seen['writes'] == 1 and join_method(domain_nas) not in seen['by_method'] and not domain_nas.fake.joined
    assert domain_nas.network_config['domain'] == DOMAIN and slots(domain_nas) == DCS + ['']
