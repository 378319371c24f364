# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_join: join or leave the managed domain through the TrueNAS API.

PRIVATE to the collection. Read state (after the directory jobs of another run on the NAS ended), decide from the
stored settings plus status (never by sending the password again), apply unless check mode, wait for HEALTHY,
report. A join or leave cut short (middleware restart, reboot) leaves the NAS FAULTED, or JOINING/LEAVING with no
job: force_rejoin=true joins again from there, state=absent removes it.

From TrueNAS 26 a join or leave also writes the network domain (network_domain.py): the run reports it. TrueNAS 26
queues one directory job behind the running one (plugins/directoryservices_/datastore.py update and leave,
``@job(lock='directoryservices_change', lock_queue_size=1)``; job.py JobsQueue.add gives a further caller the queued
job): the client raises EQUEUED then, nothing of this run sent, and the run waits for that job and decides once more.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.nasjoin.entra.plugins.module_utils import _names
from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import hint_for
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import Failed
from ansible_collections.nasjoin.entra.plugins.module_utils._join import admin_group, network_domain, settings
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import directory_api, versions
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


class JoinFailed(Exception):
    """The run cannot go on; ``result`` says why (msg, hint, status)."""

    def __init__(self, msg, **result):
        super(JoinFailed, self).__init__(msg)
        self.result = dict(result, msg=msg)


def left_behind(before, after):
    """What TrueNAS left after a failed write, from the state read back: (outcome, sentence)."""
    if after['enabled'] and after['status'] == 'HEALTHY':
        return 'joined', 'The NAS is joined to %s and HEALTHY.' % after['domain']
    if after['enabled']:
        return 'kept', ('TrueNAS kept the new directory settings, and the computer account if one was made (directory '
                        'service %s), for investigation: fix the cause, then run again with force_rejoin=true, or remove '
                        'them with state=absent and leave_credentials.' % after['status'])
    settings = dict((key, value) for key, value in view(after).items() if key != 'status')
    if settings == dict((key, value) for key, value in view(before).items() if key != 'status'):
        return 'reverted', 'TrueNAS reverted the directory settings: the NAS is as before (directory service %s).' % after['status']
    return 'disabled', 'TrueNAS disabled the directory service and kept the settings sent: the NAS is not joined.'


def view(state, network=None):
    """The managed settings as the diff shows them (never a password); with the ``network`` domain when given (TrueNAS
    26+, a join or leave writes it)."""
    keys = ('enabled', 'domain', 'hostname', 'computer_account_ou', 'site', 'enable_dns_updates', 'idmap', 'status')
    shown = dict((key, state.get(key)) for key in keys)
    if shown['idmap']:
        shown['idmap'] = dict((key, list(value)) for key, value in shown['idmap'].items() if key in ('builtin', 'domain'))
    if network is not None:
        shown['network_domain'] = network
    return shown


def differences(api, current, desired, params):
    """Settings that differ from what is stored, split into (fixed while joined, changeable in place)."""
    fixed = []
    if desired['hostname'] and (current['hostname'] or '').lower() != desired['hostname'].lower():
        fixed.append('hostname')
    for key in ('computer_account_ou', 'site'):
        if params.get(key) is not None and (current[key] or None) != desired[key]:
            fixed.append(key)
    if params.get('idmap'):
        stored = current['idmap'] if current['idmap'] is not None else api.read_idmap()
        if any(tuple(stored[key]) != desired['idmap'][key] for key in ('builtin', 'domain')):
            fixed.append('idmap')
    mutable = []
    if current['enable_dns_updates'] != desired['enable_dns_updates']:
        (mutable if 'enable_dns_updates' in api.mutable else fixed).append('enable_dns_updates')
    return fixed, mutable


def another_run(jobs, tense='is'):
    """Who holds the directory job lock: 'another run is joining this NAS (job 7 directoryservices.update RUNNING)'."""
    verb = 'leaving the domain on' if jobs[0]['method'].endswith('.leave') else 'joining'
    return 'another run %s %s this NAS (%s)' % (tense, verb, ', '.join('job %s %s %s' % (job['id'], job['method'], job['state'])
                                                                       for job in jobs))


