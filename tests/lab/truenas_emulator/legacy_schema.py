"""The legacy ``@accepts`` schema used by 25.04's network.configuration.update.

Follows schema/attribute.py, schema/string_schema.py (Str, IPAddr, URI), schema/enum.py, schema/list_schema.py,
schema/dict_schema.py, schema/adaptable_schemas.py (Bool), schema/processor.py (clean_and_validate_args) and
validators.py (Match, Hostname): values are first cleaned (type checks, unknown keys), and only when that
succeeds validated (lengths, patterns), every error carrying its dotted attribute path.
"""

import copy
import errno
import ipaddress
import re
from urllib.parse import urlparse

from .errors import CallError, ValidationErrors

NOT_PROVIDED = object()


class SchemaError(Exception):
    """One cleaning error (schema/exceptions.py Error)."""

    def __init__(self, attribute, errmsg):
        super().__init__(attribute, errmsg)
        self.attribute, self.errmsg = attribute, errmsg

    def __str__(self):
        return f'[{self.attribute}] {self.errmsg}'


def match(pattern, flags=0):
    """validators.py Match: ValueError "Value does not match <pattern repr> pattern"."""
    regex = re.compile(pattern, flags)

    def validator(value):
        if value is not None and not regex.match(value):
            raise ValueError(f'Value does not match {pattern!r} pattern')
    return validator


validate_hostname = match(r'^[a-z\.\-0-9]*[a-z0-9]$', re.IGNORECASE)


class Attribute:
    def __init__(self, name, required=False, null=False, validators=(), default=NOT_PROVIDED):
        self.name, self.required, self.null, self.validators, self.default = name, required, null, validators, default

    def clean(self, value):
        if value is None and not self.null:
            raise SchemaError(self.name, 'null not allowed')
        if value is NOT_PROVIDED:
            if self.default is NOT_PROVIDED:
                raise SchemaError(self.name, 'attribute required')
            return copy.deepcopy(self.default)
        return value

    def validate(self, value):
        verrors = ValidationErrors()
        for validator in self.validators:
            try:
                validator(value)
            except ValueError as exc:
                verrors.add(self.name, str(exc))
        verrors.check()


class Str(Attribute):
    def __init__(self, name, enum=None, **kwargs):
        super().__init__(name, **kwargs)
        self.enum = enum

    def clean(self, value):
        value = super().clean(value)
        if self.enum is not None and value not in self.enum:
            raise SchemaError(self.name, f'Invalid choice: {value}')
        if value is None:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise SchemaError(self.name, 'Not a string')
        return value

    def validate(self, value):
        if value is None:
            return
        if value and len(str(value)) > 1024:
            raise ValidationErrors([(self.name, 'The value may not be longer than 1024 characters', errno.EINVAL)])
        super().validate(value)


class IPAddr(Str):
    def __init__(self, name, allow_zone_index=False, **kwargs):
        super().__init__(name, **kwargs)
        self.allow_zone_index = allow_zone_index

    def clean(self, value):
        value = super().clean(value)
        if value:
            zone = None
            if self.allow_zone_index and '%' in value:
                value, zone = value.rsplit('%', 1)
            try:
                address = ipaddress.ip_address(value)
                if zone is not None and address.version != 6:
                    raise ValueError('Zone index is allowed only for IPv6 addresses')
            except ValueError as exc:
                raise SchemaError(self.name, str(exc)) from None
            value = str(address) + (f'%{zone}' if zone is not None else '')
        return value


class URI(Str):
    def validate(self, value):
        super().validate(value)
        if value and not all((urlparse(value).scheme, urlparse(value).netloc)):
            raise ValidationErrors([(self.name, 'Not a valid URI', errno.EINVAL)])


class Bool(Attribute):
    def clean(self, value):
        value = super().clean(value)
        if value is not None and not isinstance(value, bool):
            raise SchemaError(self.name, 'Not a boolean')
        return value


class List(Attribute):
    def __init__(self, name, items=(), **kwargs):
        super().__init__(name, default=[], **kwargs)
        self.items = items

    def clean(self, value):
        value = super().clean(value)
        if not isinstance(value, (list, tuple)):
            raise SchemaError(self.name, 'Not a list')
        value = list(value)
        for index, item in enumerate(value):
            found = None
            for attr in self.items:
                try:
                    value[index] = attr.clean(copy.deepcopy(item))
                    found = True
                    break
                except (SchemaError, ValidationErrors) as exc:
                    found = exc
            if found is not True:
                raise SchemaError(self.name, f'Item#{index} is not valid per list types: {found}')
        return value

    def validate(self, value):
        verrors = ValidationErrors()
        for index, item in enumerate(value or []):
            item_errors = ValidationErrors()
            for attr in self.items:
                try:
                    attr.validate(item)
                    break
                except ValidationErrors as exc:
                    item_errors.add_child(f'{self.name}.{index}', exc)
            else:
                verrors.extend(item_errors)
        verrors.check()


class Dict(Attribute):
    def __init__(self, name, *attrs, update=False, **kwargs):
        super().__init__(name, default={}, **kwargs)
        self.attrs = {attr.name: attr for attr in attrs}
        self.update = update

    def clean(self, value):
        value = super().clean(value)
        if not isinstance(value, dict):
            raise SchemaError(self.name, 'A dict was expected')
        value, verrors = dict(value), ValidationErrors()
        for key in list(value):
            if key not in self.attrs:
                verrors.add(f'{self.name}.{key}', 'Field was not expected')
                continue
            value[key] = self._clean_attr(self.attrs[key], value[key], verrors)
        if not self.update:
            for attr in self.attrs.values():
                if attr.name not in value and (attr.required or attr.default is not NOT_PROVIDED):
                    value[attr.name] = self._clean_attr(attr, NOT_PROVIDED, verrors)
        verrors.check()
        return value

    def _clean_attr(self, attr, value, verrors):
        try:
            return attr.clean(value)
        except SchemaError as exc:
            verrors.add(f'{self.name}.{exc.attribute}', exc.errmsg)
        except ValidationErrors as exc:
            verrors.add_child(self.name, exc)
        return None

    def validate(self, value):
        verrors = ValidationErrors()
        for attr in self.attrs.values():
            if attr.name in value:
                try:
                    attr.validate(value[attr.name])
                except ValidationErrors as exc:
                    verrors.add_child(self.name, exc)
        verrors.check()


def accept(schema, params):
    """schema/processor.py clean_and_validate_args for a one-argument method: the cleaned argument."""
    if len(params) > 1:
        raise CallError(f'Too many arguments (expected 1, found {len(params)})')
    value = params[0] if params else NOT_PROVIDED
    try:
        value = schema.clean(value)
        schema.validate(value)
    except SchemaError as exc:
        raise ValidationErrors([(exc.attribute, exc.errmsg, errno.EINVAL)]) from None
    return value
