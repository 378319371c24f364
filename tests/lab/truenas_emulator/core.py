"""Jobs, job events and the core.* methods.

Follows job.py (Job.__encode__, set_progress, run, wrap, wait; JobsQueue.add/next and JobSharedLock: a job of a
lock stays WAITING until the jobs of that lock before it ended, and beyond ``lock_queue_size`` WAITING jobs a call
gets the last of them instead of a new job) and service/core_service.py (get_jobs, job_wait, subscribe,
unsubscribe, set_options, ping, bulk). Later plugin areas add job methods with :func:`steps_job`.
A job body raising :class:`MiddlewareStopped` (the ``middleware_stops`` fault) ends the middleware process there:
see ``Emulator.middleware_stopped``.
"""

import asyncio
import collections
import dataclasses
import traceback
import uuid
from datetime import datetime, timezone

from . import models
from .api import api_method
from .errors import ENOMETHOD, CallError, InstanceNotFound, MethodNotFoundError, ValidationErrors
from .personalities import since
from .filters import filter_list


class MiddlewareStopped(BaseException):
    """The middleware process stops in the middle of a job (fault ``middleware_stops``): no ``except Exception`` of a
    job body runs (nothing reverts); ``restart``: systemd starts it again at once, else the NAS is down until a test
    starts it again (a power cut)."""

    def __init__(self, step, restart):
        super().__init__(f'middleware stopped at {step}')
        self.restart = restart


class Job:  # pylint: disable=too-many-instance-attributes
    """One long-running call, as core.get_jobs shows it."""

    def __init__(self, jobs, job_id, call, args, lock=None):
        self._jobs = jobs
        self.id = job_id
        self.lock = lock
        self.method = call.method
        self.arguments = list(args)
        self.message_ids = [call.id] if call.id else []
        self.credentials = call.app.credentials
        self.progress = {'percent': 0, 'description': '', 'extra': None}
        self.state = 'WAITING'
        self.result = self.error = self.exception = self.exc = None
        self.time_started = datetime.now(timezone.utc)
        self.time_finished = None
        self.finished = asyncio.Event()
        self.wrapped = []

    async def step(self, percent, description=None, seconds=0.0, extra=None):
        """Report progress, then take ``seconds`` (what a job body does between its stages)."""
        self.set_progress(percent, description, extra)
        await asyncio.sleep(seconds)

    def set_progress(self, percent=None, description=None, extra=None):
        """Change only what is given; send a ``changed`` event when something changed (job.py set_progress)."""
        new = dict(self.progress)
        if percent is not None:
            new['percent'] = int(percent)
        if description:
            new['description'] = description
        if extra:
            new['extra'] = extra
        if new != self.progress:
            self.progress = new
            self._jobs.changed(self)
        for wrapper in self.wrapped:
            wrapper.set_progress(**self.progress)

    def encode(self):
        """The core.get_jobs entry (``message_ids`` from 25.10 on)."""
        entry = {
            'id': self.id, 'method': self.method, 'arguments': self.arguments, 'transient': False,
            'description': None, 'abortable': False, 'logs_path': None, 'logs_excerpt': None,
            'progress': dict(self.progress), 'result': self.result if self.state == 'SUCCESS' else None,
            'result_encoding_error': None, 'error': self.error, 'exception': self.exception,
            'exc_info': self._exc_info(), 'state': self.state, 'time_started': self.time_started,
            'time_finished': self.time_finished,
            'credentials': self.credentials.dump() if self.credentials else None,
        }
        if self._jobs.with_message_ids:
            entry['message_ids'] = list(self.message_ids)
        return entry

    def _exc_info(self):
        if self.exc is None:
            return None
        if isinstance(self.exc, ValidationErrors):
            kind, code, extra = 'VALIDATION', getattr(self.exc, 'errno', None), self.exc.errors
        elif isinstance(self.exc, CallError):
            kind, code, extra = 'CallError', self.exc.errno, self.exc.extra
        else:
            kind, code, extra = type(self.exc).__name__, None, None
        return {'repr': repr(self.exc), 'type': kind, 'errno': code, 'extra': extra}

    async def wait(self, raise_error=False, forward=(CallError,)):
        """The job's result once finished; with ``raise_error`` its error: the exception itself when it is one
        of ``forward``, else a CallError with its text (job.py wait)."""
        await self.finished.wait()
        if raise_error and self.error:
            raise self.exc if isinstance(self.exc, forward) else CallError(self.error)
        return self.result


