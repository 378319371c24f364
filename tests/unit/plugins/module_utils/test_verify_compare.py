"""verify_idmap's directory comparison against a fake directory: one pass, flat lists, every finding counted."""

from ansible_collections.nasjoin.entra.plugins.module_utils._verify import checks, verify_idmap

SID = 'S-1-5-21-1-2-3'
CONTEXT = {'domain': 'aaddscontoso.com', 'domain_range': (100000001, 100010000), 'backend': 'RID', 'domain_sid': SID}


class FakeDirectory:
    def __init__(self, entries):
        self.entries = entries
        self.passes = 0

    def accounts(self):
        self.passes += 1
        yield from self.entries


def user(sam, rid, upn=None, nickname=None):
    return {'kind': 'user', 'sam': sam, 'upn': upn or '%s@aaddscontoso.com' % sam, 'nickname': nickname, 'sid': '%s-%d' % (SID, rid)}


def test_compare_counts_and_reasons():
    entries = [user('alice', 1104), user('jsmith83241', 1110, 'jane.smith@aaddscontoso.com', 'jsmith'),
               user('newbie', 1200), user('far', 20000),
               {'kind': 'group', 'sam': 'Lab Engineers', 'upn': None, 'nickname': None, 'sid': SID + '-1113'}]
    entries += [user('bulk%05d' % n, 2000 + n) for n in range(200)]
    nas_ids = {'user': {100001105, 100001111} | {100002001 + n for n in range(200)}, 'group': {100001114}}
    expected = verify_idmap._expected_keys(['alice', 'jane.smith@aaddscontoso.com', 'ghost@aaddscontoso.com', 'far'],
                                           [{'name': 'Lab Engineers'}], {})
    directory = FakeDirectory(entries)
    stats, generated, count, rids = verify_idmap.compare(directory, nas_ids, CONTEXT, expected)
    assert directory.passes == 1
    assert (stats['users'], stats['groups'], stats['resolved']) == (204, 1, 203)
    assert stats['not_visible'] == ['newbie (RID 1200)'] and stats['outside_range'] == ['far (RID 20000)']
    assert stats['max_rid'] == 20000 and stats['absent'] == ['ghost@aaddscontoso.com']
    assert count == 1 and generated[0]['sam'] == 'jsmith83241'
    assert rids == {'alice': 1104, 'jane.smith@aaddscontoso.com': 1110, 'far': 20000, 'Lab Engineers': 1113}
    found = verify_idmap.directory_checks(stats, CONTEXT)
    assert [c['status'] for c in found] == ['fail', 'fail']
    assert 'RID above 9999' in found[0]['detail'] and 'widen' in found[0]['hint']


def test_lists_stay_bounded():
    entries = [user('u%05d' % n, 1000 + n) for n in range(500)]
    stats, dummy, dummy, dummy = verify_idmap.compare(FakeDirectory(entries), {'user': set(), 'group': set()}, CONTEXT, {})
    assert stats['not_visible_count'] == 500 and len(stats['not_visible']) == verify_idmap.LIST_LIMIT
    found = verify_idmap.directory_checks(stats, CONTEXT)
    assert found[0]['status'] == 'fail' and 'refresh_cache' in found[0]['hint']


def test_an_unresolved_account_beyond_the_range_is_explained():
    unresolved = checks.account('user', 'far', 'AADDSCONTOSO\\far', None, 'no such user', CONTEXT)
    assert 'beyond the idmap range' in unresolved['hint']
    explained = checks.beyond_range(unresolved, 20000, CONTEXT)
    low, high = CONTEXT['domain_range']
    assert explained['status'] == 'fail' and explained['value'] == {'rid': 20000, 'id': low + 20000}
    assert 'RID 20000' in explained['detail'] and '%d-%d' % (low, high) in explained['detail']
    assert explained['hint'] == checks.RANGE_HINT
    assert checks.beyond_range(unresolved, 1104, CONTEXT) is unresolved
    assert checks.beyond_range(unresolved, None, CONTEXT) is unresolved
