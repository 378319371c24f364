"""NAS stand-ins: reached over SSH exactly as a NAS (root, lab key, TrueNAS's Python), wherever the lab directory
is (sshd keeps StrictModes on), and over wss to the TrueNAS middleware emulator with the lab CA."""
import json
import os
import ssl
import stat
from pathlib import Path

import pytest
import websocket

from .labprobes import ssh, tls_version

# run on the stand-in by its Python: what a module there would see
PROBE = """
import json, os, socket
out = {"hostname": socket.gethostname(), "socket": os.path.exists("/var/run/middleware/middlewared.sock"),
       "nameservers": [l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver")]}
for mod in ("websocket", "dns.resolver", "ldap3"):
    try:
        __import__(mod)
        out[mod] = True
    except ImportError:
        out[mod] = False
print(json.dumps(out))
"""


def test_ssh_with_the_stand_in_python(any_lab):
    for nas in any_lab["nas"]:
        seen = json.loads(ssh(nas, nas["python"], "-", stdin=PROBE).stdout)
        assert seen["hostname"] == nas["name"]
        assert seen["nameservers"] == any_lab["dc_ips"]
        assert seen["websocket"] and seen["dns.resolver"]      # TrueNAS ships both
        assert not seen["ldap3"]                               # TrueNAS does not
        assert seen["socket"] == any_lab["emulator"]


def test_sshd_strict_modes_pass_for_any_lab_directory(any_lab):
    """sshd checks the authorized keys file and every directory above it (owned by root, writable by no one else);
    the lab keeps the file outside its directory, so a lab directory under /tmp (mode 1777) works too."""
    for nas in any_lab["nas"]:
        config = (Path(nas["dir"]) / "ssh" / "sshd_config").read_text().splitlines()
        assert "StrictModes yes" in config
        keys = Path(next(line.split(None, 1)[1] for line in config if line.startswith("AuthorizedKeysFile ")))
        assert Path(any_lab["lab_dir"]) not in keys.parents
        for path in [keys] + list(keys.parents):
            mode = os.stat(path)
            assert mode.st_uid == 0 and not mode.st_mode & (stat.S_IWGRP | stat.S_IWOTH), path


def test_midclt_over_ssh_reaches_the_emulator(any_lab):
    if not any_lab["emulator"]:
        pytest.skip("no TrueNAS emulator in tests/lab/truenas_emulator yet")
    for nas in any_lab["nas"]:
        version = ssh(nas, "midclt", "call", "system.version").stdout.strip()
        assert version.startswith(f"TrueNAS-{any_lab['truenas_version']}"), version


def test_wss_api_with_the_lab_ca_and_api_key(any_lab):
    if not any_lab["emulator"]:
        pytest.skip("no TrueNAS emulator in tests/lab/truenas_emulator yet")
    for nas in any_lab["nas"]:
        assert tls_version(nas["ip"], 443, ssl.TLSVersion.TLSv1_2, nas["ca_path"]) == "TLSv1.2"
        ws = websocket.create_connection(nas["api_url"], timeout=10, sslopt={"ca_certs": nas["ca_path"]})
        try:
            def call(ident, method, *params):
                ws.send(json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": list(params)}))
                return json.loads(ws.recv())
            login = call(1, "auth.login_ex", {"mechanism": "API_KEY_PLAIN", "username": nas["api_user"],
                                              "api_key": nas["api_key"]})
            assert login["result"]["response_type"] == "SUCCESS", login
            assert call(2, "system.version")["result"].startswith(f"TrueNAS-{any_lab['truenas_version']}")
        finally:
            ws.close()
