"""versions: parsing and method availability per release."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import versions


@pytest.mark.parametrize('text, expected', [
    ('25.10.1', (25, 10, 1)),
    ('TrueNAS-25.04.2', (25, 4, 2)),
    ('TrueNAS-SCALE-24.10.2.4', (24, 10, 2, 4)),
    ('25.10-MASTER-20260101-120000', (25, 10)),
])
def test_parse_version(text, expected):
    assert versions.parse_version(text) == expected


def test_parse_version_refuses_garbage():
    with pytest.raises(ValueError):
        versions.parse_version('TrueNAS')


@pytest.mark.parametrize('method, version, expected', [
    ('activedirectory.update', (25, 4, 2), True),
    ('activedirectory.update', (25, 10, 0), False),
    ('directoryservices.update', (25, 4, 2), False),
    ('directoryservices.update', (25, 10), True),
    ('auth.login_with_api_key', (26, 0), True),
    ('auth.login_with_api_key', (27, 0), False),
    ('auth.login_ex', (24, 10), False),
])
def test_available(method, version, expected):
    assert versions.available(method, version) is expected


def test_directory_api_switch():
    assert versions.directory_api((25, 4, 2)) == 'activedirectory'
    assert versions.directory_api((25, 10, 1)) == 'directoryservices'


def test_format_version_pads_the_minor():
    assert versions.format_version((25, 4, 2)) == '25.04.2'
    assert versions.format_version((25, 10)) == '25.10'
