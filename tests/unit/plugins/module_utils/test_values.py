"""_validate: numbers against LIMITS (every numeric option of every module and role has one, and its docs say it),
addresses in one canonical form, DNS name lengths, CA files."""

import os
import socket
import stat

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.nasjoin.entra.plugins.filter.out_of_range import numbers_in_range, out_of_range
from ansible_collections.nasjoin.entra.plugins.plugin_utils.role_numbers import ROLE_OPTIONS
from ansible_collections.nasjoin.entra.plugins.module_utils import _arguments, _ca_file, _names, _values

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FRAGMENTS = {'nasjoin.entra.truenas_api': 'truenas_api.py', 'nasjoin.entra.azure': 'azure.py'}


def _doc(path):
    text = open(path).read()
    return yaml.safe_load(text.split("DOCUMENTATION = r'''", 1)[1].split("'''", 1)[0])


def _numeric(options, prefix=''):
    """{dotted name: description text} of the int and float options, sub-options included."""
    found = {}
    for key, option in (options or {}).items():
        if option.get('type') in ('int', 'float'):
            description = option.get('description')
            found[prefix + key] = ' '.join(description) if isinstance(description, list) else description
        found.update(_numeric(option.get('suboptions'), prefix + key + '.'))
    return found


def module_numbers():
    """{(module, option): description} of every module, its doc fragments included."""
    found = {}
    modules = os.path.join(ROOT, 'plugins', 'modules')
    for name in sorted(os.listdir(modules)):
        if not name.endswith('.py') or name.startswith('_'):
            continue
        doc = _doc(os.path.join(modules, name))
        options = dict(doc.get('options') or {})
        for fragment in doc.get('extends_documentation_fragment') or []:
            if fragment in FRAGMENTS:
                options.update(_doc(os.path.join(ROOT, 'plugins', 'doc_fragments', FRAGMENTS[fragment])).get('options') or {})
        found.update(((name[:-3], option), text) for option, text in _numeric(options).items())
    return found


def test_every_numeric_module_option_has_limits_its_documentation_states():
    found = module_numbers()
    assert len(found) >= 15
    for (module, option), description in found.items():
        assert option in _arguments.LIMITS, (module, option)
        low, high = _arguments.LIMITS[option]
        assert 'From %s to %s' % (low, high) in description, (module, option, description)
    assert set(_arguments.LIMITS) == set(option for dummy, option in found)


def test_every_numeric_role_variable_has_the_limits_of_its_module_option():
    found = {}
    for role in os.listdir(os.path.join(ROOT, 'roles')):
        with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            found.update(_numeric(yaml.safe_load(handle)['argument_specs']['main']['options']))
    assert set(found) == set(ROLE_OPTIONS)
    for name, description in found.items():
        assert 'From %s to %s' % _arguments.LIMITS[ROLE_OPTIONS[name]] in description, (name, description)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), float('-inf'), -0.0, 0, 10 ** 23, 3601, True, '30', None])
def test_number_refuses_what_is_not_a_finite_number_in_range(value):
    with pytest.raises(ValueError) as caught:
        _arguments.number(value, 'timeout')
    assert str(caught.value) == 'timeout: %s is not a number from 1 to 3600.' % _values.shown(value)


@pytest.mark.parametrize('value', [1, 3600, 30.5])
def test_number_takes_both_ends_and_what_lies_between(value):
    assert _arguments.number(value, 'timeout') == value


def test_numbers_walks_sub_options_and_skips_unset_ones():
    spec = {'idmap': {'type': 'dict', 'options': {'domain': {'type': 'dict', 'options': {'range_low': {'type': 'int'}}}}},
            'timeout': {'type': 'int'}, 'name': {'type': 'str'}}
    _arguments.numbers({'idmap': None, 'timeout': None, 'name': 'x'}, spec)
    with pytest.raises(ValueError, match=r'^idmap\.domain\.range_low: 10 is not a number from 1000 to 2147000000\.$'):
        _arguments.numbers({'idmap': {'domain': {'range_low': 10}}}, spec)


def test_infinite_ints_become_floats_so_that_they_are_refused_by_name(monkeypatch):
    spec = {'timeout': {'type': 'int', 'fallback': (None, ['TRUENAS_TIMEOUT'])}, 'port': {'type': 'int'},
            'directory': {'type': 'dict', 'options': {'page_size': {'type': 'int'}}}}
    assert _arguments.retyped_spec({'port': '5', 'directory': {'page_size': 10 ** 400}}, spec) == spec
    found = _arguments.retyped_spec({'port': '-Infinity', 'directory': {'page_size': float('inf')}}, spec)
    assert found['port']['type'] == 'float' and found['directory']['options']['page_size']['type'] == 'float'
    assert found['timeout']['type'] == 'int'
    monkeypatch.setenv('TRUENAS_TIMEOUT', 'inf')
    assert _arguments.retyped_spec({}, spec)['timeout']['type'] == 'float'


