"""Personalities: version strings, and each method table checked against the collection's versions.py."""

import importlib.util
import pathlib

import pytest

from truenas_emulator import Emulator
from truenas_emulator.api import REGISTRY

VERSIONS_PY = pathlib.Path(__file__).resolve().parents[3] / 'plugins' / 'module_utils' / '_truenas' / 'versions.py'
# Emulated methods versions.py does not list (the collection does not call them); reviewed by hand.
NOT_IN_VERSIONS_PY = {'auth.login', 'auth.me', 'core.set_options', 'system.product_type', 'system.ready'}
RELEASES = {'25.04': (25, 4, 2), '25.10': (25, 10, 1)}


@pytest.fixture(scope='module')
def versions():
    spec = importlib.util.spec_from_file_location('collection_versions', VERSIONS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def implemented():
    return set().union(*(set(table) for table in REGISTRY.values()))


@pytest.mark.parametrize('name', RELEASES)
def test_registered_methods_exist_in_that_release(versions, name):
    methods = Emulator(name).methods
    for method in methods:
        if method in NOT_IN_VERSIONS_PY:
            continue
        assert method in versions.METHODS, f'{method} is not in versions.py'
        assert versions.available(method, RELEASES[name]), f'{method} does not exist in {name}'
        assert methods[method].job == versions.METHODS[method][2], f'{method}: job flag differs from versions.py'


@pytest.mark.parametrize('name', RELEASES)
def test_implemented_methods_available_in_a_release_are_registered(versions, name):
    methods = Emulator(name).methods
    for method in versions.METHODS:
        if method in implemented() and versions.available(method, RELEASES[name]):
            assert method in methods, f'{method} exists in {name} but the emulator does not register it'


def test_directory_api_generation_per_release():
    old, new = Emulator('25.04').methods, Emulator('25.10').methods
    for method in ('activedirectory.config', 'activedirectory.update', 'activedirectory.leave', 'idmap.query', 'idmap.update'):
        assert method in old and method not in new
    for method in ('directoryservices.config', 'directoryservices.update', 'directoryservices.leave'):
        assert method in new and method not in old


@pytest.mark.parametrize('version, short, full', [
    ('25.04', '25.04.2', 'TrueNAS-25.04.2'),
    ('25.10', '25.10.1', 'TrueNAS-25.10.1'),
    ('25.10.3', '25.10.3', 'TrueNAS-25.10.3'),
])
def test_version_strings(make_emulator, connect, version, short, full):
    client = connect(make_emulator(version))
    client.login()
    assert client.call('system.version_short') == short
    assert client.call('system.version') == full
    assert client.call('system.info')['version'] == short
    assert client.call('system.ready') is True


@pytest.mark.parametrize('version', RELEASES)
def test_product_type_is_community_edition_after_login(make_emulator, connect, version):
    client = connect(make_emulator(version))
    assert client.error('system.product_type')['data']['errname'] == 'ENOTAUTHENTICATED'
    client.login()
    assert client.call('system.product_type') == 'COMMUNITY_EDITION'


def test_unknown_version_is_refused():
    with pytest.raises(ValueError):
        Emulator('24.10')


def test_system_info_fields(nas):
    dummy, client = nas
    assert set(client.call('system.info')) == {
        'version', 'buildtime', 'hostname', 'physmem', 'model', 'cores', 'physical_cores', 'loadavg', 'uptime',
        'uptime_seconds', 'system_serial', 'system_product', 'system_product_version', 'license', 'boottime',
        'datetime', 'timezone', 'system_manufacturer', 'ecc_memory'}


def test_core_ping_needs_login_on_25_04_only(make_emulator, connect):
    assert connect(make_emulator('25.10')).call('core.ping') == 'pong'
    error = connect(make_emulator('25.04')).error('core.ping')
    assert error['data']['errname'] == 'ENOTAUTHENTICATED'


def test_set_options_per_release(make_emulator, connect):
    assert connect(make_emulator('25.04')).call('core.set_options', {'legacy_jobs': False}) is None
    assert connect(make_emulator('25.10')).call('core.set_options', {'legacy_jobs': False}) == {
        'legacy_jobs': False, 'private_methods': False, 'py_exceptions': False}
