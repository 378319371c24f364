"""Add or delete a user with a chosen RID in OU=AADDC Users of a lab DC (its sam.ldb, as the system).

Run with Debian's python3 (Samba bindings) in the DC's namespace: dc_user.py SMB_CONF add|delete NAME [MIN_RID].
`add` takes the first RID from MIN_RID on that no object (a deleted one included) holds and prints it. Entra
Domain Services hands out RIDs beyond 10000 in any large tenant; the lab's own users stay near 1100.
"""
import sys

from samba.auth import system_session
from samba.dcerpc import security
from samba.ndr import ndr_pack
from samba.param import LoadParm
from samba.samdb import SamDB


def main(smbconf, action, name, min_rid=None):
    lp = LoadParm()
    lp.load(smbconf)
    db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
    dn = 'CN=%s,OU=AADDC Users,%s' % (name, db.domain_dn())
    if action == 'delete':
        db.delete(dn)
        return
    rid = int(min_rid)
    while db.search(base=db.domain_dn(), expression='(objectSid=%s-%d)' % (db.get_domain_sid(), rid), attrs=['dn'],
                    controls=['show_deleted:1']):
        rid += 1
    sid = security.dom_sid('%s-%d' % (db.get_domain_sid(), rid))
    db.add({'dn': dn, 'objectClass': 'user', 'sAMAccountName': name, 'objectSid': ndr_pack(sid),
            'userPrincipalName': '%s@%s' % (name, lp.get('realm').lower())})
    print(rid)


if __name__ == '__main__':
    main(*sys.argv[1:])
