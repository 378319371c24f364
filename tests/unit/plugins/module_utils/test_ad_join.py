"""ad_join decisions against a scripted NAS of each API generation: join, converge, refuse, leave."""

import copy

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._join import ad_join
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

from ...module_args import ended

PASSWORD = 'CANARY-join-P4ss!'
DOMAIN = 'aaddscontoso.com'


class NAS:
    """A TrueNAS of ``version`` with just the directory methods, recording every call. From 26 a join with DNS updates
    sets the network domain to the AD domain in lower case and a leave with them sets ``local`` (NAS-139291)."""

    def __init__(self, version='25.10.1', joined=None, status='DISABLED', job_error=None, after_join='HEALTHY',
                 network_domain=DOMAIN):
        self.version = tuple(int(part) for part in version.split('.'))
        self.network_domain = network_domain
        self.calls = []
        self.status = status
        self.job_error = job_error
        self.after_join = after_join
        self.ds = {'service_type': None, 'enable': False, 'enable_dns_updates': True, 'credential': None,
                   'configuration': None}
        self.ad = {'domainname': '', 'enable': False, 'netbiosname': 'NAS1', 'createcomputer': '', 'site': None,
                   'allow_dns_updates': True}
        self.idmap = [{'id': 1, 'name': 'DS_TYPE_ACTIVEDIRECTORY', 'range_low': 100000001, 'range_high': 200000000},
                      {'id': 5, 'name': 'DS_TYPE_DEFAULT_DOMAIN', 'range_low': 90000001, 'range_high': 100000000}]
        if joined:
            self._store_join(joined, 'nas1', None)
            self.status = status if status != 'DISABLED' else 'HEALTHY'

    def require(self, method):
        return None

    def _store_join(self, domain, hostname, ou, dns_updates=False):
        if dns_updates and self.version >= (26, 0):
            self.network_domain = domain.lower()
        self.ds.update(service_type='ACTIVEDIRECTORY', enable=True, enable_dns_updates=dns_updates,
                       credential={'credential_type': 'KERBEROS_PRINCIPAL', 'principal': 'NAS1$@%s' % domain.upper()},
                       configuration={'hostname': hostname, 'domain': domain.upper(), 'site': 'Default-First-Site-Name',
                                      'computer_account_ou': ou,
                                      'idmap': {'builtin': {'range_low': 90000001, 'range_high': 100000000},
                                                'idmap_domain': {'name': 'AADDSCONTOSO', 'idmap_backend': 'RID',
                                                                 'range_low': 100000001, 'range_high': 200000000}}})
        self.ad.update(domainname=domain.upper(), enable=True, netbiosname=hostname.upper(), createcomputer=ou or '',
                       site='Default-First-Site-Name', allow_dns_updates=False)

    def call(self, method, *params):
        self.calls.append((method, copy.deepcopy(params)))
        status_msg = 'winbind down' if self.status == 'FAULTED' else None
        answers = {'directoryservices.config': lambda: self.ds, 'activedirectory.config': lambda: self.ad,
                   'directoryservices.status': lambda: {'type': 'ACTIVEDIRECTORY', 'status': self.status, 'status_msg': status_msg},
                   'idmap.query': lambda: self.idmap,
                   'network.configuration.config': lambda: {'hostname': 'nas1', 'domain': self.network_domain},
                   'idmap.update': lambda: None, 'core.get_jobs': lambda: []}
        return copy.deepcopy(answers[method]())

    def call_job(self, method, payload, timeout=None, on_progress=None):
        self.calls.append((method, (copy.deepcopy(payload),)))
        on_progress({'progress': {'percent': 50, 'description': 'Performing domain join.'}})
        if self.job_error:
            raise self.job_error
        if method in ('directoryservices.update', 'activedirectory.update'):
            if payload.get('enable') is False:
                self.ds['enable'] = self.ad['enable'] = False
                self.status = 'DISABLED'
            elif 'credential' in payload and payload['credential']['credential_type'] == 'KERBEROS_PRINCIPAL':
                self.ds['enable_dns_updates'] = payload['enable_dns_updates']
            else:
                conf = payload.get('configuration') or {}
                self._store_join(conf.get('domain') or payload['domainname'], conf.get('hostname') or 'nas1',
                                 conf.get('computer_account_ou') or payload.get('createcomputer') or None,
                                 payload.get('enable_dns_updates', payload.get('allow_dns_updates')))
                self.status = self.after_join
        elif method.endswith('.leave'):
            if self.ds['enable_dns_updates'] and self.version >= (26, 0):
                self.network_domain = 'local'
            self.ds.update(service_type=None, enable=False, configuration=None, credential=None)
            self.ad.update(enable=False, domainname='')
            self.status = 'DISABLED'
        return None

    def writes(self):
        return [method for method, dummy in self.calls if method.endswith(('update', 'leave'))]


