# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Addresses shown without the credentials a user may have put in them.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# user information in an address: everything up to the last "@" (or its percent-encoded form)
_USERINFO = re.compile(r'^(.*)(@|%40)', re.IGNORECASE)


def _authority(text):
    """The part of an address between ``scheme://`` and the path, query or fragment."""
    return re.split(r'[/?#\\]', text.split('://', 1)[-1], maxsplit=1)[0]


def has_credentials(text):
    """True when the address ``text`` holds user information (``user:key@``), plain or percent-encoded."""
    return bool(isinstance(text, str) and _USERINFO.match(_authority(text)))


def redacted(text):
    """``text`` with its user information, if any, replaced by asterisks (anything but text as it is)."""
    if not has_credentials(text):
        return text
    authority = _authority(text)
    return text.replace(authority, _USERINFO.sub('********@', authority), 1)
