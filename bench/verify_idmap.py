"""verify_idmap's full directory comparison in a bulk lab, next to `wbinfo -u` plus `getent` over the same users.

Needs a separate lab with bulk users, never the main lab's state, for example:
  tests/lab/labctl --lab-dir /var/lib/nasjoin-lab-bench up --prefix njb --net 198.18.77 --nas 1 --users 10000
Joins its stand-in 1 (ad_join), then measures, each in a fresh process (wall time and peak RSS, GNU time):
  module    verify_idmap run directly (no Ansible around it) from the lab host over wss, with the LDAPS comparison
  baseline  `wbinfo -u | xargs getent passwd` inside the stand-in (winbind's own enumeration plus one NSS lookup per
            user), the same users
and writes bench/results/verify_idmap.{json,md} with the ratios. The stand-in is left not joined; bring the lab
down afterwards (labctl --lab-dir ... down).
Usage (the collection on PYTHONPATH as ansible_collections/nasjoin/entra):
  python bench/verify_idmap.py --lab-dir /var/lib/nasjoin-lab-bench
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABCTL = HERE.parent / 'tests' / 'lab' / 'labctl'
MODULE = 'ansible_collections.nasjoin.entra.plugins.modules.'


def labctl(lab_dir, *args):
    return subprocess.run([str(LABCTL), '--lab-dir', lab_dir] + list(args), check=True, capture_output=True,
                          text=True, timeout=900).stdout


def timed(cmd, env=None):
    """(seconds, peak RSS in MiB, stdout) of ``cmd`` under GNU time."""
    with tempfile.NamedTemporaryFile('r') as out:
        proc = subprocess.run(['/usr/bin/time', '-o', out.name, '-f', '%e %M'] + cmd, capture_output=True, text=True,
                              env=env, check=False, timeout=1800)
        seconds, kib = out.read().split()[-2:]
    return float(seconds), round(int(kib) / 1024.0, 1), proc


def module(name, args, env):
    """Run a module of the collection directly with ``args``; (seconds, MiB, result)."""
    with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        handle.flush()
        seconds, mib, proc = timed([sys.executable, '-m', MODULE + name, handle.name], env)
    return seconds, mib, json.loads(proc.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lab-dir', default='/var/lib/nasjoin-lab-bench')
    options = parser.parse_args()
    lab = json.loads(labctl(options.lab_dir, 'env', '--json'))
    nas = lab['nas'][0]
    route = subprocess.run(['ip', 'route', 'get', nas['ip']], capture_output=True, text=True, check=True).stdout
    assert ' dev %s ' % lab['network']['bridge'] in route, route
    env = dict(os.environ)
    api = {'api_url': nas['api_url'], 'api_key': nas['api_key'], 'api_username': nas['api_user'], 'ca_path': lab['ca_file']}
    join = dict(api, domain=lab['dns_domain'], username=lab['join_user']['upn'], password=lab['user_password'])
    module('entra_dns_config', dict(api, domain=lab['dns_domain'], nameservers=lab['dc_ips']), env)
    assert not module('ad_join', join, env)[2].get('failed')
    try:
        verify = dict(api, refresh_cache=True, fail_on='never', users=[lab['users']['plain']['upn']],
                      directory={'username': lab['join_user']['upn'], 'password': lab['user_password'],
                                 'servers': lab['dc_ips'], 'ca_path': lab['ca_file']})
        seconds, mib, result = module('verify_idmap', verify, env)
        stats = result.get('directory') or {}
        base_s, base_mib, proc = timed([str(LABCTL), '--lab-dir', options.lab_dir, 'nas-exec', '1', 'sh', '-c',
                                        'wbinfo -u | xargs -d "\\n" getent passwd | wc -l'])
    finally:
        module('ad_join', dict(api, state='absent', domain=lab['dns_domain'], leave_credentials={
            'username': lab['join_user']['upn'], 'password': lab['user_password']}), env)
    data = {'bulk_users': lab['bulk_users']['count'], 'directory_users': stats.get('users'),
            'directory_groups': stats.get('groups'), 'resolved': stats.get('resolved'), 'msg': result.get('msg'),
            'module': {'seconds': seconds, 'peak_mib': mib},
            'wbinfo_getent': {'seconds': base_s, 'peak_mib': base_mib, 'users': int(proc.stdout.split()[-1] or 0)},
            'ratio': {'time': round(seconds / base_s, 2) if base_s else None,
                      'memory': round(mib / base_mib, 2) if base_mib else None}}
    results = HERE / 'results'
    (results / 'verify_idmap.json').write_text(json.dumps(data, indent=1) + '\n')
    (results / 'verify_idmap.md').write_text(
        '# verify_idmap, full directory comparison\n\n%d bulk users; %s users and %s groups read over LDAPS, %s resolve '
        'on the NAS.\n\n| run | time (s) | peak RSS (MiB) |\n|---|---|---|\n| verify_idmap (refresh_cache, directory) '
        '| %.2f | %.1f |\n| `wbinfo -u \\| xargs getent passwd` in the stand-in | %.2f | %.1f |\n| ratio | %s | %s |\n'
        % (data['bulk_users'], data['directory_users'], data['directory_groups'], data['resolved'], seconds, mib,
           base_s, base_mib, data['ratio']['time'], data['ratio']['memory']))
    print(json.dumps(data, indent=1))


if __name__ == '__main__':
    main()
