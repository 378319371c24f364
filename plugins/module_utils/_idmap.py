# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""idmap ranges as TrueNAS takes them: its limits and defaults, a range checked, two ranges compared.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# the idmap ids TrueNAS accepts (idmap plugin limits)
ID_MIN, ID_MAX = 1000, 2147000000
MIN_SPAN = 10000
# TrueNAS defaults (directoryservices model 25.10; idmap rows on fresh installs)
DEFAULT_BUILTIN = (90000001, 100000000)
DEFAULT_DOMAIN = (100000001, 200000000)


def id_range(value, name, default):
    """(low, high) from ``{range_low, range_high}``, checked against TrueNAS's limits."""
    value = value or {}
    low = value.get('range_low', default[0])
    high = value.get('range_high', default[1])
    if not (ID_MIN <= low < high <= ID_MAX):
        raise ValueError('%s: range %s-%s must satisfy %d <= range_low < range_high <= %d.' % (name, low, high, ID_MIN, ID_MAX))
    if high - low + 1 < MIN_SPAN:
        raise ValueError('%s: range %s-%s holds %d ids; TrueNAS needs at least %d.' % (name, low, high, high - low + 1, MIN_SPAN))
    return low, high


def overlap(first, second):
    """True when the id ranges ``(low, high)`` share an id."""
    return first[0] <= second[1] and second[0] <= first[1]
