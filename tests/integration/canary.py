"""The secrets canary: every artefact an integration run leaves is kept and, at the end of the session, scanned
for every secret the suite used (the canary API key and join password, the lab's passwords and API keys).

Artefacts: each ansible / ansible-playbook run's stdout, stderr, Ansible log (ANSIBLE_LOG_PATH) and parsed
results (diffs included), the emulators' request logs, snapshots of the process list (argv) taken while Ansible
runs, and any directory a test registers with :meth:`Canary.watch` (a fleet report, say).
"""

import json
import os
import threading
import time
from pathlib import Path


def _variants(secret):
    """The secret and the forms it may leak in: an API key's secret part, JSON- and repr-escaped text."""
    found = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}
    if '-' in secret and secret.split('-', 1)[0].isdigit():  # "<id>-<key>": the key alone is the secret
        found.add(secret.split('-', 1)[1])
    return found


class Canary:
    """Artefacts under ``root`` plus watched directories; :meth:`scan` lists every secret found in them."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.secrets = {}  # text -> label
        self.watched = [self.root]
        self._count = 0
        self._lock = threading.Lock()

    def secret(self, value, label):
        """Fail the session if ``value`` (or a leaking form of it) shows up in any artefact."""
        if value:
            for text in _variants(value):
                self.secrets.setdefault(text, label)

    def watch(self, directory):
        """Scan every file below ``directory`` too (e.g. a report directory a playbook writes)."""
        self.watched.append(Path(directory))

    def path(self, name):
        """A new artefact file name under the root: ``<n>-<name>``."""
        with self._lock:
            self._count += 1
            return self.root / ('%04d-%s' % (self._count, name))

    def keep(self, name, text):
        path = self.path(name)
        path.write_text(text or '', encoding='utf-8', errors='replace')
        return path

    def files(self):
        return [path for directory in self.watched if directory.exists()
                for path in sorted(directory.rglob('*')) if path.is_file()]

    def scan(self):
        """``[(file, label), ...]`` for every secret found; also the number of files and bytes read."""
        findings, size = [], 0
        files = self.files()
        for path in files:
            data = path.read_bytes()
            size += len(data)
            text = data.decode('utf-8', errors='replace')
            findings += [(str(path), label) for secret, label in self.secrets.items() if secret in text]
        return sorted(set(findings)), len(files), size


def _tree(root_pid):
    """argv of ``root_pid``'s descendants and of every process in another network namespace (lab stand-ins)."""
    host_ns = os.readlink('/proc/self/ns/net')
    parents, argv, netns = {}, {}, {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, 'rb') as handle:
                parents[int(entry)] = int(handle.read().rsplit(b')', 1)[1].split()[1])
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                argv[int(entry)] = handle.read().replace(b'\0', b' ').decode('utf-8', errors='replace').strip()
            netns[int(entry)] = os.readlink('/proc/%s/ns/net' % entry)
        except OSError:  # gone, or a kernel thread
            continue

    def ours(pid):
        seen = set()
        while pid and pid not in seen:
            if pid == root_pid:
                return True
            seen.add(pid)
            pid = parents.get(pid)
        return False

    return ['%d %s' % (pid, text) for pid, text in sorted(argv.items())
            if text and (ours(pid) or netns.get(pid) != host_ns)]


class ProcessWatch:
    """While at least one Ansible run is going on, snapshot the process list every ``interval`` seconds."""

    def __init__(self, canary, interval=0.2):
        self.canary, self.interval = canary, interval
        self.snapshots = 0
        self._busy = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._lines = set()
        threading.Thread(target=self._loop, name='canary-ps', daemon=True).start()

    def __enter__(self):
        with self._lock:
            self._busy += 1
        self._wake.set()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._busy -= 1

    def _loop(self):
        while True:
            self._wake.wait()
            self._wake.clear()
            while self._busy:
                lines = _tree(os.getpid())
                with self._lock:
                    self.snapshots += 1
                    self._lines.update(lines)
                time.sleep(self.interval)

    def flush(self):
        """Write every distinct process line seen so far as one artefact."""
        with self._lock:
            lines = sorted(self._lines)
        self.canary.keep('ps.txt', '\n'.join(lines) + '\n')
        return len(lines)
