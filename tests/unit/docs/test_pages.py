"""The YAML examples of the hand-written pages (docs/*.md) use the collection's real modules, options and variables."""

import ast
import re
from pathlib import Path

import pytest
import yaml
from ansible.parsing.plugin_docs import read_docstring

ROOT = Path(__file__).resolve().parents[3]
PAGES = sorted((ROOT / 'docs').glob('*.md'))
BLOCK = re.compile(r'^```ya?ml\n(.*?)^```', re.M | re.S)
PREFIX = 'nasjoin.entra.'
VARIABLE = re.compile(r'^(entra|truenas)_\w+$')


def options(module):
    path = ROOT / 'plugins' / 'modules' / (module + '.py')
    assert path.is_file(), 'the examples use %s%s, which is no module of the collection' % (PREFIX, module)
    doc = read_docstring(str(path))['doc']
    names = set(doc['options'])
    for fragment in doc.get('extends_documentation_fragment', []):
        if '.' not in fragment[len(PREFIX):]:  # a fragment's DOCUMENTATION, not one of its other sections
            names |= fragment_options(fragment[len(PREFIX):])
    return names


def fragment_options(name):
    """The options of a doc fragment (its class's DOCUMENTATION)."""
    source = (ROOT / 'plugins' / 'doc_fragments' / (name + '.py')).read_text(encoding='utf-8')
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and [getattr(target, 'id', None) for target in node.targets] == ['DOCUMENTATION']:
            return set(yaml.safe_load(node.value.value)['options'])
    raise AssertionError('doc fragment %s has no DOCUMENTATION' % name)


def variables():
    """Every role variable (argument specs of every entry point) and every variable the playbooks read."""
    names = set()
    for specs in (ROOT / 'roles').glob('*/meta/argument_specs.yml'):
        for entry in yaml.safe_load(specs.read_text(encoding='utf-8'))['argument_specs'].values():
            names |= set(entry.get('options', {}))
    for playbook in (ROOT / 'playbooks').glob('*.yml'):
        names |= set(re.findall(r'\b((?:entra|truenas)_\w+)\b', playbook.read_text(encoding='utf-8')))
    return names


def unknown_names(node, known_variables):
    """Modules, options, roles and variables in an example that the collection does not have."""
    found = []
    if isinstance(node, list):
        for item in node:
            found += unknown_names(item, known_variables)
        return found
    if not isinstance(node, dict):
        return found
    for key, value in node.items():
        if key.startswith(PREFIX):
            found += ['%s: option %s' % (key, name) for name in sorted(set(value or {}) - options(key[len(PREFIX):]))]
        elif key == 'group/%struenas' % PREFIX:
            found += ['module_defaults: option %s' % name for name in sorted(set(value) - fragment_options('truenas_api'))]
        elif key == 'roles':
            found += ['role %s' % role for role in (item['role'] if isinstance(item, dict) else item for item in value)
                      if not (ROOT / 'roles' / role[len(PREFIX):] / 'tasks').is_dir()]
        elif VARIABLE.match(str(key)) and key not in known_variables:
            found.append('variable %s' % key)
        found += unknown_names(value, known_variables)
    return found


@pytest.mark.parametrize('page', PAGES, ids=[page.name for page in PAGES])
def test_examples_use_real_names(page):
    blocks = BLOCK.findall(page.read_text(encoding='utf-8'))
    known_variables = variables()
    for block in blocks:
        assert unknown_names(yaml.safe_load(block), known_variables) == [], block


def test_the_guide_shows_every_step():
    blocks = BLOCK.findall((ROOT / 'docs' / 'guide.md').read_text(encoding='utf-8'))
    used = set(re.findall(r'\b%s(\w+)' % re.escape(PREFIX), '\n'.join(blocks)))
    assert {'entra_dns_config', 'entra_connectivity', 'ad_join', 'verify_idmap'} <= used
    assert {'entra_network', 'entra_preflight', 'entra_join'} <= used
