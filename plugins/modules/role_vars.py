#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: role_vars
short_description: Check a host's variables of several nasjoin.entra roles against their argument specs, in one task
version_added: 0.1.0
description:
  - Runs on the controller (an action plugin) and validates, for the host, the variables of each role in O(roles)
    against that role's C(meta/argument_specs.yml), as C(ansible.builtin.validate_argument_spec) does for one role,
    so that one message names every bad variable of every step before any step runs.
  - The numeric variables (timeouts, clock skew) are checked first against the range of the module option each
    becomes; a NaN, an infinite number or one out of range fails naming the variable and the range.
  - The C(nasjoin.entra.join_entra_ds) playbook runs it once a host before its steps, with each role's own
    validation off (C(rolespec_validate=false)). It reads the argument specs in Python, with no templating, so it costs
    a host little more than a skipped task.
author:
  - nasjoin.entra maintainers (@nasjoin)
extends_documentation_fragment:
  - nasjoin.entra.controller
attributes:
  check_mode:
    support: full
    details: It only reads.
  diff_mode:
    support: none
options:
  roles:
    description: The roles of this collection whose variables to check (names without the collection).
    type: list
    elements: str
    default: [entra_network, entra_preflight, entra_join, entra_verify]
'''

EXAMPLES = r'''
- name: Check the variables of every step before any change
  nasjoin.entra.role_vars:

- name: Check only the network step's variables
  nasjoin.entra.role_vars:
    roles: [entra_network]
'''

RETURN = r'''
roles:
  description: The roles whose variables were checked.
  returned: always
  type: list
  elements: str
  sample: [entra_network, entra_preflight, entra_join, entra_verify]
argument_errors:
  description: One message per bad variable; empty when every variable is valid.
  returned: always
  type: list
  elements: str
  sample: ["argument 'entra_dc_ips' is of type dict and we were unable to convert to list"]
'''
