#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: verify_idmap
short_description: Verify that a joined TrueNAS resolves the managed domain's users and groups within its idmap ranges
version_added: 0.1.0
description:
  - The fourth step of the TrueNAS guide for Microsoft Entra Domain Services, after the join. Read-only; C(changed) is
    always false.
  - Runs these checks, each reported with a name, a target, a status (V(pass), V(info), V(warn), V(fail) or V(skip)), a value,
    a detail and a hint.
  - C(directory_status) - C(directoryservices.status) is C(HEALTHY). C(trust_secret) - the machine account secret works.
    TrueNAS has no public method for C(wbinfo -t); its directory service health check tests the secret, so C(HEALTHY)
    passes this check and C(FAULTED) with C(AD_SECRET_*) or C(AD_KEYTAB_*) in C(status_msg) fails it.
  - C(cache_refresh), with O(refresh_cache=true) - the C(directoryservices.cache_refresh) job ran first.
  - C(idmap_range) per range (builtin, the domain, each trusted domain; from C(directoryservices.config) on 25.10 and
    C(idmap.query) on 25.04) - within 1000-2147000000 and at least 10000 ids. C(idmap_overlap) - no two ranges share
    an id. C(idmap_local) - every range starts above the highest local UID and GID of the NAS.
  - C(rid_headroom), for the RID backend - C(range_low) + the highest RID (of the directory with O(directory), else of
    the accounts looked up) stays at or below C(range_high); the ids left are the value, fewer than 10000 warn.
  - C(user) per O(users) and C(group) per O(groups) - the account resolves on the NAS (C(user.get_user_obj),
    C(group.get_group_obj)) as a domain account, its UID or GID lies in the domain range and equals C(range_low) + RID
    (RID backend), its SID belongs to the domain (the SID of C(<NETBIOS>\Domain Users) without its RID); each expected
    member of a group has the group among its groups (nested groups count, as for the NAS).
  - C(naming) - accounts whose sAMAccountName differs from the UPN prefix or the mailNickname
    (C(msDS-AzureADMailNickname)), which Entra Domain Services generated, each with the name to use. This is
    V(info), not V(warn) - worth knowing (the name to use in ACLs), nothing to fix. V(warn) is kept for what an
    operator should act on (for example an idmap range about to run out); O(fail_on=warn) never fails on V(info).
  - The reads go to the NAS as one C(core.bulk) job (whose entries are C(core.bulk) again, one per method) that holds the
    directory service state, the local IDs and, when O(domain) is given, the lookup of every expected account, so a
    run makes three calls after login (C(system.version_short), C(core.subscribe), C(core.bulk)) however many
    accounts it checks; without O(domain), the lookups are a second job once the NAS names its domain. A key that may
    not call C(core.bulk) gets the same reads one call each.
  - C(directory_accounts) and C(directory_expected), with O(directory) - the users and groups under C(OU=AADDC Users)
    are read over LDAPS in pages and compared, one at a time, with the ids the NAS enumerates (C(user.query),
    C(group.query)); accounts with a RID beyond the range, and accounts the NAS does not show yet (its cache), fail;
    expected accounts absent from the directory fail as not synchronized (a cloud user appears only after a password
    change). Memory does not grow with the directory, beyond the NAS's id list.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.truenas_api
  - nasjoin.entra.truenas_api.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: The module changes no setting. In check mode O(refresh_cache) does not start the job.
  diff_mode:
    support: none
