# -*- coding: utf-8 -*-
# Copyright: nasjoin.entra contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Active Directory surface of TrueNAS, one class per API generation behind one interface.

PRIVATE to the collection. 25.04 has ``activedirectory.*`` (legacy schema, idmap rows apart);
25.10 unified everything in ``directoryservices.*``. Both read into the same state shape:
``enabled``, ``domain``, ``hostname``, ``computer_account_ou``, ``site``, ``enable_dns_updates``,
``idmap`` ({builtin, domain: (low, high)}), ``status``, ``status_msg``; ``idmap_ranges()`` lists every range
as {kind (builtin, domain, trusted), name, backend, range: (low, high)}; ``netbios_domain(domain)`` is the
NetBIOS domain name the joined NAS uses (the first label of ``domain`` only before a join); ``busy()`` lists the
directory jobs (join, disable, leave) WAITING or RUNNING on the NAS and the newest one's id, ``jobs_after(job_id)``
those started after ``job_id``: TrueNAS runs them one after the other (one job lock), so a second run's join would wait for the
first and then fail on what the first one changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.nasjoin.entra.plugins.module_utils._names import netbios_domain as first_label_netbios
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas import versions
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.errors import printable


def _lower(value):
    return value.lower() if value else None


def _kerberos_user(name, domain, password):
    """A KERBEROS_USER credential: ``name@REALM``, the realm in upper case."""
    return {'credential_type': 'KERBEROS_USER', 'username': '%s@%s' % (name, domain.upper()), 'password': password}


def _range(kind, name, entry):
    return {'kind': kind, 'name': name, 'backend': entry.get('idmap_backend'),
            'range': (entry.get('range_low'), entry.get('range_high'))}


class DirectoryAPI:
    """What ad_join needs from the NAS. ``params`` maps API fields to module parameters;
    ``mutable`` names the settings TrueNAS lets change while joined."""

    params = {}
    mutable = frozenset()
    methods = ()  # the job methods that share the directory job lock
    reads = ()  # the calls of read() and idmap_ranges(), as (method, params), for a batch to answer up front

    def __init__(self, client):
        self.client = client

    def status(self):
        """(status, status_msg): the message as a result may show it (errors.printable), or None."""
        entry = self.client.call('directoryservices.status') or {}
        message = entry.get('status_msg')
        return entry.get('status') or 'DISABLED', printable(message) if message else None

    def read(self):
        state = self._read_config()
        state['status'], state['status_msg'] = self.status()
        return state

    def netbios_domain(self, domain):
        """After ``read``: the NetBIOS domain name the NAS took from the domain controllers when it joined (the name
        winbind resolves ``DOMAIN\\name`` with); before a join, the Entra Domain Services default, the first label."""
        return self._joined_netbios() or first_label_netbios(domain)

    def _jobs(self, *filters):
        query = [['method', 'in', list(self.methods)]] + list(filters)
        jobs = [dict((key, job.get(key)) for key in ('id', 'method', 'state'))
                for job in self.client.call('core.get_jobs', query) or []]
        return sorted(jobs, key=lambda job: job['id'])

    def busy(self):
        """(the directory jobs WAITING or RUNNING now, oldest first; the id of the newest directory job, or 0)."""
        jobs = self._jobs()
        return [job for job in jobs if job['state'] in ('WAITING', 'RUNNING')], jobs[-1]['id'] if jobs else 0

    def jobs_after(self, job_id):
        """The directory jobs started after job ``job_id``, oldest first."""
        return self._jobs(['id', '>', job_id])

    def _job(self, method, payload, timeout, on_progress):
        return self.client.call_job(method, payload, timeout=timeout, on_progress=on_progress)


