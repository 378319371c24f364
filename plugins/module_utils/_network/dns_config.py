# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""entra_dns_config: point the NAS network configuration at the managed domain.

PRIVATE to the collection. Read state, compute the desired settings, diff, decide, apply
unless check mode, verify through the new nameservers, and restore on failure.

From TrueNAS 26 the network domain follows the join (NAS-139291, at TS-26.0.0-BETA.3 and HEAD, paths under
src/middlewared/middlewared/): a join that registers the NAS in DNS writes the AD domain in lower case and a leave
that unregisters it writes ``local`` (plugins/directoryservices_/connection.py register_dns, unregister_dns, called
only with ``enable_dns_updates``: activedirectory_join_mixin.py); while directoryservices.status is ACTIVEDIRECTORY or
IPA and HEALTHY, network.configuration.update refuses any other ``domain`` string, the same name in another case
included, on ``global_configuration_update.domain`` (plugins/network_/global_config.py do_update). So on 26+ a
joined NAS's domain is the join's: never sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.nasjoin.entra.plugins.module_utils import _names, _values
from ansible_collections.nasjoin.entra.plugins.module_utils._errors import Failed, verdict
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import DNSProblem, Resolver, srv_with_addresses
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import network_api, versions
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError

# TrueNAS field -> module parameter, to name the parameter in TrueNAS validation errors
PARAMETER_OF = {'domain': 'domain', 'domains': 'search_domains', 'ipv4gateway': 'ipv4gateway',
                'nameserver1': 'nameservers[0]', 'nameserver2': 'nameservers[1]', 'nameserver3': 'nameservers[2]'}
JOINS = ('ACTIVEDIRECTORY', 'IPA')  # the directory services whose join owns the network domain


def desired_settings(params):
    """Validated, normalised settings from the module parameters (ValueError on bad input)."""
    nameservers = params['nameservers'] or []
    if not 1 <= len(nameservers) <= 3:
        raise ValueError('nameservers: give the domain controllers\' IP addresses, one to three of them (got %d).'
                         % len(nameservers))
    settings = {
        'domain': _names.managed_domain(params['domain'], 'domain'),
        'nameservers': _values.unique([_values.nameserver(value, 'nameservers[%d]' % index)
                                       for index, value in enumerate(nameservers)], 'nameservers'),
        'search_domains': None,
        'ipv4gateway': None,
    }
    if params.get('search_domains') is not None:
        if len(params['search_domains']) > 5:
            raise ValueError('search_domains: TrueNAS keeps at most 5 search domains (got %d).' % len(params['search_domains']))
        settings['search_domains'] = _values.unique(
            [_values.domain_name(value, 'search_domains[%d]' % index) for index, value in enumerate(params['search_domains'])],
            'search_domains')
    if params.get('ipv4gateway'):
        settings['ipv4gateway'] = _values.ipv4_address(params['ipv4gateway'], 'ipv4gateway')
    return settings


def _canonical(address):
    """An address as the module writes it: TrueNAS keeps a nameserver as it was typed (``2001:DB8:0::0A``)."""
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return address


def current_settings(config):
    """The managed fields of a ``network.configuration.config`` entry, in module terms."""
    return {
        'domain': (config.get('domain') or '').lower(),
        'nameservers': [_canonical(address) for address in network_api.nameservers(config)],
        'search_domains': [value.lower() for value in config.get('domains') or []],
        'ipv4gateway': config.get('ipv4gateway') or '',
    }


def update_payload(current, desired):
    """Fields of ``network.configuration.update`` that must change; empty when converged."""
    payload = {}
    if desired['domain'] != current['domain']:
        payload['domain'] = desired['domain']
    if desired['nameservers'] != current['nameservers']:
        padded = desired['nameservers'] + [''] * (len(network_api.NAMESERVER_SLOTS) - len(desired['nameservers']))
        payload.update(zip(network_api.NAMESERVER_SLOTS, padded))
    if desired['search_domains'] is not None and desired['search_domains'] != current['search_domains']:
        payload['domains'] = desired['search_domains']
    if desired['ipv4gateway'] is not None and desired['ipv4gateway'] != current['ipv4gateway']:
        payload['ipv4gateway'] = desired['ipv4gateway']
    return payload


def resolv_conf_warning(config, configured):
    """A warning when the nameservers the NAS resolves through (the entry's ``state``, read from its resolv.conf)
    are not the ``configured`` ones, else None."""
    state = config.get('state') if isinstance(config.get('state'), dict) else {}
    in_effect = [_canonical(address) for address in network_api.nameservers(state)]
    if not state or in_effect == configured:
        return None
    return ('the NAS resolves names through %s (its resolv.conf), not through the nameservers its network settings name '
            '(%s): resolv.conf was changed outside TrueNAS, and a join asks the wrong nameservers. TrueNAS writes '
            'resolv.conf again from the settings at its next network change or reboot.'
            % (', '.join(in_effect) or 'no nameserver', ', '.join(configured)))


def merged(current, desired):
    return dict((key, current[key] if desired[key] is None else desired[key]) for key in current)


