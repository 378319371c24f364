"""The execution environment definition users build (execution-environment/execution-environment.yml) installs every
Python package from locks/ee-py3.11.txt with its hashes: ansible-builder makes its build context, the context's own
introspection merges the lock with the installed collection's requirements as the image build does, and pip installs
the result in hash-checking mode, with no package index, into a new venv, where the collection's modules then load. No container engine is
needed for any of it; building the image itself is."""

import re
import shutil
import subprocess
import sys

import yaml

from .awx import EE, LOCK, ee_venv
from .conftest import COLLECTION


def run(*argv, cwd):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def pins(text):
    return dict(re.findall(r'^([A-Za-z0-9._-]+)==(\S+)', text, re.M))


def test_the_definition_names_the_locked_core_runner_and_this_collection():
    definition = yaml.safe_load(EE.read_text())
    locked = pins(LOCK.read_text())
    deps = definition['dependencies']
    assert deps['ansible_core']['package_pip'] == 'ansible-core==' + locked['ansible-core']
    assert deps['ansible_runner']['package_pip'] == 'ansible-runner==' + locked['ansible-runner']
    assert deps['python'] == '../locks/ee-py3.11.txt'
    version = yaml.safe_load((COLLECTION / 'galaxy.yml').read_text())['version']
    assert deps['galaxy']['collections'][0]['name'] == 'collections/nasjoin-entra-%s.tar.gz' % version
    assert sorted(deps['exclude']['python']) == sorted(
        re.split(r'[<>=]', line)[0] for line in (COLLECTION / 'requirements.txt').read_text().splitlines()
        if line and not line.startswith('#'))


def test_the_image_build_installs_the_lock_with_hashes(tmp_path):
    version = yaml.safe_load((COLLECTION / 'galaxy.yml').read_text())['version']
    (tmp_path / 'execution-environment' / 'collections').mkdir(parents=True)
    (tmp_path / 'locks').mkdir()
    shutil.copy(EE, tmp_path / 'execution-environment')
    shutil.copy(LOCK, tmp_path / 'locks')
    run('ansible-galaxy', 'collection', 'build', str(COLLECTION), '--output-path',
        str(tmp_path / 'execution-environment' / 'collections'), cwd=tmp_path)
    run('ansible-builder', 'create', '--file', 'execution-environment/execution-environment.yml', '--context', 'context',
        '--output-filename', 'Containerfile', cwd=tmp_path)
    build = tmp_path / 'context' / '_build'
    assert (build / 'requirements.txt').read_text() == LOCK.read_text()
    run('ansible-galaxy', 'collection', 'install', str(build / 'collections' / ('nasjoin-entra-%s.tar.gz' % version)),
        '-p', str(tmp_path / 'installed'), cwd=tmp_path)
    # what the Containerfile runs: introspect (the user's lock, less what the collection names with ranges), then pip
    run(sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect', '--user-pip=requirements.txt',
        '--exclude-pip-reqs=exclude-requirements.txt', '--write-pip=%s' % (tmp_path / 'merged.txt'),
        str(tmp_path / 'installed'), cwd=build)
    merged = (tmp_path / 'merged.txt').read_text()
    assert pins(merged) == pins(LOCK.read_text())
    assert len(re.findall(r'^[A-Za-z0-9._-]+==\S+ \\\n--hash=sha256:', merged, re.M)) == len(pins(merged))  # pip checks hashes
    pip = ee_venv(tmp_path / 'ee', tmp_path / 'merged.txt')
    assert 'Successfully installed' in pip
    loaded = run(str(tmp_path / 'ee' / 'bin' / 'python'), '-c', 'import ansible, dns.resolver, ldap3, websocket; '
                 'print(ansible.__version__)', cwd=tmp_path)
    assert loaded.strip() == pins(LOCK.read_text())['ansible-core']
    # what an execution node runs a job with (test_runner_remote_worker.py runs one)
    runner = run(str(tmp_path / 'ee' / 'bin' / 'ansible-runner'), '--version', cwd=tmp_path)
    assert runner.strip() == pins(LOCK.read_text())['ansible-runner']
