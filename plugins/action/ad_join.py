# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_join runs in Ansible's worker when it would run on the controller's own Python (see plugin_utils.in_worker)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.plugin_utils.in_worker import ActionModule  # noqa: F401 pylint: disable=unused-import
