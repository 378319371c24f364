"""Inputs that look odd but are right are accepted and normalised, not refused: upper-case realms and domains, a
trailing dot. A second run with the canonical spelling changes nothing."""

import pytest

from truenas_emulator.directory_backend import FAKE_JOIN_USER

from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from ..test_entra_dns_config import TASK, api_options, task as dns_task


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
