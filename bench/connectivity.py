"""Probe cost of entra_connectivity in the directory lab: a full run next to its slowest single probe, and a dead
domain controller next to the probe timeout.

Runs the module's probes directly (no Ansible around them) from the lab host, as root, with the lab up
(tests/lab/labctl up); the NAS's facts come once from stand-in 1's API.
  healthy   the full run (every probe, concurrently in the module's two rounds) and each of its probes alone, one
            after another: the slowest, and their sum (best of --rounds)
  latency   the same with each packet to both DCs held --latencies milliseconds (labctl delay: NFQUEUE, as this
            kernel has no netem), so that the probes wait on the network as they do against a real domain
  dead DC   the same while every port of DC 2 is dropped (labctl block-port 2 all), once per --timeouts value (the
            probes alone only for the first value)
Targets: the full run at most 1.2x its slowest probe, and with DC 2 dead at most 1.2x the probe timeout.
Writes bench/results/connectivity.{json,md,png}.
Usage (the collection on PYTHONPATH as ansible_collections/nasjoin/entra): python bench/connectivity.py [--rounds 5]
[--timeouts 1,2,3] [--latencies 2,10,30]
"""

import argparse
import os
import time

import _bench
from ansible_collections.nasjoin.entra.plugins.module_utils._protocols.dns import Resolver
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight import connectivity
from ansible_collections.nasjoin.entra.plugins.module_utils._preflight.probes import Prober
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import WebSocketTransport

TARGET = 1.2


