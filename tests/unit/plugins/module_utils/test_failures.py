"""hint_for: the fix for an error text from TrueNAS, Samba or Kerberos (first match wins)."""

import pytest

from ansible_collections.nasjoin.entra.plugins.module_utils._entra.failures import hint_for


@pytest.mark.parametrize('text, words', [
    ("kinit: Client 'joinadmin@AADDSCONTOSO.COM' not found in Kerberos database while getting initial credentials",
     'not in the managed domain'),
    ('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN: Client not found in Kerberos database', 'not in the managed domain'),
    ('gss_init_sec_context failed with [Unspecified GSS failure. Minor code may provide more information: Server not '
     'found in Kerberos database]', 'does not know the service'),
    ('GSS-TSIG update: Server not found in Kerberos database', 'dynamic DNS registration'),
    ("kinit: Client's credentials have been revoked while getting initial credentials", 'locked'),
    ('Failed to join domain: failed to lookup DC info over rpc: Must change password', 'must change the password'),
])
def test_the_fix_follows_the_cause(text, words):
    assert words in hint_for(text)


@pytest.mark.parametrize('text', [None, '', 'The operation completed successfully.'])
def test_unknown_text_has_no_hint(text):
    assert hint_for(text) is None
