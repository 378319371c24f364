"""Credential-free Kerberos probe: one AS-REQ without pre-authentication.

Python standard library only (hand-built DER, RFC 4120), so a preflight check can run it
anywhere. The KDC answers KRB-ERROR; for an existing, enabled user that is
KDC_ERR_PREAUTH_REQUIRED (25) whose e-data (METHOD-DATA) lists the pre-auth types it
offers and, in PA-ETYPE-INFO2 (19), the enctypes (with salts) it would accept for this
client from the etype list of the request. With RC4 refused by the KDC
(`kdc supported enctypes` without rc4) an rc4-only request gets KDC_ERR_ETYPE_NOSUPP (14).

Usage: python3 krbprobe.py --kdc IP --realm REALM --user USER [--etypes 18,17,23] [--json]
Talks TCP to port 88 of the given address only; sends no password or key. The lab's tests
import probe() from it.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

ETYPES = {1: "des-cbc-crc", 3: "des-cbc-md5", 16: "des3-cbc-sha1", 17: "aes128-cts-hmac-sha1-96",
          18: "aes256-cts-hmac-sha1-96", 19: "aes128-cts-hmac-sha256-128",
          20: "aes256-cts-hmac-sha384-192", 23: "rc4-hmac", 24: "rc4-hmac-exp"}
PA_TYPES = {2: "PA-ENC-TIMESTAMP", 11: "PA-ETYPE-INFO", 15: "PA-PK-AS-REP_OLD", 16: "PA-PK-AS-REQ",
            17: "PA-PK-AS-REP", 19: "PA-ETYPE-INFO2", 128: "PA-PAC-REQUEST", 133: "PA-FX-COOKIE",
            136: "PA-FX-FAST", 138: "PA-ENCRYPTED-CHALLENGE", 147: "PA-PKINIT-KX",
            149: "PA-REQ-ENC-PA-REP", 655: "PA-GSS (Heimdal)",
            165: "PA-SUPPORTED-ENCTYPES"}
ERRORS = {6: "KDC_ERR_C_PRINCIPAL_UNKNOWN", 14: "KDC_ERR_ETYPE_NOSUPP", 18: "KDC_ERR_CLIENT_REVOKED",
          24: "KDC_ERR_PREAUTH_FAILED", 25: "KDC_ERR_PREAUTH_REQUIRED", 68: "KDC_ERR_WRONG_REALM"}


# --- minimal DER ---------------------------------------------------------------
def _len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    return bytes([tag]) + _len(len(body)) + body


def ctx(n, body):            # [n] EXPLICIT, constructed
    return tlv(0xA0 | n, body)


def seq(*items):
    return tlv(0x30, b"".join(items))


def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def gstring(s):              # GeneralString (KerberosString / Realm)
    return tlv(0x1B, s.encode())


def principal(name_type, *parts):
    return seq(ctx(0, integer(name_type)), ctx(1, seq(*(gstring(p) for p in parts))))


def parse(data, off=0):
    """One TLV at off -> (tag, value bytes, next offset)."""
    tag = data[off]
    n = data[off + 1]
    off += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[off:off + k], "big")
        off += k
    return tag, data[off:off + n], off + n


def children(data):
    off, out = 0, []
    while off < len(data):
        tag, val, off = parse(data, off)
        out.append((tag, val))
    return out


def fields(seq_value):
    """SEQUENCE body of [n] EXPLICIT fields -> {n: inner TLV value, tag}."""
    out = {}
    for tag, val in children(seq_value):
        itag, ival, dummy = parse(val)
        out[tag & 0x1F] = (itag, ival)
    return out


def as_int(v):
    return int.from_bytes(v, "big", signed=True)


# --- the probe ----------------------------------------------------------------
def build_as_req(user, realm, etypes):
    body = seq(
        ctx(0, tlv(0x03, b"\x00\x40\x81\x00\x10")),  # forwardable, renewable, canonicalize, renewable-ok
        ctx(1, principal(1, user)),                     # NT-PRINCIPAL
        ctx(2, gstring(realm)),
        ctx(3, principal(2, "krbtgt", realm)),          # NT-SRV-INST
        ctx(5, tlv(0x18, b"20370913024805Z")),
        ctx(7, integer(int.from_bytes(os.urandom(4), "big") >> 1)),
        ctx(8, seq(*(integer(e) for e in etypes))),
    )
    # no padata at all: the KDC must say which pre-authentication it wants
    return tlv(0x6A, seq(ctx(1, integer(5)), ctx(2, integer(10)), ctx(4, body)))


def parse_etype_info2(value):
    out = []
    for dummy, entry in children(parse(value)[1]):
        f = fields(entry)
        e = {"etype": as_int(f[0][1]), "name": ETYPES.get(as_int(f[0][1]), "?")}
        if 1 in f:
            e["salt"] = f[1][1].decode(errors="replace")
        if 2 in f:
            e["s2kparams"] = f[2][1].hex()
        out.append(e)
    return out


def probe(kdc, realm, user, etypes, port=88, timeout=5.0):
    req = build_as_req(user, realm, etypes)
    t0 = time.monotonic()
    with socket.create_connection((kdc, port), timeout=timeout) as s:
        s.sendall(struct.pack(">I", len(req)) + req)
        hdr = b""
        while len(hdr) < 4:
            chunk = s.recv(4 - len(hdr))
            if not chunk:
                raise ConnectionError("KDC closed the connection")
            hdr += chunk
        n = struct.unpack(">I", hdr)[0]
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk:
                raise ConnectionError("short reply")
            data += chunk
    res = {"kdc": kdc, "realm": realm, "user": user,
           "requested": [f"{e} {ETYPES.get(e, '?')}" for e in etypes],
           "ms": round((time.monotonic() - t0) * 1000, 1)}
    tag, val, dummy = parse(data)
    if tag == 0x6B:   # AS-REP: the account does not require pre-authentication
        res["reply"] = "AS-REP (no pre-authentication required for this account)"
        return res
    if tag != 0x7E:
        res["reply"] = f"unexpected tag {tag:#x}"
        return res
    f = fields(parse(val)[1])
    code = as_int(f[6][1])
    res["error_code"] = code
    res["error"] = ERRORS.get(code, "?")
    if 11 in f:
        res["e_text"] = f[11][1].decode(errors="replace")
    if 12 in f:
        edata = f[12][1]
        try:
            padata = []
            for dummy, pa in children(parse(edata)[1]):
                pf = fields(pa)
                ptype = as_int(pf[1][1])
                item = {"type": ptype, "name": PA_TYPES.get(ptype, "?")}
                if ptype == 19:
                    item["etype_info2"] = parse_etype_info2(pf[2][1])
                padata.append(item)
            res["padata"] = padata
        except (IndexError, KeyError, ValueError):
            res["e_data_hex"] = edata.hex()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kdc", required=True, help="KDC IP address (TCP 88)")
    ap.add_argument("--realm", required=True)
    ap.add_argument("--user", default="alice")
    ap.add_argument("--etypes", default="18,17,23", help="comma-separated enctype numbers")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    r = probe(a.kdc, a.realm.upper(), a.user, [int(x) for x in a.etypes.split(",")])
    if a.json:
        print(json.dumps(r))
        return 0
    print(f"AS-REQ {a.user}@{r['realm']} etypes [{', '.join(r['requested'])}] -> {r['kdc']}:88 "
          f"({r['ms']} ms)")
    if "reply" in r:
        print(f"  {r['reply']}")
        return 0
    print(f"  KRB-ERROR {r['error_code']} {r['error']}" + (f" e-text={r['e_text']!r}" if "e_text" in r else ""))
    for pa in r.get("padata", []):
        print(f"  padata {pa['type']} {pa['name']}")
        for e in pa.get("etype_info2", []):
            extra = "".join(f" {k}={e[k]!r}" for k in ("salt", "s2kparams") if k in e)
            print(f"    etype {e['etype']} {e['name']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
