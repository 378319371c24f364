"""Azure Resource Manager for Microsoft.AAD/domainServices plus the token endpoints, over HTTPS on loopback.

Follows the REST spec (stable/2022-12-01/domainservices.json) and ARM's common behaviour: api-version
checks, 401 (missing, invalid or wrong-audience token), 403 AuthorizationFailed (checked before existence,
as RBAC is), 404 SubscriptionNotFound / ResourceGroupNotFound / ResourceNotFound, 429 with Retry-After,
and PATCH as a long-running operation (202, Azure-AsyncOperation and Location, Retry-After).
"""

import json
import re
import ssl
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .resources import SECURITY_KEYS
from .tokens import TokenError, TokenService

API_VERSIONS = ('2017-01-01', '2017-06-01', '2020-01-01', '2021-03-01', '2021-05-01', '2022-06-01', '2022-09-01',
                '2022-12-01')
_RESOURCE = re.compile(r'^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.AAD/domainServices/([^/]+)$',
                       re.I)
_OPERATION = re.compile(r'^/subscriptions/([^/]+)/providers/Microsoft\.AAD/locations/([^/]+)/operationResults/([^/]+)$',
                        re.I)
_TOKEN = re.compile(r'^/([^/]+)/oauth2/v2\.0/token$')
ACTIONS = {'GET': 'Microsoft.AAD/domainServices/read', 'PATCH': 'Microsoft.AAD/domainServices/write'}
ALLOWED = {'reader': ('GET',), 'contributor': ('GET', 'PATCH')}


