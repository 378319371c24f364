"""What AWX / Ansible Automation Platform does around a job, for the tests that run the playbook as AWX would:
apply a custom credential type's injectors to a job's private data directory (the rules of AWX's
``CredentialType.inject_credential``, awx/main/models/credential/__init__.py), lay out the rest of the private
data directory (a project playbook that imports the collection's, an inventory, the job's extra vars), and read
a finished job's artifacts back.
"""

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .canary import Canary
from .conftest import API_KEY, API_USER, COLLECTION, JOIN_PASSWORD, SESSION
from .hostile.conftest import DC_IPS, DOMAIN

EE = COLLECTION / 'execution-environment' / 'execution-environment.yml'
LOCK = COLLECTION / 'locks' / 'ee-py3.11.txt'
# the lock's wheels, which scripts/setup downloads (hashes checked): an install from them needs no package index
WHEELS = Path(os.environ.get('NASJOIN_CACHE', os.path.expanduser('~/.cache/nasjoin-entra'))) / 'ee-wheels'
CREDENTIAL_TYPE = COLLECTION / 'extensions' / 'awx' / 'credential_types' / 'truenas_entra.yml'
# the env injectors AWX ignores (ENV_BLOCKLIST of awx/main/constants.py and awx_plugins; and every ANSIBLE_* name)
ENV_BLOCKLIST = frozenset(('VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID',
                           'INVENTORY_UPDATE_ID', 'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN',
                           'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION', 'CACHE', 'JOB_CALLBACK_DEBUG',
                           'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
                           'SUPERVISOR_WEB_CONFIG_PATH'))
# the preflight probes the domain controllers, and the scripted domain of the emulators has none on any network
# (the lab runs it: tests/integration/lab); -vvvv: AWX's verbosity 4, the most a secret could show in
JOB_ARGS = ['--skip-tags', 'entra_preflight', '-vvvv']


def run(*argv, **options):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False, **options)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def ee_venv(path, requirements):
    """A venv at ``path`` with ``requirements`` installed as the EE image build installs them: pip, hashes checked,
    no package index (the lock's wheels only). Returns pip's output."""
    run(sys.executable, '-m', 'venv', str(path))
    assert WHEELS.is_dir(), 'no wheels of the lock in %s: run scripts/setup' % WHEELS
    return run(str(path / 'bin' / 'pip'), 'install', '--disable-pip-version-check', '--no-input', '--no-index',
               '--find-links', str(WHEELS), '-r', str(requirements))


def credential_type():
    return yaml.safe_load(CREDENTIAL_TYPE.read_text())


class _UnsafeDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """AWX's safe_dump (awx/main/utils/safe_yaml.py): every string ``!unsafe``, so Ansible never templates it."""

    def represent_data(self, data):
        if isinstance(data, str):
            return self.represent_scalar('!unsafe', data)
        return super().represent_data(data)


class Namespace:
    """AWX's ``tower`` namespace: ``tower.filename.<label>`` is the path of a file injector's file."""


def _private_file(private_data_dir, text, mode):
    handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
    with os.fdopen(handle, 'w') as stream:
        stream.write(text)
    os.chmod(path, mode)
    return path


