# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as JUnit XML, for CI systems (GitLab, Jenkins, GitHub): a test suite per host, a test case per step.

PRIVATE to the collection. Takes the dict of ``fleet_model.fleet``. A failed step is a ``failure`` (its message and
the fix), an unreachable one an ``error``, a step that did not run ``skipped`` with the reason; a host that failed
outside the four steps has a ``play`` test case that fails. xml.etree escapes every value, and characters XML 1.0
forbids (control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD first, so no value forges an element.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import STEPS

SUITES = 'nasjoin.entra.join_entra_ds'
# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_NOT_XML = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_text(value):
    """A value as text XML 1.0 can hold: what it forbids becomes U+FFFD."""
    return _NOT_XML.sub('\ufffd', '' if value is None else str(value))


def _element(parent, tag, text=None, **attrs):
    node = ET.SubElement(parent, tag, dict((key, xml_text(value)) for key, value in attrs.items()))
    if text:
        node.text = xml_text(text)
    return node


def _fix(msg, hint):
    return '%s\nFix: %s' % (msg, hint) if hint else (msg or '')


def _case(suite, record, name, step):
    case = _element(suite, 'testcase', name=name, classname='%s.%s' % (SUITES, record['host']))
    state = step['state']
    first = record['first_failure'] or {}
    hint = step.get('hint') or (first.get('hint') if first.get('step') == name else None)  # unreachable: the fix
    if state in ('failed', 'unreachable'):
        _element(case, 'failure' if state == 'failed' else 'error', _fix(step.get('msg'), hint),
                 message=step.get('msg') or state, type=state)
    elif state in ('not run', 'skipped'):
        _element(case, 'skipped', message=step.get('why') or state)
    return state


def _suite(root, record, dry_run):
    suite = _element(root, 'testsuite', name=record['host'], hostname=record['nas'])
    states = [_case(suite, record, name, record['steps'][name]) for name, dummy in STEPS]
    failure = record['first_failure']
    if failure and not any(state in ('failed', 'unreachable') for state in states):
        case = _element(suite, 'testcase', name='play', classname='%s.%s' % (SUITES, record['host']))
        _element(case, 'failure', _fix(failure['msg'], failure.get('hint')), message=failure['msg'] or 'failed',
                 type='failed')
        states.append('failed')
    _element(suite, 'system-out', '%s: %s' % ('dry run' if dry_run else 'outcome', record['why']))
    counts = {'tests': len(states), 'failures': states.count('failed'), 'errors': states.count('unreachable'),
              'skipped': states.count('not run') + states.count('skipped')}
    for key, value in counts.items():
        suite.set(key, str(value))
    return counts


def to_junit(report):
    """The report as a JUnit XML document (text, UTF-8 declared)."""
    root = ET.Element('testsuites', {'name': SUITES + (' (dry run)' if report.get('dry_run') else '')})
    totals = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for record in report['records']:
        for key, value in _suite(root, record, report.get('dry_run')).items():
            totals[key] += value
    for key in ('tests', 'failures', 'errors'):
        root.set(key, str(totals[key]))
    root.set('timestamp', xml_text(report['generated_at']))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'