class Module:
    def __init__(self, check_mode=False, **params):
        self.params = dict(state='present', domain=DOMAIN, username='admin@' + DOMAIN, password=PASSWORD, hostname=None,
                           computer_account_ou=None, site=None, enable_dns_updates=False, idmap=None, join_timeout=60,
                           wait_timeout=5, force_rejoin=False, leave_credentials=None, admin_group=None)
        self.params.update(params)
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(ad_join.time, 'sleep', lambda seconds: None)


@pytest.mark.parametrize('version', ['25.04.2', '25.10.1', '26.0.0', '27.0.0'])
def test_fresh_join_then_converged(version):
    nas = NAS(version)
    result = ended(ad_join.run)(Module(), nas)
    assert result['changed'] is True and result['status'] == 'HEALTHY', result
    assert result['progress'] == [{'percent': 50, 'description': 'Performing domain join.'}]
    assert result['diff']['before']['enabled'] is False and result['diff']['after']['enabled'] is True
    assert PASSWORD not in repr(result)
    join = [params[0] for method, params in nas.calls if method.endswith('.update')][0]
    if not version.startswith('25.04'):
        assert join['credential'] == {'credential_type': 'KERBEROS_USER', 'username': 'admin@' + DOMAIN.upper(), 'password': PASSWORD}
        assert join['configuration']['hostname'] == 'nas1' and join['enable_dns_updates'] is False
        assert join['configuration']['idmap']['idmap_domain'] == {'idmap_backend': 'RID', 'range_low': 100000001, 'range_high': 200000000}
    else:
        assert join['bindpw'] == PASSWORD and join['bindname'] == 'admin' and join['domainname'] == DOMAIN.upper()
        assert join['createcomputer'] == ''
    nas.calls = []
    again = ended(ad_join.run)(Module(), nas)
    assert again['changed'] is False and again['msg'] == 'already joined, HEALTHY'
    assert nas.writes() == [] and not any(PASSWORD in repr(params) for dummy, params in nas.calls)


def test_check_mode_predicts_without_writing():
    nas = NAS()
    result = ended(ad_join.run)(Module(check_mode=True), nas)
    assert result['changed'] is True and nas.writes() == []
    assert result['diff']['after']['enabled'] is True and result['diff']['after']['domain'] == DOMAIN
    assert 'credentials of admin@%s were not checked' % DOMAIN in result['msg'] and PASSWORD not in repr(result)


def test_check_mode_diff_predicts_the_hostname_the_join_keeps():
    predicted = ended(ad_join.run)(Module(check_mode=True), NAS())['diff']['after']['hostname']
    real = ended(ad_join.run)(Module(), NAS())['diff']['after']['hostname']
    assert predicted == real and predicted is not None


@pytest.mark.parametrize('version', ['25.10.1', '26.0.0', '27.0.0'])
def test_joined_elsewhere_is_refused_unless_forced(version):
    nas = NAS(version, joined='other.test')
    result = ended(ad_join.run)(Module(), nas)
    assert result['failed'] and 'joined to other.test, not aaddscontoso.com' in result['msg'] and nas.writes() == []
    forced = ended(ad_join.run)(Module(force_rejoin=True), nas)
    assert forced['changed'] is True
    assert nas.writes() == ['directoryservices.update', 'directoryservices.update']


def test_fixed_settings_differ_while_joined():
    nas = NAS(joined=DOMAIN)
    result = ended(ad_join.run)(Module(hostname='nas9', computer_account_ou='AADDC Computers/NAS',
                                idmap={'domain': {'range_low': 300000001, 'range_high': 400000000}}), nas)
    assert result['failed'] and result['differences'] == ['hostname', 'computer_account_ou', 'idmap']
    assert 'force_rejoin' in result['msg'] and nas.writes() == []


def test_dns_updates_change_in_place_on_25_10_sends_stored_credential():
    nas = NAS(joined=DOMAIN)
    result = ended(ad_join.run)(Module(enable_dns_updates=True), nas)
    assert result['changed'] is True
    payload = [params[0] for method, params in nas.calls if method == 'directoryservices.update'][0]
    assert payload['credential']['credential_type'] == 'KERBEROS_PRINCIPAL' and payload['enable_dns_updates'] is True
    assert PASSWORD not in repr(payload)


