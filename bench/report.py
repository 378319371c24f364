"""bench/results/README.md: one table of every benchmark's latest result and target, from bench/results/*.json;
the same table goes into the root README.md between its `<!-- bench:begin -->` and `<!-- bench:end -->` lines.
Usage: python bench/report.py [--elapsed SECONDS]   (bench/run passes the time of the whole run; kept in run.json)
"""

import argparse
import os
import re

import _bench

FILES = ('fleet', 'connectivity', 'join', 'verify_idmap', 'lab_up')


def rows(results):  # pylint: disable=too-many-locals
    """(benchmark, measured, target, met) rows."""
    met = _bench.TARGETS_MET
    found = []
    fleet = results.get('fleet')
    if fleet:
        for row in fleet['converged']:
            if 'ratio' in row:
                found.append(('Converged fleet, %d NAS: playbook vs ping floor' % row['hosts'],
                              '%.1f s vs %.1f s = %.2fx' % (row['playbook_s'], row['floor_s'], row['ratio']),
                              '<= %.1fx' % row['target'], met[row['met']]))
            if 'report_share' in row:
                found.append(('Converged fleet, %d NAS: the fleet report\'s share of the run' % row['hosts'],
                              '%.2f s of %.1f s = %.1f %% (controller peak %.0f MiB)' % (
                                  row['report_s'], row['playbook_s'], row['report_share'] * 100, row['controller_peak_mib']),
                              '< 5 %', met[row['report_share'] < 0.05]))
            found.append(('Converged fleet, %d NAS: calls refused by the login rate limit' % row['hosts'],
                          '%d (%d logins a NAS)' % (row['refused'], row['logins_per_nas']), '0', met[row['refused'] == 0]))
        linear = fleet.get('linear')
        if linear:
            by_size = {row['hosts']: row for row in fleet['converged']}
            found.append(('Converged fleet, %d NAS: cost a host vs %d NAS' % (linear['hosts'], linear['reference_hosts']),
                          '%.3f s vs %.3f s = %.2fx' % (
                              by_size[linear['hosts']]['per_host_s'], by_size[linear['reference_hosts']]['per_host_s'],
                              linear['ratio']),
                          '<= %.2fx' % linear['target'], met[linear['met']]))
        for phase, steps in fleet['api'].items():
            for step, row in steps.items():
                ok = row['connections'] == 1 and row['logins'] == 1 and row['refused'] == 0 and (
                    phase == 'first_join' or (row['writes'] == 0 and row['calls_after_login'] <= 3))
                found.append(('API, %s, %s (per module run and host)' % (phase.replace('_', ' '), step),
                              '%g connection, %g login, %g calls after login, %g writes' % (
                                  row['connections'], row['logins'], row['calls_after_login'], row['writes']),
                              '1 connection, 1 login' + ('' if phase == 'first_join' else '; reads only, <= 3 calls'),
                              met[ok]))
    connectivity = results.get('connectivity')
    if connectivity:
        healthy = connectivity['healthy']
        found.append(('Preflight, healthy: full run vs slowest probe',
                      '%.3f s vs %.3f s = %.2fx%s' % (
                          healthy['full_run_s'], healthy['slowest_single_s'], healthy['full_over_slowest'],
                          '; the probes and the DCs need %.3f s of CPU per CPU of %d (the lab has no latency), a mean run took %.2fx that' % (
                              healthy['cpu_bound_s'], os.cpu_count(), healthy['full_over_cpu_bound'])
                          if 'cpu_bound_s' in healthy else ''), '<= 1.2x', met[healthy['met']]))
        for run in connectivity.get('healthy_with_latency', []):
            found.append(('Preflight, healthy, +%g ms a round trip to each DC: full run vs slowest probe' % run['latency_ms'],
                          '%.3f s vs %.3f s = %.2fx' % (run['full_run_s'], run['slowest_single_s'], run['full_over_slowest']),
                          '<= 1.2x', met[run['met']]))
        for run in connectivity['dc2_dead']:
            found.append(('Preflight, one DC dead: full run vs probe timeout %.0f s' % run['timeout_s'],
                          '%.3f s = %.2fx' % (run['full_run_s'], run['full_over_timeout']), '<= 1.2x', met[run['met']]))
    join = results.get('join')
    if join:
        found.append(('Join: ad_join vs bare `net ads join`', '%.2f s vs %.2f s: +%.2f s' % (
            join['best_s']['ad_join'], join['best_s']['net_ads_join'], join['overhead_over_net_ads_join_s']),
            '< %.0f s overhead' % join['target_s'], met[join['met']]))
    verify = results.get('verify_idmap')
    if verify:
        for key in sorted(verify['sizes'], key=int):
            row = verify['sizes'][key]
            found.append(('verify_idmap, %s users vs `wbinfo -u` + `getent`' % key,
                          '%.2f s / %.1f MiB vs %.2f s / %.1f MiB (%.2fx time, %.2fx memory)' % (
                              row['module']['seconds'], row['module']['peak_mib'], row['wbinfo_getent']['seconds'],
                              row['wbinfo_getent']['peak_mib'], row['ratio']['time'], row['ratio']['memory']),
                          'measured side by side', '-'))
    lab = results.get('lab_up')
    if lab:
        for row in lab['rows']:
            found.append(('Lab up, %s %d users' % ('fresh,' if row['fresh'] else 'then', row['users']),
                          '%.1f s (populate %s)' % (row['up_s'], '%.1f s' % row['populate_s'] if row['populate_s'] else '-'),
                          '10000 users well under 2 min' if row['users'] == 10000 else '-',
                          met[row['up_s'] < 120] if row['users'] == 10000 else '-'))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--elapsed', type=float)
    args = parser.parse_args()
    if args.elapsed:
        _bench.write('run', {'elapsed_s': args.elapsed}, '# bench/run\n\nEverything in %.1f min.' % (args.elapsed / 60))
    results = {name: _bench.read(name) for name in FILES}
    table_rows = rows(results)
    fleet = results.get('fleet')
    if fleet and 'elapsed_s' in fleet:
        table_rows.append(('bench/fleet.py alone, %s NAS' % ', '.join('{:,}'.format(size) for size in fleet['sizes']),
                           '%.1f min (%d playbook and floor pair%s a size up to %d NAS)' % (
                               fleet['elapsed_s'] / 60, fleet['rounds'], 's' if fleet['rounds'] > 1 else '',
                               fleet['floor_up_to']), '-', '-'))
    run = _bench.read('run')
    if run:  # a duration, not a goal: the 1,000 NAS of the fleet benchmark alone take most of it
        table_rows.append(('bench/run, everything', '%.1f min (%s)' % (run['elapsed_s'] / 60, run['measured_at'][:10]),
                           '-', '-'))
    table = _bench.table(['benchmark', 'measured', 'target', ''], table_rows)
    dates = sorted({data['measured_at'] for data in results.values() if data})
    summary = '\n\n'.join([
        '# Benchmark results',
        'Latest results (bench/run; a benchmark run again alone replaces its own rows) on %d CPUs, measured %s to %s. '
        'Details, profiles and what closes each gap: '
        'fleet.md, connectivity.md, join.md, verify_idmap.md, lab_up.md (and the .json/.png beside them).' % (
            results['fleet']['cpus'] if results.get('fleet') else 0, dates[0] if dates else '-', dates[-1] if dates else '-'),
        table])
    (_bench.RESULTS / 'README.md').write_text(summary + '\n')
    readme = _bench.ROOT / 'README.md'
    text = readme.read_text()
    block = '<!-- bench:begin -->\n%s\n<!-- bench:end -->' % table
    if '<!-- bench:begin -->' in text:
        text = re.sub(r'<!-- bench:begin -->.*?<!-- bench:end -->', lambda match: block, text, flags=re.S)
        readme.write_text(text)
    print(summary)


if __name__ == '__main__':
    main()