class Jobs:
    """The job list of one emulated NAS: the last 1000 jobs (job.py JobsDeque)."""

    def __init__(self, emu):
        self.emu = emu
        self.with_message_ids = emu.personality.name != '25.04'
        self._jobs = collections.OrderedDict()
        self._next_id = 1
        self._locks = {}

    def get(self, job_id):
        return self._jobs.get(job_id)

    def encoded(self):
        return [job.encode() for job in self._jobs.values()]

    def submit(self, call, method, args):
        """Queue a job for ``method`` (an api.Method) and start it; return the Job (with ``lock_queue_size`` jobs of
        its lock WAITING already: the last of those, which gets the call's message id)."""
        queued = [job for job in self._jobs.values() if method.lock and job.lock == method.lock and job.state == 'WAITING']
        if method.lock and len(queued) >= method.lock_queue_size:
            queued[-1].message_ids += [call.id] if call.id else []
            self.changed(queued[-1])
            return queued[-1]
        job = Job(self, self._next_id, call, method.redact(args) if method.redact else args, method.lock)
        self._next_id += 1
        self._jobs[job.id] = job
        while len(self._jobs) > 1000:
            self._jobs.popitem(last=False)
        self._event('ADDED', job)
        self.emu.spawn(self._run(job, method, call, args))
        return job

    def changed(self, job):
        self._event('CHANGED', job)

    def _event(self, kind, job):
        self.emu.server.send_event('core.get_jobs', kind, job.id, job.encode())

    async def _run(self, job, method, call, args):
        if job.lock is None:
            await self._body(job, method, call, args)
            return
        async with self._locks.setdefault(job.lock, asyncio.Lock()):  # JobsQueue.next: WAITING until the lock is free
            await self._body(job, method, call, args)

    async def _body(self, job, method, call, args):
        job.state = 'RUNNING'
        self.changed(job)
        try:
            fault = self.emu.faults.take('job_outcome', job.method)
            if fault:
                raise _fault_exception(fault)
            if method.write:
                self.emu.stats.write(job.method)
            job.result = await method.handler(call, job, *args)
            job.state = 'SUCCESS'
        except MiddlewareStopped as stop:
            await self.emu.middleware_stopped(stop.restart)
            return
        except asyncio.CancelledError:
            job.state = 'ABORTED'
        except Exception as exc:  # pylint: disable=broad-except  # any failure of a job body fails the job
            job.state, job.exc, job.error = 'FAILED', exc, str(exc)
            job.exception = ''.join(traceback.format_exception(exc))
        job.time_finished = datetime.now(timezone.utc)
        job.finished.set()
        self.changed(job)


def _fault_exception(fault):
    if fault['state'] == 'ABORTED':
        return asyncio.CancelledError()
    if fault['validation']:
        return ValidationErrors([tuple(error) for error in fault['validation']])
    return CallError(fault['error'], fault['errno'], fault['extra'])


def steps_job(steps, result=None):
    """A job body walking through ``steps`` of (percent, description, seconds), then returning ``result``
    (or ``result(*args)`` when callable)."""
    async def body(ctx, job, *args):  # pylint: disable=unused-argument
        for percent, description, seconds in steps:
            await job.step(percent, description, seconds)
        return result(*args) if callable(result) else result
    return body


# follows service/core_service.py (ping): authentication_required=False from 25.10 on
@api_method('core.ping', versions=('25.04',))
@api_method('core.ping', versions=since('25.10'), auth=False)
async def ping(ctx):  # pylint: disable=unused-argument
    return 'pong'


# follows service/core_service.py (get_jobs) and utils/filter_list.py
@api_method('core.get_jobs', args=models.QueryArgs)
async def get_jobs(ctx, filters, options):
    return filter_list(ctx.emu.jobs.encoded(), filters, options)


# follows service/core_service.py (job_wait, a job itself) and job.py (wrap)
@api_method('core.job_wait', args=models.CoreJobWaitArgs, job=True)
async def job_wait(ctx, job, job_id):
    target = ctx.emu.jobs.get(job_id)
    if target is None:
        raise InstanceNotFound(f'Job with id {job_id} does not exist')
    job.set_progress(**target.progress)
    target.wrapped.append(job)
    return await target.wait(raise_error=True)


# follows service/core_service.py (bulk, a job) and utils/service/call.py (get_method): ``method`` once per entry of
# ``params``, in order, each through the method's own parameter check; a job's result is awaited; a failure is that
# entry's error text (str of the exception), never the bulk job's. core.bulk may name core.bulk.
@api_method('core.bulk', args=models.CoreBulkArgs, job=True)
async def bulk(ctx, job, method, params, description):  # pylint: disable=unused-argument
    target = ctx.emu.methods.get(method)
    if target is None:
        service, dummy, name = method.rpartition('.')
        if not any(known.startswith(service + '.') for known in ctx.emu.methods):
            raise CallError(f'Service {service!r} not found', ENOMETHOD)
        raise MethodNotFoundError(name, service)
    call = dataclasses.replace(ctx, method=method, id=None)
    statuses = []
    for index, entry in enumerate(params):
        job.set_progress(100 * index / len(params), f'{index} / {len(params)}')
        status = {'job_id': None, 'result': None, 'error': None}
        try:
            args = models.accept_params(target.args, entry, ctx.emu.personality.folds_union_errors) if target.args \
                else list(entry)
            if target.job:
                inner = ctx.emu.jobs.submit(call, target, args)
                status['job_id'], status['result'] = inner.id, await inner.wait()
                status['error'] = inner.error
            else:
                status['result'] = await target.handler(call, *args)
        except Exception as exc:  # pylint: disable=broad-except  # core_service.py: every failure is the entry's error
            status['error'] = str(exc)
        statuses.append(status)
    return statuses


# follows service/core_service.py (subscribe) and api/base/server/ws_handler/rpc.py (subscribe)
@api_method('core.subscribe', args=models.CoreSubscribeArgs)
async def subscribe(ctx, event):
    ident = str(uuid.uuid4())
    ctx.app.subscriptions[ident] = event
    return ident


# follows service/core_service.py (unsubscribe)
@api_method('core.unsubscribe', args=models.CoreUnsubscribeArgs)
async def unsubscribe(ctx, ident):
    ctx.app.subscriptions.pop(ident, None)


# follows service/core_service.py (set_options) with api/v25_04_0/core.py: only py_exceptions, returns null
@api_method('core.set_options', versions=('25.04',), args=models.CoreSetOptionsArgsV2504, auth=False, rate_limit=False)
async def set_options_v25_04(ctx, options):
    ctx.app.options.update(options)


# follows service/core_service.py (set_options) with api/v25_10_0/core.py (CoreOptions: legacy_jobs, ...; the same in
# api/v26_0_0 and api/v27_0_0)
@api_method('core.set_options', versions=since('25.10'), args=models.CoreSetOptionsArgsV2510, auth=False, rate_limit=False)
async def set_options_v25_10(ctx, options):
    ctx.app.options.update(options)
    return dict(ctx.app.options)