def unhealthy(domain, state):
    """Why a join of ``domain`` that is not HEALTHY is not taken as it is."""
    cut_short = ' and no directory job runs: a join or leave was cut short' if state['status'] in ('JOINING', 'LEAVING') else ''
    detail = ': %s' % state['status_msg'] if state['status_msg'] else ''
    return 'the NAS is joined to %s but the directory service is %s%s%s' % (domain, state['status'], cut_short, detail)


def healthy_here(state, domain):
    """Whether ``state`` is a join of ``domain`` that is HEALTHY."""
    return state['enabled'] and state['domain'] == domain and state['status'] == 'HEALTHY'


def may_write(state, desired, params):
    """Whether the run may send a join, leave or disable, so that another run's directory job must end first: not when
    the NAS is already joined here and HEALTHY (the run reads, or changes a setting TrueNAS changes in place) or, for
    state=absent, not joined."""
    if desired is None:
        return state['enabled']
    return params['force_rejoin'] or not healthy_here(state, desired['domain'])


class Run:
    """One ad_join run: the module, its client, the API generation and what happened."""

    def __init__(self, module, client, clock=time.monotonic, sleep=None):
        self.module = module
        self.params = module.params
        self.client = client
        self.clock, self.sleep = clock, sleep or time.sleep  # time.sleep as it is when the run starts
        self.progress = []
        self.api = None
        self.wrote = False
        self.jobs_started = 0
        self.own = set()  # ids of this run's jobs, as their progress showed them
        self.newest = 0  # the newest directory job once none ran: later directory jobs are this run's or another's
        self.waited = []
        self.queued = []  # ids of other runs' jobs TrueNAS handed this run (EQUEUED)
        self.before = None  # the state the run decides from
        self.network_before = None  # TrueNAS 26+, a run that may join or leave: the network domain before
        self.started = clock()

    def _note(self, job):
        if job.get('id') is not None:
            self.own.add(job['id'])
        entry = job.get('progress') or {}
        step = {'percent': entry.get('percent'), 'description': entry.get('description')}
        if step['description'] and (not self.progress or self.progress[-1] != step):
            self.progress.append(step)

    def _job(self, action, *args):
        wrote, self.wrote = self.wrote, True
        self.jobs_started += 1
        try:
            return action(*(args + (self.params['join_timeout'], self._note)))
        except TrueNASError as exc:
            if exc.errname == 'EQUEUED':  # TrueNAS handed back another caller's queued job: nothing of this run was sent
                self.wrote, self.jobs_started = wrote, self.jobs_started - 1
                raise
            named = ['%s (%s): %s' % (param, field, message)
                     for field, param in self.api.params.items() for message in exc.field_errors(field)]
            if named:
                exc.message = 'TrueNAS refused the directory settings: %s' % '; '.join(named)
            exc.hint = hint_for(exc.message) or exc.hint
            raise

    def _poll(self, look, done, delay):
        """``look()`` again (``delay`` seconds apart, doubling up to 2 s) until ``done`` of its answer or wait_timeout
        has passed; the last answer."""
        deadline = self.clock() + self.params['wait_timeout']
        while True:
            answer = look()
            if done(answer) or self.clock() >= deadline:
                return answer
            self.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _busy(self):
        """The directory jobs WAITING or RUNNING on the NAS now, each noted in ``waited``."""
        busy, self.newest = self.api.busy()
        self.waited = sorted(set(self.waited) | set(job['id'] for job in busy))
        return busy

    def _jobs_ended(self):
        """Poll until no directory job is WAITING or RUNNING on the NAS; the jobs still busy when wait_timeout ends."""
        return self._poll(self._busy, lambda busy: not busy, 0.5)

    def settle(self, state):
        """Wait until no directory job of another run is WAITING or RUNNING on the NAS, then the state those jobs left;
        fails naming the jobs when they do not end in time."""
        busy = self._jobs_ended()
        if busy:
            raise JoinFailed('%s and it did not end within wait_timeout (%s s); nothing was changed. Run again once '
                             'it has ended.' % (another_run(busy), self.params['wait_timeout']), status=state['status'])
        return self.api.read() if self.waited else state

    def watch_network_domain(self):
        """On TrueNAS 26+, before a join or leave: note the network domain, which the join or leave writes."""
        if versions.domain_follows_join(self.client.version):
            self.network_before = network_domain.read(self.client)

    def after_queued(self, exc):
        """After EQUEUED: wait for the other run's job ``exc.job_id`` (and any directory job after it), then the state
        it left, the new ``before``."""
        self.queued.append(exc.job_id)
        self.waited = sorted(set(self.waited) | set([exc.job_id]))
        busy = self._jobs_ended()
        if busy:
            raise JoinFailed('TrueNAS handed this run job %s of another run instead of starting its own; %s and it did '
                             'not end within wait_timeout (%s s); nothing of this run was sent. Run again once it has '
                             'ended.' % (exc.job_id, another_run(busy), self.params['wait_timeout']),
                             status=self.before['status'])
        self.before = self.api.read()
        if self.network_before is not None:
            self.network_before = network_domain.read(self.client)
        return self.before

    def others_wrote(self):
        """The directory jobs another run started after this run's decision (TrueNAS queued them with this run's)."""
        jobs = self.api.jobs_after(self.newest)
        if len(jobs) <= self.jobs_started:
            return []
        return [job for job in jobs if job['id'] not in self.own] or jobs

    def apply(self, current, desired):
        """present (``desired``) or absent. A write TrueNAS refused after another run's directory jobs ran before it
        is judged by the state they left: nothing to do when it is what this run wanted, else a failure naming them.
        A call TrueNAS answered with another run's queued job (EQUEUED) waits for that job and decides once more, from
        the state it left: nothing to do when that is what this run wanted, else this run's call, once."""
        try:
            try:
                return self.act(current, desired)
            except TrueNASError as exc:
                if exc.errname != 'EQUEUED':
                    raise
                current = self.after_queued(exc)
                if self.converged(current, desired):
                    return False, ('TrueNAS handed this run job %s of another run, queued before this run\'s call; that '
                                   'job left the NAS %s, so this run changed nothing'
                                   % (exc.job_id, 'joined to %s and HEALTHY' % current['domain'] if desired else 'not joined'))
                return self.act(current, desired)
        except TrueNASError as exc:
            if exc.errname == 'EQUEUED':
                raise JoinFailed('TrueNAS handed this run another run\'s queued job again (job %s, after job %s); nothing '
                                 'of this run was sent. Run again once no other run changes the directory settings of '
                                 'this NAS.' % (exc.job_id, ', '.join(str(i) for i in self.queued)),
                                 status=self.before['status'])
            others = self.others_wrote() if self.wrote else []
            if not others:
                raise
            return self.judged(exc, others, desired)

    def judged(self, refused, others, desired):
        """A write TrueNAS ``refused`` after ``others`` (another run's directory jobs) ran first: nothing to do when
        the state they left is what this run wanted, else a failure naming them."""
        after = self.api.read()
        if self.converged(after, desired):
            return False, '%s at the same time, and TrueNAS ran its job first; this run changed nothing: %s' % (
                another_run(others, 'was'), 'already joined, HEALTHY' if desired else 'not joined')
        raise JoinFailed('%s at the same time: TrueNAS ran its job first, then refused this run\'s (%s). Run again once '
                         'it has ended.' % (another_run(others, 'was'), refused.message), status=after['status'])

    def act(self, current, desired):
        return self.present(current, desired) if desired else self.absent(current)

    def converged(self, state, desired):
        """Whether ``state`` is what this run wanted: joined as ``desired`` and HEALTHY, or (absent) not joined."""
        if desired is None:
            return not state['enabled']
        return healthy_here(state, desired['domain']) and differences(self.api, state, desired, self.params) == ([], [])

    def wait_healthy(self):
        """Poll directoryservices.status until HEALTHY; FAULTED or the deadline fail with the reason."""
        status, message = self._poll(self.api.status, lambda answer: answer[0] in ('HEALTHY', 'FAULTED', 'DISABLED'), 0.25)
        if status == 'HEALTHY':
            return status
        detail = ': %s' % message if message else ''
        raise JoinFailed('the directory service is %s after the join%s' % (status, detail), status=status,
                         status_msg=message, hint=hint_for(message) or
                         'check the TrueNAS directory services page and its log; the computer account exists.')

    def _need_credentials(self, what):
        if not (self.params.get('username') and self.params.get('password')):
            raise JoinFailed('username and password are needed to %s.' % what,
                             hint='give the UPN and password of a member of AAD DC Administrators.')

    def present(self, current, desired):
        joined_here = current['enabled'] and current['domain'] == desired['domain']
        if current['enabled'] and not joined_here and not self.params['force_rejoin']:
            raise JoinFailed('the NAS is joined to %s, not %s; set force_rejoin=true to disable that join (its computer '
                             'account stays there) and join %s.' % (current['domain'], desired['domain'], desired['domain']),
                             status=current['status'])
        if joined_here:
            if current['status'] != 'HEALTHY' and not self.params['force_rejoin']:
                raise JoinFailed(unhealthy(desired['domain'], current), status=current['status'],
                                 status_msg=current['status_msg'],
                                 hint=hint_for(current['status_msg']) or 'set force_rejoin=true to join again.')
            fixed, mutable = differences(self.api, current, desired, self.params)
            if fixed and not self.params['force_rejoin']:
                raise JoinFailed('the NAS is joined to %s with other settings (%s); TrueNAS does not change them while '
                                 'joined. Set force_rejoin=true to leave and join again.' % (desired['domain'], ', '.join(fixed)),
                                 status=current['status'], differences=fixed)
            if not fixed and current['status'] == 'HEALTHY':
                if mutable and not self.module.check_mode:
                    self._job(self.api.set_dns_updates, desired['enable_dns_updates'])
                return bool(mutable), 'changed ' + ', '.join(mutable) if mutable else 'already joined, HEALTHY'
        self._need_credentials('join %s' % desired['domain'])
        if desired['hostname'] is None:  # the NAS host name, never a leftover default NetBIOS name like TRUENAS
            hostname = self.client.call('network.configuration.config')['hostname']
            if (hostname or '').strip().lower() == _names.INSTALLER_HOSTNAME:
                raise JoinFailed('hostname: the NAS is still named %s, the installer\'s default that every NAS not renamed '
                                 'shares: joining would make or take over the computer account %s. Set hostname to a '
                                 'NetBIOS name for this NAS, or rename the NAS.' % (hostname, hostname.strip().upper()),
                                 status=current['status'])
            try:
                desired['hostname'] = _names.netbios_name(hostname)
            except ValueError as exc:
                raise JoinFailed('%s Set hostname to a NetBIOS name for this NAS.' % exc, status=current['status'])
        if self.module.check_mode:
            return True, ('would join %s as %s (check mode: the credentials of %s were not checked, no password was '
                          'sent; the real join proves them)' % (desired['domain'], desired['hostname'], self.params['username']))
        if current['enabled']:
            self._job(self.api.disable)
        started = self.clock()
        self._job(self.api.join, desired, self.params['password'])
        self.wait_healthy()
        return True, 'joined %s in %.1f s' % (desired['domain'], self.clock() - started)

    def absent(self, current):
        if not current['enabled']:
            return False, 'not joined'
        creds = self.params.get('leave_credentials') or {}
        if self.module.check_mode:
            return True, 'would %s' % ('leave' if creds else 'disable')
        if creds:
            try:
                self._job(self.api.leave, _names.kerberos_name(creds['username'], current['domain']), creds['password'])
            except TrueNASError as exc:  # 25.10 leave_domain: no valid join, so only the local settings were removed
                if 'domain join is not healthy' not in str(exc.reason) or self.api.read()['enabled']:
                    raise
                self.module.warn('TrueNAS removed its directory settings but could not remove the computer account: the '
                                 'domain join was not healthy. Delete %s$ in %s if it exists.' % (
                                     (current['hostname'] or '').upper(), current['domain']))
                return True, 'removed the directory settings of %s; the computer account was not removed (the domain ' \
                             'join was not healthy)' % current['domain']
            return True, 'left %s: the computer account was removed' % current['domain']
        self._job(self.api.disable)
        self.module.warn('directory service disabled only: the computer account stays in %s; give leave_credentials to '
                         'remove it.' % current['domain'])
        return True, 'disabled; the computer account stays in the directory'

    def elapsed(self):
        """Seconds since the run started."""
        return round(self.clock() - self.started, 3)

    def failed(self, result, hint=None):
        """A failed run's result; after a write, the state TrueNAS left (read back, the network domain with it on
        TrueNAS 26+) and what it means. The ``hint`` of a TrueNAS error ends the message, as run_module puts it."""
        diff = {'before': view(self.before, self.network_before), 'after': view(self.before, self.network_before)}
        result = dict(result, changed=False, progress=self.progress, diff=diff, elapsed=self.elapsed())
        if self.wrote:
            try:
                self._jobs_ended()  # a job whose reply was lost goes on on the NAS: what it leaves is what to report
                after = self.api.read()
                network_after = network_domain.read(self.client) if self.network_before is not None else None
            except TrueNASError as exc:
                outcome, sentence = 'unknown', ('The directory state could not be read back (%s): check the NAS before '
                                                'running again.' % exc.message)
            else:
                outcome, sentence = left_behind(self.before, after)
                diff['after'] = view(after, network_after)
                result.update(status=after['status'], config=diff['after'], changed=diff['after'] != diff['before'])
            result.update(outcome=outcome, msg='%s %s' % (result['msg'], sentence))
        if hint:
            result['msg'] = '%s Hint: %s' % (result['msg'], hint)
        return result

    def network_after(self, changed, desired):
        """TrueNAS 26+, a run that may join or leave: the network domain after the run, predicted in check mode, read
        back after a write; else None."""
        if self.network_before is None:
            return None
        if self.module.check_mode:
            return network_domain.predicted(self.network_before, self.before, desired, self.params) if changed else self.network_before
        return network_domain.read(self.client) if self.wrote else self.network_before


