# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""entra_ds_security: bring the managed domain's security settings to a desired table.

PRIVATE to the collection. Read, compare, refuse what cannot be done, warn about side effects,
PATCH only what differs (unless check mode), wait for the operation and read back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import domain_service as ds


def run(module, client):
    params = module.params
    actual = ds.security_settings(client.get(client.resource))
    desired = ds.desired_settings(params['settings'])
    changed = ds.changes(actual, desired)
    ds.refuse_tls_downgrade(actual, changed)
    after = dict(actual, **changed)
    result = {'changed': bool(changed), 'changed_settings': sorted(changed), 'desired': desired,
              'diff': {'before': actual, 'after': after}}
    for warning in ds.side_effects(changed):
        module.warn(warning)
    if changed and not module.check_mode:
        resource = client.patch(client.resource, ds.patch_body(changed), params['wait_timeout'] if params['wait'] else None)
        if resource is None:
            module.warn('wait=false: Azure accepted the change; it applies in the background (about 10 minutes).')
        else:
            after = ds.security_settings(resource)
            for key in sorted(ds.changes(after, changed)):
                module.warn('after the change Azure reports %s=%s, not %s; the next run will send it again.'
                            % (key, after[key] or 'unknown (left out of the reply)', changed[key]))
    result['settings'] = result['diff']['after'] = after
    result['security_settings_unknown'] = sorted(key for key, value in after.items() if value is None)
    return result
