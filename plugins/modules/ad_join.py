#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ad_join
short_description: Join a TrueNAS to (or remove it from) a Microsoft Entra Domain Services managed domain
version_added: 0.1.0
description:
  - Configures Active Directory through the TrueNAS API, waits for the join job (its progress steps are returned) and
    then for the directory service to be C(HEALTHY).
  - Picks the API of the NAS release, C(activedirectory.*) on TrueNAS 25.04 and C(directoryservices.*) on 25.10 and
    later; older releases are refused.
  - Idempotent. Whether the NAS is joined is read from the stored settings and C(directoryservices.status), never by
    sending the password again; after a join TrueNAS keeps only the machine account's Kerberos principal.
  - Settings TrueNAS does not change while joined (hostname, OU, site, idmap ranges) make the task fail with the list
    of differences, unless O(force_rejoin=true).
  - A failed join is reported with the TrueNAS job error, the parameter it concerns and a hint for Entra Domain
    Services. TrueNAS itself reverts the configuration (status C(DISABLED)) when the join fails, and keeps it
    (status C(FAULTED)) when the join worked but winbind or Kerberos did not start.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.truenas_api
  - nasjoin.entra.truenas_api.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: Check mode reads the NAS and predicts the change (the diff shows the NetBIOS name the join would use);
      nothing is written and no password is sent, so the join credentials are not checked - the message says so.
  diff_mode:
    support: full
    details: The diff shows the managed settings before and after, never a password.
