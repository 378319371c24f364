# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as Markdown and as one self-contained HTML page (no external file, no network).

PRIVATE to the collection. Both take the dict of ``fleet_model.fleet``; every value is escaped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from html import escape

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import describe

STEP_NAMES = ('network', 'preflight', 'join', 'verify')
COLOURS = {'ok': '#1a7f37', 'warn': '#bf8700', 'failed': '#cf222e', 'not run': '#6e7781'}


def _counts(summary):
    if not summary:
        return ''
    return ', '.join('%d %s' % (summary[key], key) for key in ('pass', 'warn', 'fail') if summary.get(key))


def step_cell(step):
    """A step as one short phrase: its state, with counts or the join status and time."""
    text = step['state']
    if step.get('summary'):
        text += ' (%s)' % _counts(step['summary'])
    if step.get('status'):
        text += ' %s' % step['status']
    if step.get('elapsed') is not None:
        text += ' in %.1f s' % step['elapsed']
    return text


def _failure_text(record):
    failure = record['first_failure']
    if not failure:
        return ''
    return '%s: %s%s' % (failure['step'], failure['msg'], ' Fix: %s' % failure['hint'] if failure.get('hint') else '')


def outcome_summary(report):
    """"12 hosts, 1 failed, 11 ok" with the time the report was made."""
    return 'Generated %s: %d hosts, %s.' % (report['generated_at'], report['hosts'], describe(report['outcomes']))


def _md(text):
    return str(text).replace('|', '\\|').replace('\n', ' ')


def to_markdown(report):
    """A table of the hosts, then each host's failed or warning checks."""
    lines = ['# Entra Domain Services join report', '',
             outcome_summary(report),
             '', '| host | NAS | outcome | %s | first failure and fix |' % ' | '.join(STEP_NAMES),
             '|---|---|---|%s---|' % ('---|' * len(STEP_NAMES))]
    for record in report['records']:
        cells = [record['host'], record['nas'], record['outcome']] + [step_cell(record['steps'][name]) for name in STEP_NAMES]
        lines.append('| %s | %s |' % (' | '.join(_md(cell) for cell in cells), _md(_failure_text(record))))
    for record in report['records']:
        problems = [(name, check) for name in STEP_NAMES for check in record['steps'][name].get('checks') or []
                    if check['status'] in ('fail', 'warn')]
        if problems:
            lines += ['', '## %s' % _md(record['host']), '']
            lines += ['- %s %s %s: %s' % (check['status'], name, _md(check['name'] + ('@%s' % check['target'] if check['target'] else '')),
                                          _md(check['detail'] or '')) for name, check in problems]
    return '\n'.join(lines) + '\n'


STYLE = '''body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
tr.host{cursor:pointer}tr.host:hover{background:#f6f8fa}td.outcome{color:#fff;font-weight:600;width:80px}
tr.details>td{background:#f6f8fa;padding:12px 24px}h3{margin:12px 0 4px;font-size:14px}dl{margin:0}
dt{float:left;clear:left;width:160px;color:#59636e}dd{margin:0 0 2px 170px}
table.checks{width:auto;margin:4px 0 8px}table.checks td{padding:2px 8px;font-size:13px}'''
SCRIPT = '''function toggle(id){var r=document.getElementById(id);r.hidden=!r.hidden}
var h=decodeURIComponent(location.hash.slice(1));if(h&&document.getElementById('d-'+h))toggle('d-'+h);'''
CHECK_COLOURS = {'pass': '#1a7f37', 'warn': '#bf8700', 'fail': '#cf222e', 'skip': '#6e7781'}


def _value(value):
    if isinstance(value, list):
        return ', '.join(_value(item) for item in value)
    if isinstance(value, dict):
        return ', '.join('%s %s' % (key, _value(item)) for key, item in sorted(value.items()))
    return str(value)


def _step_details(name, step):
    """One step: its fields as a definition list, its checks as a small table."""
    fields = ''.join('<dt>%s</dt><dd>%s</dd>' % (escape(key), escape(_value(value)))
                     for key, value in sorted(step.items()) if key != 'checks' and value not in (None, [], {}))
    checks = ''.join('<tr><td style="color:%s;font-weight:600">%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
        CHECK_COLOURS.get(check['status'], '#6e7781'), escape(check['status']), escape(check['name']),
        escape(check['target'] or ''), escape(check['detail'] or '')) for check in step.get('checks') or [])
    return '<h3>%s</h3><dl>%s</dl>%s' % (escape(name), fields, '<table class="checks">%s</table>' % checks if checks else '')


def _host_rows(record):
    detail_id = 'd-%s' % record['host']
    cells = ''.join('<td>%s</td>' % escape(step_cell(record['steps'][name])) for name in STEP_NAMES)
    details = ''.join(_step_details(name, record['steps'][name]) for name in STEP_NAMES)
    return ('<tr class="host" onclick="toggle(%s)"><td>%s</td><td>%s</td><td class="outcome" style="background:%s">%s'
            '</td>%s<td>%s</td></tr><tr class="details" id="%s" hidden><td colspan="%d">%s</td></tr>') % (
        escape(json.dumps(detail_id), quote=True), escape(record['host']), escape(record['nas']),
        COLOURS.get(record['outcome'], '#6e7781'), escape(record['outcome']), cells, escape(_failure_text(record)),
        escape(detail_id, quote=True), 4 + len(STEP_NAMES), details)


def to_html(report):
    """One page: a table of hosts coloured by outcome; a click on a host shows its steps in full."""
    rows = ''.join(_host_rows(record) for record in report['records'])
    head = ''.join('<th>%s</th>' % name for name in ('host', 'NAS', 'outcome') + STEP_NAMES + ('first failure and fix',))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Entra Domain Services join report</title>'
            '<style>%s</style></head><body><h1>Entra Domain Services join report</h1><p>%s Click a host for its '
            'details.</p><table><thead><tr>%s</tr></thead><tbody>%s</tbody></table><script>%s</script></body></html>\n'
            ) % (STYLE, escape(outcome_summary(report)), head, rows, SCRIPT)
