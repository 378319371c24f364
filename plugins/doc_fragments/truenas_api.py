# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Address of the TrueNAS middleware, for tasks that run on the controller or an execution environment.
      - V(wss://nas.example.com/api/current), V(https://nas.example.com) and V(nas.example.com) all mean the JSON-RPC
        endpoint C(wss://nas.example.com/api/current).
      - "The API path: C(/api/current) unless the address names a versioned one (such as C(/api/v25.10.1) or
        C(/api/v26.0.0)), which is then used as given. On C(/api/current), a NAS newer than the newest release the
        collection is tested with (TrueNAS 27.0) is asked for C(/api/v27.0.0) instead, so its answers keep the shapes
        the collection knows (C(/api/current) when it does not serve that version, or without O(api_username));
        the module warns either way. For the path without O(api_username), see there."
      - When unset, the module talks to the middleware of the host it runs on (the NAS itself, reached over SSH as root)
        through O(local_socket), or through C(midclt) when the socket cannot be used.
      - A plain C(ws://) address is refused when an API key would be sent, because TrueNAS revokes a key used over an
        insecure transport.
      - "Refused before anything is sent, without showing the secret part: credentials in the address
        (C(wss://user:key@nas), plain or percent-encoded; give them in O(api_key) and O(api_username)), a path other
        than C(/api/current) or a versioned one, a query or a fragment, a port outside 1-65535, an IPv6 zone id and
        characters other than printable ASCII (give the C(xn--) form of an international name)."
      - The environment variable E(TRUENAS_API_URL) on the host that runs the module sets it too.
    type: str
  api_key:
    description:
      - API key for O(api_url), as created in the TrueNAS web interface (C(<id>-<secret>)).
      - Not needed on the NAS itself.
      - The environment variable E(TRUENAS_API_KEY) on the host that runs the module sets it too.
    type: str
  api_username:
    description:
      - The user the API key belongs to (TrueNAS 25.04 and later tie every key to a user). Recommended on every
        release, and the way to log in on the current API of TrueNAS 27 and later.
      - When set, the module logs in with C(auth.login_ex) and mechanism C(API_KEY_PLAIN), and says why a login is
        refused (a wrong or revoked key, an expired key, or a user without API access).
      - "When unset, the module logs in with C(auth.login_with_api_key), which TrueNAS 27 makes private on its
        current API (C(/api/current), C(/api/v27.0.0)). So it first reads the list of API versions
        (C(GET /api/versions), sending no key); when the NAS lists v27 or later, the module connects to the newest
        listed version before v27 (such as C(/api/v26.0.0)), where that login is still public, and warns. A NAS
        that does not answer the list is reached on C(/api/current). A versioned O(api_url) of v27 or later is
        refused without O(api_username)."
      - On TrueNAS 26 and later, a user whose groups are in no privilege lacks API access and cannot log in at all;
        the modules need a user with the C(FULL_ADMIN) role, such as a member of C(builtin_administrators)
        (privilege Local Administrator).
      - The environment variable E(TRUENAS_API_USERNAME) on the host that runs the module sets it too.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url). Only turn this off in a lab.
      - The environment variable E(TRUENAS_VALIDATE_CERTS) on the host that runs the module sets it too.
    type: bool
    default: true
  ca_path:
    description:
      - CA certificate file (PEM) or directory used to verify the NAS certificate, instead of the system trust store.
      - A file that holds no PEM certificate, or a device, FIFO or socket, is refused before connecting.
      - The environment variable E(TRUENAS_CA_PATH) on the host that runs the module sets it too.
    type: path
  timeout:
    description:
      - Seconds to wait for the connection and for each reply of the middleware. From 1 to 3600.
      - The environment variable E(TRUENAS_TIMEOUT) on the host that runs the module sets it too.
    type: int
    default: 30
  local_socket:
    description:
      - Path of the middleware socket on the NAS, used when O(api_url) is unset.
      - The environment variable E(TRUENAS_LOCAL_SOCKET) on the host that runs the module sets it too.
    type: path
    default: /var/run/middleware/middlewared.sock
requirements:
  - websocket-client >= 1.0 (for O(api_url) and O(local_socket); C(midclt) works without it)
notes:
  - One connection and one login per module run. TrueNAS refuses more than 20 logins a minute from one address to
    one NAS (whatever the API key) with C(Rate Limit Exceeded); the module then fails and says so. Each NAS counts on
    its own, so a fleet of any size stays under the limit as long as no NAS gets more than 20 module runs a minute.
'''

    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the NAS.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - When the task's connection is C(local), without C(become), C(async) or C(delegate_to), and its
        C(ansible_python_interpreter) is the Python running Ansible, the module runs inside Ansible's worker process
        instead of as an AnsiballZ payload, on ansible-core 2.17 to 2.21. Its result is the payload's, C(warnings),
        C(deprecations), C(invocation) and the failure of an unexpected exception as that ansible-core gives them;
        the task's C(environment) applies to that run only (each C(loop) item its own).
      - On an ansible-core where that cannot be set up, the module runs as an AnsiballZ payload, and C(-vvv) says why.
      - Set the variable C(entra_in_worker=false) to run it as an AnsiballZ payload; any other task always does.
  action_group:
    description: Use C(group/nasjoin.entra.truenas) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - nasjoin.entra.truenas
'''
