"""nasjoin.entra.fleet_report through ansible-playbook: what it writes, check mode, and its errors."""

import json
import xml.etree.ElementTree as ET

import yaml

PLAY = '''- name: report
  hosts: all
  gather_facts: false
  tasks:
    - name: report
      nasjoin.entra.fleet_report:
        dest: "{{ report_dir }}"
%s      run_once: true
'''
CANARY = 'Canary-fleet-Pa55'


def inventory(ansible):
    hosts = {
        'nas1': {'entra_network_result': {'changed': True, 'msg': 'set', 'config': {'nameservers': ['198.51.100.11']}},
                 'entra_join_result': {'changed': True, 'status': 'HEALTHY', 'elapsed': 1.5, 'msg': 'joined'}},
        'nas2': {'entra_network_result': {'failed': True, 'msg': 'nameserver did not resolve', 'hint': 'fix DNS'},
                 'entra_failure': {'task': 'Point the NAS', 'msg': 'nameserver did not resolve', 'hint': None}},
    }
    for values in hosts.values():
        values.update(ansible_connection='local', ansible_python_interpreter='{{ ansible_playbook_python }}',
                      entra_join_password=CANARY)
    path = ansible.tmp_path / 'fleet.yml'
    path.write_text(yaml.safe_dump({'all': {'hosts': hosts}}))
    ansible.inventory = path


def run(ansible, options='', *args):
    inventory(ansible)
    play = ansible.tmp_path / 'report.yml'
    play.write_text(PLAY % ''.join('        %s\n' % line for line in options.splitlines()))
    return ansible.run_playbook(play, '-e', 'report_dir=%s' % (ansible.tmp_path / 'out'), *args)


def test_it_writes_three_files_with_every_host(ansible):
    result = run(ansible)
    assert result.rc == 0, result.stdout + result.stderr
    out = ansible.tmp_path / 'out'
    assert sorted(path.name for path in out.iterdir()) == ['fleet-report.html', 'fleet-report.json', 'fleet-report.md']
    written = json.loads((out / 'fleet-report.json').read_text())
    assert [record['host'] for record in written['records']] == ['nas1', 'nas2']
    assert written['outcomes'] == {'changed': 1, 'failed': 1}
    assert result.result['failed_hosts'] == ['nas2'] and result.result['changed'] is True
    assert all(CANARY not in path.read_text() for path in out.iterdir())
    assert CANARY not in result.stdout + result.stderr


def test_check_mode_writes_a_dry_run_report_beside_the_real_one(ansible):
    real = run(ansible)
    assert real.rc == 0 and real.result['dry_run'] is False, real.stdout + real.stderr
    out = ansible.tmp_path / 'out'
    kept = dict((path.name, path.read_bytes()) for path in out.iterdir())
    result = run(ansible, '', '--check')
    assert result.rc == 0 and result.result['changed'] is True, result.stdout + result.stderr
    assert result.result['dry_run'] is True and 'dry run (check mode)' in result.result['msg']
    assert sorted(path.name for path in out.iterdir()) == sorted(
        list(kept) + ['fleet-report-dry-run.html', 'fleet-report-dry-run.json', 'fleet-report-dry-run.md'])
    assert kept == dict((name, (out / name).read_bytes()) for name in kept)  # the real run's report as it was
    written = json.loads((out / 'fleet-report-dry-run.json').read_text())
    assert written['dry_run'] is True and [record['dry_run'] for record in written['records']] == [True, True]
    assert written['outcomes'] == {'changed': 1, 'failed': 1}
    assert (out / 'fleet-report-dry-run.md').read_text().startswith('# Entra Domain Services join report (dry run)')
    again = run(ansible, '', '--check')
    assert again.rc == 0 and again.result['paths'] == result.result['paths'], again.stdout + again.stderr


