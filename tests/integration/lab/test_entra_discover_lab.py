"""The main playbook with Azure as the source of truth, against the lab: the inventory holds no domain and no DC
IPs, only the managed domain's Azure coordinates; the ARM test server (tests/azure/arm_server) returns the lab's
domain and DC IPs, and entra_discover hands them to entra_network (verified through the lab's two DCs),
entra_preflight (every probe against the discovered DCs), entra_join and entra_verify."""

import pytest
import yaml

from tests.azure.fixtures import (  # noqa: F401  pylint: disable=unused-import
    RESOURCE_GROUP, azure_env, azure_tls, sp_certificate, start_arm)

from ..conftest import COLLECTION
from .test_entra_dns_config_lab import lab_runner
from .test_main_playbook_lab import LEAVE_PLAYBOOK

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
# pylint: disable=redefined-outer-name


@pytest.fixture
def lab_arm(lab, azure_tls, sp_certificate):
    server = start_arm(azure_tls, sp_certificate, dc_ips=lab['dc_ips'], domain=lab['dns_domain'])
    yield server
    server.stop()


def azure_inventory(lab, tmp_path):
    """The lab inventory with entra_domain and entra_dc_ips replaced by the Azure coordinates."""
    runner = lab_runner(lab, tmp_path)
    inventory = yaml.safe_load(runner.inventory.read_text())
    shared = inventory['all']['vars']
    del shared['entra_domain'], shared['entra_dc_ips']
    shared.update(entra_azure_resource_group=RESOURCE_GROUP, entra_azure_domain_service_name=lab['dns_domain'])
    runner.inventory.write_text(yaml.safe_dump(inventory))
    return runner


def test_playbook_takes_domain_and_dcs_from_azure(lab, lab_arm, azure_tls, tmp_path):
    runner = azure_inventory(lab, tmp_path)
    run = runner.run_playbook(PLAYBOOK, *runner.secrets, '--tags', 'entra_discover,entra_network,entra_preflight',
                              env=azure_env(lab_arm, azure_tls))
    assert run.rc == 0, run.stdout + run.stderr
    dns = [result for host, status, result in run.results if 'verify' in result and 'config' in result]
    assert dns and all(result['config']['nameservers'] == lab['dc_ips'] for result in dns)
    assert all(result['config']['domain'] == lab['dns_domain'] for result in dns)
    assert all([check['status'] for check in result['verify']] in ([], ['pass', 'pass']) for result in dns)
    preflight = [result for host, status, result in run.results if 'checks' in result]
    assert preflight and all(not result.get('failed') for result in preflight)
    assert len(lab_arm.requests()) == 1  # one read for the whole play
    config = lab.midclt(1, 'network.configuration.config')
    assert [config['nameserver1'], config['nameserver2']] == lab['dc_ips']


def test_playbook_joins_with_the_domain_from_azure(lab, lab_arm, azure_tls, tmp_path):
    runner = azure_inventory(lab, tmp_path)
    runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
    try:
        run = runner.run_playbook(PLAYBOOK, *runner.secrets, env=azure_env(lab_arm, azure_tls))
        assert run.rc == 0, run.stdout + run.stderr
        joins = [result for host, status, result in run.results if 'progress' in result]
        assert joins and all(result['status'] == 'HEALTHY' for result in joins)
        assert lab.nas_exec(1, 'wbinfo', '-t').returncode == 0
    finally:
        left = runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
        assert left.rc == 0, left.stdout + left.stderr
