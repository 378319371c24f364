"""Secrets as the join playbook and the modules take them. A password holding Jinja (`{{`, `{%`), quotes, `%`, `$`, a
backslash and non-ASCII joins as written when it is `!unsafe` in a vars file and when it comes in ENTRA_JOIN_PASSWORD:
the domain sees exactly it, and the lookup inside it never runs. A secret or string of another type (a list, a dict,
a number) is refused by name before any connection, by the playbook's variable check and by every module.

The preflight role is skipped (--skip-tags entra_preflight), as in test_fleet_concurrency.py.
"""

import json
import os
import re

from truenas_emulator.directory_backend import FAKE_JOIN_USER

from ..conftest import COLLECTION, SESSION
from .conftest import DC_IPS, DOMAIN, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
MARKER = '/tmp/nasjoin-secret-injected-%d' % os.getpid()  # per process: two suites may run at once
PASSWORD = "Aa1 {{ lookup('pipe', 'touch " + MARKER + "') }} {% if true %}x{% endif %} '\" 100% $HOME \\n\\ é€"
LIST_SECRET = 'Canary-listed-Passw0rd'
DOMAIN_VARS = {'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_join_user': '%s@%s' % (FAKE_JOIN_USER, DOMAIN),
               'entra_network_verify': False}


def test_a_password_with_jinja_quotes_and_non_ascii_joins_as_written_both_ways(fleet_of, tmp_path):
    SESSION['canary'].secret(PASSWORD, 'join password with template syntax')
    if os.path.exists(MARKER):
        os.unlink(MARKER)
    fleet = fleet_of(['nas-unsafe', 'nas-env'])
    for emu in fleet.nas.values():
        next(user for user in emu.fake.user_table if user['name'] == FAKE_JOIN_USER)['password'] = PASSWORD
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json', groups={'truenas': ['nas-unsafe', 'nas-env'],
                                                                        'unsafe_password': ['nas-unsafe']})
    (tmp_path / 'group_vars').mkdir()
    (tmp_path / 'group_vars' / 'unsafe_password.yml').write_text(
        "entra_join_password: !unsafe '%s'\n" % PASSWORD.replace("'", "''"), encoding='utf-8')
    variables = tmp_path / 'domain.json'
    variables.write_text(json.dumps(DOMAIN_VARS))
    run = runner.run_playbook(PLAYBOOK, '-e', '@%s' % variables, '--skip-tags', 'entra_preflight',
                              env={'ENTRA_JOIN_PASSWORD': PASSWORD})
    assert run.rc == 0, run.stdout[-5000:] + run.stderr
    joins = dict((host, result) for host, dummy, result in run.results if 'progress' in result)
    assert sorted(joins) == ['nas-env', 'nas-unsafe']
    for name, result in joins.items():
        fake = fleet.nas[name].fake
        assert result['changed'] and result['status'] == 'HEALTHY', result
        assert list(fake.computers) == [name.upper()]
        # the join user authenticated once, with exactly the password written (any other text fails PREAUTH)
        assert [kinit for kinit in fake.kinits if kinit['principal'].startswith(FAKE_JOIN_USER + '@')] == [
            {'principal': '%s@%s' % (FAKE_JOIN_USER, DOMAIN.upper()), 'result': 'OK'}], fake.kinits
    assert not os.path.exists(MARKER)


# host: (its variables, what its failure must say)
REFUSED = {
    'nas-list-password': ({'entra_join_password': [LIST_SECRET]},
                          'entra_join_password: of type list, not a string; give it as a quoted string.'),
    'nas-number-password': ({'entra_join_password': 83}, 'entra_join_password: of type int, not a string'),
    'nas-dict-user': ({'entra_join_user': {'name': FAKE_JOIN_USER}}, 'entra_join_user: of type dict, not a string'),
}