def test_formats_and_hosts_choose_what_is_written(ansible):
    result = run(ansible, 'formats: [json]\nhosts: [nas2]')
    assert result.rc == 0, result.stdout + result.stderr
    out = ansible.tmp_path / 'out'
    assert [path.name for path in out.iterdir()] == ['fleet-report.json']
    assert [record['host'] for record in json.loads((out / 'fleet-report.json').read_text())['records']] == ['nas2']


def test_bad_arguments_are_named(ansible):
    unknown = run(ansible, 'hosts: [nas9]')
    assert unknown.rc == 2 and 'hosts: not in the inventory: nas9' in unknown.stdout
    (ansible.tmp_path / 'out').write_text('a file, not a directory')
    blocked = run(ansible)
    assert blocked.rc == 2 and 'dest: cannot write the report in' in blocked.stdout
    bad_format = run(ansible, 'formats: [pdf]')
    assert bad_format.rc == 2 and 'formats' in bad_format.stdout and 'pdf' in bad_format.stdout


LEAVING_PLAY = '''- name: hosts leave the play
  hosts: all
  gather_facts: false
  tasks:
    - name: a step that reaches the host
      ansible.builtin.ping:
      register: entra_network_result
    - name: a task without a result that fails one host
      ansible.builtin.fail:
        msg: stopped here
      when: inventory_hostname == 'failing'
    - name: report
      nasjoin.entra.fleet_report:
        dest: "{{ report_dir }}"
      run_once: true
'''


