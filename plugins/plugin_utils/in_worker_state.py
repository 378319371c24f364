# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module run changes in the process that runs it, put back after each run in Ansible's worker.

An AnsiballZ module has a process of its own; in the worker, the items of a ``loop:`` run one after the other in one
process. So each run starts as a new process would (the task's environment added, no warning recorded, no temporary
directory cached, a temporary directory of its own) and everything is put back afterwards, whatever happened.

PRIVATE to the collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import locale
import os
import shutil
import tempfile

from ansible.module_utils import basic
from ansible.module_utils.common import warnings

MESSAGES = ('_global_warnings', '_global_deprecations')  # what module_utils records for the module's result


def _module_globals():
    """basic's module-wide state: the arguments and their profile (``_ANSIBLE_*``), the parsed arguments."""
    return {name: value for name, value in vars(basic).items() if name.startswith('_ANSIBLE_') or name == '_PARSED_MODULE_ARGS'}


class ProcessState:
    """A snapshot of what a module run may change: environment, working directory, locale, basic's module globals,
    the recorded warnings and deprecations, tempfile's cached directory; and a temporary directory for the run, made
    under ``parent``."""

    def __init__(self, parent):
        self.environ, self.cwd, self.locale = dict(os.environ), os.getcwd(), locale.setlocale(locale.LC_ALL)
        self.module_globals, self.tempdir = _module_globals(), tempfile.tempdir
        self.messages = dict((name, getattr(warnings, name)) for name in MESSAGES)
        self.tmpdir = tempfile.mkdtemp(prefix='ansible-moduletmp-', dir=parent)

    def fresh(self, environment):
        """Start a run as a new process: ``environment`` added, nothing recorded, no temporary directory cached."""
        os.environ.update(environment)
        for name, value in self.messages.items():
            setattr(warnings, name, type(value)())
        tempfile.tempdir = None

    def restore(self):
        """Put the snapshot back and remove the run's temporary directory (the working directory last: it may fail)."""
        for name in set(os.environ) - set(self.environ):
            del os.environ[name]
        os.environ.update((name, value) for name, value in self.environ.items() if os.environ.get(name) != value)
        for name in set(_module_globals()) - set(self.module_globals):
            delattr(basic, name)
        for name, value in self.module_globals.items():
            setattr(basic, name, value)
        for name, value in self.messages.items():
            setattr(warnings, name, value)
        tempfile.tempdir = self.tempdir
        locale.setlocale(locale.LC_ALL, self.locale)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        os.chdir(self.cwd)
