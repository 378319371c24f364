# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""entra_connectivity decisions: what each probe's outcome means, as one check each.

PRIVATE to the collection. Pure functions of probe outcomes (see probes.py: a dict, or
{'problem': kind, 'detail': text}); each returns a check {name, target, status, value, detail,
hint} with status pass, info, warn, fail or skip (_entra/findings.py). Hints follow the Entra Domain Services
failure table.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import ssl
import time

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import hint_for
from ansible_collections.nasjoin.entra.plugins.module_utils._entra.findings import check, skip
from ansible_collections.nasjoin.entra.plugins.module_utils._names import netbios_name
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols import kerberos

PORT_NAMES = {53: 'DNS', 88: 'Kerberos', 135: 'RPC endpoint mapper', 389: 'LDAP', 445: 'SMB', 464: 'Kerberos password',
              636: 'LDAPS', 3268: 'Global Catalog'}
AES = (kerberos.AES256, kerberos.AES128)
CERT_WARN_DAYS = 30

RESOLVER_HINT = hint_for('failed to resolve srv')
NETWORK_HINT = ('open %s %d (%s) from the NAS to every domain controller: the managed domain\'s network security group, '
                'the VPN or peering, and firewalls on the way (Microsoft\'s Linux guides also require outbound 464 TCP and UDP).')
DC_LIST_HINT = ('give dc_ips as the managed domain\'s two "IP address on virtual network" values (Entra admin center, '
                'the managed domain\'s Properties), and check the managed domain\'s health alerts.')
CLOCK_HINT = ('configure NTP on the NAS (the managed domain\'s DCs, or a reliable external source) and check its time zone: '
              'TrueNAS refuses to join above 180 s, Kerberos fails above 300 s.')
LDAP_SIGNING_HINT = ('turn on LDAP signing in the managed domain\'s security settings (TrueNAS winbind signs and seals, so '
                     'the join keeps working) and move simple-bind clients to LDAPS.')
TLS_HINT = 'turn on "TLS 1.2 only mode" in the managed domain\'s security settings.'
CERT_HINT = ('the secure LDAP certificate must be a wildcard *.<managed domain> certificate, valid for months, from a CA '
             'the NAS trusts (give it as ldaps_ca_path); upload a new PFX in the managed domain\'s Secure LDAP settings.')
AES_HINT = ('the KDC must offer AES: RC4 is disabled in Entra Domain Services from July 2026, so allow aes256/aes128 in '
            'the managed domain and on every client.')
RC4_HINT = ('turn off "Kerberos RC4 encryption" in the managed domain\'s security settings (Microsoft disables it for good '
            'from July 2026); the NAS joins and authenticates with AES.')

UNKNOWN_REFUSAL_HINT = ('check the join account in the managed domain (enabled, not locked, password current) and that '
                        'it is a synced user of the managed domain, then check it once more.')

# Windows status (KERB-EXT-ERROR in the KDC's e-data), the AD "data" sub-code an LDAP bind shows for the same
# cause, and the cause
STATUS_CAUSES = {
    0xC0000064: ('525', 'not_synced'),
    0xC000006A: ('52e', 'wrong_password'),
    0xC000006F: ('530', 'logon_hours'),
    0xC0000070: ('531', 'workstation'),
    0xC0000071: ('532', 'password_expired'),
    0xC0000072: ('533', 'disabled'),
    0xC0000193: ('701', 'account_expired'),
    0xC0000224: ('773', 'must_change_password'),
    0xC0000234: ('775', 'locked'),
}
KRB_CAUSES = {6: 'not_synced', 14: 'no_aes_keys', 18: 'locked', 23: 'password_expired', 24: 'wrong_password',
              37: 'clock', 68: 'upn_suffix'}
