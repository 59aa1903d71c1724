"""Writes moto lacks that the remediation test's commands make (tests only: the scanner never writes).

moto 5 has no cognito-idp UpdateResourceServer. AWS's behaviour (API reference, UpdateResourceServer):
"If you don't provide a value for an attribute, it is set to the default value" — the scopes given replace
the list, the name is required. Taught here as that reference says; the request shape is botocore's model.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult

    def update_resource_server(self: Any) -> Any:
        pool = self.backend.user_pools.get(self._get_param("UserPoolId"))
        server = pool.resource_servers.get(self._get_param("Identifier")) if pool else None
        if server is None:
            raise ResourceNotFoundError(f"Resource server {self._get_param('Identifier')} does not exist.")
        server.name = self._get_param("Name")
        server.scopes = self._get_param("Scopes") or []
        return ActionResult({"ResourceServer": server.to_json()})

    CognitoIdpResponse.update_resource_server = update_resource_server
    _INSTALLED = True
