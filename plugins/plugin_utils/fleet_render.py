# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report as Markdown and as one self-contained HTML page (no external file, no network).

PRIVATE to the collection. Both take the dict of ``fleet_model.fleet``; every value is escaped. A dry run's report
(check mode) says so in its title, its first line and each host's outcome.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from html import escape

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import OUTCOMES, describe

STEP_NAMES = ('network', 'preflight', 'join', 'verify')
COLOURS = {'ok': '#1a7f37', 'changed': '#2da44e', 'warn': '#bf8700', 'failed': '#cf222e', 'unreachable': '#8250df',
           'not run': '#6e7781'}
TITLE = 'Entra Domain Services join report'
DRY_RUN_TITLE = TITLE + ' (dry run)'
DRY_RUN_NOTE = ('Dry run (check mode): nothing was changed on any NAS. Each outcome is what a real run would do; '
                'verify runs only on a NAS that is joined already.')
CHECK_COLOURS = {'pass': '#1a7f37', 'info': '#0969da', 'warn': '#bf8700', 'fail': '#cf222e', 'skip': '#6e7781'}


def _counts(summary):
    if not summary:
        return ''
    return ', '.join('%d %s' % (summary[key], key) for key in ('pass', 'info', 'warn', 'fail') if summary.get(key))


def step_cell(step, dry_run=False):
    """A step as one short phrase: its state, with counts or the join status and time; in a dry run a change is
    only predicted ("would change", no time)."""
    if step['state'] == 'ok' and step.get('status'):  # a join that changed nothing: the NAS was joined before
        return 'already joined, %s' % step['status']
    if dry_run and step['state'] == 'changed':
        return 'would change' + (' to %s' % step['status'] if step.get('status') else '')
    text = step['state']
    if step.get('summary'):
        text += ' (%s)' % _counts(step['summary'])
    if step.get('status'):
        text += ' %s' % step['status']
    if step.get('elapsed') is not None and step['state'] == 'changed':
        text += ' in %.1f s' % step['elapsed']
    return text


def _failure_text(record):
    failure = record['first_failure']
    if not failure:
        return ''
    return '%s: %s%s' % (failure['step'] or 'play', failure['msg'], ' Fix: %s' % failure['hint'] if failure.get('hint') else '')


def _note_text(note):
    return '%s %s: %s' % (note['step'], note['name'], note['detail'] or '')


def outcome_summary(report):
    """"12 hosts: 1 failed, 11 ok" with the time the report was made; a dry run's says it is one first."""
    counts = 'Generated %s: %d hosts: %s.' % (report['generated_at'], report['hosts'], describe(report['outcomes']) or 'none')
    return '%s %s' % (DRY_RUN_NOTE, counts) if report.get('dry_run') else counts


def outcome_cell(record):
    """A host's outcome as shown: a dry run's is marked predicted."""
    return '%s (dry run)' % record['outcome'] if record.get('dry_run') else record['outcome']


# every line break a renderer or an editor may honour (CR, LF, VT, FF, NEL, U+2028/9) and every other control
# character become a space: a value never ends its table row, list item or heading
_MD_BREAKS = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029]+')
# direction overrides and isolates would show a value's text in another order than it has
_MD_BIDI = re.compile('[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]')
# Markdown structure (escapes, code, emphasis, links and images, table cells, strikethrough, headings) escaped;
# HTML as entities, so a renderer that allows HTML gets text and never an element or an entity of the input's
_MD_ESCAPES = dict([(char, '\\' + char) for char in '\\`*_[]|~#'] + [('&', '&amp;'), ('<', '&lt;'), ('>', '&gt;')])
_MD_SPECIAL = re.compile('[%s]' % re.escape(''.join(_MD_ESCAPES)))


def _md(text):
    """``text`` as literal Markdown text on one line: renders as itself in a table cell, list item or heading."""
    text = _MD_BIDI.sub('\ufffd', _MD_BREAKS.sub(' ', str(text))).strip()
    return _MD_SPECIAL.sub(lambda match: _MD_ESCAPES[match.group()], text)


