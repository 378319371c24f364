"""TrueNAS releases the emulator can pretend to be: 25.04, 25.10, 26 and 27.

Sources (truenas/middleware, paths under src/middlewared/middlewared/): 25.04 is TS-25.04.2.6, 25.10 TS-25.10.1,
26 TS-26.0.0-BETA.3 and 27 HEAD (27.0.0-BETA.1). Follows main.py at each ref (``_load_api_versions``: one API version
per api/vXX_YY_Z package with an ``__init__.py``, sorted, the last one is /api/current; at HEAD also each alias of
api/aliases.py, v25.10.3 and v25.10.4 -> v25.10.2, served with the target's models; ``_create_apis``: /api/current
plus /api/<version> for each; ``api_versions_handler``: GET /api/versions lists them without v24.10) and
utils/__init__.py (``sw_info``: fullname ``TrueNAS-<version>``; 26 on write three parts without zero padding,
``26.0.0``).
"""

from dataclasses import dataclass

DEFAULT = '25.10'


@dataclass(frozen=True)
class Personality:
    """One release line: its name ('25.04', '26'), full version ('25.04.2', '26.0.0'), the API versions GET
    /api/versions lists (oldest first, the last is /api/current) and its API version aliases ((alias, target) pairs).
    It also serves v24.10 (api/v24_10, cloud_sync models only), which main.py api_versions_handler leaves out."""

    name: str
    version: str
    api_versions: tuple
    aliases: tuple = ()

    @property
    def fullname(self):
        return f'TrueNAS-{self.version}'

    @property
    def current_api(self):
        return self.api_versions[-1]

    @property
    def served_api_versions(self):
        return ('v24.10',) + self.api_versions

    @property
    def paths(self):
        return ('/api/current',) + tuple(f'/api/{api}' for api in self.served_api_versions)

    def models_of(self, api_version):
        """The API version whose models ``api_version`` uses (an alias: its target, ProxyModelProvider)."""
        return dict(self.aliases).get(api_version, api_version)

    def at_least(self, name):
        """Whether this release is ``name`` ('26') or later."""
        return NAMES.index(self.name) >= NAMES.index(name)

    @property
    def folds_union_errors(self):
        """api/base/handler/accept.py validate_model from 26 on (NAS-138917): a union's member errors in one entry."""
        return self.at_least('26')


_API_25_04 = ('v25.04.0', 'v25.04.1', 'v25.04.2')
_API_25_10 = _API_25_04 + ('v25.10.0', 'v25.10.1')
_DEFAULTS = {
    '25.04': Personality('25.04', '25.04.2', _API_25_04),
    '25.10': Personality('25.10', '25.10.1', _API_25_10),
    # TS-26.0.0-BETA.3: api/v25_10_2, v25_10_3 and v25_10_4 are packages of their own (no api/aliases.py yet)
    '26': Personality('26', '26.0.0', _API_25_10 + ('v25.10.2', 'v25.10.3', 'v25.10.4', 'v26.0.0')),
    # HEAD: api/v25_10_2, v25_10_5, v26_0_0, v27_0_0; v25.10.3 and v25.10.4 are aliases of v25.10.2
    '27': Personality('27', '27.0.0', _API_25_10 + ('v25.10.2', 'v25.10.3', 'v25.10.4', 'v25.10.5', 'v26.0.0', 'v27.0.0'),
                      (('v25.10.3', 'v25.10.2'), ('v25.10.4', 'v25.10.2'))),
}
NAMES = tuple(_DEFAULTS)


def since(name):
    """The names of release ``name`` and every later one (for ``api_method(versions=...)``)."""
    return NAMES[NAMES.index(name):]


def personality(version=DEFAULT):
    """Personality for a name ('25.10', '26') or a full version such as '25.10.3' or '26.0.2' (kept as
    system.version_short)."""
    parts = str(version).split('.')
    name = '.'.join(parts[:2]) if parts[0] == '25' else parts[0]
    if name not in _DEFAULTS or len(parts) > 4 or not all(part.isdigit() for part in parts):
        raise ValueError(f'unsupported TrueNAS version {version!r}; choose one of {", ".join(NAMES)} '
                         '(or a full version: 25.04.x, 25.10.x, 26.x.y, 27.x.y)')
    base = _DEFAULTS[name]
    if str(version) == name:
        return base
    return Personality(name, str(version), base.api_versions, base.aliases)
