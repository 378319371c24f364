"""Cost of one entra_dns_config run next to ansible.builtin.ping on the same host, side by side.

Runs, interleaved, plays of N tasks each: converged entra_dns_config over wss (API key) in Ansible's worker and
as an AnsiballZ payload (entra_in_worker=false, on a second emulated NAS: TrueNAS allows 20 logins a minute), over
the local socket (on-box), and ansible.builtin.ping; reports wall time per task above an empty play, and the
emulator's calls, connections and logins per module run. Writes bench/results/module_cost.{json,md}.
Usage (collection installed on ANSIBLE_COLLECTIONS_PATH): python bench/module_cost.py [--tasks 10] [--rounds 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / 'tests' / 'lab'))

from truenas_emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from truenas_emulator.certs import make_ca_and_cert  # noqa: E402  pylint: disable=wrong-import-position

KEY = '1-benchmarkKEYbenchmarkKEY'
DNS_TASK = '''  - name: dns
    nasjoin.entra.entra_dns_config:
      domain: aaddscontoso.test
      nameservers: [198.51.100.10, 198.51.100.11]
      verify: false
%s'''


def play(tasks, in_worker=True):
    head = '- hosts: localhost\n  gather_facts: false\n' + ('' if in_worker else '  vars:\n    entra_in_worker: false\n')
    return head + ('  tasks:\n' + ''.join(tasks) if tasks else '  tasks: []\n')


def run_play(workdir, name, text):
    path = workdir / ('%s.yml' % name)
    path.write_text(text)
    started = time.monotonic()
    proc = subprocess.run(['ansible-playbook', '-i', str(workdir / 'inventory.ini'), str(path)], check=False,
                          capture_output=True, text=True, cwd=workdir)
    if proc.returncode:
        sys.exit('%s failed:\n%s%s' % (name, proc.stdout[-3000:], proc.stderr[-2000:]))
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tasks', type=int, default=5, help='at most 19 logins per minute in all: TrueNAS rate-limits logins to 20 a minute')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix='nasjoin-bench-'))
    (workdir / 'inventory.ini').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    tls = make_ca_and_cert(workdir / 'tls')
    with Emulator('25.10', api_keys={'truenas_admin': KEY}) as nas, Emulator('25.10', api_keys={'truenas_admin': KEY}) as nas2:
        nas.start('127.0.0.1', 0, tls['cert'], tls['key'], unix_socket=str(workdir / 'mw.sock'))
        nas2.start('127.0.0.1', 0, tls['cert'], tls['key'])
        api, api2 = ('      api_url: %s\n      api_key: %s\n      api_username: truenas_admin\n      ca_path: %s\n' % (
            one.url, KEY, tls['ca']) for one in (nas, nas2))
        local = '      local_socket: %s\n' % nas.socket_path
        plays = {
            'empty': (play([]), nas),
            'ping': (play(['  - name: ping\n    ansible.builtin.ping:\n'] * args.tasks), nas),
            'dns_api': (play([DNS_TASK % api] * args.tasks), nas),
            'dns_api_ansiballz': (play([DNS_TASK % api2] * args.tasks, in_worker=False), nas2),
            'dns_local': (play([DNS_TASK % local] * args.tasks), nas),
        }
        run_play(workdir, 'warm', play([DNS_TASK % api, DNS_TASK % api2]))  # converge once
        times = {name: [] for name in plays}
        calls = {}
        for dummy in range(args.rounds):
            for name, (text, target) in plays.items():
                target.reset_counters()
                times[name].append(run_play(workdir, name, text))
                calls[name] = target.counters()
    best = {name: min(values) for name, values in times.items()}
    per_task = {name: (best[name] - best['empty']) / args.tasks for name in plays if name != 'empty'}
    result = {
        'tasks_per_play': args.tasks, 'rounds': args.rounds, 'best_play_seconds': best, 'all_play_seconds': times,
        'seconds_per_task_above_empty_play': per_task,
        'ratio_to_ping': {name: per_task[name] / per_task['ping'] for name in per_task},
        'per_module_run': {name: {'connections': calls[name]['connections'] / args.tasks,
                                  'logins': calls[name]['logins_ok'] / args.tasks,
                                  'calls': calls[name]['calls'] / args.tasks,
                                  'by_method': {method: count / args.tasks for method, count in calls[name]['by_method'].items()}}
                           for name in ('dns_api', 'dns_api_ansiballz', 'dns_local')},
        'cpus': os.cpu_count(),
    }
    out = HERE / 'results'
    out.mkdir(exist_ok=True)
    (out / 'module_cost.json').write_text(json.dumps(result, indent=2) + '\n')
    rows = ['| task | s per task | x ping | connections/run | logins/run | calls/run |', '|---|---|---|---|---|---|']
    for name in ('ping', 'dns_api', 'dns_api_ansiballz', 'dns_local'):
        run = result['per_module_run'].get(name, {})
        cells = (name, per_task[name], result['ratio_to_ping'][name],
                 run.get('connections', '-'), run.get('logins', '-'), run.get('calls', '-'))
        rows.append('| %s | %.3f | %.2f | %s | %s | %s |' % cells)
    (out / 'module_cost.md').write_text('\n'.join(rows) + '\n')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
