"""Client jobs: a job id TrueNAS gives back for another caller's queued job is never waited on as this run's."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

from .test_client import Clock

KEY = '7-s3cr3tKEYvalue'
SENT = {'service_type': 'ACTIVEDIRECTORY', 'enable': True,
        'credential': {'credential_type': 'KERBEROS_USER', 'username': 'nasjoin', 'password': 'pw-SECRET'},
        'configuration': {'domain': 'aadds.example.test', 'trusted_domains': []}}


def with_(base, **changes):
    merged = dict(base)
    merged.update(changes)
    return merged


REDACTED_CREDENTIAL = with_(SENT['credential'], password='********')


def entry(job_id, method, arguments, **fields):
    """A ``core.get_jobs`` entry (job.py ``Job.__encode__``)."""
    return dict({'id': job_id, 'method': method, 'arguments': arguments, 'state': 'WAITING'}, **fields)


def nas(fake_transport, job, later=None):
    """A NAS whose directoryservices.update answers job 7 and whose job list holds ``job``, then ``later``."""
    reads = iter([[job] if job else []] + [[later]] * 5)
    return fake_transport({'auth.login_ex': {'response_type': 'SUCCESS'}, 'core.subscribe': 's',
                           'directoryservices.update': 7, 'core.get_jobs': lambda params: next(reads)})


@pytest.mark.parametrize('recorded', [
    [with_(SENT, credential=REDACTED_CREDENTIAL)],
    [with_(SENT, credential=REDACTED_CREDENTIAL, timeout=60)],
    [with_(SENT, credential='********')],
    [with_(SENT, credential=REDACTED_CREDENTIAL), {'defaults': True}],
], ids=['redacted', 'defaults-filled-in', 'whole-credential-redacted', 'trailing-default-argument'])
def test_own_job_is_followed_to_its_result(fake_transport, recorded):
    transport = nas(fake_transport, entry(7, 'directoryservices.update', recorded),
                    later={'id': 7, 'state': 'SUCCESS', 'result': {'enable': True}})
    client = Client(transport, KEY, 'truenas_admin', clock=Clock())
    assert client.call_job('directoryservices.update', SENT) == {'enable': True}
    assert transport.methods()[:4] == ['auth.login_ex', 'core.subscribe', 'directoryservices.update', 'core.get_jobs']
    assert transport.calls[3] == ('core.get_jobs', [[['id', '=', 7]]])


def changed(job_id, **fields):
    """A ``core.get_jobs`` CHANGED event of job ``job_id``."""
    return {'jsonrpc': '2.0', 'method': 'collection_update',
            'params': {'msg': 'changed', 'collection': 'core.get_jobs', 'id': job_id, 'fields': fields}}


def test_own_job_already_done_needs_no_wait_and_shows_every_step(fake_transport):
    """A job that ended before its entry was read: the updates received meanwhile show its steps, in order."""
    steps = [{'percent': 50, 'description': 'Performing domain join.'},
             {'percent': 100, 'description': 'Cached 3 users and 4 groups.'}]
    transport = nas(fake_transport, entry(7, 'directoryservices.update', [SENT], state='SUCCESS', result='joined',
                                          progress=steps[1]))
    transport.notifications.extend([changed(7, state='RUNNING', progress=steps[0]), changed(8, progress=steps[0]),
                                    changed(7, state='SUCCESS', progress=steps[1])])
    seen = []
    assert Client(transport, KEY, 'truenas_admin').call_job('directoryservices.update', SENT,
                                                            on_progress=seen.append) == 'joined'
    assert transport.methods().count('core.get_jobs') == 1
    assert [job['progress'] for job in seen] == [steps[0], steps[1], steps[1]]
    assert not transport.notifications


def test_own_job_already_done_without_updates_shows_its_last_step(fake_transport):
    done = {'percent': 100, 'description': 'Cached 3 users and 4 groups.'}
    transport = nas(fake_transport, entry(7, 'directoryservices.update', [SENT], state='SUCCESS', result='joined',
                                          progress=done))
    seen = []
    assert Client(transport, KEY, 'truenas_admin').call_job('directoryservices.update', SENT,
                                                            on_progress=seen.append) == 'joined'
    assert transport.methods().count('core.get_jobs') == 1
    assert [job['progress'] for job in seen] == [done]


@pytest.mark.parametrize('method, recorded', [
    ('directoryservices.leave', [{'username': 'nasjoin', 'password': '********'}]),
    ('directoryservices.update', [with_(SENT, enable=False, credential=REDACTED_CREDENTIAL)]),
    ('directoryservices.update', [with_(SENT, configuration={'domain': 'other.example.test', 'trusted_domains': []})]),
    ('directoryservices.update', [{key: value for key, value in SENT.items() if key != 'enable'}]),
    ('directoryservices.update', [with_(SENT, configuration=dict(SENT['configuration'], trusted_domains=[{'x': 1}]))]),
    ('directoryservices.update', []),
    ('directoryservices.update', None),
], ids=['other-method', 'other-value', 'other-nested-value', 'key-missing', 'list-length', 'no-arguments', 'arguments-unknown'])
def test_another_callers_queued_job_raises_equeued(fake_transport, method, recorded):
    transport = nas(fake_transport, entry(12, method, recorded))
    transport.answers['directoryservices.update'] = 12
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'truenas_admin').call_job('directoryservices.update', SENT)
    exc = caught.value
    assert exc.errname == 'EQUEUED' and exc.job_id == 12 and exc.method == 'directoryservices.update'
    assert str(exc).startswith('directoryservices.update: TrueNAS gave this run job 12, which another caller queued with '
                               "other arguments (TrueNAS queues one such call at a time); nothing of this run's was sent.")
    assert 'job 12' in exc.hint
    assert exc.result()['error']['job_id'] == 12
    assert 'pw-SECRET' not in str(exc) + repr(exc.result())
    assert transport.methods().count('core.get_jobs') == 1 and transport.methods().count('directoryservices.update') == 1


def test_job_missing_from_the_list_is_lost(fake_transport):
    transport = nas(fake_transport, None)
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'truenas_admin').call_job('directoryservices.update', SENT)
    assert caught.value.errname == 'EJOBLOST' and 'job 7' in str(caught.value)


def test_transport_that_runs_jobs_itself_reads_no_job_list(fake_transport):
    class Runner(fake_transport):
        needs_login = False
        runs_jobs = True

        def request(self, method, params, timeout=None, job=False):
            assert job
            return super(Runner, self).request(method, params, timeout)

    transport = Runner({'directoryservices.update': {'enable': True}})
    assert Client(transport).call_job('directoryservices.update', SENT) == {'enable': True}
    assert transport.methods() == ['directoryservices.update']


def test_errors_without_a_job_id_keep_their_shape():
    assert 'job_id' not in TrueNASError('x', errname='EFAULT').result()['error']


def test_a_job_no_caller_can_share_is_waited_on_without_reading_it_first(fake_transport):
    """core.bulk runs under no lock: its job is this run's, and the converged verify run keeps its 3 calls."""
    transport = fake_transport({'auth.login_ex': {'response_type': 'SUCCESS'}, 'core.subscribe': 's', 'core.bulk': 9,
                                'core.get_jobs': [{'id': 9, 'state': 'SUCCESS', 'result': [1]}]})
    assert Client(transport, KEY, 'truenas_admin', clock=Clock()).call_job('core.bulk', 'user.query', [[]]) == [1]
    assert transport.methods() == ['auth.login_ex', 'core.subscribe', 'core.bulk', 'core.get_jobs']
