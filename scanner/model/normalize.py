"""Brings a snapshot (collected, or loaded from a file someone edited) to the shape the facts expect.

The shape is declared once below. A value of the wrong type becomes None — for a list the collector
may leave unread (resources, clients, …) that means "could not be read", so the checks that need it
are undecided; a list item of the wrong type is dropped; a field not declared is dropped.
"""

from __future__ import annotations

from typing import Any

STR, BOOL, INT, FREE = "str", "bool", "int", "free"  # FREE: any JSON object, parsed later by its own reader
REQUIRED = "required"  # in a record's spec: the fields without which the record is dropped


class Map:
    """A dict whose keys are free but whose values all have one shape."""

    def __init__(self, value: Any) -> None:
        self.value = value


_METHOD = {"authorizationType": STR, "authorizerId": STR, "authorizationScopes": [STR], "apiKeyRequired": BOOL}
_REST_API = {
    REQUIRED: ("id",), "region": STR, "id": STR, "name": STR, "policy": STR, "endpoint_types": [STR],
    "api_key_source": STR,
    "resources": [{"id": STR, "path": STR, "methods": Map(_METHOD)}],
    "authorizers": [{"id": STR, "name": STR, "type": STR, "providerARNs": [STR], "identitySource": STR,
                     "identityValidationExpression": STR, "authorizerUri": STR, "authorizerCredentials": STR,
                     "authorizerResultTtlInSeconds": INT, "authType": STR}],
    "stages": [{"stageName": STR, "deploymentId": STR, "variables": Map(STR), "lastUpdatedDate": STR}],
    "deployments": Map({"id": STR, "summary": FREE, "summary_error": STR, "export": FREE, "export_error": STR}),
}
_HTTP_API = {
    REQUIRED: ("id",), "region": STR, "id": STR, "name": STR,
    "routes": [{"RouteId": STR, "RouteKey": STR, "AuthorizationType": STR, "AuthorizerId": STR,
                "AuthorizationScopes": [STR], "ApiKeyRequired": BOOL}],
    "authorizers": [{"AuthorizerId": STR, "Name": STR, "AuthorizerType": STR, "IdentitySource": [STR],
                     "JwtConfiguration": {"Issuer": STR, "Audience": [STR]}, "AuthorizerUri": STR,
                     "AuthorizerCredentialsArn": STR, "AuthorizerPayloadFormatVersion": STR,
                     "AuthorizerResultTtlInSeconds": INT, "EnableSimpleResponses": BOOL}],
    "stages": [{"StageName": STR, "AutoDeploy": BOOL, "DeploymentId": STR, "StageVariables": Map(STR)}],
}
_CLIENT = {REQUIRED: ("ClientId",), "ClientId": STR, "ClientName": STR, "AllowedOAuthFlows": [STR],
           "AllowedOAuthFlowsUserPoolClient": BOOL,
           "AllowedOAuthScopes": [STR], "CallbackURLs": [STR], "LogoutURLs": [STR], "DefaultRedirectURI": STR,
           "ExplicitAuthFlows": [STR], "SupportedIdentityProviders": [STR], "HasClientSecret": BOOL,
           "unreadable": STR}
_POOL = {REQUIRED: ("id", "arn"), "region": STR, "id": STR, "arn": STR, "status": STR, "message": STR, "name": STR,
         "domain": STR,
         "custom_domain": STR, "lambda_config": FREE, "clients": [_CLIENT], "referenced_only": BOOL,
         "resource_servers": [{REQUIRED: ("Identifier",), "Identifier": STR, "Scopes": [STR]}]}
SNAPSHOT = {
    "schema": STR, "account": STR, "partition": STR, "regions": [STR],
    "rest_apis": [_REST_API], "http_apis": [_HTTP_API], "apis_listed": [STR], "user_pools": [_POOL],
    "pool_listings": Map({"complete": BOOL}), "pool_lookups": Map({"status": STR, "message": STR}),
    "functions": Map({"arn": STR, "status": STR, "policy": FREE, "policy_status": STR, "message": STR}),
    "roles": Map({"arn": STR, "status": STR, "trust": FREE, "policies": [FREE], "message": STR}),
    "notes": [STR],
    "errors": [{"account": STR, "region": STR, "service": STR, "operation": STR, "iam_action": STR, "subject": STR,
                "message": STR}],
    "calls": Map(INT),
}
_LISTS_THAT_ARE_ALWAYS_THERE = ("regions", "rest_apis", "http_apis", "user_pools", "errors", "apis_listed",
                                "notes")


def normalize_snapshot(snapshot: Any) -> dict[str, Any]:
    """The snapshot in the declared shape; never raises."""
    shaped = _shape(snapshot, SNAPSHOT) or {}
    for name in _LISTS_THAT_ARE_ALWAYS_THERE:
        shaped[name] = shaped.get(name) or []
    for name in ("pool_listings", "pool_lookups", "functions", "roles", "calls"):
        shaped[name] = shaped.get(name) or {}
    return shaped


def _shape(value: Any, spec: Any) -> Any:
    if spec == STR:
        return value if isinstance(value, str) else None
    if spec == BOOL:
        return value if isinstance(value, bool) else None
    if spec == INT:
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if spec == FREE:
        return value if isinstance(value, dict) else None
    if isinstance(spec, Map):
        if not isinstance(value, dict):
            return None
        shaped_map = {str(key): _shape(item, spec.value) for key, item in value.items()}
        return {key: item for key, item in shaped_map.items() if item is not None}
    if isinstance(spec, list):
        if not isinstance(value, list):
            return None
        shaped_items = [_shape(item, spec[0]) for item in value]
        return [item for item in shaped_items if item is not None]
    if not isinstance(value, dict):
        return None
    shaped = {key: _shape(value.get(key), field) for key, field in spec.items() if key in value and key != REQUIRED}
    if any(shaped.get(key) is None for key in spec.get(REQUIRED, ())):
        return None
    return shaped
