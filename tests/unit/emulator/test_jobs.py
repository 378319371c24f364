"""Jobs: ids, core.get_jobs entries, collection_update events, core.job_wait, legacy_jobs, outcomes."""

import time

import pytest

JOB_FIELDS = {'id', 'method', 'arguments', 'transient', 'description', 'abortable', 'logs_path', 'logs_excerpt',
              'progress', 'result', 'result_encoding_error', 'error', 'exception', 'exc_info', 'state',
              'time_started', 'time_finished', 'credentials'}
STEPS = ((20, 'Joining', 0.02), (80, 'Restarting services', 0.02))


def _job_nas(make_emulator, connect, version='25.10', steps=STEPS):
    emu = make_emulator(version)
    emu.add_job_method('test.job', steps, result=lambda *args: {'args': list(args)}, write=True)
    client = connect(emu)
    client.login()
    return emu, client


def _finished(job_id):
    return lambda params: params['id'] == job_id and params['msg'] == 'changed' and \
        params['fields']['state'] in ('SUCCESS', 'FAILED', 'ABORTED')


@pytest.mark.parametrize('version', ['25.04', '25.10'])
def test_job_events_and_entry(make_emulator, connect, version):
    emu, client = _job_nas(make_emulator, connect, version)
    subscription = client.call('core.subscribe', 'core.get_jobs')
    assert isinstance(subscription, str) and len(subscription) == 36
    job_id = client.call('test.job', 'a', 1)
    assert isinstance(job_id, int)
    done = client.wait_event(_finished(job_id))
    assert done['collection'] == 'core.get_jobs' and done['fields']['state'] == 'SUCCESS'
    kinds = [(n['params']['msg'], n['params']['fields']['state']) for n in client.notifications]
    assert kinds[0] == ('added', 'WAITING') and ('changed', 'RUNNING') in kinds
    descriptions = [n['params']['fields']['progress']['description'] for n in client.notifications]
    assert 'Joining' in descriptions and 'Restarting services' in descriptions
    entry = client.call('core.get_jobs', [['id', '=', job_id]], {'get': True})
    expected = JOB_FIELDS | ({'message_ids'} if version == '25.10' else set())
    assert set(entry) == expected
    assert entry['result'] == {'args': ['a', 1]} and entry['arguments'] == ['a', 1]
    assert entry['progress'] == {'percent': 80, 'description': 'Restarting services', 'extra': None}
    assert entry['exc_info'] is None and entry['error'] is None
    assert entry['time_finished']['$date'] >= entry['time_started']['$date']
    assert entry['credentials']['type'] == 'API_KEY'
    assert entry['credentials']['data']['username'] == 'truenas_admin'
    assert emu.counters()['writes_by_method'] == {'test.job': 1}


def test_unsubscribed_clients_get_no_events(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect, steps=())
    subscription = client.call('core.subscribe', 'core.get_jobs')
    client.call('core.unsubscribe', subscription)
    watcher = connect(emu)  # not logged in: may not subscribe at all
    assert watcher.error('core.subscribe', 'core.get_jobs')['data']['errname'] == 'ENOTAUTHENTICATED'
    job_id = client.call('test.job')
    wait = client.call('core.job_wait', job_id)
    time.sleep(0.1)
    assert client.call('core.get_jobs', [['id', '=', wait]], {'get': True})['state'] == 'SUCCESS'
    assert not client.notifications


