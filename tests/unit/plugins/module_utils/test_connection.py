"""connection: api_url forms and the choice of transport."""

import ssl

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils import _redact
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import connection, transport
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import (
    LocalSocketTransport, MidcltTransport, WebSocketTransport)


@pytest.mark.parametrize('given, expected', [
    ('nas01.example.test', 'wss://nas01.example.test/api/current'),
    ('https://nas01.example.test', 'wss://nas01.example.test/api/current'),
    ('https://nas01.example.test:8443/', 'wss://nas01.example.test:8443/api/current'),
    ('wss://198.51.100.20/api/current', 'wss://198.51.100.20/api/current'),
    ('wss://198.51.100.20/api/v25.10.1', 'wss://198.51.100.20/api/v25.10.1'),
    ('http://nas01.example.test', 'ws://nas01.example.test/api/current'),
    ('[2001:db8::20]', 'wss://[2001:db8::20]/api/current'),
])
def test_api_url_forms(given, expected):
    assert connection.api_url(given) == expected


@pytest.mark.parametrize('given', ['ftp://nas', 'wss://', 'https:///api/current', 'nas\nHost: evil', 'nas .test',
                                   'wss://nas:99999/api/current', 'wss://nas:http/api/current', 'nas\x00'])
def test_api_url_refuses_other_schemes_and_broken_addresses(given):
    with pytest.raises(TrueNASError) as caught:
        connection.api_url(given)
    assert 'api_url' in str(caught.value)


@pytest.mark.parametrize('given, shown', [
    ('wss://root:7-SECRET@nas/api/current', 'wss://********@nas/api/current'),
    ('https://:7-SECRET@nas', 'https://********@nas'),
    ('7-SECRET@nas', '********@nas'),
    ('wss://root%3A7-SECRET@nas', 'wss://********@nas'),
    ('wss://root:7-SECRET%40nas/api/current', 'wss://********@nas/api/current'),
    ('WSS://a:b:7-SECRET@nas:443?x=1', 'WSS://********@nas:443?x=1'),
])
def test_api_url_with_credentials_is_refused_and_redacted(given, shown):
    assert _redact.has_credentials(given)
    with pytest.raises(TrueNASError) as caught:
        connection.api_url(given)
    assert str(caught.value).startswith('api_url must not carry credentials (%s); give the key in api_key' % shown)
    assert 'SECRET' not in str(caught.value) + caught.value.hint


@pytest.mark.parametrize('given', ['wss://nas/evil/../api/current?x=1#f', 'wss://nas/api/current?x=1', 'nas/api/current#f',
                                   'wss://nas/api/current?', 'wss://nas/api', 'wss://nas//api/current',
                                   'wss://nas/api/%63urrent', 'https://nas/ui/'])
def test_api_url_path_other_than_the_api_is_refused(given):
    with pytest.raises(TrueNASError) as caught:
        connection.api_url(given)
    assert 'the path must be /api/current (or none), with no query or fragment' in str(caught.value)
    assert '?' not in str(caught.value) and 'evil' not in str(caught.value)


@pytest.mark.parametrize('given', ['wss://nas\\@evil/api/current', 'wss://:443/api/current', 'wss://nas:0/api/current',
                                   'wss://nas:-1/api/current'])
def test_api_url_broken_authority_is_refused(given):
    with pytest.raises(TrueNASError):
        connection.api_url(given)


def test_api_url_with_credentials_in_the_environment_makes_the_option_no_log(monkeypatch):
    assert connection.connection_spec('https://:7-SECRET@nas')['api_url']['no_log'] is True
    monkeypatch.setenv('TRUENAS_API_URL', 'wss://u:7-SECRET@nas')
    assert connection.connection_spec(None)['api_url']['no_log'] is True
    assert 'no_log' not in connection.connection_spec('wss://nas')['api_url']
    monkeypatch.setenv('TRUENAS_API_URL', 'wss://nas')
    assert 'no_log' not in connection.connection_spec(None)['api_url']


