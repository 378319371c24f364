"""Client: login choice, secrets, retries, jobs and version gates, against a fake transport."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

KEY = '7-s3cr3tKEYvalue'


def dropped(method):
    return TrueNASError('connection to fake failed during %s' % method, method=method, errname='ECONNECTION')


class Clock:
    """A clock that advances a little on every read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.01
        return self.now


def test_login_ex_with_username_then_one_connection(fake_transport):
    transport = fake_transport({'auth.login_ex': {'response_type': 'SUCCESS'}, 'network.configuration.config': {'domain': 'x'}})
    client = Client(transport, KEY, 'truenas_admin')
    client.call('network.configuration.config')
    client.call('network.configuration.config')
    assert transport.connects == 1
    assert transport.methods() == ['auth.login_ex', 'network.configuration.config', 'network.configuration.config']
    login = transport.calls[0][1][0]
    assert login['mechanism'] == 'API_KEY_PLAIN' and login['username'] == 'truenas_admin' and login['api_key'] == KEY


def test_login_falls_back_when_login_ex_missing(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'core.ping': 'pong'})
    Client(transport, KEY, 'truenas_admin').call('core.ping')
    assert transport.methods() == ['auth.login_ex', 'auth.login_with_api_key', 'core.ping']


def test_login_without_username_uses_login_with_api_key(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'core.ping': 'pong'})
    Client(transport, KEY).call('core.ping')
    assert transport.methods() == ['auth.login_with_api_key', 'core.ping']


@pytest.mark.parametrize('response, errname, words', [
    ('AUTH_ERR', 'AUTH_ERR', 'rejected'),
    ('EXPIRED', 'EXPIRED', 'revoked'),
    ('OTP_REQUIRED', 'OTP_REQUIRED', 'one-time password'),
])
def test_refused_login_is_named_and_never_shows_the_key(fake_transport, response, errname, words):
    transport = fake_transport({'auth.login_ex': {'response_type': response}})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'truenas_admin').call('core.ping')
    assert caught.value.errname == errname
    assert words in str(caught.value)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.result())
    assert 'core.ping' not in transport.methods()


@pytest.mark.parametrize('username, method', [('truenas_admin', 'auth.login_ex'), (None, 'auth.login_with_api_key')])
def test_rate_limited_login_names_the_limit_and_what_to_do(fake_transport, username, method):
    busy = TrueNASError('%s failed [EBUSY]: [EBUSY] Rate Limit Exceeded' % method, method=method, errname='EBUSY',
                        reason='[EBUSY] Rate Limit Exceeded')
    transport = fake_transport({method: busy})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, username).call('network.configuration.update', {'domain': 'x'})
    text = str(caught.value)
    assert text.startswith('TrueNAS refused the login to fake://nas: Rate Limit Exceeded (more than 20 logins a '
                           'minute from this address); nothing was sent to it before. Hint: ')
    assert 'wait a minute' in text and 'fewer module runs against this NAS per minute' in text
    assert caught.value.errname == 'EBUSY' and KEY not in text + repr(caught.value.result())
    assert transport.methods() == [method]


def test_legacy_login_false_is_auth_error(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': False})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('core.ping')
    assert caught.value.errname == 'AUTH_ERR'


def test_plain_ws_with_key_is_refused_before_connecting(fake_transport):
    transport = fake_transport()
    transport.secure = False
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('core.ping')
    assert caught.value.errname == 'EINSECURE'
    assert 'revokes' in str(caught.value)
    assert transport.connects == 0 and transport.calls == []


def test_missing_key_is_named(fake_transport):
    transport = fake_transport()
    with pytest.raises(TrueNASError) as caught:
        Client(transport).call('core.ping')
    assert 'api_key' in str(caught.value)
    assert transport.connects == 0


def test_local_transport_needs_no_login(fake_transport):
    transport = fake_transport({'core.ping': 'pong'})
    transport.needs_login = False
    assert Client(transport).call('core.ping') == 'pong'
    assert transport.methods() == ['core.ping']


def test_read_survives_one_dropped_connection(fake_transport):
    state = {'drops': 1}

    def config(params):
        if state['drops']:
            state['drops'] -= 1
            raise dropped('network.configuration.config')
        return {'domain': 'a'}

    transport = fake_transport({'auth.login_with_api_key': True, 'network.configuration.config': config})
    client = Client(transport, KEY)
    assert client.call('network.configuration.config') == {'domain': 'a'}
    assert transport.connects == 2 and client.reconnects == 1
    assert transport.methods().count('auth.login_with_api_key') == 2


def test_write_is_never_sent_twice(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True,
                                'network.configuration.update': dropped('network.configuration.update')})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('network.configuration.update', {'domain': 'a'})
    assert caught.value.errname == 'ECONNECTION'
    assert transport.methods().count('network.configuration.update') == 1