def run(module, client):
    """ad_join entry point for run_module."""
    params = module.params
    settings.checked_params(params)
    desired = settings.desired(params) if params['state'] == 'present' else None
    domain = desired['domain'] if desired else settings.desired_domain(params)
    job = Run(module, client)
    job.api = directory_api.for_client(client)
    job.before = job.api.read()
    try:
        writes = may_write(job.before, desired, params)
        if writes:
            job.before = job.settle(job.before)
        if not desired and domain and job.before['enabled'] and job.before['domain'] != domain:
            raise JoinFailed('the NAS is joined to %s, not %s: nothing was changed.' % (job.before['domain'], domain),
                             status=job.before['status'])
        if writes:
            job.watch_network_domain()
        changed, summary = job.apply(job.before, desired)
        before = job.before  # after another run's queued job (EQUEUED), the state that job left
        network_after = job.network_after(changed, desired)
        if job.waited:
            summary = 'waited for job %s of another run; %s' % (', '.join(str(i) for i in job.waited), summary)
        network_before = network_after if job.wrote and not changed else job.network_before
        ending, warning = network_domain.told(network_before, network_after, bool(desired), module.check_mode)
        summary += ending or ''
        if warning:
            module.warn(warning)
        granted = None
        if desired and params.get('admin_group'):
            if module.check_mode and not (before['enabled'] and before['status'] == 'HEALTHY'):  # no lookup before a join
                granted, name, sid = True, admin_group.qualified(_names.netbios_domain(desired['domain']),
                                                                 params['admin_group']), None
            else:
                if changed:
                    job.api.read()  # the NetBIOS name the join took from the domain controllers
                granted, name, sid = admin_group.grant(client, job.api.netbios_domain(desired['domain']),
                                                       params['admin_group'], module.check_mode)
            summary += '; %s %s the %s role' % (name, 'granted' if granted else 'holds', admin_group.ROLE)
    except JoinFailed as exc:
        raise Failed(**job.failed(exc.result))
    except TrueNASError as exc:
        if not job.wrote:
            raise
        raise Failed(**job.failed(dict(exc.result(), msg=exc.message), exc.hint))
    if changed and module.check_mode:
        after = dict(before, **(desired or {}))
        after.update(enabled=bool(desired), status='HEALTHY' if desired else 'DISABLED')
    else:
        after = job.api.read() if changed or job.wrote else before
    diff = {'before': view(before, network_before), 'after': view(after, network_after)}
    if job.wrote and not changed:  # another run's jobs changed the NAS, not this run
        diff['before'] = dict(diff['after'])
    result = {'changed': changed or bool(granted), 'msg': summary, 'status': after['status'], 'progress': job.progress,
              'config': view(after, network_after), 'diff': diff, 'elapsed': job.elapsed()}
    if granted is not None:
        result['admin_group'] = {'group': name, 'sid': sid, 'role': admin_group.ROLE, 'changed': granted}
    return result
