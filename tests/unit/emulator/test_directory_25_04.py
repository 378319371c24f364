"""25.04 activedirectory.config / update / leave / domain_info, directoryservices.status / cache_refresh and the
idmap CRUD against the scripted FakeDirectory: the legacy schema's errors (inside the job, as @accepts checks
job methods), the plugin's own checks, the join job and its failure modes."""

import pytest

from truenas_emulator.directory_backend import FAKE_DOMAIN_SID, FAKE_JOIN_PASSWORD, FakeDirectory

from .test_directory_helpers import directory_nas  # noqa: F401  pylint: disable=unused-import  # a fixture
from .test_directory_helpers import (
    DC_IPS, DOMAIN, JOIN_25_04, JOIN_STEPS, LEAVE_25_04, REALM, SECRET, WORKGROUP, extra, kinits,
    progress_descriptions, run_job, state_text)

UPDATE, LEAVE = 'activedirectory.update', 'activedirectory.leave'
FRESH = {'id': 1, 'domainname': '', 'bindname': '', 'verbose_logging': False, 'allow_trusted_doms': False,
         'use_default_domain': False, 'allow_dns_updates': True, 'disable_freenas_cache': False, 'restrict_pam': False,
         'site': None, 'timeout': 60, 'dns_timeout': 10, 'nss_info': 'TEMPLATE', 'enable': False,
         'kerberos_realm': None, 'kerberos_principal': '', 'createcomputer': '', 'netbiosname': 'truenas',
         'netbiosalias': []}
NOT_WHILE_ENABLED = 'Parameter may not be changed while the Active Directory service is enabled.'
SCHEMA_MESSAGES = ('attribute required', 'Should be between 5 and 40', 'Not an integer', 'Field was not expected',
                   'Not a boolean', 'Invalid choice: NIS', 'null not allowed')


def nas(directory_nas, **knobs):  # noqa: F811
    return directory_nas('25.04', fake=FakeDirectory(**knobs))


def joined(directory_nas, **knobs):  # noqa: F811
    emu, client, fake = nas(directory_nas, **knobs)
    assert run_job(client, UPDATE, JOIN_25_04)['state'] == 'SUCCESS'
    emu.reset_counters()
    return emu, client, fake


def test_fresh_config(directory_nas):  # noqa: F811
    dummy, client, dummy2 = nas(directory_nas)
    assert client.call('activedirectory.config') == FRESH
    assert client.call('directoryservices.status') == {'type': None, 'status': None, 'status_msg': None}
    assert client.error('directoryservices.config')['code'] == -32601      # 25.10 API only


def test_join(directory_nas):  # noqa: F811
    emu, client, fake = nas(directory_nas)
    client.call('core.subscribe', 'core.get_jobs')
    entry = run_job(client, UPDATE, JOIN_25_04)
    assert entry['state'] == 'SUCCESS', entry['error']
    assert entry['arguments'] == [{**JOIN_25_04, 'bindpw': SECRET}]
    assert entry['result'] == {**FRESH, 'domainname': REALM, 'bindname': 'aaddsadmin', 'enable': True,
                               'site': 'Default-First-Site-Name', 'kerberos_realm': 1,
                               'kerberos_principal': f'NAS1$@{REALM}', 'netbiosname': 'NAS1'}
    descriptions = progress_descriptions(client, entry['id'])
    assert [d for d in descriptions if d in JOIN_STEPS] == JOIN_STEPS
    assert descriptions[-1] == 'Cached 3 users and 4 groups.'
    assert client.call('directoryservices.status') == {'type': 'ACTIVEDIRECTORY', 'status': 'HEALTHY',
                                                       'status_msg': None}
    assert kinits(fake) == [{'principal': f'aaddsadmin@{REALM}', 'result': 'OK'}]   # bindname@DOMAINNAME
    assert fake.computers == {'NAS1': {'ou': 'AADDC Computers', 'dns_hostname': None}}
    assert emu.network_config['domain'] == REALM            # was "local"
    assert emu.directory.smb()['workgroup'] == WORKGROUP
    privilege = client.call('privilege.query', [['name', '=', REALM]], {'get': True})
    assert privilege['ds_groups'][0]['sid'] == f'{FAKE_DOMAIN_SID}-512' and privilege['roles'] == ['FULL_ADMIN']
    assert FAKE_JOIN_PASSWORD not in state_text(emu) and FAKE_JOIN_PASSWORD not in str(client.call('core.get_jobs'))


