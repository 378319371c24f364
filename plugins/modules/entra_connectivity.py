#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: entra_connectivity
short_description: Check that a TrueNAS can reach and use a Microsoft Entra Domain Services managed domain
version_added: 0.1.0
description:
  - The second step of the TrueNAS guide for Entra Domain Services, before the join. Read-only; C(changed) is always
    false.
  - Runs these checks, each reported with a stable name, the address it concerns (C(target)), a status (V(pass),
    V(warn), V(fail) or V(skip)), the measured value, a detail and a hint.
  - C(hostname) - the NAS host name, which becomes its NetBIOS and computer account name, has 15 characters or fewer
    and is valid (the TrueNAS default C(truenas) warns).
  - C(resolver) - every nameserver of the NAS answers the SRV records C(_kerberos._tcp) and C(_ldap._tcp) of the
    domain (TrueNAS refuses to join otherwise); a nameserver that is not a domain controller warns.
  - C(dns_a) and C(dns_srv), per domain controller, asked at its own DNS - the domain's A records are the DC addresses;
    C(_ldap._tcp.dc._msdcs), C(_kerberos._tcp), C(_kerberos._udp) and C(_kpasswd._tcp) exist and their targets
    resolve.
  - C(tcp_53), C(tcp_88), C(tcp_135), C(tcp_389), C(tcp_445), C(tcp_464), C(tcp_3268), and C(tcp_636) with
    O(secure_ldap=true) - the port accepts a connection. C(udp_53), C(udp_88), C(udp_389) - a DNS query, an AS-REQ
    and a CLDAP ping get an answer; a refusal fails, silence only warns because UDP cannot tell a dropped packet from
    a quiet service.
  - C(ldap_rootdse) - an anonymous rootDSE read works and the DC serves the domain. C(clock_skew) - the DC's
    C(currentTime) against the NAS clock, which is always read through the middleware (C(system.info)), also when the
    module runs on the controller.
  - Hardening, seen from the client - C(ldap_signing), a simple bind on plain 389 (as an object that does not
    exist, so nobody can be locked out) is refused; C(ldaps_tls_version), TLS 1.0 and 1.1 are refused on 636;
    C(ldaps_certificate), the certificate chains to a trusted CA, names C(*.<domain>) and has more than 30 days left;
    C(kerberos_aes) and C(kerberos_rc4), an AS-REQ without pre-authentication (no credentials) for the DC's own
    account shows that the KDC offers AES and refuses RC4.
  - C(credentials), only with O(username) and O(password) - exactly one Kerberos authentication (an AS-REQ with an
    AES-encrypted timestamp, as C(kinit) and the TrueNAS join do), never a retry, because Entra Domain Services locks
    an account after 5 wrong passwords in 2 minutes. An AS-REQ without pre-authentication comes first and costs no
    attempt; when it already shows the cause (user unknown, locked, no AES key) no password is sent. A refusal is
    mapped to its cause (not synced, wrong password, locked, disabled, expired, must change password, clock, a user
    name whose suffix is not the realm) with the Active Directory sub-code (C(data 52e), C(775)...) where the KDC
    sends one.
  - All probes run at once, each bounded by O(probe_timeout); the reachability probes first, and each protocol check
    as soon as the probes it rests on have answered, so a dead domain controller costs one timeout and a healthy run
    about its slowest chain of probes.
  - The probes run where the module runs. On the NAS itself (over SSH, O(api_url) unset) they show the NAS's view.
    With O(api_url) the module runs on the controller, says so in its result, and still reads the NAS's host name,
    nameservers and clock through the API.
  - From the controller the DC probes are the same for every NAS of a fleet. O(probes_only=true) runs them once
    (no NAS is asked and no password sent) and returns them as RV(fleet_probes); given as O(fleet_probes) to each
    NAS's run, that run probes only the NAS's own nameservers (and the credential check, with its own password) and
    decides every check from the shared outcomes, as it would from its own. It uses them only with O(api_url) set
    and when they were made for exactly its O(domain), O(dc_ips), O(secure_ldap), O(ldaps_ca_path),
    O(probe_timeout) and O(username); otherwise it probes the DCs itself. RV(dc_probes) says which it did.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.truenas_api
  - nasjoin.entra.truenas_api.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: The module never changes anything; check mode runs the same probes.
  diff_mode:
    support: none
