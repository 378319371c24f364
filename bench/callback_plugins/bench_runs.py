"""Callback of the fleet benchmark: every task result as (host, action, changed), and every task's start and end
(monotonic seconds), written as JSON to $BENCH_RUNS_FILE when the playbook ends. Enabled by bench/fleet.py only
(ANSIBLE_CALLBACKS_ENABLED=bench_runs)."""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: bench_runs
type: aggregate
short_description: task results and task times for bench/fleet.py
description: Writes every task result as host, action and changed, and every task's start and end, to the file in
  BENCH_RUNS_FILE.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_runs'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.results = []
        self.tasks = []

    def _record(self, result, status):
        self.results.append({'host': result.host.get_name(), 'action': result.task.action, 'status': status,
                             'changed': result.is_changed(), 'run_once': bool(result.task.run_once)})

    def _close_task(self):
        if self.tasks and self.tasks[-1]['ended'] is None:
            self.tasks[-1]['ended'] = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self.tasks.append({'action': task.action, 'name': task.get_name(), 'started': time.monotonic(), 'ended': None})

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        with open(os.environ['BENCH_RUNS_FILE'], 'w', encoding='utf-8') as handle:
            json.dump({'results': self.results, 'tasks': self.tasks}, handle)