# cause: (what it means, what to do)
CAUSES = {
    'not_synced': ('the user does not exist in the managed domain (not synced, or a cloud user who never changed the '
                   'password since Domain Services was enabled)', hint_for('c_principal_unknown')),
    'wrong_password': ('the password is wrong (or changed in Entra and not synced yet)', hint_for('preauth')),
    'locked': ('the account is locked out in the managed domain', hint_for('locked')),
    'disabled': ('the account is disabled', 'enable the user in Entra ID (accountEnabled) and wait for the sync.'),
    'account_expired': ('the account has expired', 'extend or clear the account expiry, or use another join account.'),
    'logon_hours': ('the account may not log on at this time', 'allow logons at all hours for the join account.'),
    'workstation': ('the account may not log on from this computer', 'clear the workstation restriction of the join account.'),
    'must_change_password': ('the user must change the password (Entra forced a reset)', hint_for('must change password')),
    'password_expired': ('the password has expired in the managed domain (90-day maximum age)', hint_for('password expired')),
    'clock': ('the KDC refused the timestamp: the clocks differ too much', CLOCK_HINT),
    'no_aes_keys': ('the KDC has no AES key for the user', hint_for('etype_nosupp')),
    'upn_suffix': ('the user name\'s suffix is not the managed domain, so Kerberos looks for another realm',
                   'give the user as <sAMAccountName>@<managed domain> (or the bare sAMAccountName): a UPN suffix such as '
                   'the tenant\'s onmicrosoft.com name is not the realm.'),
}


def _targets(answer):
    return answer if isinstance(answer, list) else None


def _problem(record, answer):
    if answer is None:
        return '%s not asked (the nameserver stopped answering)' % record
    if isinstance(answer, dict):
        return '%s: %s' % (record, answer['detail'])
    return None if answer else '%s: no targets' % record


def resolver(nameserver, dc_ips, records, answers):
    """A NAS nameserver must answer the SRV records TrueNAS looks up before a join; one that is no DC is flagged."""
    problems = [problem for problem in (_problem(record, answers.get(record)) for record in records) if problem]
    value = dict((record, [target['target'] for target in _targets(answers.get(record)) or []]) for record in records)
    not_dc = nameserver not in dc_ips
    if problems:
        return check('resolver', nameserver, 'fail', 'nameserver %s did not answer %s%s; TrueNAS refuses to join unless '
                     'every nameserver answers them' % (nameserver, '; '.join(problems),
                                                        ', and it is not a domain controller' if not_dc else ''),
                     value, RESOLVER_HINT if not_dc else NETWORK_HINT % ('UDP and TCP', 53, PORT_NAMES[53]))
    if not_dc:
        return check('resolver', nameserver, 'warn', 'nameserver %s answers the domain\'s SRV records but is not one of the '
                     'domain controllers (%s); Entra Domain Services expects the NAS to ask the DCs only'
                     % (nameserver, ', '.join(dc_ips)), value, RESOLVER_HINT)
    return check('resolver', nameserver, 'pass', 'nameserver %s answers %s' % (nameserver, ' and '.join(records)), value)


def dns_a(server, domain, dc_ips, outcome):
    """The domain's own A records are the domain controllers' addresses."""
    if 'problem' in outcome:
        return check('dns_a', server, 'fail', 'DNS on %s gave no A record of %s: %s' % (server, domain, outcome['detail']),
                     None, DC_LIST_HINT)
    found = outcome['addresses']
    missing = [ip for ip in dc_ips if ip not in found]
    extra = [ip for ip in found if ip not in dc_ips]
    if missing:
        return check('dns_a', server, 'fail', 'A records of %s at %s are %s; %s not among them: dc_ips are not this '
                     'domain\'s controllers' % (domain, server, ', '.join(found), ', '.join(missing)), found, DC_LIST_HINT)
    if extra:
        return check('dns_a', server, 'warn', 'A records of %s at %s also list %s, which is not in dc_ips'
                     % (domain, server, ', '.join(extra)), found, DC_LIST_HINT)
    return check('dns_a', server, 'pass', 'A records of %s at %s are the domain controllers' % (domain, server), found)


def dns_srv(server, dc_ips, records, answers):
    """The DC locator SRV records exist at the DC's DNS and every target resolves to a DC address."""
    problems = [problem for problem in (_problem(record, answers.get(record)) for record in records) if problem]
    targets = [target for record in records for target in _targets(answers.get(record)) or []]
    problems += sorted(set('target %s does not resolve' % target['target'] for target in targets if not target['addresses']))
    value = dict((record, ['%s:%d' % (target['target'], target['port']) for target in _targets(answers.get(record)) or []])
                 for record in records)
    if problems:
        return check('dns_srv', server, 'fail', 'DNS on %s: %s' % (server, '; '.join(problems)), value,
                     'the managed domain\'s DNS lacks its domain controller records: check its health in the Entra admin '
                     'center, and that dc_ips are its DNS servers.')
    outside = sorted(set(address for target in targets for address in target['addresses'] if address not in dc_ips))
    if outside:
        return check('dns_srv', server, 'warn', 'SRV targets at %s resolve to %s, which is not in dc_ips'
                     % (server, ', '.join(outside)), value, DC_LIST_HINT)
    return check('dns_srv', server, 'pass', 'DNS on %s lists %d SRV record(s), %d target(s), all resolving'
                 % (server, len(records), len(targets)), value)