options:
  domain:
    description:
      - DNS name of the managed domain, for example V(aaddscontoso.com).
    type: str
    required: true
  dc_ips:
    description:
      - The managed domain's domain controller addresses, its two "IP address on virtual network" values.
      - At most 10 (two in each of at most five replica sets), each a unicast address; an IPv4-mapped IPv6 address
        (V(::ffff:198.51.100.10)) counts as its IPv4 address.
    type: list
    elements: str
    required: true
  nameservers:
    description:
      - Nameservers to check instead of the ones the NAS has configured (C(network.configuration) C(nameserver1..3)).
    type: list
    elements: str
  secure_ldap:
    description:
      - Whether secure LDAP is enabled in the managed domain, so that port 636 and its TLS settings and certificate are
        checked. When false those checks are skipped.
    type: bool
    default: false
  ldaps_ca_path:
    description:
      - CA certificate file (PEM) or directory that the LDAPS certificate must chain to. Unset uses the system trust
        store of the host that runs the module.
    type: path
  max_clock_skew:
    description:
      - Largest allowed difference between the NAS clock and a domain controller's, in seconds. The default is the
        TrueNAS limit for a join; half of it warns. From 1 to 3600.
    type: int
    default: 180
  probe_timeout:
    description:
      - Seconds each probe waits for an answer. Called C(probe_timeout) because O(timeout) is the middleware's. From 0.1 to 300.
    type: float
    default: 3.0
  username:
    description:
      - The join user, as its user principal name in the managed domain (V(admin@aaddscontoso.com)) or its
        sAMAccountName. With O(password), one authentication checks it; unset skips the C(credentials) check.
      - A user name whose suffix is not the managed domain (for example the tenant's C(onmicrosoft.com) name) fails
        without any attempt.
    type: str
  password:
    description:
      - The join user's password. Used for one Kerberos pre-authentication; never logged, returned or put in an error.
    type: str
  probes_only:
    description:
      - Run only the domain controller probes, once for a fleet, and return them as RV(fleet_probes) with no check
        decided. No NAS is connected to, and no credential check is made (O(password) is not needed nor used).
      - Meant for a C(run_once) task delegated to the controller; see O(fleet_probes).
    type: bool
    default: false
  fleet_probes:
    description:
      - The RV(fleet_probes) of a O(probes_only=true) run. Used only with O(api_url) (the probes then ran on the same
        controller) and only when they were made for the same O(domain), O(dc_ips), O(secure_ldap),
        O(ldaps_ca_path), O(probe_timeout) and O(username); otherwise ignored (RV(dc_probes) says why) and this run
        probes the DCs itself.
    type: dict
  fail_on:
    description:
      - V(fail) fails the task when a check fails, V(warn) also when one warns, V(never) only reports.
    type: str
    choices: [fail, warn, never]
    default: fail
notes:
  - The DNS probes need C(dnspython) and the credential check needs C(cryptography) for the AES keys; TrueNAS ships
    both, and every other probe uses the Python standard library, so nothing beyond what TrueNAS ships is needed on
    the NAS.
requirements:
  - dnspython >= 2.3
  - cryptography (only with O(username))
'''

EXAMPLES = r'''
- name: Check the NAS's own view of the managed domain, on the NAS over SSH
  nasjoin.entra.entra_connectivity:
    domain: aaddscontoso.com
    dc_ips: [10.0.1.4, 10.0.1.5]
    secure_ldap: true
    ldaps_ca_path: /etc/certificates/entra-ldaps-ca.crt
    username: nasjoin@aaddscontoso.com
    password: "{{ vault_join_password }}"
  become: true

- name: From the controller (the probes run there; the NAS's nameservers, host name and clock come from its API)
  nasjoin.entra.entra_connectivity:
    domain: aaddscontoso.com
    dc_ips: [10.0.1.4, 10.0.1.5]
    api_url: nas01.example.com
    api_username: truenas_admin
    api_key: "{{ vault_truenas_api_key }}"
    fail_on: never
  register: preflight

- name: Show what to fix
  ansible.builtin.debug:
    msg: "{{ preflight.checks | selectattr('status', 'in', ['fail', 'warn']) | map(attribute='hint') | unique | list }}"
'''

RETURN = r'''
checks:
  description: One entry per check, grouped by name in the order listed above, one per address where it applies.
  returned: always
  type: list
  elements: dict
  sample:
    - name: tcp_88
      target: 10.0.1.5
      status: fail
      value: null
      detail: "TCP 88 (Kerberos) on 10.0.1.5: no answer within 3.0 s"
      hint: "open TCP 88 (Kerberos) from the NAS to every domain controller: ..."
      elapsed_ms: 3001.7
summary:
  description: How many checks passed, warned, failed and were skipped, and how many there are.
  returned: always
  type: dict
  sample: {pass: 48, info: 0, warn: 1, fail: 1, skip: 0, total: 50}
failed_checks:
  description: The failed checks as C(name@target) (C(name) alone when there is no target).
  returned: always
  type: list
  elements: str
  sample: [tcp_88@10.0.1.5, kerberos_aes@10.0.1.5]
msg:
  description: How many checks failed or warn, the first of them with its detail and fix, and where the probes ran.
  returned: always
  type: str
nas:
  description:
    - What the NAS reported (host name, nameservers, clock, its offset from the host that ran the probes in seconds)
      and where the probes ran (V(nas) or V(controller)).
  returned: always
  type: dict
  sample: {hostname: nas01, nameservers: [10.0.1.4, 10.0.1.5], clock: "2026-11-22T10:00:00Z", clock_offset: 0.2,
           probes_ran_on: nas}
dc_probes:
  description:
    - Whether the DC probes were shared (C(shared), the C(run) of O(fleet_probes) they came from, and the probes this
      run made itself, C(own_probes), as C(name@target)) or made by this run (C(shared=false) and C(why)).
  returned: unless O(probes_only)
  type: dict
  sample: {shared: true, run: fleet-3f2a9c01b7de, own_probes: [credentials@10.0.1.4, resolver@10.0.1.4, resolver@10.0.1.5]}
fleet_probes:
  description:
    - With O(probes_only), the DC probes' outcomes (C(outcomes), each C([check name, DC address, outcome])), the
      settings they were made for (C(settings)) and a name for this probe run (C(run)). No password is in it.
  returned: when O(probes_only)
  type: dict
elapsed_ms:
  description: Wall time of all probes together, in milliseconds.
  returned: success
  type: float
error:
  description: The TrueNAS error behind a failure to read the NAS (method, errname, reason, fields, hint).
  returned: when the middleware refused a call
  type: dict
connection:
  description: How the module reached the middleware (V(websocket), V(local_socket) or V(midclt)), and where.
  returned: always
  type: dict
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._module import run_module
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity


def main():
    run_module(
        dict(
            domain=dict(type='str', required=True),
            dc_ips=dict(type='list', elements='str', required=True),
            nameservers=dict(type='list', elements='str'),
            secure_ldap=dict(type='bool', default=False),
            ldaps_ca_path=dict(type='path'),
            max_clock_skew=dict(type='int', default=180),
            probe_timeout=dict(type='float', default=3.0),
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
            fail_on=dict(type='str', choices=['fail', 'warn', 'never'], default='fail'),
            probes_only=dict(type='bool', default=False),
            fleet_probes=dict(type='dict'),
        ),
        connectivity.run, needs_dns=lambda params: True, connects=lambda params: not params['probes_only'])


if __name__ == '__main__':
    main()
