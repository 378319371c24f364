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
# the releases the collection is tested with, oldest first; on a newer NAS the client asks for TESTED_API, the API
# version of the newest of them (main.py _create_apis: one /api/<version> route per api/vXX_YY_Z directory)
TESTED = ((25, 4), (25, 10), (26, 0), (27, 0))
TESTED_API = 'v27.0.0'

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

# Job methods whose lock has a queue limit and whose callers send different arguments: when the queue is full
# TrueNAS hands back the job already queued (job.py JobsQueue.add), maybe another caller's. lock_queue_size: the
# default (5) on 25.04 (activedirectory.*, lock AD_start_stop) and 25.10 (lock directoryservices_change), 1 from 26
# on (plugins/directoryservices_/datastore.py). cache_refresh and clear_idmap_cache take no arguments: any queued
# job of theirs does what the call asked.
SHARED_QUEUE = frozenset(('activedirectory.update', 'activedirectory.leave', 'directoryservices.update',
                          'directoryservices.leave'))

_VERSION_RE = re.compile(r'(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?')
_API_VERSION_RE = re.compile(r'v(\d+)\.(\d+)(?:\.(\d+))?')


def parse_version(text):
    """Turn '25.10.1', 'TrueNAS-25.04.2' or '25.10-MASTER-20260101' into a tuple of ints."""
    match = _VERSION_RE.search(text or '')
    if not match:
        raise ValueError('not a TrueNAS version string: %r' % (text,))
    return tuple(int(part) for part in match.groups() if part is not None)


def parse_api_version(name):
    """'v26.0.0' (an /api/<name> path, a name GET /api/versions lists) -> (26, 0, 0); None for anything else."""
    match = _API_VERSION_RE.fullmatch(name) if isinstance(name, str) else None
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


def format_version(version):
    """(25, 4, 2) -> '25.04.2', (26, 0, 0) -> '26.0.0', as TrueNAS writes its releases: year.month up to 25
    (the minor padded to two digits), plain numbers from 26 on (sw_info's version, api/v26_0_0)."""
    parts = [str(part) for part in version]
    if len(version) > 1 and version[0] < 26:
        parts[1] = '%02d' % version[1]
    return '.'.join(parts)


def untested(version):
    """True when ``version`` is newer than the newest release the collection is tested with."""
    return version[:2] > TESTED[-1]


def available(method, version):
    """True when ``method`` exists on a TrueNAS of ``version`` (a tuple)."""
    since, until, dummy = METHODS[method]
    return version[:len(since)] >= since and (until is None or version[:len(until)] < until)


def directory_api(version):
    """Name of the Active Directory plugin on ``version``: 25.10 unified it."""
    return 'directoryservices' if version[:2] >= (25, 10) else 'activedirectory'


def domain_follows_join(version):
    """True from TrueNAS 26 on (NAS-139291): a join or leave with DNS updates writes the network domain, and while
    joined and HEALTHY TrueNAS refuses another (plugins/network_/global_config.py do_update)."""
    return version[:2] >= (26, 0)


def supported(version):
    return version[:2] >= MIN_SUPPORTED
