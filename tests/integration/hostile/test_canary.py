"""The secrets canary itself (tests/integration/canary.py): it finds a planted secret in every form it may leak in,
and in this session it really holds the artefacts it will scan: -vvvv output, Ansible logs, results, emulator
request logs (secrets redacted) and process lists taken while Ansible ran."""

import json

import pytest

from ..canary import Canary
from ..conftest import API_KEY, JOIN_PASSWORD, SESSION, URL_KEY
from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from .conftest import DOMAIN, fleet_runner


def test_a_planted_secret_is_found_in_each_form(tmp_path):
    canary = Canary(tmp_path / 'artefacts')
    canary.secret(API_KEY, 'key')
    canary.secret('pa"ss\\word', 'password')
    report = tmp_path / 'report'
    report.mkdir()
    canary.watch(report)
    canary.keep('clean.txt', 'nothing to see')
    assert canary.scan()[0] == []
    (report / 'fleet.json').write_text(json.dumps({'msg': 'pa"ss\\word'}))
    (report / 'fleet.md').write_text('key: %s' % API_KEY.split('-', 1)[1])
    leaks, files, size = canary.scan()
    assert leaks == [(str(report / 'fleet.json'), 'password'), (str(report / 'fleet.md'), 'key')]
    assert files == 3 and size > 0


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
@pytest.mark.parametrize('in_worker, seen', [
    ('true', ['nasjoin.entra.ad_join runs in the worker']),  # -vvv and up
    ('false', ['<localhost> EXEC', 'AnsiballZ_ad_join.py'])], ids=['in-worker', 'ansiballz'])  # -vvvv
def test_the_session_keeps_what_it_will_scan(ansible, domain_nas, tls, in_worker, seen):
    canary = SESSION['canary']
    assert {API_KEY, JOIN_PASSWORD, URL_KEY} <= set(canary.secrets)
    before = set(canary.files())
    run = ansible.playbook(join_task(domain_nas, tls), '--diff', '-e', 'entra_in_worker=%s' % in_worker)
    assert run.rc == 0, run.stdout + run.stderr
    new = dict((path.name.split('-', 1)[1], path) for path in set(canary.files()) - before)
    assert {'stdout.txt', 'stderr.txt', 'ansible.log', 'results.json'} <= set(new)
    for text in seen:
        assert text in new['stdout.txt'].read_text() and text in new['ansible.log'].read_text()
    requests = [json.loads(line) for path in canary.files() if path.name.endswith('requests.jsonl')
                for line in path.read_text().splitlines()]
    logins = [entry for entry in requests if entry['method'] == 'auth.login_ex']
    joins = [entry for entry in requests if entry['method'] == 'directoryservices.update']
    assert logins and all(entry['params'][0]['api_key'] == '********' for entry in logins)
    assert any(entry['params'][0]['credential']['password'] == '********' for entry in joins)
    assert SESSION['ps'].snapshots > 0
    assert canary.scan()[0] == []


def test_a_key_in_the_api_url_of_the_environment_is_refused_and_never_shown(fleet_of, tmp_path):
    """TRUENAS_API_URL with credentials (a canary key) and no api_url: refused by name before any connection."""
    emu = fleet_of(['nas-env-url']).nas['nas-env-url']
    runner = fleet_runner(tmp_path)
    url = emu.url.replace('wss://', 'wss://truenas_admin:%s@' % URL_KEY)
    run = runner.adhoc('nasjoin.entra.entra_dns_config', 'domain=%s nameservers=198.51.100.10 verify=false' % DOMAIN,
                       env={'TRUENAS_API_URL': url})
    assert run.rc != 0 and run.result['msg'].startswith('api_url must not carry credentials (wss://********@127.0.0.1:')
    assert run.result['invocation']['module_args']['api_url'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert emu.counters()['connections'] == 0
    assert URL_KEY.split('-', 1)[1] not in run.stdout + run.stderr
