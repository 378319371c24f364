"""Middleware exceptions and their JSON-RPC error objects.

Follows service_exception.py (CallError, ValidationError(s)), truenas_api_client/exc.py (custom errnos)
and api/base/server/ws_handler/rpc.py (format_truenas_error, send_truenas_validation_error).
"""

import errno
import traceback

INVALID_JSON = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
TOO_MANY_CONCURRENT_CALLS = -32000
CALL_ERROR = -32001

ENOMETHOD = 201
ENOTAUTHENTICATED = 207
_CUSTOM_ERRNAMES = {ENOMETHOD: 'ENOMETHOD', ENOTAUTHENTICATED: 'ENOTAUTHENTICATED'}


def errname(code):
    """Name of an errno, TrueNAS custom errnos included (service_exception.get_errname)."""
    return errno.errorcode.get(code) or _CUSTOM_ERRNAMES.get(code) or 'EUNKNOWN'


class CallError(Exception):
    """A graceful method failure: JSON-RPC -32001, reason prefixed with ``[ERRNAME] ``."""

    def __init__(self, errmsg, errno_=errno.EFAULT, extra=None):  # pylint: disable=super-init-not-called
        # Like the middleware's, args come from the constructor call: repr() is CallError('msg', 14).
        self.errmsg = errmsg
        self.errno = errno_
        self.extra = extra

    def __str__(self):
        return f'[{errname(self.errno)}] {self.errmsg}'


class MethodNotFoundError(CallError):
    """utils/service/call.py MethodNotFoundError: ENOMETHOD "Method '<name>' not found in '<service>'"."""

    def __init__(self, method_name, service):
        super().__init__(f'Method {method_name!r} not found in {service!r}', ENOMETHOD)


class ValidationErrors(Exception):
    """A list of (attribute, errmsg, errno) triples: JSON-RPC -32602."""

    def __init__(self, errors=None):
        self.errors = list(errors or [])
        super().__init__(self.errors)

    def add(self, attribute, errmsg, errno_=errno.EINVAL):
        self.errors.append((attribute, errmsg, errno_))

    def add_child(self, attribute, child):
        for attr, errmsg, errno_ in child.errors:
            self.add(f'{attribute}.{attr}', errmsg, errno_)

    def extend(self, other):
        self.errors.extend(other.errors)

    def check(self):
        if self.errors:
            raise self

    def __bool__(self):
        return bool(self.errors)

    def __str__(self):
        return ''.join(f'[{errname(code)}] {attr}: {msg}\n' for attr, msg, code in self.errors)


class InstanceNotFound(ValidationErrors):
    """One ValidationError with attribute None and errno ENOENT (service_exception.InstanceNotFound)."""

    def __init__(self, errmsg):
        super().__init__([(None, errmsg, errno.ENOENT)])
        self.errno = errno.ENOENT

    def __str__(self):
        return super().__str__().rstrip('\n')


class MatchNotFound(IndexError):
    """``{"get": true}`` matched nothing (utils/filter_list.py)."""


def _trace(exc):
    return {
        'class': type(exc).__name__,
        'frames': [],
        'formatted': ''.join(traceback.format_exception(exc)),
        'repr': repr(exc),
    }


def error_object(exc):
    """The JSON-RPC ``error`` member for an exception raised by a method."""
    if isinstance(exc, ValidationErrors):
        code, message, errno_, reason, extra = INVALID_PARAMS, 'Invalid params', errno.EINVAL, str(exc), exc.errors
    elif isinstance(exc, CallError):
        code, message, errno_, reason, extra = CALL_ERROR, 'Method call error', exc.errno, str(exc), exc.extra
    else:
        code, message, errno_, reason, extra = CALL_ERROR, 'Method call error', errno.EINVAL, str(exc) or repr(exc), None
    data = {'error': errno_, 'errname': errname(errno_), 'reason': reason, 'trace': _trace(exc), 'extra': extra}
    return {'code': code, 'message': message, 'data': data}
