"""The managed domain is shaped like Entra DS (read over LDAPS as the join user)."""
import ldap3
import pytest

from .labprobes import ldap_bind, ldaps

UF_ACCOUNTDISABLE = 0x2


@pytest.fixture
def conn(any_lab):
    c = ldaps(any_lab)
    yield c
    c.unbind()


def one(conn, base, flt, attrs=("*",)):
    conn.search(base, flt, ldap3.SUBTREE, attributes=list(attrs))
    assert len(conn.entries) == 1, (flt, conn.result)
    return conn.entries[0]


def test_aaddc_ous_and_computer_redirection(any_lab, conn):
    conn.search(any_lab["base_dn"], "(objectClass=organizationalUnit)", ldap3.LEVEL, attributes=["ou"])
    assert {"AADDC Users", "AADDC Computers"} <= {e.ou.value for e in conn.entries}
    root = one(conn, any_lab["base_dn"], "(objectClass=domainDNS)", ["wellKnownObjects"])
    computers = [v for v in root.wellKnownObjects.values if "AA312825768811D1ADED00C04FD8D5CD" in v]
    assert computers and computers[0].endswith(f":{any_lab['computers_ou']}")


def test_join_user_is_an_aad_dc_administrator(any_lab, conn):
    group = one(conn, any_lab["users_ou"], f"(cn={any_lab['groups']['admins']})", ["member"])
    join = one(conn, any_lab["users_ou"], f"(userPrincipalName={any_lab['join_user']['upn']})", ["cn"])
    assert join.entry_dn in group.member.values


def test_generated_account_names(any_lab, conn):
    long_upn = any_lab.user("long_upn")
    assert len(long_upn["upn"].split("@")[0]) > 20 and long_upn["sam"] != long_upn["upn"].split("@")[0]
    first, dup = any_lab.user("nickname_first"), any_lab.user("nickname_dup")
    assert first["nickname"] == dup["nickname"] == first["sam"] != dup["sam"]
    for user in (long_upn, first, dup):
        entry = one(conn, any_lab["users_ou"], f"(sAMAccountName={user['sam']})", ["userPrincipalName"])
        assert entry.userPrincipalName.value == user["upn"]


def test_upn_outside_the_realm_binds(any_lab):
    upn = any_lab.user("other_suffix")["upn"]
    assert upn.split("@")[1] != any_lab["dns_domain"]
    assert ldap_bind(any_lab["dcs"][0]["ip"], any_lab["ca_file"], upn, any_lab["user_password"]).bind()


@pytest.mark.parametrize("role,code", [("disabled", "data 533"), ("must_change_password", "data 773")])
def test_account_state_refuses_bind(any_lab, conn, role, code):
    user = any_lab.user(role)
    entry = one(conn, any_lab["users_ou"], f"(sAMAccountName={user['sam']})", ["userAccountControl", "pwdLastSet"])
    if role == "disabled":
        assert int(entry.userAccountControl.value) & UF_ACCOUNTDISABLE
    else:
        assert entry.pwdLastSet.raw_values == [b"0"]
    refused = ldap_bind(any_lab["dcs"][0]["ip"], any_lab["ca_file"], user["upn"], any_lab["user_password"])
    assert not refused.bind() and code in refused.result["message"], refused.result


def test_groups(any_lab, conn):
    names = any_lab["groups"]
    nested = one(conn, any_lab["users_ou"], f"(cn={names['nested_parent']})", ["member"])
    members = {v.split(",")[0][3:] for v in nested.member.values}
    assert {names["engineers"], names["finance"]} <= members
    assert one(conn, any_lab["users_ou"], f"(sAMAccountName={names['non_ascii']})", ["cn"]).cn.value == names["non_ascii"]


def test_bulk_users_sign_in_and_belong_to_their_group(lab):
    """labctl up --users N: every bulk user exists with its UPN, is in the bulk group and signs in with the lab
    password (the first one hashed by Samba, the others given its hashes)."""
    bulk = lab["bulk_users"]
    if not bulk["count"]:
        pytest.skip("this lab has no bulk users (labctl up --users N)")
    conn = ldaps(lab)
    group = one(conn, lab["users_ou"], f"(cn={bulk['group']})", ["member"])
    assert len(group.member.values) == bulk["count"]
    for number in (1, 2, bulk["count"]):
        sam, upn = bulk["sam_format"].format(n=number), bulk["upn_format"].format(n=number)
        assert one(conn, lab["users_ou"], f"(sAMAccountName={sam})", ["userPrincipalName"]).userPrincipalName.value == upn
        assert ldap_bind(lab["dcs"][1]["ip"], lab["ca_file"], upn, lab["user_password"]).bind(), upn
        assert not ldap_bind(lab["dcs"][0]["ip"], lab["ca_file"], upn, lab["user_password"] + "x").bind(), upn
    conn.unbind()