def verify(resolver, domain, nameservers):
    """Ask every nameserver for the domain's DC SRV record; one check per nameserver."""
    record = '_ldap._tcp.dc._msdcs.%s' % domain

    def check(nameserver):
        try:
            targets, elapsed = srv_with_addresses(resolver, nameserver, record)
        except DNSProblem as exc:
            return {'nameserver': nameserver, 'record': record, 'status': 'fail', 'targets': [],
                    'detail': 'nameserver %s did not resolve %s: %s' % (nameserver, record, exc)}
        dc_ips = sorted(set(address for target in targets for address in target['addresses']))
        status, detail = 'pass', 'nameserver %s lists %d domain controller(s)' % (nameserver, len(targets))
        if nameserver not in dc_ips:
            status = 'warn'
            detail = ('nameserver %s answers for %s but is not one of its domain controllers (%s); Entra Domain Services '
                      'expects the DC addresses only' % (nameserver, domain, ', '.join(dc_ips) or 'none resolved'))
        return {'nameserver': nameserver, 'record': record, 'status': status, 'targets': targets,
                'dc_ips': dc_ips, 'elapsed_ms': elapsed, 'detail': detail}

    from concurrent.futures import ThreadPoolExecutor  # only needed after a change
    with ThreadPoolExecutor(max_workers=len(nameservers)) as pool:
        return list(pool.map(check, nameservers))


def joined_domain(client):
    """On TrueNAS 26+, the domain of the enabled AD or IPA join, in lower case (one read: directoryservices.config);
    else None. Enabled rather than HEALTHY, TrueNAS's condition: TrueNAS writes the domain only at the join, so a
    domain written while the join is not HEALTHY would stay, and be refused, once it is HEALTHY again."""
    if not versions.domain_follows_join(client.version):
        return None
    state = client.call('directoryservices.config') or {}
    if not state.get('enable') or state.get('service_type') not in JOINS:
        return None
    return ((state.get('configuration') or {}).get('domain') or '').lower() or None


def domain_to_write(client, domain, before, warn):
    """The network domain this run may ask for, given ``domain`` (not the stored one): ``domain``, or on a joined
    TrueNAS 26+ the stored one kept (the join's domain asked for, with a warning when the stored one is another).
    Another domain than the join's fails before anything is written."""
    joined = joined_domain(client)
    if joined is None:
        return domain
    if joined != domain:
        raise Failed(
            'domain: the NAS is joined to %s, and from TrueNAS 26 the network domain belongs to the join: TrueNAS sets '
            'it to the joined domain and refuses another one while the join is HEALTHY ("You cannot change this '
            'parameter after TrueNAS joins a domain."). Nothing was changed.' % joined,
            hint='ask for domain %s, or leave that domain first (nasjoin.entra.ad_join with state=absent and '
                 'leave_credentials), then run this again and join %s.' % (joined, domain),
            changed=False, config=before, diff={'before': before, 'after': before}, verify=[], joined_domain=joined)
    warn('the NAS is joined to %s and its network domain is %s: from TrueNAS 26 the domain belongs to the join, and '
         'TrueNAS writes the joined domain itself only when the join registers the NAS in DNS (ad_join '
         'enable_dns_updates=true); it refuses a change while joined, so the domain was left as it is.'
         % (joined, before['domain'] or 'empty'))
    return before['domain']


def run(module, client):
    """Converge the network configuration; returns the result dict, raises TrueNASError, Failed or ValueError."""
    desired = desired_settings(module.params)
    warn = module.warn
    config = client.call('network.configuration.config')
    before = current_settings(config)
    target = desired
    if desired['domain'] != before['domain']:
        target = dict(desired, domain=domain_to_write(client, desired['domain'], before, warn))
    payload = update_payload(before, target)
    after = merged(before, target)
    result = {'changed': bool(payload), 'config': after, 'diff': {'before': before, 'after': after}, 'verify': []}
    if not payload:
        stray = resolv_conf_warning(config, before['nameservers'])
        if stray:
            warn(stray)
        return result
    if not module.params['verify']:
        warn('verify=false: the new nameservers were not checked; a TrueNAS join needs every nameserver '
             'to answer the domain\'s SRV records.')
    if not module.check_mode:
        result['config'] = current_settings(_update(client, payload))
    if not module.params['verify']:
        return result
    result['verify'] = checks = verify(Resolver(module.params['verify_timeout']), desired['domain'], desired['nameservers'])
    for check in checks:
        if check['status'] == 'warn':
            warn(check['detail'])
    failed = [check for check in checks if check['status'] == 'fail']
    if failed:
        _restore(module, client, before, failed, result, payload)
    return verdict(result)


def _restore(module, client, before, failed, result, written):
    """Put back what this run ``written`` after a failed verification, and say so: never a field it did not write
    (on TrueNAS 26+ a joined NAS's domain, which TrueNAS would refuse)."""
    if not module.check_mode:
        restore = dict((field, value) for field, value in update_payload(result['config'], before).items() if field in written)
        try:
            result['config'] = current_settings(_update(client, restore))
        except TrueNASError as exc:
            exc.message = ('%s; restoring the previous DNS configuration then failed, so the NAS may hold the unverified '
                           'settings (domain %s, nameservers %s; before: domain %s, nameservers %s): %s' % (
                               '; '.join(check['detail'] for check in failed), result['config']['domain'],
                               ', '.join(result['config']['nameservers']), before['domain'], ', '.join(before['nameservers']),
                               exc.message))
            raise
    result.update(
        failed=True, changed=False, restored=not module.check_mode, failed_nameservers=[check['nameserver'] for check in failed],
        msg='%s. %s' % ('; '.join(check['detail'] for check in failed),
                        'Check mode: nothing was changed.' if module.check_mode else 'The previous DNS configuration was restored.'),
        hint='set nameservers to the managed domain\'s "IP address on virtual network" values and check that the NAS '
             'reaches them on port 53 (VPN or peering).')
    result['diff']['after'] = result['config'] if not module.check_mode else before


def _update(client, payload):
    try:
        return client.call('network.configuration.update', payload)
    except TrueNASError as exc:
        named = ['%s (%s): %s' % (PARAMETER_OF.get(field, field), field, message)
                 for field in PARAMETER_OF for message in exc.field_errors(field)]
        if named:
            exc.message = 'TrueNAS refused the network configuration: %s' % '; '.join(named)
        raise
