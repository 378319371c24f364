"""Registry of emulated API methods, per personality.

Follows api/base/decorator.py (``api_method``: authentication_required, rate_limit) and service/decorators.py
(``job``). Plugin modules register their handlers with :func:`api_method` when imported.
A handler is ``async def handler(ctx, *args)`` (``async def handler(ctx, job, *args)`` for jobs); ``ctx`` is
the :class:`server.Call` being answered. ``versions``: the personalities that have the method (``since('25.10')``:
that release and every later one); one handler serves several releases where the source did not change.
Which /api/<version> paths serve a method, and where it is private: api_versions.py.
"""

from dataclasses import dataclass
from typing import Callable

from .models import NoArgs
from .personalities import NAMES


@dataclass(frozen=True)
class Method:
    """One method of one personality."""

    name: str
    handler: Callable
    args: type | None = NoArgs  # pydantic model of the params, or None when the handler validates them
    auth: bool = True           # False: callable before login (then rate limited unless rate_limit is False)
    rate_limit: bool = True
    job: bool = False
    write: bool = False         # a job that changes the NAS (counted as a write when it runs)
    redact: Callable | None = None  # job params -> the ``arguments`` core.get_jobs shows (secrets removed)
    lock: str | None = None     # @job(lock=...): jobs of one lock run one after the other, the others WAITING
    lock_queue_size: int = 5    # @job(lock_queue_size=...): WAITING jobs of the lock beyond which a call gets the last


REGISTRY = {name: {} for name in NAMES}


def api_method(name, *, versions=NAMES, **options):
    """Decorator: register the handler as ``name`` on the given personalities."""
    def register(handler):
        for version in versions:
            REGISTRY[version][name] = Method(name, handler, **options)
        return handler
    return register


def methods_for(personality_name):
    """The method table of a personality (plugin modules must have been imported)."""
    return dict(REGISTRY[personality_name])
