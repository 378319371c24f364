# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network global configuration of TrueNAS (network.configuration.*) as the steps read it.

PRIVATE to the collection. TrueNAS holds three nameserver slots (plugins/network_/global_config.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NAMESERVER_SLOTS = ('nameserver1', 'nameserver2', 'nameserver3')


def nameservers(config):
    """The nameservers of a network configuration (or of its ``state``), in slot order, empty slots left out."""
    return [config[slot] for slot in NAMESERVER_SLOTS if config.get(slot)]
