"""The fleet report's records and renderings, from registered results as the join playbook leaves them."""

import json

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import fleet, host_record
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_render import to_html, to_markdown

SECRET = 'Canary-Pa55word-fleet'
NETWORK_OK = {'changed': False, 'msg': 'already set', 'config': {'domain': 'aaddscontoso.com', 'nameservers': ['198.51.100.11']}}
PREFLIGHT_OK = {'changed': False, 'msg': 'No check failed', 'summary': {'pass': 3, 'warn': 0, 'fail': 0},
                'elapsed_ms': 12.5, 'checks': [{'name': 'tcp_88', 'target': '198.51.100.11', 'status': 'pass',
                                                'detail': 'TCP 88 answers', 'hint': None, 'value': 1}]}
JOIN_OK = {'changed': True, 'msg': 'joined', 'status': 'HEALTHY', 'elapsed': 2.25, 'progress': [{'percent': 100}]}
VERIFY_WARN = {'changed': False, 'msg': '1 warn', 'summary': {'pass': 8, 'warn': 1, 'fail': 0}, 'failed_checks': [],
               'checks': [{'name': 'naming', 'target': None, 'status': 'warn', 'detail': 'generated <b>name</b>'},
                          {'name': 'user', 'target': 'alice', 'status': 'pass', 'detail': 'resolves'}],
               'directory': {'users': 9, 'not_visible': []}}


def hostvars(**steps):
    names = {'network': 'entra_network_result', 'preflight': 'entra_preflight_result', 'join': 'entra_join_result',
             'verify': 'entra_verify_result'}
    found = dict((names[step], result) for step, result in steps.items() if step in names)
    found.update(entra_join_password=SECRET, truenas_api_key=SECRET, ansible_host='198.51.100.21')
    if 'failure' in steps:
        found['entra_failure'] = steps['failure']
    return found


def test_a_joined_host_reports_every_step():
    record = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_WARN))
    assert record['outcome'] == 'warn' and record['nas'] == '198.51.100.21' and record['first_failure'] is None
    assert [record['steps'][step]['state'] for step in ('network', 'preflight', 'join', 'verify')] == \
        ['ok', 'ok', 'changed', 'ok']
    assert record['steps']['join']['elapsed'] == 2.25
    assert record['steps']['preflight']['checks'][0] == {'name': 'tcp_88', 'target': '198.51.100.11', 'status': 'pass',
                                                         'detail': 'TCP 88 answers', 'hint': None}
    assert [check['name'] for check in record['steps']['verify']['checks']] == ['naming']
    assert record['steps']['verify']['directory'] == {'users': 9}


def test_a_host_stopped_by_a_failed_step_names_it_and_its_fix():
    network = {'failed': True, 'changed': False, 'msg': 'nameserver 198.51.100.99 did not resolve', 'restored': True,
               'hint': 'set nameservers to the DCs', 'config': {'nameservers': ['198.51.100.11']}}
    record = host_record('nas2', hostvars(network=network, failure={'task': 'Point the NAS', 'msg': 'x', 'hint': ''}))
    assert record['outcome'] == 'failed'
    assert record['first_failure'] == {'step': 'network', 'msg': 'nameserver 198.51.100.99 did not resolve',
                                       'hint': 'set nameservers to the DCs'}
    assert record['steps']['network']['restored'] is True
    assert [record['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['not run'] * 3


def test_a_failure_outside_the_steps_is_named_by_its_task():
    failure = {'task': 'Check the variables of every step before any change', 'msg': 'entra_dc_ips: bad', 'hint': None}
    record = host_record('nas3', hostvars(failure=failure))
    assert record['outcome'] == 'failed' and record['first_failure']['step'] == failure['task']


def test_a_host_with_nothing_registered_was_not_run():
    assert host_record('nas4', {})['outcome'] == 'not run'
    skipped = host_record('nas4', hostvars(network={'skipped': True, 'changed': False}))
    assert skipped['outcome'] == 'not run' and skipped['steps']['network'] == {'state': 'skipped'}


def report():
    ok = host_record('nas|1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_WARN))
    bad = host_record('<nas2>', hostvars(failure={'task': 'Join', 'msg': 'bad <script>alert(1)</script>', 'hint': 'fix'}))
    return fleet([ok, bad], '2026-11-22T00:00:00Z')


def test_fleet_counts_outcomes():
    assert report()['outcomes'] == {'warn': 1, 'failed': 1} and report()['hosts'] == 2


def test_markdown_is_one_table_row_per_host_with_escaped_cells():
    text = to_markdown(report())
    rows = [line for line in text.splitlines() if line.startswith('| ') and not line.startswith('| host')]
    assert len(rows) == 2
    assert rows[0].startswith('| nas\\|1 | 198.51.100.21 | warn | ok | ok (3 pass) | changed HEALTHY in 2.2 s | '
                              'ok (8 pass, 1 warn) |')
    assert 'Join: bad <script>alert(1)</script> Fix: fix' in rows[1]
    assert '- warn verify naming: generated <b>name</b>' in text


def test_html_is_self_contained_and_escapes_everything():
    page = to_html(report())
    assert '<script>alert(1)' not in page and '&lt;script&gt;alert(1)' in page and '&lt;nas2&gt;' in page
    assert 'generated &lt;b&gt;name&lt;/b&gt;' in page
    assert 'src=' not in page and 'href=' not in page and '<link' not in page
    assert page.count('<tr class="host"') == 2 and page.count('hidden>') == 2


def test_no_other_host_variable_reaches_the_report():
    data = report()
    assert SECRET not in json.dumps(data) + to_markdown(data) + to_html(data)