def to_markdown(report):
    """A table of the hosts (outcome, steps, first failure and fix), then each host's problems and information."""
    lines = ['# %s' % (DRY_RUN_TITLE if report.get('dry_run') else TITLE), '',
             outcome_summary(report),
             '', '| host | NAS | outcome | %s | first failure and fix |' % ' | '.join(STEP_NAMES),
             '|---|---|---|%s---|' % ('---|' * len(STEP_NAMES))]
    for record in report['records']:
        cells = [record['host'], record['nas'], outcome_cell(record)] + [
            step_cell(record['steps'][name], record.get('dry_run')) for name in STEP_NAMES]
        lines.append('| %s | %s |' % (' | '.join(_md(cell) for cell in cells), _md(_failure_text(record))))
    for record in report['records']:
        problems = [(name, check) for name in STEP_NAMES for check in record['steps'][name].get('checks') or []
                    if check['status'] in ('fail', 'warn')]
        not_run = [(name, record['steps'][name]['why']) for name in STEP_NAMES if record['steps'][name].get('why')]
        if problems or not_run or record['first_failure']:
            lines += ['', '## %s: %s' % (_md(record['host']), _md(outcome_cell(record))), '', _md(record['why']), '']
            lines += ['- %s %s %s: %s' % (_md(check['status']), name, _md(check['name'] + ('@%s' % check['target'] if check['target'] else '')),
                                          _md(check['detail'] or '')) for name, check in problems]
            lines += ['- %s %s: %s' % (_md(record['steps'][name]['state']), name, _md(why)) for name, why in not_run]
    notes = [(record['host'], note) for record in report['records'] for note in record['notes']]
    if notes:
        lines += ['', '## Information', '', 'Nothing to do; worth knowing.', '']
        lines += ['- %s: %s' % (_md(host), _md(_note_text(note))) for host, note in notes]
    return '\n'.join(lines) + '\n'


STYLE = '''[hidden]{display:none!important}body{font:14px system-ui,sans-serif;margin:16px;color:#1f2328}h1{font-size:20px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.counts button{border:0;border-radius:6px;padding:8px 12px;min-width:120px;font:600 15px system-ui,sans-serif;color:#fff;cursor:pointer}
.counts button.all{background:#eaeef2;color:#1f2328}.counts button[aria-pressed=true]{outline:3px solid #1f2328}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
th{cursor:pointer;white-space:nowrap}th[aria-sort]::after{content:" \\2195"}
tr.host{cursor:pointer}tr.host:hover{background:#f6f8fa}td.outcome{color:#fff;font-weight:600;width:90px}
td.failure{color:#82071e}td.failure b{color:#1f2328}.note{color:#0969da}
tr.details>td{background:#f6f8fa;padding:12px 24px}h3{margin:12px 0 4px;font-size:14px}dl{margin:0}
dt{float:left;clear:left;width:160px;color:#59636e}dd{margin:0 0 2px 170px}
table.checks{width:auto;margin:4px 0 8px}table.checks td{padding:2px 8px;font-size:13px}
@media (max-width:700px){body{margin:8px}thead{display:none}table,tbody,tr,td{display:block;width:auto}
tr.host{border:1px solid #d0d7de;border-radius:6px;margin:8px 0}td{border:0;padding:4px 8px}
td[data-label]::before{content:attr(data-label) ": ";color:#59636e}td.outcome{width:auto}
dt{float:none;width:auto}dd{margin:0 0 4px 8px}}'''
SCRIPT = '''function toggle(id){var r=document.getElementById(id);r.hidden=!r.hidden}
var body=document.querySelector('#hosts tbody');
function pairs(){return Array.prototype.map.call(body.querySelectorAll('tr.host'),function(r){return [r,r.nextElementSibling]})}
function only(outcome){document.querySelectorAll('.counts button').forEach(function(b){
b.setAttribute('aria-pressed',String(b.dataset.outcome===outcome))});
pairs().forEach(function(p){p[0].hidden=!!outcome&&p[0].dataset.outcome!==outcome;if(p[0].hidden)p[1].hidden=true})}
function sortBy(key){var rows=pairs();rows.sort(function(a,b){var x=a[0].dataset[key],y=b[0].dataset[key];
return key==='rank'?x-y:x.localeCompare(y)});rows.forEach(function(p){body.appendChild(p[0]);body.appendChild(p[1])})}
var h=decodeURIComponent(location.hash.slice(1));if(h.indexOf('outcome=')===0)only(h.slice(8));
else if(h&&document.getElementById('d-'+h))toggle('d-'+h);'''


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


