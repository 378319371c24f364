"""The fleet report's records and renderings, from registered results as the join playbook leaves them."""

import json

import pytest

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import OUTCOMES, fleet, host_record
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_render import outcome_summary, step_cell, to_html, to_markdown

SECRET = 'Canary-Pa55word-fleet'
NETWORK_OK = {'changed': False, 'msg': 'already set', 'config': {'domain': 'aaddscontoso.com', 'nameservers': ['198.51.100.11']}}
PREFLIGHT_OK = {'changed': False, 'msg': 'No check failed', 'summary': {'pass': 3, 'warn': 0, 'fail': 0},
                'elapsed_ms': 12.5, 'checks': [{'name': 'tcp_88', 'target': '198.51.100.11', 'status': 'pass',
                                                'detail': 'TCP 88 answers', 'hint': None, 'value': 1}]}
JOIN_OK = {'changed': True, 'msg': 'joined', 'status': 'HEALTHY', 'elapsed': 2.25, 'progress': [{'percent': 100}]}
VERIFY_INFO = {'changed': False, 'msg': 'no check failed', 'summary': {'pass': 8, 'info': 1, 'warn': 0, 'fail': 0},
               'failed_checks': [], 'directory': {'users': 9, 'not_visible': []},
               'checks': [{'name': 'naming', 'target': None, 'status': 'info', 'detail': 'generated <b>name</b>'},
                          {'name': 'user', 'target': 'alice', 'status': 'pass', 'detail': 'resolves'}]}
VERIFY_WARN = dict(VERIFY_INFO, summary={'pass': 8, 'info': 0, 'warn': 1, 'fail': 0}, checks=[
    {'name': 'rid_headroom', 'target': None, 'status': 'warn', 'detail': '900 ids left', 'hint': 'widen'}])
UNREACHABLE = {'unreachable': True, 'changed': False,
               'msg': 'Failed to connect to the host via ssh: ssh: connect to host 198.51.100.22 port 22: Connection refused'}


def hostvars(**steps):
    names = {'network': 'entra_network_result', 'preflight': 'entra_preflight_result', 'join': 'entra_join_result',
             'verify': 'entra_verify_result'}
    found = dict((names[step], result) for step, result in steps.items() if step in names)
    found.update(entra_join_password=SECRET, truenas_api_key=SECRET, ansible_host='198.51.100.21')
    if 'failure' in steps:
        found['entra_failure'] = steps['failure']
    return found


def test_a_joined_host_reports_every_step_with_naming_as_information():
    record = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_INFO))
    assert record['outcome'] == 'changed' and record['nas'] == '198.51.100.21' and record['first_failure'] is None
    assert [record['steps'][step]['state'] for step in ('network', 'preflight', 'join', 'verify')] == \
        ['ok', 'ok', 'changed', 'ok']
    assert record['steps']['join']['elapsed'] == 2.25
    assert record['steps']['preflight']['checks'][0] == {'name': 'tcp_88', 'target': '198.51.100.11', 'status': 'pass',
                                                         'detail': 'TCP 88 answers', 'hint': None}
    assert [check['name'] for check in record['steps']['verify']['checks']] == ['naming']
    assert [(note['step'], note['name']) for note in record['notes']] == [('verify', 'naming')]
    assert record['steps']['verify']['directory'] == {'users': 9}


def test_a_converged_host_is_ok_and_a_warning_asks_for_action():
    converged = dict(JOIN_OK, changed=False, msg='already joined, HEALTHY', elapsed=0.01)
    record = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=converged, verify=VERIFY_INFO))
    assert record['outcome'] == 'ok' and step_cell(record['steps']['join']) == 'already joined, HEALTHY'
    warned = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=converged, verify=VERIFY_WARN))
    assert warned['outcome'] == 'warn' and warned['notes'] == []


@pytest.mark.parametrize('step', ['network', 'preflight', 'join', 'verify'])
def test_an_unreachable_host_is_never_ok(step):
    before = dict((name, result) for name, result in
                  zip(('network', 'preflight', 'join'), (NETWORK_OK, PREFLIGHT_OK, JOIN_OK)))
    steps = dict(list(before.items())[:['network', 'preflight', 'join', 'verify'].index(step)], **{step: UNREACHABLE})
    record = host_record('nas2', hostvars(**steps), in_play=False)
    assert record['outcome'] == 'unreachable' and record['first_failure']['step'] == step
    assert record['first_failure']['msg'] == UNREACHABLE['msg'] and 'sshd' in record['first_failure']['hint']
    assert record['steps'][step] == {'state': 'unreachable', 'msg': UNREACHABLE['msg']}
    later = ['network', 'preflight', 'join', 'verify'][['network', 'preflight', 'join', 'verify'].index(step) + 1:]
    assert all(record['steps'][name] == {'state': 'not run', 'why': 'the host stopped at %s' % step} for name in later)


