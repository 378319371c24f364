"""entra_dns_config main(): argument spec, failure shape, diff only on request, no secret in output."""

import json
from types import SimpleNamespace

import pytest
from ansible.module_utils.common.parameters import PASS_VARS
from ansible.module_utils.common.validation import check_type_int

from ansible_collections.nasjoin.entra.plugins.module_utils import _module
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError
from ansible_collections.nasjoin.entra.plugins.modules import entra_dns_config

from ...module_args import patch_module_args

KEY = '3-CANARYkeyDoNotLeak'
ARGS = dict(domain='aaddscontoso.com', nameservers=['198.51.100.10'], verify=False,
            api_url='nas.example.test', api_key=KEY)


class Exit(Exception):
    pass


@pytest.fixture
def run(monkeypatch, capsys):
    """Run main() with ``args`` and a client whose calls ``answer(method, params)`` handles."""

    def runner(args, answer, diff=False):
        class Client:
            version = (25, 10, 1)
            transport = SimpleNamespace(url='wss://x')

            def __init__(self):
                self.calls = []

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return None

            def call(self, method, *params):
                self.calls.append(method)
                return answer(method, params)

        client = Client()
        monkeypatch.setattr(_module, 'client_for', lambda module: (client, {'transport': 'websocket', 'url': 'wss://x'}))
        args = dict(args, _ansible_diff=diff)
        with patch_module_args(args), pytest.raises(SystemExit):
            entra_dns_config.main()
        return json.loads(capsys.readouterr().out), client

    return runner


def config(method, params):
    entry = {'domain': 'local', 'nameserver1': '192.0.2.53', 'nameserver2': '', 'nameserver3': '', 'domains': [],
             'ipv4gateway': ''}
    if params:
        entry.update(params[0])
    return entry


def test_changed_run_reports_config_and_connection(run):
    result, client = run(ARGS, config)
    assert result['changed'] is True
    assert result['config']['nameservers'] == ['198.51.100.10']
    assert result['connection'] == {'transport': 'websocket', 'url': 'wss://x'}
    assert 'diff' not in result
    assert client.calls == ['network.configuration.config', 'network.configuration.update']
    assert KEY not in json.dumps(result)


def test_diff_only_when_asked(run):
    result, dummy = run(ARGS, config, diff=True)
    assert result['diff']['before']['domain'] == 'local' and result['diff']['after']['domain'] == 'aaddscontoso.com'


def test_bad_input_fails_with_parameter_name_and_no_call(run):
    result, client = run(dict(ARGS, nameservers=['127.0.0.1']), config)
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('nameservers[0]: 127.0.0.1')
    assert client.calls == []


def test_truenas_error_becomes_structured_failure(run):
    def refuse(method, params):
        if method.endswith('update'):
            raise TrueNASError('x', method=method, errname='EINVAL',
                               extra=[['global_configuration_update.nameserver1', 'Invalid IP address', 22]])
        return config(method, params)

    result, dummy = run(ARGS, refuse)
    assert result['failed'] is True
    assert 'nameservers[0] (nameserver1): Invalid IP address' in result['msg']
    assert result['error']['fields'] == [{'attribute': 'global_configuration_update.nameserver1', 'message': 'Invalid IP address'}]
    assert KEY not in json.dumps(result)


def test_unknown_option_is_refused(run):
    result, client = run(dict(ARGS, nameserver='198.51.100.10'), config)
    assert result['failed'] is True and 'nameserver' in result['msg'] and client.calls == []


def test_wrong_type_is_refused(run):
    result, client = run(dict(ARGS, verify='perhaps'), config)
    assert result['failed'] is True and 'verify' in result['msg'] and client.calls == []


def int_from_exponent():
    """Whether this ansible-core reads '1e23' as an int (2.18 and later)."""
    try:
        check_type_int('1e23')
    except TypeError:
        return False
    return True


@pytest.mark.parametrize('changes, words', [
    (dict(verify_timeout='nan'), 'verify_timeout: nan is not a number from 0.1 to 300.'),
    (dict(verify_timeout=float('-inf')), 'verify_timeout: -inf is not a number from 0.1 to 300.'),
    (dict(timeout='inf'), 'timeout: inf is not a number from 1 to 3600.'),
    (dict(timeout='1e23'), 'timeout: 100000000000000000000000 is not a number from 1 to 3600.'),
])
def test_numbers_that_are_not_finite_or_in_range_are_refused_by_name(run, changes, words):
    if changes == dict(timeout='1e23') and not int_from_exponent():  # ansible-core 2.17 refuses it by name itself
        words = "argument 'timeout' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int"
    result, client = run(dict(ARGS, **changes), config)
    assert result['failed'] is True and result['msg'] == words and client.calls == []


def test_an_infinite_timeout_from_the_environment_is_refused_by_name(run, monkeypatch):
    monkeypatch.setenv('TRUENAS_TIMEOUT', 'Infinity')
    result, client = run(ARGS, config)
    assert result['msg'] == 'timeout: inf is not a number from 1 to 3600.' and client.calls == []


@pytest.mark.parametrize('url', ['wss://root:%s@nas.example.test/api/current' % KEY, 'https://:%s@nas.example.test' % KEY,
                                 'wss://root:%s@nas.example.test' % KEY.replace('-', '%2D')])
def test_credentials_in_api_url_are_refused_and_masked_everywhere(capsys, url):
    # ansible-core 2.21 adds the invocation only when asked to, as its AnsiballZ payload asks
    inject = dict(_ansible_inject_invocation=True) if 'inject_invocation' in PASS_VARS else {}
    with patch_module_args(dict(ARGS, api_url=url, api_key=None, **inject)), pytest.raises(SystemExit):
        entra_dns_config.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result['failed'] is True and result['connection'] == {}
    assert result['msg'].startswith('api_url must not carry credentials (')
    assert result['invocation']['module_args']['api_url'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert 'CANARYkeyDoNotLeak' not in out
