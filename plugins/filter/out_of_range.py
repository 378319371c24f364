# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""out_of_range: the roles' numeric variables that are NaN, infinite or outside their module option's range;
numbers_in_range: an argument spec passed on only when there are none (else an error naming each)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.nasjoin.entra.plugins.plugin_utils.role_numbers import out_of_range


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
