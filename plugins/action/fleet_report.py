# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_report: write the join playbook's report of every host, on the controller (a dry run's to files of its own)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_model import describe, fleet, host_record
from ansible_collections.nasjoin.entra.plugins.plugin_utils.fleet_render import to_html, to_markdown

RENDERERS = {
    'json': ('fleet-report.json', lambda report: json.dumps(report, indent=2, sort_keys=True) + '\n'),
    'markdown': ('fleet-report.md', to_markdown),
    'html': ('fleet-report.html', to_html),
}
DRY_RUN_SUFFIX = '-dry-run'  # fleet-report-dry-run.json: a dry run never replaces a real run's report


def file_name(fmt, dry_run):
    """The report file of a format: a dry run's has a name of its own."""
    stem, dot, ext = RENDERERS[fmt][0].rpartition('.')
    return '%s%s%s%s' % (stem, DRY_RUN_SUFFIX if dry_run else '', dot, ext)


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


class ActionModule(ActionBase):
    """Collect every host's registered step results and write the report files."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('dest', 'formats', 'hosts', 'started'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec={
            'dest': {'type': 'path', 'required': True},
            'formats': {'type': 'list', 'elements': 'str', 'choices': list(RENDERERS), 'default': list(RENDERERS)},
            'hosts': {'type': 'list', 'elements': 'str'},
            'started': {'type': 'bool', 'default': False},
        })
        hostvars = task_vars['hostvars']
        names = args['hosts'] if args['hosts'] is not None else task_vars['ansible_play_hosts_all']
        unknown = [name for name in names if name not in hostvars]
        if unknown:
            raise AnsibleActionFail('hosts: not in the inventory: %s' % ', '.join(unknown))
        now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
        # a host of this play that is no longer in it (unreachable, or failed where no rescue ran) is never reported ok
        left = set(task_vars.get('ansible_play_hosts_all') or ()) - set(task_vars.get('ansible_play_hosts') or ())
        started = now if args['started'] else None
        # the steps ran in check mode (--check, or this task's check_mode): the report is a dry run's
        dry_run = bool(self._task.check_mode or task_vars.get('ansible_check_mode'))
        report = fleet([host_record(name, hostvars[name], name not in left, started, dry_run) for name in names], now,
                       dry_run)
        dest = os.path.abspath(args['dest'])
        paths = dict((fmt, os.path.join(dest, file_name(fmt, dry_run))) for fmt in args['formats'])
        try:
            os.makedirs(dest, exist_ok=True)
            written = [_write(paths[fmt], RENDERERS[fmt][1](report)) for fmt in args['formats']]
        except OSError as exc:
            raise AnsibleActionFail('dest: cannot write the report in %s: %s; give a writable directory.'
                                    % (dest, exc.strerror or exc))
        failed = [record['host'] for record in report['records'] if record['outcome'] == 'failed']
        unreachable = [record['host'] for record in report['records'] if record['outcome'] == 'unreachable']
        where = 'report in %s (%s)' % (dest, ', '.join(os.path.basename(paths[fmt]) for fmt in args['formats']))
        if dry_run:
            where = ('dry run (check mode), nothing was changed on any NAS: predicted outcomes; %s; a real run\'s '
                     'report there (fleet-report.*) was left as it was' % where)
        result.update(changed=any(written), paths=paths, outcomes=report['outcomes'], failed_hosts=failed,
                      unreachable_hosts=unreachable, dry_run=dry_run,
                      msg='%d hosts: %s; %s' % (report['hosts'], describe(report['outcomes']), where))
        return result
