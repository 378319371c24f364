# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TrueNAS middleware API facts by release: the one place that names methods per version.

PRIVATE to the collection. The client gates calls on this table, and the middleware
emulator's tests check its method set against it (see ``shared`` fact sheet, section 5).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# JSON-RPC 2.0 on /api/current arrived in 25.04; older releases speak only /websocket.
MIN_SUPPORTED = (25, 4)

# method: (first release, first release without it or None, is a job: checked against the emulator by its tests)
METHODS = {
    'auth.login_ex': ((25, 4), None, False),
    'auth.login_with_api_key': ((0,), (27, 0), False),
    'auth.mechanism_choices': ((25, 4), None, False),
    'core.bulk': ((0,), None, True),
    'core.get_jobs': ((0,), None, False),
    'core.job_wait': ((0,), None, True),
    'core.ping': ((0,), None, False),
    'core.subscribe': ((25, 4), None, False),
    'core.unsubscribe': ((25, 4), None, False),
    'system.info': ((0,), None, False),
    'system.version': ((0,), None, False),
    'system.version_short': ((0,), None, False),
    'network.configuration.config': ((0,), None, False),
    'network.configuration.update': ((0,), None, False),
    'network.general.summary': ((0,), None, False),
    'dns.query': ((0,), None, False),
    'activedirectory.config': ((0,), (25, 10), False),
    'activedirectory.update': ((0,), (25, 10), True),
    'activedirectory.leave': ((0,), (25, 10), True),
    'activedirectory.domain_info': ((0,), (25, 10), False),
    'idmap.query': ((0,), (25, 10), False),
    'idmap.update': ((0,), (25, 10), False),
    'directoryservices.status': ((24, 10), None, False),
    'directoryservices.cache_refresh': ((0,), None, True),
    'directoryservices.config': ((25, 10), None, False),
    'directoryservices.update': ((25, 10), None, True),
    'directoryservices.leave': ((25, 10), None, True),
    'idmap.clear_idmap_cache': ((0,), None, True),
    'user.get_user_obj': ((0,), None, False),
    'user.query': ((0,), None, False),
    'group.get_group_obj': ((0,), None, False),
    'group.query': ((0,), None, False),
    'privilege.query': ((22, 12), None, False),
    'privilege.create': ((22, 12), None, False),
    'privilege.update': ((22, 12), None, False),
    'privilege.delete': ((22, 12), None, False),
}

_VERSION_RE = re.compile(r'(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?')


def parse_version(text):
    """Turn '25.10.1', 'TrueNAS-25.04.2' or '25.10-MASTER-20260101' into a tuple of ints."""
    match = _VERSION_RE.search(text or '')
    if not match:
        raise ValueError('not a TrueNAS version string: %r' % (text,))
    return tuple(int(part) for part in match.groups() if part is not None)


def format_version(version):
    """(25, 4, 2) -> '25.04.2', as TrueNAS writes its releases."""
    head = '%d.%02d' % tuple(version[:2]) if len(version) > 1 else '%d' % version[0]
    return '.'.join([head] + [str(part) for part in version[2:]])


def available(method, version):
    """True when ``method`` exists on a TrueNAS of ``version`` (a tuple)."""
    since, until, dummy = METHODS[method]
    return version[:len(since)] >= since and (until is None or version[:len(until)] < until)


def directory_api(version):
    """Name of the Active Directory plugin on ``version``: 25.10 unified it."""
    return 'directoryservices' if version[:2] >= (25, 10) else 'activedirectory'


def supported(version):
    return version[:2] >= MIN_SUPPORTED
