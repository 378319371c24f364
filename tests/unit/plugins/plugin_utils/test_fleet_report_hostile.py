"""The fleet report of hosts whose names, NAS errors and check details are hostile: the Markdown renders as one table
row per host with no element, link or heading of the input's (checked with a real renderer where one is installed),
the JSON reads back as it was, and the HTML page holds no element or handler of the input's."""

import json
import re
from html.parser import HTMLParser

import markdown_it

from ansible_collections.nasjoin.entra.plugins.action.fleet_report import RENDERERS
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import fleet, host_record
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_render import to_html, to_markdown

HOSTS = [
    'nas\r| forged | row |',
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    'nas\\| backslash before a pipe',
    'nas `code` *em* _u_ ~~s~~ [link](javascript:alert(1)) ![i](http://198.51.100.9/i.png)',
    'nas\u2028## after a line separator',
    'nas\x85## after a NEL\v## a VT\f## a FF\x1c## a file separator',
    'nas\u202egnp.exe',
    '&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62;',
    'nas #',
    'nas\\',
]
JOB_ERROR = 'bad\r\n## Injected heading\r\n| forged | row |\r\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>'
PREFLIGHT = {'changed': False, 'failed': True, 'msg': 'a check failed', 'summary': {'pass': 0, 'warn': 1, 'fail': 1},
             'checks': [{'name': 'tcp_88', 'target': '198.51.100.11\n# heading', 'status': 'fail', 'detail': JOB_ERROR,
                         'hint': '<img src=x onerror=alert(1)>'},
                        {'name': 'clock_skew', 'target': None, 'status': 'warn', 'detail': '`x` <b>|</b>'}]}
VERIFY = {'changed': False, 'msg': 'no check failed', 'summary': {'pass': 1, 'info': 1},
          'checks': [{'name': 'naming', 'target': None, 'status': 'info', 'detail': 'a\r\n## note heading <svg onload=x>'}]}
CELLS = 8  # host, NAS, outcome, the four steps, first failure and fix


def shown(text):
    """What a value must render as: on one line, direction controls made visible, otherwise itself."""
    text = re.sub('[\x00-\x1f\x7f-\x9f\u2028\u2029]+', ' ', text)
    return re.sub('[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]', '\ufffd', text).strip()


def hostile_report():
    records = [host_record(name, {'ansible_host': name, 'entra_failure': {'task': 'Join', 'msg': JOB_ERROR, 'hint': name}})
               for name in HOSTS]
    records.append(host_record('nas-checks', {'ansible_host': '198.51.100.21', 'entra_preflight_result': PREFLIGHT,
                                              'entra_verify_result': VERIFY}))
    return fleet(records, '2026-11-22T00:00:00Z')


def row_cells(line):
    """A table line's cells, split at the pipes no backslash escapes (as GFM and markdown-it split them)."""
    return re.split(r'(?<!\\)\|', line.strip()[1:-1])


def test_markdown_keeps_every_value_on_its_line_and_in_its_cell():
    report = hostile_report()
    text = to_markdown(report)
    assert text.splitlines() == text.split('\n')[:-1]  # no line break but the report's own
    assert '<' not in text and '>' not in text
    rows = [line for line in text.split('\n') if line.startswith('| ')][1:]
    assert len(rows) == len(report['records'])
    assert all(len(row_cells(row)) == CELLS for row in rows)
    headings = [line for line in text.split('\n') if line.startswith('#')]
    assert len(headings) == 1 + len(report['records']) + 1  # the title, one per host with a problem, Information


def rendered(inline):
    """The text a renderer shows for an inline token (escapes and entities resolved)."""
    return ''.join(child.content for child in inline.children if child.type == 'text')


class Elements(HTMLParser):
    """Every element of an HTML text, with its attributes."""

    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_a_markdown_renderer_that_allows_html_shows_the_values_as_text():
    renderer = markdown_it.MarkdownIt('commonmark', {'html': True}).enable(['table', 'strikethrough'])
    report = hostile_report()
    text = to_markdown(report)
    tokens = renderer.parse(text)
    types = [token.type for token in tokens]
    body = tokens[types.index('tbody_open'):types.index('tbody_close')]
    rows, cells = [], None
    for token in body:
        if token.type == 'tr_open':
            cells = []
            rows.append(cells)
        elif token.type == 'inline':
            cells.append(''.join(child.content for child in token.children if child.type in ('text', 'softbreak')))
    assert [row[0] for row in rows] == [shown(record['host']) for record in report['records']]
    assert all(len(row) == CELLS for row in rows)
    assert rows[0][-1] == shown('Join: %s Fix: %s' % (JOB_ERROR, HOSTS[0]))
    headings = [rendered(tokens[number + 1]) for number, token in enumerate(tokens) if token.type == 'heading_open']
    assert headings == (['Entra Domain Services join report'] +
                        ['%s: %s' % (shown(record['host']), record['outcome']) for record in report['records']] +
                        ['Information'])
    inline = [child.type for token in tokens if token.type == 'inline' for child in token.children]
    assert set(inline) <= {'text', 'softbreak'}  # no code, emphasis, link, image, strikethrough or HTML
    html = renderer.render(text)
    elements = Elements(html).found
    assert set(tag for tag, attrs in elements) == {'h1', 'h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'li'}
    assert all(attrs == {} for tag, attrs in elements)
    assert '&lt;script&gt;alert(1)&lt;/script&gt;' in html and '&lt;img src=x onerror=alert(1)&gt;' in html
    assert '&amp;lt;script&amp;gt;' in html  # an entity in the input shows as the entity, not as the character


def test_json_reads_back_as_the_report_and_holds_no_raw_control_character():
    report = hostile_report()
    filename, render = RENDERERS['json']
    text = render(report)
    assert filename == 'fleet-report.json' and json.loads(text) == report
    assert text.isascii() and not re.search('[\x00-\x09\x0b-\x1f\x7f]', text)


def test_html_holds_no_element_or_handler_of_the_input():
    report = hostile_report()
    page = to_html(report)
    elements = Elements(page).found
    assert [tag for tag, attrs in elements].count('script') == 1  # the page's own
    assert not any(tag in ('img', 'svg') for tag, attrs in elements)
    handlers = [value for tag, attrs in elements for name, value in attrs.items() if name.startswith('on')]
    assert all(re.match(r'(toggle|only|sortBy)\(', value) for value in handlers)
    assert [attrs['data-host'] for tag, attrs in elements if attrs.get('class') == 'host'] == \
        [record['host'] for record in report['records']]
