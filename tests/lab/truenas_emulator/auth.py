"""Accounts, user-linked API keys, sessions and the auth.* methods.

Follows plugins/auth.py (login_ex, login, login_with_api_key, mechanism_choices, me), plugins/api_key.py
(revoke), auth.py (SessionManagerCredentials class_name/dump), utils/auth.py (AuthMech, AuthResp, AA_LEVEL1)
and utils/account/authenticator.py (account_attributes). Every account is a full administrator, unless a test takes
its API access away (``Emulator.set_api_access``; TrueNAS: no privilege for the user's groups, auth.authenticate_user
answers None).

A user without API access: 25.04 and 25.10 (plugins/auth_/authenticate.py authenticate_plain) answer AUTH_ERR
("Failed to generate user token"), before the insecure-transport check, so the key is not revoked; 26 and 27
(plugins/auth_/login_ex_impl.py at TS-26.0.0-BETA.3 and HEAD, NAS-139830) answer DENIED (PAM_PERM_DENIED "User lacks
API access."), for an API key only after the insecure-transport check (a key seen on plain ws:// is revoked first).
26 and 27 also answer ``reconnect_token: null`` on SUCCESS (plugins/auth.py login_ex; none was asked for).
"""

import asyncio
import errno
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import models
from .api import api_method
from .errors import CallError

ADMIN_UID = 950
MECHANISMS = ['API_KEY_PLAIN', 'TOKEN_PLAIN', 'PASSWORD_PLAIN']  # AA_LEVEL1, in its order
_FULL_ADMIN = {'roles': {'FULL_ADMIN'}, 'allowlist': [{'method': '*', 'resource': '*'}], 'web_shell': True,
               'webui_access': True}


@dataclass
class Credentials:
    """A logged-in session (auth.py SessionManagerCredentials); ``kind`` is its class_name()."""

    kind: str  # LOGIN_PASSWORD, API_KEY or UNIX_SOCKET
    user: dict
    api_key: dict | None = None
    login_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    login_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def dump(self):
        data = {'username': self.user['username'], 'login_id': self.login_id, 'login_at': self.login_at}
        if self.api_key:
            data['api_key'] = {'id': self.api_key['id'], 'name': self.api_key['name']}
        return {'type': self.kind, 'data': data}


class Accounts:
    """Local users (``{username: password}``) and API keys (``{username: "<id>-<secret>" or [...]}``).

    Keys live in the store's ``api_keys`` section, so a key revoked once stays revoked after a restart (a key
    id already stored there wins over the same id given again).
    """

    def __init__(self, store, users=None, api_keys=None):
        self.store = store
        self.users = {}
        for name, password in {'root': None, 'truenas_admin': None, **(users or {})}.items():
            self._add_user(name, password)
        self.keys = {key['id']: key for key in store.get('api_keys', [])}
        self.denied = set(store.get('api_access_denied', []))  # users without API access (no privilege)
        for key in self.keys.values():
            self._add_user(key['username'], None)
        for username, keys in (api_keys or {}).items():
            self._add_user(username, None)
            for text in [keys] if isinstance(keys, str) else keys:
                key_id, secret = _split_key(text)
                if key_id is None:
                    raise ValueError(f'API key for {username!r} is not "<id>-<secret>"')
                self.keys.setdefault(key_id, {'id': key_id, 'name': f'{username}-key-{key_id}', 'username': username,
                                              'key': secret, 'revoked': False, 'revoked_reason': None})
        self._save_keys()

    def _add_user(self, name, password):
        if name in self.users:
            return
        uid = {'root': 0, 'truenas_admin': ADMIN_UID}.get(name, 3000 + len(self.users))
        home = '/root' if uid == 0 else f'/home/{name}'
        self.users[name] = {'username': name, 'uid': uid, 'password': password, 'home': home}

    def _save_keys(self):
        self.store.put('api_keys', sorted(self.keys.values(), key=lambda key: key['id']))

    def has_api_access(self, username):
        return username not in self.denied

    def set_api_access(self, username, allowed=True):
        """Give ``username`` API access or take it away (kept in the state file, section ``api_access_denied``)."""
        if username not in self.users:
            raise ValueError(f'unknown user {username!r}')
        self.denied = (self.denied - {username}) if allowed else (self.denied | {username})
        self.store.put('api_access_denied', sorted(self.denied))

    def check_password(self, username, password):
        user = self.users.get(username)
        return user if user and user['password'] is not None and user['password'] == password else None

    def find_key(self, text):
        key_id, dummy = _split_key(text)
        return self.keys.get(key_id)

    def check_key(self, username, text):
        """(pam response, key): SUCCESS, AUTH_ERR or EXPIRED (revoked keys, like pam_tdb's expired ones)."""
        key = self.find_key(text)
        if key is None or key['username'] != username or _split_key(text)[1] != key['key']:
            return 'AUTH_ERR', None
        return ('EXPIRED' if key['revoked'] else 'SUCCESS'), key

    def revoke(self, key_id, reason):
        """follows plugins/api_key.py (revoke): expiry -1 and a reason, persisted."""
        self.keys[key_id].update(revoked=True, revoked_reason=reason)
        self._save_keys()

    def root_credentials(self):
        return Credentials('UNIX_SOCKET', self.users['root'])

    def user_info(self, credentials):
        """auth.me output: user.get_user_obj fields plus attributes, 2FA config, privilege, account flags."""
        user = credentials.user
        flags = ['LOCAL'] + (['API_KEY'] if credentials.kind == 'API_KEY' else [])
        flags += ['SYS_ADMIN'] if user['uid'] in (0, ADMIN_UID) else []
        return {
            'pw_name': user['username'], 'pw_gecos': user['username'], 'pw_dir': user['home'],
            'pw_shell': '/usr/bin/zsh', 'pw_uid': user['uid'], 'pw_gid': user['uid'], 'grouplist': None,
            'sid': None, 'source': 'LOCAL', 'local': True, 'attributes': {},
            'two_factor_config': {'provisioning_uri': None, 'secret_configured': False, 'interval': 30, 'otp_digits': 6},
            'privilege': dict(_FULL_ADMIN), 'account_attributes': flags,
        }