class DirectoryServices(DirectoryAPI):
    """TrueNAS 25.10 and later (api/v25_10_0/directory_services.py)."""

    params = {'credential.username': 'username', 'credential.password': 'password', 'configuration.domain': 'domain',
              'configuration.hostname': 'hostname', 'configuration.computer_account_ou': 'computer_account_ou',
              'configuration.site': 'site', 'configuration.idmap': 'idmap'}
    mutable = frozenset(['enable_dns_updates'])
    methods = ('directoryservices.update', 'directoryservices.leave')  # @job(lock='directoryservices_change')
    reads = (('directoryservices.config', ()), ('directoryservices.status', ()))

    def _read_config(self):
        self.raw = self.client.call('directoryservices.config') or {}
        conf = self.raw.get('configuration') or {}
        idmap = conf.get('idmap') or {}
        ranges = dict((key, (entry.get('range_low'), entry.get('range_high'))) for key, entry in
                      (('builtin', idmap.get('builtin') or {}), ('domain', idmap.get('idmap_domain') or {})))
        return {
            'enabled': bool(self.raw.get('enable')) and self.raw.get('service_type') == 'ACTIVEDIRECTORY',
            'configured': self.raw.get('service_type') == 'ACTIVEDIRECTORY',
            'domain': _lower(conf.get('domain')),
            'hostname': conf.get('hostname'),
            'computer_account_ou': conf.get('computer_account_ou') or None,
            'site': conf.get('site'),
            'enable_dns_updates': bool(self.raw.get('enable_dns_updates')),
            'idmap': ranges,
        }

    def _joined_netbios(self):
        """The idmap domain's ``name``: TrueNAS fills it with the domain's NetBIOS name (the DC's workgroup) on a join."""
        if self.raw.get('service_type') != 'ACTIVEDIRECTORY':
            return None
        idmap = (self.raw.get('configuration') or {}).get('idmap') or {}
        return (idmap.get('idmap_domain') or {}).get('name') or None

    def idmap_ranges(self):
        """Every idmap range (after ``read``): builtin, the domain, trusted domains."""
        conf = self.raw.get('configuration') or {}
        idmap = conf.get('idmap') or {}
        entries = [('builtin', 'builtin', dict(idmap.get('builtin') or {}, idmap_backend='TDB')),
                   ('domain', (idmap.get('idmap_domain') or {}).get('name') or 'domain', idmap.get('idmap_domain') or {})]
        entries += [('trusted', entry.get('name'), entry) for entry in conf.get('trusted_domains') or []]
        return [_range(kind, name, entry) for kind, name, entry in entries]

    def join(self, desired, password, timeout, on_progress):
        idmap = desired['idmap']
        payload = {
            'service_type': 'ACTIVEDIRECTORY', 'enable': True, 'enable_dns_updates': desired['enable_dns_updates'],
            'credential': _kerberos_user(desired['username'], desired['domain'], password),
            'configuration': {
                'hostname': desired['hostname'], 'domain': desired['domain'], 'site': desired['site'],
                'computer_account_ou': desired['computer_account_ou'],
                'idmap': {'builtin': {'range_low': idmap['builtin'][0], 'range_high': idmap['builtin'][1]},
                          'idmap_domain': {'idmap_backend': idmap['backend'], 'range_low': idmap['domain'][0],
                                           'range_high': idmap['domain'][1]}}},
        }
        return self._job('directoryservices.update', payload, timeout, on_progress)

    def set_dns_updates(self, enabled, timeout, on_progress):
        """A change TrueNAS permits while joined: send the stored settings back as they are."""
        payload = dict((key, self.raw[key]) for key in ('service_type', 'credential', 'configuration', 'enable'))
        payload['enable_dns_updates'] = enabled
        return self._job('directoryservices.update', payload, timeout, on_progress)

    def leave(self, username, password, timeout, on_progress):
        credential = _kerberos_user(username, self.raw['configuration']['domain'], password)
        return self._job('directoryservices.leave', {'credential': credential}, timeout, on_progress)

    def disable(self, timeout, on_progress):
        """Disable, keeping the settings. A join cut short (middleware restart, reboot) leaves the join user's
        KERBEROS_USER credential stored, which TrueNAS refuses to keep on a disabled AD configuration
        (datastore.py common_validation): it is cleared then; a KERBEROS_PRINCIPAL stays."""
        payload = {'enable': False}
        if (self.raw.get('credential') or {}).get('credential_type') == 'KERBEROS_USER':
            payload['credential'] = None
        return self._job('directoryservices.update', payload, timeout, on_progress)