def test_a_host_that_left_the_play_without_a_result_is_failed_not_ok():
    record = host_record('nas3', hostvars(network=NETWORK_OK), in_play=False)
    assert record['outcome'] == 'failed' and 'left the play' in record['first_failure']['msg']
    assert record['steps']['preflight']['why'].startswith('the host stopped before this step')


def test_a_host_stopped_by_a_failed_step_names_it_and_its_fix():
    network = {'failed': True, 'changed': False, 'msg': 'nameserver 198.51.100.99 did not resolve', 'restored': True,
               'hint': 'set nameservers to the DCs', 'config': {'nameservers': ['198.51.100.11']}}
    record = host_record('nas2', hostvars(network=network, failure={'task': 'Point the NAS', 'msg': 'x', 'hint': ''}))
    assert record['outcome'] == 'failed'
    assert record['first_failure'] == {'step': 'network', 'msg': 'nameserver 198.51.100.99 did not resolve',
                                       'hint': 'set nameservers to the DCs'}
    assert record['steps']['network']['restored'] is True
    assert [record['steps'][step]['state'] for step in ('preflight', 'join', 'verify')] == ['not run'] * 3


def test_the_fix_comes_from_the_error_or_the_first_failed_check():
    refused = {'failed': True, 'msg': 'TrueNAS rejected the API key', 'error': {'errname': 'AUTH_ERR', 'hint': 'check api_key'}}
    record = host_record('nas1', hostvars(network=refused, failure={'task': 'Point', 'msg': 'x', 'hint': None}))
    assert record['first_failure']['hint'] == 'check api_key'
    skewed = dict(PREFLIGHT_OK, failed=True, checks=PREFLIGHT_OK['checks'] + [
        {'name': 'clock_skew', 'target': '198.51.100.11', 'status': 'fail', 'detail': '900 s ahead', 'hint': 'configure NTP'}])
    record = host_record('nas1', hostvars(network=NETWORK_OK, preflight=skewed, failure={'task': 'Prove', 'msg': 'x', 'hint': None}))
    assert record['first_failure'] == {'step': 'preflight', 'msg': 'No check failed', 'hint': 'configure NTP'}


def test_a_failure_outside_the_steps_is_named_by_its_task():
    failure = {'task': 'Check the variables of every step before any change', 'msg': 'entra_dc_ips: bad', 'hint': None}
    record = host_record('nas3', hostvars(failure=failure))
    assert record['outcome'] == 'failed' and record['first_failure']['step'] == failure['task']


def test_the_report_of_a_starting_run_shows_no_step_and_no_earlier_result():
    earlier = hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_INFO)
    record = host_record('nas1', earlier, started='2026-12-04T18:00:00Z')
    assert record['outcome'] == 'not run' and record['first_failure'] is None
    assert all(step['state'] == 'not run' and '2026-12-04T18:00:00Z' in step['why'] for step in record['steps'].values())


def test_a_host_with_nothing_registered_was_not_run_and_says_why():
    nothing = host_record('nas4', {})
    assert nothing['outcome'] == 'not run' and 'tags' in nothing['why'] and nothing['first_failure'] is None
    skipped = host_record('nas4', hostvars(network={'skipped': True, 'changed': False, 'false_condition': 'x is defined'}))
    assert skipped['outcome'] == 'not run' and skipped['steps']['network'] == {'state': 'skipped',
                                                                               'why': 'when: x is defined was false'}