@pytest.mark.parametrize('data, errors', [
    ({'enable': False}, [['activedirectory_update.domainname', 'attribute required']]),
    ({**JOIN_25_04, 'dns_timeout': 50}, [['activedirectory_update.dns_timeout', 'Should be between 5 and 40']]),
    ({**JOIN_25_04, 'timeout': 'soon'}, [['activedirectory_update.timeout', 'Not an integer']]),
    ({**JOIN_25_04, 'bogus': True}, [['activedirectory_update.bogus', 'Field was not expected']]),
    ({**JOIN_25_04, 'enable': 'yes'}, [['activedirectory_update.enable', 'Not a boolean']]),
    ({**JOIN_25_04, 'nss_info': 'NIS'}, [['activedirectory_update.nss_info', 'Invalid choice: NIS']]),
    ({**JOIN_25_04, 'netbiosname': 'this-name-is-too-long'},
     [['activedirectory_update.netbiosname', 'Invalid NetBIOS name. NetBIOS names must be between 1 and 15 characters '
                                             'in length and may not contain the following characters: \\/:*?"<>|.']]),
    ({**JOIN_25_04, 'bindpw': None}, [['activedirectory_update.bindpw', 'null not allowed']]),
    ({'domainname': DOMAIN, 'enable': True},
     [['activedirectory_update.bindname', 'Bind credentials or kerberos keytab are required to join an AD domain.']]),
    ({**JOIN_25_04, 'kerberos_principal': f'NAS1$@{REALM}'},
     [['activedirectory_update.kerberos_principal', 'Simultaneous keytab and password authentication are not '
                                                    'permitted.']]),
    ({**JOIN_25_04, 'kerberos_realm': 7},
     [['activedirectory_update.kerberos_realm', 'Invalid Kerberos realm id. Realm does not exist.']]),
    ({**JOIN_25_04, 'enable': False},
     [['activedirectory.bindpw', 'The Active Directory bind password is only used when enabling the active directory '
                                 'service for the first time and is not stored persistently. Therefore it is only '
                                 'valid when enabling the service.']]),
])
def test_validation_errors(directory_nas, data, errors):  # noqa: F811
    emu, client, fake = nas(directory_nas)
    entry = run_job(client, UPDATE, data)   # a job id first: @accepts runs inside the job
    assert entry['state'] == 'FAILED' and entry['exc_info']['type'] == 'VALIDATION'
    assert extra(entry) == [error + [22] for error in errors]
    assert not fake.kinits and emu.counters()['writes'] == 0
    # a schema error stops everything; the plugin's own checks come after the NetBIOS name reached smb.config
    schema_error = errors[0][1] in SCHEMA_MESSAGES or errors[0][1].startswith('Invalid NetBIOS name')
    netbiosname = 'NAS1' if data.get('netbiosname') and not schema_error else 'truenas'
    assert client.call('activedirectory.config') == {**FRESH, 'netbiosname': netbiosname}
    if 'bindpw' in data and data['bindpw']:
        assert entry['arguments'][0]['bindpw'] == SECRET


@pytest.mark.parametrize('code, attribute, message', [
    ('KRB5KDC_ERR_PREAUTH_FAILED', 'activedirectory.bindpw',
     'Preauthentication failed. This typically indicates an incorrect bind password.'),
    ('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN', 'activedirectory.bindname',
     "Client's credentials were not found on remote domain controller. The most common reasons for the domain "
     "controller to return this response is due to a typo in the service account name or the service or the computer "
     "account being deleted from Active Directory."),
    ('KRB5KDC_ERR_CLIENT_REVOKED', 'activedirectory.bindpw', 'Active Directory account is locked.'),
    ('KRB5_LIBOS_CANTREADPWD', 'activedirectory.bindpw',
     'Active Directory account password for user aaddsadmin is expired.'),
    ('KRB5KRB_AP_ERR_SKEW', 'activedirectory.domainname',
     'The time offset between the TrueNAS server and the active directory domain controller exceeds the maximum value '
     'permitted by the Active Directory configuration. This may occur if NTP is improperly configured on the TrueNAS '
     'server or if the hardware clock on the TrueNAS server is configured for a local timezone instead of UTC.'),
])
def test_kinit_errors(directory_nas, code, attribute, message):  # noqa: F811
    emu, client, fake = nas(directory_nas, kinit_errors={'aaddsadmin': code})
    entry = run_job(client, UPDATE, JOIN_25_04)
    assert entry['state'] == 'FAILED' and entry['exc_info']['errno'] == 22
    assert extra(entry) == [[attribute, message, 22]]
    assert entry['error'] == f'[EINVAL] {attribute}: {message}'     # one ValidationError: no trailing newline
    assert [k['result'] for k in fake.kinits] == [code]
    assert client.call('directoryservices.status')['status'] is None and not fake.joined


