"""Fixtures of the directory lab tests.

The labs come up through tests/lab/labctl (a no-op when they are up already) and every fact
(realm, addresses, users, passwords, paths) comes from `labctl env --json`.

  lab       the lab in labctl's default directory (or $LAB_DIR), as it was brought up;
            left up afterwards unless NASJOIN_LAB_DOWN=1
  alt_lab   a second lab beside it: another realm, every hardening switch off, TrueNAS 25.04,
            one stand-in (directory $NASJOIN_LAB_ALT_DIR, /24 $NASJOIN_LAB_ALT_NET, namespace
            prefix $NASJOIN_LAB_ALT_PREFIX); brought
            down (kept on disk, so the next start is quick) unless NASJOIN_LAB_KEEP_ALT=1
  any_lab   each of the two in turn
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import SESSION

LAB_ROOT = Path(__file__).resolve().parents[2] / "lab"
LABCTL = LAB_ROOT / "labctl"
sys.path.insert(0, str(LAB_ROOT / "tools"))

ALT_DIR = os.environ.get("NASJOIN_LAB_ALT_DIR", "/var/lib/nasjoin-lab-alt")
# Not 203.0.113.0/24: on these machines the package index resolves to an address there, and a lab bridge on that
# /24 takes its route for as long as the lab is up (pip and uv then fail with "No route to host")
ALT_UP = ["--realm", "OTHER.TEST", "--netbios", "OTHER", "--prefix", os.environ.get("NASJOIN_LAB_ALT_PREFIX", "njalt"),
          "--net", os.environ.get("NASJOIN_LAB_ALT_NET", "198.18.99"), "--nas", "1",
          "--truenas-version", "25.04", "--no-ldap-signing", "--allow-old-tls", "--rc4"]

if os.geteuid() != 0 or not shutil.which("ip"):
    pytest.skip("the directory lab needs root and iproute2", allow_module_level=True)


class Lab:
    """One lab: its facts (lab["realm"], ...) and labctl bound to its directory."""

    def __init__(self, lab_dir=None):
        self.lab_dir = lab_dir
        self.facts = json.loads(self.labctl("env", "--json").stdout)

    def __getitem__(self, key):
        return self.facts[key]

    def labctl(self, *args, check=True):
        cmd = [str(LABCTL)] + (["--lab-dir", self.lab_dir] if self.lab_dir else []) + list(args)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
        if check and res.returncode:
            raise AssertionError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout}{res.stderr}")
        return res

    def nas_exec(self, n, *cmd, check=True):
        return self.labctl("nas-exec", str(n), *cmd, check=check)

    def midclt(self, n, method, *params):
        """``midclt call`` of ``method`` inside stand-in ``n`` (its emulator): the parsed JSON answer, or the text
        midclt prints raw (numbers, strings, booleans as ``True``)."""
        out = self.nas_exec(n, "midclt", "call", method, *(json.dumps(param) for param in params)).stdout.strip()
        try:
            return json.loads(out)
        except ValueError:
            return out

    def user(self, role):
        return self.facts["users"][role]

    def assert_routes(self):
        """Before any traffic: every lab address is reached through the lab bridge only."""
        for host in self.facts["dcs"] + self.facts["nas"]:
            route = subprocess.run(["ip", "route", "get", host["ip"]], capture_output=True, text=True,
                                   check=False).stdout
            assert f" dev {self.facts['network']['bridge']} " in route, route


def bring_up(lab_dir, *args):
    subprocess.run([str(LABCTL)] + (["--lab-dir", lab_dir] if lab_dir else []) + ["up", *args],
                   capture_output=True, text=True, timeout=600, check=True)
    lab = Lab(lab_dir)
    lab.assert_routes()
    watch_secrets(lab)
    return lab


def watch_secrets(lab):
    """The lab's passwords and API keys are canaries too; its stand-ins' logs (request logs) are artefacts."""
    canary = SESSION["canary"]
    with open(Path(lab["lab_dir"]) / "secrets.json", encoding="utf-8") as handle:
        for name, value in json.load(handle).items():
            canary.secret(value, "lab %s" % name)
    canary.secret(lab["join_user"]["password"], "lab join password")
    for nas in lab["nas"]:
        canary.secret(nas["api_key"], "lab API key of %s" % nas["name"])
        canary.watch(Path(nas["dir"]) / "log")


@pytest.fixture(scope="session")
def lab():
    the_lab = bring_up(None)
    yield the_lab
    if os.environ.get("NASJOIN_LAB_DOWN") == "1":
        the_lab.labctl("down")


@pytest.fixture(scope="session")
def alt_lab():
    the_lab = bring_up(ALT_DIR, *ALT_UP)
    yield the_lab
    if os.environ.get("NASJOIN_LAB_KEEP_ALT") != "1":
        the_lab.labctl("down")


@pytest.fixture(params=["main", "alt"])
def any_lab(request):
    return request.getfixturevalue("lab" if request.param == "main" else "alt_lab")
