"""The molecule scenarios under extensions/molecule, on the lab: each leaves, converges, proves idempotence, runs its
testinfra verifier inside the stand-ins and leaves again. `default` over SSH and `api` from the controller on the
main lab (TrueNAS 25.10), `api` again on the main lab's stand-ins upgraded to TrueNAS 26 and to 27, `truenas_25_04`
on the alt lab (TrueNAS 25.04), `azure` on the main lab with the domain and DCs taken from the ARM test server (the
inventory has neither)."""

import os
import re
import subprocess

import pytest

from tests.azure.fixtures import azure_env, azure_tls, sp_certificate, start_arm  # noqa: F401  pylint: disable=unused-import

from ..conftest import COLLECTION, SESSION
from .test_entra_discover_lab import azure_inventory
from .test_releases_lab import released


def molecule(scenario, hosts, **env):
    """molecule test of one scenario, which must converge, prove idempotence and pass its 4 checks on each of
    ``hosts`` stand-ins; its output goes to the secrets canary."""
    run = subprocess.run(['molecule', 'test', '-s', scenario], cwd=COLLECTION, capture_output=True, text=True,
                         timeout=600, check=False, env=dict(os.environ, NO_COLOR='1', **env))
    output = run.stdout + run.stderr
    SESSION['canary'].keep('molecule-%s.txt' % scenario, output)
    assert run.returncode == 0, output[-6000:]
    for step in ('converge', 'idempotence', 'verify'):
        assert re.search(r'%s > %s\] Executed: Successful' % (scenario, step), output), output[-4000:]
    assert re.search(r'=+ %d passed in' % (4 * hosts), output), output[-4000:]


@pytest.mark.parametrize('scenario, lab_fixture, hosts', [('default', 'lab', 2), ('api', 'lab', 2),
                                                          ('truenas_25_04', 'alt_lab', 1)])
def test_scenario(request, scenario, lab_fixture, hosts):
    the_lab = request.getfixturevalue(lab_fixture)
    env = {'NASJOIN_LAB_ALT_DIR': the_lab['lab_dir']} if lab_fixture == 'alt_lab' else {'LAB_DIR': the_lab['lab_dir']}
    molecule(scenario, hosts, **env)


@pytest.mark.parametrize('version', ['26', '27'])
def test_api_scenario_on_newer_releases(lab, version):
    with released(lab, version):
        molecule('api', 2, LAB_DIR=lab['lab_dir'])


def test_azure_scenario(lab, azure_tls, sp_certificate, tmp_path):  # pylint: disable=redefined-outer-name
    server = start_arm(azure_tls, sp_certificate, dc_ips=lab['dc_ips'], domain=lab['dns_domain'])
    try:
        inventory = azure_inventory(lab, tmp_path).inventory
        molecule('azure', 2, LAB_DIR=lab['lab_dir'], NASJOIN_AZURE_INVENTORY=str(inventory),
                 NASJOIN_AZURE_DC_IPS=','.join(lab['dc_ips']), **azure_env(server, azure_tls))
    finally:
        server.stop()
