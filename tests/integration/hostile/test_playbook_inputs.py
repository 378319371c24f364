"""The join playbook refuses, for every host, role numbers that are NaN, infinite or out of range (naming the variable)
and an api_url with credentials (never showing them), before any step connects to a NAS; the fleet report records
each refusal and holds no secret."""

import json

from ..conftest import COLLECTION, URL_KEY
from .conftest import DC_IPS, DOMAIN, fleet_runner

PLAYBOOK = COLLECTION / 'playbooks' / 'join_entra_ds.yml'
# host: (its variables, what its failure must say)
HOSTS = {
    'nas-join-inf': ({'entra_join_timeout': 'inf'}, 'entra_join_timeout: inf is not a number from 1 to 86400.'),
    'nas-probe-nan': ({'entra_preflight_probe_timeout': 'nan'}, 'entra_preflight_probe_timeout: nan is not a number from 0.1 to 300.'),
    'nas-refresh-huge': ({'entra_verify_refresh_timeout': 1e23}, 'entra_verify_refresh_timeout: 1e+23 is not a number from 1 to 86400.'),
    'nas-two-bad': ({'entra_network_verify_timeout': -0.0, 'entra_preflight_max_clock_skew': '-1'},
                    'entra_network_verify_timeout: -0.0 is not a number from 0.1 to 300. '
                    'entra_preflight_max_clock_skew: -1.0 is not a number from 1 to 3600.'),
    'nas-url-key': ({'truenas_api_url': "{{ truenas_own_url | replace('wss://', 'wss://root:%s@') }}" % URL_KEY},
                    'api_url must not carry credentials (wss://********@127.0.0.1:'),
}


def test_bad_numbers_and_credentials_stop_each_host_before_any_connection(fleet_of, tmp_path):
    fleet = fleet_of(sorted(HOSTS))
    hostvars = dict((name, dict(variables, truenas_own_url=fleet.nas[name].url)) for name, (variables, dummy) in HOSTS.items())
    runner = fleet_runner(tmp_path)
    runner.inventory = fleet.inventory(tmp_path / 'fleet.json', hostvars)
    variables = tmp_path / 'domain.json'
    variables.write_text(json.dumps({'entra_domain': DOMAIN, 'entra_dc_ips': DC_IPS, 'entra_join_user': 'aaddsadmin@' + DOMAIN}))
    run = runner.run_playbook(PLAYBOOK, '-e', '@%s' % variables, env={'ENTRA_JOIN_PASSWORD': 'not-used-by-a-refused-run'})
    assert run.rc != 0
    report = json.loads((tmp_path / 'entra-report' / 'fleet-report.json').read_text())
    records = dict((record['host'], record) for record in report['records'])
    assert sorted(records) == sorted(HOSTS)
    for name, (dummy, words) in HOSTS.items():
        text = json.dumps(records[name])
        assert words in text, (name, text)
        seen = fleet.nas[name].counters()
        assert seen['connections'] == 0 and seen['writes'] == 0, (name, seen)
    everything = run.stdout + run.stderr + ''.join(path.read_text() for path in (tmp_path / 'entra-report').iterdir())
    assert URL_KEY.split('-', 1)[1] not in everything
