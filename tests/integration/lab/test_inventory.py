"""`labctl inventory`: both ways into each stand-in, lab facts as group vars, secrets apart."""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ANSIBLE = Path(sys.executable).parent / "ansible"


@pytest.fixture(scope="module")
def inventory(lab, tmp_path_factory):
    path = tmp_path_factory.mktemp("inventory") / "lab.yml"
    lab.labctl("inventory", "--output", str(path))
    return path


def test_groups_and_vars(lab, inventory):
    doc = yaml.safe_load(inventory.read_text(encoding="utf-8"))["all"]
    assert doc["vars"]["entra_domain"] == lab["dns_domain"]
    assert doc["vars"]["entra_dc_ips"] == lab["dc_ips"]
    assert doc["vars"]["entra_join_user"] == lab["join_user"]["upn"]
    ssh_hosts = doc["children"]["truenas_ssh"]["hosts"]
    api_hosts = doc["children"]["truenas_api"]["hosts"]
    for nas in lab["nas"]:
        via_ssh = ssh_hosts[f"{nas['name']}-ssh"]
        assert via_ssh["ansible_host"] == nas["ip"] and via_ssh["ansible_user"] == "root"
        assert via_ssh["ansible_python_interpreter"] == nas["python"]
        assert "StrictHostKeyChecking=no" in via_ssh["ansible_ssh_common_args"]
        via_api = api_hosts[f"{nas['name']}-api"]
        assert via_api["ansible_connection"] == "local"
        assert via_api["truenas_api_url"] == nas["api_url"] and via_api["truenas_ca_path"] == lab["ca_file"]


def test_secrets_only_in_the_secrets_file(lab, inventory):
    text = inventory.read_text(encoding="utf-8")
    assert lab["join_user"]["password"] not in text
    assert not any(nas["api_key"] in text for nas in lab["nas"])
    secrets = Path(lab["secrets_file"])
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    doc = yaml.safe_load(secrets.read_text(encoding="utf-8"))
    assert doc["entra_join_password"] == lab["join_user"]["password"]
    assert doc["truenas_api_keys"] == {nas["name"]: nas["api_key"] for nas in lab["nas"]}


@pytest.mark.skipif(not ANSIBLE.exists() and not shutil.which("ansible"), reason="ansible not installed")
def test_ansible_reaches_every_stand_in(lab, inventory):
    ansible = str(ANSIBLE) if ANSIBLE.exists() else "ansible"
    env = dict(os.environ, LC_ALL="C.UTF-8", ANSIBLE_STDOUT_CALLBACK="json")
    ping = subprocess.run([ansible, "-i", str(inventory), "truenas_ssh", "-m", "ansible.builtin.ping"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    key = subprocess.run([ansible, "-i", str(inventory), "truenas_api", "-e", f"@{lab['secrets_file']}",
                          "-m", "ansible.builtin.debug", "-a", "var=truenas_api_key"],
                         capture_output=True, text=True, env=env, timeout=120, check=False)
    assert key.returncode == 0, key.stdout + key.stderr
    assert all(nas["api_key"] in key.stdout for nas in lab["nas"])
