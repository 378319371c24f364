"""The managed domain's DNS: each DC serves the domain's SRV records, naming both DCs."""
import pytest

from .labprobes import resolver, srv_targets

RECORDS = ("_ldap._tcp.dc._msdcs", "_kerberos._tcp", "_ldap._tcp", "_kpasswd._tcp")


@pytest.mark.parametrize("record", RECORDS)
@pytest.mark.parametrize("dc", [0, 1], ids=["dc1", "dc2"])
def test_srv_records_name_both_dcs(any_lab, dc, record):
    assert srv_targets(any_lab["dcs"][dc]["ip"], f"{record}.{any_lab['dns_domain']}") == sorted(any_lab["dc_fqdns"])


@pytest.mark.parametrize("dc", [0, 1], ids=["dc1", "dc2"])
def test_dc_names_resolve(any_lab, dc):
    res = resolver(any_lab["dcs"][dc]["ip"])
    for host in any_lab["dcs"]:
        assert [str(r) for r in res.resolve(host["fqdn"], "A")] == [host["ip"]]
