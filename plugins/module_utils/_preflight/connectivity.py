# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""entra_connectivity: can this NAS reach and use the managed domain? Read-only.

PRIVATE to the collection. Read the NAS's hostname, nameservers and clock through the client,
run every probe concurrently (the reachability probes at once; each protocol check as soon as the
probes it rests on have answered), decide each check (checks.py) and sum up. A dead DC costs one
probe timeout; a healthy run costs about its slowest chain of probes. From the controller, the DC
probes of a fleet can run once (probes_only) and be shared: each NAS then probes only its own
nameservers and the credential check, and its checks are decided from the shared outcomes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.nasjoin.entra.plugins.module_utils import _ca_file, _names, _values
from ansible_collections.nasjoin.entra.plugins.module_utils._entra import findings
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import MissingLibrary, verdict
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import checks
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober, failure
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import kerberos
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import Resolver
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.kerberos_crypto import HAS_CRYPTOGRAPHY
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import network_api

TCP_PORTS = (53, 88, 135, 389, 445, 464, 3268)
UDP_PORTS = (53, 88, 389)
RESOLVER_RECORDS = ('_kerberos._tcp.%s', '_ldap._tcp.%s')
DC_RECORDS = ('_ldap._tcp.dc._msdcs.%s', '_kerberos._tcp.%s', '_kerberos._udp.%s', '_kpasswd._tcp.%s')
ORDER = (['hostname', 'resolver', 'dns_a', 'dns_srv'] + ['tcp_%d' % number for number in TCP_PORTS + (636,)]
         + ['udp_%d' % number for number in UDP_PORTS]
         + ['ldap_rootdse', 'clock_skew', 'ldap_signing', 'ldaps_tls_version', 'ldaps_certificate', 'kerberos_aes',
            'kerberos_rc4', 'credentials'])
MSG_NAMES = findings.MSG_NAMES
# two domain controllers in each of at most five replica sets of a managed domain
DC_MAX = 10


def settings_from(params):
    """Validated inputs (ValueError names the parameter)."""
    domain = _names.managed_domain(params['domain'], 'domain')
    if not params['dc_ips']:
        raise ValueError('dc_ips: give the managed domain\'s domain controller addresses (two in Entra Domain Services).')
    wanted = {
        'domain': domain,
        'dc_ips': _values.unique([_values.nameserver(ip, 'dc_ips[%d]' % index)
                                  for index, ip in enumerate(_values.at_most(params['dc_ips'], 'dc_ips', DC_MAX))],
                                 'dc_ips'),
        'nameservers': None,
        'username': _names.username(params['username'], domain) if params.get('username') else None,
    }
    if params.get('ldaps_ca_path'):
        _ca_file.ca_file(params['ldaps_ca_path'], 'ldaps_ca_path')
    if wanted['username'] and not params.get('password') and not params.get('probes_only'):
        raise ValueError('password: give the join user\'s password with username (or neither, to skip the credential check).')
    if params.get('nameservers'):
        wanted['nameservers'] = _values.unique([_values.nameserver(ip, 'nameservers[%d]' % index)
                                                for index, ip in enumerate(params['nameservers'])], 'nameservers')
    return wanted


def epoch_of(value):
    """A middleware datetime (extended JSON ``{"$date": ms}``) as seconds since the epoch, or None."""
    if isinstance(value, dict) and isinstance(value.get('$date'), (int, float)):
        return value['$date'] / 1000.0
    return None


def nas_facts(client, clock=time.time):
    """Hostname, nameservers and clock offset of the NAS, as its middleware reports them."""
    config = client.call('network.configuration.config')
    before = clock()
    info = client.call('system.info')
    stamp = epoch_of(info.get('datetime'))
    return {
        'hostname': config.get('hostname'),
        'nameservers': network_api.nameservers(config),
        'clock': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(stamp)) if stamp is not None else None,
        'clock_offset': None if stamp is None else round(stamp - (before + clock()) / 2, 3),
    }


def _timed(job, timeout):
    """Run one job (function, args...): its outcome with ``elapsed_ms``; a failure becomes the outcome."""
    started = time.monotonic()
    try:
        outcome = job[0](*job[1:])
    except Exception as exc:  # pylint: disable=broad-except  # every probe failure becomes its outcome
        outcome = failure(exc, timeout)
    outcome['elapsed_ms'] = round((time.monotonic() - started) * 1000, 1)
    return outcome


