"""Versioned paths on every personality: GET /api/versions, /api/<version> (aliases too), the method set of each
version (ENOMETHOD for a method whose Args model it lacks), and 27's private login methods (counted when called)."""

import json
import urllib.request

import pytest
import websocket

from .conftest import API_KEY, RawClient

LISTED = {
    '25.04': ['v25.04.0', 'v25.04.1', 'v25.04.2'],
    '25.10': ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1'],
    '26': ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1', 'v25.10.2', 'v25.10.3', 'v25.10.4', 'v26.0.0'],
    '27': ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1', 'v25.10.2', 'v25.10.3', 'v25.10.4', 'v25.10.5',
           'v26.0.0', 'v27.0.0'],
}
LOGIN = {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin', 'api_key': API_KEY}


def http_url(emu, path):
    return emu.url.replace('ws://', 'http://').replace('/api/current', path)


def on_path(emu, path):
    return RawClient(emu.url.replace('/api/current', path))


@pytest.mark.parametrize('version', LISTED)
def test_versions_route_lists_all_but_v24_10(make_emulator, version):
    emu = make_emulator(version, tls=False)
    with urllib.request.urlopen(http_url(emu, '/api/versions'), timeout=5) as answer:
        assert answer.headers['Content-Type'].startswith('application/json')
        assert json.loads(answer.read()) == LISTED[version]


@pytest.mark.parametrize('version', LISTED)
def test_every_listed_version_and_v24_10_has_a_path(make_emulator, version):
    """core.ping (CorePingArgs from v25.04.0; a login needed on 25.04) on each path; v24.10 has no such model."""
    emu = make_emulator(version, tls=False)
    for api in LISTED[version]:
        answer = on_path(emu, f'/api/{api}').request('core.ping')
        assert answer['error']['data']['errname'] == 'ENOTAUTHENTICATED' if version == '25.04' else answer['result'] == 'pong'
    assert on_path(emu, '/api/v24.10').request('core.ping')['error']['data']['errname'] == 'ENOMETHOD'
    with pytest.raises(websocket.WebSocketBadStatusException):
        on_path(emu, '/api/v25.10.5' if version != '27' else '/api/v28.0.0')


@pytest.mark.parametrize('version', ('25.10', '26', '27'))
def test_a_method_newer_than_the_path_is_enomethod_before_login(make_emulator, version):
    """legacy_api_method.py: directoryservices.config has no Args model in v25.04.2: MethodNotFoundError, raised
    before the call is authorized (an unauthenticated call gets it too)."""
    emu = make_emulator(version, tls=False, trust_loopback=True)
    client = on_path(emu, '/api/v25.04.2')
    error = client.request('directoryservices.config')['error']
    assert error['code'] == -32001 and error['message'] == 'Method call error'
    assert error['data']['errname'] == 'ENOMETHOD'
    assert error['data']['reason'] == "[ENOMETHOD] Method 'config' not found in 'directoryservices'"
    assert client.request('auth.login_ex', LOGIN)['result']['response_type'] == 'SUCCESS'
    assert client.request('network.configuration.update', {})['error']['data']['reason'] == \
        "[ENOMETHOD] Method 'update' not found in 'network.configuration'"
    assert client.request('user.query', [['uid', '=', 0]])['result'][0]['username'] == 'root'  # v25.04.0 model
    current = on_path(emu, '/api/current')
    current.request('auth.login_ex', LOGIN)
    assert current.request('directoryservices.config')['result']['id'] == 1


def test_models_added_later_follow_the_path(make_emulator):
    """26 serves directoryservices.sync_keytab from v25.10.1 on (its Args model was backported there); 27 serves
    /api/v25.10.3 with v25.10.2's models (an alias); auth.login_with_api_key's 25.10 model is not in v25.04.x."""
    for version, path in (('26', '/api/v25.10.1'), ('27', '/api/v25.10.3')):
        client = on_path(make_emulator(version, tls=False, trust_loopback=True), path)
        assert client.request('auth.login_ex', LOGIN)['result']['response_type'] == 'SUCCESS'
        assert isinstance(client.request('directoryservices.sync_keytab')['result'], int)  # a job id
    client = on_path(make_emulator('26', tls=False), '/api/v25.10.0')
    assert client.request('directoryservices.sync_keytab')['error']['data']['errname'] == 'ENOMETHOD'
    client = on_path(make_emulator('25.10', tls=False), '/api/v25.04.2')
    assert client.request('auth.login_with_api_key', API_KEY)['error']['data']['errname'] == 'ENOMETHOD'


def test_25_04_accepts_methods_are_on_every_path(make_emulator):
    """25.04's @accepts methods (system.*, network.*) have no Args model: even /api/v24.10 serves them, while its
    pydantic ones (auth.login_ex) are not in v24.10."""
    client = on_path(make_emulator('25.04', tls=False), '/api/v24.10')
    assert client.request('auth.login_ex', LOGIN)['error']['data']['errname'] == 'ENOMETHOD'
    assert client.request('auth.login_with_api_key', API_KEY)['error']['data']['errname'] == 'ENOMETHOD'
    client = on_path(make_emulator('25.04', tls=False, trust_loopback=True), '/api/v25.04.0')
    assert client.request('auth.login_ex', LOGIN)['result']['response_type'] == 'SUCCESS'
    assert client.request('system.version')['result'] == 'TrueNAS-25.04.2'


@pytest.mark.parametrize('version', ('26', '27'))
def test_activedirectory_is_gone_on_every_path(make_emulator, version):
    emu = make_emulator(version, tls=False)
    for api in ['current', 'v24.10'] + LISTED[version]:
        client = on_path(emu, f'/api/{api}')
        error = client.request('activedirectory.config')['error']
        assert (error['code'], error['message']) == (-32601, 'Method does not exist')
        assert client.request('idmap.query')['error']['code'] == -32601


@pytest.mark.parametrize('path, private', [
    ('/api/current', True), ('/api/v27.0.0', True), ('/api/v26.0.0', False), ('/api/v25.10.1', False)])
def test_27_login_methods_are_private_on_27_paths(make_emulator, tmp_path, path, private):
    """removed_in='v27': private on /api/current and /api/v27.0.0 of 27, still run; counted and logged as such."""
    log = tmp_path / 'requests.jsonl'
    emu = make_emulator('27', tls=False, trust_loopback=True, request_log=str(log))
    client = on_path(emu, path)
    assert client.request('auth.login_with_api_key', API_KEY)['result'] is True
    assert client.request('auth.login', 'truenas_admin', 'wrong')['result'] is False
    assert client.request('auth.login_ex', LOGIN)['result']['response_type'] == 'SUCCESS'
    counters = emu.counters()
    expected = {'auth.login_with_api_key': 1, 'auth.login': 1} if private else {}
    assert counters['private_by_method'] == expected and counters['private_calls'] == len(expected)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line['method'] for line in lines if line['private']] == list(expected)


@pytest.mark.parametrize('version', ('25.04', '25.10', '26'))
def test_login_methods_are_public_before_27(make_emulator, version):
    emu = make_emulator(version, tls=False, trust_loopback=True)
    assert RawClient(emu.url).request('auth.login_with_api_key', API_KEY)['result'] is True
    assert emu.counters()['private_calls'] == 0


def test_private_methods_option_allows_the_call(make_emulator):
    emu = make_emulator('27', tls=False, trust_loopback=True)
    client = RawClient(emu.url)
    client.request('core.set_options', {'private_methods': True})
    assert client.request('auth.login_with_api_key', API_KEY)['result'] is True
    assert emu.counters()['private_calls'] == 0
