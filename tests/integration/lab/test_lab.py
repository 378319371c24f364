"""labctl itself: idempotent `up`, `status`, `env`, and a lab that stays in its namespaces."""
import shlex
import subprocess


def test_status_reports_everything_up(any_lab):
    res = any_lab.labctl("status")
    for host in any_lab["dcs"] + any_lab["nas"]:
        assert host["ip"] in res.stdout


def test_second_up_changes_nothing(lab):
    before = lab.labctl("status").stdout          # names every daemon's pid
    res = lab.labctl("up")
    assert "up: no changes" in res.stderr, res.stderr
    assert lab.labctl("status").stdout == before


def test_env_exports_match_json(lab):
    exports = {}
    for line in lab.labctl("env").stdout.splitlines():
        name, dummy, value = line.removeprefix("export ").partition("=")
        exports[name] = shlex.split(value)[0] if value else ""
    assert exports["NASJOIN_LAB_REALM"] == lab["realm"]
    assert exports["NASJOIN_LAB_DC_IPS"].split() == lab["dc_ips"]
    assert exports["NASJOIN_LAB_JOIN_USER_PASSWORD"] == lab["join_user"]["password"]
    for nas in lab["nas"]:
        prefix = f"NASJOIN_LAB_{nas['name'].upper()}"
        assert exports[f"{prefix}_IP"] == nas["ip"]
        assert exports[f"{prefix}_API_KEY"] == nas["api_key"]


def test_namespaces_reach_nothing_outside_the_lab(any_lab):
    for host in any_lab["dcs"] + any_lab["nas"]:
        res = subprocess.run(["ip", "netns", "exec", host["netns"], "ip", "route", "get", "192.0.2.1"],
                             capture_output=True, text=True, check=False)
        assert res.returncode != 0 and "unreachable" in res.stderr, (host["netns"], res.stdout)


def test_names_outside_the_domain_are_not_forwarded(any_lab):
    # no DNS forwarder on the DCs: a stand-in cannot resolve anything but the lab
    res = any_lab.nas_exec(1, "getent", "hosts", "www.example.org", check=False)
    assert res.returncode == 2, res.stdout


def test_host_name_service_untouched(any_lab):
    """The stand-ins resolve users through winbind; the host's own configuration does not."""
    nss = any_lab.nas_exec(1, "cat", "/etc/nsswitch.conf").stdout
    assert any(line.startswith("passwd:") and "winbind" in line for line in nss.splitlines())
    with open("/etc/resolv.conf", encoding="utf-8") as f:
        assert not set(any_lab["dc_ips"]) & set(f.read().split())
