"""Make the lab's Samba domain look like a Microsoft Entra Domain Services managed domain.

Runs with Debian's python3 and its Samba bindings on dc1's sam.ldb (no network), in one
process, idempotently; labctl runs it inside dc1's namespace. The objects come from the
rendered directory.json (users, groups, bulk users), the password from $LAB_USER_PASS.

  * OU=AADDC Users (every synced user and group) and OU=AADDC Computers
  * new computer accounts land in OU=AADDC Computers (redircmp, as in Entra DS)
  * "AAD DC Administrators" may create and fully control computer objects there
  * mailNickname in msDS-AzureADMailNickname where the schema has that attribute
    (Entra DS's schema does; Samba's has not, and then it is left out)
  * bulk users (--users N) in one add each, committed 500 at a time, and one membership change
    for all (an add costs more the more one transaction holds). Samba hashes a
    password in about 17 ms (Heimdal's PBKDF2 for the AES keys), so only the first bulk user's
    password is hashed and the others get its hashes (same password; their Kerberos keys keep
    the first one's salt, which the KDC hands out, so kinit works as for any user)
"""
import argparse
import json
import os
import sys
import time

import ldb
from samba.auth import system_session
from samba.dsdb import DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID, UF_ACCOUNTDISABLE, UF_NORMAL_ACCOUNT
from samba.param import LoadParm
from samba.samdb import SamDB
from samba.sd_utils import SDUtils

COMPUTER_CLASS = "bf967a86-0de6-11d0-a285-00aa003049e2"
WK_COMPUTERS = "AA312825768811D1ADED00C04FD8D5CD"
NICKNAME_ATTR = "msDS-AzureADMailNickname"
HASHES = ("unicodePwd", "supplementalCredentials", "pwdLastSet")
BATCH = 500


