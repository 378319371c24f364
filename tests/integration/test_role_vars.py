"""nasjoin.entra.role_vars: one task checks a host's variables of several roles against their argument specs."""

import pytest


def test_valid_variables_of_the_four_steps_pass(ansible):
    run = ansible.adhoc('nasjoin.entra.role_vars', '', '-e', 'entra_domain=aaddscontoso.com', '-e',
                        '{"entra_dc_ips": ["10.0.1.4", "10.0.1.5"], "entra_join_user": "joiner@aaddscontoso.com", '
                        '"entra_join_password": "pw", "entra_verify_users": ["alice"]}')
    assert run.rc == 0, run.stdout
    assert run.result['argument_errors'] == []
    assert run.result['roles'] == ['entra_network', 'entra_preflight', 'entra_join', 'entra_verify']
    assert run.result['changed'] is False


@pytest.mark.parametrize('variables, words', [
    ('{}', 'missing required arguments: entra_dc_ips, entra_domain'),
    ('{"entra_domain": "aaddscontoso.com", "entra_dc_ips": {"dc1": "10.0.1.4"}}', "argument 'entra_dc_ips' is of type dict"),
    ('{"entra_domain": "aaddscontoso.com", "entra_dc_ips": ["10.0.1.4"], "entra_network_verify": "maybe"}',
     "argument 'entra_network_verify' is of type"),
])
def test_a_bad_variable_is_named(ansible, variables, words):
    run = ansible.adhoc('nasjoin.entra.role_vars', 'roles=entra_network', '-e', variables)
    assert run.rc != 0
    assert words in run.result['msg']
    assert any(words in error for error in run.result['argument_errors'])


def test_numbers_are_checked_first_against_their_module_range(ansible):
    run = ansible.adhoc('nasjoin.entra.role_vars', 'roles=entra_network,entra_preflight', '-e',
                        '{"entra_domain": "aaddscontoso.com", "entra_dc_ips": ["10.0.1.4"], '
                        '"entra_network_verify_timeout": "inf", "entra_preflight_max_clock_skew": -1}')
    assert run.rc != 0
    assert run.result['msg'] == ('entra_network_verify_timeout: inf is not a number from 0.1 to 300. '
                                 'entra_preflight_max_clock_skew: -1 is not a number from 1 to 3600.')


def test_a_role_without_a_spec_is_refused_with_the_roles_there_are(ansible):
    run = ansible.adhoc('nasjoin.entra.role_vars', 'roles=entra_networks')
    assert run.rc != 0
    assert 'roles: entra_networks is not a role of nasjoin.entra' in run.result['msg']
    assert 'entra_network, ' in run.result['msg']