def port(protocol, number, ip, outcome):
    """A TCP port connects; a UDP port answers its own protocol (silence cannot tell filtered from quiet)."""
    name, label = '%s_%d' % (protocol, number), '%s %d (%s)' % (protocol.upper(), number, PORT_NAMES[number])
    hint = NETWORK_HINT % (protocol.upper(), number, PORT_NAMES[number])
    if 'problem' not in outcome:
        return check(name, ip, 'pass', '%s on %s answers' % (label, ip), outcome.get('answer_bytes'))
    if protocol == 'udp' and outcome['problem'] == 'timeout':
        return check(name, ip, 'warn', '%s on %s: %s; a firewall that drops UDP and a service that stays silent look '
                     'the same' % (label, ip, outcome['detail']), None, hint)
    return check(name, ip, 'fail', '%s on %s: %s' % (label, ip, outcome['detail']), None, hint)


def naming_context(domain):
    return ','.join('DC=%s' % label for label in domain.split('.'))


def rootdse(ip, domain, outcome):
    """An anonymous rootDSE read on 389 works and the DC serves this domain."""
    if 'problem' in outcome:
        return check('ldap_rootdse', ip, 'fail', 'anonymous rootDSE read on %s:389: %s' % (ip, outcome['detail']), None,
                     NETWORK_HINT % ('TCP', 389, PORT_NAMES[389]))
    attributes = outcome['attributes']
    value = dict((key, values[0]) for key, values in attributes.items() if values)
    context = value.get('defaultNamingContext', '')
    if context.lower() != naming_context(domain).lower():
        return check('ldap_rootdse', ip, 'fail', '%s serves %s, not %s' % (ip, context or 'no naming context', domain), value,
                     DC_LIST_HINT)
    return check('ldap_rootdse', ip, 'pass', '%s is %s, a domain controller of %s' % (ip, value.get('dnsHostName', '?'), domain),
                 value)


def dc_account(outcome):
    """The DC's own account name (``DC1$``) from its rootDSE, for credential-free Kerberos probes; None if unknown."""
    attributes = (outcome or {}).get('attributes') or {}
    service = (attributes.get('ldapServiceName') or [''])[0]  # "domain:dc1$@REALM"
    if ':' in service and '$@' in service:
        return service.split(':', 1)[1].split('@', 1)[0]
    host = (attributes.get('dnsHostName') or [''])[0]
    return host.split('.', 1)[0][:15].upper() + '$' if host else None


def dc_time(outcome):
    """Seconds since the epoch of the rootDSE ``currentTime``, or None; it has whole seconds, so +0.5 centres the error."""
    text = ((outcome.get('attributes') or {}).get('currentTime') or [''])[0]
    try:
        return calendar.timegm(time.strptime(text[:14], '%Y%m%d%H%M%S')) + 0.5
    except ValueError:
        return None


def clock(ip, outcome, nas_offset, max_skew):
    """The NAS clock is within ``max_skew`` seconds of the DC's (warn past half of it)."""
    if 'problem' in outcome:
        return skip('clock_skew', ip, 'no rootDSE from %s, so no DC time' % ip)
    stamp = dc_time(outcome)
    if stamp is None or nas_offset is None:
        return skip('clock_skew', ip, 'the %s did not report its time' % ('DC' if stamp is None else 'NAS'))
    skew = round(stamp - outcome['local_time'] - nas_offset, 1)
    detail = 'the NAS clock is %.1f s %s %s (limit %d s)' % (abs(skew), 'behind' if skew > 0 else 'ahead of', ip, max_skew)
    status = 'fail' if abs(skew) > max_skew else 'warn' if abs(skew) > max_skew / 2.0 else 'pass'
    return check('clock_skew', ip, status, detail, skew, CLOCK_HINT)


