"""TrueNAS 26 and 27 on the lab: the main lab's stand-ins upgraded in place (`labctl up --truenas-version`: each
emulator restarts as the newer release on the state it kept, as a NAS keeps its database; winbind's join is the
stand-in's own), and the lab's default release (25.10) put back afterwards.

The join playbook joins both stand-ins on 25.10; after the upgrade to 26, and again after the upgrade to 27, the
same playbook converges (nothing changed, both HEALTHY, winbind's trust intact) and the network domain is the one
entra_dns_config set (the join, without DNS updates, leaves it as it is on 26+ too); the leave playbook then takes
both out on 27 and leaves the domain as it is. The molecule scenarios on 26 and 27 are in test_molecule.py."""

import contextlib

import pytest

from .test_entra_dns_config_lab import lab_runner
from .test_main_playbook_lab import LEAVE_PLAYBOOK, PLAYBOOK

DEFAULT_RELEASE = '25.10'


@contextlib.contextmanager
def released(lab, version):
    """The main lab's stand-ins as TrueNAS ``version`` for the block; the lab's default release again after it."""
    lab.labctl('up', '--truenas-version', version)
    try:
        yield lab
    finally:
        lab.labctl('up', '--truenas-version', DEFAULT_RELEASE)


@pytest.fixture
def runner(lab, tmp_path):
    """The lab inventory; both stand-ins out of the domain before and after."""
    the_runner = lab_runner(lab, tmp_path)
    the_runner.run_playbook(LEAVE_PLAYBOOK, *the_runner.secrets)
    yield the_runner
    left = the_runner.run_playbook(LEAVE_PLAYBOOK, *the_runner.secrets)
    assert left.rc == 0, left.stdout + left.stderr


def release_of(lab, number):
    return lab.midclt(number, 'system.version_short')


def test_joined_on_25_10_the_playbook_converges_on_26_then_27_and_leaves(lab, runner):
    assert [release_of(lab, number) for number in (1, 2)] == ['25.10.1'] * 2
    joined = runner.run_playbook(PLAYBOOK, *runner.secrets)
    assert joined.rc == 0 and joined.changed > 0, joined.stdout + joined.stderr
    domain = lab['dns_domain']
    for version, release in (('26', '26.0.0'), ('27', '27.0.0')):
        with released(lab, version):
            assert [release_of(lab, number) for number in (1, 2)] == [release] * 2
            again = runner.run_playbook(PLAYBOOK, *runner.secrets)
            assert again.rc == 0 and again.changed == 0, again.stdout + again.stderr
            for number in (1, 2):
                assert lab.midclt(number, 'directoryservices.status')['status'] == 'HEALTHY'
                assert lab.nas_exec(number, 'wbinfo', '-t').returncode == 0
                assert lab.midclt(number, 'network.configuration.config')['domain'].lower() == domain.lower()
            if version == '27':
                left = runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
                assert left.rc == 0 and left.changed == 2, left.stdout + left.stderr
                # joined without DNS updates (entra_join_dns_updates: false), so TrueNAS leaves the domain as it is
                assert [lab.midclt(number, 'network.configuration.config')['domain'] for number in (1, 2)] == [domain] * 2
                assert [lab.midclt(number, 'directoryservices.status')['status'] for number in (1, 2)] == [None] * 2
                rest = runner.run_playbook(LEAVE_PLAYBOOK, *runner.secrets)
                assert rest.rc == 0 and rest.changed == 0, rest.stdout + rest.stderr