class Module:
    def __init__(self, midclt=None, **params):
        self.params = dict(api_url=None, api_key=None, api_username=None, validate_certs=True, ca_path=None,
                           timeout=30, local_socket='/nonexistent/middlewared.sock')
        self.params.update(params)
        self.midclt = midclt
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)

    def get_bin_path(self, name):
        return self.midclt

    def run_command(self, argv):
        return 0, '', ''


def test_a_ca_path_that_is_no_certificate_is_refused_before_connecting(tmp_path):
    (tmp_path / 'ca.crt').write_text('not a certificate')
    with pytest.raises(ValueError) as caught:
        connection.client_for(Module(api_url='nas.test', api_key='1-x', ca_path=str(tmp_path / 'ca.crt')))
    assert 'ca_path: %r is not a certificate file' % str(tmp_path / 'ca.crt') in str(caught.value)


def test_api_url_selects_websocket():
    client, where = connection.client_for(Module(api_url='nas.test', api_key='1-x'))
    assert isinstance(client.transport, WebSocketTransport) and client.transport.secure
    assert where == {'transport': 'websocket', 'url': 'wss://nas.test/api/current'}


def test_local_socket_when_present(tmp_path):
    sock = tmp_path / 'middlewared.sock'
    sock.write_text('')
    client, where = connection.client_for(Module(local_socket=str(sock), midclt='/usr/bin/midclt'))
    assert isinstance(client.transport, LocalSocketTransport) and where['transport'] == 'local_socket'


def test_midclt_when_no_socket():
    client, where = connection.client_for(Module(midclt='/usr/bin/midclt'))
    assert isinstance(client.transport, MidcltTransport) and where == {'transport': 'midclt', 'path': '/usr/bin/midclt'}


def test_no_way_in_is_explained():
    with pytest.raises(TrueNASError) as caught:
        connection.client_for(Module())
    assert 'api_url' in str(caught.value) and '/nonexistent/middlewared.sock' in str(caught.value)


def test_midclt_call_parses_output_and_keeps_args_as_json():
    seen = []

    def run(argv):
        seen.append(argv)
        return 0, '{"domain": "a"}\n', ''

    transport = MidcltTransport(run, 30, '/usr/bin/midclt')
    assert transport.request('network.configuration.update', [{'domain': 'a'}]) == {'domain': 'a'}
    assert seen[0] == ['/usr/bin/midclt', '-t', '30', 'call', 'network.configuration.update', '{"domain": "a"}']


def test_midclt_job_and_failure():
    transport = MidcltTransport(lambda argv: (1, '', 'Traceback...\n[EINVAL] domain: bad\n'), 30, 'midclt')
    with pytest.raises(TrueNASError) as caught:
        transport.request('x.update', [], job=True)
    assert 'x.update failed: [EINVAL] domain: bad' in str(caught.value)
    raw = MidcltTransport(lambda argv: (0, '25.10.1\n', ''), 30, 'midclt')
    assert raw.request('system.version_short', []) == '25.10.1'


@pytest.mark.parametrize('url, host, port', [
    ('wss://[2001:db8::20]/api/current', '2001:db8::20', 443),
    ('wss://[2001:db8::20]:8443/api/current', '2001:db8::20', 8443),
    ('wss://nas01.example.test/api/v26.0.0', 'nas01.example.test', 443),
])
def test_api_versions_asks_the_host_and_port_of_the_websocket(monkeypatch, url, host, port):
    asked = []

    class Refused:
        def __init__(self, given_host, given_port, timeout, context):
            asked.append((given_host, given_port, timeout, context.verify_mode))

        def request(self, method, path, headers):
            asked.append((method, path))
            raise ConnectionRefusedError()

        def close(self):
            asked.append('closed')

    monkeypatch.setattr(transport.http.client, 'HTTPSConnection', Refused)
    assert WebSocketTransport(url, 7).api_versions() is None
    assert asked == [(host, port, 7, ssl.CERT_REQUIRED), ('GET', '/api/versions'), 'closed']
