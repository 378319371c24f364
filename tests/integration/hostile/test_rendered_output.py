"""What a terminal, a log viewer or a report renderer does with text the NAS sends back: escape sequences, a terminal
title, backspaces, direction overrides, lone surrogates and a megabyte of text in a NAS error reach the task's
result as visible escapes on one line, cut short, and never as the raw characters a terminal would act on."""

import re

import pytest

from truenas_emulator.api import Method
from truenas_emulator.errors import ValidationErrors

from ..test_ad_join import domain_nas, join_task  # noqa: F401  pylint: disable=unused-import
from ..test_entra_dns_config import task as dns_task
from .test_faults import join_method

# what a terminal acts on instead of showing: C0 and C1 controls, line separators, direction and invisible marks
RAW = re.compile('[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]')
ESCAPES = ('Failed to join domain: \x1b[2J\x1b[1;31mCLEARED\x1b[0m \x1b]0;owned title\x07 '
           '\x1b]8;;http://198.51.100.9/\x1b\\a link\x1b]8;;\x1b\\ \x9b31m\x08\x08\x08ok\x00')
FORGED = 'Failed to join domain: denied\r\nok: [nas1] => {"changed": false}\r\n\tand a tab'
BIDI = 'Failed to join domain: user \u202eexe.txt\u202c\u200b\u2028## heading\u2029\ufeff'
SURROGATES = 'Failed to join domain: \udc80\udcff bytes that were not UTF-8'
HUGE = 'Failed to join domain: ' + 'A' * (1024 * 1024)


def clean(text):
    """True when ``text`` holds none of the characters a terminal acts on."""
    return not RAW.search(text)


@pytest.mark.parametrize('error, shown', [
    (ESCAPES, ['\\x1b[2J', '\\x1b]0;owned title\\x07', '\\x9b31m\\x08', '\\x00']),
    (FORGED, ['denied ok: [nas1] => {"changed": false} and a tab']),
    (BIDI, ['user \\u202eexe.txt\\u202c\\u200b\\u2028## heading\\u2029\\ufeff']),
    (SURROGATES, ['\\udc80\\udcff bytes']),
], ids=['escape-sequences', 'forged-status-line', 'direction-and-invisible-marks', 'lone-surrogates'])
def test_a_samba_error_with_terminal_controls_is_shown_not_acted_on(ansible, domain_nas, tls, error, shown):
    domain_nas.faults.set('join_fails', error=error)
    run = ansible.playbook(join_task(domain_nas, tls), env={'ANSIBLE_STDOUT_CALLBACK': 'default',
                                                            'ANSIBLE_CALLBACK_RESULT_FORMAT': 'yaml'})
    assert run.rc == 2 and 'MODULE FAILURE' not in run.stdout, run.stdout + run.stderr
    assert 'fatal: [localhost]: FAILED!' in run.stdout and '\x1b' not in run.stdout + run.stderr
    domain_nas.faults.set('join_fails', error=error)
    run = ansible.playbook(join_task(domain_nas, tls))  # the minimal callback: the result as JSON
    result = run.result
    assert run.rc == 2 and clean(result['msg']) and clean(result['error']['reason']), result
    assert all(text in result['msg'] for text in shown), result['msg']
    assert domain_nas.counters()['by_method'][join_method(domain_nas)] == 2


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_a_megabyte_of_error_is_cut_short(ansible, domain_nas, tls):
    domain_nas.faults.set('join_fails', error=HUGE)
    run = ansible.playbook(join_task(domain_nas, tls))
    result = run.result
    assert run.rc == 2 and 'more characters)' in result['msg'], result['msg'][:300]
    assert len(result['msg']) < 5000 and len(result['error']['reason']) < 2100
    assert len(run.stdout) < 100 * 1024  # the whole -vvvv output, not a megabyte per copy of the message


@pytest.mark.parametrize('domain_nas', ['25.10'], indirect=True)
def test_a_validation_error_with_controls_in_the_field_and_message(ansible, domain_nas, tls):
    """A join job ending in ValidationErrors whose message holds escape sequences: the named field keeps its name,
    the message is shown on one line with the controls escaped."""
    message = 'NetBIOS name \x1b]0;owned\x07in use\r\n| forged | row |'
    domain_nas.faults.set('job_outcome', method=join_method(domain_nas),
                          validation=[['directoryservices.update.configuration.hostname', message, 22]])
    run = ansible.playbook(join_task(domain_nas, tls))
    result = run.result
    assert run.rc == 2 and clean(result['msg']) and clean(str(result['error']['fields'])), result
    assert 'hostname (configuration.hostname): NetBIOS name \\x1b]0;owned\\x07in use | forged | row |' in result['msg'], result['msg']


def refusing_update(message):
    """network.configuration.update that refuses every payload with ``message`` for nameserver1 (as TrueNAS's
    validate_nameservers refuses one), written into this NAS's method table."""
    async def refuse(ctx, *params):  # pylint: disable=unused-argument
        raise ValidationErrors([('global_configuration_update.nameserver1', message, 22)])
    return Method('network.configuration.update', refuse, args=None, write=True)


@pytest.mark.parametrize('domain_nas', ['25.04', '25.10'], indirect=True)
def test_a_refused_call_with_controls_in_its_reason(ansible, domain_nas, tls):
    """The JSON-RPC error path (not a job's): a refusal of entra_dns_config's write whose message holds a terminal
    title sequence and a lone surrogate names the parameter and shows the message escaped."""
    domain_nas.methods['network.configuration.update'] = refusing_update('bad \x1b]0;owned\x07 \udc80 address')
    run = ansible.playbook(dns_task(domain_nas, tls))
    result = run.result
    assert run.rc == 2 and clean(result['msg']) and clean(str(result['error'])), result
    assert 'nameservers[0] (nameserver1): bad \\x1b]0;owned\\x07 \\udc80 address' in result['msg'], result['msg']
