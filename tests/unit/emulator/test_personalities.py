"""Personalities: version strings, and each method table checked against the collection's versions.py (the
fidelity test: tests/unit/emulator/test_personalities.py) and against api_versions.py's Args-model table."""

import importlib.util
import pathlib

import pytest

from truenas_emulator import Emulator
from truenas_emulator.api import REGISTRY
from truenas_emulator.api_versions import ARGS_SINCE, ARGS_SINCE_V25_04, private_on
from truenas_emulator.personalities import NAMES, personality

VERSIONS_PY = pathlib.Path(__file__).resolve().parents[3] / 'plugins' / 'module_utils' / '_truenas' / 'versions.py'
# Emulated methods versions.py does not list (the collection does not call them); reviewed by hand.
NOT_IN_VERSIONS_PY = {'auth.login', 'auth.me', 'core.set_options', 'system.product_type', 'system.ready',
                      'directoryservices.sync_keytab'}
RELEASES = {'25.04': (25, 4, 2), '25.10': (25, 10, 1), '26': (26, 0, 0), '27': (27, 0, 0)}


@pytest.fixture(scope='module')
def versions():
    spec = importlib.util.spec_from_file_location('collection_versions', VERSIONS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def implemented():
    return set().union(*(set(table) for table in REGISTRY.values()))


def public(name):
    """The methods a release serves publicly on /api/current (27: auth.login and login_with_api_key are private)."""
    release = personality(name)
    return {m: method for m, method in Emulator(name).methods.items()
            if not private_on(release, m, release.current_api)}


@pytest.mark.parametrize('name', RELEASES)
def test_registered_methods_exist_in_that_release(versions, name):
    methods = public(name)
    for method in methods:
        if method in NOT_IN_VERSIONS_PY:
            continue
        assert method in versions.METHODS, f'{method} is not in versions.py'
        assert versions.available(method, RELEASES[name]), f'{method} does not exist in {name}'
        assert methods[method].job == versions.METHODS[method][2], f'{method}: job flag differs from versions.py'


@pytest.mark.parametrize('name', RELEASES)
def test_private_methods_are_gone_for_the_collection(versions, name):
    """What versions.py calls removed (auth.login_with_api_key from 27) is still there, only private."""
    methods = Emulator(name).methods
    for method in set(methods) - set(public(name)) - NOT_IN_VERSIONS_PY:
        assert method in versions.METHODS and not versions.available(method, RELEASES[name]), method


@pytest.mark.parametrize('name', NAMES)
def test_every_method_has_its_args_model_version(name):
    """api_versions.py knows each registered method's Args model (or that it is an @accepts one on 25.04)."""
    table = {**ARGS_SINCE, **ARGS_SINCE_V25_04} if name == '25.04' else ARGS_SINCE
    assert set(Emulator(name).methods) <= set(table)


@pytest.mark.parametrize('name', RELEASES)
def test_implemented_methods_available_in_a_release_are_registered(versions, name):
    methods = Emulator(name).methods
    for method in versions.METHODS:
        if method in implemented() and versions.available(method, RELEASES[name]):
            assert method in methods, f'{method} exists in {name} but the emulator does not register it'


@pytest.mark.parametrize('new', ('25.10', '26', '27'))
def test_directory_api_generation_per_release(new):
    old, new = Emulator('25.04').methods, Emulator(new).methods
    for method in ('activedirectory.config', 'activedirectory.update', 'activedirectory.leave', 'idmap.query', 'idmap.update'):
        assert method in old and method not in new
    for method in ('directoryservices.config', 'directoryservices.update', 'directoryservices.leave'):
        assert method in new and method not in old


def test_newer_releases_reuse_the_25_10_handlers():
    """26 and 27 register the 25.10 functions (no copies): the same handler object per method, but for what the
    source changed (lock_queue_size of the directoryservices jobs) and what 26 added (sync_keytab)."""
    base = Emulator('25.10').methods
    for name in ('26', '27'):
        methods = Emulator(name).methods
        assert set(methods) == set(base) | {'directoryservices.sync_keytab'}
        assert all(methods[m].handler is base[m].handler for m in base)
        changed = {m for m in base if methods[m] != base[m]}
        assert changed == {'directoryservices.update', 'directoryservices.leave'}
        assert {methods[m].lock_queue_size for m in changed | {'directoryservices.sync_keytab'}} == {1}
        assert {base[m].lock_queue_size for m in changed} == {5}


@pytest.mark.parametrize('version, short, full', [
    ('25.04', '25.04.2', 'TrueNAS-25.04.2'),
    ('25.10', '25.10.1', 'TrueNAS-25.10.1'),
    ('25.10.3', '25.10.3', 'TrueNAS-25.10.3'),
    ('26', '26.0.0', 'TrueNAS-26.0.0'),
    ('26.0.2', '26.0.2', 'TrueNAS-26.0.2'),
    ('27', '27.0.0', 'TrueNAS-27.0.0'),
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


@pytest.mark.parametrize('version', ('24.10', '25', '28', '26.x', '26.0.0.0.1'))
def test_unknown_version_is_refused(version):
    with pytest.raises(ValueError) as info:
        Emulator(version)
    assert all(name in str(info.value) for name in ('25.04', '25.10', '26', '27'))


def test_full_versions_keep_their_release():
    assert [personality(v).name for v in ('25.04.2.6', '25.10.3', '26', '26.0.2', '27.0.0')] == \
        ['25.04', '25.10', '26', '26', '27']
    assert personality('26.0.2').api_versions == personality('26').api_versions


def test_system_info_fields(nas):
    dummy, client = nas
    assert set(client.call('system.info')) == {
        'version', 'buildtime', 'hostname', 'physmem', 'model', 'cores', 'physical_cores', 'loadavg', 'uptime',
        'uptime_seconds', 'system_serial', 'system_product', 'system_product_version', 'license', 'boottime',
        'datetime', 'timezone', 'system_manufacturer', 'ecc_memory'}


def test_core_ping_needs_login_on_25_04_only(make_emulator, connect):
    for version in ('25.10', '26', '27'):
        assert connect(make_emulator(version)).call('core.ping') == 'pong'
    error = connect(make_emulator('25.04')).error('core.ping')
    assert error['data']['errname'] == 'ENOTAUTHENTICATED'


def test_set_options_per_release(make_emulator, connect):
    assert connect(make_emulator('25.04')).call('core.set_options', {'legacy_jobs': False}) is None
    for version in ('25.10', '26', '27'):
        assert connect(make_emulator(version)).call('core.set_options', {'legacy_jobs': False}) == {
            'legacy_jobs': False, 'private_methods': False, 'py_exceptions': False}