def entry(job_id, method, *arguments, **fields):
    """A ``core.get_jobs`` entry (job.py ``Job.__encode__``)."""
    return dict({'id': job_id, 'method': method, 'arguments': list(arguments), 'state': 'WAITING'}, **fields)


def job_event(job_id, **fields):
    fields['id'] = job_id
    return {'jsonrpc': '2.0', 'method': 'collection_update',
            'params': {'msg': 'changed', 'collection': 'core.get_jobs', 'id': job_id, 'fields': fields}}


def test_job_result_from_events(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'core.subscribe': 'sub-1', 'directoryservices.update': 42,
                                'core.get_jobs': [entry(42, 'directoryservices.update', {'enable': True})]})
    transport.notifications = [
        job_event(41, state='SUCCESS'),
        job_event(42, state='RUNNING', progress={'percent': 50, 'description': 'Performing domain join.'}),
        job_event(42, state='SUCCESS', result={'enable': True}),
    ]
    seen = []
    result = Client(transport, KEY).call_job('directoryservices.update', {'enable': True},
                                             on_progress=lambda job: seen.append(job['state']))
    assert result == {'enable': True}
    assert seen == ['RUNNING', 'SUCCESS']
    assert transport.methods() == ['auth.login_with_api_key', 'core.subscribe', 'directoryservices.update', 'core.get_jobs']


def test_failed_job_raises_with_fields(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'core.subscribe': 's', 'directoryservices.update': 5,
                                'core.get_jobs': [entry(5, 'directoryservices.update', {})]})
    transport.notifications = [job_event(5, state='FAILED', error='[EINVAL] domain: bad',
                                         exc_info={'type': 'VALIDATION', 'extra': [['x.configuration.domain', 'bad', 22]]})]
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call_job('directoryservices.update', {})
    assert caught.value.field_errors('configuration.domain') == ['bad']


def test_job_polls_when_events_are_quiet(fake_transport):
    polls = iter([[entry(9, 'x.job')], [{'id': 9, 'state': 'RUNNING'}], [{'id': 9, 'state': 'SUCCESS', 'result': 'done'}]])
    transport = fake_transport({'auth.login_with_api_key': True, 'core.subscribe': 's', 'x.job': 9,
                                'core.get_jobs': lambda params: next(polls)})
    clock = Clock()
    assert Client(transport, KEY, clock=clock).call_job('x.job') == 'done'
    assert transport.calls[-1] == ('core.get_jobs', [[['id', '=', 9]]])


def test_job_wait_times_out_with_state(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'core.subscribe': 's', 'x.job': 3,
                                'core.get_jobs': [entry(3, 'x.job', state='RUNNING')]})
    clock = Clock()
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, clock=clock).call_job('x.job', timeout=1)
    assert caught.value.errname == 'ETIMEDOUT'
    assert 'still RUNNING' in str(caught.value)


def test_dropped_connection_mid_job_resumes_without_second_start(fake_transport):
    state = {'dropped': False, 'read': False}

    def get_jobs(params):
        if not state['read']:
            state['read'] = True
            return [entry(11, 'x.job')]
        if not state['dropped']:
            state['dropped'] = True
            raise dropped('core.get_jobs')
        return [{'id': 11, 'state': 'SUCCESS', 'result': 'joined'}]

    transport = fake_transport({'auth.login_with_api_key': True, 'core.subscribe': 's', 'x.job': 11, 'core.get_jobs': get_jobs})
    client = Client(transport, KEY, clock=Clock())
    assert client.call_job('x.job') == 'joined'
    assert transport.methods().count('x.job') == 1
    assert client.reconnects == 1


def test_version_is_read_once_and_gates(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'system.version_short': '25.04.2'})
    client = Client(transport, KEY)
    client.require('activedirectory.update')
    with pytest.raises(TrueNASError) as caught:
        client.require('directoryservices.update')
    assert caught.value.errname == 'EVERSION' and '25.04.2' in str(caught.value)
    assert transport.methods().count('system.version_short') == 1


def test_unsupported_release_is_refused(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': True, 'system.version_short': '24.10.2'})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).require('network.configuration.update')
    assert 'not supported' in str(caught.value) and '24.10.2' in str(caught.value) and '25.04' in str(caught.value)