def test_dns_updates_cannot_change_on_25_04():
    nas = NAS('25.04.2', joined=DOMAIN)
    result = ended(ad_join.run)(Module(enable_dns_updates=True), nas)
    assert result['failed'] and result['differences'] == ['enable_dns_updates']


def test_faulted_join_is_reported():
    nas = NAS(joined=DOMAIN, status='FAULTED')
    result = ended(ad_join.run)(Module(), nas)
    assert result['failed'] and 'FAULTED: winbind down' in result['msg'] and nas.writes() == []


def test_join_that_ends_faulted_fails_with_status_msg():
    nas = NAS(after_join='FAULTED')
    result = ended(ad_join.run)(Module(), nas)
    assert result['failed'] and result['status'] == 'FAULTED' and result['status_msg'] == 'winbind down'


def test_failed_job_names_the_parameter_hints_and_reads_back():
    extra = [['directoryservices.update.credential.password', 'The bind password is not correct.', 22]]
    error = TrueNASError('x', errname='VALIDATION', extra=extra)
    nas = NAS(job_error=error)
    result = ended(ad_join.run)(Module(), nas)
    assert result['failed'] and result['changed'] is False and result['outcome'] == 'reverted'
    assert 'password (credential.password): The bind password is not correct.' in result['msg']
    assert 'TrueNAS reverted the directory settings' in result['msg'] and 'wrong password' in result['msg']
    assert result['error']['fields'][0]['attribute'] == extra[0][0] and result['status'] == 'DISABLED'
    assert [method for method, dummy in nas.calls].count('directoryservices.config') == 2
    assert PASSWORD not in str(result)


class KeptNAS(NAS):
    """A join job that fails after TrueNAS stored the settings (winbind down): FAULTED, or disabled when ``disabled``."""

    def __init__(self, disabled=False):
        super(KeptNAS, self).__init__(job_error=TrueNASError('directoryservices.update (job 1) failed: winbind'))
        self.disabled = disabled

    def call_job(self, method, payload, timeout=None, on_progress=None):
        self._store_join(DOMAIN, 'nas1', None)
        self.status = 'FAULTED'
        if self.disabled:
            self.ds['enable'] = self.ad['enable'] = False
            self.status = 'DISABLED'
        return super(KeptNAS, self).call_job(method, payload, timeout, on_progress)


@pytest.mark.parametrize('disabled, outcome, words', [
    (False, 'kept', 'kept the new directory settings, and the computer account if one was made (directory service FAULTED)'),
    (True, 'disabled', 'disabled the directory service and kept the settings sent'),
])
def test_failed_join_says_what_truenas_left(disabled, outcome, words):
    result = ended(ad_join.run)(Module(), KeptNAS(disabled))
    assert result['failed'] and result['changed'] is True and result['outcome'] == outcome
    assert words in result['msg'] and result['diff']['after'] == result['config']


def test_failed_read_back_is_said():
    class LostNAS(NAS):
        def call(self, method, *params):
            if self.calls and self.calls[-1][0] == 'directoryservices.update':
                raise TrueNASError('connection lost', errname='ECONNECTION')
            return super(LostNAS, self).call(method, *params)

    result = ended(ad_join.run)(Module(), LostNAS(job_error=TrueNASError('directoryservices.update (job 1) failed: x')))
    assert result['outcome'] == 'unknown' and 'could not be read back (connection lost)' in result['msg']


@pytest.mark.parametrize('params, words', [
    (dict(domain='a' * 16 + '.test'), 'the NetBIOS name of the domain, which has at most 15'),
    (dict(site='Default;First'), 'site:'),
    (dict(admin_group='AADDSCONTOSO\\AAD DC Administrators'), 'names a domain'),
    (dict(admin_group='Admins\nOU=x'), 'admin_group:'),
    (dict(state='absent', leave_credentials={'username': 'a;b', 'password': PASSWORD}), 'leave_credentials.username'),
    (dict(domain=''), 'domain must not be empty'),
])
def test_bad_parameters_make_no_call(params, words):
    nas = NAS()
    with pytest.raises(ValueError) as caught:
        ended(ad_join.run)(Module(**params), nas)
    assert words in str(caught.value) and nas.calls == []


def test_missing_credentials_for_a_join():
    result = ended(ad_join.run)(Module(username=None, password=None), NAS())
    assert result['failed'] and 'username and password are needed' in result['msg']


