"""The molecule scenarios under extensions/molecule, on the lab: each leaves, converges, proves idempotence, runs its
testinfra verifier inside the stand-ins and leaves again. `default` over SSH and `api` from the controller on the
main lab (TrueNAS 25.10), `truenas_25_04` on the alt lab (TrueNAS 25.04)."""

import os
import re
import subprocess

import pytest

from ..conftest import COLLECTION


def molecule(scenario, **env):
    return subprocess.run(['molecule', 'test', '-s', scenario], cwd=COLLECTION, capture_output=True, text=True,
                          timeout=600, check=False, env=dict(os.environ, NO_COLOR='1', **env))


@pytest.mark.parametrize('scenario, lab_fixture, hosts', [('default', 'lab', 2), ('api', 'lab', 2),
                                                          ('truenas_25_04', 'alt_lab', 1)])
def test_scenario(request, scenario, lab_fixture, hosts):
    the_lab = request.getfixturevalue(lab_fixture)
    env = {'NASJOIN_LAB_ALT_DIR': the_lab['lab_dir']} if lab_fixture == 'alt_lab' else {'LAB_DIR': the_lab['lab_dir']}
    run = molecule(scenario, **env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    for step in ('converge', 'idempotence', 'verify'):
        assert re.search(r'%s > %s\] Executed: Successful' % (scenario, step), output), output[-4000:]
    assert re.search(r'=+ %d passed in' % (4 * hosts), output), output[-4000:]
