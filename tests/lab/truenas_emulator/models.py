"""Argument models of the new-style (pydantic) API methods and their validation.

Follows api/base/model.py (BaseModel config), api/base/handler/accept.py (accept_params, validate_model),
api/v25_10_0/common.py (QueryArgs), api/v25_10_0/core.py, api/v25_04_0/core.py and api/v25_10_0/auth.py.
In these models a default of None means "not given": such keys are left out of the validated arguments.
"""

import errno
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .errors import ValidationErrors
from .filters import validate_filters


class Model(BaseModel):
    """The middleware's model settings: unknown keys refused, no type coercion, strings up to 1024."""

    model_config = ConfigDict(extra='forbid', strict=True, str_max_length=1024)


def validate(model, params, fold_unions=False):
    """api/base/handler/accept.py accept_params/validate_model: the validated instance of ``model`` for the
    positional ``params``, or ValidationErrors with the middleware's attribute paths.

    The paths are pydantic's locations joined with dots, union member tags included (``data.nameserver1.literal['']``
    and ``data.nameserver1.function-after[...]`` for a non-IP nameserver), as in accept.py of every 25.04 and 25.10
    release (TS-25.10.0 to TS-25.10.3). ``fold_unions`` (26 on: commit 0543739bdc, NAS-138917, kept at HEAD): an error
    whose last location part has "[" or "(" (a union member's tag) goes to its field instead, that field's member
    messages joined with " or " in one entry, after the other entries."""
    fields = list(model.model_fields)
    if len(params) > len(fields):
        raise ValidationErrors([('', f'Too many arguments (expected {len(fields)}, found {len(params)})', errno.EINVAL)])
    try:
        return model(**dict(zip(fields, params)))
    except ValidationError as exc:
        verrors, union_errors = ValidationErrors(), {}
        for error in exc.errors():
            loc, msg = [str(part) for part in error['loc']], error['msg']
            if error['type'] == 'union_tag_not_found':
                loc.append(error['ctx']['discriminator'].strip("'"))
                msg = 'Field required'
            elif fold_unions and loc and ('[' in loc[-1] or '(' in loc[-1]):
                union_errors.setdefault('.'.join(loc[:-1]), []).append(msg)
                continue
            verrors.add('.'.join(loc), msg)
        for attribute, messages in union_errors.items():
            verrors.add(attribute, ' or '.join(messages))
        raise verrors from None


def accept_params(model, params, fold_unions=False):
    """Validate positional ``params`` against ``model``; return them in order or raise ValidationErrors."""
    instance = validate(model, params, fold_unions)
    fields = list(model.model_fields)
    return [_plain(getattr(instance, field)) for field in fields]


def _plain(value):
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


class NoArgs(Model):
    """Methods without arguments."""


class QueryOptions(Model):
    extra: dict = {}
    order_by: list[str] = []
    select: list[str | list] = []
    count: bool = False
    get: bool = False
    offset: int = 0
    limit: int = 0
    force_sql_filters: bool = False


class QueryArgs(Model):
    filters: Annotated[list, AfterValidator(validate_filters)] = []
    options: QueryOptions = QueryOptions()


class CoreJobWaitArgs(Model):
    id: int


class CoreBulkArgs(Model):
    method: str
    params: list[list]
    description: str | None = None


class CoreSubscribeArgs(Model):
    event: str


class CoreUnsubscribeArgs(Model):
    id_: str


class _CoreOptionsV2504(Model):
    model_config = ConfigDict(extra='ignore', strict=True)
    py_exceptions: bool | None = None


class _CoreOptionsV2510(_CoreOptionsV2504):
    legacy_jobs: bool | None = None
    private_methods: bool | None = None


class CoreSetOptionsArgsV2504(Model):
    options: _CoreOptionsV2504


class CoreSetOptionsArgsV2510(Model):
    options: _CoreOptionsV2510


class _LoginOptions(Model):
    user_info: bool = True


class _ApiKeyPlain(Model):
    mechanism: Literal['API_KEY_PLAIN']
    username: str
    api_key: str
    login_options: _LoginOptions = _LoginOptions()


class _PasswordPlain(Model):
    mechanism: Literal['PASSWORD_PLAIN']
    username: str
    password: str
    login_options: _LoginOptions = _LoginOptions()


class _TokenPlain(Model):
    mechanism: Literal['TOKEN_PLAIN']
    token: str
    login_options: _LoginOptions = _LoginOptions()


class _OtpToken(Model):
    mechanism: Literal['OTP_TOKEN']
    otp_token: str
    login_options: _LoginOptions = _LoginOptions()


class AuthLoginExArgs(Model):
    login_data: Annotated[Union[_ApiKeyPlain, _PasswordPlain, _TokenPlain, _OtpToken], Field(discriminator='mechanism')]


class AuthLoginArgs(Model):
    username: str
    password: str
    otp_token: str | None = None


class AuthLoginWithApiKeyArgs(Model):
    api_key: str
