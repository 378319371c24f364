"""Probe cost of entra_connectivity in the directory lab: a full run next to its slowest single probe, and a dead
domain controller next to the probe timeout.

Runs the module's probes directly (no Ansible around them) from the lab host, as root, with the lab up
(tests/lab/labctl up); the NAS's facts come once from stand-in 1's API.
  healthy   the full run (every probe, concurrently in the module's two rounds) and each of its probes alone, one
            after another: the slowest, and their sum (best of --rounds)
  dead DC   the same while every port of DC 2 is dropped (labctl block-port 2 all), once per --timeouts value (the
            probes alone only for the first value)
Writes bench/results/connectivity.{json,md}.
Usage (the collection on PYTHONPATH as ansible_collections/nasjoin/entra): python bench/connectivity.py [--rounds 5]
[--timeouts 1,2,3]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ansible_collections.nasjoin.entra.plugins.module_utils._directory.dns import Resolver
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import WebSocketTransport

HERE = Path(__file__).resolve().parent
LABCTL = HERE.parent / 'tests' / 'lab' / 'labctl'


def labctl(*args):
    return subprocess.run([str(LABCTL)] + list(args), check=True, capture_output=True, text=True).stdout


def assert_routes(lab):
    """Nothing leaves but through the lab bridge."""
    for host in lab['dcs'] + lab['nas']:
        route = subprocess.run(['ip', 'route', 'get', host['ip']], capture_output=True, text=True, check=True).stdout
        if ' dev %s ' % lab['network']['bridge'] not in route:
            sys.exit('route to %s does not go via the lab bridge: %s' % (host['ip'], route))


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return time.monotonic() - started, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--timeouts', default='1,2,3', help='probe timeouts (s) for the dead-DC runs')
    args = parser.parse_args()
    lab = json.loads(labctl('env', '--json'))
    assert_routes(lab)
    nas = lab['nas'][0]
    with Client(WebSocketTransport(nas['api_url'], 30, True, nas['ca_path']), nas['api_key'], nas['api_user']) as client:
        facts = connectivity.nas_facts(client)
    user = lab['users']['plain']
    wanted = connectivity.settings_from({
        'domain': lab['dns_domain'], 'dc_ips': lab['dc_ips'], 'nameservers': lab['dc_ips'], 'username': user['upn'],
        'password': lab['user_password'], 'max_clock_skew': 180, 'probe_timeout': 3.0})

    def measure(timeout, rounds, singles=True):
        """Best full run, and each probe of it alone (best of ``rounds``): (full seconds, {probe: seconds})."""
        prober = Prober(wanted['domain'], timeout, Resolver(timeout), lab['ca_file'])
        full = min(timed(connectivity.probe, prober, wanted, facts, True, lab['user_password'])
                   for dummy in range(rounds))
        jobs = connectivity.reachability_jobs(prober, wanted, facts, True)
        jobs.update(connectivity.protocol_jobs(prober, wanted, full[1], lab['user_password']))
        alone = dict(('%s@%s' % key, min(timed(connectivity.probe_all, {key: job}, timeout)[0] for dummy in range(rounds)))
                     for key, job in jobs.items()) if singles else {}
        return full[0], alone

    def row(full, alone):
        slowest = max(alone, key=alone.get)
        return {'full_run_s': round(full, 4), 'probes': len(alone), 'slowest_single_probe': slowest,
                'slowest_single_s': round(alone[slowest], 4), 'full_over_slowest': round(full / alone[slowest], 2),
                'sum_of_singles_s': round(sum(alone.values()), 4)}

    healthy = row(*measure(3.0, args.rounds))
    dead = []
    labctl('block-port', '2', 'all')
    try:
        for index, timeout in enumerate(float(value) for value in args.timeouts.split(',')):
            full, alone = measure(timeout, 1, singles=index == 0)
            dead.append(dict(row(full, alone) if alone else {'full_run_s': round(full, 4)}, timeout_s=timeout,
                             full_over_timeout=round(full / timeout, 2)))
    finally:
        labctl('unblock-port', '2')

    result = {'cpus': os.cpu_count(), 'rounds': args.rounds, 'healthy': healthy, 'dc2_dead': dead}
    out = HERE / 'results'
    out.mkdir(exist_ok=True)
    (out / 'connectivity.json').write_text(json.dumps(result, indent=2) + '\n')
    rows = ['# entra_connectivity probe cost (lab, %d CPUs)' % result['cpus'], '',
            '| lab state | probe timeout | full run | slowest probe alone | full / slowest | all probes one after another '
            '| full / timeout |', '|---|---|---|---|---|---|---|']
    for name, run in [('healthy (best of %d)' % args.rounds, dict(healthy, timeout_s=3.0))] + [('DC 2 dead', run) for run in dead]:
        rows.append('| %s | %.1f s | %.3f s | %s | %s | %s | %s |' % (
            name, run['timeout_s'], run['full_run_s'],
            '%.3f s (%s)' % (run['slowest_single_s'], run['slowest_single_probe']) if 'slowest_single_s' in run else '-',
            run.get('full_over_slowest', '-'), '%.3f s' % run['sum_of_singles_s'] if 'sum_of_singles_s' in run else '-',
            run.get('full_over_timeout', '-')))
    rows += ['', 'Healthy, the lab has no network latency: the probes are CPU work of this host and of the two DCs, which '
             'share its CPUs, so running them at once gains little over one after another. Once answers wait on the '
             'network (here a dead DC, each probe of it waiting for its timeout), the full run costs its slowest probe.']
    (out / 'connectivity.md').write_text('\n'.join(rows) + '\n')
    print('\n'.join(rows))


if __name__ == '__main__':
    main()
