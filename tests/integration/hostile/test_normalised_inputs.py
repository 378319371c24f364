"""Inputs that look odd but are right are accepted and normalised, not refused: upper-case realms and domains, a
trailing dot, IPv4-mapped IPv6 and padded addresses, booleans and numbers as text. A second run with the canonical
spelling changes nothing."""

import json

import pytest

from truenas_emulator.directory_backend import FAKE_JOIN_USER

from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from ..test_entra_dns_config import DCS, DOMAIN, TASK, api_options, task as dns_task


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_upper_case_domain_with_trailing_dot_is_stored_canonical(ansible, domain_nas, tls):
    first = ansible.playbook(TASK % ('AADDSCONTOSO.Test.', '["198.51.100.10"]', api_options(domain_nas, tls)))
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    assert domain_nas.network_config['domain'] == 'aaddscontoso.test'
    again = ansible.playbook(dns_task(domain_nas, tls, nameservers=['198.51.100.10']))
    assert again.rc == 0 and again.changed == 0


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_upper_case_realm_in_the_upn_joins_and_converges(ansible, domain_nas, tls):
    first = ansible.playbook(join_task(domain_nas, tls, domain='AADDSCONTOSO.COM.',
                                       username='%s@AADDSCONTOSO.COM' % FAKE_JOIN_USER.upper()))
    assert first.rc == 0 and first.result['status'] == 'HEALTHY', first.stdout + first.stderr
    assert [entry['principal'] for entry in domain_nas.fake.kinits][:1] == ['%s@AADDSCONTOSO.COM' % FAKE_JOIN_USER.upper()]
    again = ansible.playbook(join_task(domain_nas, tls))
    assert again.rc == 0 and again.changed == 0


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_ipv4_mapped_and_padded_addresses_are_stored_as_ipv4(ansible, domain_nas, tls):
    """``::ffff:a.b.c.d`` is the IPv4 address a.b.c.d to every rule and to the NAS; spaces around it do not count."""
    given = json.dumps(['::ffff:%s' % DCS[0], ' %s ' % DCS[1]])
    first = ansible.playbook(TASK % (DOMAIN, given, api_options(domain_nas, tls, timeout='30')))
    assert first.rc == 0 and first.changed == 1, first.stdout + first.stderr
    assert [domain_nas.network_config[slot] for slot in ('nameserver1', 'nameserver2')] == DCS
    again = ansible.playbook(dns_task(domain_nas, tls))
    assert again.rc == 0 and again.changed == 0


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_booleans_and_numbers_given_as_text_are_read_as_ansible_reads_them(ansible, domain_nas, tls):
    """``verify: "off"`` is false and ``timeout: "30"`` is 30 (Ansible's rules for bool and int options)."""
    task = TASK.replace('verify: false', 'verify: "off"')
    run = ansible.playbook(task % (DOMAIN, json.dumps(DCS), api_options(domain_nas, tls, timeout='30')))
    assert run.rc == 0 and run.changed == 1 and run.result['verify'] == [], run.stdout + run.stderr
