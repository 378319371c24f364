"""Fixtures of the hostile suite: many emulated NAS on loopback at once, each its own hostname and counters."""

import json
import sys

import pytest

from truenas_emulator import Emulator
from truenas_emulator.directory_backend import FakeDirectory

from ..conftest import API_KEY, API_USER, Ansible, request_log

DOMAIN = 'aaddscontoso.com'
# the scripted domain's DCs: a benchmarking range nothing is sent to (the fleet runs with verification off)
DC_IPS = ['198.18.0.251', '198.18.0.252']


class Fleet:
    """Emulated NAS named ``names`` (hostname too), each on its own port, and an inventory that names them."""

    def __init__(self, tls, names, version='25.10'):
        self.tls = tls
        self.nas = {}
        for number, name in enumerate(names, 1):
            directory = FakeDirectory(dcs=[('dc%d.%s' % (index, DOMAIN), ip) for index, ip in enumerate(DC_IPS, 1)])
            self.nas[name] = Emulator(version, api_keys={API_USER: API_KEY}, hostname=name, directory=directory,
                                      request_log=request_log(),
                                      interfaces=[{'name': 'eth0', 'ipv4': ['198.18.0.%d/24' % number]}])
            self.nas[name].fake = directory
            self.nas[name].start('127.0.0.1', 0, tls['cert'], tls['key'])

    def inventory(self, path, hostvars=None, groups=None, extra_hosts=()):
        """A JSON inventory: every NAS a host with its api_url (key and user come from the environment); ``hostvars``
        {host: vars} are added, ``groups`` {group: [hosts]} become children of ``all``; ``extra_hosts`` have no NAS."""
        hosts = dict((name, dict({'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
                                  'truenas_api_url': emu.url, 'truenas_ca_path': self.tls['ca']},
                                 **(hostvars or {}).get(name, {})))
                     for name, emu in self.nas.items())
        hosts.update((name, {'ansible_connection': 'local', 'truenas_api_url': None, 'truenas_ca_path': None})
                     for name in extra_hosts)
        children = dict((group, {'hosts': dict((host, {}) for host in members)})
                        for group, members in (groups or {'truenas': list(self.nas)}).items())
        path.write_text(json.dumps({'all': {'hosts': hosts, 'children': children}}, indent=1))
        return path

    def stop(self):
        for emu in self.nas.values():
            emu.stop()


def fleet_runner(tmp_path):
    """An Ansible runner whose API key and user come from the environment (never argv or the inventory)."""
    runner = Ansible(tmp_path)
    runner.env.update(TRUENAS_API_KEY=API_KEY, TRUENAS_API_USERNAME=API_USER)
    return runner


@pytest.fixture
def fleet_of(tls):
    """``fleet_of(names, **options)``: a Fleet stopped after the test."""
    made = []

    def make(names, **options):
        made.append(Fleet(tls, names, **options))
        return made[-1]

    yield make
    for fleet in made:
        fleet.stop()
