"""Optional JSON state file, so a restarted emulator keeps its configuration like a NAS keeps its database."""

import json
import os
import threading


class Store:
    """Sections (``network``, ``api_keys``, ...) of one JSON document; in memory only without a path."""

    def __init__(self, path=None):
        self.path = os.fspath(path) if path else None
        self._lock = threading.Lock()
        self._data = {}
        if self.path and os.path.exists(self.path):
            with open(self.path, encoding='utf-8') as handle:
                self._data = json.load(handle)

    def get(self, section, default=None):
        with self._lock:
            return json.loads(json.dumps(self._data.get(section, default)))

    def put(self, section, value):
        """Replace a section and write the file (atomically: temporary file, then rename)."""
        with self._lock:
            self._data[section] = json.loads(json.dumps(value))
            if self.path:
                tmp = f'{self.path}.tmp'
                with open(tmp, 'w', encoding='utf-8') as handle:
                    json.dump(self._data, handle, indent=2, sort_keys=True)
                os.replace(tmp, self.path)

    def snapshot(self):
        with self._lock:
            return json.loads(json.dumps(self._data))
