"""ansible-doc renders every module and every role entry point of this tree, naming each option."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible.parsing.plugin_docs import read_docstring

COLLECTION = Path(__file__).resolve().parents[2]
PREFIX = 'nasjoin.entra.'
MODULES = sorted(path.stem for path in (COLLECTION / 'plugins' / 'modules').glob('*.py') if path.stem != '__init__')
ROLES = sorted(path.parent.name for path in (COLLECTION / 'roles').glob('*/tasks'))


# ansible-core 2.20 and 2.21 warn about their own internal collection when ansible-doc lists roles
# (ansible/ansible#85689): the one stderr line that is not ours, and the only one tolerated
CORE_NOISE = re.compile(r"^\[WARNING\]: Collection at '[^']*/ansible/_internal/ansible_collections/ansible/_protomatter' "
                        r"does not have a MANIFEST\.json file, nor has it galaxy\.yml: cannot detect version\.$", re.M)


def stderr_of(proc):
    """What ``proc`` printed on stderr, less the known ansible-core noise."""
    return CORE_NOISE.sub('', proc.stderr).strip()


def ansible_doc(*args):
    """ansible-doc's text output for several plugins, split into {fqcn: (path it was read from, text)}."""
    proc = subprocess.run(('ansible-doc',) + args, env=dict(os.environ, ANSIBLE_NOCOLOR='1'), capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0 and not stderr_of(proc), proc.stderr
    parts = re.split(r'^> (?:MODULE |ROLE: )\*?(%s\w+)\*? \((.*)\)$' % re.escape(PREFIX), proc.stdout, flags=re.M)
    return dict((parts[at], (Path(parts[at + 1]).resolve(), parts[at + 2])) for at in range(1, len(parts), 3))


def entry_points(role):
    """The argument specs of a role, by entry point."""
    specs = COLLECTION / 'roles' / role / 'meta' / 'argument_specs.yml'
    assert specs.is_file(), 'role %s has no meta/argument_specs.yml, so ansible-doc -t role shows nothing for it' % role
    return yaml.safe_load(specs.read_text(encoding='utf-8'))['argument_specs']


def names_option(text, option):
    """Whether ansible-doc lists ``option`` (``- name`` or ``= name`` for a required one)."""
    return re.search(r'^[-=] %s\b' % re.escape(option), text, re.M) is not None


@pytest.fixture(scope='module', name='module_docs')
def module_docs_fixture():
    return ansible_doc(*[PREFIX + name for name in MODULES])


@pytest.fixture(scope='module', name='role_docs')
def role_docs_fixture():
    return ansible_doc('-t', 'role', *[PREFIX + name for name in ROLES])


def test_the_tree_has_modules_and_roles():
    assert 'ad_join' in MODULES and 'entra_join' in ROLES


@pytest.mark.parametrize('name', MODULES)
def test_module_doc_names_every_option(module_docs, name):
    assert PREFIX + name in module_docs, 'ansible-doc shows nothing for %s%s' % (PREFIX, name)
    path, text = module_docs[PREFIX + name]
    assert path == (COLLECTION / 'plugins' / 'modules' / (name + '.py')).resolve()
    options = read_docstring(str(path))['doc']['options']
    assert [option for option in options if not names_option(text, option)] == []
    if 'nasjoin.entra.truenas_api' in read_docstring(str(path))['doc'].get('extends_documentation_fragment', []):
        assert names_option(text, 'api_url')  # the connection options of the doc fragment
    for section in ('EXAMPLES:', 'RETURN VALUES:'):
        assert section in text


@pytest.mark.parametrize('name', ROLES)
def test_role_doc_names_every_option(role_docs, name):
    specs = entry_points(name)
    assert PREFIX + name in role_docs, 'ansible-doc -t role shows nothing for %s%s' % (PREFIX, name)
    path, text = role_docs[PREFIX + name]
    assert path == COLLECTION.resolve()
    assert 'main' in specs
    for entry_point, spec in specs.items():
        assert 'ENTRY POINT: *%s* - %s' % (entry_point, spec['short_description']) in text
        assert [option for option in spec.get('options', {}) if not names_option(text, option)] == []


@pytest.mark.parametrize('name', ROLES)
def test_role_defaults_are_documented(name):
    defaults = COLLECTION / 'roles' / name / 'defaults' / 'main.yml'
    variables = (yaml.safe_load(defaults.read_text(encoding='utf-8')) or {}) if defaults.is_file() else {}
    assert sorted(set(variables) - set(entry_points(name)['main'].get('options', {}))) == []


FILTERS = sorted(path.stem for path in (COLLECTION / 'plugins' / 'filter').glob('*.yml'))


def filter_doc(*args, warn=False):
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='1' if warn else '0')
    return subprocess.run(('ansible-doc', '-t', 'filter') + args, capture_output=True, text=True, timeout=120,
                          check=False, env=env)


def test_every_filter_has_its_doc_and_the_listing_is_clean():
    assert FILTERS, 'no filter documentation found'
    proc = filter_doc('-l', 'nasjoin.entra')
    assert proc.returncode == 0 and not stderr_of(proc), proc.stderr
    assert sorted(line.split()[0] for line in proc.stdout.splitlines() if line.strip()) == [PREFIX + name for name in FILTERS]
    proc = filter_doc(*(PREFIX + name for name in FILTERS))
    assert proc.returncode == 0 and not stderr_of(proc), proc.stderr
    for name in FILTERS:
        assert PREFIX + name in proc.stdout and 'EXAMPLES' in proc.stdout


def test_deprecated_filters_say_so_in_their_doc_and_when_used():
    routing = yaml.safe_load((COLLECTION / 'meta' / 'runtime.yml').read_text())['plugin_routing']['filter']
    assert sorted(routing) == ['numbers_in_range', 'out_of_range']
    proc = filter_doc(*(PREFIX + name for name in routing), warn=True)
    said = ' '.join(proc.stderr.split())
    for name, entry in routing.items():
        doc = yaml.safe_load((COLLECTION / 'plugins' / 'filter' / (name + '.yml')).read_text())['DOCUMENTATION']
        assert doc['deprecated']['removed_in'] == entry['deprecation']['removal_version'] == '2.0.0'
        assert PREFIX + name in said and entry['deprecation']['warning_text'] in said
