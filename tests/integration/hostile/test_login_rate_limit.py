"""A deliberate burst of logins against one NAS: TrueNAS refuses the 21st login within a minute from one address
("Rate Limit Exceeded", the emulator enforcing the real limit), and the module says so and what to do, having sent
nothing else. The 20-NAS playbook run that stays under the limit is test_fleet_concurrency.py.

The first 20 logins come from a raw client in well under a second, so the module's login is the 21st within the
minute however slow the machine is (20 module runs in a row may take longer than the minute on a loaded one)."""

import json
import ssl

import websocket

from ..conftest import API_KEY, API_USER

TASK = '''    - name: network settings
      nasjoin.entra.entra_dns_config:
        domain: aaddscontoso.com
        nameservers: ["198.51.100.10", "198.51.100.11"]
        verify: false
%s'''


def log_in(nas, ca):
    """One API key login on a new connection, as one module run makes; returns the response_type."""
    ws = websocket.create_connection(nas.url, timeout=30, sslopt={'cert_reqs': ssl.CERT_REQUIRED, 'ca_certs': ca})
    try:
        ws.send(json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'auth.login_ex', 'params': [
            {'mechanism': 'API_KEY_PLAIN', 'username': API_USER, 'api_key': API_KEY}]}))
        return json.loads(ws.recv())['result']['response_type']
    finally:
        ws.close()


def test_the_twenty_first_login_in_a_minute_fails_the_module_with_what_to_do(ansible, nas, tls):
    assert [log_in(nas, tls['ca']) for dummy in range(20)] == ['SUCCESS'] * 20
    options = ''.join('        %s: %s\n' % (key, json.dumps(value)) for key, value in (
        ('api_url', nas.url), ('api_key', API_KEY), ('api_username', API_USER), ('ca_path', tls['ca'])))
    run = ansible.playbook(TASK % options)
    assert run.rc != 0
    result = run.result
    assert result['msg'].startswith(
        'TrueNAS refused the login to %s: Rate Limit Exceeded (more than 20 logins a minute from this address); '
        'nothing was sent to it before. Hint: TrueNAS rate-limits logins to 20 a minute' % nas.url)
    assert 'wait a minute' in result['msg'] and 'fewer module runs against this NAS per minute' in result['msg']
    assert result['error']['errname'] == 'EBUSY' and result['changed'] is False
    seen = nas.counters()
    assert seen['logins_ok'] == 20 and seen['rate_limited'] == 1 and seen['writes'] == 0
    assert set(seen['by_method']) == {'auth.login_ex'}
    assert nas.network_config['nameserver1'] == '' and nas.network_config['domain'] == 'local'
