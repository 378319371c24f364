"""`labctl up` of the benchmark lab ($LAB_DIR) with --users N, timed; adds a row to bench/results/lab_up.{json,md,png}.

The first row of a run comes from a purged lab (bench/run purges it); later rows add bulk users to the same lab.
Usage: python bench/lab_up.py --users N [--fresh] [-- extra labctl up options]
"""

import argparse
import re
import time

import _bench

BEFORE = {'users': 10000, 'populate_s': 1005.1, 'up_s': 1071.8,
          'note': 'populate.py before batching (one newuser, setpassword and membership change per user), fresh lab, '
                  'measured 2026-11-22 on this machine while other work shared its CPUs; an earlier quieter run of '
                  'the same took 7 min 16 s in all'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--users', type=int, required=True)
    parser.add_argument('--fresh', action='store_true', help='the lab was purged: start a new table')
    parser.add_argument('options', nargs='*')
    args = parser.parse_args()
    started = time.monotonic()
    log = _bench.run_labctl_up(['--users', str(args.users)] + args.options)
    populate = re.search(r'populated in ([0-9.]+)s', log)
    row = {'users': args.users, 'fresh': args.fresh, 'up_s': round(time.monotonic() - started, 1),
           'populate_s': float(populate.group(1)) if populate else None}
    rows = ([] if args.fresh else (_bench.read('lab_up') or {}).get('rows', [])) + [row]
    _bench.chart('lab_up', 'labctl up with bulk users', ['%s%d users' % ('' if r['fresh'] else '+', r['users'])
                                                         for r in rows] + ['before: %d users' % BEFORE['users']],
                 {'labctl up': [r['up_s'] for r in rows] + [BEFORE['up_s']],
                  'populate.py': [r['populate_s'] or 0 for r in rows] + [BEFORE['populate_s']]})
    _bench.write('lab_up', {'rows': rows, 'before_batching': BEFORE}, '\n\n'.join([
        '# Benchmark lab: `labctl up` with bulk users',
        _bench.table(['step', 'labctl up', 'populate.py'],
                     [('%s %d users' % ('fresh lab,' if r['fresh'] else 'then', r['users']), '%.1f s' % r['up_s'],
                       '%.1f s' % r['populate_s'] if r['populate_s'] is not None else 'unchanged') for r in rows]
                     + [('before batching: fresh lab, %d users' % BEFORE['users'], '%.1f s' % BEFORE['up_s'],
                         '%.1f s' % BEFORE['populate_s'])]),
        'Before: %s. Now each bulk user is one add, 500 to a transaction (an add costs more the more one transaction '
        'holds), the group gets its members in one change, and only the first bulk user\'s password is hashed by Samba '
        '(Heimdal PBKDF2, about 17 ms a user, 78 %% of the old run in perf); the others get its hashes.' % BEFORE['note']]))


if __name__ == '__main__':
    main()
