"""TrueNASError: messages, field-suffix matching and job errors."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import errors


@pytest.mark.parametrize('attribute, field, expected', [
    ('global_configuration_update.nameserver1', 'nameserver1', True),
    ('data.nameserver1', 'nameserver1', True),
    ('nameserver1', 'nameserver1', True),
    ('directoryservices_update.configuration.domain', 'configuration.domain', True),
    ('data.xnameserver1', 'nameserver1', False),
    ('global_configuration_update.domains', 'domain', False),
    ('activedirectory.domainname', 'domain', False),
])
def test_field_matches_by_suffix(attribute, field, expected):
    assert errors.field_matches(attribute, field) is expected


def test_validation_error_names_fields_and_keeps_extra():
    exc = errors.from_rpc_error('network.configuration.update', {
        'code': -32602, 'message': 'Invalid params',
        'data': {'error': 22, 'errname': 'EINVAL', 'reason': '[EINVAL] data.nameserver1: bad',
                 'extra': [['data.nameserver1', 'Loopback is not a valid nameserver', 22]]}})
    assert exc.errname == 'EINVAL'
    assert 'data.nameserver1: Loopback is not a valid nameserver' in exc.message
    assert exc.field_errors('nameserver1') == ['Loopback is not a valid nameserver']
    assert exc.field_errors('nameserver2') == []
    assert exc.result()['error']['fields'] == [{'attribute': 'data.nameserver1', 'message': 'Loopback is not a valid nameserver'}]
    assert 'Hint:' in str(exc)


def test_method_not_found_is_named():
    exc = errors.from_rpc_error('directoryservices.update', {'code': -32601, 'message': 'Method does not exist'})
    assert exc.errname == 'ENOMETHOD'
    assert exc.message.startswith('directoryservices.update does not exist')


def test_call_error_reason_is_kept():
    exc = errors.from_rpc_error('auth.login_with_api_key', {
        'code': -32001, 'message': 'Method call error',
        'data': {'error': 16, 'errname': 'EBUSY', 'reason': '[EBUSY] Rate Limit Exceeded', 'extra': None}})
    assert exc.errname == 'EBUSY' and exc.rate_limited
    assert 'Rate Limit Exceeded' in exc.message
    assert 'rate-limits logins to 20 a minute' in exc.hint and 'wait a minute' in exc.hint


def test_other_busy_errors_get_no_rate_limit_hint():
    exc = errors.from_rpc_error('pool.dataset.delete', {
        'code': -32001, 'message': 'Method call error',
        'data': {'error': 16, 'errname': 'EBUSY', 'reason': '[EBUSY] dataset is busy', 'extra': None}})
    assert not exc.rate_limited and exc.hint is None


def test_failed_job_carries_exc_info_extra():
    exc = errors.from_job('directoryservices.update', {
        'id': 7, 'state': 'FAILED', 'error': '[EINVAL] bad domain',
        'exc_info': {'type': 'VALIDATION', 'extra': [['directoryservices.update.configuration.domain', 'bad domain', 22]]}})
    assert exc.errname == 'VALIDATION'
    assert '(job 7)' in exc.message
    assert exc.field_errors('configuration.domain') == ['bad domain']


def test_aborted_job():
    exc = errors.from_job('directoryservices.update', {'id': 8, 'state': 'ABORTED', 'error': None})
    assert exc.errname == 'ECANCELED'
    assert 'aborted' in exc.message


@pytest.mark.parametrize('text, shown', [
    ('plain text', 'plain text'),
    ('a\r\n\tb\nc', 'a b c'),
    ('\x1b[2J\x1b]0;title\x07\x00\x7f\x9b', '\\x1b[2J\\x1b]0;title\\x07\\x00\\x7f\\x9b'),
    ('user \u202eexe.txt\u200b\u2028\ufeff', 'user \\u202eexe.txt\\u200b\\u2028\\ufeff'),
    ('\udc80\udcff', '\\udc80\\udcff'),
    ('é€ 日本', 'é€ 日本'),
])
def test_nas_text_is_made_printable(text, shown):
    assert errors.printable(text) == shown


def test_nas_text_is_cut_short_saying_how_much():
    assert errors.printable('x' * 25, limit=10) == 'x' * 10 + '... (15 more characters)'


def test_rpc_and_job_errors_carry_printable_texts():
    rpc = errors.from_rpc_error('network.configuration.update', {'code': -32602, 'message': 'Invalid params', 'data': {
        'errname': 'EINVAL', 'reason': 'bad\x1b[31m', 'extra': [['data.nameserver1', 'no\r\nway\x07', 22]]}})
    assert rpc.reason == 'bad\\x1b[31m' and rpc.field_errors('nameserver1') == ['no way\\x07']
    job = errors.from_job('directoryservices.update', {'id': 3, 'state': 'FAILED', 'error': 'e\x1b]0;t\x07' + 'y' * 3000})
    assert '\x1b' not in job.message and '(1007 more characters)' in job.message