def test_leave_with_credentials_and_disable_only():
    nas = NAS(joined=DOMAIN)
    left = ended(ad_join.run)(Module(state='absent', leave_credentials={'username': 'admin@' + DOMAIN, 'password': PASSWORD}), nas)
    assert left['changed'] and 'computer account was removed' in left['msg'] and left['status'] == 'DISABLED'
    assert ended(ad_join.run)(Module(state='absent'), nas)['changed'] is False
    nas = NAS(joined=DOMAIN)
    module = Module(state='absent')
    disabled = ended(ad_join.run)(module, nas)
    assert disabled['changed'] and 'stays in the directory' in disabled['msg'] and module.warnings


def test_absent_for_another_domain_changes_nothing():
    nas = NAS(joined='other.test')
    result = ended(ad_join.run)(Module(state='absent'), nas)
    assert result['failed'] and 'not aaddscontoso.com' in result['msg'] and nas.writes() == []


class AdminNAS(NAS):
    """A joined NAS that also answers privilege.* and group.get_group_obj."""

    SID = 'S-1-5-21-1-2-3-1104'

    def __init__(self, privileges=None, joined=DOMAIN, version='25.10.1'):
        super(AdminNAS, self).__init__(version, joined=joined)
        self.privileges = privileges or []

    def call(self, method, *params):
        if method == 'privilege.query':
            self.calls.append((method, params))
            return copy.deepcopy(self.privileges)
        if method == 'group.get_group_obj':
            self.calls.append((method, params))
            assert params[0] == {'groupname': 'AADDSCONTOSO\\AAD DC Administrators', 'sid_info': True}
            return {'gr_name': params[0]['groupname'], 'sid': self.SID}
        if method == 'privilege.create':
            self.calls.append((method, params))
            self.privileges.append(dict(params[0], ds_groups=[{'sid': self.SID, 'group': 'AADDSCONTOSO\\AAD DC Administrators'}]))
            return self.privileges[-1]
        return super(AdminNAS, self).call(method, *params)


@pytest.mark.parametrize('version', ['25.10.1', '26.0.0', '27.0.0'])
def test_admin_group_granted_once(version):
    nas = AdminNAS(version=version)
    result = ended(ad_join.run)(Module(admin_group='AAD DC Administrators'), nas)
    assert result['changed'] is True and result['admin_group'] == {
        'group': 'AADDSCONTOSO\\AAD DC Administrators', 'sid': AdminNAS.SID, 'role': 'FULL_ADMIN', 'changed': True}
    create = [params[0] for method, params in nas.calls if method == 'privilege.create'][0]
    assert create['ds_groups'] == [AdminNAS.SID] and create['roles'] == ['FULL_ADMIN']
    nas.calls = []
    again = ended(ad_join.run)(Module(admin_group='AAD DC Administrators'), nas)
    assert again['changed'] is False and again['admin_group']['changed'] is False
    assert [method for method, dummy in nas.calls if method.startswith(('privilege', 'group'))] == ['privilege.query']


def test_a_failed_grant_after_a_fresh_join_says_the_nas_is_joined():
    class RefusingNAS(AdminNAS):
        def call(self, method, *params):
            if method == 'privilege.create':
                raise TrueNASError('privilege.create failed: [EACCES] Not authorized', errname='EACCES')
            return super(RefusingNAS, self).call(method, *params)

    result = ended(ad_join.run)(Module(admin_group='AAD DC Administrators'), RefusingNAS(joined=None))
    assert result['failed'] and result['changed'] is True and result['outcome'] == 'joined'
    assert 'Not authorized' in result['msg'] and 'joined to aaddscontoso.com and HEALTHY' in result['msg']
    assert 'full administrator' in result['msg']  # the EACCES hint


def test_admin_group_in_check_mode_writes_nothing():
    nas = AdminNAS()
    result = ended(ad_join.run)(Module(check_mode=True, admin_group='AAD DC Administrators'), nas)
    assert result['changed'] is True and not any(method == 'privilege.create' for method, dummy in nas.calls)


def test_admin_group_predicted_before_a_join_in_check_mode():
    nas = NAS()
    result = ended(ad_join.run)(Module(check_mode=True, admin_group='AAD DC Administrators'), nas)
    assert result['changed'] is True and result['admin_group']['changed'] is True and nas.writes() == []


