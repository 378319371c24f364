"""The Entra token endpoint (client credentials: secret or certificate assertion) and the managed identity endpoint.

Error replies follow the v2.0 endpoint: ``{"error", "error_description": "AADSTS...", "error_codes"}``.
"""

import base64
import json
import secrets
import time

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'


class TokenError(Exception):
    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status, self.body = status, {'error': error, 'error_description': 'AADSTS%d: %s' % (code, description),
                                          'error_codes': [code], 'timestamp': time.strftime('%Y-%m-%d %H:%M:%SZ')}


def _unb64(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def verify_assertion(assertion, certificate_pem, client_id, audience):
    """Check a client assertion JWT the way Entra does: x5t, RS256 signature, aud, iss/sub, lifetime."""
    cert = x509.load_pem_x509_certificate(certificate_pem)
    try:
        header_b64, claims_b64, signature_b64 = assertion.split('.')
        header, claims = json.loads(_unb64(header_b64)), json.loads(_unb64(claims_b64))
    except ValueError:
        raise TokenError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.')
    if header.get('alg') != 'RS256' or _unb64(header.get('x5t', '')) != cert.fingerprint(hashes.SHA1()):
        raise TokenError(401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client '
                                                        'assertion is not registered on application.')
    try:
        cert.public_key().verify(_unb64(signature_b64), ('%s.%s' % (header_b64, claims_b64)).encode(),
                                 padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise TokenError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.')
    if claims.get('aud') != audience:
        raise TokenError(401, 'invalid_client', 700021, 'Client assertion audience claim does not match Realm issuer.')
    if claims.get('iss') != client_id or claims.get('sub') != client_id:
        raise TokenError(401, 'invalid_client', 700023, 'Client assertion issuer or subject is not the client id.')
    if not claims.get('nbf', 0) - 300 <= time.time() < claims.get('exp', 0):
        raise TokenError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.')


class TokenService:
    """Issues opaque bearer tokens for the principals the test registered."""

    def __init__(self, tenant, principals, identities, audience):
        self.tenant, self.principals, self.identities, self.audience = tenant, principals, identities, audience
        self.issued = {}  # token -> principal id
        self.requests = 0

    def _issue(self, principal):
        token = 'eyJ0eXAiOiJKV1Qi.' + secrets.token_urlsafe(32)
        self.issued[token] = principal
        return token

    def client_credentials(self, tenant, form, token_url):
        """POST /{tenant}/oauth2/v2.0/token; returns the reply body or raises TokenError."""
        self.requests += 1
        if tenant != self.tenant:
            raise TokenError(400, 'invalid_request', 90002, "Tenant '%s' not found." % tenant)
        if form.get('grant_type') != 'client_credentials':
            raise TokenError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.')
        client_id = form.get('client_id', '')
        principal = self.principals.get(client_id)
        if principal is None:
            raise TokenError(400, 'unauthorized_client', 700016, "Application with identifier '%s' was not found in "
                                                                 "the directory '%s'." % (client_id, tenant))
        if form.get('scope') != self.audience + '.default':
            raise TokenError(400, 'invalid_scope', 70011, "The provided value for scope '%s' is not valid."
                             % form.get('scope'))
        if 'client_secret' in form:
            if form['client_secret'] != principal.get('secret'):
                raise TokenError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret '
                                 'being sent in the request is the client secret value, not the client secret ID.')
        elif form.get('client_assertion_type') == ASSERTION_TYPE and principal.get('certificate'):
            verify_assertion(form.get('client_assertion', ''), principal['certificate'], client_id, token_url)
        else:
            raise TokenError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: "
                                                             "'client_assertion' or 'client_secret'.")
        return {'token_type': 'Bearer', 'expires_in': 3599, 'ext_expires_in': 3599, 'access_token': self._issue(client_id)}

    def managed_identity(self, query, headers):
        """GET /metadata/identity/oauth2/token (IMDS); returns the reply body or raises TokenError."""
        self.requests += 1
        if headers.get('Metadata') != 'true':
            raise TokenError(400, 'invalid_request', 0, 'Required metadata header not specified')
        if query.get('resource') != self.audience:
            raise TokenError(400, 'invalid_resource', 500011, 'The resource principal named %s was not found.'
                             % query.get('resource'))
        identity = query.get('client_id', 'system')
        if identity not in self.identities:
            raise TokenError(400, 'invalid_request', 0, 'Identity not found')
        return {'access_token': self._issue(identity), 'expires_in': '86399', 'expires_on': str(int(time.time()) + 86399),
                'resource': self.audience, 'token_type': 'Bearer'}
