# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One exception type for everything that goes wrong between a module and the middleware.

PRIVATE to the collection. JSON-RPC errors, failed jobs and transport faults all become
``TrueNASError`` with a message that names what failed, the TrueNAS reason and a hint.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.nasjoin.entra.plugins.module_utils._errors import NasjoinError

# JSON-RPC codes used by the middleware (truenas_api_client/jsonrpc.py)
METHOD_NOT_FOUND = -32601
# the CallError (EBUSY) of an unauthenticated call over the limit (middlewared main.py authorize_method_call)
RATE_LIMITED = 'Rate Limit Exceeded'
RATE_LIMIT_HINT = ('TrueNAS rate-limits logins to 20 a minute per client address and NAS, whatever the API key: wait a '
                   'minute, then run again with fewer module runs against this NAS per minute (each run logs in once; '
                   'run fewer playbooks or tasks against the same NAS at once).')

NAS_TEXT_MAX = 2000  # characters of one text from the NAS (a reason, a field's message) kept in a message
# what a terminal, a log viewer or a report renderer would act on instead of showing: C0 and C1 controls (escape
# sequences, BEL, backspace, NUL), direction and invisible marks, separators of lines, lone surrogates
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]')
_BREAKS = re.compile(r'[\t\n\r]+')

_HINTS = {
    'ENOTAUTHENTICATED': 'log in first: give api_key (and api_username on TrueNAS 25.04+), or run on the NAS as root.',
    'EACCES': 'the API key belongs to a user without the needed role; use a key of a full administrator.',
    'EINVAL': 'fix the value named above and run again; nothing was changed by this call.',
}


def printable(text, limit=NAS_TEXT_MAX):
    """``text`` from the NAS as a message may show it: on one line (tabs and line breaks become a space), every other
    control, direction or invisible character and lone surrogate as its visible escape (``\\x1b``, ``\\u202e``),
    and at most ``limit`` characters of it, saying how many more there were."""
    text = text if isinstance(text, str) else str(text)
    cut = len(text) - limit
    text = _BREAKS.sub(' ', text[:limit] if cut > 0 else text)
    text = _UNSAFE.sub(lambda found: '\\x%02x' % ord(found.group()) if ord(found.group()) < 0x100
                       else '\\u%04x' % ord(found.group()), text)
    return text + ('... (%d more characters)' % cut if cut > 0 else '')


def _printable_extra(extra):
    """The ``extra`` entries of a NAS error ([attribute, message, errno]) with their texts made printable."""
    return [[printable(item[0]), printable(item[1])] + list(item[2:]) if len(item) > 1 else list(item)
            for item in extra if isinstance(item, (list, tuple))]


def field_matches(attribute, field):
    """True when an ``extra`` attribute path names ``field``.

    The middleware prefixes attribute paths inconsistently (``global_configuration_update.``,
    ``data.``, ``directoryservices.update.``), so match on the field suffix, never the prefix.
    """
    return attribute == field or attribute.endswith('.' + field)


class TrueNASError(NasjoinError):
    """A failed middleware call, job or connection, with a message a person can act on.

    ``job_id``: for EQUEUED, the id of the other caller's job that TrueNAS gave back for the call.
    """

    def __init__(self, message, method=None, errname=None, reason=None, extra=None, hint=None, code=None, job_id=None):
        super(TrueNASError, self).__init__(message)
        self.method = method
        self.errname = errname
        self.reason = reason
        self.extra = [list(item) for item in (extra or [])]
        self.hint = hint if hint is not None else RATE_LIMIT_HINT if self.rate_limited else _HINTS.get(errname)
        self.code = code
        self.job_id = job_id

    @property
    def rate_limited(self):
        """True for the middleware's refusal of an unauthenticated call (a login) over its rate limit."""
        return self.errname == 'EBUSY' and RATE_LIMITED in str(self.reason)

    def field_errors(self, field):
        """Messages of the ``extra`` entries whose attribute path ends with ``field``."""
        return [item[1] for item in self.extra if len(item) > 1 and field_matches(str(item[0]), field)]

    def result(self):
        """Structured data for ``fail_json`` (``job_id`` when there is one)."""
        error = {
            'method': self.method,
            'errname': self.errname,
            'reason': self.reason,
            'fields': [{'attribute': item[0], 'message': item[1]} for item in self.extra if len(item) > 1],
            'hint': self.hint,
        }
        if self.job_id is not None:
            error['job_id'] = self.job_id
        return {'error': error}


def _describe(method, errname, reason, extra):
    if extra:
        details = '; '.join('%s: %s' % (item[0], item[1]) for item in extra if len(item) > 1)
    else:
        details = reason or 'no reason given'
    return '%s failed%s: %s' % (method, ' [%s]' % errname if errname else '', details)


def from_rpc_error(method, error):
    """Build a TrueNASError from a JSON-RPC ``error`` object (see ws_handler/rpc.py)."""
    data = error.get('data') or {}
    code = error.get('code')
    if code == METHOD_NOT_FOUND:
        return TrueNASError(
            '%s does not exist on this TrueNAS.' % method, method=method, errname='ENOMETHOD', code=code,
            hint='this TrueNAS version does not offer the method; check the supported versions in the collection docs.')
    errname = data.get('errname')
    reason = printable(data.get('reason') or error.get('message') or '') or None
    extra = _printable_extra(data.get('extra') if isinstance(data.get('extra'), list) else [])
    return TrueNASError(_describe(method, errname, reason, extra), method=method, errname=errname,
                        reason=reason, extra=extra, code=code)


def from_job(method, job):
    """Build a TrueNASError from a FAILED or ABORTED ``core.get_jobs`` entry."""
    exc_info = job.get('exc_info') or {}
    extra = _printable_extra(exc_info.get('extra') if isinstance(exc_info.get('extra'), list) else [])
    if job.get('state') == 'ABORTED':
        reason = printable(job.get('error') or 'the job was aborted')
        return TrueNASError('%s (job %s) was aborted: %s' % (method, job.get('id'), reason), method=method,
                            errname='ECANCELED', reason=reason,
                            hint='someone or something aborted the job on the NAS; check its task manager and run again.')
    reason = printable(job.get('error') or exc_info.get('repr') or 'no reason given')
    errname = exc_info.get('type') if exc_info.get('type') == 'VALIDATION' else None
    message = _describe('%s (job %s)' % (method, job.get('id')), errname, reason, extra)
    return TrueNASError(message, method=method, errname=errname or 'EFAULT', reason=reason, extra=extra)
