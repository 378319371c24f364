"""The fleet report's JUnit XML form (parsed back, hostile values included), the merge of many reports into one, and
the summary a job publishes as its artifacts."""

import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.nasjoin.entra.plugins.action.fleet_report import RENDERERS, file_name
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_junit import to_junit, xml_text
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_merge import MISSING_WHY, MergeError, merge, summary
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import OUTCOMES, fleet, host_record

from .test_fleet_report import JOIN_OK, NETWORK_OK, PREFLIGHT_OK, SECRET, UNREACHABLE, VERIFY_INFO, hostvars
from .test_fleet_report_hostile import HOSTS, JOB_ERROR, hostile_report

# every character XML 1.0 forbids that a NAS or an inventory could hand over, and a forged element and entity
FORBIDDEN = ''.join(chr(code) for code in list(range(0, 9)) + [11, 12] + list(range(14, 32))) + '\ud800\udfff\ufffe\uffff'
FORGED = 'x"/><testcase name="forged"><failure message="forged"/></testcase><y a="&amp; ]]> <!-- <?pi?>'


def suites_of(report):
    text = to_junit(report)
    root = ET.fromstring(text.encode('utf-8'))
    return text, root, dict((suite.get('name'), suite) for suite in root.findall('testsuite'))


def test_junit_has_a_suite_per_host_and_a_case_per_step():
    joined = host_record('nas1', hostvars(network=NETWORK_OK, preflight=PREFLIGHT_OK, join=JOIN_OK, verify=VERIFY_INFO))
    preflight = dict(PREFLIGHT_OK, failed=True, msg='TCP 88 timed out', hint='open TCP 88')
    failed = host_record('nas2', hostvars(network=NETWORK_OK, preflight=preflight))
    gone = host_record('nas3', hostvars(network=UNREACHABLE))
    text, root, suites = suites_of(fleet([joined, failed, gone], '2026-11-22T00:00:00Z'))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert list(suites) == ['nas1', 'nas2', 'nas3'] and root.get('timestamp') == '2026-11-22T00:00:00Z'
    assert [case.get('name') for case in suites['nas1'].findall('testcase')] == ['network', 'preflight', 'join', 'verify']
    assert suites['nas1'].get('failures') == '0' and not suites['nas1'].findall('testcase/*')
    failure = suites['nas2'].find("testcase[@name='preflight']/failure")
    assert failure.get('message') == 'TCP 88 timed out' and failure.text == 'TCP 88 timed out\nFix: open TCP 88'
    assert [case.find('skipped').get('message') for case in suites['nas2'].findall('testcase')[2:]] == \
        ['the host stopped at preflight'] * 2
    error = suites['nas3'].find("testcase[@name='network']/error")
    assert error.get('type') == 'unreachable' and 'Connection refused' in error.get('message') and 'Fix: ' in error.text
    assert (root.get('tests'), root.get('failures'), root.get('errors')) == ('12', '1', '1')
    assert dict((name, suite.get('skipped')) for name, suite in suites.items()) == {'nas1': '0', 'nas2': '2', 'nas3': '3'}
    assert suites['nas1'].get('hostname') == '198.51.100.21' and SECRET not in text


def test_a_failure_outside_the_steps_is_a_failed_play_case_and_a_dry_run_says_so():
    left = host_record('nas1', {'ansible_host': 'nas1'}, in_play=False, dry_run=True)
    dummy, root, suites = suites_of(fleet([left], '2026-11-22T00:00:00Z', dry_run=True))
    assert root.get('name').endswith('(dry run)') and root.get('failures') == '1'
    assert suites['nas1'].find("testcase[@name='play']/failure").get('message').startswith('the host left the play')
    assert suites['nas1'].find('system-out').text.startswith('dry run: ')


def test_junit_parses_back_with_every_hostile_value_as_text():
    report = hostile_report()
    report['records'][0]['nas'] = FORGED + FORBIDDEN
    text, root, suites = suites_of(report)
    assert all(ord(char) in (9, 10, 13) or ord(char) >= 32 for char in text)
    assert not [char for char in text if 0xd800 <= ord(char) <= 0xdfff or char in '\ufffe\uffff']
    assert [suite.get('name') for suite in root.findall('testsuite')] == [xml_text(host) for host in HOSTS] + ['nas-checks']
    assert root.findall('.//testcase[@name="forged"]') == [] and not root.findall('.//y')
    assert suites[xml_text(HOSTS[0])].get('hostname') == FORGED + '\ufffd' * len(FORBIDDEN)
    play = root.findall("testsuite/testcase[@name='play']/failure")
    assert len(play) == len(HOSTS) and all(failure.get('message') == JOB_ERROR for failure in play)  # line breaks kept
    assert all(element.tag in ('testsuites', 'testsuite', 'testcase', 'failure', 'error', 'skipped', 'system-out')
               for element in root.iter())