class ActiveDirectory(DirectoryAPI):
    """TrueNAS 25.04 (plugins/activedirectory.py, idmap rows in plugins/idmap.py)."""

    params = {'bindname': 'username', 'bindpw': 'password', 'domainname': 'domain', 'netbiosname': 'hostname',
              'createcomputer': 'computer_account_ou', 'site': 'site', 'range_low': 'idmap', 'range_high': 'idmap'}
    _ROWS = {'builtin': 'DS_TYPE_DEFAULT_DOMAIN', 'domain': 'DS_TYPE_ACTIVEDIRECTORY'}
    methods = ('activedirectory.update', 'activedirectory.leave')  # @job(lock='AD_start_stop')
    # the domain's idmap row with winbind's domain information: the NetBIOS name it joined with
    _DOMAIN_INFO = ([['name', '=', _ROWS['domain']]], {'extra': {'additional_information': ['DOMAIN_INFO']}})
    reads = (('activedirectory.config', ()), ('directoryservices.status', ()), ('idmap.query', ()),
             ('idmap.query', _DOMAIN_INFO))

    def _read_config(self):
        self.raw = self.client.call('activedirectory.config') or {}
        return {
            'enabled': bool(self.raw.get('enable')),
            'configured': bool(self.raw.get('domainname')),
            'domain': _lower(self.raw.get('domainname')),
            'hostname': self.raw.get('netbiosname'),
            'computer_account_ou': self.raw.get('createcomputer') or None,
            'site': self.raw.get('site'),
            'enable_dns_updates': bool(self.raw.get('allow_dns_updates')),
            'idmap': None,  # read on demand: the idmap rows cost one more call
        }

    def _joined_netbios(self):
        """winbind's NetBIOS name of the joined domain (idmap.query DOMAIN_INFO of the domain's row; null until joined)."""
        if not self.raw.get('enable'):
            return None
        rows = self.client.call('idmap.query', *self._DOMAIN_INFO)
        return next(((row.get('domain_info') or {}).get('netbios_domain') for row in rows or []), None) or None

    def idmap_rows(self):
        rows = self.client.call('idmap.query', [['name', 'in', list(self._ROWS.values())]])
        return dict((row['name'], row) for row in rows or [])

    def read_idmap(self):
        rows = self.idmap_rows()
        return dict((key, (rows.get(name, {}).get('range_low'), rows.get(name, {}).get('range_high')))
                    for key, name in self._ROWS.items())

    def idmap_ranges(self):
        """Every idmap row that maps domain accounts: builtin, the domain, trusted domains (not DS_TYPE_LDAP)."""
        kinds = dict((name, key) for key, name in self._ROWS.items())
        found = [_range(kinds.get(row['name'], 'trusted'), row['name'], row) for row in self.client.call('idmap.query') or []
                 if row['name'] in kinds or not row['name'].startswith('DS_TYPE_')]
        return sorted(found, key=lambda entry: ('builtin', 'domain', 'trusted').index(entry['kind']))

    def _set_idmap(self, idmap):
        rows = self.idmap_rows()
        for key, name in self._ROWS.items():
            row = rows.get(name)
            if row and (row['range_low'], row['range_high']) != idmap[key]:
                change = {'range_low': idmap[key][0], 'range_high': idmap[key][1]}
                if key == 'domain':
                    change.update(idmap_backend=idmap['backend'], options={})
                self.client.call('idmap.update', row['id'], change)

    def join(self, desired, password, timeout, on_progress):
        self._set_idmap(desired['idmap'])
        payload = {'domainname': desired['domain'].upper(), 'bindname': desired['username'], 'bindpw': password,
                   'createcomputer': desired['computer_account_ou'] or '', 'site': desired['site'],
                   'allow_dns_updates': desired['enable_dns_updates'], 'enable': True,
                   'kerberos_principal': ''}  # a keytab left by an earlier join may not go with a password
        if desired['hostname']:
            payload['netbiosname'] = desired['hostname']
        return self._job('activedirectory.update', payload, timeout, on_progress)

    def leave(self, username, password, timeout, on_progress):
        return self._job('activedirectory.leave', {'username': username, 'password': password}, timeout, on_progress)

    def disable(self, timeout, on_progress):
        payload = {'domainname': self.raw['domainname'], 'enable': False}  # the legacy schema requires domainname
        return self._job('activedirectory.update', payload, timeout, on_progress)


def for_client(client):
    """The API generation of this NAS, after the version gate."""
    client.require('network.configuration.config')
    return DirectoryServices(client) if versions.directory_api(client.version) == 'directoryservices' else ActiveDirectory(client)