options:
  domain:
    description:
      - The managed domain the NAS should be joined to. Unset verifies the domain the NAS is joined to.
    type: str
  users:
    description:
      - Users that must resolve, each as its UPN (V(alice@aaddscontoso.com)), V(NETBIOS\\sam) or bare sAMAccountName.
      - A bare name is looked up as C(<NETBIOS>\\name), a UPN in the managed domain as it is (winbind resolves UPNs).
        A UPN with another suffix (V(dana@contoso.onmicrosoft.com)) needs O(directory), which finds its
        sAMAccountName; without it the UPN is looked up as it is, which winbind does not resolve.
      - Names with control characters or any of C("/[]:;|=,+*?<>), with invisible (zero-width, direction) or
        look-alike (full-width, styled) characters, are refused before anything is sent; so are group names and members
        with them.
      - At most 1000 (each is looked up on the NAS); a name listed twice, in any case, is refused.
    type: list
    elements: str
    default: []
  groups:
    description:
      - Groups that must resolve, with the users expected in them.
      - At most 1000, each with at most 1000 O(groups[].members); a group named twice, in any case, is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The group's name (its sAMAccountName), bare or as V(NETBIOS\\name).
        type: str
        required: true
      members:
        description: Users (in any form O(users) takes) that must be members, directly or through nested groups.
        type: list
        elements: str
        default: []
  refresh_cache:
    description:
      - Run the C(directoryservices.cache_refresh) job first, so that accounts created since the last rebuild are
        enumerated. It rebuilds a cache and changes no setting, so C(changed) stays false; C(cache_refreshed) says
        whether it ran.
    type: bool
    default: false
  refresh_timeout:
    description:
      - Seconds to wait for the cache rebuild job. From 1 to 86400.
    type: int
    default: 600
  directory:
    description:
      - Compare with the directory itself, over LDAPS (port 636, secure LDAP enabled in the managed domain), from where
        the module runs. Needs ldap3 there; TrueNAS does not ship it, so on the NAS install it or run the task from
        the controller with O(api_url). Unset skips the comparison (C(directory_accounts) is V(skip)).
    type: dict
    suboptions:
      username:
        description: A user of the managed domain (its UPN); any synchronized user may read the accounts.
        type: str
        required: true
      password:
        description: Its password. One bind per run; never logged or returned.
        type: str
        required: true
      servers:
        description: LDAPS servers, tried in order. Unset uses the managed domain's DNS name.
        type: list
        elements: str
      ca_path:
        description: CA certificate (PEM) the LDAPS certificate must chain to. Unset uses the system trust store.
        type: path
      port:
        description: LDAPS port. From 1 to 65535.
        type: int
        default: 636
      base:
        description: Where the accounts are. Unset is C(OU=AADDC Users) of the domain.
        type: str
      page_size:
        description: Entries per LDAP page. From 1 to 100000.
        type: int
        default: 500
      timeout:
        description: Seconds to wait for the connection and each answer. From 1 to 3600.
        type: int
        default: 10
  fail_on:
    description:
      - V(fail) fails the task when a check fails, V(warn) also when one warns, V(never) only reports.
    type: str
    choices: [fail, warn, never]
    default: fail
requirements:
  - ldap3 (only with O(directory))
'''

EXAMPLES = r'''
- name: Verify the accounts the shares need, on the NAS over SSH
  nasjoin.entra.verify_idmap:
    users: [alice@aaddscontoso.com, AADDSCONTOSO\bob]
    groups:
      - name: Lab Engineers
        members: [alice@aaddscontoso.com]
  become: true

- name: Compare with the directory from the controller, after rebuilding the NAS's cache
  nasjoin.entra.verify_idmap:
    api_url: nas01.example.com
    api_key: "{{ vault_truenas_api_key }}"
    refresh_cache: true
    directory:
      username: reader@aaddscontoso.com
      password: "{{ vault_reader_password }}"
      ca_path: /etc/pki/entra-ldaps-ca.pem
  register: verified

- name: Names to use in ACLs
  ansible.builtin.debug:
    msg: "{{ verified.autogenerated | map(attribute='use') | list }}"
'''

RETURN = r'''
checks:
  description: One entry per check, in the order listed above.
  returned: always
  type: list
  elements: dict
  sample:
    - name: user
      target: christopher.montgomery-smithson@aaddscontoso.com
      status: pass
      value: {name: AADDSCONTOSO\christop20519, id: 100001107, sid: S-1-5-21-1-2-3-1106, source: ACTIVEDIRECTORY}
      detail: user christopher.montgomery-smithson@aaddscontoso.com is AADDSCONTOSO\christop20519, id 100001107, ...
      hint: null
summary:
  description: How many checks passed, were for information, warned, failed and were skipped, and how many there are.
  returned: success
  type: dict
  sample: {pass: 12, info: 1, warn: 0, fail: 0, skip: 1, total: 14}
failed_checks:
  description: The failed checks as C(name@target) (C(name) alone when there is no target).
  returned: success
  type: list
  elements: str
msg:
  description: How many checks failed or warn, and the first of them with its detail and fix.
  returned: always
  type: str
domain:
  description: The domain the NAS is joined to.
  returned: success
  type: str
status:
  description: The directory service status.
  returned: always
  type: str
idmap:
  description: Every idmap range of the NAS (kind V(builtin), V(domain) or V(trusted), name, backend, range).
  returned: success
  type: list
  elements: dict
  sample: [{kind: domain, name: AADDSCONTOSO, backend: RID, range: [100000001, 200000000]}]
cache_refreshed:
  description: Whether the cache rebuild job ran and succeeded (null when O(refresh_cache=false) or in check mode).
  returned: success
  type: bool
autogenerated:
  description: Accounts with a generated sAMAccountName (at most 50; the C(naming) check counts them all).
  returned: success
  type: list
  elements: dict
  sample: [{sam: jsmith83241, upn: jane.smith@aaddscontoso.com, nickname: jsmith, use: AADDSCONTOSO\jsmith83241}]
directory:
  description:
    - The comparison with the directory - users and groups read, how many resolve on the NAS, those outside the idmap
      range or not visible (at most 50 listed each, with counts), the highest RID, expected accounts absent.
  returned: with O(directory)
  type: dict
error:
  description: The TrueNAS error behind a failure to read the NAS (method, errname, reason, fields, hint).
  returned: when the middleware refused a call
  type: dict
connection:
  description: How the module reached the middleware, and where.
  returned: always
  type: dict
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._module import run_module
from ansible_collections.nasjoin.entra.plugins.module_utils._verify import verify_idmap


def main():
    run_module(
        dict(
            domain=dict(type='str'),
            users=dict(type='list', elements='str', default=[]),
            groups=dict(type='list', elements='dict', default=[], options=dict(
                name=dict(type='str', required=True), members=dict(type='list', elements='str', default=[]))),
            refresh_cache=dict(type='bool', default=False),
            refresh_timeout=dict(type='int', default=600),
            directory=dict(type='dict', no_log=False, options=dict(
                username=dict(type='str', required=True), password=dict(type='str', required=True, no_log=True),
                servers=dict(type='list', elements='str'), ca_path=dict(type='path'), port=dict(type='int', default=636),
                base=dict(type='str'), page_size=dict(type='int', default=500), timeout=dict(type='int', default=10))),
            fail_on=dict(type='str', choices=['fail', 'warn', 'never'], default='fail'),
        ),
        verify_idmap.run)


if __name__ == '__main__':
    main()