def test_job_wait_is_a_job_with_the_target_result(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    client.call('core.subscribe', 'core.get_jobs')
    job_id = client.call('test.job', 'x')
    wait_id = client.call('core.job_wait', job_id)
    assert wait_id != job_id
    done = client.wait_event(_finished(wait_id))
    assert done['fields']['state'] == 'SUCCESS' and done['fields']['result'] == {'args': ['x']}
    assert done['fields']['method'] == 'core.job_wait'
    assert emu.counters()['writes'] == 1


def test_job_wait_for_a_missing_job_fails_the_wait_job(nas):
    dummy, client = nas
    client.call('core.subscribe', 'core.get_jobs')
    wait_id = client.call('core.job_wait', 4242)
    fields = client.wait_event(_finished(wait_id))['fields']
    assert fields['state'] == 'FAILED'
    assert fields['exc_info'] == {'repr': fields['exc_info']['repr'], 'type': 'VALIDATION', 'errno': 2,
                                  'extra': [[None, 'Job with id 4242 does not exist', 2]]}


def test_legacy_jobs_off_returns_the_result(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    assert client.call('core.set_options', {'legacy_jobs': False})['legacy_jobs'] is False
    assert client.call('test.job', 5) == {'args': [5]}
    emu.faults.set('job_outcome', method='test.job', error='Domain unreachable', errno=113)
    error = client.error('test.job')
    assert error['code'] == -32001 and error['data']['reason'] == '[EHOSTUNREACH] Domain unreachable'


def test_bulk_calls_each_entry_and_keeps_failures_as_entry_errors(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    assert client.call('core.set_options', {'legacy_jobs': False})['legacy_jobs'] is False
    answers = client.call('core.bulk', 'core.bulk', [
        ['user.get_user_obj', [[{'username': 'root'}], [{'username': 'nobody-here'}]]],
        ['test.job', [['a']]], ['user.no_such_method', [[]]]])
    users, jobs, missing = (answer['result'] for answer in answers)
    assert users[0]['error'] is None and users[0]['result']['pw_uid'] == 0
    assert users[1] == {'job_id': None, 'result': None, 'error': "'nobody-here: user with this name does not exist'"}
    assert jobs[0]['result'] == {'args': ['a']} and isinstance(jobs[0]['job_id'], int)
    assert missing is None and answers[2]['error'] == "[ENOMETHOD] Method 'no_such_method' not found in 'user'"
    assert emu.counters()['by_method']['core.bulk'] == 1 and 'user.get_user_obj' not in emu.counters()['by_method']


def test_job_outcome_failed(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    emu.faults.set('job_outcome', method='test.job', error='Kerberos said no', errno=13, extra={'step': 'kinit'})
    client.call('core.subscribe', 'core.get_jobs')
    fields = client.wait_event(_finished(client.call('test.job')))['fields']
    assert fields['state'] == 'FAILED' and fields['error'] == '[EACCES] Kerberos said no'
    assert fields['exc_info']['type'] == 'CallError' and fields['exc_info']['errno'] == 13
    assert fields['exc_info']['extra'] == {'step': 'kinit'}
    assert 'CallError' in fields['exception'] and fields['result'] is None
    assert emu.counters()['writes'] == 0
    assert client.wait_event(_finished(client.call('test.job')))['fields']['state'] == 'SUCCESS'  # next one is fine


def test_job_outcome_validation(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    emu.faults.set('job_outcome', method='test.job', validation=[['activedirectory.bindpw', 'Bad password', 22]])
    client.call('core.subscribe', 'core.get_jobs')
    fields = client.wait_event(_finished(client.call('test.job')))['fields']
    assert fields['exc_info']['type'] == 'VALIDATION' and fields['exc_info']['errno'] is None
    assert fields['exc_info']['extra'] == [['activedirectory.bindpw', 'Bad password', 22]]
    assert fields['error'] == '[EINVAL] activedirectory.bindpw: Bad password\n'


def test_job_outcome_aborted(make_emulator, connect):
    emu, client = _job_nas(make_emulator, connect)
    emu.faults.set('job_outcome', method='test.job', state='ABORTED')
    client.call('core.subscribe', 'core.get_jobs')
    fields = client.wait_event(_finished(client.call('test.job')))['fields']
    assert fields['state'] == 'ABORTED' and fields['error'] is None and fields['exc_info'] is None


def test_get_jobs_filters_and_options(make_emulator, connect):
    dummy, client = _job_nas(make_emulator, connect, steps=())
    ids = [client.call('test.job', n) for n in range(3)]
    time.sleep(0.1)
    assert [job['id'] for job in client.call('core.get_jobs', [['method', '=', 'test.job']])] == ids
    assert client.call('core.get_jobs', [['id', 'in', ids[1:]]], {'count': True}) == 2
    assert client.call('core.get_jobs', [], {'order_by': ['-id'], 'limit': 1, 'select': ['id']}) == [{'id': ids[-1]}]
    error = client.error('core.get_jobs', [['id', 'like', 1]])
    assert error['data']['extra'] == [['filters', 'Value error, Invalid operation: like', 22]]