def report():
    ok = host_record('nas|1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_INFO))
    bad = host_record('<nas2>', hostvars(failure={'task': 'Join', 'msg': 'bad <script>alert(1)</script>', 'hint': 'fix'}))
    gone = host_record('nas3', hostvars(network=UNREACHABLE), in_play=False)
    return fleet([ok, bad, gone], '2026-11-22T00:00:00Z')


def test_fleet_counts_outcomes_worst_first():
    assert report()['outcomes'] == {'changed': 1, 'failed': 1, 'unreachable': 1} and report()['hosts'] == 3
    assert outcome_summary(report()) == 'Generated 2026-11-22T00:00:00Z: 3 hosts: 1 unreachable, 1 failed, 1 changed.'


def test_markdown_is_one_table_row_per_host_with_escaped_cells():
    text = to_markdown(report())
    rows = [line for line in text.splitlines() if line.startswith('| ') and not line.startswith('| host')]
    assert len(rows) == 3
    assert rows[0].startswith('| nas\\|1 | 198.51.100.21 | changed | ok | ok (3 pass) | changed HEALTHY in 2.2 s | '
                              'ok (8 pass, 1 info) |')
    assert rows[1].startswith('| &lt;nas2&gt; |') and 'Join: bad &lt;script&gt;alert(1)&lt;/script&gt; Fix: fix' in rows[1]
    assert rows[2].startswith('| nas3 | 198.51.100.21 | unreachable | unreachable | not run |')
    assert 'network: Failed to connect to the host via ssh' in rows[2]
    assert '## Information' in text and '- nas\\|1: verify naming: generated &lt;b&gt;name&lt;/b&gt;' in text
    assert '- not run preflight: the host stopped at network' in text


def test_html_is_self_contained_and_escapes_everything():
    page = to_html(report())
    assert '<script>alert(1)' not in page and '&lt;script&gt;alert(1)' in page and '&lt;nas2&gt;' in page
    assert 'generated &lt;b&gt;name&lt;/b&gt;' in page
    assert 'src=' not in page and 'href=' not in page and '<link' not in page
    assert page.count('<tr class="host"') == 3 and page.count('hidden>') == 3


def test_html_headline_filters_and_failure_in_the_row():
    page = to_html(report())
    assert [outcome for outcome in OUTCOMES if 'data-outcome="%s" aria-pressed' % outcome in page] == \
        ['unreachable', 'failed', 'changed']
    row = page[page.index('data-outcome="failed" data-rank'):]
    row = row[:row.index('</tr>')]
    assert 'bad &lt;script&gt;' in row and '<b>Fix:</b> fix' in row  # visible without a click
    assert 'name="viewport"' in page and '@media (max-width:700px)' in page


def test_no_other_host_variable_reaches_the_report():
    data = report()
    assert SECRET not in json.dumps(data) + to_markdown(data) + to_html(data)


VERIFY_LEFT_OUT = {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False',
                   'false_condition': 'not entra_verify_join_only_predicted | bool'}
PREDICTED_JOIN = dict(JOIN_OK, msg='would join aaddscontoso.com as NAS1 (check mode)', elapsed=0.02, progress=[])


def test_a_dry_run_record_is_predicted_and_verify_after_a_predicted_join_is_not_run():
    record = host_record('nas1', hostvars(network=dict(NETWORK_OK, changed=True), preflight=PREFLIGHT_OK,
                                          join=PREDICTED_JOIN, verify=VERIFY_LEFT_OUT), dry_run=True)
    assert record['outcome'] == 'changed' and record['dry_run'] is True and record['first_failure'] is None
    assert record['why'] == 'dry run (check mode, nothing was changed): changed: network, preflight, join ran'
    assert record['steps']['verify'] == {
        'state': 'not run', 'why': 'the join is only predicted (check mode): there is no joined NAS to verify yet'}
    assert step_cell(record['steps']['join'], dry_run=True) == 'would change to HEALTHY'
    assert step_cell(record['steps']['network'], dry_run=True) == 'would change'
    real = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=PREDICTED_JOIN,
                                        verify=VERIFY_LEFT_OUT))
    assert real['dry_run'] is False and real['steps']['verify']['state'] == 'skipped'  # only a dry run explains it so


def test_a_dry_run_keeps_a_converged_verify_and_a_failure_as_they_are():
    converged = dict(JOIN_OK, changed=False, msg='already joined, HEALTHY')
    record = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=converged, verify=VERIFY_INFO),
                         dry_run=True)
    assert record['outcome'] == 'ok' and record['steps']['verify']['state'] == 'ok'
    stopped = dict(PREFLIGHT_OK, failed=True, msg='1 of 3 checks failed')
    failed = host_record('nas2', hostvars(network=NETWORK_OK, preflight=stopped,
                                          failure={'task': 'Prove', 'msg': '1 of 3 checks failed', 'hint': None}),
                         dry_run=True)
    assert failed['outcome'] == 'failed' and failed['first_failure']['msg'] == '1 of 3 checks failed'
    assert failed['why'] == 'dry run (check mode, nothing was changed): failed at preflight: 1 of 3 checks failed'
    assert failed['steps']['verify'] == {'state': 'not run', 'why': 'the host stopped at preflight'}


def test_a_dry_run_report_says_so_in_every_rendering():
    records = [host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=PREDICTED_JOIN,
                                            verify=VERIFY_LEFT_OUT), dry_run=True)]
    data = fleet(records, '2026-11-22T00:00:00Z', dry_run=True)
    assert data['dry_run'] is True and report()['dry_run'] is False
    assert outcome_summary(data) == ('Dry run (check mode): nothing was changed on any NAS. Each outcome is what a real '
                                     'run would do; verify runs only on a NAS that is joined already. Generated '
                                     '2026-11-22T00:00:00Z: 1 hosts: 1 changed.')
    text = to_markdown(data)
    assert text.startswith('# Entra Domain Services join report (dry run)\n\nDry run (check mode): nothing was changed')
    assert '| nas1 | 198.51.100.21 | changed (dry run) | ok | ok (3 pass) | would change to HEALTHY | not run |' in text
    assert '## nas1: changed (dry run)' in text and '- not run verify: the join is only predicted' in text
    page = to_html(data)
    assert '<title>Entra Domain Services join report (dry run)</title>' in page
    assert '<h1>Entra Domain Services join report (dry run)</h1><p>Dry run (check mode)' in page
    assert '>changed (dry run)</td>' in page and '1 changed (dry run)</button>' in page
    real = to_markdown(report()) + to_html(report())
    assert 'dry run' not in real.lower()
