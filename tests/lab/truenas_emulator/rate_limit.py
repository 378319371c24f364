"""The login rate limit of one NAS: unauthenticated calls per method and client address.

Follows utils/rate_limit/cache.py (RateLimitConfig, RateLimit.add / rate_limit_exceeded / max_entries_reached),
main.py (authorize_method_call: the check runs for every unauthenticated call of a method whose ``rate_limit`` is
not False, from an address that is not the unix socket) and plugins/rate_limit/__init__.py (cache_clear every
600 s, not at start). The cache is a module global of middlewared, so each NAS counts on its own.
"""

import time

MAX_ENTRIES = 100      # RateLimitConfig.max_cache_entries
PERIOD = 60.0          # RateLimitConfig.max_period
CLEAR_INTERVAL = 600.0  # CLEAR_CACHE_INTERVAL of the periodic rate.limit.cache_clear


class RateLimit:
    """``exceeded(method, address)`` counts one call and says whether TrueNAS would refuse it.

    One entry per (method, address): its window starts at its first call (or last reset) and resets once 60 s
    have passed since; each call counts, and calls beyond ``max_calls`` (TrueNAS: 20) in a window are refused.
    While the cache holds exactly 100 entries every call is refused (the middleware compares with ``==``, so a
    101st entry lifts it again); every 600 s after start the whole cache is emptied.
    """

    def __init__(self, max_calls=20, clock=time.monotonic):
        self.max_calls, self._clock = max_calls, clock
        self._entries = {}
        self._next_clear = clock() + CLEAR_INTERVAL

    def exceeded(self, method, address):
        now = self._clock()
        if now >= self._next_clear:
            self._entries.clear()
            self._next_clear += CLEAR_INTERVAL * (1 + (now - self._next_clear) // CLEAR_INTERVAL)
        entry = self._entries.setdefault((method, address), {'calls': 0, 'last_reset': now})
        full = len(self._entries) == MAX_ENTRIES
        if now - entry['last_reset'] >= PERIOD:
            entry.update(calls=0, last_reset=now)
        entry['calls'] += 1  # counted even when the full cache refuses the call
        return full or entry['calls'] > self.max_calls
