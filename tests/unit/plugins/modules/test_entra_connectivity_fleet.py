"""entra_connectivity's fleet probes: a probes_only run asks no NAS and holds no password; a NAS's run decides from
them only for exactly its own DC settings and from the controller, and then makes no DC probe of its own."""

import json

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils import _module
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.modules import entra_connectivity

from ...module_args import patch_module_args
from ..module_utils.test_connectivity import DC1, DC2, PASSWORD, FakeProber
from .test_entra_connectivity import ARGS, KEY, NAS

# the NAS's own probes next to shared DC probes: its resolver view (one SRV query per nameserver) and the credential check
OWN_PROBES = [('credentials nasjoin', DC1), ('srv', DC1), ('srv', DC2)]


@pytest.fixture
def run(monkeypatch, capsys, fake_transport):
    """main() with ``args``: (result, the prober's calls, whether a NAS was connected to)."""

    def runner(args):
        prober, connected = FakeProber(), []

        def client_for(module):
            transport = fake_transport(NAS)
            transport.needs_login = False
            connected.append(True)
            return Client(transport), {'transport': 'websocket', 'url': 'wss://x'}

        monkeypatch.setattr(_module, 'client_for', client_for)
        monkeypatch.setattr(connectivity, 'Prober', lambda *args: prober)
        with patch_module_args(args), pytest.raises(SystemExit):
            entra_connectivity.main()
        return json.loads(capsys.readouterr().out), sorted(prober.calls), bool(connected)

    return runner


def fleet_probes(run, **changes):
    """A probes_only run's fleet_probes, as Ansible hands a registered result on (JSON)."""
    result, calls, connected = run(dict(ARGS, probes_only=True, **changes))
    assert not connected and result['changed'] is False and 'failed' not in result
    assert not any(call[0].startswith('credentials') for call in calls)
    assert PASSWORD not in json.dumps(result) and KEY not in json.dumps(result)
    return json.loads(json.dumps(result['fleet_probes']))


def without_times(result):
    return [dict(item, elapsed_ms=None) for item in result['checks']]


def test_probes_only_asks_no_nas_sends_no_password_and_names_its_run(run):
    shared = fleet_probes(run)
    assert shared['run'].startswith('fleet-')
    assert shared['settings'] == {'domain': 'aaddscontoso.com', 'dc_ips': [DC1, DC2], 'secure_ldap': True,
                                  'ldaps_ca_path': None, 'probe_timeout': 3.0, 'username': 'nasjoin@aaddscontoso.com'}
    assert {name for name, target, outcome in shared['outcomes']} == {
        'dns_a', 'dns_srv', 'ldap_rootdse', 'ldap_signing', 'ldaps_tls_version', 'ldaps_certificate', 'kerberos_aes',
        'kerberos_rc4'} | set('tcp_%d' % port for port in connectivity.TCP_PORTS + (636,)) | set(
        'udp_%d' % port for port in connectivity.UDP_PORTS)


def test_matching_fleet_probes_give_the_same_checks_with_only_the_nas_own_probes(run):
    own, dummy, connected = run(ARGS)
    shared = fleet_probes(run)
    result, calls, connected = run(dict(ARGS, fleet_probes=shared))
    assert connected and calls == OWN_PROBES
    assert result['dc_probes'] == {'shared': True, 'run': shared['run'],
                                   'own_probes': ['credentials@' + DC1, 'resolver@' + DC1, 'resolver@' + DC2]}
    assert without_times(result) == without_times(own) and result['summary']['pass'] == 44
    assert PASSWORD not in json.dumps(result)


@pytest.mark.parametrize('changes, named', [
    ({'probe_timeout': 1.0}, 'probe_timeout'), ({'dc_ips': [DC2, DC1]}, 'dc_ips'), ({'secure_ldap': False}, 'secure_ldap'),
    ({'username': 'other@aaddscontoso.com'}, 'username'), ({'domain': 'other.example.com', 'dc_ips': [DC1, DC2]}, 'domain'),
    ({'ldaps_ca_path': '/etc/ssl/certs'}, 'ldaps_ca_path')])
def test_fleet_probes_of_other_settings_are_not_used(run, changes, named):
    shared = fleet_probes(run, **changes)
    result, calls, dummy = run(dict(ARGS, fleet_probes=shared))
    assert result['dc_probes']['shared'] is False and named in result['dc_probes']['why']
    assert ('tcp', DC1) in calls and ('rootdse', DC2) in calls


def test_on_the_nas_each_nas_probes_from_itself(run):
    shared = fleet_probes(run)
    result, calls, dummy = run(dict(ARGS, api_url=None, fleet_probes=shared))
    assert result['dc_probes'] == {'shared': False, 'why': 'the probes run on the NAS (no api_url), each NAS from itself'}
    assert ('tcp', DC1) in calls and result['nas']['probes_ran_on'] == 'nas'


def test_fleet_probes_that_are_no_probe_run_are_refused(run):
    result, calls, connected = run(dict(ARGS, fleet_probes={'outcomes': 'x'}))
    assert result['failed'] is True and result['msg'].startswith('fleet_probes:') and calls == []