def test_the_role_filter_names_each_bad_variable():
    assert out_of_range({'entra_preflight_probe_timeout': 'nan', 'entra_join_timeout': 1e23, 'entra_verify_refresh_timeout': 'soon',
                         'entra_join_wait_timeout': None, 'entra_network_verify_timeout': '2.5', 'other': 'inf'}) == [
        'entra_join_timeout: 1e+23 is not a number from 1 to 86400.',
        'entra_preflight_probe_timeout: nan is not a number from 0.1 to 300.',
        "entra_verify_refresh_timeout: 'soon' is not a number from 1 to 86400."]


def test_the_spec_passes_only_when_every_number_is_in_range():
    spec = {'entra_join_timeout': {'type': 'int'}}
    assert numbers_in_range(spec, {'entra_join_timeout': '600', 'entra_preflight_probe_timeout': None}) is spec
    with pytest.raises(AnsibleFilterError) as caught:
        numbers_in_range(spec, {'entra_join_timeout': 'inf', 'entra_preflight_max_clock_skew': '-1'})
    assert str(caught.value) == ('entra_join_timeout: inf is not a number from 1 to 86400. '
                                 'entra_preflight_max_clock_skew: -1.0 is not a number from 1 to 3600.')


@pytest.mark.parametrize('given, expected', [
    ('::ffff:198.51.100.11', '198.51.100.11'), ('::FFFF:c633:640b', '198.51.100.11'), (' 2001:DB8::0:1 ', '2001:db8::1')])
def test_addresses_are_compared_in_one_canonical_form(given, expected):
    assert _values.nameserver(given, 'ns') == expected


@pytest.mark.parametrize('given, words', [
    ('::ffff:127.0.0.1', 'ns: ::ffff:127.0.0.1 (127.0.0.1) is a loopback'),
    ('::ffff:169.254.0.5', '(169.254.0.5) is a loopback, unspecified, link-local'),
    ('::ffff:255.255.255.255', '(255.255.255.255) is a loopback'),
    ('::127.0.0.1', 'is a deprecated IPv4-compatible IPv6 address'),
    ('2001:db8::53%eth0', 'has a zone id (%eth0)'),
    ('198.051.100.10', "'198.051.100.10' is not an IP address"),
    (None, 'None is not an IP address'),
])
def test_address_rules_see_through_other_spellings(given, words):
    with pytest.raises(ValueError) as caught:
        _values.nameserver(given, 'ns')
    assert words in str(caught.value)


def test_servers_are_names_or_addresses():
    assert _values.server('DC1.AADDSContoso.com.', 's') == 'dc1.aaddscontoso.com'
    assert _values.server('::ffff:198.51.100.10', 's') == '198.51.100.10'
    with pytest.raises(ValueError, match='is a loopback'):
        _values.server('::ffff:127.0.0.2', 's')
    with pytest.raises(ValueError, match='non-ASCII'):
        _values.server('dc1\u200b.aaddscontoso.com', 's')


@pytest.mark.parametrize('given, words', [
    ('a' * 16 + '.com', "the prefix 'aaaaaaaaaaaaaaaa' of 'aaaaaaaaaaaaaaaa.com' is 16 characters"),
    ('x.' + 'b' * 64 + '.com', 'has a label of 64 characters; a DNS label has at most 63.'),
    ('.'.join(['abcdefghi'] * 26), 'is 259 characters; a DNS name has at most 253.'),
    ('xn--mnchen-3ya.de.', None),
    ('AADDSCONTOSO.COM.', None),
])
def test_managed_domain_rules(given, words):
    if words is None:
        assert _names.managed_domain(given, 'domain') == given.lower().rstrip('.')
        return
    with pytest.raises(ValueError) as caught:
        _names.managed_domain(given, 'domain')
    assert words in str(caught.value)


def test_ca_file_must_be_a_pem_file_or_a_directory(tmp_path):
    pem = tmp_path / 'ca.pem'
    pem.write_text('junk\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    assert _ca_file.ca_file(str(pem), 'ca_path') == str(pem)
    assert _ca_file.ca_file(str(tmp_path), 'ca_path') == str(tmp_path)
    der = tmp_path / 'ca.der'
    der.write_bytes(b'\x30\x82\x01\x0a')
    fifo = tmp_path / 'fifo'
    os.mkfifo(str(fifo))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / 'sock'))
    cases = [(str(der), 'is not a certificate file: it holds no PEM certificate'),
             (str(fifo), 'is not a regular file (a directory, device, FIFO or socket)'),
             (str(tmp_path / 'sock'), 'is not a regular file'), ('/dev/zero', 'is not a regular file'),
             (str(tmp_path / 'missing'), 'cannot be read (No such file or directory)')]
    for path, words in cases:
        with pytest.raises(ValueError) as caught:
            _ca_file.ca_file(path, 'ca_path')
        assert str(caught.value).startswith('ca_path: %r ' % path) and words in str(caught.value)
    assert stat.S_ISFIFO(os.stat(str(fifo)).st_mode)  # not opened: a read would block
    with pytest.raises(ValueError, match='is not a regular file'):
        _ca_file.ca_file(str(tmp_path), 'directory.ca_path', directory=False)
    sock.close()
