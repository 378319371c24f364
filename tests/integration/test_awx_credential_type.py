"""The AWX / AAP credential type the collection ships (extensions/awx/credential_types/truenas_entra.yml): AWX would
accept it (the checks of its CredentialTypeInputField and CredentialTypeInjectorField), it injects only variables the
collection reads, the built collection carries it, and a job whose credential is applied the way AWX applies it
(awx.py) joins an emulated fleet through ansible-runner with no secret in its output, events, artifacts or command
line (the session's canary also scans every process command line seen while the job ran)."""

import json
import os
import re
import stat
import sys
import tarfile
from pathlib import Path

import ansible_runner
import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import awx
from .conftest import API_KEY, API_USER, COLLECTION, JOIN_PASSWORD, SESSION
from .hostile.conftest import DC_IPS, DOMAIN, Fleet

NAMES = ['nas1', 'nas2', 'nas3']
FIELD_KEYS = {'id', 'label', 'type', 'format', 'choices', 'help_text', 'multiline', 'secret', 'ask_at_runtime', 'default'}
NAME = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')


def test_awx_would_accept_the_credential_type():
    kind = awx.credential_type()
    assert set(kind) == {'name', 'description', 'kind', 'inputs', 'injectors'} and kind['kind'] == 'cloud'
    fields = kind['inputs']['fields']
    ids = [field['id'] for field in fields]
    assert len(set(ids)) == len(ids) and 'tower' not in ids and all(NAME.match(field_id) for field_id in ids)
    for field in fields:
        assert set(field) <= FIELD_KEYS and field['label'] and field.get('type', 'string') == 'string', field
        assert isinstance(field.get('default', ''), str)
    assert set(kind['inputs']['required']) <= set(ids)
    injectors = kind['injectors']
    assert set(injectors) <= {'file', 'env', 'extra_vars'}
    assert all(re.match(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$', label) for label in injectors['file'])
    assert all(NAME.match(name) and not name.startswith('ANSIBLE_') and name not in awx.ENV_BLOCKLIST
               and template.isascii() for name, template in injectors['env'].items())
    assert all(NAME.match(name) for name in injectors['extra_vars'])
    # every template renders with StrictUndefined against the inputs and the file injectors' names, as AWX checks
    tower = awx.Namespace()
    tower.filename = awx.Namespace()
    for label in injectors['file']:
        setattr(tower.filename, label.split('.')[1], 'EXAMPLE_FILENAME')
    namespace = dict((field_id, 'EXAMPLE') for field_id in ids)
    namespace['tower'] = tower
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for injector in injectors.values():
        for template in injector.values():
            sandbox.from_string(template).render(namespace)


def test_it_injects_only_what_the_collection_reads_and_secrets_never_into_the_environment():
    kind = awx.credential_type()
    injectors = kind['injectors']
    fallbacks = set(re.findall(r'E\((TRUENAS_\w+)\)', (COLLECTION / 'plugins' / 'doc_fragments' / 'truenas_api.py').read_text()))
    assert set(injectors['env']) <= fallbacks
    read = (COLLECTION / 'playbooks' / 'join_entra_ds.yml').read_text() + ''.join(
        path.read_text() for path in (COLLECTION / 'roles').glob('*/meta/argument_specs.yml'))
    assert all(re.search(r'\b%s\b' % name, read) for name in injectors['extra_vars'])
    secret = set(field['id'] for field in kind['inputs']['fields'] if field.get('secret'))
    assert secret == {'truenas_api_key', 'entra_join_password'}
    assert not [template for template in list(injectors['env'].values()) + list(injectors['file'].values())
                if any(field_id in template for field_id in secret)]


def test_the_built_collection_ships_it(tmp_path):
    awx.run('ansible-galaxy', 'collection', 'build', str(COLLECTION), '--output-path', str(tmp_path))
    with tarfile.open(next(tmp_path.glob('nasjoin-entra-*.tar.gz'))) as built:
        shipped = built.extractfile('extensions/awx/credential_types/truenas_entra.yml').read()
    assert shipped == awx.CREDENTIAL_TYPE.read_bytes()


@pytest.fixture
def fleet(tls):
    nas = Fleet(tls, NAMES)
    yield nas
    nas.stop()


def test_a_job_with_the_credential_joins_the_fleet_and_shows_no_secret(fleet, tls, tmp_path):
    inputs = awx.canary_inputs(Path(tls['ca']).read_text())
    urls = dict((name, emu.url) for name, emu in fleet.nas.items())
    job = awx.private_data_dir(tmp_path / 'job', awx.inventory(urls, sys.executable), awx.domain_vars())
    env, args = awx.inject(awx.credential_type(), inputs, job)
    assert env['TRUENAS_API_USERNAME'] == API_USER and Path(env['TRUENAS_CA_PATH']).read_text() == inputs['truenas_ca']
    credential_vars = Path(args[1][1:])  # -e @<file>: AWX's file of the credential's extra vars, read-only, never templated
    assert stat.S_IMODE(credential_vars.stat().st_mode) == 0o400
    assert sorted(credential_vars.read_text().splitlines()) == sorted(
        "!unsafe '%s': !unsafe '%s'" % (name, inputs[name]) for name in ('truenas_api_key', 'entra_join_user', 'entra_join_password'))
    starting = []
    SESSION['runs'] = SESSION.get('runs', 0) + 1
    with SESSION['ps']:
        runner = ansible_runner.run(
            private_data_dir=str(job), playbook='site.yml', ident='1', quiet=True, suppress_env_files=True,
            cmdline=' '.join(args + awx.JOB_ARGS), envvars=dict(env, ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH']),
            status_handler=lambda data, runner_config: starting.append(data))
    artifacts = job / 'artifacts' / '1'
    job_events = awx.events(artifacts)
    assert runner.status == 'successful' and runner.rc == 0, (artifacts / 'stdout').read_text()[-5000:]
    joins = awx.results(job_events, 'nasjoin.entra.ad_join')
    assert sorted(joins) == NAMES and all(res['changed'] and res['status'] == 'HEALTHY' for res in joins.values()), joins
    for name, emu in fleet.nas.items():
        assert list(emu.fake.computers) == [name.upper()]
        assert emu.counters()['by_method'].get('auth.login_ex'), 'the key was not used with its user (auth.login_ex)'
    report = json.loads((artifacts / 'entra-report' / 'fleet-report.json').read_text())
    assert sorted((record['host'], record['steps']['join']['status']) for record in report['records']) == \
        [(name, 'HEALTHY') for name in NAMES]
    assert awx.leaks(artifacts, [API_KEY, JOIN_PASSWORD]) == []  # stdout, the events, the command and its env
    status = json.dumps(starting)  # the starting status carries the job's command line and environment
    assert 'TRUENAS_CA_PATH' in status and API_KEY.split('-', 1)[1] not in status and JOIN_PASSWORD not in status


@pytest.mark.parametrize('with_ca', [True, False], ids=['ca', 'trust-store'])
def test_the_ca_input_is_the_ca_and_without_it_the_trust_store(ansible, nas, tls, tmp_path, with_ca):
    (tmp_path / 'env').mkdir()
    env, args = awx.inject(awx.credential_type(), awx.canary_inputs(Path(tls['ca']).read_text() if with_ca else ''), tmp_path)
    assert bool(env['TRUENAS_CA_PATH']) == with_ca
    run = ansible.adhoc('nasjoin.entra.entra_dns_config', 'nameservers=%s domain=%s verify=false api_url=%s api_key={{ truenas_api_key }}'
                        % (DC_IPS[0], DOMAIN, nas.url), '--check', *args, env=env)
    if with_ca:
        assert run.rc == 0 and run.result['changed'], run.stdout[-3000:]
        assert nas.counters()['by_method'].get('auth.login_ex') == 1
    else:
        assert run.rc != 0 and 'TLS certificate of %s could not be verified' % nas.url in run.result['msg']
        assert nas.counters()['logins_ok'] == 0  # the key was never sent
