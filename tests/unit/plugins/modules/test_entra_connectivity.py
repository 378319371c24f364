"""entra_connectivity main(): read-only result, failure shape, where the probes ran, no secret in output."""

import json
import time

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils import _module
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.modules import entra_connectivity

from ...module_args import patch_module_args
from ..module_utils.test_connectivity import DC1, DC2, PASSWORD, FakeProber

KEY = '5-CANARYkeyDoNotLeak'
ARGS = dict(domain='aaddscontoso.com', dc_ips=[DC1, DC2], secure_ldap=True, username='nasjoin@aaddscontoso.com',
            password=PASSWORD, api_url='nas.example.test', api_key=KEY)
NAS = {'network.configuration.config': {'hostname': 'nas1', 'nameserver1': DC1, 'nameserver2': DC2, 'nameserver3': ''},
       'system.info': lambda params: {'datetime': {'$date': int(time.time() * 1000)}}}


@pytest.fixture
def run(monkeypatch, capsys, fake_transport):
    """main() with ``args`` against a fake NAS and a fake prober (``dead`` DCs time out)."""

    def runner(args, dead=()):
        transport = fake_transport(NAS)
        transport.needs_login = False
        monkeypatch.setattr(_module, 'client_for', lambda module: (Client(transport), {'transport': 'websocket', 'url': 'wss://x'}))
        monkeypatch.setattr(connectivity, 'Prober', lambda *args: FakeProber(dead=dead))
        with patch_module_args(args), pytest.raises(SystemExit):
            entra_connectivity.main()
        return json.loads(capsys.readouterr().out), transport

    return runner


def test_healthy_run_is_read_only_and_says_where_it_ran(run):
    result, transport = run(ARGS)
    assert result['changed'] is False and 'failed' not in result
    assert result['summary'] == {'pass': 44, 'info': 0, 'warn': 0, 'fail': 0, 'skip': 0, 'total': 44}
    assert result['nas']['probes_ran_on'] == 'controller' and result['nas']['hostname'] == 'nas1'
    assert transport.methods() == ['network.configuration.config', 'system.info']
    assert PASSWORD not in json.dumps(result) and KEY not in json.dumps(result)


def test_failed_check_fails_the_task_with_the_first_fix(run):
    result, dummy = run(dict(ARGS, api_url=None), dead=[DC2])
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('%d of 44 checks failed' % len(result['failed_checks']))
    assert 'Fix: ' in result['msg'] and result['nas']['probes_ran_on'] == 'nas'
    assert PASSWORD not in json.dumps(result)


def test_fail_on_never_only_reports(run):
    result, dummy = run(dict(ARGS, fail_on='never'), dead=[DC2])
    assert 'failed' not in result and result['failed_checks']


@pytest.mark.parametrize('args', [dict((key, value) for key, value in ARGS.items() if key != 'password'),
                                  dict(ARGS, password=None)])
def test_username_needs_password(run, args):
    result, transport = run(args)
    assert result['failed'] is True and 'password' in result['msg'] and transport.calls == []


def test_credentials_need_cryptography(run, monkeypatch):
    monkeypatch.setattr(connectivity, 'HAS_CRYPTOGRAPHY', False)
    result, transport = run(ARGS)
    assert result['failed'] is True and 'cryptography' in result['msg'] and transport.calls == []
