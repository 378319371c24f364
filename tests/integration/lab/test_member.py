"""A scripted join of stand-in 1 (labctl join-nas: nas/member.sh), as an AAD DC Administrators
member into OU=AADDC Computers; domain users resolve in its namespace only; leave undoes it."""
import subprocess

import ldap3

from .labprobes import ldaps


def test_join_resolve_and_leave(any_lab):
    plain, long_upn = any_lab.user("plain"), any_lab.user("long_upn")
    any_lab.labctl("join-nas", "1")
    try:
        entry = any_lab.nas_exec(1, "getent", "passwd", plain["upn"]).stdout
        assert entry.split(":")[0].lower() == f"{any_lab['netbios']}\\{plain['sam']}".lower(), entry
        # a UPN whose prefix is not the sAMAccountName maps to the account Entra DS generated
        entry = any_lab.nas_exec(1, "getent", "passwd", long_upn["upn"]).stdout
        assert entry.split(":")[0].lower() == f"{any_lab['netbios']}\\{long_upn['sam']}".lower(), entry
        # nested group membership, and a group name with spaces and non-ASCII characters
        groups = any_lab.nas_exec(1, "id", "-Gn", plain["upn"]).stdout.lower()
        assert any_lab["groups"]["nested_parent"].lower() in groups
        assert any_lab["groups"]["non_ascii"].lower() in groups
        # the host's name service knows nothing of the domain
        assert subprocess.run(["getent", "passwd", plain["upn"]], capture_output=True, check=False).returncode == 2
        conn = ldaps(any_lab)
        conn.search(any_lab["computers_ou"], "(sAMAccountName=NAS1$)", ldap3.LEVEL)
        assert len(conn.entries) == 1, conn.result
    finally:
        any_lab.labctl("leave-nas", "1")
    assert any_lab.nas_exec(1, "getent", "passwd", plain["upn"], check=False).returncode == 2
