# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the troubleshooting page (Markdown) from docs/troubleshooting.yml and the collection's hint table.

``python docs/site/troubleshooting.py`` prints the page, or the disagreements between the page's source and
the code (and exits 1): a FAILURES entry no listed error text reaches, an error text that gets no hint, a check
a module does not document, a message the code no longer says. The collection must be importable
(``ansible_collections.nasjoin.entra``).
"""

import functools
import re
import sys
from pathlib import Path

import yaml
from ansible.parsing.plugin_docs import read_docstring

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import FAILURES, hint_for

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / 'docs' / 'troubleshooting.yml'
HEADER = '''# Troubleshooting

What goes wrong when a TrueNAS joins Microsoft Entra Domain Services, how to recognise it, and what to do.
Each failure mode names the checks that catch it before the join ([guide](guide.md), steps 2 and 4); the hints
the modules add to an error message are listed at the end.

This page is generated from `docs/troubleshooting.yml` and `plugins/module_utils/_entra/failures.py`.
'''


def load(path=SOURCE):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


@functools.lru_cache(maxsize=None)
def documented(module):
    """The options and checks (``C(name)``) plugins/modules/<module>.py documents; None when there is no such module."""
    path = ROOT / 'plugins' / 'modules' / (module + '.py')
    if not path.is_file():
        return None
    doc = read_docstring(str(path))['doc']
    return frozenset(doc.get('options', {})) | frozenset(re.findall(r'C\((\w+)\)', str(doc)))


def plugin_sources():
    return '\n'.join(path.read_text(encoding='utf-8') for path in sorted((ROOT / 'plugins').rglob('*.py')))


def problems(data, sources=None):
    """Where the page's source and the code disagree; empty when they agree."""
    found = []
    errors = [text for mode in data['modes'] for text in mode.get('errors', [])]
    found += ['error text %r gets no hint from FAILURES' % text for text in errors if hint_for(text) is None]
    for pattern, fix in FAILURES:
        if not any(hint_for(text) == fix for text in errors):
            found.append('FAILURES entry %r is matched by no error text of a failure mode' % pattern)
    for mode in data['modes']:
        for module, checks in mode.get('caught_by', {}).items():
            names = documented(module)
            if names is None:
                found.append('%s: no module %s' % (mode['title'], module))
                continue
            found += ['%s: %s documents no check or option %s' % (mode['title'], module, check)
                      for check in checks if check not in names]
    sources = plugin_sources() if sources is None else sources
    found += ['message %r: %r is not in plugins/' % (item['message'], item['code'])
              for item in data['messages'] if item['code'] not in sources]
    return found


def cell(text):
    return ' '.join(str(text).split()).replace('|', '\\|')


def module_ref(name):
    return '{ref}`%s <ansible_collections.nasjoin.entra.%s_module>`' % (name, name)


def messages(data):
    lines = ['## Messages from the collection', '', '| message | cause | what to do |', '|---|---|---|']
    lines += ['| `%s` | %s | %s |' % (cell(item['message']), cell(item['cause']), cell(item['fix']))
              for item in data['messages']]
    return lines + ['']


def mode(number, item):
    lines = ['(failure-mode-%d)=' % number, '### %d. %s' % (number, item['title']), '',
             '**Symptom.** %s' % cell(item['symptom']), '']
    by_hint = {}
    for text in item.get('errors', []):
        by_hint.setdefault(hint_for(text), []).append('`%s`' % text)
    for fix, texts in by_hint.items():
        lines += ['**Hint.** For %s in the error, the modules add: %s' % (' or '.join(texts), fix), '']
    lines += ['**Cause.** %s' % cell(item['cause']), '']
    caught = ['%s (%s)' % (module_ref(module), ', '.join('`%s`' % check for check in checks))
              for module, checks in item.get('caught_by', {}).items()]
    lines += ['**Caught by.** %s' % ('; '.join(caught) if caught else 'no check of the collection.'), '']
    return lines + ['**Fix.** %s' % cell(item['fix']), '']


def hints(data):
    lines = ['## Hints in error messages', '',
             'When an error text from TrueNAS, Samba or Kerberos matches a pattern (lower case, first match wins), the',
             'modules add its hint to the message.', '']
    for pattern, fix in FAILURES:
        numbers = [number for number, item in enumerate(data['modes'], 1)
                   if any(hint_for(text) == fix for text in item.get('errors', []))]
        lines.append('- `%s`: %s (failure mode %s)' % (
            pattern, fix, ', '.join('{ref}`%d <failure-mode-%d>`' % (number, number) for number in numbers)))
    return lines + ['']


def render(data):
    lines = [HEADER] + messages(data) + ['## Failure modes', '']
    for number, item in enumerate(data['modes'], 1):
        lines += mode(number, item)
    return '\n'.join(lines + hints(data)).rstrip('\n') + '\n'


def main():
    data = load()
    found = problems(data)
    if found:
        sys.stderr.write('docs/troubleshooting.yml and the code disagree:\n%s\n' % '\n'.join('- ' + line for line in found))
        return 1
    sys.stdout.write(render(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())