class ArmError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class ArmServer:
    """State, faults and counters of the fake ARM; ``start()`` serves it on ``url``."""

    def __init__(self, tenant, subscription, principals=None, identities=None, lro_polls=2, retry_after=1):
        self.tenant, self.subscription = tenant, subscription
        self.principals = dict(principals or {})   # client_id -> {secret, certificate, role}
        self.identities = dict(identities or {})   # managed identity client_id or 'system' -> role
        self.resources = {}                         # (resource group lower, name lower) -> resource
        self.resource_groups = set()
        self.lro_polls, self.retry_after = lro_polls, retry_after
        self.operations = {}
        self.throttled = []                         # Retry-After values of the next throttled ARM requests
        self.fail_operations = False
        self.log = []                               # (method, path, api-version) of every ARM request
        self.patches = []
        self.url = self.tokens = self._httpd = None
        self.lock = threading.Lock()

    def add(self, resource_group, resource):
        self.resource_groups.add(resource_group.lower())
        self.resources[(resource_group.lower(), resource['name'].lower())] = resource

    def resource(self, resource_group, name):
        return self.resources[(resource_group.lower(), name.lower())]

    def throttle(self, *retry_after):
        self.throttled.extend(retry_after)

    def start(self, host, cert, key):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._httpd = ThreadingHTTPServer((host, 0), _handler(self))
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._httpd.daemon_threads = True
        self.url = 'https://%s:%d' % (host, self._httpd.server_address[1])
        self.tokens = TokenService(self.tenant, self.principals, self.identities, self.url + '/')
        threading.Thread(target=self._httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def requests(self, method=None):
        return [entry for entry in self.log if method is None or entry[0] == method]

    # ARM -----------------------------------------------------------------------------------------------------------

    def arm(self, method, path, query, headers, body):
        """Answer one ARM request: (status, headers, body) or ArmError."""
        principal = self._authenticate(headers.get('Authorization', ''))
        with self.lock:
            self.log.append((method, path, query.get('api-version')))
            if self.throttled:
                wait = self.throttled.pop(0)
                raise ArmError(429, 'TooManyRequests', 'The request is being throttled as the limit has been reached for '
                               'operation type - Read_ObservationWindow_00:05:00. For more information, see - '
                               'https://aka.ms/srpthrottlinglimits', {'Retry-After': str(wait)})
        operation = _OPERATION.match(path)
        if operation and method == 'GET':
            self._api_version(query, 'locations/operationResults')
            return self._operation(operation.group(3))
        match = _RESOURCE.match(path)
        if not match:
            raise ArmError(404, 'InvalidResourceType', "The resource type could not be found in the namespace "
                           "'Microsoft.AAD' for api version '%s'." % query.get('api-version'))
        if method not in ACTIONS:
            raise ArmError(405, 'MethodNotAllowed', 'The requested resource does not support http method %r.' % method)
        subscription, group, name = match.groups()
        self._api_version(query, 'domainServices')
        if subscription != self.subscription:
            raise ArmError(404, 'SubscriptionNotFound', "The subscription '%s' could not be found." % subscription)
        if method not in ALLOWED.get(self._role(principal), ()):
            raise ArmError(403, 'AuthorizationFailed', "The client '%s' with object id '%s' does not have authorization "
                           "to perform action '%s' over scope '%s' or the scope is invalid. If access was recently "
                           "granted, please refresh your credentials." % (principal, principal, ACTIONS[method], path))
        if group.lower() not in self.resource_groups:
            raise ArmError(404, 'ResourceGroupNotFound', "Resource group '%s' could not be found." % group)
        resource = self.resources.get((group.lower(), name.lower()))
        if resource is None:
            raise ArmError(404, 'ResourceNotFound', "The Resource 'Microsoft.AAD/domainServices/%s' under resource group "
                           "'%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                           % (name, group))
        if method == 'GET':
            return 200, {}, resource
        return self._patch(resource, body, subscription, query['api-version'])

    def _authenticate(self, header):
        if not header:
            raise ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.",
                           {'WWW-Authenticate': 'Bearer authorization_uri="%s", error="invalid_token"' % self.url})
        principal = self.tokens.issued.get(header[len('Bearer '):]) if header.startswith('Bearer ') else None
        if principal is None:
            raise ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.',
                           {'WWW-Authenticate': 'Bearer error="invalid_token"'})
        return principal

    def _role(self, principal):
        if principal in self.principals:
            return self.principals[principal].get('role')
        return self.identities.get(principal)

    @staticmethod
    def _api_version(query, resource_type):
        version = query.get('api-version')
        if not version:
            raise ArmError(400, 'MissingApiVersionParameter',
                           "The api-version query parameter (?api-version=) is required for all requests.")
        if version not in API_VERSIONS:
            raise ArmError(400, 'NoRegisteredProviderFound', "No registered resource provider found for location "
                           "'westus' and API version '%s' for type '%s'. The supported api-versions are '%s'."
                           % (version, resource_type, ', '.join(API_VERSIONS)))

    def _patch(self, resource, body, subscription, api_version):
        try:
            settings = json.loads(body)['properties']['domainSecuritySettings']
            assert isinstance(settings, dict) and settings
        except (ValueError, KeyError, TypeError, AssertionError):
            raise ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.')
        for key, value in settings.items():
            if key not in SECURITY_KEYS or value not in ('Enabled', 'Disabled'):
                raise ArmError(400, 'InvalidRequestContent', "Could not find member '%s' or value '%s' is not valid on "
                               "object of type 'DomainSecuritySettings'." % (key, value))
        with self.lock:
            self.patches.append(json.loads(body))
            operation = str(uuid.uuid4())
            self.operations[operation] = {'resource': resource, 'settings': settings, 'polls': self.lro_polls}
            resource['properties']['provisioningState'] = 'Updating'
        status_url = '%s/subscriptions/%s/providers/Microsoft.AAD/locations/%s/operationResults/%s?api-version=%s' % (
            self.url, subscription, resource['location'], operation, api_version)
        return 202, {'Azure-AsyncOperation': status_url, 'Location': status_url,
                     'Retry-After': str(self.retry_after)}, resource

    def _operation(self, operation_id):
        with self.lock:
            operation = self.operations.get(operation_id)
            if operation is None:
                raise ArmError(404, 'OperationNotFound', "The operation '%s' could not be found." % operation_id)
            headers = {'Retry-After': str(self.retry_after)}
            if operation['polls'] > 0:
                operation['polls'] -= 1
                return 200, headers, {'id': operation_id, 'name': operation_id, 'status': 'InProgress'}
            resource = operation['resource']
            resource['properties']['provisioningState'] = 'Succeeded'
            if self.fail_operations:
                return 200, headers, {'id': operation_id, 'name': operation_id, 'status': 'Failed', 'error': {
                    'code': 'DomainSecuritySettingsUpdateFailed', 'message': 'The managed domain is not healthy.'}}
            resource['properties'].setdefault('domainSecuritySettings', {}).update(operation['settings'])
            return 200, headers, {'id': operation_id, 'name': operation_id, 'status': 'Succeeded'}


def _handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):  # quiet
            pass

        def _reply(self, status, body, headers=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in dict(headers or {}, **{'Content-Type': 'application/json'}).items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method):
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length).decode() if length else ''
            token = _TOKEN.match(parts.path)
            try:
                if token and method == 'POST':
                    form = dict(parse_qsl(body))
                    return self._reply(200, server.tokens.client_credentials(
                        token.group(1), form, server.url + parts.path))
                if parts.path == '/metadata/identity/oauth2/token' and method == 'GET':
                    return self._reply(200, server.tokens.managed_identity(query, self.headers))
                status, headers, reply = server.arm(method, parts.path, query, self.headers, body)
                return self._reply(status, reply, dict(headers, **{'x-ms-request-id': str(uuid.uuid4())}))
            except TokenError as exc:
                return self._reply(exc.status, exc.body)
            except ArmError as exc:
                return self._reply(exc.status, {'error': {'code': exc.code, 'message': exc.message}},
                                   dict(exc.headers, **{'x-ms-request-id': str(uuid.uuid4())}))

        def do_GET(self):
            self._handle('GET')

        def do_POST(self):
            self._handle('POST')

        def do_PATCH(self):
            self._handle('PATCH')

        def do_PUT(self):
            self._handle('PUT')

    return Handler
