"""The second DC carries the domain (LDAPS, Kerberos, DNS) while the first is down."""
import os
import subprocess

import ldap3

from .labprobes import ldap_server, port_open, srv_targets


def kinit(lab, tmp_path):
    """MIT kinit with the lab's client krb5.conf, which lists dc1 first."""
    user = lab.user("plain")
    env = dict(os.environ, KRB5_CONFIG=lab["krb5_conf"], KRB5CCNAME=f"FILE:{tmp_path}/ccache")
    return subprocess.run(["kinit", f"{user['sam']}@{lab['realm']}"], input=lab["user_password"] + "\n",
                          capture_output=True, text=True, env=env, timeout=30, check=False)


def test_dc2_serves_while_dc1_is_down(lab, tmp_path):
    dc1, dc2 = lab["dcs"]
    lab.labctl("stop-dc", "1")
    try:
        assert not port_open(dc1["ip"], 389)
        server = ldap_server(dc2["ip"], lab["ca_file"])
        with ldap3.Connection(server, auto_bind=True, receive_timeout=10):
            assert server.info.other["dnsHostName"] == [dc2["fqdn"]]
            assert server.info.other["defaultNamingContext"] == [lab["base_dn"]]
        res = kinit(lab, tmp_path)
        assert res.returncode == 0, res.stderr
        assert srv_targets(dc2["ip"], f"_ldap._tcp.dc._msdcs.{lab['dns_domain']}") == sorted(lab["dc_fqdns"])
    finally:
        lab.labctl("up")
    assert port_open(dc1["ip"], 389)
