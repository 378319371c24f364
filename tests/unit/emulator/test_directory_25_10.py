"""25.10 directoryservices.config / update / leave / status / cache_refresh and idmap.clear_idmap_cache against
the scripted FakeDirectory: shapes, model and plugin validation errors, the join job and its failure modes."""

import copy

import pytest

from truenas_emulator.directory_backend import FAKE_DOMAIN_SID, FAKE_JOIN_PASSWORD, FakeDirectory

from .test_directory_helpers import directory_nas  # noqa: F401  pylint: disable=unused-import  # a fixture
from .test_directory_helpers import (
    DC_IPS, DOMAIN, JOIN_25_10, JOIN_STEPS, LEAVE_25_10, REALM, SECRET, WORKGROUP, extra, kinits,
    progress_descriptions, run_job, state_text)

UPDATE, LEAVE = 'directoryservices.update', 'directoryservices.leave'
S = 'directoryservices.update'
FRESH = {'id': 1, 'service_type': None, 'credential': None, 'enable': False, 'enable_account_cache': True,
         'enable_dns_updates': True, 'timeout': 10, 'kerberos_realm': None, 'configuration': None}
FAULTED_MSG = ('Failed to properly join domain and start up services. This may be related to issues '
               'with account setup on the domain controller. To help with debugging, the '
               'TrueNAS configuration and new domain account are left intact for investigation. '
               'Once investigation is concluded, you should clear the domain configuration on TrueNAS '
               'and re-join the domain cleanly.')


def payload(**changes):
    data = copy.deepcopy(JOIN_25_10)
    for key, value in changes.items():
        if key in ('hostname', 'domain', 'computer_account_ou', 'site'):
            data['configuration'][key] = value
        elif key in ('username', 'password'):
            data['credential'][key] = value
        else:
            data[key] = value
    return data


def joined(directory_nas, **fake_knobs):  # noqa: F811
    emu, client, fake = directory_nas(fake=FakeDirectory(**fake_knobs))
    assert run_job(client, UPDATE, JOIN_25_10)['state'] == 'SUCCESS'
    emu.reset_counters()
    return emu, client, fake


def test_fresh_config_and_status(directory_nas):  # noqa: F811
    dummy, client, dummy2 = directory_nas()
    assert client.call('directoryservices.config') == FRESH
    assert client.call('directoryservices.status') == {'type': None, 'status': None, 'status_msg': None}


