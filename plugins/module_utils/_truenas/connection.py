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

from ansible_collections.nasjoin.entra.plugins.module_utils import _ca_file, _redact, _values
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import MissingLibrary
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


_PATH = re.compile(r'^/api/(current|v[0-9]+\.[0-9]+(\.[0-9]+)?)$')


def connection_spec(given_url):
    """CONNECTION_SPEC; when ``given_url`` (else TRUENAS_API_URL) holds credentials, api_url is no_log, so Ansible
    masks it in the result, the invocation and its logs from the start."""
    spec = dict(CONNECTION_SPEC)
    if _redact.has_credentials(given_url or os.environ.get('TRUENAS_API_URL')):
        spec['api_url'] = dict(spec['api_url'], no_log=True)
    return spec


def api_url(text):
    """``nas``, ``https://nas:8443`` or ``wss://nas`` -> ``wss://nas[:8443]/api/current``."""
    if _redact.has_credentials(text):
        raise TrueNASError('api_url must not carry credentials (%s); give the key in api_key or TRUENAS_API_KEY and the '
                           'user in api_username or TRUENAS_API_USERNAME.' % _redact.redacted(text), errname='EINVAL',
                           hint='remove the "user:key@" part of api_url.')
    parts = urlsplit(text if '://' in text else 'wss://' + text)
    scheme = {'https': 'wss', 'http': 'ws'}.get(parts.scheme, parts.scheme)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if scheme not in ('ws', 'wss') or not parts.hostname or '%' in parts.hostname or not port_ok \
            or re.search(r'[^\x21-\x7e]|\\', text):
        raise TrueNASError('api_url %s is not a TrueNAS address.' % _values.shown(text), errname='EINVAL',
                           hint='use wss://<nas>/api/current, https://<nas> or just the host name: printable ASCII (the '
                                'xn-- form of an international name), a port from 1 to 65535, no IPv6 zone id.')
    path = parts.path.rstrip('/') or '/api/current'
    if not _PATH.match(path) or parts.query or parts.fragment or '?' in text or '#' in text:
        raise TrueNASError('api_url of %s: the path must be /api/current (or none), with no query or fragment.'
                           % parts.netloc, errname='EINVAL', hint='use wss://%s/api/current.' % parts.netloc)
    return urlunsplit((scheme, parts.netloc, path, '', ''))


def client_for(module):
    """The client the module's connection options ask for; ``describe`` says which way it goes."""
    params = module.params
    if params['api_url']:
        _need_websocket()
        url = api_url(params['api_url'])
        if params['ca_path']:
            _ca_file.ca_file(params['ca_path'], 'ca_path')
        transport = WebSocketTransport(url, params['timeout'], params['validate_certs'], params['ca_path'])
        client = Client(transport, params['api_key'], params['api_username'], warn=module.warn)
        return client, {'transport': 'websocket', 'url': url}
    path = params['local_socket']
    if os.path.exists(path):
        _need_websocket()
        return Client(LocalSocketTransport(path, params['timeout'])), {'transport': 'local_socket', 'path': path}
    midclt = module.get_bin_path('midclt')
    if midclt:
        transport = MidcltTransport(module.run_command, params['timeout'], midclt)
        return Client(transport), {'transport': 'midclt', 'path': midclt}
    raise TrueNASError(
        'no api_url given, and this host has no TrueNAS middleware (no socket at %s, no midclt).' % path,
        errname='ENOENT',
        hint='give api_url and api_key to reach the NAS over the network, or run the task on the NAS itself as root.')


def _need_websocket():
    if not HAS_WEBSOCKET:
        raise MissingLibrary('websocket-client', reason='to reach the TrueNAS API')
