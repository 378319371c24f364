"""What every benchmark in bench/ shares: the lab, timing (wall, CPU, peak RSS), running a module or a playbook, and
writing bench/results/<name>.{json,md,png}."""

import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / 'results'
LABCTL = ROOT / 'tests' / 'lab' / 'labctl'
MODULE = 'ansible_collections.nasjoin.entra.plugins.modules.'
TARGETS_MET = {True: 'met', False: 'MISSED'}


def labctl(*args, timeout=900):
    """labctl in $LAB_DIR (bench/run sets it to the benchmark lab)."""
    return subprocess.run([str(LABCTL)] + list(args), check=True, capture_output=True, text=True,
                          timeout=timeout).stdout


def run_labctl_up(options):
    """``labctl up`` with ``options``; its log (stderr)."""
    proc = subprocess.run([str(LABCTL), 'up'] + list(options), capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode:
        sys.exit('labctl up failed:\n%s%s' % (proc.stdout[-2000:], proc.stderr[-3000:]))
    return proc.stderr + proc.stdout


def lab_facts():
    """``labctl env --json``, after checking that every lab address is reached through the lab bridge only."""
    lab = json.loads(labctl('env', '--json'))
    for host in lab['dcs'] + lab['nas']:
        route = subprocess.run(['ip', 'route', 'get', host['ip']], capture_output=True, text=True, check=True).stdout
        if ' dev %s ' % lab['network']['bridge'] not in route:
            sys.exit('route to %s does not go via the lab bridge: %s' % (host['ip'], route))
    return lab


def measured(cmd, env=None, timeout=1800, **kwargs):
    """Run ``cmd``; (wall s, CPU s of it and its children, peak RSS MiB of the largest process, completed process)."""
    with tempfile.NamedTemporaryFile('r') as out:
        started = time.monotonic()
        proc = subprocess.run(['/usr/bin/time', '-o', out.name, '-f', '%U %S %M'] + list(cmd), capture_output=True,
                              text=True, env=env, check=False, timeout=timeout, **kwargs)
        wall = time.monotonic() - started
        user, system, kib = out.read().split()[-3:]
    return round(wall, 3), round(float(user) + float(system), 3), round(int(kib) / 1024.0, 1), proc


def run_module(name, args, env=None, package=MODULE):
    """A module of the collection (or of ``package``) run directly, no Ansible around it: (wall s, CPU s, peak MiB,
    result)."""
    with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        handle.flush()
        wall, cpu, mib, proc = measured([sys.executable, '-m', package + name, handle.name], env)
    try:
        return wall, cpu, mib, json.loads(proc.stdout)
    except ValueError:
        sys.exit('%s printed no result:\n%s%s' % (name, proc.stdout[-2000:], proc.stderr[-2000:]))


def profile_module(name, args, top=15, env=None):
    """A module run under cProfile: the ``top`` entries by cumulative time, as text for a results file."""
    with tempfile.NamedTemporaryFile('w', suffix='.json') as handle, tempfile.NamedTemporaryFile() as stats:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        handle.flush()
        subprocess.run([sys.executable, '-m', 'cProfile', '-o', stats.name, '-m', MODULE + name, handle.name],
                       capture_output=True, env=env, check=True, timeout=600)
        out = io.StringIO()
        pstats.Stats(stats.name, stream=out).sort_stats('cumulative').print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return '\n'.join(line.replace(str(ROOT), '.').replace(sys.prefix, '<venv>') for line in lines[lines.index(
        next(line for line in lines if 'ncalls' in line)) - 1:])


def process_cpu(pid, children=False):
    """CPU seconds process ``pid`` has used (all its threads; with ``children`` also its waited-for children);
    0 when it is gone."""
    try:
        fields = Path('/proc/%s/stat' % pid).read_text().rsplit(')', 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(value) for value in fields[11:15 if children else 13]) / os.sysconf('SC_CLK_TCK')


def netns_cpu(namespaces):
    """CPU seconds used so far by every process in the network namespaces ``namespaces`` (and their children)."""
    pids = [pid for name in namespaces for pid in subprocess.run(
        ['ip', 'netns', 'pids', name], capture_output=True, text=True, check=True).stdout.split()]
    return sum(process_cpu(pid, children=True) for pid in pids)


def run_playbook(inventory, playbook, *args, env=None, cwd=None):
    """``ansible-playbook``; (wall s, CPU s, stdout, peak RSS MiB of its largest process). Exits with the output when
    it fails."""
    wall, cpu, mib, proc = measured(['ansible-playbook', '-i', str(inventory), str(playbook)] + list(args), env=env,
                                    timeout=7200, cwd=cwd)
    if proc.returncode:
        sys.exit('%s failed:\n%s%s' % (playbook, proc.stdout[-4000:], proc.stderr[-3000:]))
    return wall, cpu, proc.stdout, mib


def ratio(value, reference):
    return round(value / reference, 2) if reference else None


def table(header, rows):
    """A Markdown table."""
    lines = ['| %s |' % ' | '.join(header), '|%s|' % '|'.join('---' for dummy in header)]
    lines += ['| %s |' % ' | '.join(str(cell) for cell in row) for row in rows]
    return '\n'.join(lines)


def chart(name, title, labels, series, unit='s'):
    """bench/results/<name>.png: grouped bars, one group per label, one bar per series {legend: [values]}.
    matplotlib comes from locks/bench-py3.11.txt (bench/run's venv)."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    figure, axes = pyplot.subplots(figsize=(max(6, 1.4 * len(labels) + 2), 4))
    width = 0.8 / len(series)
    for index, (legend, values) in enumerate(series.items()):
        axes.bar([position + index * width for position in range(len(labels))], values, width, label=legend)
    axes.set_xticks([position + width * (len(series) - 1) / 2 for position in range(len(labels))], labels)
    axes.set_ylabel(unit)
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(RESULTS / ('%s.png' % name), dpi=100)
    pyplot.close(figure)


def write(name, data, markdown):
    """bench/results/<name>.json and .md (the Markdown also printed)."""
    RESULTS.mkdir(exist_ok=True)
    data = dict(data, cpus=os.cpu_count(), measured_at=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()))
    (RESULTS / ('%s.json' % name)).write_text(json.dumps(data, indent=1, sort_keys=True) + '\n')
    (RESULTS / ('%s.md' % name)).write_text(markdown.rstrip('\n') + '\n')
    print(markdown)


def read(name):
    path = RESULTS / ('%s.json' % name)
    return json.loads(path.read_text()) if path.exists() else None
