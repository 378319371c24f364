"""directory_api: what the NAS says of its directory service reaches a result only as printable text."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import directory_api


class Client:
    def __init__(self, status):
        self.answer = status

    def call(self, method, *params):
        assert method == 'directoryservices.status'
        return self.answer


@pytest.mark.parametrize('api', [directory_api.DirectoryServices, directory_api.ActiveDirectory])
def test_the_status_message_is_one_printable_line(api):
    said = 'winbindd did not start\r\n\x1b]0;owned\x07ok: [nas1] \u202eevil'
    status, message = api(Client({'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED', 'status_msg': said})).status()
    assert status == 'FAULTED'
    assert message == 'winbindd did not start \\x1b]0;owned\\x07ok: [nas1] \\u202eevil'


def test_no_status_reads_as_disabled():
    assert directory_api.DirectoryServices(Client(None)).status() == ('DISABLED', None)
