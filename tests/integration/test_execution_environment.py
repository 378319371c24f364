"""The collection in an execution environment (what AWX and AAP run): ansible-builder makes a build context for an
image holding the built collection, and its introspection finds the collection's Python and system dependencies
from meta/execution-environment.yml. Building the image needs a container engine, which CI does not have."""

import subprocess

import yaml

from .conftest import COLLECTION


def definition(tarball):
    """An execution environment definition (version 3) that installs the built collection."""
    return {
        'version': 3,
        'images': {'base_image': {'name': 'localhost/ee-base:latest'}},
        'dependencies': {'ansible_core': {'package_pip': 'ansible-core'},
                         'ansible_runner': {'package_pip': 'ansible-runner'},
                         'galaxy': {'collections': [{'name': 'collections/' + tarball.name, 'type': 'file'}]}},
        'additional_build_files': [{'src': str(tarball), 'dest': 'collections'}],
    }


def run(*argv, cwd):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def built(tmp_path):
    run('ansible-galaxy', 'collection', 'build', str(COLLECTION), '--output-path', str(tmp_path), cwd=tmp_path)
    return next(tmp_path.glob('nasjoin-entra-*.tar.gz'))


def test_ansible_builder_creates_a_context_with_the_collection(tmp_path):
    tarball = built(tmp_path)
    (tmp_path / 'execution-environment.yml').write_text(yaml.safe_dump(definition(tarball)))
    run('ansible-builder', 'create', '--file', 'execution-environment.yml', '--context', 'context',
        '--output-filename', 'Containerfile', cwd=tmp_path)
    context = tmp_path / 'context'
    assert (context / '_build' / 'collections' / tarball.name).read_bytes() == tarball.read_bytes()
    containerfile = (context / 'Containerfile').read_text()
    assert 'ansible-galaxy collection install' in containerfile and 'introspect' in containerfile


def test_introspection_finds_the_dependencies_of_the_installed_collection(tmp_path):
    tarball = built(tmp_path)
    run('ansible-galaxy', 'collection', 'install', '--force', str(tarball), '-p', str(tmp_path / 'installed'), cwd=tmp_path)
    found = yaml.safe_load(run('ansible-builder', 'introspect', '--sanitize', str(tmp_path / 'installed'), cwd=tmp_path))
    assert sorted(entry.split('>=')[0] for entry in found['python']) == ['dnspython', 'ldap3', 'websocket-client']
    assert all('nasjoin.entra' in entry for entry in found['python'])
    assert not found.get('system')  # bindep.txt: the libraries are pure Python
