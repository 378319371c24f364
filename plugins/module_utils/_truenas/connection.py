# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every module, and the client they describe.

PRIVATE to the collection. Mirrors doc fragment ``nasjoin.entra.truenas_api``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit, urlunsplit

from ansible_collections.nasjoin.entra.plugins.module_utils import _validate
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import (
    DEFAULT_SOCKET, HAS_WEBSOCKET, LocalSocketTransport, MidcltTransport, WebSocketTransport)


def _env(name):
    return (env_fallback, [name])


CONNECTION_SPEC = dict(
    api_url=dict(type='str', fallback=_env('TRUENAS_API_URL')),
    api_key=dict(type='str', no_log=True, fallback=_env('TRUENAS_API_KEY')),
    api_username=dict(type='str', fallback=_env('TRUENAS_API_USERNAME')),
    validate_certs=dict(type='bool', default=True, fallback=_env('TRUENAS_VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=_env('TRUENAS_CA_PATH')),
    timeout=dict(type='int', default=30, fallback=_env('TRUENAS_TIMEOUT')),
    local_socket=dict(type='path', default=DEFAULT_SOCKET, fallback=_env('TRUENAS_LOCAL_SOCKET')),
)


def api_url(text):
    """``nas``, ``https://nas:8443`` or ``wss://nas`` -> ``wss://nas[:8443]/api/current``."""
    parts = urlsplit(text if '://' in text else 'wss://' + text)
    scheme = {'https': 'wss', 'http': 'ws'}.get(parts.scheme, parts.scheme)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if scheme not in ('ws', 'wss') or not parts.netloc or not port_ok or re.search(r'[\s\x00-\x1f\x7f]', text):
        raise TrueNASError('api_url %s is not a TrueNAS address.' % _validate.shown(text), errname='EINVAL',
                           hint='use wss://<nas>/api/current, https://<nas> or just the host name.')
    path = parts.path.rstrip('/') or '/api/current'
    return urlunsplit((scheme, parts.netloc, path, '', ''))


def client_for(module):
    """The client the module's connection options ask for; ``describe`` says which way it goes."""
    params = module.params
    _validate.positive(params['timeout'], 'timeout')
    if params['api_url']:
        _need_websocket(module)
        url = api_url(params['api_url'])
        transport = WebSocketTransport(url, params['timeout'], params['validate_certs'], params['ca_path'])
        return Client(transport, params['api_key'], params['api_username']), {'transport': 'websocket', 'url': url}
    path = params['local_socket']
    if os.path.exists(path):
        _need_websocket(module)
        return Client(LocalSocketTransport(path, params['timeout'])), {'transport': 'local_socket', 'path': path}
    midclt = module.get_bin_path('midclt')
    if midclt:
        transport = MidcltTransport(module.run_command, params['timeout'], midclt)
        return Client(transport), {'transport': 'midclt', 'path': midclt}
    raise TrueNASError(
        'no api_url given, and this host has no TrueNAS middleware (no socket at %s, no midclt).' % path,
        errname='ENOENT',
        hint='give api_url and api_key to reach the NAS over the network, or run the task on the NAS itself as root.')


def _need_websocket(module):
    if not HAS_WEBSOCKET:
        from ansible.module_utils.basic import missing_required_lib
        module.fail_json(msg=missing_required_lib('websocket-client'))