def probe_all(jobs, timeout, follow_up=None):
    """Run every job {key: (function, args...)} at once; {key: outcome} with ``elapsed_ms`` in each.

    ``follow_up(seen)``, asked after each answer, returns the jobs that answer made possible; they start at once."""
    seen = {}
    if not jobs:
        return seen
    with ThreadPoolExecutor(max_workers=64) as pool:
        running = dict((pool.submit(_timed, job, timeout), key) for key, job in jobs.items())
        while running:
            done = wait(running, return_when=FIRST_COMPLETED)[0]
            for future in done:
                seen[running.pop(future)] = future.result()
            for key, job in (follow_up(seen) if follow_up else {}).items():
                running[pool.submit(_timed, job, timeout)] = key
    return seen


def _answered(seen, name, ip):
    return 'problem' not in seen.get((name, ip), {'problem': 'not probed'})


def resolver_jobs(prober, wanted, nas):
    """The NAS's own nameservers (its resolver view), {(check name, target): (function, args...)}."""
    return dict((('resolver', ns), (prober.srv, ns, [record % wanted['domain'] for record in RESOLVER_RECORDS]))
                for ns in wanted['nameservers'] or nas['nameservers'])


def dc_jobs(prober, wanted, secure_ldap):
    """First round of the DC probes: each DC's DNS, ports and rootDSE, {(check name, target): (function, args...)}."""
    domain = wanted['domain']
    jobs = {}
    for ip in wanted['dc_ips']:
        jobs[('dns_a', ip)] = (prober.addresses, ip, domain)
        jobs[('dns_srv', ip)] = (prober.srv, ip, [record % domain for record in DC_RECORDS])
        jobs[('ldap_rootdse', ip)] = (prober.rootdse, ip)
        for number in TCP_PORTS + ((636,) if secure_ldap else ()):
            jobs[('tcp_%d' % number, ip)] = (prober.tcp, ip, number)
        for number in UDP_PORTS:
            jobs[('udp_%d' % number, ip)] = (prober.udp, ip, number)
    return jobs


def _dc_protocol_jobs(prober, ip, seen, user):
    """The hardening probes of one DC, from its reachability outcomes."""
    jobs = {}
    if _answered(seen, 'tcp_389', ip):
        jobs[('ldap_signing', ip)] = (prober.simple_bind, ip)
    if _answered(seen, 'tcp_636', ip):
        jobs[('ldaps_tls_version', ip)] = (prober.tls_legacy, ip)
        jobs[('ldaps_certificate', ip)] = (prober.certificate, ip)
    account = checks.dc_account(seen[('ldap_rootdse', ip)]) or user
    if _answered(seen, 'tcp_88', ip) and account:
        jobs[('kerberos_aes', ip)] = (prober.as_req, ip, account, [kerberos.AES256, kerberos.AES128])
        jobs[('kerberos_rc4', ip)] = (prober.as_req, ip, account, [kerberos.RC4])
    return jobs


def _kdc(dc_ips, seen):
    """(decided, the first DC in order whose TCP 88 answered, or None): undecided while an earlier DC's is pending."""
    for ip in dc_ips:
        if ('tcp_88', ip) not in seen:
            return False, None
        if _answered(seen, 'tcp_88', ip):
            return True, ip
    return True, None


def _needs(ip, secure_ldap):
    """The reachability probes of one DC its protocol checks rest on."""
    return set([('tcp_389', ip), ('tcp_88', ip), ('ldap_rootdse', ip)] + ([('tcp_636', ip)] if secure_ldap else []))


def protocol_follow_up(prober, wanted, secure_ldap, password):
    """The ``follow_up`` of probe_all that starts the protocol checks, each only where the reachability probes found
    its port open: a DC's hardening probes once the probes they rest on have answered, the one credential check (with
    a ``password`` only) once the KDC it uses (the first DC in order whose TCP 88 answered) is known. Each starts once."""
    user = checks.principal(wanted['username'], wanted['domain'])[0] if wanted['username'] else None
    waiting = dict((ip, _needs(ip, secure_ldap)) for ip in wanted['dc_ips'])
    credentials = [bool(user and password)]  # the credential check is still to start

    def follow_up(seen):
        jobs = {}
        for ip, needs in list(waiting.items()):
            if needs.issubset(seen):
                del waiting[ip]
                jobs.update(_dc_protocol_jobs(prober, ip, seen, user))
        decided, kdc = _kdc(wanted['dc_ips'], seen)
        if credentials[0] and decided:
            credentials[0] = False
            if kdc:
                jobs[('credentials', kdc)] = (prober.credentials, kdc, user, password)
        return jobs

    return follow_up


