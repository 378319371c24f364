"""patch_module_args for the unit tests of a module's main() on every supported ansible-core: the one of
ansible.module_utils.testing (2.19 and later), else the same done as the tests of 2.17 and 2.18 did it."""

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401  pylint: disable=unused-import
except ImportError:  # ansible-core 2.17, 2.18: no serialization profile, the arguments as JSON bytes
    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Expose ``args`` to the AnsibleModule instances created within this context."""
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode('utf-8')):
            yield


def ended(logic):
    """``logic`` (a module's run) returning the task result even when it fails: a Failed it raises becomes the result
    the driver would make of it (``failed``, ``msg`` with its hint, the result's data)."""
    from ansible_collections.nasjoin.entra.plugins.module_utils._errors import Failed

    def run(*args, **kwargs):
        try:
            return logic(*args, **kwargs)
        except Failed as exc:
            return dict(exc.result(), failed=True, msg=str(exc))
    return run
