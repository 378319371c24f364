"""labctl itself: idempotent `up`, `status`, `env`, a lab that stays in its namespaces, and its latency fault."""
import shlex
import socket
import subprocess
import time
from pathlib import Path


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


def _connect_seconds(ip, port=389):
    started = time.monotonic()
    socket.create_connection((ip, port), timeout=10).close()
    return time.monotonic() - started


def _delay_rules(lab, dc):
    return subprocess.run(["ip", "netns", "exec", lab["dcs"][dc - 1]["netns"], "iptables", "-S", "INPUT"],
                          capture_output=True, text=True, check=True).stdout.count("NFQUEUE")


def test_delay_holds_each_packet_to_one_dc_and_undelay_takes_it_out(lab):
    """`labctl delay` adds latency where the kernel has no netem: a TCP connect to the DC waits at least the delay
    (its SYN is held), the other DC gets no rule, and `undelay` leaves no rule and no delay.py behind."""
    pidfile = Path(lab["lab_dir"]) / "delay-dc1.pid"
    lab.labctl("delay", "1", "300")
    try:
        assert _delay_rules(lab, 1) == 1 and _delay_rules(lab, 2) == 0
        assert _connect_seconds(lab["dc_ips"][0]) >= 0.3
        first = pidfile.read_text().strip()
        again = lab.labctl("delay", "1", "250")  # a new delay replaces the old one
        assert "held 250 ms" in again.stderr and _delay_rules(lab, 1) == 1
        second = pidfile.read_text().strip()
        assert second != first and not Path("/proc", first).exists()
    finally:
        lab.labctl("undelay", "1")
    assert _delay_rules(lab, 1) == 0 and not pidfile.exists() and not Path("/proc", second).exists()
    _connect_seconds(lab["dc_ips"][0])  # answers again


def test_delay_refuses_bad_arguments(lab):
    for args, message in ((["3", "10"], "DC number 1 or 2 expected"), (["1", "ten"], "milliseconds expected")):
        res = lab.labctl("delay", *args, check=False)
        assert res.returncode != 0 and message in res.stderr
    assert _delay_rules(lab, 1) == 0
