"""verify_idmap's full directory comparison in a bulk lab, next to `wbinfo -u` plus `getent` over the same users.

Needs a lab with bulk users ($LAB_DIR; bench/run brings one up with 1000, then 10000 users), never the main lab's
state. Joins its stand-in 1 (ad_join), then measures, each in a fresh process (wall time and peak RSS, GNU time):
  module    verify_idmap run directly (no Ansible around it) from the lab host over wss, with the LDAPS comparison
  baseline  `wbinfo -u | xargs getent passwd` inside the stand-in (winbind's own enumeration plus one NSS lookup per
            user), the same users
and adds a row for the lab's user count to bench/results/verify_idmap.{json,md,png} (rows of other counts stay).
The stand-in is left not joined.
Usage (the collection on PYTHONPATH as ansible_collections/nasjoin/entra): python bench/verify_idmap.py
"""

import _bench


def main():
    lab = _bench.lab_facts()
    nas = lab['nas'][0]
    api = {'api_url': nas['api_url'], 'api_key': nas['api_key'], 'api_username': nas['api_user'], 'ca_path': lab['ca_file']}
    join = dict(api, domain=lab['dns_domain'], username=lab['join_user']['upn'], password=lab['user_password'])
    _bench.run_module('entra_dns_config', dict(api, domain=lab['dns_domain'], nameservers=lab['dc_ips']))
    assert not _bench.run_module('ad_join', join)[3].get('failed')
    try:
        verify = dict(api, refresh_cache=True, fail_on='never', users=[lab['users']['plain']['upn']],
                      directory={'username': lab['join_user']['upn'], 'password': lab['user_password'],
                                 'servers': lab['dc_ips'], 'ca_path': lab['ca_file']})
        seconds, cpu, mib, result = _bench.run_module('verify_idmap', verify)
        base_s, base_cpu, base_mib, proc = _bench.measured([str(_bench.LABCTL), 'nas-exec', '1', 'sh', '-c',
                                                            'wbinfo -u | xargs -d "\\n" getent passwd | wc -l'])
    finally:
        _bench.run_module('ad_join', dict(api, state='absent', domain=lab['dns_domain'], leave_credentials={
            'username': lab['join_user']['upn'], 'password': lab['user_password']}))
    stats = result.get('directory') or {}
    row = {'bulk_users': lab['bulk_users']['count'], 'directory_users': stats.get('users'),
           'directory_groups': stats.get('groups'), 'resolved': stats.get('resolved'), 'msg': result.get('msg'),
           'module': {'seconds': seconds, 'cpu_s': cpu, 'peak_mib': mib},
           'wbinfo_getent': {'seconds': base_s, 'peak_mib': base_mib, 'users': int(proc.stdout.split()[-1] or 0)},
           'ratio': {'time': _bench.ratio(seconds, base_s), 'memory': _bench.ratio(mib, base_mib)}}
    sizes = dict((_bench.read('verify_idmap') or {}).get('sizes', {}), **{str(row['bulk_users']): row})
    rows = [sizes[key] for key in sorted(sizes, key=int)]
    _bench.chart('verify_idmap', 'verify_idmap vs wbinfo -u + getent', ['%d users' % r['bulk_users'] for r in rows],
                 {'verify_idmap': [r['module']['seconds'] for r in rows],
                  'wbinfo -u + getent': [r['wbinfo_getent']['seconds'] for r in rows]})
    _bench.write('verify_idmap', {'sizes': sizes}, '\n\n'.join([
        '# verify_idmap, full directory comparison, next to `wbinfo -u | xargs getent passwd` in the stand-in',
        _bench.table(['bulk users', 'read over LDAPS (users / groups)', 'resolve on the NAS', 'verify_idmap',
                      '`wbinfo -u` + `getent`', 'time ratio', 'peak RSS (module / baseline)', 'memory ratio'],
                     [(r['bulk_users'], '%s / %s' % (r['directory_users'], r['directory_groups']), r['resolved'],
                       '%.2f s' % r['module']['seconds'], '%.2f s' % r['wbinfo_getent']['seconds'], r['ratio']['time'],
                       '%.1f / %.1f MiB' % (r['module']['peak_mib'], r['wbinfo_getent']['peak_mib']), r['ratio']['memory'])
                      for r in rows]),
        'verify_idmap refreshes the NAS\'s directory cache (refresh_cache), reads every user and group over LDAPS and '
        'compares them with what the NAS resolves; the baseline only enumerates through winbind and NSS. The module '
        'is one Python process (its interpreter and imports included in the peak RSS); the baseline\'s peak is its '
        'largest process.']))


if __name__ == '__main__':
    main()
