# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many reads in one call: ``core.bulk`` (service/core_service.py), nested to cover several methods.

PRIVATE to the collection. ``core.bulk(method, [params, ...])`` is a job that calls ``method`` once per entry
and answers ``[{job_id, result, error}, ...]``: a failed call is its entry's error text, the job still
succeeds. Its method may be ``core.bulk`` itself, so one job answers reads of several methods:
``core.bulk('core.bulk', [[method, [params, ...]], ...])``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import TrueNASError


def _key(method, params):
    return method, json.dumps(list(params), sort_keys=True)


def _reason(text):
    """The error text of an entry; a KeyError's (an unknown account) comes quoted by str()."""
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == "'" else text


class Batched:
    """``client`` with reads answered up front, each ``prefetch`` [(method, params tuple)] by one core.bulk job.

    ``call`` of a read answered up front returns its answer (or raises its error as the call would); every
    other call, and every read when the bulk job itself failed (a key without the right to call core.bulk),
    goes to the client. Anything else (``version``, ``call_job``) is the client's.
    """

    def __init__(self, client):
        self.client = client
        self.answers = {}

    def prefetch(self, reads):
        by_method = {}
        for method, params in reads:
            by_method.setdefault(method, []).append(list(params))
        if not by_method:
            return
        items = [[method, entries] for method, entries in by_method.items()]
        try:
            outer = self.client.call_job('core.bulk', 'core.bulk', items)
        except TrueNASError as exc:
            if exc.errname == 'ECONNECTION':
                raise
            return
        for (method, entries), answer in zip(items, outer or []):
            for params, entry in zip(entries, answer.get('result') or []):
                self.answers[_key(method, params)] = entry

    def call(self, method, *params, **kwargs):
        entry = self.answers.get(_key(method, params))
        if entry is None:
            return self.client.call(method, *params, **kwargs)
        if entry.get('error') is not None:
            reason = _reason(entry['error'])
            raise TrueNASError('%s failed: %s' % (method, reason), method=method, reason=reason)
        return entry.get('result')

    def __getattr__(self, name):
        return getattr(self.client, name)