def _split_key(text):
    key_id, dummy, secret = str(text).partition('-')
    return (int(key_id), secret) if key_id.isdigit() and secret else (None, None)


async def _login(ctx, data):
    """The body of auth.login_ex, shared by the legacy login methods."""
    accounts, mechanism = ctx.emu.accounts, data['mechanism']
    if mechanism == 'OTP_TOKEN':
        raise CallError('OTP_TOKEN: no authentication in progress', errno.EINVAL)
    login_ex_impl = ctx.emu.personality.at_least('26')  # 26 on: plugins/auth_/login_ex_impl.py
    credentials, response_type = None, 'AUTH_ERR'
    if mechanism == 'PASSWORD_PLAIN':
        user = accounts.check_password(data['username'], data['password'])
        if user and not accounts.has_api_access(user['username']):
            user, response_type = None, 'DENIED' if login_ex_impl else 'AUTH_ERR'
        credentials = Credentials('LOGIN_PASSWORD', user) if user else None
    elif mechanism == 'API_KEY_PLAIN':
        response_type, key = accounts.check_key(data['username'], data['api_key'])
        if response_type == 'SUCCESS' and not login_ex_impl and not accounts.has_api_access(key['username']):
            response_type = 'AUTH_ERR'  # 25.x: authenticate_plain, before the transport check
        if response_type == 'SUCCESS' and not ctx.app.secure_transport:
            # Per the NEP, a plain API key seen on an insecure transport is revoked at once (expiry -1; 25.10 also
            # stores a reason, 25.04's api_key.revoke has none).
            reason = 'Attempt to use over an insecure transport' if ctx.emu.personality.name != '25.04' else None
            accounts.revoke(key['id'], reason)
            response_type = 'EXPIRED'
        elif response_type == 'SUCCESS' and not accounts.has_api_access(key['username']):
            response_type = 'DENIED'  # 26 on: after the transport check
        elif response_type == 'SUCCESS':
            credentials = Credentials('API_KEY', accounts.users[key['username']], key)
    ctx.emu.stats.login(credentials is not None)
    if credentials is None:
        return {'response_type': response_type}
    ctx.app.credentials = credentials
    user_info = accounts.user_info(credentials) if data['login_options']['user_info'] else None
    response = {'response_type': 'SUCCESS', 'user_info': user_info, 'authenticator': 'LEVEL_1'}
    if ctx.emu.personality.at_least('26'):
        response['reconnect_token'] = None
    return response


# follows plugins/auth.py (login_ex) with api/v25_10_0/auth.py (AuthLoginExArgs)
@api_method('auth.login_ex', args=models.AuthLoginExArgs, auth=False)
async def login_ex(ctx, data):
    return await _login(ctx, data)


# follows plugins/auth.py (login: a PASSWORD_PLAIN login_ex without user_info)
@api_method('auth.login', args=models.AuthLoginArgs, auth=False)
async def login(ctx, username, password, otp_token=None):  # pylint: disable=unused-argument
    response = await _login(ctx, {'mechanism': 'PASSWORD_PLAIN', 'username': username, 'password': password,
                                  'login_options': {'user_info': False}})
    return response['response_type'] == 'SUCCESS'


# follows plugins/auth.py (login_with_api_key: unknown key id -> sleep 1-2 s, False; else API_KEY_PLAIN login_ex)
@api_method('auth.login_with_api_key', args=models.AuthLoginWithApiKeyArgs, auth=False)
async def login_with_api_key(ctx, api_key):
    key = ctx.emu.accounts.find_key(api_key)
    if key is None:
        if ctx.emu.realistic_delays:
            await asyncio.sleep(random.uniform(1, 2))
        ctx.emu.stats.login(False)
        return False
    response = await _login(ctx, {'mechanism': 'API_KEY_PLAIN', 'username': key['username'], 'api_key': api_key,
                                  'login_options': {'user_info': False}})
    return response['response_type'] == 'SUCCESS'


# follows plugins/auth.py (mechanism_choices) and utils/auth.py (AA_LEVEL1)
@api_method('auth.mechanism_choices', auth=False)
async def mechanism_choices(ctx):  # pylint: disable=unused-argument
    return list(MECHANISMS)


# follows plugins/auth.py (me, _me)
@api_method('auth.me')
async def me(ctx):
    return ctx.emu.accounts.user_info(ctx.app.credentials)