@pytest.mark.parametrize('knobs, data, message', [
    ({'time_offset': -181}, JOIN_25_04, 'Time offset from Active Directory domain exceeds maximum permitted value. '
                                        'This may indicate an NTP misconfiguration.'),
    ({}, {**JOIN_25_04, 'domainname': 'nope.test'},
     'Failed to discover Active Directory Domain Controller for domain. This may indicate a DNS misconfiguration.'),
    ({'srv': {DC_IPS[0]: 'NXDOMAIN'}}, JOIN_25_04,
     f'_kerberos._tcp.{REALM}.: Nameserver {DC_IPS[0]} failed to resolve SRV record for domain {REALM}. This may '
     'indicate a DNS misconfiguration on the TrueNAS server. NOTE: When configuring with Active Directory, all '
     'registered nameservers must be nameservers for the Active Directory domain.'),
    ({'srv': {DC_IPS[1]: 'LifetimeTimeout'}}, JOIN_25_04,
     f'_kerberos._tcp.{REALM}.: Nameserver {DC_IPS[1]} failed to resolve SRV record for domain {REALM} : '
     f'_kerberos._tcp.{REALM}.: LifetimeTimeout'),
])
def test_pre_join_checks(directory_nas, knobs, data, message):  # noqa: F811
    emu, client, fake = nas(directory_nas, **knobs)
    entry = run_job(client, UPDATE, data)
    assert extra(entry) == [['activedirectory.domainname', message, 22]]
    assert not fake.kinits           # 25.04 checks the DC and DNS before its kinit


def test_changes_while_enabled(directory_nas):  # noqa: F811
    emu, client, dummy = joined(directory_nas)
    config = {'domainname': DOMAIN, 'enable': True}
    entry = run_job(client, UPDATE, {**config, 'createcomputer': 'Servers'})
    assert extra(entry) == [['activedirectory.createcomputer', NOT_WHILE_ENABLED, 22]]
    entry = run_job(client, UPDATE, {**config, 'netbiosname': 'nas9'})
    assert extra(entry) == [['activedirectory_update.netbiosname', '[EINVAL] activedirectory.netbiosname: NAS1 -> '
                                                                   'NAS9: NetBIOS name may not be changed while AD '
                                                                   'service is enabled.', 22]]
    assert emu.counters()['writes'] == 0
    same = run_job(client, UPDATE, config)          # stored kerberos_principal stands in for bindpw
    assert same['state'] == 'SUCCESS' and emu.counters()['writes'] == 0
    timeout = run_job(client, UPDATE, {**config, 'timeout': 90})
    assert timeout['result']['timeout'] == 90 and emu.counters()['writes'] == 1
    # a payload without timeout resets it to the schema default (60): the Dict is not a PATCH
    assert run_job(client, UPDATE, config)['result']['timeout'] == 60


def test_join_failure_disables(directory_nas):  # noqa: F811
    emu, client, fake = nas(directory_nas, join_error='Failed to join domain: failed to precreate account in ou '
                                                      'ou=NAS,dc=aaddscontoso,dc=com: Insufficient access')
    entry = run_job(client, UPDATE, {**JOIN_25_04, 'createcomputer': 'NAS'})
    assert entry['exc_info']['type'] == 'CallError'
    assert entry['error'] == '[EFAULT]  failed to precreate account in ou ou=NAS,dc=aaddscontoso,dc=com: Insufficient access'
    assert client.call('directoryservices.status')['status'] is None
    config = client.call('activedirectory.config')     # 25.04 keeps what was sent, with enable false
    assert config['enable'] is False and config['domainname'] == REALM and config['createcomputer'] == 'NAS'
    assert config['kerberos_realm'] == 1 and config['kerberos_principal'] == ''


