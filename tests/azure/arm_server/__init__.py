"""A fake Azure Resource Manager (Microsoft.AAD/domainServices) and Entra token endpoint: a TEST FIXTURE, never shipped."""

from .resources import domain_service
from .server import API_VERSIONS, ArmServer

__all__ = ['API_VERSIONS', 'ArmServer', 'domain_service']