class Populator:
    def __init__(self, samdb, password):
        self.db = samdb
        self.base = str(samdb.domain_dn())
        self.password = password
        self.done = []

    def find(self, expr, attrs=("dn",)):
        return self.db.search(base=self.base, scope=ldb.SCOPE_SUBTREE, expression=expr, attrs=list(attrs))

    def by_sam(self, sam, attrs=("dn",)):
        res = self.find(f"(sAMAccountName={ldb.binary_encode(sam)})", attrs)
        return res[0] if res else None

    def replace(self, dn, attr, value, what):
        m = ldb.Message(dn)
        m[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, attr)
        self.db.modify(m)
        self.done.append(what)

    def ous(self):
        for ou in ("AADDC Users", "AADDC Computers"):
            if not self.find(f"(&(objectClass=organizationalUnit)(ou={ou}))"):
                self.db.create_ou(f"OU={ou},{self.base}")
                self.done.append(f"ou {ou}")

    def user(self, u, nickname_attr):
        if self.by_sam(u["sam"]) is None:
            self.db.newuser(u["sam"], self.password, userou="OU=AADDC Users", givenname=u.get("given"),
                            surname=u.get("sn"), mailaddress=u["upn"])
            self.done.append(f"user {u['sam']}")
        attrs = ["userPrincipalName", "userAccountControl", "pwdLastSet"] + ([nickname_attr] if nickname_attr else [])
        e = self.by_sam(u["sam"], attrs)
        if str(e.get("userPrincipalName", idx=0)) != u["upn"]:
            self.replace(e.dn, "userPrincipalName", u["upn"], f"upn {u['upn']}")
        if nickname_attr and str(e.get(nickname_attr, idx=0)) != u.get("nickname"):
            self.replace(e.dn, nickname_attr, u["nickname"], f"nickname {u['sam']}")
        if u.get("disabled") and not int(str(e["userAccountControl"][0])) & UF_ACCOUNTDISABLE:
            self.db.disable_account(f"(sAMAccountName={u['sam']})")
            self.done.append(f"disabled {u['sam']}")
        if u.get("must_change_password") and str(e["pwdLastSet"][0]) != "0":
            self.replace(e.dn, "pwdLastSet", "0", f"must change password {u['sam']}")

    def group(self, name, description, members):
        if self.by_sam(name) is None:
            self.db.newgroup(name, groupou="OU=AADDC Users", description=description)
            self.done.append(f"group {name}")
        self.add_members(name, members)

    def add_members(self, name, members):
        # (samdb.add_remove_group_members of 4.17 is not idempotent)
        g = self.by_sam(name, ("member",))
        have = {str(ldb.Dn(self.db, str(v))).lower() for v in g.get("member", [])}
        missing = [(member, dn) for member, dn in self.dns(members) if dn.lower() not in have]
        if missing:  # one change for all: each member added alone rewrites the whole member list
            m = ldb.Message(g.dn)
            m["member"] = ldb.MessageElement([dn for member, dn in missing], ldb.FLAG_MOD_ADD, "member")
            self.db.modify(m)
            self.done.extend(f"member {member} -> {name}" for member, dn in missing)

    def dns(self, sams):
        """(sAMAccountName, DN) of each of ``sams``, in one search when there are many."""
        if len(sams) < 20:
            return [(sam, str(self.by_sam(sam).dn)) for sam in sams]
        found = {str(e["sAMAccountName"][0]).lower(): str(e.dn)
                 for e in self.find("(|(objectClass=user)(objectClass=group))", ["sAMAccountName"])}
        return [(sam, found[sam.lower()]) for sam in sams]

    def bulk(self, spec):
        """Users sam_format(1..count) and their group; those of an earlier, larger count go."""
        names = [spec["sam"].format(n=n) for n in range(1, spec["count"] + 1)]
        prefix = ldb.binary_encode(spec["sam"].split("{")[0])
        have = {str(e["sAMAccountName"][0]): e.dn
                for e in self.find(f"(sAMAccountName={prefix}*)", ["sAMAccountName"])}
        hashes = self.hashes(have[names[0]]) if names and names[0] in have else None
        for n, sam in enumerate(names, 1):
            if sam not in have:
                self.bulk_user(sam, spec["upn"].format(n=n), hashes)
                hashes = hashes or self.hashes(self.by_sam(sam).dn)
            if n % BATCH == 0:  # an add costs more the more a transaction holds
                self.db.transaction_commit()
                self.db.transaction_start()
        for sam in set(have) - set(names):
            self.db.delete(have[sam])
            self.done.append(f"deleted {sam}")
        group = self.by_sam(spec["group"])
        if names:
            self.group(spec["group"], "Lab bulk users (--users)", names)
        elif group is not None:
            self.db.delete(group.dn)
            self.done.append(f"deleted {spec['group']}")

    def bulk_user(self, sam, upn, hashes):
        """One add: with the password (hashed by Samba), or with ``hashes`` of another user as they are."""
        m = ldb.Message(ldb.Dn(self.db, f"CN={sam},OU=AADDC Users,{self.base}"))
        values = {"objectClass": "user", "sAMAccountName": sam, "userPrincipalName": upn,
                  "userAccountControl": str(UF_NORMAL_ACCOUNT)}
        values.update(hashes or {"unicodePwd": f'"{self.password}"'.encode("utf-16-le")})
        for attr, value in values.items():
            m[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_ADD, attr)
        self.db.add(m, controls=[f"local_oid:{DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID}:0"] if hashes else [])
        self.done.append(f"bulk {sam}")

    def hashes(self, dn):
        e = self.db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=list(HASHES))[0]
        return {attr: e[attr][0] for attr in HASHES}

    def redircmp(self):
        res = self.db.search(base=self.base, scope=ldb.SCOPE_BASE, attrs=["wellKnownObjects"])
        old = [str(v) for v in res[0]["wellKnownObjects"] if str(v).startswith(f"B:32:{WK_COMPUTERS}:")]
        new = f"B:32:{WK_COMPUTERS}:OU=AADDC Computers,{self.base}"
        if old and old[0] != new:
            m = ldb.Message(res[0].dn)
            m["d"] = ldb.MessageElement(old[0], ldb.FLAG_MOD_DELETE, "wellKnownObjects")
            m["a"] = ldb.MessageElement(new, ldb.FLAG_MOD_ADD, "wellKnownObjects")
            self.db.modify(m)
            self.done.append("redircmp")

    def delegate(self, group):
        """`group` may create and fully control computer objects in OU=AADDC Computers."""
        e = self.by_sam(group, ("objectSid",))
        sid = str(self.db.schema_format_value("objectSid", e["objectSid"][0]), "utf-8")
        ou = f"OU=AADDC Computers,{self.base}"
        sdu = SDUtils(self.db)
        sddl = sdu.get_sd_as_sddl(ou)
        for ace in (f"(OA;CI;CCDC;{COMPUTER_CLASS};;{sid})", f"(OA;CIIO;GA;;{COMPUTER_CLASS};{sid})"):
            if ace not in sddl:
                sdu.dacl_add_ace(ou, ace)
                self.done.append(f"ace {ace}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smbconf", required=True)
    ap.add_argument("--directory", required=True, help="rendered directory.json")
    a = ap.parse_args()
    t0 = time.monotonic()
    with open(a.directory, encoding="utf-8") as f:
        d = json.load(f)
    lp = LoadParm()
    lp.load(a.smbconf)
    p = Populator(SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp),
                  os.environ["LAB_USER_PASS"])
    has_nickname = bool(p.db.search(base=p.db.get_schema_basedn(), scope=ldb.SCOPE_ONELEVEL,
                                    expression=f"(lDAPDisplayName={NICKNAME_ATTR})", attrs=["dn"]))
    p.db.transaction_start()
    try:
        p.ous()
        for u in d["users"]:
            p.user(u, NICKNAME_ATTR if has_nickname else None)
        for g in d["groups"]:
            p.group(g["name"], g["description"], g["members"])
        for g in d["groups"]:
            for parent in g.get("member_of", []):
                p.add_members(parent, [g["name"]])
        p.bulk(d["bulk"])
        p.redircmp()
        p.delegate(next(g["name"] for g in d["groups"] if g["role"] == "admins"))
    except Exception:
        p.db.transaction_cancel()
        raise
    p.db.transaction_commit()
    note = "" if has_nickname else f" (schema has no {NICKNAME_ATTR}: nicknames not stored)"
    print(f"populate: {len(p.done)} changes in {time.monotonic() - t0:.2f}s{note}: "
          f"{', '.join(p.done[:12]) or 'none'}{' ...' if len(p.done) > 12 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
