# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's arguments before AnsibleModule reads them: the raw values, the argument spec retyped so that bad
values are refused by name, and every number checked against its range.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
from collections.abc import Mapping

from ansible_collections.nasjoin.entra.plugins.module_utils._idmap import ID_MAX, ID_MIN
from ansible_collections.nasjoin.entra.plugins.module_utils._values import shown

# (lowest, highest) of every int and float option of every module, by its name in messages (sub-options dotted);
# a value outside, NaN or infinite is refused before anything is sent. Seconds unless said otherwise.
LIMITS = {
    'timeout': (1, 3600),
    'join_timeout': (1, 86400),
    'wait_timeout': (1, 86400),
    'refresh_timeout': (1, 86400),
    'verify_timeout': (0.1, 300),
    'probe_timeout': (0.1, 300),
    'max_clock_skew': (1, 3600),
    'ldaps_expiry_warning_days': (0, 3650),
    'directory.port': (1, 65535),
    'directory.page_size': (1, 100000),
    'directory.timeout': (1, 3600),
    'idmap.builtin.range_low': (ID_MIN, ID_MAX),
    'idmap.builtin.range_high': (ID_MIN, ID_MAX),
    'idmap.domain.range_low': (ID_MIN, ID_MAX),
    'idmap.domain.range_high': (ID_MIN, ID_MAX),
}


def number(value, name, limits=None):
    """A finite int or float from ``LIMITS[name]`` (or ``limits``), both ends included."""
    low, high = limits or LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:  # NaN compares False
        raise ValueError('%s: %s is not a number from %s to %s.' % (name, shown(value), low, high))
    return value


def given_params():
    """The module arguments as Ansible handed them over, before AnsibleModule reads them: by ``_load_params``, the
    function ansible-core names for modules that must see their parameters first (its private state is not read)."""
    from ansible.module_utils import basic
    return basic._load_params() or {}  # None where ansible-test reads the argument spec without arguments


def _infinite(value):
    try:
        return math.isinf(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def wrong_type(value, secret=False):
    """The type of ``value`` when a string option must refuse it, else None: a list or a dict, which Ansible would
    turn into its string form, and for a secret (a no_log option) any value that is not text (YAML reads an unquoted
    0123 as the number 83, never the password typed)."""
    if isinstance(value, Mapping):
        return 'dict'
    if isinstance(value, (list, tuple, set, frozenset)):
        return 'list'
    if secret:
        return next((kind.__name__ for kind in (bool, int, float) if isinstance(value, kind)), None)
    return None


def text(value):
    """The type ``retyped_spec`` gives a string option set to what ``wrong_type`` refuses: AnsibleModule then fails
    naming the option and the type it got, never the value."""
    if isinstance(value, str):
        return value
    raise TypeError('its string form is never sent; give the value as a quoted string')


def wrong_types(values, spec):
    """One message per variable of ``values`` ({name: value}) that a string option of ``spec`` (or one element of a
    list of strings) must refuse by ``wrong_type``, naming the variable and the type it got, never the value."""
    problems = []
    for name, value in sorted((values or {}).items()):
        option = spec.get(name) or {}
        if option.get('type', 'str') == 'str':
            found = [(name, wrong_type(value, option.get('no_log')))]
        elif option.get('type') == 'list' and option.get('elements') == 'str' and isinstance(value, list):
            found = [('%s[%d]' % (name, index), wrong_type(item)) for index, item in enumerate(value)]
        else:
            found = []
        problems += ['%s: of type %s, not a string; give it as a quoted string.' % (where, kind) for where, kind in found if kind]
    return problems


def retyped_spec(given, spec):
    """``spec`` as AnsibleModule must read ``given`` (or the environment fallbacks) to refuse bad values by name. An int
    option set to an infinite number is typed float: Ansible cannot turn infinity into an int (OverflowError, naming no
    option); as a float it reaches ``numbers``, which refuses it by name. A str option set to what ``wrong_type``
    refuses is typed ``text``: Ansible would send its string form (a list as a password)."""
    result = dict(spec)
    for key, option in spec.items():
        value = given.get(key) if isinstance(given, dict) else None
        if value is None and len(option.get('fallback') or ()) == 2:
            value = next((os.environ[name] for name in option['fallback'][1] if name in os.environ), None)
        if option.get('type') == 'int' and _infinite(value):
            result[key] = dict(option, type='float')
        elif option.get('type', 'str') == 'str' and wrong_type(value, option.get('no_log')):
            result[key] = dict(option, type=text)
        elif option.get('type') == 'dict' and option.get('options') and isinstance(value, dict):
            result[key] = dict(option, options=retyped_spec(value, option['options']))
    return result


def numbers(params, spec, prefix=''):
    """Check every int and float option of ``spec`` that ``params`` sets, sub-options included, by ``number``."""
    for key, option in spec.items():
        value = (params or {}).get(key)
        if value is None:
            continue
        name = prefix + key
        if option.get('type') in ('int', 'float'):
            number(value, name)
        elif option.get('options') and option.get('type') == 'dict':
            numbers(value, option['options'], name + '.')
