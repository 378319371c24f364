#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: entra_dns_config
short_description: Point a TrueNAS at a Microsoft Entra Domain Services managed domain (domain and nameservers)
version_added: 0.1.0
description:
  - Sets the TrueNAS global network configuration so that the NAS can join the managed domain, the first step of the
    TrueNAS guide for Entra Domain Services.
  - The network domain becomes the managed domain and the nameservers become the domain controllers' IP addresses,
    and only those; unused nameserver slots are cleared. TrueNAS refuses to join a domain unless every configured
    nameserver answers the domain's SRV records.
  - With O(verify=true) the module asks every new nameserver for C(_ldap._tcp.dc._msdcs.<domain>) after the write.
    If one does not answer, the previous configuration is written back (and read back) and the task fails, naming the
    nameserver. The lookups run on the host that runs the module, that is the NAS itself when O(api_url) is unset.
  - Idempotent against the values TrueNAS stores (case of the domain, IP address notation, such as an IPv6 address
    typed with leading zeros).
  - When the settings are already right but the NAS resolves through other nameservers (its C(resolv.conf) was
    edited outside TrueNAS), nothing is written and the module warns, naming both lists.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.truenas_api
  - nasjoin.entra.truenas_api.ATTRIBUTES
attributes:
  check_mode:
    support: full
    details: In check mode the verification lookups still run, read-only, against the proposed nameservers.
  diff_mode:
    support: full
options:
  domain:
    description:
      - DNS name of the managed domain, for example V(aaddscontoso.com). A trailing dot is ignored, case is not kept.
    type: str
    required: true
  nameservers:
    description:
      - The domain controllers' "IP address on virtual network" values, one to three of them, in the order the NAS
        should ask them.
      - Loopback, link-local, multicast and unspecified addresses are refused.
    type: list
    elements: str
    required: true
  search_domains:
    description:
      - DNS search domains (at most five). Unset leaves the current list alone; V([]) clears it.
    type: list
    elements: str
  ipv4gateway:
    description:
      - IPv4 default gateway. Unset leaves it alone. TrueNAS refuses a gateway outside the NAS's subnets.
    type: str
  state:
    description:
      - Only V(present) is supported; the network configuration of a NAS cannot be absent.
    type: str
    choices: [present]
    default: present
  verify:
    description:
      - After a change, check that every nameserver resolves the domain's domain controller SRV record, and restore the
        previous configuration if one does not.
      - A nameserver that answers but is not itself a domain controller gives a warning.
    type: bool
    default: true
  verify_timeout:
    description:
      - Seconds each DNS lookup of the verification may take, the UDP retries and TCP included. From 0.1 to 300.
    type: float
    default: 3.0
requirements:
  - dnspython >= 2.3 (when O(verify=true))
notes:
  - >-
    TrueNAS 26 and later tie the network domain to the Active Directory join (NAS-139291): a join that registers the
    NAS in DNS (M(nasjoin.entra.ad_join) O(nasjoin.entra.ad_join#module:enable_dns_updates=true)) sets it to the AD
    domain in lower case, a leave that unregisters it sets it back to V(local), and while the join is C(HEALTHY)
    TrueNAS refuses any other domain ("You cannot change this parameter after TrueNAS joins a domain.";
    C(plugins/network_/global_config.py), C(plugins/directoryservices_/connection.py) of the TrueNAS middleware).
  - >-
    So on TrueNAS 26 and later, when the NAS is joined (one more read, C(directoryservices.config), only when the
    domain would change), the module never writes the domain. The joined domain asked for, in any case, is no change
    of the domain; if the NAS holds another network domain (a join without DNS updates keeps the one it had), the
    module warns and leaves it. Another domain fails before anything is written, check mode included: ask for the
    joined domain, or leave it first (M(nasjoin.entra.ad_join) O(nasjoin.entra.ad_join#module:state=absent)).
  - The restore after a failed verification writes back only the fields the run wrote, so on a joined TrueNAS 26 it
    never touches the domain. TrueNAS 25.04 and 25.10 keep the network domain apart from the join, and the module
    writes it there as asked.
'''

EXAMPLES = r'''
- name: Point the NAS at the managed domain (from the controller, API key)
  nasjoin.entra.entra_dns_config:
    domain: aaddscontoso.com
    nameservers: [10.0.1.4, 10.0.1.5]
    api_url: nas01.example.com
    api_username: truenas_admin
    api_key: "{{ vault_truenas_api_key }}"

- name: The same on the NAS itself, over SSH as root (no API key needed)
  nasjoin.entra.entra_dns_config:
    domain: aaddscontoso.com
    nameservers: [10.0.1.4, 10.0.1.5]
  become: true

- name: Connection settings once for every module of the collection
  module_defaults:
    group/nasjoin.entra.truenas:
      api_url: "{{ inventory_hostname }}"
      api_key: "{{ vault_truenas_api_key }}"
      ca_path: /etc/pki/nas-ca.pem
  block:
    - name: Network settings
      nasjoin.entra.entra_dns_config:
        domain: aaddscontoso.com
        nameservers: [10.0.1.4, 10.0.1.5]
'''

RETURN = r'''
config:
  description: The managed settings as TrueNAS holds them after the run (read back after a write).
  returned: always
  type: dict
  sample:
    domain: aaddscontoso.com
    nameservers: [10.0.1.4, 10.0.1.5]
    search_domains: []
    ipv4gateway: 10.0.0.1
verify:
  description: One entry per nameserver checked after a change; empty when nothing changed or O(verify=false).
  returned: always
  type: list
  elements: dict
  sample:
    - nameserver: 10.0.1.4
      record: _ldap._tcp.dc._msdcs.aaddscontoso.com
      status: pass
      targets: [{target: dc1.aaddscontoso.com, port: 389, priority: 0, weight: 100, addresses: [10.0.1.4]}]
      dc_ips: [10.0.1.4, 10.0.1.5]
      elapsed_ms: 4.2
      detail: nameserver 10.0.1.4 lists 2 domain controller(s)
joined_domain:
  description: The domain the NAS is joined to, when the task failed because another domain was asked for (TrueNAS 26+).
  returned: on that failure
  type: str
  sample: aaddscontoso.com
restored:
  description: Whether what the run wrote was written back after a failed verification.
  returned: when verification failed
  type: bool
failed_nameservers:
  description: Nameservers that did not resolve the SRV record.
  returned: when verification failed
  type: list
  elements: str
hint:
  description: What to do about the failure.
  returned: on failure
  type: str
error:
  description: The TrueNAS error behind a failure (method, errname, reason, fields, hint).
  returned: when the middleware refused a call
  type: dict
connection:
  description: How the module reached the middleware (V(websocket), V(local_socket) or V(midclt)), and where.
  returned: always
  type: dict
  sample: {transport: websocket, url: wss://nas01.example.com/api/current}
'''

from ansible_collections.nasjoin.entra.plugins.module_utils._module import run_module
from ansible_collections.nasjoin.entra.plugins.module_utils._network import dns_config


def main():
    run_module(
        dict(
            domain=dict(type='str', required=True),
            nameservers=dict(type='list', elements='str', required=True),
            search_domains=dict(type='list', elements='str'),
            ipv4gateway=dict(type='str'),
            state=dict(type='str', choices=['present'], default='present'),
            verify=dict(type='bool', default=True),
            verify_timeout=dict(type='float', default=3.0),
        ),
        dns_config.run, needs_dns=lambda params: params['verify'])


if __name__ == '__main__':
    main()
