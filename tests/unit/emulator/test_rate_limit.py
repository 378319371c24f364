"""The login rate limit (rate_limit.py): 20 unauthenticated calls per method and client address a minute, per NAS."""

import pytest

from truenas_emulator.rate_limit import RateLimit

from .conftest import API_KEY

BUSY = '[EBUSY] Rate Limit Exceeded'


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _calls(limit, count, method='auth.login_ex', address='192.0.2.1'):
    return [limit.exceeded(method, address) for dummy in range(count)]


def test_the_twenty_first_call_in_a_window_is_refused():
    clock = Clock()
    limit = RateLimit(clock=clock)
    assert _calls(limit, 20) == [False] * 20
    clock.now += 59.9
    assert _calls(limit, 2) == [True, True]
    clock.now += 0.1  # 60 s after the first call the window starts again
    assert _calls(limit, 21) == [False] * 20 + [True]


def test_each_method_and_address_has_its_own_budget():
    limit = RateLimit(clock=Clock())
    _calls(limit, 20)
    assert limit.exceeded('auth.login_ex', '192.0.2.1') is True
    assert limit.exceeded('auth.login_with_api_key', '192.0.2.1') is False
    assert limit.exceeded('auth.login_ex', '192.0.2.2') is False


def test_a_full_cache_refuses_everyone_at_exactly_one_hundred_entries():
    limit = RateLimit(clock=Clock())
    assert [limit.exceeded('auth.login_ex', f'192.0.2.{n}') for n in range(1, 100)] == [False] * 99
    assert limit.exceeded('auth.login_ex', '192.0.2.100') is True   # the 100th entry
    assert limit.exceeded('auth.login_ex', '192.0.2.1') is True     # still 100 entries
    assert limit.exceeded('auth.login_ex', '192.0.2.101') is False  # a 101st entry: no longer == 100


def test_the_cache_is_emptied_every_ten_minutes():
    clock = Clock()
    limit = RateLimit(max_calls=1, clock=clock)
    assert _calls(limit, 2) == [False, True]
    clock.now += 50
    assert _calls(limit, 1) == [True]
    clock.now += 550  # 600 s after start: cache_clear
    assert _calls(limit, 2) == [False, True]
    clock.now += 1250  # clears were due at 1200 and 1800 s after start; the next is at 2400 s
    assert _calls(limit, 2) == [False, True]
    clock.now += 540
    assert _calls(limit, 2) == [False, True]
    clock.now += 9
    assert _calls(limit, 1) == [True]
    clock.now += 1  # 2400 s after start, 10 s into the window
    assert _calls(limit, 2) == [False, True]


@pytest.mark.parametrize('version', ['25.04', '25.10'])
def test_a_burst_of_logins_is_refused_and_counted(make_emulator, connect, version):
    emu = make_emulator(version)
    answers = []
    for dummy in range(22):  # a new connection each time, as 22 module runs would make
        login = {'mechanism': 'API_KEY_PLAIN', 'username': 'truenas_admin', 'api_key': API_KEY}
        response = connect(emu).request('auth.login_ex', login)
        answers.append(response['result']['response_type'] if 'result' in response else response['error'])
    assert answers[:20] == ['SUCCESS'] * 20
    for error in answers[20:]:
        assert error['code'] == -32001 and error['data']['error'] == 16 and error['data']['reason'] == BUSY
    seen = emu.counters()
    assert seen['logins_ok'] == 20 and seen['logins_failed'] == 0 and seen['rate_limited'] == 2


def test_logged_in_calls_and_other_methods_are_not_limited(make_emulator, connect):
    emu = make_emulator()
    client = connect(emu)
    for dummy in range(20):
        assert client.call('auth.mechanism_choices')
    assert client.error('auth.mechanism_choices')['data']['reason'] == BUSY
    other = connect(emu)  # same address, other connection: still limited
    assert other.error('auth.mechanism_choices')['data']['errname'] == 'EBUSY'
    other.login()  # auth.login_ex has its own budget; a logged-in connection is never limited
    assert other.call('auth.mechanism_choices')
    assert emu.counters()['rate_limited'] == 2


def test_core_set_options_is_not_rate_limited(make_emulator, connect):
    emu = make_emulator()
    client = connect(emu)
    for dummy in range(25):
        client.call('core.set_options', {'py_exceptions': False})
    assert emu.counters()['rate_limited'] == 0


def test_rate_limit_logins_fault_refuses_like_the_limit(make_emulator, connect):
    emu = make_emulator()
    emu.faults.set('rate_limit_logins', times=1)
    client = connect(emu)
    assert client.error('auth.login_with_api_key', API_KEY)['data']['reason'] == BUSY
    assert client.call('auth.login_with_api_key', API_KEY) is True
    seen = emu.counters()
    assert seen['rate_limited'] == 1 and seen['logins_ok'] == 1 and seen['logins_failed'] == 0
