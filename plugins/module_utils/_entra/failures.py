# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Entra Domain Services failure modes a NAS join meets, and what to do about each.

PRIVATE to the collection. ``hint_for(text)`` picks the fix for an error text from TrueNAS,
Samba or Kerberos; the patterns follow the messages those projects print.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# (pattern in the error text, fix to suggest); the first match wins
FAILURES = (
    (r'secrets file lacks an entry|without a viable candidate for restoration|computer account does not exist|'
     r'machine account secret is invalid|domain join is not healthy|kerberos user credentials may not be stored',
     'the NAS has no working computer account: a join or leave was cut short (middleware restart, reboot) or the '
     'account was deleted in the domain. Run ad_join with force_rejoin=true to join again, or with state=absent to '
     'remove the directory settings.'),
    (r'forward lookup|failed to resolve srv|cannot find kdc|dc discovery|failed to discover|no logon servers',
     'the NAS resolver does not answer the domain\'s SRV records: run entra_dns_config so the nameservers are the '
     'domain controllers\' "IP address on virtual network" values, and check the VPN or peering.'),
    (r'time offset|clock skew|ap_err_skew|time difference',
     'the NAS clock is more than 180 s off the domain controllers: configure NTP (the managed domain\'s DCs or a '
     'reliable external source) and check the time zone.'),
    (r'no support for encryption type|etype_nosupp',
     'RC4 is disabled in the managed domain: allow AES on the client and change the join user\'s password in Entra so '
     'AES keys exist.'),
    (r'revoked|locked',
     'the join account is locked in the managed domain (5 bad passwords in 2 minutes lock it for 30 minutes): wait, '
     'fix the password, and never retry in a loop.'),
    (r"client( '?[^ ]*)? not found in kerberos database|c_principal_unknown|does not have the specified credentials|"
     r'credentials were not found|no such user',
     'the join user is not in the managed domain: a cloud user appears only after a password change in Entra (wait '
     'about 15 minutes after it), a hybrid user needs legacy password hash sync, and guest users cannot join.'),
    (r'must change password|password.*expired|key_expired',
     'the join user must change the password (Entra forced reset, or the 90-day managed-domain maximum age): change it '
     'in Entra and wait for the sync; use a dedicated join account.'),
    (r'preauth|bind password is not correct|password incorrect|logon failure',
     'wrong password, or a password changed in Entra and not synced yet (or no legacy hash sync for a hybrid user). '
     'Check it once; repeated failures lock the account.'),
    (r'insufficient access|insufficient permissions',
     'the join user may not create the computer object there: leave computer_account_ou unset (AADDC Computers) or '
     'use a member of AAD DC Administrators.'),
    (r'no such object',
     'the computer OU does not exist: create it first (AAD DC Administrators can), or fix the slash-separated path.'),
    (r'netbios name|computer name is invalid',
     'the NetBIOS name must be unique, 15 characters or fewer, letters, digits and hyphens.'),
    (r'permitted changes while directory services are enabled|may not be changed while the active directory service '
     r'is enabled',
     'TrueNAS does not change these settings while the NAS is joined: set force_rejoin=true to leave and join again '
     'with them.'),
    (r'nsupdate|gss-tsig|dns update',
     'dynamic DNS registration failed: keep enable_dns_updates false for Entra DS and create the A record by hand.'),
    (r'server not found in kerberos database|s_principal_unknown',
     'the KDC does not know the service the NAS asked for: the domain must be the managed domain\'s DNS name (not the '
     'tenant\'s onmicrosoft.com name) and the domain controllers\' names must resolve through their own DNS.'),
)


def hint_for(text):
    """The fix for the first failure mode ``text`` matches, or None."""
    lowered = (text or '').lower()
    for pattern, fix in FAILURES:
        if re.search(pattern, lowered):
            return fix
    return None
