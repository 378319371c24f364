# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report: write the join playbook's report of every host, on the controller (a dry run's to files of its own)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import glob
import json
import os
import re
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_junit import to_junit
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_merge import MergeError, merge, summary
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import describe, fleet, host_record
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_render import to_html, to_markdown

RENDERERS = {
    'json': ('fleet-report.json', lambda report: json.dumps(report, indent=2, sort_keys=True) + '\n'),
    'markdown': ('fleet-report.md', to_markdown),
    'html': ('fleet-report.html', to_html),
    'junit': ('fleet-report.junit.xml', to_junit),
}
DEFAULT_FORMATS = ['json', 'markdown', 'html']
DRY_RUN_SUFFIX = '-dry-run'  # fleet-report-dry-run.json: a dry run never replaces a real run's report
NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$')


def file_name(fmt, dry_run, name=None):
    """The report file of a format: a named report (a slice, a job) and a dry run's have names of their own."""
    stem, dot, ext = RENDERERS[fmt][0].partition('.')
    return '%s%s%s%s%s' % (stem, '-' + name if name else '', DRY_RUN_SUFFIX if dry_run else '', dot, ext)


def _write(path, text):
    """Write ``text`` to ``path`` atomically; False when it already held exactly that."""
    if os.path.exists(path):
        with open(path, encoding='utf-8') as current:
            if current.read() == text:
                return False
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.fleet-report.')
    with os.fdopen(handle, 'w', encoding='utf-8') as out:
        out.write(text)
    os.chmod(temp, 0o644)
    os.replace(temp, path)
    return True


def _read_reports(patterns, written):
    """[(path, parsed JSON)] of the files ``patterns`` (paths or globs) name, but the ones this task writes."""
    paths = []
    for pattern in patterns:
        found = sorted(glob.glob(os.path.abspath(pattern))) or ([os.path.abspath(pattern)] if not glob.has_magic(pattern) else [])
        paths.extend(path for path in found if path not in written and path not in paths)
    if not paths:
        raise AnsibleActionFail('merge: no report matches %s; give the fleet-report*.json files of the runs to merge.'
                                % ', '.join(patterns))
    reports = []
    for path in paths:
        try:
            with open(path, encoding='utf-8') as stream:
                reports.append((path, json.load(stream)))
        except (OSError, ValueError) as exc:
            raise AnsibleActionFail('merge: cannot read the report %s: %s; give the fleet-report*.json files of '
                                    'nasjoin.entra.fleet_report.' % (path, getattr(exc, 'strerror', None) or exc))
    return reports


class ActionModule(ActionBase):
    """Collect every host's registered step results and write the report files."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('dest', 'formats', 'hosts', 'merge', 'name', 'started'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec={
            'dest': {'type': 'path', 'required': True},
            'formats': {'type': 'list', 'elements': 'str', 'choices': list(RENDERERS), 'default': DEFAULT_FORMATS},
            'hosts': {'type': 'list', 'elements': 'str'},
            'merge': {'type': 'list', 'elements': 'path'},
            'name': {'type': 'str'},
            'started': {'type': 'bool', 'default': False},
        }, mutually_exclusive=[('merge', 'started')])
        if args['name'] is not None and not NAME.match(args['name']):
            raise AnsibleActionFail('name: %r is not a report name; use letters, digits, ".", "_" and "-" (for example '
                                    'the job id or the slice), up to 100.' % args['name'])
        hostvars = task_vars['hostvars']
        names = args['hosts'] if args['hosts'] is not None else task_vars['ansible_play_hosts_all']
        unknown = [name for name in names if name not in hostvars]
        if unknown:
            raise AnsibleActionFail('hosts: not in the inventory: %s' % ', '.join(unknown))
        # the steps ran in check mode (--check, or this task's check_mode): the report is a dry run's
        dry_run = bool(self._task.check_mode or task_vars.get('ansible_check_mode'))
        dest = os.path.abspath(args['dest'])
        paths = dict((fmt, os.path.join(dest, file_name(fmt, dry_run, args['name']))) for fmt in args['formats'])
        report = self._report(args, task_vars, names, dry_run, set(paths.values()))
        try:
            os.makedirs(dest, exist_ok=True)
            written = [_write(paths[fmt], RENDERERS[fmt][1](report)) for fmt in args['formats']]
        except OSError as exc:
            raise AnsibleActionFail('dest: cannot write the report in %s: %s; give a writable directory.'
                                    % (dest, exc.strerror or exc))
        published = summary(report)
        where = 'report in %s (%s)' % (dest, ', '.join(os.path.basename(paths[fmt]) for fmt in args['formats']))
        if 'merged' in report:
            where = 'merged from %d reports (%s); %s' % (len(report['merged']), ', '.join(
                os.path.basename(entry['report']) for entry in report['merged']), where)
            where += ''.join('; %s skipped: %s' % (os.path.basename(entry['report']), entry['why']) for entry in report['skipped'])
        if dry_run:
            where = ('dry run (check mode), nothing was changed on any NAS: predicted outcomes; %s; a real run\'s '
                     'report there (fleet-report*) was left as it was' % where)
        result.update(changed=any(written), paths=paths, outcomes=report['outcomes'], failed_hosts=published['failed_hosts'],
                      unreachable_hosts=published['unreachable_hosts'], dry_run=dry_run, summary=published,
                      msg='%d hosts: %s; %s' % (report['hosts'], describe(report['outcomes']), where))
        return result

    def _report(self, args, task_vars, names, dry_run, written):
        """The report of this run's hosts, or (merge) of the reports given, for ``names``."""
        hostvars = task_vars['hostvars']
        now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        if args['merge'] is not None:
            try:
                return merge(_read_reports(args['merge'], written), names, dict((name, hostvars[name]) for name in names),
                             now, dry_run)
            except MergeError as exc:
                raise AnsibleActionFail('merge: %s' % exc)
        # a host of this play that is no longer in it (unreachable, or failed where no rescue ran) is never reported ok
        left = set(task_vars.get('ansible_play_hosts_all') or ()) - set(task_vars.get('ansible_play_hosts') or ())
        started = now if args['started'] else None
        return fleet([host_record(name, hostvars[name], name not in left, started, dry_run) for name in names], now,
                     dry_run)
