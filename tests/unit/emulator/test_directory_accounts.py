"""user.get_user_obj / group.get_group_obj, user.query / group.query and privilege.* on both releases, with the
FakeDirectory's accounts before and after a join."""

import pytest

from truenas_emulator.directory_backend import FAKE_DOMAIN_SID

from .test_directory_helpers import directory_nas  # noqa: F401  pylint: disable=unused-import  # a fixture
from .test_directory_helpers import (
    JOIN_25_04, JOIN_25_10, REALM, WORKGROUP, run_job)

VERSIONS = ['25.04', '25.10']
ALICE = f'{WORKGROUP}\\alice'
ADMINS_SID = f'{FAKE_DOMAIN_SID}-1101'     # AAD DC Administrators
USER_OBJ = {'pw_name', 'pw_gecos', 'pw_dir', 'pw_shell', 'pw_uid', 'pw_gid', 'grouplist', 'sid', 'source', 'local'}
GROUP_OBJ = {'gr_name', 'gr_gid', 'gr_mem', 'sid', 'source', 'local'}


def joined(directory_nas, version):  # noqa: F811
    emu, client, fake = directory_nas(version)
    if version == '25.04':
        assert run_job(client, 'activedirectory.update', JOIN_25_04)['state'] == 'SUCCESS'
    else:
        assert run_job(client, 'directoryservices.update', JOIN_25_10)['state'] == 'SUCCESS'
    emu.reset_counters()
    return emu, client, fake


@pytest.mark.parametrize('version', VERSIONS)
def test_get_user_obj(directory_nas, version):  # noqa: F811
    dummy, client, dummy2 = directory_nas(version)
    root = client.call('user.get_user_obj', {'username': 'root'})
    assert set(root) == USER_OBJ and root['source'] == 'LOCAL' and root['local'] is True
    assert root['grouplist'] is None and root['sid'] is None
    error = client.error('user.get_user_obj', {'username': ALICE})        # not joined: winbind knows nobody
    assert error['code'] == -32001 and error['data']['errname'] == 'EINVAL'
    assert error['data']['reason'] == repr(f'{ALICE}: user with this name does not exist')  # str(KeyError)
    assert client.error('user.get_user_obj', {'uid': 4242})['data']['reason'] == "'4242: user with this id does not exist'"
    both = client.error('user.get_user_obj', {'username': 'root', 'uid': 0})
    assert both['data']['extra'] == [['get_user_obj.username', '"username" and "uid" may not be simultaneously specified',
                                      22]]
    neither = client.error('user.get_user_obj', {})
    assert neither['data']['extra'] == [['get_user_obj.username', 'Either "username" or "uid" must be specified.', 22]]
    typed = client.error('user.get_user_obj', {'uid': '0'})
    assert typed['data']['extra'] == [['get_user_obj.uid', 'Input should be a valid integer', 22]]


@pytest.mark.parametrize('version', VERSIONS)
def test_get_user_obj_of_a_domain_user(directory_nas, version):  # noqa: F811
    dummy, client, dummy2 = joined(directory_nas, version)
    alice = client.call('user.get_user_obj', {'username': ALICE, 'get_groups': True, 'sid_info': True})
    assert alice == {'pw_name': ALICE, 'pw_gecos': 'Alice', 'pw_dir': '/var/empty', 'pw_shell': '/usr/bin/sh',
                     'pw_uid': 100001105, 'pw_gid': 100000514, 'grouplist': [100000514, 100001103],
                     'sid': f'{FAKE_DOMAIN_SID}-1104', 'source': 'ACTIVEDIRECTORY', 'local': False}
    by_upn = client.call('user.get_user_obj', {'username': f'alice@{REALM.lower()}'})
    assert by_upn['pw_name'] == ALICE and by_upn['grouplist'] is None and by_upn['sid'] is None
    assert client.call('user.get_user_obj', {'uid': 100001105})['pw_name'] == ALICE


@pytest.mark.parametrize('version', VERSIONS)
def test_get_group_obj(directory_nas, version):  # noqa: F811
    dummy, client, dummy2 = joined(directory_nas, version)
    admins = client.call('group.get_group_obj', {'groupname': f'{WORKGROUP}\\AAD DC Administrators', 'sid_info': True})
    assert set(admins) == GROUP_OBJ and admins['sid'] == ADMINS_SID and admins['source'] == 'ACTIVEDIRECTORY'
    assert admins['gr_mem'] == [f'{WORKGROUP}\\aaddsadmin'] and admins['gr_gid'] == 100001102
    local = client.call('group.get_group_obj', {'gid': 544, 'sid_info': True})
    assert local == {'gr_name': 'builtin_administrators', 'gr_gid': 544, 'gr_mem': ['root', 'truenas_admin'],
                     'sid': 'S-1-5-32-544', 'source': 'LOCAL', 'local': True}
    assert client.error('group.get_group_obj', {'groupname': 'nosuch'})['data']['reason'] == (
        "'nosuch: group with this name does not exist'")
    assert client.error('group.get_group_obj', {})['data']['extra'] == [
        ['get_group_obj.groupname', 'Either "groupname" or "gid" must be specified', 22]]


