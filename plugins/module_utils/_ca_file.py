# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CA certificate files, checked before TLS reads them.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.nasjoin.entra.plugins.module_utils._values import shown

PEM_MARK = b'-----BEGIN CERTIFICATE-----'

PATH_SHOWN = 300  # characters of a path shown in a message

CA_FILE_MAX = 4 * 1024 * 1024  # bytes read of a CA file: a bundle of every public CA is about 250 KB


def ca_file(value, name, directory=True):
    """A CA certificate file in PEM form (or, when ``directory``, a directory of them), checked before TLS reads it."""
    try:
        mode = os.stat(value).st_mode
    except (OSError, TypeError, ValueError) as exc:
        raise ValueError('%s: %s cannot be read (%s).' % (name, shown(value, PATH_SHOWN), getattr(exc, 'strerror', None) or exc))
    if stat.S_ISDIR(mode) and directory:
        return value
    if not stat.S_ISREG(mode):
        raise ValueError('%s: %s is not a regular file (a directory, device, FIFO or socket); give the CA certificate '
                         'file (PEM).' % (name, shown(value, PATH_SHOWN)))
    try:
        with open(value, 'rb') as handle:
            head = handle.read(CA_FILE_MAX)
    except OSError as exc:
        raise ValueError('%s: %s cannot be read (%s).' % (name, shown(value, PATH_SHOWN), exc.strerror))
    if PEM_MARK not in head:
        raise ValueError('%s: %s is not a certificate file: it holds no PEM certificate (%s); give the CA certificate '
                         'in PEM form.' % (name, shown(value, PATH_SHOWN), PEM_MARK.decode()))
    return value
