# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""out_of_range: the roles' numeric variables that are NaN, infinite or outside their module option's range;
numbers_in_range: an argument spec passed on only when there are none (else an error naming each)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.nasjoin.entra.plugins.module_utils import _validate

# each numeric role variable and the module option it becomes (whose range in _validate.LIMITS it takes)
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
            _validate.number(number, name, _validate.LIMITS[ROLE_OPTIONS[name]])
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def numbers_in_range(argument_spec, values):
    """``argument_spec`` unchanged when ``values`` has no variable out_of_range finds; else an error naming each, so
    that the task validating the spec fails before it runs (validate_argument_spec does not name an infinite int)."""
    problems = out_of_range(values)
    if problems:
        raise AnsibleFilterError(' '.join(problems))
    return argument_spec


class FilterModule(object):

    def filters(self):
        return {'out_of_range': out_of_range, 'numbers_in_range': numbers_in_range}
