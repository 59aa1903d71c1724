"""Writes moto lacks that the remediation test's commands make (tests only: the scanner never writes).

moto 5 has no cognito-idp UpdateResourceServer. AWS's behaviour (API reference, UpdateResourceServer):
"If you don't provide a value for an attribute, it is set to the default value" — the scopes given replace
the list, the name is required. Taught here as that reference says; the request shape is botocore's model.

Nor has it apigatewayv2 UpdateStage or DeleteRouteSettings (API reference: UpdateStage takes the stage's
DefaultRouteSettings and RouteSettings, DeleteRouteSettings removes one route key's settings). Taught with the
JSON names botocore's model gives them (defaultRouteSettings, routeSettings).
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
    _install_stage_writes()
    _INSTALLED = True


def _install_stage_writes() -> None:
    import json
    from urllib.parse import unquote

    from moto.apigatewayv2 import responses, urls

    dispatch = responses.ApiGatewayV2Response.dispatch
    urls.url_paths["{0}/v2/apis/(?P<api_id>[^/]+)/stages/(?P<stage_name>[^/]+)/routesettings/(?P<route_key>[^/]+)$"] \
        = dispatch

    def update_stage(self: Any) -> Any:
        parts = self.path.split("/")
        stage = self.apigatewayv2_backend.get_stage(parts[-3], unquote(parts[-1]))
        body = json.loads(self.body or "{}")
        if "defaultRouteSettings" in body:
            stage.default_route_settings = body["defaultRouteSettings"]
        if "routeSettings" in body:
            stage.route_settings = {**(stage.route_settings or {}), **body["routeSettings"]}
        if "autoDeploy" in body:
            stage.auto_deploy = body["autoDeploy"]
        return 200, {}, json.dumps(stage.to_json())

    def delete_route_settings(self: Any) -> Any:
        parts = self.path.split("/")
        stage = self.apigatewayv2_backend.get_stage(parts[-5], unquote(parts[-3]))
        (stage.route_settings or {}).pop(unquote(parts[-1]), None)
        return 204, {}, ""

    responses.ApiGatewayV2Response.update_stage = update_stage
    responses.ApiGatewayV2Response.delete_route_settings = delete_route_settings
