"""Transport: JSON-RPC 2.0 message shapes, error objects, routes, TLS and the unix socket."""

import json
import ssl
import urllib.request

import pytest
import websocket

from .conftest import RawClient


def test_success_response_shape(nas):
    dummy, client = nas
    assert client.request('core.ping', id_='abc') == {'jsonrpc': '2.0', 'result': 'pong', 'id': 'abc'}


def test_invalid_json_is_parse_error_with_null_id(nas):
    dummy, client = nas
    client.send('{"jsonrpc": ')
    response = client.recv()
    assert response['id'] is None
    assert response['error']['code'] == -32700


@pytest.mark.parametrize('payload, message', [
    ('[]', 'Batch messages are not supported at this time'),
    ('5', 'Invalid Message Format'),
])
def test_non_object_messages(nas, payload, message):
    dummy, client = nas
    client.send(payload)
    assert client.recv()['error'] == {'code': -32700, 'message': message}


@pytest.mark.parametrize('message, reason', [
    ({'id': 1, 'method': 'core.ping'}, "Missing 'jsonrpc' member"),
    ({'jsonrpc': '1.0', 'id': 1, 'method': 'core.ping'}, "'jsonrpc' member must be of type string and must be exactly '2.0'"),
    ({'jsonrpc': '2.0', 'id': 1}, "Missing 'method' member"),
    ({'jsonrpc': '2.0', 'id': 1, 'method': 'core.ping', 'params': {}}, "'params' member must be of type array"),
])
def test_invalid_request(nas, message, reason):
    dummy, client = nas
    client.send(message)
    assert client.recv() == {'jsonrpc': '2.0', 'error': {'code': -32600, 'message': reason}, 'id': 1}


def test_unknown_method(nas):
    dummy, client = nas
    assert client.error('nosuch.method') == {'code': -32601, 'message': 'Method does not exist'}


def test_notifications_get_no_answer(nas):
    dummy, client = nas
    client.send({'jsonrpc': '2.0', 'method': 'nosuch.method', 'params': []})
    client.send({'jsonrpc': '2.0', 'method': 'core.ping'})
    assert client.request('core.ping', id_=7)['id'] == 7
    assert not client.notifications


def test_validation_error_object(nas):
    dummy, client = nas
    error = client.error('core.get_jobs', [], {'bogus': True}, 'third')
    assert error['code'] == -32602 and error['message'] == 'Invalid params'
    data = error['data']
    assert data['error'] == 22 and data['errname'] == 'EINVAL'
    assert data['extra'] == [['', 'Too many arguments (expected 2, found 3)', 22]]
    assert data['reason'] == '[EINVAL] : Too many arguments (expected 2, found 3)\n'
    assert set(data) == {'error', 'errname', 'reason', 'trace', 'extra'}


def test_pydantic_errors_are_joined_paths(nas):
    dummy, client = nas
    error = client.error('core.get_jobs', [], {'bogus': True})
    assert error['data']['extra'] == [['options.bogus', 'Extra inputs are not permitted', 22]]


def test_call_error_object(nas):
    dummy, client = nas
    error = client.error('core.get_jobs', [['id', '=', 12345]], {'get': True})
    assert error['code'] == -32001 and error['message'] == 'Method call error'
    assert error['data']['errname'] == 'EINVAL' and error['data']['reason'] == 'MatchNotFound()'
    assert error['data']['trace']['class'] == 'MatchNotFound'


def test_unknown_path_is_404(make_emulator):
    emu = make_emulator(tls=False)
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        RawClient(emu.url.replace('/api/current', '/api/v99.0.0'))
    assert info.value.status_code == 404


@pytest.mark.parametrize('version, path, ok', [
    ('25.10', '/api/v25.10.1', True),
    ('25.10', '/api/v25.04.2', True),
    ('25.04', '/api/v25.10.1', False),
    ('25.04', '/websocket', False),
])
def test_pinned_paths_follow_the_release(make_emulator, version, path, ok):
    emu = make_emulator(version, tls=False)
    url = emu.url.replace('/api/current', path)
    if ok:
        assert RawClient(url).request('auth.mechanism_choices')['result']
    else:
        with pytest.raises(websocket.WebSocketBadStatusException):
            RawClient(url)


def test_api_versions_route(make_emulator):
    emu = make_emulator('25.04', tls=False)
    url = emu.url.replace('ws://', 'http://').replace('/api/current', '/api/versions')
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert json.loads(answer.read()) == ['v25.04.0', 'v25.04.1', 'v25.04.2']


def test_tls_is_verified_against_the_lab_ca(nas, certs):
    emu, dummy = nas
    assert emu.url.startswith('wss://127.0.0.1:')
    with pytest.raises(ssl.SSLError):
        RawClient(emu.url, ca=None)  # system CAs do not know the lab CA
    assert RawClient(emu.url, ca=certs['ca']).request('auth.mechanism_choices')['result']


def test_unix_socket_is_root_without_login(make_emulator, connect):
    emu = make_emulator(unix=True)
    client = connect(emu, unix=True)
    assert client.call('system.version_short') == '25.10.1'
    me = client.call('auth.me')
    assert me['pw_name'] == 'root' and me['pw_uid'] == 0 and 'SYS_ADMIN' in me['account_attributes']
    assert emu.counters()['unauthenticated'] == 0


def test_dates_are_extended_json(nas):
    dummy, client = nas
    info = client.call('system.info')
    assert isinstance(info['datetime']['$date'], int) and isinstance(info['boottime']['$date'], int)
    assert info['version'] == '25.10.1'


def test_anonymous_messages_over_8k_close_the_connection(make_emulator, connect):
    client = connect(make_emulator())
    client.send({'jsonrpc': '2.0', 'id': 1, 'method': 'auth.login_ex', 'params': ['x' * 9000]})
    opcode, frame = client.ws.recv_data_frame(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], 'big') == 1007
    assert frame.data[2:] == b'Anonymous connection max message length is 8 kB'


def test_at_most_twenty_calls_in_flight_per_connection(nas):
    emu, client = nas
    emu.faults.set('delay', seconds=0.2, method='core.ping')
    for request_id in range(1, 22):
        client.send({'jsonrpc': '2.0', 'id': request_id, 'method': 'core.ping', 'params': []})
    first = client.recv()
    assert first == {'jsonrpc': '2.0', 'id': 21, 'error': {
        'code': -32000, 'message': 'Maximum number of concurrent calls (20) has exceeded'}}
    assert sorted(client.recv()['id'] for dummy in range(20)) == list(range(1, 21))
