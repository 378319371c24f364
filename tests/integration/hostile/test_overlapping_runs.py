"""Runs that overlap on one NAS, on both TrueNAS releases: two entra_dns_config runs at once with different
nameserver lists, one NAS listed twice in an inventory, and the web UI changing the network settings between a run's
read and its write. The NAS ends in one run's whole state, never a mix; what each run reports is what its write
left; a change the run does not manage survives it."""

import json
import sys
import threading

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import LocalSocketTransport

from ..conftest import Ansible
from ..test_entra_dns_config import DOMAIN, task as dns_task

THREE = ['198.51.100.10', '198.51.100.11', '198.51.100.12']
ONE = ['203.0.113.53']


def slots(emu):
    return [emu.network_config['nameserver%d' % index] for index in (1, 2, 3)]


def at_once(*runs):
    """Run the callables at the same time; their results in order."""
    results = [None] * len(runs)
    threads = [threading.Thread(target=lambda index=index, run=run: results.__setitem__(index, run()))
               for index, run in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


def test_two_runs_at_once_with_different_nameservers(nas, tls, tmp_path):
    """The NAS holds the first two of three DCs; both runs read it before either writes (each read is held a second):
    each write sends all three slots (a write of only the third would leave a mix), so the NAS holds one list whole,
    each run reports the list its write left, and a rerun of the list the NAS holds converges."""
    with Client(LocalSocketTransport(nas.socket_path, 10)) as client:  # the first two already there
        client.call('network.configuration.update', {'domain': DOMAIN, 'nameserver1': THREE[0], 'nameserver2': THREE[1]})
    nas.reset_counters()
    nas.faults.set('delay', seconds=1, method='network.configuration.config', times=2)
    for name in ('three', 'one'):
        (tmp_path / name).mkdir()
    first, second = Ansible(tmp_path / 'three'), Ansible(tmp_path / 'one')
    runs = at_once(lambda: first.playbook(dns_task(nas, tls, nameservers=THREE)),
                   lambda: second.playbook(dns_task(nas, tls, nameservers=ONE)))
    assert all(run.rc == 0 and run.changed == 1 for run in runs), [run.stdout + run.stderr for run in runs]
    seen = nas.counters()
    assert seen['by_method']['network.configuration.config'] == 2 and seen['writes'] == 2
    held = slots(nas)
    assert held in (THREE, ONE + ['', '']), held
    reported = [run.result['config']['nameservers'] for run in runs]
    assert reported == [THREE, ONE] and nas.network_config['domain'] == DOMAIN
    last = THREE if held == THREE else ONE
    nas.reset_counters()
    again = first.playbook(dns_task(nas, tls, nameservers=last))
    assert again.rc == 0 and again.changed == 0 and nas.counters()['writes'] == 0


def test_one_nas_listed_twice_in_the_inventory(nas, tls, tmp_path):
    """Two inventory hosts (nas1 and its address) point at one NAS and run the network step together: the NAS stores
    the DCs once (a second write, when both read before either wrote, sends what is already there and TrueNAS stores
    nothing), both hosts end ok, and a host says changed only when it sent the write."""
    runner = Ansible(tmp_path)
    hosts = dict((name, {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable})
                 for name in ('nas1', 'nas1-by-address'))
    runner.inventory = tmp_path / 'twice.json'
    runner.inventory.write_text(json.dumps({'all': {'hosts': hosts}}))
    nas.faults.set('delay', seconds=1, method='network.configuration.config', times=2)
    run = runner.playbook(dns_task(nas, tls), '--forks', '2', hosts='all')
    assert run.rc == 0, run.stdout + run.stderr
    assert sorted(host for host, status, result in run.results) == ['nas1', 'nas1-by-address']
    assert all(result['config']['nameservers'] == THREE[:2] for host, status, result in run.results)
    seen = nas.counters()
    assert seen['writes'] == 1 and seen['by_method']['network.configuration.update'] == run.changed, seen
    assert slots(nas) == THREE[:2] + ['']


def test_a_web_ui_change_between_read_and_write_survives(ansible, nas, tls):
    """While the run's write is on its way (held two seconds), the web UI renames the NAS and sets a gateway: the
    run's write sends only the fields it manages, so the rename and the gateway stay, and the run reports the DCs."""
    nas.faults.set('delay', seconds=2, method='network.configuration.update', times=1)

    def web_ui():
        while not nas.counters()['by_method'].get('network.configuration.update'):
            stop.wait(0.05)
            if stop.is_set():
                return
        with Client(LocalSocketTransport(nas.socket_path, 10)) as client:
            client.call('network.configuration.update', {'hostname': 'nas1-renamed', 'ipv4gateway': '192.0.2.1'})
    stop = threading.Event()
    editor = threading.Thread(target=web_ui)
    editor.start()
    try:
        run = ansible.playbook(dns_task(nas, tls))
    finally:
        stop.set()
        editor.join()
    assert run.rc == 0 and run.changed == 1, run.stdout + run.stderr
    stored = nas.network_config
    assert stored['hostname'] == 'nas1-renamed' and stored['ipv4gateway'] == '192.0.2.1', stored
    assert slots(nas) == THREE[:2] + [''] and stored['domain'] == DOMAIN
    assert run.result['config'] == {'domain': DOMAIN, 'nameservers': THREE[:2], 'search_domains': [],
                                    'ipv4gateway': '192.0.2.1'}