def test_join(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas()
    client.call('core.subscribe', 'core.get_jobs')
    client.call('core.subscribe', 'directoryservices.status')
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert entry['state'] == 'SUCCESS', entry['error']
    config = entry['result']
    assert config == client.call('directoryservices.config')
    # what TrueNAS stores after a join differs from what was sent
    assert config['credential'] == {'credential_type': 'KERBEROS_PRINCIPAL', 'principal': f'NAS1$@{REALM}'}
    assert config['kerberos_realm'] == REALM and config['enable'] is True
    assert config['configuration'] == {
        'hostname': 'nas1', 'domain': REALM, 'site': 'Default-First-Site-Name', 'computer_account_ou': None,
        'use_default_domain': False, 'enable_trusted_domains': False, 'trusted_domains': [],
        'idmap': {'builtin': {'name': None, 'range_low': 90000001, 'range_high': 100000000},
                  'idmap_domain': {'name': WORKGROUP, 'range_low': 100000001, 'range_high': 200000000,
                                   'idmap_backend': 'RID', 'sssd_compat': False}}}
    descriptions = progress_descriptions(client, entry['id'])
    assert [d for d in descriptions if d in JOIN_STEPS] == JOIN_STEPS
    assert descriptions[-1] == 'Cached 3 users and 4 groups.'
    statuses = [m['params']['fields']['status'] for m in client.notifications
                if m['params']['collection'] == 'directoryservices.status']
    assert statuses == ['JOINING', 'HEALTHY']
    assert client.call('directoryservices.status') == {'type': 'ACTIVEDIRECTORY', 'status': 'HEALTHY',
                                                       'status_msg': None}
    # the real work: one kinit as the admin, net ads join into the default container, winbindd, machine kinit
    assert kinits(fake) == [{'principal': f'aaddsadmin@{REALM}', 'result': 'OK'}]
    assert kinits(fake, 'keytab') == [{'principal': f'NAS1$@{REALM}', 'result': 'OK'}]
    assert fake.computers == {'NAS1': {'ou': 'AADDC Computers', 'dns_hostname': f'nas1.{REALM}'}}
    assert fake.winbind_running and fake.ticket == f'NAS1$@{REALM}'
    assert emu.network_config['hostname'] == 'nas1'       # set from configuration.hostname
    assert emu.directory.smb() == {'netbiosname': 'nas1', 'netbiosalias': [], 'workgroup': WORKGROUP}
    privilege = client.call('privilege.query', [['name', '=', REALM]], {'get': True})
    assert privilege['roles'] == ['FULL_ADMIN'] and privilege['ds_groups'][0]['sid'] == f'{FAKE_DOMAIN_SID}-512'
    assert emu.counters()['writes_by_method']['directoryservices.update'] >= 1


def test_secrets_are_neither_stored_nor_shown(directory_nas):  # noqa: F811
    emu, client, dummy = directory_nas()
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert entry['arguments'] == [{**JOIN_25_10, 'credential': {**JOIN_25_10['credential'], 'password': SECRET}}]
    assert FAKE_JOIN_PASSWORD not in state_text(emu)
    # an invalid payload is shown as sent, secrets removed
    bad = run_job(client, UPDATE, payload(timeout=1, password='Another-Secret1'))
    assert bad['arguments'][0]['credential']['password'] == SECRET and bad['arguments'][0]['timeout'] == 1
    left = run_job(client, LEAVE, LEAVE_25_10)
    assert left['arguments'] == [{'credential': {**LEAVE_25_10['credential'], 'password': SECRET}}]
    jobs = str(client.call('core.get_jobs'))
    assert FAKE_JOIN_PASSWORD not in jobs and 'Another-Secret1' not in jobs and FAKE_JOIN_PASSWORD not in state_text(emu)


def test_second_identical_update_writes_nothing(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    config = client.call('directoryservices.config')
    config.pop('id')
    kinit_count = len(fake.kinits)
    entry = run_job(client, UPDATE, config)
    assert entry['state'] == 'SUCCESS' and entry['result']['credential']['principal'] == f'NAS1$@{REALM}'
    assert emu.counters()['writes'] == 0
    assert len(fake.kinits) == kinit_count        # the machine ticket is still valid: no new kinit
    # permitted while enabled: timeouts, caching, DNS updates
    changed = run_job(client, UPDATE, {**config, 'timeout': 30, 'enable_account_cache': False})
    assert changed['state'] == 'SUCCESS' and changed['result']['timeout'] == 30
    assert emu.counters()['writes'] == 1


@pytest.mark.parametrize('change, attribute, message', [
    ({'computer_account_ou': 'Servers'}, f'{S}.configuration',
     'Permitted changes while directory services are enabled are limited to account caching, DNS updates, and '
     'timeouts. All other changes should be performed with directory services disabled and during a maintenance '
     'window as the changes may result in a temporary production outage.'),
    ({'kerberos_realm': 'OTHER.TEST'}, f'{S}.kerberos_realm',
     'Kerberos realm may not be changed while directory service is enabled. '),
])
def test_changes_refused_while_enabled(directory_nas, change, attribute, message):  # noqa: F811
    emu, client, dummy = joined(directory_nas)
    config = client.call('directoryservices.config')
    config.pop('id')
    if 'computer_account_ou' in change:
        config['configuration'].update(change)
    else:
        config.update(change)
    entry = run_job(client, UPDATE, config)
    assert entry['state'] == 'FAILED' and entry['exc_info']['type'] == 'VALIDATION'
    assert [attribute, message, 22] in extra(entry)
    assert emu.counters()['writes'] == 0


@pytest.mark.parametrize('data, errors', [
    ({'enable': True}, [['directoryservices_update', 'Value error, service_type is required in update payloads']]),
    ({}, [['directoryservices_update', 'Value error, service_type is required in update payloads']]),  # enable unset
    ({'configuration': {'hostname': 'x', 'domain': 'y'}, 'enable': False},
     [['directoryservices_update', 'Value error, "service_type" field is required if "configuration" field is '
                                   'specified']]),
    ({**JOIN_25_10, 'credential': None},
     [['directoryservices_update', 'Value error, Explicit credential configuration is required when service_type '
                                   'is specified']]),
    ({**JOIN_25_10, 'credential': {'credential_type': 'LDAP_PLAIN', 'binddn': 'cn=x,dc=y', 'bindpw': 'z'}},
     [['directoryservices_update', 'Value error, LDAP authentication methods are only supported for the LDAP '
                                   'service type.']]),
    ({**JOIN_25_10, 'credential': {'username': 'x', 'password': 'y'}},
     [['directoryservices_update.credential.credential_type', 'Field required']]),
    ({**JOIN_25_10, 'credential': {'credential_type': 'KERBEROS_USER', 'username': 'x'}},
     [['directoryservices_update.credential.KERBEROS_USER.password', 'Field required']]),
    ({**JOIN_25_10, 'timeout': 2}, [['directoryservices_update.timeout', 'Input should be greater than or equal to 5']]),
    ({**JOIN_25_10, 'bogus': 1}, [['directoryservices_update.bogus', 'Extra inputs are not permitted']]),
    ({**JOIN_25_10, 'configuration': {'hostname': 'nas1'}},
     [['directoryservices_update.configuration.ACTIVEDIRECTORY.domain', 'Field required']]),
    ({**JOIN_25_10, 'configuration': {'hostname': 'nas1', 'domain': DOMAIN, 'idmap': {
        'idmap_domain': {'idmap_backend': 'RID', 'range_low': 300000000, 'range_high': 200000000}}}},
     [['directoryservices_update.configuration.ACTIVEDIRECTORY.idmap.idmap_domain.RID',
       'Value error, The low range must be less than high range']]),
    ({**JOIN_25_10, 'configuration': {'hostname': 'nas1', 'domain': DOMAIN, 'idmap': {
        'idmap_domain': {'idmap_backend': 'RID', 'range_low': 100000001, 'range_high': 100000100}}}},
     [['directoryservices_update.configuration.ACTIVEDIRECTORY.idmap.idmap_domain.RID',
       'Value error, The domain range must include at least 10,000 IDs']]),
])
def test_model_validation(directory_nas, data, errors):  # noqa: F811
    emu, client, fake = directory_nas()
    entry = run_job(client, UPDATE, data)
    assert entry['state'] == 'FAILED' and entry['exc_info']['type'] == 'VALIDATION'
    assert extra(entry) == [error + [22] for error in errors]
    assert not fake.kinits and emu.counters()['writes'] == 0
    # with legacy_jobs off the same errors come back as the call's error
    client.call('core.set_options', {'legacy_jobs': False})
    error = client.error(UPDATE, data)
    assert error['code'] == -32602 and error['data']['extra'] == [error_ + [22] for error_ in errors]


@pytest.mark.parametrize('code, message', [
    ('KRB5KDC_ERR_PREAUTH_FAILED', 'The bind password is not correct.'),
    ('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN', 'The remote domain controller does not have the specified credentials. '
                                        'This can mean the user name or principal name is wrong, or the account '
                                        'was deleted.'),
    ('KRB5KDC_ERR_CLIENT_REVOKED', 'The account is locked.'),
    ('KRB5_LIBOS_CANTREADPWD', 'The password for aaddsadmin is expired.'),
    ('KRB5KDC_ERR_POLICY', 'The domain controller security policy rejected the request to get a Kerberos ticket. '
                           'This can happen if the bind account is set to deny interactive logins or if it needs '
                           'two-factor authentication.'),
    ('KRB5KRB_AP_ERR_SKEW', 'The time difference from the domain controller is more than the maximum value allowed '
                            'by the domain controller.'),
    ('KRB5KDC_ERR_ETYPE_NOSUPP', '[KRB5KDC_ERR_ETYPE_NOSUPP] Major (851968): Unspecified GSS failure.  Minor code may '
                                 'provide more information, Minor (2529638926): KDC has no support for encryption '
                                 'type'),
])
def test_kinit_errors(directory_nas, code, message):  # noqa: F811
    emu, client, fake = directory_nas(fake=FakeDirectory(kinit_errors={'aaddsadmin': code}))
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert entry['state'] == 'FAILED' and extra(entry) == [[f'{S}.credential.username', message, 22]]
    assert [k['result'] for k in fake.kinits] == [code]          # exactly one kinit
    assert client.call('directoryservices.config') == FRESH and emu.counters()['writes'] == 0
    assert client.call('directoryservices.status')['status'] is None and not fake.joined


def test_wrong_password_and_kinit_fault(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas()
    entry = run_job(client, UPDATE, payload(password='Wrong-Passw0rd!'))
    assert extra(entry) == [[f'{S}.credential.username', 'The bind password is not correct.', 22]]
    emu.faults.set('kinit_fails', code='KRB5KDC_ERR_CLIENT_REVOKED')
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert extra(entry) == [[f'{S}.credential.username', 'The account is locked.', 22]]
    assert [k['result'] for k in fake.kinits] == ['KRB5KDC_ERR_PREAUTH_FAILED']  # the fault never reached the KDC
    assert emu.directory.dump()['log'][-1] == {'op': 'kinit', 'principal': f'aaddsadmin@{REALM}', 'source': 'password',
                                               'result': 'KRB5KDC_ERR_CLIENT_REVOKED'}


@pytest.mark.parametrize('knobs, data, attribute, message', [
    ({'time_offset': 200}, JOIN_25_10, f'{S}.configuration.domain',
     'Time offset from the domain controller exceeds the maximum permitted value.'),
    ({}, payload(domain='nope.test'), f'{S}.configuration.domain',
     'NOPE.TEST: Failed to discover Active Directory Domain Controller for domain. This may indicate a DNS '
     'misconfiguration.'),
    ({'srv': {DC_IPS[1]: 'NXDOMAIN'}}, JOIN_25_10, f'{S}.configuration.domain',
     f'Forward lookup of "_kerberos._tcp.{REALM}." failed with nameserver {DC_IPS[1]}. This may indicate that the '
     f'specified nameserver is not a valid nameserver for the domain {REALM}.'),
    ({'host_records': {f'nas1.{DOMAIN}': ['192.0.2.99']}}, JOIN_25_10, f'{S}.configuration.hostname',
     'nas1: hostname appears to be in use by another server in the domain. Further investigation and correction of '
     'DNS entries may be required.'),
])
def test_pre_join_checks(directory_nas, knobs, data, attribute, message):  # noqa: F811
    emu, client, fake = directory_nas(fake=FakeDirectory(**knobs))
    entry = run_job(client, UPDATE, data)
    assert entry['state'] == 'FAILED' and extra(entry) == [[attribute, message, 22]]
    assert client.call('directoryservices.config') == FRESH and not fake.joined
    if 'time_offset' in knobs or data is not JOIN_25_10:
        assert not fake.kinits                     # the DC checks come before the kinit
    else:
        assert len(kinits(fake)) == 1 and fake.ticket is None   # kinit first, reverted by kdestroy


def test_clock_offset_fault_and_force(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas(fake=FakeDirectory(host_records={f'nas1.{DOMAIN}': ['192.0.2.99']}))
    emu.faults.set('clock_offset', seconds=600)
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert extra(entry) == [[f'{S}.configuration.domain',
                             'Time offset from the domain controller exceeds the maximum permitted value.', 22]]
    emu.faults.clear('clock_offset')
    assert run_job(client, UPDATE, {**JOIN_25_10, 'force': True})['state'] == 'SUCCESS'   # in-use name ignored


def test_join_failure_reverts_and_disables(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas(fake=FakeDirectory(
        join_error="Failed to join domain: failed to lookup DC info for domain 'AADDSCONTOSO.COM' over rpc: "
                   "Logon failure"))
    client.call('core.subscribe', 'directoryservices.status')
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert entry['state'] == 'FAILED' and entry['exc_info']['type'] == 'CallError'
    # samba's text after the first colon, as _ad_join_impl re-raises it
    assert entry['error'] == ("[EFAULT]  failed to lookup DC info for domain 'AADDSCONTOSO.COM' over rpc: "
                              "Logon failure")
    assert client.call('directoryservices.config') == FRESH
    assert client.call('directoryservices.status') == {'type': None, 'status': None, 'status_msg': None}
    statuses = [m['params']['fields']['status'] for m in client.notifications
                if m['params']['collection'] == 'directoryservices.status']
    assert statuses == ['JOINING', None]
    assert emu.network_config['hostname'] == 'nas1'      # not reverted by TrueNAS either
    assert fake.ticket is None and not fake.joined


def test_join_fails_fault_and_missing_ou(directory_nas):  # noqa: F811
    emu, client, dummy = directory_nas()
    emu.faults.set('join_fails', error='Failed to join domain: Insufficient access')
    assert run_job(client, UPDATE, JOIN_25_10)['error'] == '[EFAULT]  Insufficient access'
    entry = run_job(client, UPDATE, payload(computer_account_ou='Servers/NAS'))
    assert entry['error'] == ('[EFAULT]  failed to precreate account in ou ou=NAS,ou=Servers,dc=aaddscontoso,dc=com: '
                              'No such object')


def test_winbind_failure_after_join_is_faulted(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas()
    emu.faults.set('winbind_fails_after_join')
    entry = run_job(client, UPDATE, JOIN_25_10)
    assert entry['state'] == 'FAILED' and entry['error'] == f'[EFAULT] {FAULTED_MSG}'
    assert client.call('directoryservices.status') == {'type': 'ACTIVEDIRECTORY', 'status': 'FAULTED',
                                                       'status_msg': FAULTED_MSG}
    config = client.call('directoryservices.config')      # left intact, as is the computer account
    assert config['enable'] and config['credential'] == {'credential_type': 'KERBEROS_PRINCIPAL',
                                                         'principal': f'NAS1$@{REALM}'}
    assert fake.joined and 'NAS1' in fake.computers and not fake.winbind_running


def test_disable_keeps_the_account_and_reenable_rejoins_nothing(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    config = client.call('directoryservices.config')
    config.pop('id')
    client.call('core.subscribe', 'core.get_jobs')
    entry = run_job(client, UPDATE, {'enable': False})
    assert entry['state'] == 'SUCCESS' and entry['result'] == {**config, 'id': 1, 'enable': False}
    assert progress_descriptions(client, entry['id']) == ['Disabling ACTIVEDIRECTORY', 'Regenerating configuration files',
                                                          'Restarting dependent services']
    assert client.call('directoryservices.status')['status'] is None
    assert not fake.winbind_running and fake.joined and 'NAS1' in fake.computers
    joins = [e for e in emu.directory.dump()['log'] if e['op'] == 'join']
    again = run_job(client, UPDATE, {**config, 'enable': True})
    assert again['state'] == 'SUCCESS' and client.call('directoryservices.status')['status'] == 'HEALTHY'
    assert [e for e in emu.directory.dump()['log'] if e['op'] == 'join'] == joins    # already joined
    assert fake.winbind_running


def test_disabled_config_may_not_hold_a_user_credential(directory_nas):  # noqa: F811
    dummy, client, dummy2 = directory_nas()
    entry = run_job(client, UPDATE, {**JOIN_25_10, 'enable': False})
    assert extra(entry) == [[f'{S}.credential.credential_type',
                             'Kerberos user credentials may not be stored for disabled directory services when the '
                             'directory service type is IPA or Active Directory.', 22]]


def test_null_service_type_wipes_the_settings(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    entry = run_job(client, UPDATE, {'service_type': None, 'enable': False})
    assert entry['state'] == 'SUCCESS' and entry['result'] == FRESH
    assert fake.joined     # the computer account is not removed


def test_principal_credential_must_be_in_the_keytab(directory_nas):  # noqa: F811
    dummy, client, dummy2 = directory_nas()
    entry = run_job(client, UPDATE, {**JOIN_25_10, 'credential': {'credential_type': 'KERBEROS_PRINCIPAL',
                                                                  'principal': f'NAS1$@{REALM}'}})
    assert extra(entry) == [[f'{S}.credential.principal',
                             'The TrueNAS server does not have the specified Kerberos principal.', 22]]


def test_other_service_types_are_not_emulated(directory_nas):  # noqa: F811
    dummy, client, dummy2 = directory_nas()
    entry = run_job(client, UPDATE, {'service_type': 'IPA', 'enable': True, 'credential': JOIN_25_10['credential'],
                                     'configuration': {'target_server': 'ipa.example', 'hostname': 'nas1',
                                                       'domain': 'example', 'basedn': 'dc=example'}})
    assert entry['exc_info']['errno'] == 95 and 'ACTIVEDIRECTORY only' in entry['error']


def test_leave(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    client.call('core.subscribe', 'core.get_jobs')
    entry = run_job(client, LEAVE, LEAVE_25_10)
    assert entry['state'] == 'SUCCESS' and entry['result'] is None
    assert progress_descriptions(client, entry['id']) == [
        'Removing machine account from Active Directory', 'Unregistering from active directory DNS',
        'Removing local configuration', 'Completed active directory leave.', 'Restarting services',
        f'Successfully left {REALM}']
    assert client.call('directoryservices.config') == FRESH
    assert client.call('directoryservices.status') == {'type': None, 'status': None, 'status_msg': None}
    assert fake.computers == {} and not fake.joined and not fake.winbind_running
    assert kinits(fake)[-1] == {'principal': f'aaddsadmin@{REALM}', 'result': 'OK'}
    assert not client.call('privilege.query', [['name', '=', REALM]])
    assert emu.counters()['writes_by_method'] == {'directoryservices.leave': 1}


def test_leave_errors(directory_nas):  # noqa: F811
    emu, client, fake = directory_nas()
    assert run_job(client, LEAVE, LEAVE_25_10)['error'] == (
        '[EFAULT] The directory service must be enabled before the TrueNAS server can leave the domain.')
    run_job(client, UPDATE, JOIN_25_10)
    bad = {'credential': {**LEAVE_25_10['credential'], 'password': 'Wrong-Passw0rd!'}}
    entry = run_job(client, LEAVE, bad)
    assert extra(entry) == [['directoryservices.leave_domain.credential.username',
                             'The bind password is not correct.', 22]]
    assert client.call('directoryservices.status')['status'] == 'HEALTHY' and fake.joined
    entry = run_job(client, LEAVE, {'credential': {'credential_type': 'KERBEROS_PRINCIPAL', 'principal': 'x'}})
    assert extra(entry) == [  # the model takes KERBEROS_USER only (a StrEnum literal, hence its repr)
        ['credential.credential.credential_type', "Input should be <DSCredType.KERBEROS_USER: 'KERBEROS_USER'>", 22],
        ['credential.credential.username', 'Field required', 22],
        ['credential.credential.password', 'Field required', 22],
        ['credential.credential.principal', 'Extra inputs are not permitted', 22]]
    fake.joined = False          # the machine account broke meanwhile
    entry = run_job(client, LEAVE, LEAVE_25_10)
    assert entry['error'] == (f'[EFAULT] {REALM}: The domain join is not healthy. This prevents the TrueNAS server '
                              'from leaving the domain. You may need to manually clean up the machine account on the '
                              'remote domain controller.')
    assert client.call('directoryservices.config') == FRESH


def test_cache_refresh_and_clear_idmap_cache(directory_nas):  # noqa: F811
    dummy, client, fake = directory_nas()
    entry = run_job(client, 'directoryservices.cache_refresh')
    assert entry['state'] == 'SUCCESS' and entry['progress']['description'] == 'Directory services not enabled.'
    run_job(client, UPDATE, JOIN_25_10)
    entry = run_job(client, 'directoryservices.cache_refresh')
    assert entry['progress'] == {'percent': 100, 'description': 'Cached 3 users and 4 groups.', 'extra': None}
    assert run_job(client, 'idmap.clear_idmap_cache')['state'] == 'SUCCESS' and fake.winbind_running
    assert client.error('idmap.query')['code'] == -32601     # 25.10: no idmap CRUD


def test_state_survives_a_restart(directory_nas, make_emulator, connect, tmp_path):  # noqa: F811
    emu, client, fake = directory_nas(state_file=tmp_path / 'kept.json')
    run_job(client, UPDATE, JOIN_25_10)
    emu.stop()
    again = make_emulator('25.10', directory=fake, state_file=tmp_path / 'kept.json')
    other = connect(again)
    other.login()
    assert other.call('directoryservices.status')['status'] == 'HEALTHY'
    assert other.call('directoryservices.config')['credential']['principal'] == f'NAS1$@{REALM}'
    assert fake.winbind_running  # started at boot


def test_a_restart_whose_winbind_does_not_start_is_faulted(directory_nas, make_emulator, connect, tmp_path):  # noqa: F811
    emu, client, fake = directory_nas(state_file=tmp_path / 'kept.json')
    run_job(client, UPDATE, JOIN_25_10)
    emu.stop()
    fake.winbind_running, fake.winbind_error = False, 'winbindd: no trust with the domain'
    again = connect(make_emulator('25.10', directory=fake, state_file=tmp_path / 'kept.json'))
    again.login()
    status = again.call('directoryservices.status')
    assert status['status'] == 'FAULTED' and 'winbindd did not start' in status['status_msg']


def test_control_socket_shows_the_directory_log(directory_nas):  # noqa: F811
    emu, client, dummy = directory_nas()
    run_job(client, UPDATE, JOIN_25_10)
    shown = emu.control('emulator.directory', [])
    assert shown['backend'] == 'fake' and shown['status']['status'] == 'HEALTHY'
    assert [e['op'] for e in shown['log']][:2] == ['kinit', 'join'] and FAKE_JOIN_PASSWORD not in str(shown)
