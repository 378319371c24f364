# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network domain that follows the join from TrueNAS 26 on (NAS-139291), as ad_join reports it.

PRIVATE to the collection. At TS-26.0.0-BETA.3 and HEAD (paths under src/middlewared/middlewared/): a join with
``enable_dns_updates`` registers the NAS in DNS and then writes ``network.configuration.domain`` = the configured AD
domain in lower case (plugins/directoryservices_/connection.py register_dns, called by
activedirectory_join_mixin.py _ad_post_join_actions); a leave with ``enable_dns_updates`` unregisters it and then
writes ``local`` (connection.py unregister_dns, from _ad_leave; plugins/network_/common.py DEFAULT_NETWORK_DOMAIN).
Without DNS updates, and on a disable, the network domain stays as it was. While the join is HEALTHY TrueNAS refuses
any other domain (plugins/network_/global_config.py do_update).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DEFAULT = 'local'  # plugins/network_/common.py DEFAULT_NETWORK_DOMAIN


def read(client):
    """The network domain as TrueNAS holds it now."""
    return (client.call('network.configuration.config') or {}).get('domain')


def predicted(before, current, desired, params):
    """The network domain a join of ``desired`` (or, None, a leave or disable) from directory state ``current``
    would leave, ``before`` being the one held now."""
    if desired:
        return desired['domain'] if desired['enable_dns_updates'] else before
    if current['enabled'] and params.get('leave_credentials') and current['enable_dns_updates']:
        return DEFAULT
    return before


def told(before, after, joined, check_mode):
    """What a run says of a change of the network domain: (the end of its message, a warning), each None when
    there is nothing to say."""
    if before == after:
        return None, None
    verb = 'would set' if check_mode else 'set'
    if joined:
        return '; TrueNAS %s the network domain to %s (from TrueNAS 26 it follows the join)' % (verb, after), None
    return ('; TrueNAS %s the network domain back to %s' % (verb, after),
            'TrueNAS %s the network domain from %s back to %s as the NAS left the domain (TrueNAS 26 and later): the '
            'next nasjoin.entra.entra_dns_config run sets the managed domain again.' % (verb, before, after))
