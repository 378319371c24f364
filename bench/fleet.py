"""Fleet benchmarks: the full playbook on N emulated NAS with nothing to change next to its ansible.builtin.ping
floor, and the API calls and logins of each module run (first join and converged).

  converged  playbooks/join_entra_ds.yml on N NAS (--sizes, default 10,50,100,250,1000) once they are joined, next
             to the floor: the same hosts running as many ansible.builtin.ping tasks as the playbook runs module
             tasks (counted from the run). Same forks, same inventory, one after the other, --rounds pairs (default
             3) per size; the row shown is the pair with the median ratio (this machine is noisy: one pair can be
             off by 20 %), and every pair's ratio is listed. Sizes above --floor-up-to (250) run the playbook alone,
             once. Each run: wall and wall a host (linear: 1,000 NAS within 1.15x of 100 a host), controller CPU and
             peak memory (the largest process, /usr/bin/time), the fleet report's tasks (under 5 % of the run, from
             the bench_runs callback's task times), the emulator's CPU and peak memory, logins and refused calls.
  api        each step alone (--tags) on the first 10 NAS, fresh (first join) and again (converged); the emulator's
             counters of each NAS give connections, logins, calls after login and writes per module run and host.
The NAS: one emulator process serving every NAS on its own port with its own certificate, API key and state
(python -m truenas_emulator --instances N, tests/lab/truenas_emulator/fleet.py), reached from the controller over
wss with API keys and the fleet CA (validate_certs on). Its directory is the emulator's FakeDirectory set to the
lab's realm, DCs and join password (the join and the NAS side of verify); preflight's probes and the network
step's DNS verification go from the controller to the lab's two Samba DCs ($LAB_DIR, bench/run brings it up).
Writes bench/results/fleet.{json,md,png}.
Usage (collection on ANSIBLE_COLLECTIONS_PATH, project venv): python bench/fleet.py [--sizes 10,50,100]
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _bench

EMULATOR = _bench.ROOT / 'tests' / 'lab'

PLAYBOOK = _bench.ROOT / 'playbooks' / 'join_entra_ds.yml'
MODULES = {'nasjoin.entra.entra_dns_config': 'entra_network', 'nasjoin.entra.entra_connectivity': 'entra_preflight',
           'nasjoin.entra.ad_join': 'entra_join', 'nasjoin.entra.verify_idmap': 'entra_verify'}
STEPS = list(MODULES.values())
API_HOSTS = 10
RATIO_TARGET = 1.3
LINEAR_TARGET = 1.15  # per-host cost of the largest converged run over that of 100 NAS
REPORT_TARGET = 0.05  # the fleet report's share of a converged run
REPORT_ACTIONS = ('nasjoin.entra.fleet_report', 'ansible.builtin.set_stats')


class FleetProcess:
    """The emulator fleet, a process of its own (its CPU time read from /proc): ``with FleetProcess(...) as fleet``."""

    def __init__(self, count, workdir, directory_options):
        options = workdir / 'directory.json'
        options.write_text(json.dumps(directory_options))
        os.chmod(options, 0o600)
        self.command = [sys.executable, '-m', 'truenas_emulator', '--instances', str(count), '--fleet-dir',
                        str(workdir / 'fleet'), '--directory-options', str(options)]  # TrueNAS's login rate limit
        self.process = self.listing = None
        if str(EMULATOR) not in sys.path:
            sys.path.insert(0, str(EMULATOR))
        self.control = importlib.import_module('truenas_emulator.control').Control

    def __enter__(self):
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, text=True,
                                        env=dict(os.environ, PYTHONPATH=str(EMULATOR)))
        ready = json.loads(self.process.stdout.readline())
        self.listing = json.loads(Path(ready['fleet']).read_text())
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(30)
        self.process.stdout.close()

    def cpu(self):
        return _bench.process_cpu(self.process.pid)

    def counters(self, instances, reset=False):
        found = []
        for instance in instances:
            with self.control(instance['control_socket']) as control:
                found.append(control.counters())
                if reset:
                    control.reset_counters()
        return found


def refused(count):
    """Calls the NAS refused with "Rate Limit Exceeded": the emulator's counter, or (an emulator without it) the login
    calls that did not log in (the bench's credentials are right, so a failed login is a refused one)."""
    if 'rate_limited' in count:
        return count['rate_limited']
    return count['by_method'].get('auth.login_ex', 0) - count['logins_ok']


def directory_options(lab):
    """The FakeDirectory of every NAS: the lab's realm and DCs, its join user with the lab password."""
    return {'realm': lab['realm'], 'dcs': [[dc['fqdn'], dc['ip']] for dc in lab['dcs']],
            'users': [{'name': lab['join_user']['sam'], 'rid': 1103, 'gecos': 'AAD DC Admin',
                       'password': lab['user_password'], 'groups': ['AAD DC Administrators']},
                      {'name': 'alice', 'rid': 1104, 'gecos': 'Alice', 'password': 'x', 'groups': ['NAS Users']},
                      {'name': 'bob', 'rid': 1105, 'gecos': 'Bob', 'password': 'x', 'groups': []}]}


def write_inventory(workdir, lab, instances):
    hosts = {instance['hostname']: {
        'truenas_api_url': instance['url'], 'truenas_api_key': instance['api_key'],
        'truenas_api_username': instance['api_username']} for instance in instances}
    inventory = {'truenas': {'hosts': hosts, 'vars': {
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'truenas_ca_path': str(workdir / 'fleet' / 'ca.pem'), 'entra_domain': lab['dns_domain'],
        'entra_dc_ips': lab['dc_ips'], 'entra_join_user': lab['join_user']['upn'],
        'entra_verify_users': ['alice@%s' % lab['dns_domain'], 'bob@%s' % lab['dns_domain']],
        'entra_report_dir': str(workdir / 'report')}}}
    (workdir / 'inventory.json').write_text(json.dumps(inventory))
    secrets = workdir / 'secrets.json'
    secrets.write_text(json.dumps({'entra_join_password': lab['user_password']}))
    os.chmod(secrets, 0o600)
    return workdir / 'inventory.json', '-e@%s' % secrets


def module_runs(path):
    """From the bench_runs callback: {host: [(module, changed)]} of the collection's module tasks that ran for each
    host (not the run_once ones, made once for the play: preflight's DC probes; the playbook's wall time holds them)."""
    runs = {}
    for result in json.loads(Path(path).read_text())['results']:
        if result['action'] in MODULES and result['status'] != 'skipped' and not result['run_once']:
            runs.setdefault(result['host'], []).append((result['action'], result['changed'] or result['status'] != 'ok'))
    return runs


def report_seconds(path):
    """From the bench_runs callback: the seconds of the fleet report's tasks (started, written, published)."""
    return round(sum(task['ended'] - task['started'] for task in json.loads(Path(path).read_text())['tasks']
                     if task['action'] in REPORT_ACTIONS), 3)


def peak_mib(pid):
    """Peak resident memory (VmHWM) of process ``pid`` so far, MiB."""
    for line in Path('/proc/%d/status' % pid).read_text().splitlines():
        if line.startswith('VmHWM:'):
            return round(int(line.split()[1]) / 1024.0, 1)
    return None


def api_economy(fleet, inventory, secrets, env, instances):
    """Per step, fresh then again: mean connections, logins, calls after login and writes per module run and host."""
    limit = ','.join(instance['hostname'] for instance in instances)
    found = {}
    for phase in ('first_join', 'converged'):
        for step in STEPS:
            fleet.counters(instances, reset=True)
            wall = _bench.run_playbook(inventory, PLAYBOOK, secrets, '--tags', step, '--limit', limit, env=env)[0]
            seen = fleet.counters(instances)
            logins = [count['by_method'].get('auth.login_ex', 0) for count in seen]
            found.setdefault(phase, {})[step] = {
                'wall_s': wall,
                'connections': mean(count['connections'] for count in seen),
                'logins': mean(count['logins_ok'] for count in seen),
                'calls_after_login': mean(count['calls'] - login for count, login in zip(seen, logins)),
                'writes': mean(count['writes'] for count in seen),
                'refused': sum(refused(count) for count in seen),
                'by_method': {method: mean(count['by_method'].get(method, 0) for count in seen)
                              for method in sorted({method for count in seen for method in count['by_method']})}}
    return found


def step_costs(inventory, secrets, env, workdir, instances, api):
    """Where a converged run's time goes, on the API hosts: the tasks every run has (tags always: the argument
    check, the fleet report), each step alone above them, and one ping task above an empty play."""
    limit = '--limit=' + ','.join(instance['hostname'] for instance in instances)
    always = _bench.run_playbook(inventory, PLAYBOOK, secrets, '--tags', 'no_such_tag', limit, env=env)[0]
    plays = {'empty': '[]\n', 'ping': '\n    - name: ping\n      ansible.builtin.ping:\n'}
    walls = {}
    for name, tasks in plays.items():
        (workdir / ('%s.yml' % name)).write_text('- hosts: truenas\n  gather_facts: false\n  tasks: ' + tasks)
        walls[name] = _bench.run_playbook(inventory, workdir / ('%s.yml' % name), limit, env=env)[0]
    costs = {'hosts': len(instances), 'always_tasks_s': always, 'empty_play_s': walls['empty'],
             'ping_task_s': round(walls['ping'] - walls['empty'], 3)}
    costs['steps_above_always_s'] = {step: round(row['wall_s'] - always, 3) for step, row in api['converged'].items()}
    return costs


def direct_costs(lab, fleet, instance, rounds=3):
    """Each module's converged run on ``instance``, run directly (no Ansible), next to ansible.builtin.ping run the
    same way: best wall and CPU of ``rounds``; and a cProfile of the costliest."""
    api = {'api_url': instance['url'], 'api_key': instance['api_key'], 'api_username': instance['api_username'],
           'ca_path': fleet.listing['ca']}
    domain = lab['dns_domain']
    args = {'entra_dns_config': dict(api, domain=domain, nameservers=lab['dc_ips']),
            'entra_connectivity': dict(api, domain=domain, dc_ips=lab['dc_ips']),
            'ad_join': dict(api, domain=domain, username=lab['join_user']['upn'], password=lab['user_password']),
            'verify_idmap': dict(api, domain=domain, users=['alice@%s' % domain, 'bob@%s' % domain])}
    costs = {'ping': min(_bench.run_module('ping', {}, package='ansible.modules.')[:2] for dummy in range(rounds))}
    for name, module_args in args.items():
        runs = [_bench.run_module(name, module_args) for dummy in range(rounds)]
        if any(run[3].get('changed') or run[3].get('failed') for run in runs):
            sys.exit('%s was not converged on %s: %s' % (name, instance['hostname'], runs[0][3].get('msg')))
        costs[name] = min(run[:2] for run in runs)
    costliest = max(args, key=lambda name: costs[name][1])
    return {'best_wall_cpu_s': costs, 'profiled': costliest, 'profile': _bench.profile_module(costliest, args[costliest])}


def converged_run(fleet, instances, dc_namespaces, inventory, secrets, limit, env, workdir, floor=True):
    """One converged run of the playbook on ``instances`` and, with ``floor``, the ping floor on the same hosts right
    after: as many ping tasks as the playbook ran module tasks a host. Exits when the run was not converged."""
    size = len(instances)
    cpu, dcs_cpu = fleet.cpu(), _bench.netns_cpu(dc_namespaces)
    fleet.counters(instances, reset=True)
    wall, controller_cpu, dummy, controller_mib = _bench.run_playbook(inventory, PLAYBOOK, secrets, limit, env=env)
    seen = fleet.counters(instances)
    emulator_cpu, dcs_cpu = round(fleet.cpu() - cpu, 2), round(_bench.netns_cpu(dc_namespaces) - dcs_cpu, 2)
    runs = module_runs(env['BENCH_RUNS_FILE'])
    tasks = {len(modules) for modules in runs.values()}
    if len(runs) != size or len(tasks) != 1 or any(changed for modules in runs.values() for dummy, changed in modules):
        sys.exit('the run on %d NAS was not converged (module runs, changed or failed): %s' % (size, runs))
    report = report_seconds(env['BENCH_RUNS_FILE'])
    row = {'module_tasks_per_host': len(runs[instances[0]['hostname']]), 'playbook_s': wall,
           'per_host_s': round(wall / size, 4), 'playbook_controller_cpu_s': controller_cpu,
           'controller_peak_mib': controller_mib, 'emulator_peak_mib': peak_mib(fleet.process.pid),
           'report_s': report, 'report_share': round(report / wall, 4), 'emulator_cpu_s': emulator_cpu,
           'dcs_cpu_s': dcs_cpu, 'logins_per_nas': max(count['logins_ok'] for count in seen),
           'refused': sum(refused(count) for count in seen)}
    if floor:
        floor_play = workdir / ('floor%d.yml' % size)
        floor_play.write_text('- hosts: truenas\n  gather_facts: false\n  tasks:\n' + ''.join(
            '    - name: ping %d\n      ansible.builtin.ping:\n' % number for number in range(tasks.pop())))
        floor_wall, floor_cpu, dummy, floor_mib = _bench.run_playbook(inventory, floor_play, limit, env=env)
        row.update(floor_s=floor_wall, floor_controller_cpu_s=floor_cpu, floor_peak_mib=floor_mib,
                   ratio=_bench.ratio(wall, floor_wall))
    return row


def size_row(runs, size, rounds):
    """The row of one size: the run with the median ratio to its floor (or the median wall, without a floor)."""
    runs.sort(key=lambda run: run.get('ratio', run['playbook_s']))
    row = dict(runs[len(runs) // 2], hosts=size, rounds=rounds)
    if 'ratio' in row:
        row.update(target=RATIO_TARGET, ratios=[run['ratio'] for run in runs], met=row['ratio'] <= RATIO_TARGET)
    return row


def linearity(converged):
    """Per-host cost of the largest run next to that of the 100-NAS run (None without both)."""
    by_size = {row['hosts']: row for row in converged}
    big = max(by_size)
    if 100 not in by_size or big <= 100:
        return None
    found = _bench.ratio(by_size[big]['per_host_s'], by_size[100]['per_host_s'])
    return {'hosts': big, 'reference_hosts': 100, 'ratio': found, 'target': LINEAR_TARGET, 'met': found <= LINEAR_TARGET}


def mean(values):
    values = list(values)
    return round(sum(values) / len(values), 2)


def api_met(phase, row):
    return row['connections'] == 1 and row['logins'] == 1 and row['refused'] == 0 and (
        phase == 'first_join' or (row['writes'] == 0 and row['calls_after_login'] <= 3))


def main():  # pylint: disable=too-many-locals
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='10,50,100,250,1000')
    parser.add_argument('--forks', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=3, help='playbook-then-floor pairs per size; the median is shown')
    parser.add_argument('--floor-up-to', type=int, default=250,
                        help='sizes above this run the playbook alone, once (no floor): 1,000 NAS take minutes a run')
    args = parser.parse_args()
    started = time.monotonic()
    sizes = [int(size) for size in args.sizes.split(',')]
    lab = _bench.lab_facts()
    workdir = Path(tempfile.mkdtemp(prefix='nasjoin-bench-fleet-'))
    env = dict(os.environ, ANSIBLE_FORKS=str(args.forks), ANSIBLE_HOST_KEY_CHECKING='0', ANSIBLE_RETRY_FILES_ENABLED='0',
               ANSIBLE_CALLBACK_PLUGINS=str(_bench.HERE / 'callback_plugins'), ANSIBLE_CALLBACKS_ENABLED='bench_runs',
               BENCH_RUNS_FILE=str(workdir / 'runs.json'))
    # one NAS more than the largest run, for the direct runs: one the playbook runs of the last minute did not log in to
    with FleetProcess(max(sizes) + 1, workdir, directory_options(lab)) as fleet:
        instances, reserve = fleet.listing['instances'][:-1], fleet.listing['instances'][-1]
        inventory, secrets = write_inventory(workdir, lab, fleet.listing['instances'])
        api = api_economy(fleet, inventory, secrets, env, instances[:API_HOSTS])
        costs = step_costs(inventory, secrets, env, workdir, instances[:API_HOSTS], api)
        cpu = fleet.cpu()
        fleet.counters(instances, reset=True)
        wall, controller_cpu, dummy, controller_mib = _bench.run_playbook(
            inventory, PLAYBOOK, secrets, '--limit=!' + reserve['hostname'], env=env)
        first_run = {'hosts': max(sizes), 'wall_s': wall, 'controller_cpu_s': controller_cpu,
                     'controller_peak_mib': controller_mib, 'report_s': report_seconds(env['BENCH_RUNS_FILE']),
                     'emulator_cpu_s': round(fleet.cpu() - cpu, 2),
                     'refused': sum(refused(count) for count in fleet.counters(instances))}
        converged, dc_namespaces = [], [dc['netns'] for dc in lab['dcs']]
        for size in sizes:
            limit = '--limit=' + ','.join(instance['hostname'] for instance in instances[:size])
            floor = size <= args.floor_up_to
            rounds = args.rounds if floor else 1
            runs = [converged_run(fleet, instances[:size], dc_namespaces, inventory, secrets, limit, env, workdir, floor)
                    for dummy in range(rounds)]
            converged.append(size_row(runs, size, rounds))
        _bench.run_playbook(inventory, PLAYBOOK, secrets, '--limit=' + reserve['hostname'], env=env)  # joins it
        direct = direct_costs(lab, fleet, reserve)
    data = {'forks': args.forks, 'first_run': first_run, 'converged': converged, 'linear': linearity(converged),
            'api': api, 'step_costs': costs, 'direct': direct,
            'api_met': all(api_met(phase, row) for phase, rows in api.items() for row in rows.values()),
            'elapsed_s': round(time.monotonic() - started, 1), 'sizes': sizes, 'rounds': args.rounds,
            'floor_up_to': args.floor_up_to}
    floored = [row for row in converged if 'floor_s' in row]
    _bench.chart('fleet', 'Converged playbook vs ping floor', ['%d NAS' % row['hosts'] for row in floored],
                 {'playbook': [row['playbook_s'] for row in floored], 'ping floor': [row['floor_s'] for row in floored]})
    _bench.write('fleet', data, markdown(data))


def gap(data):
    """Where the converged run's time goes next to the floor, from the measurements above."""
    big = [row for row in data['converged'] if 'floor_s' in row][-1]
    direct = data['direct']['best_wall_cpu_s']
    modules = sum(direct[name][1] for name in direct if name != 'ping')
    shared = (big['emulator_cpu_s'] + big['dcs_cpu_s']) / os.cpu_count()
    costs = data['step_costs']
    more = (big['playbook_controller_cpu_s'] - big['floor_controller_cpu_s']) / big['hosts']
    return '\n\n'.join([
        '## Where the converged run\'s time goes, next to the floor',
        'At %d NAS the converged playbook used %.0f s of controller CPU against the floor\'s %.0f s (%.2f s a host %s), '
        'and the %d CPUs also ran the lab\'s DCs (%.1f s of CPU, answering every preflight probe and DNS verification) '
        'and the emulator (%.1f s). A real fleet\'s DCs and NAS do not take CPU from the controller: without their share '
        '(%.1f s of wall) the ratio would be %.2f.' % (
            big['hosts'], big['playbook_controller_cpu_s'], big['floor_controller_cpu_s'], abs(more),
            'more' if more > 0 else 'less', os.cpu_count(), big['dcs_cpu_s'], big['emulator_cpu_s'], shared,
            _bench.ratio(big['playbook_s'] - shared, big['floor_s'])),
        'The controller\'s own work per host: (1) the four API modules run inside Ansible\'s worker (their action '
        'plugins, plugins/plugin_utils/in_worker.py), so their tasks start no Python and compile no AnsiballZ payload, '
        'which each ping of the floor does; each run directly as its own Python process (no Ansible around it), the four '
        'cost %.2f CPU s against %.2f s for four pings (entra_connectivity %.2fx ping, verify_idmap %.2fx); (2) the tasks every run has besides '
        'the modules (the Azure discovery include, skipped without Azure settings; the one argument check of the four '
        'steps, nasjoin.entra.role_vars; the fleet report) cost %.2f ping tasks a host.' % (
            modules, 4 * direct['ping'][1], direct['entra_connectivity'][1] / direct['ping'][1],
            direct['verify_idmap'][1] / direct['ping'][1],
            (costs['always_tasks_s'] - costs['empty_play_s']) / costs['ping_task_s'])])


def cell(row, key, form):
    return form % row[key] if row.get(key) is not None else '-'


def markdown(data):
    converged = _bench.table(
        ['NAS', 'module tasks / host', 'converged playbook', 'a host', 'ping floor', 'ratio (target <= %.1f)' % RATIO_TARGET,
         'ratios of the pairs', 'controller CPU (playbook / floor)', 'controller peak memory (playbook / floor)',
         'fleet report (share, target < %d %%)' % (REPORT_TARGET * 100), 'emulator CPU', 'DC CPU', 'logins / NAS',
         'refused (target 0)'],
        [(row['hosts'], row['module_tasks_per_host'], '%.1f s' % row['playbook_s'], '%.3f s' % row['per_host_s'],
          cell(row, 'floor_s', '%.1f s'),
          '%.2f (%s)' % (row['ratio'], _bench.TARGETS_MET[row['met']]) if 'ratio' in row else '- (no floor)',
          ' / '.join('%.2f' % ratio for ratio in row.get('ratios', [])) or '- (1 run)',
          '%.0f s / %s' % (row['playbook_controller_cpu_s'], cell(row, 'floor_controller_cpu_s', '%.0f s')),
          '%.0f MiB / %s' % (row['controller_peak_mib'], cell(row, 'floor_peak_mib', '%.0f MiB')),
          '%.2f s (%.1f %%, %s)' % (row['report_s'], row['report_share'] * 100,
                                    _bench.TARGETS_MET[row['report_share'] < REPORT_TARGET]),
          '%.1f s' % row['emulator_cpu_s'], '%.1f s' % row['dcs_cpu_s'], row['logins_per_nas'], row['refused'])
         for row in data['converged']])
    linear = data['linear']
    scale = ('A converged run costs %.2fx as much a host at %d NAS as at %d (target <= %.2f: %s); the emulator serving '
             'every NAS peaked at %.0f MiB. Sizes above %d NAS run the playbook alone, once (no floor).' % (
                 linear['ratio'], linear['hosts'], linear['reference_hosts'], linear['target'],
                 _bench.TARGETS_MET[linear['met']], max(row['emulator_peak_mib'] for row in data['converged']),
                 max(row['hosts'] for row in data['converged'] if 'floor_s' in row))) if linear else ''
    api = _bench.table(
        ['run', 'step (module)', 'connections', 'logins', 'calls after login', 'writes', 'refused', 'target'],
        [(phase.replace('_', ' '), step, row['connections'], row['logins'], row['calls_after_login'], row['writes'],
          row['refused'], _bench.TARGETS_MET[api_met(phase, row)])
         for phase, rows in data['api'].items() for step, row in rows.items()])
    first, costs = data['first_run'], data['step_costs']
    return '\n\n'.join(part for part in [
        '# Fleet: converged playbook vs ping floor, API economy (%d CPUs, forks %d)' % (os.cpu_count(), data['forks']),
        converged, scale,
        'First run (joins) of the %d NAS: %.1f s wall, %.0f s controller CPU (peak %.0f MiB), fleet report %.2f s, '
        '%.1f s emulator CPU, %d calls refused. '
        'Every NAS enforces TrueNAS\'s limit of 20 logins a minute from one address (utils/rate_limit/cache.py); '
        '"refused" counts the calls it turned away ("Rate Limit Exceeded"). Measured at %s.' % (
            first['hosts'], first['wall_s'], first['controller_cpu_s'], first['controller_peak_mib'], first['report_s'],
            first['emulator_cpu_s'], first['refused'],
            time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())),
        '## Where a converged run goes (%d NAS, forks %d)' % (costs['hosts'], data['forks']),
        _bench.table(['part', 'wall', 'x one ping task'],
                     [('empty play', '%.2f s' % costs['empty_play_s'], '-'),
                      ('one ping task', '%.2f s' % costs['ping_task_s'], '1.00'),
                      ('tasks of every run (argument check, fleet report)', '%.2f s' % (
                          costs['always_tasks_s'] - costs['empty_play_s']),
                       _bench.ratio(costs['always_tasks_s'] - costs['empty_play_s'], costs['ping_task_s']))]
                     + [(step, '%.2f s' % cost, _bench.ratio(cost, costs['ping_task_s']))
                        for step, cost in costs['steps_above_always_s'].items()]),
        'Each module\'s converged run on one NAS, run directly without Ansible (best of 3), next to '
        'ansible.builtin.ping run the same way:',
        _bench.table(['module', 'wall', 'CPU', 'CPU x ping'],
                     [(name, '%.3f s' % wall, '%.3f s' % cpu, _bench.ratio(cpu, data['direct']['best_wall_cpu_s']['ping'][1]))
                      for name, (wall, cpu) in data['direct']['best_wall_cpu_s'].items()]),
        'Profile of one converged %s run (cProfile, cumulative):' % data['direct']['profiled'],
        '```\n%s\n```' % data['direct']['profile'],
        gap(data),
        '## API calls per module run and host (means over %d NAS)' % costs['hosts'], api,
        'Target: one connection and one login per module run, no call refused; a converged run only reads, at most 3 '
        'calls after login. Calls per method are in fleet.json. entra_verify (verify_idmap) makes %g: '
        'system.version_short (which API generation), core.subscribe (the job\'s events) and one core.bulk job whose '
        'entries are core.bulk again, one per method: directoryservices.config and .status, the local accounts\' IDs '
        '(user.query, group.query, checked against the idmap ranges) and the NSS lookup of every account it checks '
        '(user.get_user_obj, group.get_group_obj: here Domain Users and the 2 users), whatever their number.' % (
            data['api']['converged']['entra_verify']['calls_after_login'])])


if __name__ == '__main__':
    main()
