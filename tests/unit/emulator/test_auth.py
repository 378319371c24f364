"""auth.*: logins, the auth gate, API key revocation over plain ws:// (the rate limit: test_rate_limit.py)."""

import pytest

from .conftest import API_KEY


def _api_key_login(client, key=API_KEY, username='truenas_admin', **options):
    return client.call('auth.login_ex', {'mechanism': 'API_KEY_PLAIN', 'username': username, 'api_key': key,
                                         **options})


def test_login_ex_success_carries_user_info(make_emulator, connect):
    emu = make_emulator()
    client = connect(emu)
    result = _api_key_login(client)
    assert result['response_type'] == 'SUCCESS' and result['authenticator'] == 'LEVEL_1'
    info = result['user_info']
    assert info['pw_name'] == 'truenas_admin' and info['pw_uid'] == 950 and info['local'] is True
    assert info['account_attributes'] == ['LOCAL', 'API_KEY', 'SYS_ADMIN']
    assert info['privilege']['roles'] == {'$set': ['FULL_ADMIN']}
    assert client.call('auth.me')['pw_name'] == 'truenas_admin'
    assert emu.counters()['logins_ok'] == 1


def test_login_ex_without_user_info(nas, connect):
    emu, dummy = nas
    result = _api_key_login(connect(emu), login_options={'user_info': False})
    assert result == {'response_type': 'SUCCESS', 'user_info': None, 'authenticator': 'LEVEL_1'}


@pytest.mark.parametrize('key, username', [
    ('1-wrongsecret', 'truenas_admin'),
    (API_KEY, 'root'),
    ('99-secretsecret', 'truenas_admin'),
    ('garbage', 'truenas_admin'),
])
def test_login_ex_bad_key_is_auth_err(make_emulator, connect, key, username):
    emu = make_emulator()
    client = connect(emu)
    assert _api_key_login(client, key, username) == {'response_type': 'AUTH_ERR'}
    assert client.error('system.version')['data']['errname'] == 'ENOTAUTHENTICATED'
    assert emu.counters()['logins_failed'] == 1


def test_password_logins(make_emulator, connect):
    emu = make_emulator(users={'truenas_admin': 'pw'})
    client = connect(emu)
    assert client.call('auth.login', 'truenas_admin', 'nope') is False
    bad = client.call('auth.login_ex', {'mechanism': 'PASSWORD_PLAIN', 'username': 'root', 'password': 'pw'})
    assert bad == {'response_type': 'AUTH_ERR'}
    assert client.call('auth.login', 'truenas_admin', 'pw') is True
    assert client.call('system.version') == 'TrueNAS-25.10.1'


def test_login_ex_argument_errors(make_emulator, connect):
    client = connect(make_emulator())
    error = client.error('auth.login_ex', {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin'})
    assert error['data']['extra'] == [['login_data.API_KEY_PLAIN.api_key', 'Field required', 22]]
    error = client.error('auth.login_ex', {'username': 'x'})
    assert error['data']['extra'] == [['login_data.mechanism', 'Field required', 22]]
    error = client.error('auth.login_ex', {'mechanism': 'OTP_TOKEN', 'otp_token': '123456'})
    assert error['data']['reason'] == '[EINVAL] OTP_TOKEN: no authentication in progress'


def test_mechanism_choices(make_emulator, connect):
    client = connect(make_emulator())
    assert client.call('auth.mechanism_choices') == ['API_KEY_PLAIN', 'TOKEN_PLAIN', 'PASSWORD_PLAIN']


def test_not_authenticated(make_emulator, connect):
    emu = make_emulator()
    error = connect(emu).error('network.configuration.config')
    assert error['code'] == -32001
    assert error['data']['error'] == 207 and error['data']['errname'] == 'ENOTAUTHENTICATED'
    assert error['data']['reason'] == '[ENOTAUTHENTICATED] Not authenticated'
    assert emu.counters()['unauthenticated'] == 1


def test_api_key_over_plain_ws_is_revoked_and_stays_revoked(make_emulator, connect, tmp_path):
    state = tmp_path / 'state.json'
    plain = make_emulator(tls=False, state_file=state)
    assert _api_key_login(connect(plain)) == {'response_type': 'EXPIRED'}
    assert plain.api_keys[0]['revoked'] is True
    assert plain.api_keys[0]['revoked_reason'] == 'Attempt to use over an insecure transport'
    assert connect(plain).call('auth.login_with_api_key', API_KEY) is False
    plain.stop()
    again = make_emulator(tls=True, state_file=state)  # same NAS, restarted with TLS
    client = connect(again)
    assert _api_key_login(client) == {'response_type': 'EXPIRED'}
    assert client.call('auth.login_with_api_key', API_KEY) is False
    assert again.counters()['logins_failed'] == 2


@pytest.mark.parametrize('version, reason', [('25.04', None), ('25.10', 'Attempt to use over an insecure transport')])
def test_a_key_sent_over_plain_ws_no_longer_works_over_wss(make_emulator, connect, version, reason):
    emu = make_emulator(version, plain=True)
    before = connect(emu)
    before.login()
    plain = connect(emu, plain=True)
    assert emu.plain_url.startswith('ws://') and emu.url.startswith('wss://')
    assert _api_key_login(plain) == {'response_type': 'EXPIRED'}
    assert plain.error('system.version')['data']['errname'] == 'ENOTAUTHENTICATED'
    assert [(key['revoked'], key['revoked_reason']) for key in emu.api_keys] == [(True, reason)]
    after = connect(emu)
    assert _api_key_login(after) == {'response_type': 'EXPIRED'}
    assert after.call('auth.login_with_api_key', API_KEY) is False
    assert after.error('system.version')['data']['errname'] == 'ENOTAUTHENTICATED'
    assert before.call('system.version')  # api_key.revoke ends no session that is already logged in
    seen = emu.counters()
    assert seen['logins_ok'] == 1 and seen['logins_failed'] == 3


def test_login_with_api_key_over_tls(nas, connect):
    emu, dummy = nas
    client = connect(emu)
    assert client.call('auth.login_with_api_key', '7-unknown') is False
    assert client.call('auth.login_with_api_key', API_KEY) is True
    assert client.call('core.ping') == 'pong'
    assert emu.api_keys[0]['revoked'] is False


def test_loopback_counts_as_secure_when_trusted(make_emulator, connect):
    emu = make_emulator(tls=False, trust_loopback=True)
    assert _api_key_login(connect(emu))['response_type'] == 'SUCCESS'
