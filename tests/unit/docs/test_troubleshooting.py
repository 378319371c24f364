"""The troubleshooting page: rendered from docs/troubleshooting.yml and FAILURES, and refused when they disagree."""

import copy
import importlib.util
from pathlib import Path

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import FAILURES, hint_for

ROOT = Path(__file__).resolve().parents[3]
_SPEC = importlib.util.spec_from_file_location('troubleshooting', ROOT / 'docs' / 'site' / 'troubleshooting.py')
page = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(page)


@pytest.fixture(name='data')
def data_fixture():
    return page.load()


def test_every_failures_entry_is_on_the_page(data):
    text = page.render(data)
    for pattern, fix in FAILURES:
        assert '- `%s`: %s (failure mode {ref}' % (pattern, fix) in text


def test_every_failure_mode_has_symptom_cause_and_fix(data):
    text = page.render(data)
    assert len(data['modes']) >= 23
    for number, mode in enumerate(data['modes'], 1):
        section = text.split('### %d. %s\n' % (number, mode['title']))[1].split('\n### ')[0]
        for part in ('Symptom', 'Cause', 'Caught by', 'Fix'):
            assert '**%s.** ' % part in section, (mode['title'], part)
        for text_in_error in mode.get('errors', []):
            assert '`%s`' % text_in_error in section and hint_for(text_in_error) in section


def test_the_source_and_the_code_agree(data):
    assert page.problems(data) == []


def test_a_hint_no_failure_mode_reaches_is_reported(data):
    locked = hint_for('revoked')
    for mode in data['modes']:
        mode['errors'] = [text for text in mode.get('errors', []) if hint_for(text) != locked]
    assert page.problems(data) == ["FAILURES entry 'revoked|locked' is matched by no error text of a failure mode"]


def test_an_error_text_without_a_hint_is_reported(data):
    data['modes'][0]['errors'].append('something nobody recognises')
    assert page.problems(data) == ["error text 'something nobody recognises' gets no hint from FAILURES"]


@pytest.mark.parametrize('caught_by, problem', [
    ({'entra_connectivity': ['no_such_check']}, 'entra_connectivity documents no check or option no_such_check'),
    ({'no_such_module': ['resolver']}, 'no module no_such_module'),
])
def test_an_undocumented_check_is_reported(data, caught_by, problem):
    data['modes'][0]['caught_by'] = caught_by
    assert page.problems(data) == ['%s: %s' % (data['modes'][0]['title'], problem)]


def test_a_message_the_code_no_longer_says_is_reported(data):
    reworded = copy.deepcopy(data)
    reworded['messages'][1]['code'] = 'refusing to send the API key over ws'
    assert page.problems(reworded) == ["message %r: 'refusing to send the API key over ws' is not in plugins/"
                                       % data['messages'][1]['message']]
