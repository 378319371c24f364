"""docs/troubleshooting.yml quotes the NAS as it is: every text a symptom says TrueNAS shows is a message of the
emulated middleware, and every error text in the form ad_join names a refused field in (``option (field): message``)
is what ad_join says when the emulated NAS of a supported release refuses a join."""

import ast
import re
from pathlib import Path

import pytest
import yaml

from truenas_emulator.directory_backend import FAKE_JOIN_PASSWORD, FAKE_JOIN_USER, KRB5_CODES, FakeDirectory

from ansible_collections.nasjoin.entra.plugins.module_utils._join import ad_join
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.client import Client
from ansible_collections.nasjoin.entra.plugins.module_utils._truenas.transport import WebSocketTransport

from ..module_args import ended
from .conftest import API_KEY
from .test_directory_helpers import DC_IPS, DOMAIN

ROOT = Path(__file__).resolve().parents[3]
EMULATOR = ROOT / 'tests' / 'lab' / 'truenas_emulator'
TRUENAS_SAYS = re.compile(r'TrueNAS(?: alert)?:? `([^`]+)`')
FIELD_ERROR = re.compile(r'^\w+ \([\w.]+\): \S')


def modes():
    return yaml.safe_load((ROOT / 'docs' / 'troubleshooting.yml').read_text(encoding='utf-8'))['modes']


def emulator_messages():
    """Every text the emulator can say: its string literals, and its f-strings with any text for each value."""
    patterns = []
    for path in sorted(EMULATOR.glob('*.py')):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                patterns.append(re.escape(node.value))
            elif isinstance(node, ast.JoinedStr):
                patterns.append(''.join(re.escape(part.value) if isinstance(part, ast.Constant) else '.+'
                                        for part in node.values))
    return patterns


def test_every_text_a_symptom_says_truenas_shows_is_the_emulators():
    quotes = [quote for mode in modes() for quote in TRUENAS_SAYS.findall(' '.join(mode['symptom'].split()))]
    assert 'The bind password is not correct.' in quotes and len(quotes) >= 3
    patterns = emulator_messages()
    assert [quote for quote in quotes if not any(re.fullmatch(pattern, quote, re.S) for pattern in patterns)] == []


class Module:
    """What ad_join.run reads of AnsibleModule: a join of the fake domain's join user with ``password``."""

    check_mode = False

    def __init__(self, password):
        self.params = dict(state='present', domain=DOMAIN, username='%s@%s' % (FAKE_JOIN_USER, DOMAIN), password=password,
                           hostname=None, computer_account_ou=None, site=None, enable_dns_updates=False, idmap=None,
                           join_timeout=30, wait_timeout=5, force_rejoin=False, leave_credentials=None, admin_group=None)

    def warn(self, text):
        raise AssertionError(text)


@pytest.fixture(name='refusals')
def refusals_fixture(make_emulator, certs, tmp_path):
    """What ad_join says when each supported release refuses a join: a wrong password, and each Kerberos error the
    domain may answer the join user's authentication with."""
    resolv = tmp_path / 'resolv.conf'
    resolv.write_text(''.join('nameserver %s\n' % address for address in DC_IPS))
    said = []
    for version in ('25.04', '25.10'):
        fake = FakeDirectory()
        emu = make_emulator(version, directory=fake, resolv_conf=resolv, hostname='nas1',
                            state_file=tmp_path / ('state-%s.json' % version))
        for code in (None,) + tuple(KRB5_CODES):
            fake.kinit_error = code
            client = Client(WebSocketTransport(emu.url, 10, ca_path=certs['ca']), API_KEY, 'truenas_admin')
            with client:
                result = ended(ad_join.run)(Module('Wrong-Passw0rd!' if code is None else FAKE_JOIN_PASSWORD), client)
            assert result['failed'], result
            said.append(result['msg'])
    return said


def test_every_refused_field_the_page_quotes_is_what_ad_join_says(refusals):
    quotes = [text for mode in modes() for text in mode.get('errors', []) if FIELD_ERROR.match(text)]
    assert quotes
    assert [quote for quote in quotes if not any(quote in message for message in refusals)] == []