def test_winbind_failure_after_join_disables(directory_nas):  # noqa: F811
    emu, client, fake = nas(directory_nas)
    emu.faults.set('winbind_fails_after_join')
    entry = run_job(client, UPDATE, JOIN_25_04)
    assert entry['error'] == '[EFAULT] WBC_ERR_WINBIND_NOT_AVAILABLE'
    assert client.call('directoryservices.status')['status'] is None       # no FAULTED state in 25.04
    assert client.call('activedirectory.config')['enable'] is False
    assert fake.joined and 'NAS1' in fake.computers                         # the join is not rolled back


def test_disable(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    client.call('core.subscribe', 'core.get_jobs')
    entry = run_job(client, UPDATE, {'domainname': DOMAIN, 'enable': False})
    assert entry['state'] == 'SUCCESS' and entry['result']['enable'] is False
    assert progress_descriptions(client, entry['id']) == [
        'Preparing to stop Active Directory service', 'Stopping kerberos service', 'Reconfiguring SMB.',
        'Reconfiguring pam and nss.', 'clearing caches.', 'Active Directory stop completed.']
    assert client.call('directoryservices.status')['status'] is None
    assert not fake.winbind_running and fake.joined
    assert entry['result']['kerberos_principal'] == f'NAS1$@{REALM}'


def test_leave(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    client.call('core.subscribe', 'core.get_jobs')
    entry = run_job(client, LEAVE, LEAVE_25_04)
    assert entry['state'] == 'SUCCESS' and entry['result'] is None
    assert entry['arguments'] == [{'username': 'aaddsadmin', 'password': SECRET}]
    assert progress_descriptions(client, entry['id']) == [
        'Obtaining kerberos ticket for privileged user.', 'Leaving Active Directory domain.', 'Removing DNS entries',
        'Removing kerberos keytab and realm.', 'Clearing local Active Directory settings.', 'Flushing caches.',
        'Clearing kerberos configuration and ticket.', 'Regenerating configuration.', 'Restarting services.',
        'Successfully left activedirectory domain.']
    config = client.call('activedirectory.config')
    assert config == {**FRESH, 'netbiosname': 'NAS1'}
    assert fake.computers == {} and not fake.winbind_running
    assert client.call('directoryservices.status')['status'] is None
    assert not client.call('privilege.query', [['name', '=', REALM]])


def test_leave_errors(directory_nas):  # noqa: F811
    emu, client, fake = nas(directory_nas)
    assert run_job(client, LEAVE, LEAVE_25_04)['error'] == (
        '[EFAULT] Active Directory domain name present in configuration.')
    entry = run_job(client, LEAVE, {'username': 'aaddsadmin'})
    assert extra(entry) == [['kerberos_username_password.password', 'attribute required', 22]]
    run_job(client, UPDATE, JOIN_25_04)
    entry = run_job(client, LEAVE, {**LEAVE_25_04, 'password': 'Wrong-Passw0rd!'})
    assert entry['exc_info']['type'] == 'KRB5Error'                 # do_kinit's error is not mapped here
    assert entry['error'].startswith('[KRB5KDC_ERR_PREAUTH_FAILED] Major (851968): Unspecified GSS failure.')
    assert fake.joined and client.call('directoryservices.status')['status'] == 'HEALTHY'


def test_domain_info(directory_nas):  # noqa: F811
    dummy, client, dummy2 = nas(directory_nas)
    info = client.call('activedirectory.domain_info', DOMAIN)
    assert set(info) == {'LDAP server', 'LDAP server name', 'Realm', 'Bind Path', 'LDAP port', 'Server time',
                         'KDC server', 'Server time offset', 'Last machine account password change'}
    error = client.error('activedirectory.domain_info', 'nope.test')
    assert error['data']['errname'] == 'ENOENT' and error['data']['reason'] == (
        '[ENOENT] Failed to discover Active Directory Domain Controller for domain. This may indicate a DNS '
        'misconfiguration.')


def test_status_and_cache_refresh(directory_nas):  # noqa: F811
    dummy, client, dummy2 = nas(directory_nas)
    entry = run_job(client, 'directoryservices.cache_refresh')
    assert entry['state'] == 'SUCCESS' and entry['progress']['description'] == ''   # 25.04: returns quietly
    run_job(client, UPDATE, JOIN_25_04)
    assert run_job(client, 'directoryservices.cache_refresh')['progress']['description'] == 'Cached 3 users and 4 groups.'


# -- idmap (25.04 CRUD) ----------------------------------------------------------------------------------------

def test_idmap_query_defaults(directory_nas):  # noqa: F811
    dummy, client, dummy2 = nas(directory_nas)
    rows = client.call('idmap.query')
    assert [(r['id'], r['name'], r['idmap_backend'], r['range_low'], r['range_high']) for r in rows] == [
        (1, 'DS_TYPE_ACTIVEDIRECTORY', 'RID', 100000001, 200000000),
        (2, 'DS_TYPE_LDAP', 'LDAP', 100000001, 200000000),
        (5, 'DS_TYPE_DEFAULT_DOMAIN', 'TDB', 90000001, 100000000)]
    assert set(rows[0]) == {'id', 'name', 'dns_domain_name', 'range_low', 'range_high', 'idmap_backend', 'options',
                            'certificate'}
    info = client.call('idmap.query', [['id', '=', 1]], {'extra': {'additional_information': ['DOMAIN_INFO']}})
    assert info[0]['domain_info'] is None


@pytest.mark.parametrize('id_, data, errors', [
    (1, {'range_low': 10}, [['idmap_update.range_low', 'Should be between 1000 and 2147000000']]),
    (1, {'bogus': 1}, [['idmap_update.bogus', 'Field was not expected']]),
    (1, {'name': 'OTHER'}, [['idmap_domain_update.name',
                             'Changing name of default domain DS_TYPE_ACTIVEDIRECTORY is not permitted']]),
    (5, {'idmap_backend': 'RID'}, [['idmap_domain_update.idmap_backend',
                                    'TDB is the only supported idmap backend for DS_TYPE_DEFAULT_DOMAIN.']]),
    (1, {'range_low': 300000000}, [['idmap_domain_update.range_low',
                                    'Idmap high range must be greater than idmap low range']]),
    (1, {'options': {'foo': 1}}, [['idmap_domain_update.options.foo',
                                   '[foo] is not a valid parameter for the [RID] idmap backend.']]),
    (1, {'idmap_backend': 'AD', 'options': {}}, []),
])
def test_idmap_update_validation(directory_nas, id_, data, errors):  # noqa: F811
    emu, client, dummy = nas(directory_nas)
    if not errors:
        entry = client.call('idmap.update', id_, data)
        assert entry['idmap_backend'] == 'AD' and entry['options'] == {
            'schema_mode': 'RFC2307', 'unix_primary_group': False, 'unix_nss_info': False}
        assert emu.counters()['writes'] == 1
        return
    error = client.error('idmap.update', id_, data)
    assert error['code'] == -32602 and error['data']['extra'] == [e + [22] for e in errors]


def test_idmap_ranges_may_not_overlap_while_joined(directory_nas):  # noqa: F811
    emu, client, fake = joined(directory_nas)
    error = client.error('idmap.update', 5, {'range_low': 150000000, 'range_high': 160000000})
    assert error['data']['extra'] == [['idmap_domain_update.range_low',
                                       'new idmap range [150000000-160000000] conflicts with existing range for domain '
                                       '[DS_TYPE_ACTIVEDIRECTORY], range: [100000001-200000000].', 22]]
    entry = client.call('idmap.update', 1, {'range_low': 200000001, 'range_high': 300000000})
    assert entry['range_low'] == 200000001 and fake.idmap_low == 200000001
    user = client.call('user.get_user_obj', {'username': f'{WORKGROUP}\\alice'})
    assert user['pw_uid'] == 200000001 + 1104
    assert client.error('idmap.update', 9, {})['data']['reason'] == 'MatchNotFound()'
