# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""entra_ds_info: read the managed domain resource and say what the NAS join needs from it.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.nasjoin.entra.plugins.module_utils._azure import domain_service


def run(module, client):
    result = domain_service.info(client.get(client.resource), datetime.datetime.now(datetime.timezone.utc))
    for warning in domain_service.health_warnings(result, module.params['ldaps_expiry_warning_days']):
        module.warn(warning)
    result['changed'] = False
    return result