def timed(function, *args):
    """(wall s, result, CPU s of this process: every probe thread)."""
    started, cpu = time.monotonic(), time.process_time()
    result = function(*args)
    return time.monotonic() - started, result, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--timeouts', default='1,2,3', help='probe timeouts (s) for the dead-DC runs')
    parser.add_argument('--latencies', default='2,10,30', help='ms each packet to the DCs is held, for the healthy runs')
    args = parser.parse_args()
    lab = _bench.lab_facts()
    dc_namespaces = [dc['netns'] for dc in lab['dcs']]
    nas = lab['nas'][0]
    with Client(WebSocketTransport(nas['api_url'], 30, True, nas['ca_path']), nas['api_key'], nas['api_user']) as client:
        facts = connectivity.nas_facts(client)
    user = lab['users']['plain']
    wanted = connectivity.settings_from({
        'domain': lab['dns_domain'], 'dc_ips': lab['dc_ips'], 'nameservers': lab['dc_ips'], 'username': user['upn'],
        'password': lab['user_password'], 'max_clock_skew': 180, 'probe_timeout': 3.0})

    def measure(timeout, rounds, singles=True):
        """Best full run, each probe of it alone (best of ``rounds``), and the full runs' means: (full s, {probe: s},
        (wall s, CPU s of this process, CPU s of the DCs))."""
        def prober():  # a new one for each run, as each module run has: nothing it learnt (DNS answers) carries over
            return Prober(wanted['domain'], timeout, Resolver(timeout), lab['ca_file'])

        def jobs(run_prober, seen):
            found = connectivity.resolver_jobs(run_prober, wanted, facts)
            found.update(connectivity.dc_jobs(run_prober, wanted, True))
            found.update(connectivity.protocol_follow_up(run_prober, wanted, True, lab['user_password'])(seen))
            return found

        dcs_cpu = _bench.netns_cpu(dc_namespaces)
        runs = [timed(connectivity.probe, prober(), wanted, facts, True, lab['user_password']) for dummy in range(rounds)]
        dcs_cpu = (_bench.netns_cpu(dc_namespaces) - dcs_cpu) / rounds
        full = min(runs, key=lambda run: run[0])
        alone = dict(('%s@%s' % key, min(timed(connectivity.probe_all, {key: jobs(prober(), full[1])[key]}, timeout)[0]
                                         for dummy in range(rounds))) for key in jobs(prober(), full[1])) if singles else {}
        return full[0], alone, (sum(run[0] for run in runs) / rounds, sum(run[2] for run in runs) / rounds, dcs_cpu)

    def row(full, alone, means):
        slowest = max(alone, key=alone.get)
        wall, cpu, dcs_cpu = means
        bound = (cpu + dcs_cpu) / os.cpu_count()  # this host's CPUs run the probes and both DCs: no run is faster
        return {'full_run_s': round(full, 4), 'full_run_mean_s': round(wall, 4), 'full_run_cpu_s': round(cpu, 4),
                'dcs_cpu_s': round(dcs_cpu, 4), 'cpu_bound_s': round(bound, 4), 'full_over_cpu_bound': round(wall / bound, 2),
                'probes': len(alone), 'slowest_single_probe': slowest,
                'slowest_single_s': round(alone[slowest], 4), 'full_over_slowest': round(full / alone[slowest], 2),
                'sum_of_singles_s': round(sum(alone.values()), 4)}

    healthy = row(*measure(3.0, args.rounds))
    latency = []
    try:
        for ms in (float(value) for value in args.latencies.split(',') if value):
            for dc in ('1', '2'):
                _bench.labctl('delay', dc, '%g' % ms)
            latency.append(dict(row(*measure(3.0, args.rounds)), latency_ms=ms))
    finally:
        for dc in ('1', '2'):
            _bench.labctl('undelay', dc)
    dead = []
    _bench.labctl('block-port', '2', 'all')
    try:
        for index, timeout in enumerate(float(value) for value in args.timeouts.split(',')):
            full, alone, means = measure(timeout, 1, singles=index == 0)
            dead.append(dict(row(full, alone, means) if alone else {'full_run_s': round(full, 4)}, timeout_s=timeout,
                             full_over_timeout=round(full / timeout, 2)))
    finally:
        _bench.labctl('unblock-port', '2')

    for run in [healthy] + latency:
        run['met'] = run['full_over_slowest'] <= TARGET
    for run in dead:
        run['met'] = run['full_over_timeout'] <= TARGET
    result = {'rounds': args.rounds, 'target': TARGET, 'healthy': healthy, 'healthy_with_latency': latency, 'dc2_dead': dead}
    rows = []
    for name, run in [('healthy (best of %d)' % args.rounds, dict(healthy, timeout_s=3.0))] + [
            ('healthy, +%g ms a round trip to each DC (best of %d)' % (run['latency_ms'], args.rounds), dict(run, timeout_s=3.0))
            for run in latency] + [('DC 2 dead', run) for run in dead]:
        rows.append((name, '%.1f s' % run['timeout_s'], '%.3f s' % run['full_run_s'],
                     '%.3f s (%s)' % (run['slowest_single_s'], run['slowest_single_probe']) if 'slowest_single_s' in run else '-',
                     run.get('full_over_slowest', '-'), '%.3f s' % run['sum_of_singles_s'] if 'sum_of_singles_s' in run else '-',
                     run.get('full_over_timeout', '-'), _bench.TARGETS_MET[run['met']]))
    _bench.chart('connectivity', 'entra_connectivity: full run vs reference',
                 ['healthy'] + ['+%g ms' % run['latency_ms'] for run in latency] +
                 ['DC 2 dead, timeout %.0f s' % run['timeout_s'] for run in dead],
                 {'full run': [run['full_run_s'] for run in [healthy] + latency + dead],
                  'reference (slowest probe / timeout)': [run['slowest_single_s'] for run in [healthy] + latency] +
                  [run['timeout_s'] for run in dead]})
    _bench.write('connectivity', result, '\n\n'.join([
        '# entra_connectivity probe cost (lab)',
        _bench.table(['lab state', 'probe timeout', 'full run', 'slowest probe alone', 'full / slowest (target <= 1.2)',
                      'all probes one after another', 'full / timeout (target <= 1.2)', 'target'], rows),
        'Healthy, the lab has no network latency: the probes are CPU work of this host and of the two DCs, which share '
        'its CPUs, so the full run (%d probes) costs about the sum of its probes\' CPU, not the slowest one: the ratio '
        'to the slowest probe measures this machine\'s CPUs, not waiting. Once answers wait on the network (a dead DC, '
        'each of its probes waiting for the timeout), the full run costs its slowest probe. The module starts each '
        'protocol check as soon as the probes it rests on have answered (never after the slowest DNS lookup), shares '
        'the DNS answers of a run between its probes and builds its TLS contexts once. Profile of the healthy full run: '
        '%.3f s wall, %.3f s CPU of this process (building requests and parsing answers: DNS through dnspython, '
        'LDAP and Kerberos in the collection\'s own codecs; TLS handshakes; the AES key of the credential check; starting one '
        'thread per probe, each start a switch to the new thread '
        'under the GIL), the rest is the DCs\' CPU on the same cores. A cProfile of a whole entra_connectivity module '
        'run is in fleet.md.'
        % (healthy['probes'], healthy['full_run_s'], healthy['full_run_cpu_s']),
        'The bound this lab sets: a full run used %.3f s of this process\'s CPU and %.3f s of the two DCs\' (means of %d '
        'runs), %.3f s of work for %d CPUs, so a mean run cannot take less than %.3f s here; the full runs took %.3f s, %.2fx '
        'that. '
        'This kernel has no netem (CONFIG_NET_SCH_NETEM unset), so in this zero-latency lab that bound alone is %.1fx '
        'the slowest probe. The latency rows add what a real domain has: `labctl delay` holds every packet that '
        'reaches a DC for the given time (tests/lab/tools/delay.py on an NFQUEUE queue), so each round trip to a DC '
        'takes that much longer and the probes wait on the network; the CPU bound stays the same.'
        % (healthy['full_run_cpu_s'], healthy['dcs_cpu_s'], args.rounds, healthy['full_run_cpu_s'] + healthy['dcs_cpu_s'],
           os.cpu_count(), healthy['cpu_bound_s'], healthy['full_run_mean_s'], healthy['full_over_cpu_bound'],
           healthy['cpu_bound_s'] / healthy['slowest_single_s'])]))


if __name__ == '__main__':
    main()
