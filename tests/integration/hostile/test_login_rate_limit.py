"""A deliberate burst of module runs against one NAS: TrueNAS refuses the 21st login within a minute from one address
("Rate Limit Exceeded", the emulator enforcing the real limit), and the module says so and what to do, having sent
nothing else. The 20-NAS playbook run that stays under the limit is test_fleet_concurrency.py."""

import json

from ..conftest import API_KEY, API_USER

TASK = '''    - name: "%s"
      nasjoin.entra.entra_dns_config:
        domain: aaddscontoso.com
        nameservers: ["198.51.100.10", "198.51.100.11"]
        verify: false
%s%s'''


def test_twenty_first_module_run_in_a_minute_is_refused_and_explained(ansible, nas, tls):
    options = ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in (
        ('api_url', nas.url), ('api_key', API_KEY), ('api_username', API_USER), ('ca_path', tls['ca'])))
    burst = TASK % ('twenty runs, one login each (check mode: no writes)', options,
                    '      check_mode: true\n      loop: "{{ range(20) | list }}"\n')
    run = ansible.playbook(burst + TASK % ('the twenty-first login within the minute', options, ''))
    assert run.rc != 0
    assert [status for dummy, status, dummy in run.results] == ['CHANGED', 'FAILED!']
    result = run.result
    assert result['msg'].startswith(
        'TrueNAS refused the login to %s: Rate Limit Exceeded (more than 20 logins a minute from this address); '
        'nothing was sent to it before. Hint: TrueNAS rate-limits logins to 20 a minute' % nas.url)
    assert 'wait a minute' in result['msg'] and 'fewer module runs against this NAS per minute' in result['msg']
    assert result['error']['errname'] == 'EBUSY' and result['changed'] is False
    seen = nas.counters()
    assert seen['logins_ok'] == 20 and seen['rate_limited'] == 1 and seen['writes'] == 0
    assert 'network.configuration.update' not in seen['by_method']
    assert nas.network_config['nameserver1'] == '' and nas.network_config['domain'] == 'local'
