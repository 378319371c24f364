"""Client-side probes of the lab tests: DNS, TLS, LDAP and SSH, always to a lab address."""
import socket
import ssl
import subprocess

import dns.resolver
import ldap3

SSH_OPTS = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"]


def port_open(ip, port):
    try:
        socket.create_connection((ip, port), timeout=1).close()
        return True
    except OSError:
        return False


def resolver(ip):
    """A resolver that asks the lab DNS server at ip and nothing else (never the host's)."""
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = [ip]
    res.lifetime = 5.0
    return res


def srv_targets(ip, name):
    return sorted(str(r.target).rstrip(".") for r in resolver(ip).resolve(name, "SRV"))


def tls_version(ip, port, version, verify=None):
    """Handshake with exactly TLS `version`; verify: None, a CA file (the certificate must
    name ip) or "system" (the host's public CAs)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify == "system":
        ctx.load_default_certs()
    elif verify:
        ctx.load_verify_locations(verify)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if version < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")     # OpenSSL 3 offers TLS < 1.2 only at level 0
    ctx.minimum_version = ctx.maximum_version = version
    with socket.create_connection((ip, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=ip) as tls:
            return tls.version()


def ldap_server(ip, cafile, port=636):
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cafile, version=ssl.PROTOCOL_TLS_CLIENT)
    return ldap3.Server(ip, port=port, use_ssl=port == 636, tls=tls, get_info=ldap3.DSA, connect_timeout=5)


def ldap_bind(ip, cafile, user=None, password=None, port=636):
    """An LDAP connection (LDAPS validated by the lab CA); .bind() result left to the caller."""
    return ldap3.Connection(ldap_server(ip, cafile, port), user=user, password=password,
                            receive_timeout=10, raise_exceptions=False)


def ldaps(lab, user_role="join"):
    """A bound LDAPS connection to dc1 as one of the lab's users."""
    conn = ldap_bind(lab["dcs"][0]["ip"], lab["ca_file"], lab.user(user_role)["upn"], lab["user_password"])
    assert conn.bind(), conn.result
    return conn


def ssh(nas, *cmd, stdin=None, check=True):
    """Run cmd on a stand-in over SSH, as Ansible would (root, the lab key)."""
    res = subprocess.run(["ssh", "-i", nas["ssh_key"], *SSH_OPTS, f"{nas['ssh_user']}@{nas['ip']}", *cmd],
                         input=stdin, capture_output=True, text=True, timeout=60, check=False)
    assert not check or res.returncode == 0, res.stderr
    return res
