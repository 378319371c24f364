"""The one driver (_module.drive): how every module ends, whatever its backend."""

import json
from contextlib import contextmanager

import pytest
from ansible.module_utils import basic

from ansible_collections.nasjoin.entra.plugins.module_utils import _module
from ansible_collections.nasjoin.entra.plugins.module_utils._azure.errors import AzureError
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import MissingLibrary, NasjoinError
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

from ...module_args import patch_module_args

SECRET = 'CANARYdriverSecretDoNotLeak'
SPEC = {'password': {'type': 'str', 'no_log': True}, 'name': {'type': 'str'}}


@contextmanager
def session(module, connection):
    connection['via'] = 'test'
    yield 'client'


def drive(logic, session_=session, **args):
    with patch_module_args(dict({'password': SECRET, 'name': 'nas1', '_ansible_diff': False}, **args)), \
            pytest.raises(SystemExit) as ended:
        _module.drive(SPEC, session_, logic)
    return ended.value.code


def result(capsys):
    out = capsys.readouterr().out
    assert SECRET not in out
    return json.loads(out)


def test_a_result_ends_the_task_with_the_connection_and_no_diff_unless_asked(capsys):
    assert drive(lambda module, client: {'changed': True, 'msg': client, 'diff': {'before': 1}}) == 0
    got = result(capsys)
    assert (got['changed'], got['msg'], got['connection']) == (True, 'client', {'via': 'test'})
    assert 'diff' not in got


@pytest.mark.parametrize('error, data', [
    (TrueNASError('network.configuration.update failed: no', errname='EINVAL'), 'error'),
    (AzureError('GET /x failed with HTTP 404: gone', status=404), 'error'),
    (NasjoinError('plain failure', hint='do this'), None),
])
def test_every_kind_of_collection_error_fails_the_same_way(capsys, error, data):
    def logic(module, client):
        raise error
    assert drive(logic) == 1
    got = result(capsys)
    assert got['failed'] and got['changed'] is False and got['msg'] == str(error)
    assert got['connection'] == {'via': 'test'} and 'exception' not in got
    assert (data in got) if data else set(got) <= {'failed', 'changed', 'msg', 'connection', 'invocation'}


def test_bad_input_fails_with_its_message_alone(capsys):
    def logic(module, client):
        raise ValueError('name: not a NetBIOS name')
    assert drive(logic) == 1
    got = result(capsys)
    assert (got['msg'], got['changed'], 'exception' in got) == ('name: not a NetBIOS name', False, False)


def test_a_missing_library_is_named(capsys):
    @contextmanager
    def lacking(module, connection):
        raise MissingLibrary('dnspython', reason='for the DNS lookups')
        yield  # pylint: disable=unreachable

    assert drive(lambda module, client: {}, lacking) == 1
    assert 'dnspython' in result(capsys)['msg']


def test_a_defect_fails_with_its_type_and_traceback_and_no_secret(capsys, monkeypatch):
    if hasattr(basic, '_traceback'):  # 2.19+: the traceback is in the result when the controller asks for it
        monkeypatch.setattr(basic._traceback, 'is_traceback_enabled', lambda event: True)

    def logic(module, client):
        raise KeyError('status for %s' % module.params['password'])
    assert drive(logic) == 1
    got = result(capsys)
    assert got['msg'].startswith('KeyError: ') and 'defect of nasjoin.entra' in got['msg']
    assert 'Traceback (most recent call last)' in got['exception'] and 'in logic' in got['exception']
    assert got['connection'] == {'via': 'test'}