def probe(prober, wanted, nas, secure_ldap, password=None):
    """Every probe, {(check name, target): outcome}: the reachability probes at once, each protocol check as soon as
    what it rests on has answered (never after the slowest reachability probe, a chain of DNS lookups)."""
    jobs = resolver_jobs(prober, wanted, nas)
    jobs.update(dc_jobs(prober, wanted, secure_ldap))
    return probe_all(jobs, prober.timeout, protocol_follow_up(prober, wanted, secure_ldap, password))


def probe_with_shared(prober, wanted, nas, shared, password=None):
    """The NAS's own probes next to the ``shared`` DC outcomes: its nameservers, and the credential check (its own
    password) on the KDC the shared outcomes name."""
    jobs = resolver_jobs(prober, wanted, nas)
    kdc = _kdc(wanted['dc_ips'], shared)[1]
    if wanted['username'] and password and kdc:
        user = checks.principal(wanted['username'], wanted['domain'])[0]
        if user:
            jobs[('credentials', kdc)] = (prober.credentials, kdc, user, password)
    seen = dict(shared)
    seen.update(probe_all(jobs, prober.timeout))
    return seen


def probe_settings(params, wanted):
    """What the DC probes' outcomes depend on: fleet probes serve a NAS only when these are the same."""
    return {'domain': wanted['domain'], 'dc_ips': wanted['dc_ips'], 'secure_ldap': params['secure_ldap'],
            'ldaps_ca_path': params['ldaps_ca_path'], 'probe_timeout': params['probe_timeout'],
            'username': wanted['username']}


def fleet_probes(prober, wanted, settings_used):
    """The DC probes once for a fleet (no NAS, no credential check): the ``fleet_probes`` result, outcomes as
    [name, target, outcome] with the settings they were made for and a name for this run."""
    seen = probe_all(dc_jobs(prober, wanted, settings_used['secure_ldap']), prober.timeout,
                     protocol_follow_up(prober, wanted, settings_used['secure_ldap'], None))
    return {'run': 'fleet-%s' % uuid.uuid4().hex[:12], 'settings': settings_used,
            'outcomes': [[name, target, seen[(name, target)]] for name, target in sorted(seen)]}


def shared_outcomes(fleet, settings_used, delegated):
    """(the fleet probes' outcomes {(name, target): outcome}, or None, and why not): shared only from the controller,
    for exactly this NAS's DC probe settings."""
    if not fleet:
        return None, 'no fleet probes given'
    if not delegated:
        return None, 'the probes run on the NAS (no api_url), each NAS from itself'
    if not isinstance(fleet, dict) or not isinstance(fleet.get('outcomes'), list) or not fleet.get('run'):
        raise ValueError('fleet_probes: give the fleet_probes result of a probes_only run of this module.')
    if fleet.get('settings') != settings_used:
        return None, 'the fleet probes %s were made for other settings (%s)' % (fleet['run'], ', '.join(
            sorted(key for key in settings_used if (fleet.get('settings') or {}).get(key) != settings_used[key])))
    return dict(((name, target), outcome) for name, target, outcome in fleet['outcomes']), None


def decide(seen, wanted, nas, secure_ldap, max_clock_skew, now):
    """Every check, in ORDER, from the probe outcomes; a probe that did not run is a skip that says why."""
    domain, dc_ips = wanted['domain'], wanted['dc_ips']
    found = [checks.hostname(nas['hostname'])]
    for target in wanted['nameservers'] or nas['nameservers']:  # in the NAS's order, however the answers came
        if ('resolver', target) in seen:
            found.append(checks.resolver(target, dc_ips, [record % domain for record in RESOLVER_RECORDS],
                                         seen[('resolver', target)]))
    if not any(key[0] == 'resolver' for key in seen):
        found.append(findings.check('resolver', None, 'fail', 'the NAS has no nameserver', None, checks.RESOLVER_HINT))
    for ip in dc_ips:
        found.append(checks.dns_a(ip, domain, dc_ips, seen[('dns_a', ip)]))
        found.append(checks.dns_srv(ip, dc_ips, [record % domain for record in DC_RECORDS], seen[('dns_srv', ip)]))
        for number in TCP_PORTS + (636,):
            found.append(checks.port('tcp', number, ip, seen[('tcp_%d' % number, ip)]) if ('tcp_%d' % number, ip) in seen
                         else findings.skip('tcp_%d' % number, ip, 'secure_ldap is false'))
        found.extend(checks.port('udp', number, ip, seen[('udp_%d' % number, ip)]) for number in UDP_PORTS)
        found.append(checks.rootdse(ip, domain, seen[('ldap_rootdse', ip)]))
        found.append(checks.clock(ip, seen[('ldap_rootdse', ip)], nas['clock_offset'], max_clock_skew))
        found.extend(_protocol_checks(seen, ip, domain, secure_ldap, now))
    found.append(_credential_check(seen, wanted))
    for item in found:
        item['elapsed_ms'] = seen.get((item['name'], item['target']), {}).get('elapsed_ms')
    return sorted(found, key=lambda item: ORDER.index(item['name']))