class OtherNetbiosNAS(AdminNAS):
    """A NAS joined to a managed domain whose NetBIOS name is not its first label (as winbind and the middleware say)."""

    NETBIOS = 'CONTOSONB'

    def __init__(self, version):
        super(OtherNetbiosNAS, self).__init__()
        self.version = tuple(int(part) for part in version.split('.'))
        self.ds['configuration']['idmap']['idmap_domain']['name'] = self.NETBIOS

    def call(self, method, *params):
        if method == 'group.get_group_obj':
            self.calls.append((method, params))
            return {'gr_name': params[0]['groupname'], 'sid': self.SID}
        if method == 'idmap.query' and len(params) > 1:  # 25.04: winbind's view of the joined domain
            assert params[1] == {'extra': {'additional_information': ['DOMAIN_INFO']}}
            return [dict(row, domain_info={'netbios_domain': self.NETBIOS}) for row in self.idmap
                    if row['name'] == 'DS_TYPE_ACTIVEDIRECTORY']
        return super(OtherNetbiosNAS, self).call(method, *params)


@pytest.mark.parametrize('version', ['25.04.2', '25.10.1', '26.0.0', '27.0.0'])
def test_admin_group_is_named_with_the_netbios_name_of_the_joined_nas(version):
    nas = OtherNetbiosNAS(version)
    result = ended(ad_join.run)(Module(admin_group='AAD DC Administrators'), nas)
    assert result['admin_group']['group'] == 'CONTOSONB\\AAD DC Administrators'
    assert [params[0]['groupname'] for method, params in nas.calls if method == 'group.get_group_obj'] == \
        ['CONTOSONB\\AAD DC Administrators']


# -- TrueNAS 26+: the network domain follows the join (NAS-139291) ------------------------------------------------

@pytest.mark.parametrize('version', ['26.0.0', '27.0.0'])
def test_join_with_dns_updates_reports_the_network_domain_it_sets(version):
    predicted = ended(ad_join.run)(Module(check_mode=True, enable_dns_updates=True), NAS(version, network_domain='local'))
    nas = NAS(version, network_domain='local')
    result = ended(ad_join.run)(Module(enable_dns_updates=True), nas)
    assert nas.network_domain == DOMAIN
    for run in (predicted, result):
        assert run['diff']['before']['network_domain'] == 'local' and run['diff']['after']['network_domain'] == DOMAIN
        assert run['config']['network_domain'] == DOMAIN
    assert 'TrueNAS would set the network domain to %s' % DOMAIN in predicted['msg']
    assert 'TrueNAS set the network domain to %s' % DOMAIN in result['msg']


def test_join_without_dns_updates_keeps_the_network_domain():
    nas = NAS('26.0.0', network_domain='local')
    result = ended(ad_join.run)(Module(), nas)
    assert result['changed'] is True and nas.network_domain == 'local'
    assert result['diff']['before']['network_domain'] == result['diff']['after']['network_domain'] == 'local'
    assert 'network domain' not in result['msg']


def test_a_converged_run_on_26_does_not_read_the_network_domain():
    nas = NAS('26.0.0', joined=DOMAIN)
    result = ended(ad_join.run)(Module(), nas)
    assert result['changed'] is False and 'network_domain' not in result['config']
    assert [method for method, dummy in nas.calls] == ['directoryservices.config', 'directoryservices.status']


@pytest.mark.parametrize('version, reset', [('25.10.1', False), ('26.0.0', True), ('27.0.0', True)])
def test_leave_reports_the_network_domain_back_to_local(version, reset):
    creds = {'username': 'admin@' + DOMAIN, 'password': PASSWORD}
    runs = []
    for check_mode in (True, False):
        nas = NAS(version)
        assert ended(ad_join.run)(Module(enable_dns_updates=True), nas)['changed'] is True
        module = Module(check_mode=check_mode, state='absent', leave_credentials=creds)
        runs.append((ended(ad_join.run)(module, nas), module))
    for result, module in runs:
        assert result['changed'] is True
        if reset:
            assert result['diff']['before']['network_domain'] == DOMAIN and result['diff']['after']['network_domain'] == 'local'
            assert 'network domain back to local' in result['msg']
            assert any('next nasjoin.entra.entra_dns_config run sets the managed domain again' in text for text in module.warnings)
        else:
            assert 'network_domain' not in result['diff']['after'] and module.warnings == []
    assert nas.network_domain == ('local' if reset else DOMAIN)


def test_disable_only_keeps_the_network_domain():
    nas = NAS('26.0.0')
    ended(ad_join.run)(Module(enable_dns_updates=True), nas)
    module = Module(state='absent')
    result = ended(ad_join.run)(module, nas)
    assert result['diff']['after']['network_domain'] == DOMAIN and nas.network_domain == DOMAIN
    assert not any('entra_dns_config' in text for text in module.warnings)


