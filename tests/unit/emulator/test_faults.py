"""Fault switches: dropped connections (mid-call, mid-job), delays, and their bookkeeping."""

import time

import pytest
import websocket

UPDATE = 'network.configuration.update'
DROPPED = (websocket.WebSocketConnectionClosedException, ConnectionError)


def test_drop_on_call_before_execution(nas, connect):
    emu, client = nas
    emu.faults.set('drop_on_call', method=UPDATE)
    with pytest.raises(DROPPED):
        client.request(UPDATE, {'nameserver1': '192.0.2.53'})
    assert emu.network_config['nameserver1'] == ''
    again = connect(emu)  # the switch was used up
    again.login()
    assert again.call(UPDATE, {'nameserver1': '192.0.2.53'})['nameserver1'] == '192.0.2.53'


def test_drop_on_call_after_execution_loses_only_the_reply(nas):
    emu, client = nas
    emu.faults.set('drop_on_call', method=UPDATE, after_execute=True)
    with pytest.raises(DROPPED):
        client.request(UPDATE, {'nameserver1': '192.0.2.53'})
    assert emu.network_config['nameserver1'] == '192.0.2.53'
    assert emu.counters()['writes'] == 1


def test_drop_on_call_lets_skipped_calls_through(nas):
    emu, client = nas
    emu.faults.set('drop_on_call', method=UPDATE, skip=1)
    assert client.call(UPDATE, {'nameserver1': '198.18.0.53'})['nameserver1'] == '198.18.0.53'
    with pytest.raises(DROPPED):
        client.request(UPDATE, {'nameserver1': '198.18.0.54'})
    assert emu.network_config['nameserver1'] == '198.18.0.53' and emu.faults.active() == []


def test_other_methods_are_not_dropped(nas):
    emu, client = nas
    emu.faults.set('drop_on_call', method=UPDATE)
    assert client.call('core.ping') == 'pong'
    assert [fault['name'] for fault in emu.faults.active()] == ['drop_on_call']
    emu.faults.clear()
    assert client.call(UPDATE, {'nameserver1': '192.0.2.53'})['nameserver1'] == '192.0.2.53'


def test_drop_during_job_keeps_the_job_running(make_emulator, connect):
    emu = make_emulator()
    emu.add_job_method('test.job', [(50, 'Working', 0.2)], result='done')
    client = connect(emu)
    client.login()
    emu.faults.set('drop_during_job', method='test.job')
    job_id = client.call('test.job')  # the id still arrives, then the connection goes
    with pytest.raises(DROPPED):
        client.request('core.ping')
    other = connect(emu)
    other.login()
    assert other.call('core.get_jobs', [['id', '=', job_id]], {'get': True})['state'] == 'RUNNING'
    time.sleep(0.3)
    assert other.call('core.get_jobs', [['id', '=', job_id]], {'get': True})['result'] == 'done'


def test_delay_one_method(nas):
    emu, client = nas
    emu.faults.set('delay', seconds=0.3, method='system.version')
    started = time.monotonic()
    client.call('core.ping')
    assert time.monotonic() - started < 0.2
    client.call('system.version')
    assert time.monotonic() - started >= 0.3


def test_delay_every_call_until_cleared(nas):
    emu, client = nas
    emu.faults.set('delay', seconds=0.15)
    started = time.monotonic()
    client.call('core.ping')
    client.call('system.ready')
    assert time.monotonic() - started >= 0.3
    emu.faults.clear('delay')
    started = time.monotonic()
    client.call('core.ping')
    assert time.monotonic() - started < 0.15


def test_delayed_calls_answer_out_of_order(nas):
    emu, client = nas
    emu.faults.set('delay', seconds=0.2, method='system.version')
    client.send({'jsonrpc': '2.0', 'id': 1, 'method': 'system.version', 'params': []})
    client.send({'jsonrpc': '2.0', 'id': 2, 'method': 'core.ping', 'params': []})
    assert [client.recv()['id'], client.recv()['id']] == [2, 1]


def test_clock_offset_shifts_the_nas_clock_until_cleared(nas):
    emu, client = nas

    def offset():
        return client.call('system.info')['datetime']['$date'] / 1000.0 - time.time()

    emu.faults.set('clock_offset', seconds=-600)
    assert abs(offset() + 600) < 1 and abs(offset() + 600) < 1
    emu.faults.clear('clock_offset')
    assert abs(offset()) < 1


@pytest.mark.parametrize('name, params', [
    ('nosuch', {}),
    ('drop_on_call', {}),
    ('delay', {'seconds': 1, 'bogus': True}),
    ('job_outcome', {'method': 'x', 'state': 'SUCCESS'}),
])
def test_bad_fault_settings_are_refused(nas, name, params):
    emu, dummy = nas
    with pytest.raises(ValueError):
        emu.faults.set(name, **params)
