"""String and secret options and role variables take text only: a list or a dict is never sent as its string form,
and a secret (no_log) takes nothing but text; the refusal names the option or variable and the type, never the value."""

import re
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.nasjoin.entra.plugins.module_utils import _arguments

ROOT = Path(__file__).resolve().parents[4]
SECRET = 'Canary-typed-Passw0rd'
SPEC = {
    'domain': {'type': 'str'},
    'password': {'type': 'str', 'no_log': True},
    'api_key': {'type': 'str', 'no_log': True, 'fallback': (None, ['NASJOIN_TEST_KEY'])},
    'leave_credentials': {'type': 'dict', 'no_log': False, 'options': {
        'username': {'type': 'str', 'required': True}, 'password': {'type': 'str', 'required': True, 'no_log': True}}},
    'join_timeout': {'type': 'int'},
}


def role_options(*roles):
    options = {}
    for role in roles:
        text = (ROOT / 'roles' / role / 'meta' / 'argument_specs.yml').read_text(encoding='utf-8')
        options.update(yaml.safe_load(text)['argument_specs']['main']['options'])
    return options


@pytest.mark.parametrize('value, secret, kind', [
    ([SECRET], False, 'list'), ((SECRET,), True, 'list'), ({'value': SECRET}, False, 'dict'), ([], True, 'list'),
    (83, True, 'int'), (1e5, True, 'float'), (True, True, 'bool'),
    (83, False, None), (True, False, None), (SECRET, True, None), ('', True, None), (None, True, None),
])
def test_wrong_type_refuses_containers_and_for_a_secret_anything_but_text(value, secret, kind):
    assert _arguments.wrong_type(value, secret) == kind


def test_the_role_variables_name_the_variable_and_its_type_never_the_value():
    options = role_options('entra_network', 'entra_join', 'entra_verify')
    assert options['entra_join_password']['no_log'] and options['entra_verify_directory_password']['no_log']
    given = {'entra_join_password': [SECRET], 'entra_join_user': {'name': 'aaddsadmin'}, 'entra_domain': 'aaddscontoso.com',
             'entra_verify_directory_password': 83, 'entra_dc_ips': ['198.51.100.10', ['198.51.100.11']],
             'entra_join_hostname': 42, 'entra_join_timeout': '300', 'entra_join_idmap': {'builtin': {}}}
    assert _arguments.wrong_types(given, options) == [
        'entra_dc_ips[1]: of type list, not a string; give it as a quoted string.',
        'entra_join_password: of type list, not a string; give it as a quoted string.',
        'entra_join_user: of type dict, not a string; give it as a quoted string.',
        'entra_verify_directory_password: of type int, not a string; give it as a quoted string.']


def test_the_preflight_role_treats_the_join_password_as_a_secret_too():
    assert role_options('entra_preflight')['entra_join_password']['no_log'] is True
    assert _arguments.wrong_types({'entra_join_password': 123}, role_options('entra_preflight')) == [
        'entra_join_password: of type int, not a string; give it as a quoted string.']


def test_the_module_spec_is_unchanged_for_text():
    given = {'domain': 'aaddscontoso.com', 'password': SECRET, 'join_timeout': 30,
             'leave_credentials': {'username': 'aaddsadmin', 'password': SECRET}}
    assert _arguments.retyped_spec(given, SPEC) == SPEC
    assert _arguments.retyped_spec({}, SPEC) == SPEC  # what validate-modules sees


@pytest.mark.parametrize('given, option, kind, where', [
    ({'password': [SECRET]}, 'password', 'list', ''),
    ({'password': 12345678}, 'password', 'int', ''),
    ({'api_key': {'key': SECRET}}, 'api_key', 'dict', ''),
    ({'domain': ['aaddscontoso.com']}, 'domain', 'list', ''),
    ({'leave_credentials': {'username': 'aaddsadmin', 'password': [SECRET]}}, 'password', 'list',
     " found in 'leave_credentials'."),
])
def test_ansible_refuses_a_non_text_value_by_name_before_anything_runs(given, option, kind, where):
    spec = _arguments.retyped_spec(given, SPEC)
    errors = ArgumentSpecValidator(spec).validate(given).error_messages
    assert len(errors) == 1 and SECRET not in errors[0]
    # ansible-core 2.17 and 2.18 name the type as <class 'list'>
    assert re.fullmatch(r"argument '%s' is of type (%s|<class '%s'>)%s and we were unable to convert to text: its string "
                        r"form is never sent; give the value as a quoted string" % (option, kind, kind, re.escape(where)),
                        errors[0]), errors[0]


def test_an_int_for_a_plain_string_option_is_still_taken():
    spec = _arguments.retyped_spec({'domain': 42}, SPEC)
    assert spec == SPEC and ArgumentSpecValidator(spec).validate({'domain': 42}).validated_parameters['domain'] == '42'
