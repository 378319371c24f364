"""Shared fixtures for the unit tests: a scripted fake transport for the client."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


class FakeTransport:
    """Answers calls from a dict of method -> value or callable(params); records everything."""

    secure = True
    needs_login = True
    runs_jobs = False
    where = 'fake://nas'
    url = 'wss://x'  # the URL the module tests' client_for describes
    api_path = None  # no choice of API path, as the local transports

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []
        self.notifications = []
        self.connects = 0
        self.closed = 0

    def connect(self):
        self.connects += 1

    def request(self, method, params, timeout=None):
        self.calls.append((method, list(params)))
        answer = self.answers.get(method)
        if answer is None and method not in self.answers:
            raise TrueNASError('%s does not exist on this TrueNAS.' % method, method=method, errname='ENOMETHOD')
        if isinstance(answer, Exception):
            raise answer
        return answer(list(params)) if callable(answer) else answer

    def next_notification(self, timeout):
        return self.notifications.pop(0) if self.notifications else None

    def close(self):
        self.closed += 1

    def methods(self):
        return [method for method, dummy in self.calls]


@pytest.fixture
def fake_transport():
    return FakeTransport
