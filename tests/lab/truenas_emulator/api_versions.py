"""Which API versions serve an emulated method, and where it is private.

Follows api/base/server/legacy_api_method.py (``LegacyAPIMethod._adapt_params``: on /api/<version> older than the
current one, a method whose Args model that version's package lacks raises ``MethodNotFoundError``, CallError ENOMETHOD
"Method '<name>' not found in '<service>'", before the call is authorized; a method still declared with the legacy
``@accepts`` has no Args model and passes through on every path), api/base/handler/model_provider.py (a version has a
model when its package exports it; the factory models of ConfigService.config and CRUD query/get_instance exist where
their entry model does), api/base/server/ws_handler/rpc.py (``process_message``: a private method called on a
connection without ``private_methods`` still runs, with the warning "Private method %r called on a connection without
private_methods enabled") and main.py ``_create_api`` (26 on: a method whose ``removed_in`` is not above the API
version is private on that path; 25.04 and 25.10 drop such a method instead, but none of theirs reaches it).

The tables were read from each method's decorator and each api/vXX package's ``__all__`` at TS-25.04.2.6,
TS-25.10.1, TS-26.0.0-BETA.3 and HEAD; once added, a model stays in every later package.
"""

# The first API version whose package has the method's Args model, at TS-25.10.1, TS-26.0.0-BETA.3 and HEAD alike.
ARGS_SINCE = {
    'auth.login_ex': 'v25.04.0', 'auth.login': 'v25.04.0', 'auth.mechanism_choices': 'v25.04.0', 'auth.me': 'v25.04.0',
    'auth.login_with_api_key': 'v25.10.0',  # AuthLoginWithApiKeyArgs (25.04 had AuthLegacyApiKeyLoginArgs)
    'core.ping': 'v25.04.0', 'core.get_jobs': 'v25.04.0', 'core.subscribe': 'v25.04.0', 'core.unsubscribe': 'v25.04.0',
    'core.set_options': 'v25.04.0', 'core.job_wait': 'v25.10.0', 'core.bulk': 'v25.10.0',
    'system.version': 'v25.10.0', 'system.version_short': 'v25.10.0', 'system.product_type': 'v25.10.0',
    'system.info': 'v25.10.0', 'system.ready': 'v25.10.0',
    'network.configuration.config': 'v25.10.0', 'network.configuration.update': 'v25.10.0',
    'network.general.summary': 'v25.10.0', 'dns.query': 'v25.04.0',
    'directoryservices.status': 'v25.10.0', 'directoryservices.cache_refresh': 'v25.10.0',
    'directoryservices.config': 'v25.10.0', 'directoryservices.update': 'v25.10.0', 'directoryservices.leave': 'v25.10.0',
    'directoryservices.sync_keytab': 'v25.10.1',  # backported to the v25_10_1 package; the method is 26's
    'idmap.clear_idmap_cache': 'v25.10.0',
    'user.get_user_obj': 'v25.04.0', 'user.query': 'v25.04.0', 'group.get_group_obj': 'v25.04.0',
    'group.query': 'v25.04.0', 'privilege.query': 'v25.04.0', 'privilege.create': 'v25.04.0',
    'privilege.update': 'v25.04.0', 'privilege.delete': 'v25.04.0',
}
# TS-25.04.2.6, where it differs: None for the methods still declared with @accepts (served on every path)
ARGS_SINCE_V25_04 = {
    'auth.login_with_api_key': 'v25.04.0',
    **dict.fromkeys((
        'core.get_jobs', 'core.job_wait', 'core.bulk', 'system.version', 'system.version_short', 'system.product_type',
        'system.info', 'system.ready', 'network.configuration.config', 'network.configuration.update',
        'network.general.summary', 'dns.query', 'directoryservices.status', 'directoryservices.cache_refresh',
        'idmap.clear_idmap_cache', 'idmap.query', 'idmap.update', 'activedirectory.config', 'activedirectory.update',
        'activedirectory.leave', 'activedirectory.domain_info')),
}
# removed_in per release: HEAD plugins/auth.py (login, login_with_api_key: NAS-141094)
REMOVED_IN = {'27': {'auth.login': 'v27', 'auth.login_with_api_key': 'v27'}}


def _key(api_version):
    return tuple(int(part) for part in api_version[1:].split('.'))


def args_since(personality, method):
    """The first API version with ``method``'s Args model on ``personality``, or None (every path has it)."""
    if personality.name == '25.04' and method in ARGS_SINCE_V25_04:
        return ARGS_SINCE_V25_04[method]
    return ARGS_SINCE.get(method)


def on_path(personality, method, api_version):
    """Whether /api/<api_version> of ``personality`` serves ``method`` (the current version serves every method)."""
    since = args_since(personality, method)
    return since is None or _key(personality.models_of(api_version)) >= _key(since)


def private_on(personality, method, api_version):
    """Whether ``method`` is private on /api/<api_version> of ``personality`` (main.py _create_api removed_in)."""
    removed_in = REMOVED_IN.get(personality.name, {}).get(method)
    return removed_in is not None and _key(api_version) >= _key(removed_in)