options:
  state:
    description:
      - V(present) joins the domain; V(absent) leaves it (with O(leave_credentials)) or disables the directory service.
    type: str
    choices: [present, absent]
    default: present
  domain:
    description:
      - DNS name of the managed domain, for example V(aaddscontoso.com). Required with O(state=present).
      - With O(state=absent) the task fails, changing nothing, when the NAS is joined to another domain.
    type: str
  username:
    description:
      - The join user. Give the user principal name (V(admin@aaddscontoso.com)); in Entra Domain Services the
        sAMAccountName is generated when the UPN prefix is longer than 20 characters or shared, so the short name is
        not reliable.
      - A member of C(AAD DC Administrators) can create the computer account in any OU; other users only in the
        default OU.
      - Needed to join; never sent when the NAS is already joined.
    type: str
  password:
    description:
      - The join user's password. Sent once per join, in one Kerberos authentication by TrueNAS; never stored, logged
        or returned.
      - Entra Domain Services locks an account after 5 wrong passwords in 2 minutes, so the module never retries.
      - >-
        A value written in a vars file, the inventory, a play or C(-e) is a Jinja template, also in a file encrypted
        with C(ansible-vault encrypt): C({{) or C({%) in it runs on the controller, where a C(pipe) lookup runs a
        command. Mark a literal password C(!unsafe), as in C(vault_join_password: !unsafe 'Aa1{{x}}%$'); a value read
        with the C(ansible.builtin.env) lookup (the roles' E(ENTRA_JOIN_PASSWORD)) and an inline C(!vault) value are
        used as they are.
      - Text only. A list, a dict, a number or a boolean (YAML reads an unquoted V(0123) as 83) is refused, naming the
        option and its type, before anything is sent.
    type: str
  hostname:
    description:
      - NetBIOS name of the NAS, which names its computer account (15 characters or fewer, letters, digits, hyphens).
      - Defaults to the NAS's current host name.
    type: str
  computer_account_ou:
    description:
      - OU for the computer account, as a slash-separated path below the domain, outermost first
        (V(AADDC Computers/NAS)).
      - Unset uses the domain default, which in Entra Domain Services is C(OU=AADDC Computers).
      - The literal V(Computers) is refused, because Samba maps it to C(CN=Computers), which Entra Domain Services
        does not use.
    type: str
  site:
    description:
      - Active Directory site, 1-63 letters, digits and inner hyphens (V(Default-First-Site-Name)). Unset lets TrueNAS
        detect it.
    type: str
  enable_dns_updates:
    description:
      - Let TrueNAS register the NAS's addresses in the domain's DNS (GSS-TSIG dynamic updates) after the join.
      - Off by default for Entra Domain Services. TrueNAS registers every address in use, including unroutable ones,
        and a failure there rolls the join back; create the A record by hand (AAD DC Administrators may) instead.
    type: bool
    default: false
  idmap:
    description:
      - UID/GID ranges. Unset uses the TrueNAS defaults on a join and leaves the stored ranges unchecked afterwards.
      - Ranges must not overlap, and each must hold at least 10000 ids within 1000-2147000000.
    type: dict
    suboptions:
      builtin:
        description: Range of the builtin (default) domain.
        type: dict
        suboptions:
          range_low:
            description: First id. From 1000 to 2147000000.
            type: int
            default: 90000001
          range_high:
            description: Last id. From 1000 to 2147000000.
            type: int
            default: 100000000
      domain:
        description: Range of the managed domain's accounts (RID backend).
        type: dict
        suboptions:
          backend:
            description: The idmap backend; RID derives ids from the account RIDs, as Entra DS needs no schema.
            type: str
            choices: [RID]
            default: RID
          range_low:
            description: First id. From 1000 to 2147000000.
            type: int
            default: 100000001
          range_high:
            description: Last id. From 1000 to 2147000000.
            type: int
            default: 200000000
  admin_group:
    description:
      - A domain group to grant the TrueNAS C(FULL_ADMIN) role, for example V(AAD DC Administrators).
      - TrueNAS grants that role to Domain Admins on a join, but Entra Domain Services has no usable Domain Admins.
      - The group is named without its domain; the NetBIOS domain name is the managed domain's first label.
      - Checked before anything is sent, so a bad name never leaves a join without its group.
    type: str
  join_timeout:
    description:
      - Seconds to wait for the join, leave or disable job. From 1 to 86400.
    type: int
    default: 300
  wait_timeout:
    description:
      - Seconds to wait for the directory service to become C(HEALTHY) after the job. From 1 to 86400.
    type: int
    default: 120
  force_rejoin:
    description:
      - Join even when the NAS is joined to another domain, or with settings TrueNAS does not change while joined, or
        while the directory service is not healthy. The previous join is disabled first; its computer account stays.
    type: bool
    default: false
  leave_credentials:
    description:
      - With O(state=absent), a domain user allowed to delete the computer account. Without it the directory service
        is only disabled and the computer account stays in the domain (the module says so).
    type: dict
    suboptions:
      username:
        description: User principal name.
        type: str
        required: true
      password:
        description:
          - Password. As O(password), a value from a vars file is a template (mark it C(!unsafe)), and only text is
            taken.
        type: str
        required: true
notes:
  - Run M(nasjoin.entra.entra_dns_config) first; TrueNAS refuses to join unless every nameserver answers the domain's
    SRV records.
  - >-
    From TrueNAS 26 the network domain follows the join (NAS-139291, C(plugins/directoryservices_/connection.py) of
    the TrueNAS middleware): a join with O(enable_dns_updates=true) sets it to the AD domain in lower case, a leave
    with O(leave_credentials) of a join with DNS updates sets it back to V(local); a join without DNS updates and a
    disable leave it as it is. On a run that joins or leaves, the diff and RV(config) show it as C(network_domain)
    (predicted in check mode, read back otherwise), and the message says when it changed. After a leave that set
    V(local), the module warns: the next M(nasjoin.entra.entra_dns_config) run sets the managed domain again.
  - >-
    From TrueNAS 26 the directory jobs queue at most one call behind the running one
    (C(plugins/directoryservices_/datastore.py), C(lock_queue_size=1)): a further call gets the queued job of another
    caller, and nothing of this run starts. The module then waits for that job (up to O(wait_timeout)), reads the
    state again and decides once more: when the other run already left the NAS as asked it changes nothing and says
    so (C(changed=false)); otherwise it sends its own call once more. It never reports the other job as its own.
'''

EXAMPLES = r'''
- name: Join the managed domain
  nasjoin.entra.ad_join:
    domain: aaddscontoso.com
    username: joinadmin@aaddscontoso.com
    password: "{{ vault_join_password }}"
    hostname: nas01

- name: Leave it, removing the computer account
  nasjoin.entra.ad_join:
    state: absent
    domain: aaddscontoso.com
    leave_credentials:
      username: joinadmin@aaddscontoso.com
      password: "{{ vault_join_password }}"
'''

RETURN = r'''
status:
  description: Directory service status after the run (C(HEALTHY), C(DISABLED), C(FAULTED), ...).
  returned: always
  type: str
  sample: HEALTHY
outcome:
  description:
    - After a failed join, leave or disable job, what TrueNAS left, read back from the NAS. V(reverted) - the settings
      are as before the run; V(disabled) - the directory service is disabled with the settings sent (TrueNAS 25.04);
      V(kept) - TrueNAS kept the new settings and computer account for investigation (status C(FAULTED));
      V(joined) - the NAS is joined and healthy, a later step failed; V(unknown) - the state could not be read back.
    - The message says the same in words; O(force_rejoin=true) or O(state=absent) cleans up after V(kept).
  returned: when a job failed
  type: str
  sample: reverted
config:
  description:
    - The managed settings after the run (read back after a failed job too).
    - C(network_domain), on TrueNAS 26 and later when the run joins or leaves (or would, in check mode), is the network
      domain TrueNAS holds after it.
  returned: success, or when a job failed
  type: dict
  sample:
    enabled: true
    domain: aaddscontoso.com
    hostname: NAS01
    computer_account_ou: null
    site: Default-First-Site-Name
    enable_dns_updates: false
    idmap: {builtin: [90000001, 100000000], domain: [100000001, 200000000]}
    status: HEALTHY
    network_domain: aaddscontoso.com
progress:
  description: The job's progress steps, in order.
  returned: always
  type: list
  elements: dict
  sample: [{percent: 50, description: Performing domain join.}]
admin_group:
  description: The group given in O(admin_group), its SID (when it was looked up) and whether it was granted now.
  returned: when O(admin_group) is set
  type: dict
  sample: {group: AADDSCONTOSO\AAD DC Administrators, sid: S-1-5-21-1-2-3-1104, role: FULL_ADMIN, changed: true}
differences:
  description: Settings that differ from the stored ones and cannot change while joined.
  returned: when the task fails for that reason
  type: list
  elements: str
status_msg:
  description: Why the directory service is not healthy.
  returned: when it is not
  type: str
hint:
  description: What to do about the failure.
  returned: on failure
  type: str
error:
  description: The TrueNAS error behind a failure (method, errname, reason, fields, hint).
  returned: when the middleware refused a call or a job failed
  type: dict
elapsed:
  description: Seconds the run took, the join job and the wait for C(HEALTHY) included.
  returned: when the directory settings could be read
  type: float
  sample: 2.143
connection:
  description: How the module reached the middleware.
  returned: always
  type: dict
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._join import ad_join
from ansible_collections.nasjoin.entra.plugins.module_utils._module import run_module


def _range(low, high):
    return dict(type='dict', options=dict(range_low=dict(type='int', default=low), range_high=dict(type='int', default=high)))


def main():
    domain_range = _range(100000001, 200000000)
    domain_range['options']['backend'] = dict(type='str', choices=['RID'], default='RID')
    run_module(
        dict(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            domain=dict(type='str'),
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
            hostname=dict(type='str'),
            computer_account_ou=dict(type='str'),
            site=dict(type='str'),
            enable_dns_updates=dict(type='bool', default=False),
            idmap=dict(type='dict', options=dict(builtin=_range(90000001, 100000000), domain=domain_range)),
            join_timeout=dict(type='int', default=300),
            wait_timeout=dict(type='int', default=120),
            force_rejoin=dict(type='bool', default=False),
            admin_group=dict(type='str'),
            leave_credentials=dict(type='dict', no_log=False, options=dict(
                username=dict(type='str', required=True), password=dict(type='str', required=True, no_log=True))),
        ),
        ad_join.run, required_if=[('state', 'present', ['domain'])], required_together=[('username', 'password')])


if __name__ == '__main__':
    main()