def test_hosts_that_left_the_play_are_never_ok(ansible):
    """An unreachable host (SSH refused on loopback) and a host failed outside any rescue leave the play: Ansible
    registers the unreachable result, and the report says unreachable and failed, never ok."""
    local = {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
    hosts = {'reached': dict(local), 'failing': dict(local),
             'gone': {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1', 'ansible_port': 9,
                      'ansible_ssh_common_args': '-o ConnectTimeout=5'}}
    ansible.inventory = ansible.tmp_path / 'leaving.yml'
    ansible.inventory.write_text(yaml.safe_dump({'all': {'hosts': hosts}}))
    play = ansible.tmp_path / 'leaving-play.yml'
    play.write_text(LEAVING_PLAY)
    result = ansible.run_playbook(play, '-e', 'report_dir=%s' % (ansible.tmp_path / 'out'))
    assert result.rc == 4, result.stdout + result.stderr  # ansible-playbook: 4 when a host is unreachable
    unreachable = [body for host, status, body in result.results if status == 'UNREACHABLE!']
    written = json.loads((ansible.tmp_path / 'out' / 'fleet-report.json').read_text())
    records = dict((record['host'], record) for record in written['records'])
    assert written['outcomes'] == {'ok': 1, 'failed': 1, 'unreachable': 1}
    assert records['reached']['outcome'] == 'ok'
    gone = records['gone']
    assert gone['outcome'] == 'unreachable' and gone['steps']['network']['state'] == 'unreachable'
    assert gone['first_failure']['msg'] == unreachable[0]['msg'] and 'port 9' in gone['first_failure']['msg']
    assert records['failing']['outcome'] == 'failed' and 'left the play' in records['failing']['first_failure']['msg']
    report = [body for host, status, body in result.results if 'outcomes' in body][0]
    assert report['unreachable_hosts'] == ['gone'] and report['failed_hosts'] == ['failing']


UNREACHED_PLAY = '''- name: every host unreachable
  hosts: all
  gather_facts: false
  tasks:
    - name: start the report
      nasjoin.entra.fleet_report:
        dest: "{{ report_dir }}"
        started: true
      run_once: true
    - name: a step that reaches no host
      ansible.builtin.ping:
      register: entra_network_result
    - name: report
      nasjoin.entra.fleet_report:
        dest: "{{ report_dir }}"
      run_once: true
'''


def test_a_run_that_ends_before_its_report_leaves_no_old_report(ansible):
    """Every host unreachable: Ansible ends the play before the report task. The report started with the run says
    that no host was reported; the green report of the run before is gone."""
    out = ansible.tmp_path / 'out'
    assert run(ansible).rc == 0  # an earlier run's report: nas1 changed
    hosts = dict(('nas%d' % number, {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1', 'ansible_port': 9,
                                     'ansible_ssh_common_args': '-o ConnectTimeout=5'}) for number in (1, 2))
    ansible.inventory = ansible.tmp_path / 'unreached.yml'
    ansible.inventory.write_text(yaml.safe_dump({'all': {'hosts': hosts}}))
    play = ansible.tmp_path / 'unreached-play.yml'
    play.write_text(UNREACHED_PLAY)
    result = ansible.run_playbook(play, '-e', 'report_dir=%s' % out)
    assert result.rc == 4, result.stdout + result.stderr
    assert sorted(host for host, status, body in result.results if status == 'UNREACHABLE!') == ['nas1', 'nas2']
    written = json.loads((out / 'fleet-report.json').read_text())
    assert written['outcomes'] == {'not run': 2}
    for record in written['records']:
        assert all('has not reported this host' in step['why'] for step in record['steps'].values()), record
    assert '## nas1: not run' in (out / 'fleet-report.md').read_text()
    assert 'has not reported this host' in (out / 'fleet-report.html').read_text()


def test_named_reports_merge_into_one_with_junit_and_bad_merges_are_named(ansible):
    """Two named runs (nas1's and nas2's) write their own files; a merge over the inventory makes one report of them,
    with its JUnit XML form; a merge that finds no report, a bad name and merge with started are refused."""
    assert run(ansible, 'name: run-a\nhosts: [nas1]\nformats: [json]').rc == 0
    assert run(ansible, 'name: run-b\nhosts: [nas2]\nformats: [json, junit]').rc == 0
    out = ansible.tmp_path / 'out'
    assert sorted(path.name for path in out.iterdir()) == [
        'fleet-report-run-a.json', 'fleet-report-run-b.json', 'fleet-report-run-b.junit.xml']
    merged = run(ansible, 'merge: ["{{ report_dir }}/fleet-report-*.json"]\nformats: [json, junit]')
    assert merged.rc == 0 and 'merged from 2 reports' in merged.result['msg'], merged.stdout + merged.stderr
    written = json.loads((out / 'fleet-report.json').read_text())
    assert [(record['host'], record['outcome']) for record in written['records']] == [('nas1', 'changed'), ('nas2', 'failed')]
    assert merged.result['summary']['failed_hosts'] == ['nas2'] and merged.result['summary']['outcomes']['changed'] == 1
    suites = ET.parse(str(out / 'fleet-report.junit.xml')).getroot().findall('testsuite')
    assert [(suite.get('name'), suite.get('failures')) for suite in suites] == [('nas1', '0'), ('nas2', '1')]
    dry = run(ansible, 'merge: ["{{ report_dir }}/fleet-report-*.json"]', '--check')
    assert dry.rc == 0 and dry.result['outcomes'] == {'not run': 2}, dry.stdout + dry.stderr  # real reports: skipped
    assert dry.result['msg'].count("a real run's report: merge it without --check") == 2
    assert all(CANARY not in path.read_text() for path in out.iterdir())
    nothing = run(ansible, 'merge: ["{{ report_dir }}/none-*.json"]')
    assert nothing.rc == 2 and 'merge: no report matches' in nothing.stdout
    (out / 'fleet-report-odd.json').write_text('[]')
    odd = run(ansible, 'merge: ["{{ report_dir }}/fleet-report-*.json"]')
    assert odd.rc == 2 and 'fleet-report-odd.json: not a fleet report' in odd.stdout
    bad_name = run(ansible, 'name: ../up')
    assert bad_name.rc == 2 and "name: '../up' is not a report name" in bad_name.stdout
    both = run(ansible, 'merge: [x.json]\nstarted: true')
    assert both.rc == 2 and 'mutually exclusive' in both.stdout
