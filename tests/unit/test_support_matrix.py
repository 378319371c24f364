"""What the collection claims to support is what the matrix tests, and every install comes from a lock.

locks/matrix lists the cells (ansible-core, Python); meta/runtime.yml's requires_ansible, README.md's support table
and the locks in locks/ must say exactly the same, and no script installs a package from anything but a lock."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / 'locks'


def cells():
    """[(core, python)] of locks/matrix, the default cell first."""
    lines = (LOCKS / 'matrix').read_text().splitlines()
    return [tuple(line.split()) for line in lines if line.strip() and not line.startswith('#')]


def minor(version):
    return tuple(int(part) for part in version.split('.')[:2])


def test_the_matrix_covers_every_core_from_the_oldest_to_the_newest_without_a_gap():
    cores = sorted(set(minor(core) for core, python in cells()))
    assert [core[1] for core in cores] == list(range(cores[0][1], cores[-1][1] + 1))
    assert cells()[0] == ('2.19', '3.11')  # the default: the newest core Debian 12's Python 3.11 runs


def test_requires_ansible_says_exactly_the_tested_cores():
    runtime = yaml.safe_load((ROOT / 'meta' / 'runtime.yml').read_text())
    cores = sorted(set(minor(core) for core, python in cells()))
    low, high = cores[0], cores[-1]
    assert runtime['requires_ansible'] == '>=%d.%d.0,<%d.%d.0' % (low + (high[0], high[1] + 1))


def pins(lock):
    """{package: version} of ``lock``."""
    return dict(re.findall(r'^([A-Za-z0-9._-]+)==(\S+)', (LOCKS / lock).read_text(), re.M))


def test_every_cell_has_a_lock_of_its_core():
    for core, python in cells():
        lock = 'core-%s-py%s.txt' % (core, python)
        assert pins(lock)['ansible-core'].startswith(core + '.'), lock


def test_the_default_cell_tests_the_set_its_users_install():
    """The whole suite runs from dev-py3.11.txt: it must pin every package of the default cell's lock alike."""
    users = pins('core-%s-py%s.txt' % cells()[0])
    development = pins('dev-py3.11.txt')
    assert dict((name, development.get(name)) for name in users) == users


def test_every_lock_pins_every_package_with_its_hashes():
    locks = sorted(LOCKS.glob('*.txt'))
    assert set(path.stem.split('-py')[0] for path in locks) >= set(path.stem for path in LOCKS.glob('*.in')) - {'matrix'}
    for path in locks:
        lines = path.read_text().splitlines()
        pins = [at for at, line in enumerate(lines) if re.match(r'^[A-Za-z0-9._-]+==', line)]
        assert pins and all('--hash=sha256:' in lines[at + 1] for at in pins), path.name


def test_readme_names_the_supported_cores_and_pythons():
    table = dict((core, set()) for core, python in cells())
    for core, python in cells():
        table[core].add(python)
    readme = (ROOT / 'README.md').read_text()
    rows = re.findall(r'^\| ansible-core (2\.\d+) \| Python ([\d., ]+) \|$', readme, re.M)
    assert dict((core, set(pythons.replace(' ', '').split(','))) for core, pythons in rows) == table


def test_no_script_installs_from_anything_but_a_lock():
    """Every pip or uv install in the project's scripts, bench and lab takes a lock with hashes. The one exception is
    ansible-test's pip bootstrap (.ci/get_pip_offline.py), which installs the pip version ansible-test names."""
    scripts = [path for folder in ('scripts', 'bench', 'tests/lab', '.ci') for path in (ROOT / folder).glob('**/*')
               if path.is_file() and path.suffix in ('', '.sh', '.py') and path.name != 'get_pip_offline.py']
    installs = [(path.relative_to(ROOT).as_posix(), line.strip()) for path in scripts
                for line in path.read_text(errors='replace').splitlines()
                if re.search(r'\bpip\b.*\b(install|sync)\b', line) and not line.lstrip().startswith('#')]
    assert len(installs) >= 2 and all('--require-hashes' in line and 'LOCK' in line.upper() for path, line in installs), installs