def test_a_variable_of_another_type_stops_its_host_before_any_connection(fleet_of, tmp_path):
    SESSION['canary'].secret(LIST_SECRET, 'join password given as a list')
    fleet = fleet_of(sorted(REFUSED))
    runner = fleet_runner(tmp_path)
    # host variables, not -e: an extra variable would win over the bad one
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json', dict((name, dict(DOMAIN_VARS, **variables))
                                                                     for name, (variables, dummy) in REFUSED.items()))
    run = runner.run_playbook(PLAYBOOK, '--skip-tags', 'entra_preflight', env={'ENTRA_JOIN_PASSWORD': 'not-used-by-a-refused-run'})
    assert run.rc != 0
    records = dict((record['host'], record) for record in
                   json.loads((tmp_path / 'entra-report' / 'fleet-report.json').read_text())['records'])
    for name, (dummy, words) in REFUSED.items():
        assert records[name]['outcome'] == 'failed' and words in records[name]['first_failure']['msg'], records[name]
        seen = fleet.nas[name].counters()
        assert seen['connections'] == 0 and seen['writes'] == 0, (name, seen)
        assert fleet.nas[name].fake.kinits == []


def refusal(option, kind, parent=None):
    """Ansible's refusal of ``option`` given a ``kind`` (ansible-core 2.17 and 2.18 write the type as <class 'list'>)."""
    return re.compile(r"^argument '%s' is of type (%s|<class '%s'>)%s and we were unable to convert to text: its string "
                      r"form is never sent; give the value as a quoted string$" % (
                          option, kind, kind, " found in '%s'\\." % parent if parent else ''))


# (task name, module, arguments, the refusal)
MODULE_CASES = [
    ('join password as a list', 'ad_join',
     {'domain': DOMAIN, 'username': 'aaddsadmin@' + DOMAIN, 'password': [LIST_SECRET]}, refusal('password', 'list')),
    ('leave password as a number', 'ad_join',
     {'state': 'absent', 'domain': DOMAIN, 'leave_credentials': {'username': 'aaddsadmin@' + DOMAIN, 'password': 12345678}},
     refusal('password', 'int', 'leave_credentials')),
    ('API key as a list', 'entra_dns_config', {'domain': DOMAIN, 'nameservers': DC_IPS, 'api_key': [LIST_SECRET]},
     refusal('api_key', 'list')),
    ('credential check password as a dict', 'entra_connectivity',
     {'domain': DOMAIN, 'dc_ips': DC_IPS, 'username': 'aaddsadmin@' + DOMAIN, 'password': {'value': LIST_SECRET}},
     refusal('password', 'dict')),
    ('directory password as a list', 'verify_idmap',
     {'users': ['alice'], 'directory': {'username': 'alice@' + DOMAIN, 'password': [LIST_SECRET]}},
     refusal('password', 'list', 'directory')),
]


def test_every_module_refuses_a_secret_of_another_type_before_connecting(fleet_of, tmp_path):
    SESSION['canary'].secret(LIST_SECRET, 'secret given as a list')
    fleet = fleet_of(['nas-modules'])
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json')
    connection = {'api_url': '{{ truenas_api_url }}', 'ca_path': '{{ truenas_ca_path }}'}
    tasks = [{'name': name, 'nasjoin.entra.%s' % module: dict(connection, **args), 'ignore_errors': True}
             for name, module, args, dummy in MODULE_CASES]
    play = tmp_path / 'secrets.yml'
    play.write_text(json.dumps([{'name': 'Secrets of another type', 'hosts': 'truenas', 'gather_facts': False,
                                 'tasks': tasks}]))
    run = runner.run_playbook(play)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr  # every failure ignored
    assert [status for dummy, status, dummy in run.results] == ['FAILED!'] * len(MODULE_CASES)
    for (name, dummy, dummy, words), (dummy, dummy, result) in zip(MODULE_CASES, run.results):
        assert words.match(result['msg']), (name, result['msg'])
    seen = fleet.nas['nas-modules'].counters()
    assert seen['connections'] == 0 and seen['calls'] == 0, seen