def ldap_signing(ip, outcome):
    """A simple bind on plain 389 is refused before any credential check: LDAP signing is on."""
    if 'problem' in outcome:
        return check('ldap_signing', ip, 'warn', 'simple bind probe on %s:389: %s' % (ip, outcome['detail']), None,
                     LDAP_SIGNING_HINT)
    value = outcome['result']
    if outcome['code'] in (8, 13):
        return check('ldap_signing', ip, 'pass', '%s refuses simple binds on plain 389 (%s): LDAP signing is on' % (ip, value), value)
    if outcome['code'] in (0, 49):
        return check('ldap_signing', ip, 'fail', '%s checks simple-bind passwords sent in clear on 389 (%s): LDAP signing is '
                     'off' % (ip, value), value, LDAP_SIGNING_HINT)
    return check('ldap_signing', ip, 'warn', '%s answered the simple bind probe with %s %s' % (ip, value, outcome['diagnostic']),
                 value, LDAP_SIGNING_HINT)


def tls_legacy(ip, outcome):
    """LDAPS refuses TLS 1.0 and 1.1."""
    if 'problem' not in outcome:
        return check('ldaps_tls_version', ip, 'fail', '%s:636 accepted %s' % (ip, outcome['version']), outcome['version'], TLS_HINT)
    if 'NO_PROTOCOLS_AVAILABLE' in outcome['detail'] or 'UNSUPPORTED_PROTOCOL' in outcome['detail']:
        return skip('ldaps_tls_version', ip, 'this host\'s OpenSSL cannot offer TLS below 1.2, so it cannot tell')
    if outcome['problem'] in ('tls', 'reset'):
        return check('ldaps_tls_version', ip, 'pass', '%s:636 refuses TLS 1.0 and 1.1' % ip, 'TLSv1.2+')
    return check('ldaps_tls_version', ip, 'warn', 'TLS 1.0/1.1 probe on %s:636: %s' % (ip, outcome['detail']), None, TLS_HINT)


def _names(certificate):
    names = [value.lower() for kind, value in certificate.get('subjectAltName', ()) if kind == 'DNS']
    return names or [value.lower() for rdn in certificate.get('subject', ()) for key, value in rdn if key == 'commonName']