@pytest.mark.parametrize('version', VERSIONS)
def test_user_and_group_query(directory_nas, version):  # noqa: F811
    emu, client, dummy = directory_nas(version)
    assert [u['username'] for u in client.call('user.query')] == ['root', 'truenas_admin']
    assert not client.call('user.query', [['username', '=', ALICE]])          # directory accounts need HEALTHY
    run_job(client, *(('activedirectory.update', JOIN_25_04) if version == '25.04'
                      else ('directoryservices.update', JOIN_25_10)))
    alice = client.call('user.query', [['username', '=', ALICE]], {'get': True})
    assert alice['id'] == 100000000 + 100001105 and alice['local'] is False and alice['immutable'] is True
    assert alice['sid'] == f'{FAKE_DOMAIN_SID}-1104' and ('id_type_both' in alice) == (version == '25.04')
    assert client.call('user.query', [['local', '=', True]], {'count': True}) == 2
    assert client.call('user.query', [], {'count': True}) == 5               # enumeration: 2 local + 3 domain
    group = client.call('group.query', [['sid', '=', ADMINS_SID]], {'get': True})
    assert group['name'] == f'{WORKGROUP}\\AAD DC Administrators' and group['gid'] == 100001102
    builtin = client.call('group.query', [['gid', '=', 544]], {'get': True})
    assert builtin['local'] is True and builtin['roles'] == ['FULL_ADMIN']


@pytest.mark.parametrize('version', VERSIONS)
def test_grant_full_admin_to_a_domain_group(directory_nas, make_emulator, connect, version):  # noqa: F811
    emu, client, fake = joined(directory_nas, version)
    created = client.call('privilege.create', {'name': 'NAS admins', 'ds_groups': [ADMINS_SID.lower()],
                                               'roles': ['FULL_ADMIN'], 'web_shell': True})
    assert created['local_groups'] == [] and created['builtin_name'] is None and created['web_shell'] is True
    group = created['ds_groups'][0]
    assert group['sid'] == ADMINS_SID and group['gid'] == 100001102 and group['local'] is False
    assert emu.counters()['writes_by_method'] == {'privilege.create': 1}
    updated = client.call('privilege.update', created['id'], {'roles': ['READONLY_ADMIN']})
    assert updated['roles'] == ['READONLY_ADMIN'] and updated['ds_groups'] == created['ds_groups']
    same = client.call('privilege.update', created['id'], {'roles': ['READONLY_ADMIN']})
    assert same == updated and emu.counters()['writes'] == 2
    names = [p['name'] for p in client.call('privilege.query')]
    assert names == ['Local Administrator', 'Read-Only Administrator', 'Sharing Administrator', REALM, 'NAS admins']
    # kept in the state file
    emu.stop()
    again = make_emulator(version, directory=fake, state_file=emu.store.path)
    other = connect(again)
    other.login()
    assert other.call('privilege.query', [['name', '=', 'NAS admins']], {'get': True})['roles'] == ['READONLY_ADMIN']
    assert other.call('privilege.delete', created['id']) is True
    assert other.error('privilege.delete', 1)['data']['reason'] == '[EPERM] Unable to delete built-in privilege'


@pytest.mark.parametrize('version, group_text', [('25.04', 'directory Service group'),
                                                 ('25.10', 'directory service group')])
def test_privilege_validation(directory_nas, version, group_text):  # noqa: F811
    dummy, client, dummy2 = directory_nas(version)
    unknown = f'{FAKE_DOMAIN_SID}-9999'
    error = client.error('privilege.create', {'name': 'Local Administrator', 'ds_groups': [unknown],
                                              'local_groups': [4242], 'roles': ['NOSUCH'], 'web_shell': False})
    assert error['data']['extra'] == [
        ['privilege_create.name', 'Object with this name already exists', 22],
        ['privilege_create.local_groups.0', '4242: local group does not exist. This error may be addressed by either '
                                            're-creating the missing group with the specified group id or removing '
                                            'this entry from the privilege.', 22],
        ['privilege_create.ds_groups.0', f'{unknown}: {group_text} does not exist. If the directory service state '
                                         'is healthy, then this error may be addressed by removing this entry from '
                                         'the privilege.', 22],
        ['privilege_create.roles.0', 'Invalid role', 22]]
    error = client.error('privilege.create', {'name': 'x', 'ds_groups': ['S-1-2-3'], 'web_shell': False})
    assert error['data']['extra'] == [
        ['privilege_create.ds_groups.0.int', 'Input should be a valid integer', 22],
        ['privilege_create.ds_groups.0.function-after[validate_sid(), constrained-str]',
         'Assertion failed, SID is malformed. See MS-DTYP Section 2.4 for SID type specifications. Typically SIDs '
         'refer to existing objects on the local or remote server and so an appropriate value should be queried prior '
         'to submitting to API endpoints.', 22]]
    error = client.error('privilege.create', {'name': 'x'})
    assert error['data']['extra'] == [['privilege_create.web_shell', 'Field required', 22]]
    error = client.error('privilege.update', 1, {'name': 'Boss', 'local_groups': []})
    assert error['data']['extra'] == [
        ['privilege_update.name', 'This field is read-only for built-in privileges', 22],
        ['privilege_update.local_groups', 'The group builtin_administrators must be among grantees of the "Local '
                                          'Administrator" privilege.', 22]]
    assert client.error('privilege.update', 2, {'web_shell': True})['data']['extra'] == [
        ['privilege_update.web_shell', 'Web shell access may not be enabled for the built-in group for read-only '
                                       'administrators.', 22]]
    missing = client.error('privilege.update', 99, {'web_shell': True})
    assert missing['data']['extra'] == [[None, 'Privilege 99 does not exist', 2]]
