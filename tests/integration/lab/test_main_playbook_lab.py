"""The playbook users run, nasjoin.entra.join_entra_ds, over the lab inventory's `truenas` group (nas1 from the
controller with an API key, nas2 on the NAS over SSH): network, preflight and join, then a converged second
run. Both stand-ins leave the domain afterwards."""

import pytest

from ..conftest import COLLECTION
from .test_entra_dns_config_lab import API_DEFAULTS, lab_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
LEAVE = '''    - name: leave
      nasjoin.entra.ad_join:
        state: absent
        leave_credentials:
          username: "{{ entra_join_user }}"
          password: "{{ entra_join_password }}"
'''


@pytest.fixture
def fleet(lab, tmp_path):
    runner = lab_runner(lab, tmp_path)
    runner.playbook(LEAVE + API_DEFAULTS, *runner.secrets, hosts='truenas')
    yield runner
    left = runner.playbook(LEAVE + API_DEFAULTS, *runner.secrets, hosts='truenas')
    assert left.rc == 0, left.stdout + left.stderr


def test_main_playbook_joins_the_fleet_then_converges(lab, fleet):
    first = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert first.rc == 0, first.stdout + first.stderr
    joins = [result for host, status, result in first.results if 'progress' in result]
    assert sorted(host for host, status, result in first.results if 'progress' in result) == ['nas1-api', 'nas2-ssh']
    assert all(result['status'] == 'HEALTHY' and result['changed'] for result in joins)
    for number in (1, 2):
        assert lab.nas_exec(number, 'wbinfo', '-t').returncode == 0
    second = fleet.run_playbook(PLAYBOOK, *fleet.secrets)
    assert second.rc == 0 and second.changed == 0, second.stdout + second.stderr
