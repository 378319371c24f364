"""Query filters and options for query-style methods (core.get_jobs, dns.query).

Follows utils/filter_list.py (filter_list, opmap, validate_filters; ``get`` raises MatchNotFound), for the
subset of operators clients use: = != > >= < <= in nin ^ $ (no OR, no case-insensitive variants).
"""

import operator

from .errors import MatchNotFound

_OPS = {
    '=': operator.eq,
    '!=': operator.ne,
    '>': operator.gt,
    '>=': operator.ge,
    '<': operator.lt,
    '<=': operator.le,
    'in': lambda value, other: value in other,
    'nin': lambda value, other: value not in other,
    '^': lambda value, other: isinstance(value, str) and value.startswith(other),
    '$': lambda value, other: isinstance(value, str) and value.endswith(other),
}


def validate_filters(filters):
    """Refuse malformed filters (a pydantic AfterValidator of the query arguments)."""
    for flt in filters:
        if not isinstance(flt, (list, tuple)) or len(flt) != 3:
            raise ValueError(f'Invalid filter {flt}')
        if flt[1] not in _OPS:
            raise ValueError(f'Invalid operation: {flt[1]}')
    return filters


def _matches(item, flt):
    key, op, other = flt
    value = item
    for part in str(key).split('.'):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    try:
        return _OPS[op](value, other)
    except TypeError:
        return False


def filter_list(items, filters, options):
    """Apply query-filters and query-options (order_by, offset, limit, select, count, get)."""
    result = [item for item in items if all(_matches(item, flt) for flt in filters)]
    for key in reversed(options.get('order_by', [])):
        reverse = key.startswith('-')
        result.sort(key=lambda item, k=key.lstrip('-'): (item.get(k) is None, item.get(k)), reverse=reverse)
    offset, limit = options.get('offset', 0), options.get('limit', 0)
    result = result[offset:offset + limit] if limit else result[offset:]
    if options.get('select'):
        result = [{key: item[key] for key in options['select'] if key in item} for item in result]
    if options.get('count'):
        return len(result)
    if options.get('get'):
        if not result:
            raise MatchNotFound()
        return result[0]
    return result
