# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error base of the collection: every failure a module reports is a NasjoinError.

PRIVATE to the collection. ``message`` names what failed, ``hint`` what to do about it, ``result()`` the
structured data the failed task carries. TrueNASError and AzureError are the backends' kinds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib


class NasjoinError(Exception):
    """A failure a person can act on; ``str()`` is the message with its hint."""

    def __init__(self, message, hint=None):
        super(NasjoinError, self).__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self):
        return self.message if not self.hint else '%s Hint: %s' % (self.message, self.hint)

    def result(self):
        """Structured data for the failed task's result."""
        return {}


class MissingLibrary(NasjoinError):
    """A Python library this run needs is not installed where the module runs."""

    def __init__(self, library, reason=None):
        super(MissingLibrary, self).__init__(missing_required_lib(library, reason=reason))


class Failed(NasjoinError):
    """A run that failed with a result to report (what it checked, did and left); ``msg`` already says what to do."""

    def __init__(self, msg, **result):
        super(Failed, self).__init__(msg)
        self.data = result

    def result(self):
        return dict(self.data)


def verdict(result):
    """``result`` as the run ends: returned, or raised as Failed when it says ``failed``."""
    if result.pop('failed', False):
        raise Failed(result.pop('msg'), **result)
    return result