def _summary_cell(record):
    """What the operator reads first: the first failure and its fix, else the information notes, else why."""
    failure = record['first_failure']
    if failure:
        return '<td class="failure" data-label="first failure">%s: %s%s</td>' % (
            escape(failure['step'] or 'play'), escape(failure['msg'] or ''),
            ' <b>Fix:</b> %s' % escape(failure['hint']) if failure.get('hint') else '')
    if record['notes']:
        return '<td class="note" data-label="information">%s</td>' % '<br>'.join(
            'info: %s' % escape(_note_text(note)) for note in record['notes'])
    return '<td data-label="summary">%s</td>' % escape(record['why'])


def _host_rows(record):
    detail_id = 'd-%s' % record['host']
    cells = ''.join('<td data-label="%s">%s</td>' % (name, escape(step_cell(record['steps'][name], record.get('dry_run'))))
                    for name in STEP_NAMES)
    details = ''.join(_step_details(name, record['steps'][name]) for name in STEP_NAMES)
    return ('<tr class="host" data-outcome="%s" data-rank="%d" data-host="%s" onclick="toggle(%s)"><td data-label="host">'
            '<b>%s</b></td><td data-label="NAS">%s</td><td class="outcome" style="background:%s">%s</td>%s%s</tr>'
            '<tr class="details" id="%s" hidden><td colspan="%d">%s</td></tr>') % (
        escape(record['outcome'], quote=True), OUTCOMES.index(record['outcome']), escape(record['host'], quote=True),
        escape(json.dumps(detail_id), quote=True), escape(record['host']), escape(record['nas']),
        COLOURS.get(record['outcome'], '#6e7781'), escape(outcome_cell(record)), cells, _summary_cell(record),
        escape(detail_id, quote=True), 4 + len(STEP_NAMES), details)


def _headline(report):
    """One button per outcome with its count (a click shows only those hosts), and one for all."""
    buttons = ['<button class="all" data-outcome="" aria-pressed="true" onclick="only(\'\')">all %d</button>' % report['hosts']]
    predicted = ' (dry run)' if report.get('dry_run') else ''
    buttons += ['<button style="background:%s" data-outcome="%s" aria-pressed="false" onclick="only(%s)">%d %s%s</button>' % (
        COLOURS[outcome], escape(outcome, quote=True), escape(json.dumps(outcome), quote=True), report['outcomes'][outcome],
        escape(outcome), predicted) for outcome in OUTCOMES if report['outcomes'].get(outcome)]
    return '<div class="counts">%s</div>' % ''.join(buttons)


def to_html(report):
    """One page: counts per outcome (filters), a sortable table of hosts coloured by outcome with the first failure and
    its fix, and each host's steps in full on a click."""
    rows = ''.join(_host_rows(record) for record in report['records'])
    sorts = {'host': 'host', 'outcome': 'rank'}
    head = ''.join('<th%s>%s</th>' % (' aria-sort="none" onclick="sortBy(\'%s\')"' % sorts[name] if name in sorts else '', name)
                   for name in ('host', 'NAS', 'outcome') + STEP_NAMES + ('first failure and fix',))
    title = escape(DRY_RUN_TITLE if report.get('dry_run') else TITLE)
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            'initial-scale=1"><title>%s</title><style>%s</style></head><body>'
            '<h1>%s</h1><p>%s</p>%s<p>Click an outcome to show only those hosts, a column '
            'title to sort, a host for its details.</p><table id="hosts"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>'
            '<script>%s</script></body></html>\n') % (title, STYLE, title, escape(outcome_summary(report)), _headline(report),
                                                      head, rows, SCRIPT)