def ldaps_certificate(ip, domain, outcome, now):
    """The LDAPS certificate chains to a trusted CA, names *.<domain>, and is not about to expire."""
    if 'problem' in outcome:
        reason = 'is not trusted: %s' % outcome['detail'] if outcome['problem'] == 'certificate' else 'handshake: %s' % outcome['detail']
        return check('ldaps_certificate', ip, 'fail', 'LDAPS certificate of %s %s' % (ip, reason), None, CERT_HINT)
    names = _names(outcome['certificate'])
    days = int((ssl.cert_time_to_seconds(outcome['certificate']['notAfter']) - now) // 86400)
    value = {'names': names, 'not_after': outcome['certificate']['notAfter'], 'days_left': days}
    in_domain = [name for name in names if name == domain or name.endswith('.' + domain)]
    if not in_domain:
        return check('ldaps_certificate', ip, 'fail', 'the LDAPS certificate of %s names %s, nothing in %s'
                     % (ip, ', '.join(names) or 'no host', domain), value, CERT_HINT)
    if '*.' + domain not in names:
        return check('ldaps_certificate', ip, 'warn', 'the LDAPS certificate of %s names %s but not *.%s; the managed '
                     'domain\'s DC names change' % (ip, ', '.join(in_domain), domain), value, CERT_HINT)
    if days < CERT_WARN_DAYS:
        return check('ldaps_certificate', ip, 'warn', 'the LDAPS certificate of %s expires in %d day(s); secure LDAP stops '
                     'when it does' % (ip, days), value, CERT_HINT)
    return check('ldaps_certificate', ip, 'pass', 'the LDAPS certificate of %s is trusted, names *.%s, %d days left'
                 % (ip, domain, days), value)


def _offered(reply):
    return [entry['etype'] for entry in reply.get('etype_info', [])]


def kerberos_aes(ip, outcome):
    """Asked for AES only, without pre-authentication, the KDC offers an AES enctype."""
    if 'problem' in outcome:
        return check('kerberos_aes', ip, 'warn', 'AS-REQ to %s:88: %s' % (ip, outcome['detail']), None, AES_HINT)
    aes = [kerberos.ETYPES[etype] for etype in _offered(outcome) if etype in AES]
    if outcome.get('code') == 25 and aes:
        return check('kerberos_aes', ip, 'pass', 'the KDC on %s offers %s' % (ip, ', '.join(aes)), aes)
    if outcome.get('code') == 14:
        return check('kerberos_aes', ip, 'fail', 'the KDC on %s refuses AES (KDC_ERR_ETYPE_NOSUPP)' % ip, None, AES_HINT)
    return check('kerberos_aes', ip, 'warn', 'the KDC on %s answered %s' % (ip, outcome.get('error', 'AS-REP')), None, AES_HINT)


def kerberos_rc4(ip, outcome):
    """Asked for RC4 only, without pre-authentication, the KDC refuses it."""
    if 'problem' in outcome:
        return check('kerberos_rc4', ip, 'warn', 'AS-REQ to %s:88: %s' % (ip, outcome['detail']), None, RC4_HINT)
    if outcome.get('code') == 14:
        return check('kerberos_rc4', ip, 'pass', 'the KDC on %s refuses RC4 (KDC_ERR_ETYPE_NOSUPP)' % ip, None)
    if kerberos.RC4 in _offered(outcome) or outcome['reply'] == 'AS-REP':
        return check('kerberos_rc4', ip, 'fail', 'the KDC on %s offers rc4-hmac' % ip, 'rc4-hmac', RC4_HINT)
    return check('kerberos_rc4', ip, 'warn', 'the KDC on %s answered %s to an RC4-only request' % (ip, outcome['error']),
                 None, RC4_HINT)


def principal(username, domain):
    """(Kerberos name in the managed domain's realm, None), or (None, suffix) for a user of another realm."""
    name, dummy, suffix = username.partition('@')
    return (None, suffix) if suffix and suffix.lower() != domain else (name, None)


def credentials(kdc, username, outcome):
    """One authentication of the join user, mapped to the Entra cause of a refusal."""
    value = {'user': username, 'kdc': kdc, 'attempts': outcome.get('attempts')}
    if 'problem' in outcome:
        return check('credentials', kdc, 'fail', 'authentication of %s at %s: %s (at most one attempt was made)'
                     % (username, kdc, outcome['detail']), value, NETWORK_HINT % ('TCP', 88, PORT_NAMES[88]))
    reply = outcome.get('reply') or outcome['precheck']
    if reply['reply'] == 'AS-REP':
        if not value['attempts']:
            return check('credentials', kdc, 'warn', '%s does not need Kerberos pre-authentication, so the password was not '
                         'checked' % username, value, 'require Kerberos pre-authentication for the join account.')
        return check('credentials', kdc, 'pass', '%s authenticated at %s with %s' % (username, kdc, outcome['etype']), value)
    sub_code, cause = STATUS_CAUSES.get(reply.get('ntstatus'), (None, KRB_CAUSES.get(reply['code'])))
    value.update(error=reply['error'], cause=cause, ad_code=sub_code)
    meaning, hint = CAUSES.get(cause, ('the KDC refused it', hint_for(reply['error']) or UNKNOWN_REFUSAL_HINT))
    return check('credentials', kdc, 'fail', '%s at %s: %s (%s%s)' % (username, kdc, meaning, reply['error'],
                                                                      ', data %s' % sub_code if sub_code else ''), value, hint)


def upn_suffix(username, suffix):
    """The check for a user whose suffix is not the realm: nothing was sent."""
    meaning, hint = CAUSES['upn_suffix']
    return check('credentials', None, 'fail', '%s: %s (%s); no authentication was attempted' % (username, meaning, suffix),
                 {'user': username, 'attempts': 0, 'cause': 'upn_suffix'}, hint)


def hostname(name):
    """The NAS hostname, which becomes its NetBIOS and computer account name: at most 15 valid characters, unique."""
    try:
        netbios_name(name or '')
    except ValueError as exc:
        return check('hostname', name, 'fail', str(exc), name, hint_for('netbios name'))
    if name.lower() == 'truenas':
        return check('hostname', name, 'warn', 'hostname %s is the TrueNAS default: every NAS left at it shares one computer '
                     'account' % name, name, hint_for('netbios name'))
    return check('hostname', name, 'pass', 'hostname %s is a valid NetBIOS name (%d characters)' % (name, len(name)), name)