def inject(kind, inputs, private_data_dir, seen_as=None):
    """Apply ``kind``'s injectors with the credential ``inputs`` (text) as AWX does for a job whose private data
    directory is ``private_data_dir`` (the job sees it at ``seen_as``: /runner in an EE, the worker's directory on an
    execution node); file injectors in AWX's multi-file syntax (``template.<name>``). Returns (env, args): the job's
    environment additions and the arguments AWX adds to ansible-playbook."""
    seen_as = str(seen_as or private_data_dir)

    def job_path(path):
        return os.path.join(seen_as, os.path.relpath(path, private_data_dir))

    tower, files = Namespace(), Namespace()
    tower.filename = files
    namespace = dict((name, value) for name, value in inputs.items() if value)  # AWX leaves empty inputs undefined
    namespace['tower'] = tower
    sandbox = ImmutableSandboxedEnvironment()
    injectors = kind['injectors']
    for label, template in injectors.get('file', {}).items():
        text = sandbox.from_string(template).render(**namespace)
        setattr(files, label.split('.', 1)[1], job_path(_private_file(private_data_dir, text, stat.S_IRUSR | stat.S_IWUSR)))
    env = dict((name, sandbox.from_string(template).render(**namespace))
               for name, template in injectors.get('env', {}).items()
               if not name.startswith('ANSIBLE_') and name not in ENV_BLOCKLIST)
    extra_vars = dict((name, sandbox.from_string(template).render(**namespace))
                      for name, template in injectors.get('extra_vars', {}).items())
    args = []
    if extra_vars:
        path = _private_file(private_data_dir, yaml.dump(extra_vars, Dumper=_UnsafeDumper), stat.S_IRUSR)
        args = ['-e', '@' + job_path(path)]
    return env, args


def canary_inputs(ca_text):
    """A credential of the shipped type holding the session's canary secrets; ``ca_text`` the CA ('' for none)."""
    return {'truenas_api_key': API_KEY, 'truenas_api_username': API_USER, 'truenas_ca': ca_text,
            'entra_join_user': 'aaddsadmin@' + DOMAIN, 'entra_join_password': JOIN_PASSWORD}


def private_data_dir(path, inventory, extravars):
    """A job's private data directory as AWX lays it out: ``project/site.yml`` imports the collection's playbook
    (an AWX project names a playbook of its own), ``inventory/hosts.json``, ``env/extravars``."""
    for name in ('project', 'inventory', 'env'):
        (path / name).mkdir(parents=True, exist_ok=True)
    (path / 'project' / 'site.yml').write_text('---\n- name: Join\n  ansible.builtin.import_playbook: nasjoin.entra.join_entra_ds\n')
    (path / 'inventory' / 'hosts.json').write_text(json.dumps(inventory, indent=1))
    (path / 'env' / 'extravars').write_text(yaml.safe_dump(extravars))
    return path


def domain_vars():
    """The job template's extra vars: the scripted domain, and the fleet report written into the job's artifacts
    directory (AWX_ISOLATED_DATA_DIR, which ansible-runner sets), which a worker sends back with them."""
    return {'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_network_verify': False,
            'entra_report_dir': "{{ lookup('ansible.builtin.env', 'AWX_ISOLATED_DATA_DIR') }}/entra-report"}


def inventory(urls, python):
    """An inventory of the group ``truenas``: each host {name: api_url} reached from the controller (connection local,
    ``python`` the interpreter of the node that runs the job); key, user and CA come from the credential."""
    hosts = dict((name, {'ansible_connection': 'local', 'ansible_python_interpreter': python, 'truenas_api_url': url})
                 for name, url in urls.items())
    return {'all': {'children': {'truenas': {'hosts': hosts}}}}


def events(artifact_dir):
    """The job's events, in order, from ``<artifact_dir>/job_events``."""
    paths = sorted(Path(artifact_dir, 'job_events').glob('*.json'), key=lambda path: int(path.name.split('-')[0]))
    return [json.loads(path.read_text()) for path in paths]


def results(job_events, module):
    """{host: result} of the ok and failed events of ``module``'s tasks."""
    return dict((event['event_data']['host'], event['event_data']['res']) for event in job_events
                if event['event'] in ('runner_on_ok', 'runner_on_failed')
                and event['event_data'].get('task_action') == module)


def stats(job_events):
    """The event_data of the job's playbook_on_stats event."""
    return [event['event_data'] for event in job_events if event['event'] == 'playbook_on_stats'][-1]


def leaks(directory, secrets):
    """Every (file, label) under ``directory`` that holds one of ``secrets`` in any form the canary knows; the
    session's canary scans the directory again at the end."""
    SESSION['canary'].watch(directory)
    scan = Canary(directory)
    for number, secret in enumerate(secrets):
        scan.secret(secret, 'secret %d' % number)
    found, files, dummy = scan.scan()
    assert files > 3, 'nothing to scan in %s' % directory
    return found
