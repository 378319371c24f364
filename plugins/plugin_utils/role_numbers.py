# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' numeric variables and the module option range each becomes; out_of_range names those outside it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils import _arguments

ROLE_OPTIONS = {
    'entra_join_timeout': 'join_timeout',
    'entra_join_wait_timeout': 'wait_timeout',
    'entra_network_verify_timeout': 'verify_timeout',
    'entra_preflight_max_clock_skew': 'max_clock_skew',
    'entra_preflight_probe_timeout': 'probe_timeout',
    'entra_verify_refresh_timeout': 'refresh_timeout',
}


def out_of_range(values):
    """One message per variable of ``values`` ({name: value}, None for unset) that ROLE_OPTIONS knows and that is not a
    finite number in its range; text is read as a number, as the role argument specs read it."""
    problems = []
    for name, value in sorted((values or {}).items()):
        if value is None or name not in ROLE_OPTIONS:
            continue
        try:
            number = float(value) if isinstance(value, str) else value
        except ValueError:
            number = value  # text that is no number: refused as it is
        try:
            _arguments.number(number, name, _arguments.LIMITS[ROLE_OPTIONS[name]])
        except ValueError as exc:
            problems.append(str(exc))
    return problems
