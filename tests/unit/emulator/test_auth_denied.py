"""A user without API access (no privilege): auth.login_ex answers DENIED on 26 and 27 (NAS-139830), AUTH_ERR on
25.04 and 25.10; set through Emulator.set_api_access or the control socket's emulator.set_api_access."""

import pytest

from truenas_emulator.control import Control

from .conftest import API_KEY

PASSWORD = {'mechanism': 'PASSWORD_PLAIN', 'username': 'alice', 'password': 'Alice-Passw0rd!',
            'login_options': {'user_info': False}}
KEY = {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin', 'api_key': API_KEY}
ANSWER = {'25.04': 'AUTH_ERR', '25.10': 'AUTH_ERR', '26': 'DENIED', '27': 'DENIED'}


@pytest.mark.parametrize('version', ANSWER)
def test_user_without_api_access(make_emulator, connect, version):
    emu = make_emulator(version, users={'alice': PASSWORD['password']})
    emu.set_api_access('truenas_admin', False)
    emu.set_api_access('alice', False)
    client = connect(emu)
    assert client.call('auth.login_ex', KEY) == {'response_type': ANSWER[version]}
    assert client.call('auth.login_ex', PASSWORD) == {'response_type': ANSWER[version]}
    assert client.call('auth.login_with_api_key', API_KEY) is False
    assert client.error('auth.me')['data']['errname'] == 'ENOTAUTHENTICATED'
    assert emu.counters()['logins_failed'] == 3 and not emu.api_keys[0]['revoked']
    emu.set_api_access('truenas_admin')
    assert client.call('auth.login_ex', KEY)['response_type'] == 'SUCCESS'


@pytest.mark.parametrize('version, answer, revoked', [('25.10', 'AUTH_ERR', False), ('26', 'EXPIRED', True),
                                                      ('27', 'EXPIRED', True)])
def test_denied_key_on_plain_ws(make_emulator, connect, version, answer, revoked):
    """26+ checks the transport before API access (the key is revoked); 25.10's authenticate_plain fails first."""
    emu = make_emulator(version, tls=False)
    emu.set_api_access('truenas_admin', False)
    assert connect(emu).call('auth.login_ex', KEY) == {'response_type': answer}
    assert emu.api_keys[0]['revoked'] is revoked


@pytest.mark.parametrize('version, keys', [('25.10', {'response_type', 'user_info', 'authenticator'}),
                                           ('26', {'response_type', 'user_info', 'authenticator', 'reconnect_token'})])
def test_success_answer_per_release(make_emulator, connect, version, keys):
    answer = connect(make_emulator(version)).call('auth.login_ex', KEY)
    assert set(answer) == keys and answer.get('reconnect_token') is None


def test_api_access_over_the_control_socket_is_kept_in_the_state(make_emulator, connect, tmp_path):
    state = tmp_path / 'state.json'
    first = make_emulator('26', state_file=state, trust_loopback=True)
    first.stop()
    emu = first.upgraded('27').start(control_socket=tmp_path / 'ctl.sock')
    try:
        with Control(emu.control_socket_path) as control:
            control.set_api_access('truenas_admin', False)
            assert control.state()['api_access_denied'] == ['truenas_admin']
        assert connect(emu).call('auth.login_ex', KEY) == {'response_type': 'DENIED'}
    finally:
        emu.stop()
    assert make_emulator('27', state_file=state).accounts.denied == {'truenas_admin'}


def test_unknown_user_is_refused(make_emulator):
    with pytest.raises(ValueError):
        make_emulator('26').set_api_access('nobody', False)
