"""TrueNAS releases the emulator can pretend to be.

Follows main.py (``_create_apis``: /api/current plus one pinned path per api/vXX_YY_Z directory)
and utils/__init__.py (``sw_info``: fullname is ``TrueNAS-<version>`` from 25.04 on).
"""

from dataclasses import dataclass

DEFAULT = '25.10'


@dataclass(frozen=True)
class Personality:
    """One release line: its name ('25.04'), full version ('25.04.2') and pinned API versions."""

    name: str
    version: str
    api_versions: tuple

    @property
    def fullname(self):
        return f'TrueNAS-{self.version}'

    @property
    def paths(self):
        return ('/api/current',) + tuple(f'/api/{api}' for api in self.api_versions)


_API_25_04 = ('v25.04.0', 'v25.04.1', 'v25.04.2')
_DEFAULTS = {
    '25.04': Personality('25.04', '25.04.2', _API_25_04),
    '25.10': Personality('25.10', '25.10.1', _API_25_04 + ('v25.10.0', 'v25.10.1')),
}
NAMES = tuple(_DEFAULTS)


def personality(version=DEFAULT):
    """Personality for '25.10' or a full version such as '25.10.3' (kept as system.version_short)."""
    parts = str(version).split('.')
    name = '.'.join(parts[:2])
    if name not in _DEFAULTS or len(parts) > 4 or not all(part.isdigit() for part in parts):
        raise ValueError(f'unsupported TrueNAS version {version!r}; choose one of {", ".join(NAMES)} (or a full 25.04.x / 25.10.x)')
    base = _DEFAULTS[name]
    return base if len(parts) == 2 else Personality(name, str(version), base.api_versions)