def test_report_names_keep_slices_and_dry_runs_apart():
    assert file_name('junit', False) == 'fleet-report.junit.xml' and file_name('json', True) == 'fleet-report-dry-run.json'
    assert file_name('json', False, 'job-42') == 'fleet-report-job-42.json'
    assert file_name('junit', True, 'job-42') == 'fleet-report-job-42-dry-run.junit.xml'
    assert RENDERERS['json'][0] == 'fleet-report.json'


def slice_report(names, generated_at, dry_run=False, **steps):
    return json.loads(json.dumps(fleet([host_record(name, hostvars(**steps), dry_run=dry_run) for name in names],
                                       generated_at, dry_run)))


def test_merge_takes_each_host_from_its_newest_report_and_never_calls_a_missing_host_ok():
    first = slice_report(['nas1', 'nas2'], '2026-11-22T01:00:00Z', network=UNREACHABLE)
    second = slice_report(['nas3'], '2026-11-22T01:00:05Z', network=NETWORK_OK, join=JOIN_OK)
    again = slice_report(['nas2'], '2026-11-22T02:00:00Z', network=NETWORK_OK, join=JOIN_OK)
    dry = slice_report(['nas1'], '2026-11-22T03:00:00Z', dry_run=True, network=NETWORK_OK)
    merged = merge([('s1.json', first), ('s3.json', again), ('s2.json', second), ('dry.json', dry)],
                   ['nas1', 'nas2', 'nas3', 'nas4'], {'nas4': {'ansible_host': '198.51.100.44', 'entra_join_password': SECRET}},
                   '2026-11-22T04:00:00Z', False)
    records = dict((record['host'], record) for record in merged['records'])
    assert [record['host'] for record in merged['records']] == ['nas1', 'nas2', 'nas3', 'nas4']
    assert (records['nas1']['outcome'], records['nas1']['report']) == ('unreachable', 's1.json')
    assert (records['nas2']['outcome'], records['nas2']['report']) == ('changed', 's3.json')
    assert records['nas4']['outcome'] == 'not run' and records['nas4']['report'] is None
    assert records['nas4']['nas'] == '198.51.100.44' and all(
        step['why'] == MISSING_WHY for step in records['nas4']['steps'].values())
    assert merged['outcomes'] == {'unreachable': 1, 'changed': 2, 'not run': 1} and merged['hosts'] == 4
    assert [entry['report'] for entry in merged['merged']] == ['s1.json', 's3.json', 's2.json']
    assert merged['skipped'] == [{'report': 'dry.json', 'why': "a dry run's report: merge it with --check"}]
    assert SECRET not in json.dumps(merged)
    extra = merge([('s1.json', first)], ['nas2'], {}, '2026-11-22T04:00:00Z', False)
    assert [record['host'] for record in extra['records']] == ['nas2', 'nas1']  # reported hosts beyond the list: after it


@pytest.mark.parametrize('bad', [[], {'records': []}, {'generated_at': 'x', 'records': [{'host': 'a', 'outcome': 'great'}]},
                                 {'generated_at': 'x', 'records': [{'outcome': 'ok'}]}])
def test_merge_refuses_what_is_not_a_fleet_report(bad):
    with pytest.raises(MergeError, match='^odd.json: not a fleet report'):
        merge([('odd.json', bad)], ['nas1'], {}, 'now', False)


def test_the_summary_holds_every_outcome_and_each_host_first_failure():
    failed = host_record('nas2', hostvars(network=dict(NETWORK_OK, failed=True, msg='no DNS', hint='fix DNS')))
    report = fleet([host_record('nas1', hostvars(network=NETWORK_OK)), failed], '2026-11-22T00:00:00Z')
    published = summary(report)
    assert list(published['outcomes']) == list(OUTCOMES) and published['outcomes']['failed'] == 1
    assert published['outcomes']['unreachable'] == 0 and published['failed_hosts'] == ['nas2']
    assert published['by_host'] == {
        'nas1': {'outcome': 'ok', 'nas': '198.51.100.21', 'step': None, 'msg': None, 'hint': None},
        'nas2': {'outcome': 'failed', 'nas': '198.51.100.21', 'step': 'network', 'msg': 'no DNS', 'hint': 'fix DNS'}}
    assert SECRET not in json.dumps(published)
