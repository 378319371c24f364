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


@pytest.mark.parametrize('version, text', [
    ((25, 4, 2), '25.04.2'),
    ((25, 10), '25.10'),
    ((25, 4), '25.04'),
    ((26, 0, 0), '26.0.0'),
    ((26, 0), '26.0'),
    ((27, 0), '27.0'),
    ((27, 1, 2), '27.1.2'),
    ((28,), '28'),
])
def test_format_version_as_truenas_writes_it(version, text):
    assert versions.format_version(version) == text


@pytest.mark.parametrize('text', ['25.04.2', '25.10', '26.0.0', '27.0'])
def test_format_version_reads_back(text):
    assert versions.format_version(versions.parse_version(text)) == text


def test_parse_version_of_26_and_27_builds():
    assert versions.parse_version('TrueNAS-26.0.0-BETA.3') == (26, 0, 0)
    assert versions.parse_version('27.0.0-MASTER-20261206-010203') == (27, 0, 0)


@pytest.mark.parametrize('version, expected', [
    ((25, 4, 2), False), ((26, 0, 0), False), ((27, 0, 1), False), ((27, 1), True), ((28, 0, 0), True)])
def test_untested_is_newer_than_the_newest_tested_release(version, expected):
    assert versions.untested(version) is expected


def test_tested_api_is_the_newest_tested_release():
    assert versions.parse_version(versions.TESTED_API)[:2] == versions.TESTED[-1]


@pytest.mark.parametrize('name, expected', [
    ('v25.04.0', (25, 4, 0)), ('v26.0.0', (26, 0, 0)), ('v25.10', (25, 10)), ('v24.10', (24, 10)),
    ('25.10.1', None), ('v26.0.0/../x', None), ('v26.0.0\n', None), ('current', None), (None, None), (26, None)])
def test_parse_api_version_takes_only_api_version_names(name, expected):
    assert versions.parse_api_version(name) == expected


@pytest.mark.parametrize('version, follows', [((25, 4, 2), False), ((25, 10, 1), False), ((26, 0, 0), True),
                                              ((27, 0), True), ((28,), True)])
def test_the_network_domain_follows_the_join_from_26_on(version, follows):
    assert versions.domain_follows_join(version) is follows