def test_forced_rejoin_on_26_reports_the_new_network_domain():
    nas = NAS('26.0.0', joined='other.test', network_domain='other.test')
    result = ended(ad_join.run)(Module(force_rejoin=True, enable_dns_updates=True), nas)
    assert result['changed'] is True and result['config']['domain'] == DOMAIN
    assert result['diff']['before']['network_domain'] == 'other.test' and result['diff']['after']['network_domain'] == DOMAIN


# -- TrueNAS 26+: a call answered with another run's queued job (EQUEUED) -----------------------------------------

class QueuedNAS(NAS):
    """A 26 NAS that answers this run's first ``times`` directory job calls with job 7 of another run (EQUEUED, nothing
    of this run started). Job 7 runs until core.get_jobs was asked once, then ends, having done ``other``
    (``join``: joined DOMAIN, ``leave``: left it)."""

    def __init__(self, other, times=1, **options):
        super(QueuedNAS, self).__init__('26.0.0', **options)
        self.other, self.times, self.job7 = other, times, None
        self.attempts = 0

    def call_job(self, method, payload, timeout=None, on_progress=None):
        self.attempts += 1
        if self.attempts <= self.times:
            self.calls.append((method, (copy.deepcopy(payload),)))
            self.job7 = 'RUNNING'
            error = TrueNASError('%s: TrueNAS gave back job 7 of another caller' % method, method=method, errname='EQUEUED')
            error.job_id = 7
            raise error
        return super(QueuedNAS, self).call_job(method, payload, timeout, on_progress)

    def call(self, method, *params):
        if method == 'core.get_jobs' and self.job7:
            self.calls.append((method, params))
            answer = [{'id': 7, 'method': 'directoryservices.update', 'state': self.job7}]
            if self.job7 == 'RUNNING':
                self.job7 = 'SUCCESS'
                if self.other == 'join':
                    self._store_join(DOMAIN, 'nas1', None)
                    self.status = 'HEALTHY'
                else:
                    self.ds.update(service_type=None, enable=False, configuration=None, credential=None)
                    self.status = 'DISABLED'
            return answer
        return super(QueuedNAS, self).call(method, *params)


def test_a_queued_join_of_another_run_that_did_the_work_changes_nothing():
    nas = QueuedNAS('join')
    result = ended(ad_join.run)(Module(), nas)
    assert result['changed'] is False and result['status'] == 'HEALTHY' and nas.attempts == 1
    assert 'waited for job 7 of another run' in result['msg'] and 'this run changed nothing' in result['msg']
    assert result['progress'] == [] and result['diff']['before'] == result['diff']['after']
    assert result['diff']['after']['enabled'] is True


def test_a_queued_job_that_left_another_state_is_followed_by_this_runs_own_call():
    nas = QueuedNAS('leave')
    result = ended(ad_join.run)(Module(), nas)
    assert result['changed'] is True and result['status'] == 'HEALTHY' and nas.attempts == 2
    joins = [params[0] for method, params in nas.calls if method == 'directoryservices.update']
    assert len(joins) == 2 and joins[0] == joins[1] and nas.ds['enable'] is True
    assert result['diff']['before']['enabled'] is False and result['diff']['after']['enabled'] is True
    assert result['msg'].startswith('waited for job 7 of another run; joined %s' % DOMAIN)
    assert result['progress'] == [{'percent': 50, 'description': 'Performing domain join.'}]


def test_a_queued_leave_of_another_run_that_left_changes_nothing():
    nas = QueuedNAS('leave', joined=DOMAIN)
    creds = {'username': 'admin@' + DOMAIN, 'password': PASSWORD}
    result = ended(ad_join.run)(Module(state='absent', leave_credentials=creds), nas)
    assert result['changed'] is False and result['status'] == 'DISABLED' and nas.attempts == 1
    assert 'left the NAS not joined' in result['msg'] and 'removed' not in result['msg']


def test_queued_twice_fails_saying_nothing_was_sent():
    nas = QueuedNAS('leave', times=2)
    result = ended(ad_join.run)(Module(), nas)
    assert result['failed'] and result['changed'] is False and nas.attempts == 2
    assert 'queued job again (job 7, after job 7)' in result['msg'] and 'nothing of this run was sent' in result['msg']
    assert 'outcome' not in result and PASSWORD not in repr(result)
