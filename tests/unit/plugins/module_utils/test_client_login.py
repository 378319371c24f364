"""Client login on TrueNAS 26 and 27: refusals by response_type, the API path without api_username, untested releases."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

KEY = '7-s3cr3tKEYvalue'
UP_TO_26 = ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1', 'v25.10.2', 'v25.10.3', 'v25.10.4', 'v25.10.5',
            'v26.0.0']
UP_TO_27 = UP_TO_26 + ['v27.0.0']


@pytest.fixture
def nas(fake_transport):
    """A fake wss transport with an API path: ``listed`` is what GET /api/versions answers (None: no answer),
    ``missing`` the paths whose handshake gets HTTP 404."""

    class PathTransport(fake_transport):
        def __init__(self, answers, listed=None, missing=(), path='/api/current'):
            super(PathTransport, self).__init__(answers)
            self.api_path = path
            self.listed = listed
            self.missing = missing
            self.gets = 0
            self.sent_on = []

        @property
        def where(self):
            return 'wss://nas' + self.api_path

        def use_path(self, path):
            self.api_path = path

        def api_versions(self):
            self.gets += 1
            return self.listed

        def connect(self):
            if self.api_path in self.missing:
                raise TrueNASError('%s does not exist on this TrueNAS (HTTP 404 at the WebSocket handshake).' % self.where,
                                   errname='ENOENT')
            super(PathTransport, self).connect()

        def request(self, method, params, timeout=None):
            self.sent_on.append((method, self.api_path))
            return super(PathTransport, self).request(method, params, timeout)

    return PathTransport


OK = {'response_type': 'SUCCESS'}


@pytest.mark.parametrize('release', ['25.04.2', '25.10.1', '26.0.0', '27.0.0'])
def test_with_username_one_connection_one_login_no_extra_request(nas, release):
    transport = nas({'auth.login_ex': OK, 'system.version_short': release}, listed=UP_TO_27)
    warnings = []
    client = Client(transport, KEY, 'truenas_admin', warn=warnings.append)
    client.require('network.configuration.config')
    assert transport.methods() == ['auth.login_ex', 'system.version_short']
    assert transport.connects == 1 and transport.gets == 0 and warnings == []
    assert transport.api_path == '/api/current'


def test_without_username_on_27_logs_in_on_the_newest_path_where_the_key_login_is_public(nas):
    transport = nas({'auth.login_with_api_key': True, 'system.version_short': '27.0.0'}, listed=UP_TO_27)
    warnings = []
    client = Client(transport, KEY, warn=warnings.append)
    client.require('network.configuration.config')
    assert transport.sent_on == [('auth.login_with_api_key', '/api/v26.0.0'), ('system.version_short', '/api/v26.0.0')]
    assert transport.gets == 1 and transport.connects == 1
    assert len(warnings) == 1
    text = warnings[0]
    assert 'retires auth.login_with_api_key' in text and 'wss://nas/api/current' in text
    assert '/api/v26.0.0' in text and 'Set api_username' in text and 'auth.login_ex' in text
    assert KEY not in text


@pytest.mark.parametrize('listed', [UP_TO_26, UP_TO_26[:5], None, []])
def test_without_username_before_27_or_without_a_list_stays_on_current(nas, listed):
    transport = nas({'auth.login_with_api_key': True, 'core.ping': 'pong'}, listed=listed)
    warnings = []
    Client(transport, KEY, warn=warnings.append).call('core.ping')
    assert transport.sent_on == [('auth.login_with_api_key', '/api/current'), ('core.ping', '/api/current')]
    assert transport.gets == 1 and warnings == []


def test_names_that_are_no_version_are_ignored(nas):
    listed = ['v26.0.0', 'next', 'v26.9.9/../x', 'v26.5 ', 'v27.0.0']
    transport = nas({'auth.login_with_api_key': True, 'core.ping': 'pong'}, listed=listed)
    Client(transport, KEY).call('core.ping')
    assert transport.sent_on[0] == ('auth.login_with_api_key', '/api/v26.0.0')


def test_without_username_and_no_public_path_fails_before_sending_the_key(nas):
    transport = nas({'auth.login_with_api_key': True}, listed=['v27.0.0', 'v28.0.0'])
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('core.ping')
    assert caught.value.errname == 'EINVAL' and 'api_username' in caught.value.hint
    assert 'v27.0.0, v28.0.0' in str(caught.value)
    assert transport.connects == 0 and transport.calls == []


def test_pinned_path_that_retires_the_key_login_is_refused_without_username(nas):
    transport = nas({'auth.login_with_api_key': True}, listed=UP_TO_27, path='/api/v27.0.0')
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('core.ping')
    assert caught.value.errname == 'EINVAL'
    assert 'pins wss://nas/api/v27.0.0' in str(caught.value) and 'private' in str(caught.value)
    assert transport.connects == 0 and transport.gets == 0


def test_pinned_older_path_is_kept_without_asking(nas):
    transport = nas({'auth.login_with_api_key': True, 'core.ping': 'pong'}, listed=UP_TO_27, path='/api/v25.10.1')
    Client(transport, KEY).call('core.ping')
    assert transport.sent_on[0] == ('auth.login_with_api_key', '/api/v25.10.1') and transport.gets == 0


def test_the_path_is_chosen_once_even_when_a_read_reconnects(nas):
    state = {'drops': 1}

    def config(params):
        if state['drops']:
            state['drops'] -= 1
            raise TrueNASError('connection dropped', errname='ECONNECTION')
        return {'domain': 'a'}

    transport = nas({'auth.login_with_api_key': True, 'network.configuration.config': config}, listed=UP_TO_27)
    warnings = []
    client = Client(transport, KEY, warn=warnings.append)
    assert client.call('network.configuration.config') == {'domain': 'a'}
    assert transport.gets == 1 and len(warnings) == 1 and transport.connects == 2
    assert [path for method, path in transport.sent_on if method == 'auth.login_with_api_key'] == ['/api/v26.0.0'] * 2


def test_untested_release_reconnects_to_the_tested_api(nas):
    transport = nas({'auth.login_ex': OK, 'system.version_short': '28.0.0', 'core.ping': 'pong'})
    warnings = []
    client = Client(transport, KEY, 'truenas_admin', warn=warnings.append)
    assert client.version == (28, 0, 0)
    client.call('core.ping')
    assert transport.sent_on == [('auth.login_ex', '/api/current'), ('system.version_short', '/api/current'),
                                 ('auth.login_ex', '/api/v27.0.0'), ('core.ping', '/api/v27.0.0')]
    assert transport.connects == 2 and client.reconnects == 0
    assert warnings == ['TrueNAS 28.0.0 is newer than the releases nasjoin.entra is tested with (up to 27.0); this run '
                        'used /api/v27.0.0, the API of TrueNAS 27.0.']


def test_untested_release_without_the_tested_api_stays_on_current(nas):
    transport = nas({'auth.login_ex': OK, 'system.version_short': '28.1', 'core.ping': 'pong'}, missing=('/api/v27.0.0',))
    warnings = []
    client = Client(transport, KEY, 'truenas_admin', warn=warnings.append)
    assert client.version == (28, 1)
    client.call('core.ping')
    assert transport.sent_on[-2:] == [('auth.login_ex', '/api/current'), ('core.ping', '/api/current')]
    assert warnings == ['TrueNAS 28.1 is newer than the releases nasjoin.entra is tested with (up to 27.0); this run '
                        'used /api/current (the NAS does not serve /api/v27.0.0).']


def test_untested_release_without_username_keeps_its_path(nas):
    transport = nas({'auth.login_with_api_key': True, 'system.version_short': '28.0.0'}, listed=None)
    warnings = []
    client = Client(transport, KEY, warn=warnings.append)
    assert client.version == (28, 0, 0)
    assert transport.connects == 1 and transport.methods() == ['auth.login_with_api_key', 'system.version_short']
    assert len(warnings) == 1 and 'used /api/current (set api_username to use /api/v27.0.0' in warnings[0]


def test_untested_release_on_a_pinned_path_stays_there_silently(nas):
    transport = nas({'auth.login_ex': OK, 'system.version_short': '28.0.0'}, path='/api/v26.0.0')
    warnings = []
    Client(transport, KEY, 'truenas_admin', warn=warnings.append).require('core.ping')
    assert transport.connects == 1 and warnings == []


def test_local_transport_is_never_moved(fake_transport):
    transport = fake_transport({'system.version_short': '28.0.0'})
    transport.needs_login = False
    assert Client(transport).version == (28, 0, 0)
    assert transport.methods() == ['system.version_short'] and transport.connects == 1


def test_rate_limit_on_the_second_login_does_not_claim_nothing_was_sent(nas):
    logins = iter([OK, TrueNASError('auth.login_ex failed [EBUSY]: Rate Limit Exceeded', errname='EBUSY',
                                    reason='[EBUSY] Rate Limit Exceeded')])

    def login(params):
        answer = next(logins)
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = nas({'auth.login_ex': login, 'system.version_short': '28.0.0'})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'truenas_admin').require('core.ping')
    assert caught.value.rate_limited and 'nothing was sent to it before' not in str(caught.value)


def test_denied_names_user_and_nas_and_says_what_to_grant(fake_transport):
    transport = fake_transport({'auth.login_ex': {'response_type': 'DENIED'}})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'automation').call('core.ping')
    exc = caught.value
    assert exc.errname == 'DENIED'
    assert str(exc).startswith('TrueNAS accepted the API key of user automation, but the user lacks API access '
                               '("User lacks API access") (fake://nas).')
    assert 'rejected' not in str(exc)
    assert 'privilege' in exc.hint and 'builtin_administrators' in exc.hint and 'FULL_ADMIN' in exc.hint
    assert KEY not in str(exc) + repr(exc.result())
    assert transport.methods() == ['auth.login_ex']


@pytest.mark.parametrize('answer, shown', [
    ({'response_type': 'SCRAM_RESPONSE', 'scram_type': 'SERVER_FIRST_RESPONSE'}, 'SCRAM_RESPONSE'),
    ({'response_type': 'STEP_UP\x1b[2J'}, 'STEP_UP\\x1b[2J'),
    ({'user_info': None}, 'None'),
    (True, 'None'),
])
def test_unknown_login_answer_fails_clearly_and_never_as_a_wrong_key(fake_transport, answer, shown):
    transport = fake_transport({'auth.login_ex': answer})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY, 'automation').call('core.ping')
    exc = caught.value
    assert exc.errname == 'ELOGIN'
    assert 'response_type %s, which nasjoin.entra does not handle' % shown in str(exc)
    assert 'user automation' in str(exc) and 'rejected' not in str(exc) and '\x1b' not in str(exc)
    assert transport.methods() == ['auth.login_ex']


def test_legacy_login_refusal_says_it_cannot_tell_why(fake_transport):
    transport = fake_transport({'auth.login_with_api_key': False})
    with pytest.raises(TrueNASError) as caught:
        Client(transport, KEY).call('core.ping')
    assert caught.value.errname == 'AUTH_ERR'
    assert 'answers only yes or no' in str(caught.value) and 'api_username' in caught.value.hint
