"""Entra DS hardening on every DC, and each switch of `labctl up` turning it off.

Expectations follow the lab's `hardening` facts: the main lab keeps Entra DS's hardened
defaults, the alt lab runs with every switch off.
"""
import ssl

import pytest

import krbprobe
from .labprobes import ldap_bind, tls_version

DCS = pytest.mark.parametrize("dc", [0, 1], ids=["dc1", "dc2"])


@DCS
def test_simple_bind_on_389(any_lab, dc):
    conn = ldap_bind(any_lab["dcs"][dc]["ip"], any_lab["ca_file"], any_lab.user("plain")["upn"],
                     any_lab["user_password"], port=389)
    bound = conn.bind()
    if any_lab["hardening"]["ldap_signing"]:
        assert not bound and conn.result["description"] == "strongerAuthRequired", conn.result
    else:
        assert bound, conn.result


@DCS
def test_starttls_simple_bind_on_389(any_lab, dc):
    conn = ldap_bind(any_lab["dcs"][dc]["ip"], any_lab["ca_file"], any_lab.user("plain")["upn"],
                     any_lab["user_password"], port=389)
    conn.open()
    assert conn.start_tls() and conn.bind(), conn.result


@DCS
def test_tls_1_1_on_636(any_lab, dc):
    ip = any_lab["dcs"][dc]["ip"]
    if any_lab["hardening"]["tls12_only"]:
        with pytest.raises(OSError):           # ssl.SSLError or a reset
            tls_version(ip, 636, ssl.TLSVersion.TLSv1_1)
    else:
        assert tls_version(ip, 636, ssl.TLSVersion.TLSv1_1) == "TLSv1.1"


@DCS
def test_tls_1_2_on_636_with_the_lab_ca(any_lab, dc):
    ip = any_lab["dcs"][dc]["ip"]
    assert tls_version(ip, 636, ssl.TLSVersion.TLSv1_2, any_lab["ca_file"]) == "TLSv1.2"
    with pytest.raises(ssl.SSLCertVerificationError):        # not from a public CA
        tls_version(ip, 636, ssl.TLSVersion.TLSv1_2, "system")


@DCS
def test_rc4_only_as_req(any_lab, dc):
    r = krbprobe.probe(any_lab["dcs"][dc]["ip"], any_lab["realm"], any_lab.user("plain")["sam"], [23])
    if any_lab["hardening"]["rc4_disabled"]:
        assert r.get("error") == "KDC_ERR_ETYPE_NOSUPP", r
    else:
        info2 = [e["etype"] for p in r.get("padata", []) for e in p.get("etype_info2", [])]
        assert r.get("error") == "KDC_ERR_PREAUTH_REQUIRED" and info2 == [23], r


@DCS
def test_aes_as_req(any_lab, dc):
    r = krbprobe.probe(any_lab["dcs"][dc]["ip"], any_lab["realm"], any_lab.user("plain")["sam"], [18, 17, 23])
    info2 = [e["etype"] for p in r.get("padata", []) for e in p.get("etype_info2", [])]
    assert r.get("error") == "KDC_ERR_PREAUTH_REQUIRED" and info2 == [18], r