def _protocol_checks(seen, ip, domain, secure_ldap, now):
    decisions = (('ldap_signing', 'tcp_389', lambda outcome: checks.ldap_signing(ip, outcome)),
                 ('ldaps_tls_version', 'tcp_636', lambda outcome: checks.tls_legacy(ip, outcome)),
                 ('ldaps_certificate', 'tcp_636', lambda outcome: checks.ldaps_certificate(ip, domain, outcome, now)),
                 ('kerberos_aes', 'tcp_88', lambda outcome: checks.kerberos_aes(ip, outcome)),
                 ('kerberos_rc4', 'tcp_88', lambda outcome: checks.kerberos_rc4(ip, outcome)))
    for name, needs, decision in decisions:
        if (name, ip) in seen:
            yield decision(seen[(name, ip)])
        elif needs == 'tcp_636' and not secure_ldap:
            yield findings.skip(name, ip, 'secure_ldap is false')
        elif not _answered(seen, needs, ip):
            yield findings.skip(name, ip, '%s did not answer' % needs.replace('_', ' ').upper())
        else:
            yield findings.skip(name, ip, 'no account to ask the KDC about (no rootDSE and no username)')


def _credential_check(seen, wanted):
    if not wanted['username']:
        return findings.skip('credentials', None, 'no username given')
    foreign = checks.principal(wanted['username'], wanted['domain'])[1]
    if foreign:
        return checks.upn_suffix(wanted['username'], foreign)
    tried = [(target, outcome) for (name, target), outcome in seen.items() if name == 'credentials']
    if not tried:
        return findings.check('credentials', None, 'fail', 'no domain controller answered on TCP 88, so the credentials '
                              'were not checked', None, checks.NETWORK_HINT % ('TCP', 88, checks.PORT_NAMES[88]))
    return checks.credentials(tried[0][0], wanted['username'], tried[0][1])


key_of = findings.key_of


def report(found, nas, delegated, fail_on):
    """The module result: checks, counts, failed checks, and a message naming the first problem and its fix."""
    where = ('Probes ran on the controller (api_url is set): they show the controller\'s view of the network, not the '
             'NAS\'s; run the task on the NAS over SSH for its own view.' if delegated else 'Probes ran on the NAS.')
    result = findings.summarize(found, fail_on, where)
    result['nas'] = dict(nas, probes_ran_on='controller' if delegated else 'nas')
    return result


def run(module, client):
    """Probe, decide and report; never changes anything. ``probes_only``: the DC probes alone, no NAS (client None)."""
    params = module.params
    wanted = settings_from(params)
    if wanted['username'] and params['password'] and not HAS_CRYPTOGRAPHY:
        raise MissingLibrary('cryptography', reason='for the credential check')
    prober = Prober(wanted['domain'], params['probe_timeout'], Resolver(params['probe_timeout']), params['ldaps_ca_path'])
    started = time.monotonic()
    settings_used = probe_settings(params, wanted)
    if params['probes_only']:
        shared = fleet_probes(prober, wanted, settings_used)
        return {'changed': False, 'fleet_probes': shared, 'elapsed_ms': round((time.monotonic() - started) * 1000, 1),
                'msg': 'Probed %d domain controllers once for the fleet (%s).' % (len(wanted['dc_ips']), shared['run'])}
    nas = nas_facts(client)
    shared, why_not = shared_outcomes(params['fleet_probes'], settings_used, bool(params['api_url']))
    if shared is None:
        seen = probe(prober, wanted, nas, params['secure_ldap'], params['password'])
    else:
        seen = probe_with_shared(prober, wanted, nas, shared, params['password'])
    found = decide(seen, wanted, nas, params['secure_ldap'], params['max_clock_skew'], time.time())
    result = report(found, nas, bool(params['api_url']), params['fail_on'])
    result['dc_probes'] = ({'shared': True, 'run': params['fleet_probes']['run'],
                            'own_probes': sorted('%s@%s' % key for key in seen if key not in shared)}
                           if shared is not None else {'shared': False, 'why': why_not})
    result['elapsed_ms'] = round((time.monotonic() - started) * 1000, 1)
    return verdict(result)
