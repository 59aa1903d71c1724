"""An API defined by OpenAPI (RestApi `Body`, SAM `DefinitionBody`, HTTP API `Body`) read into the snapshot's
shapes: methods or routes with their security, authorizers from the x-amazon-apigateway-authorizer schemes, the
policy, the API key source, gateway responses and CORS. Each operation's security is read by openapi_security.py,
as a deployment's export is."""

from __future__ import annotations

from typing import Any

from ..openapi_security import as_dict, openapi_methods, security_schemes

_AUTHORIZER_TYPES = {"cognito_user_pools": "COGNITO_USER_POOLS", "token": "TOKEN", "request": "REQUEST",
                     "jwt": "JWT"}
ORIGIN = "method.response.header.Access-Control-Allow-Origin"


def rest_from_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """{resources, authorizers, policy, api_key_source, gateway_responses} of a REST API's OpenAPI body."""
    schemes = security_schemes(document)
    authorizers = [_rest_authorizer(name, scheme) for name, scheme in schemes.items()
                   if as_dict(scheme).get("x-amazon-apigateway-authorizer")]
    resources: dict[str, dict[str, Any]] = {}
    for (path, verb), found in openapi_methods(document).items():
        method: dict[str, Any] = {"authorizationType": found["authorization"],
                                  "apiKeyRequired": bool(found.get("api_key_required"))}
        if found.get("authorizer"):
            method["authorizerId"] = found["authorizer"]
        if found.get("scopes") and found["authorization"] in ("COGNITO_USER_POOLS", "JWT"):
            method["authorizationScopes"] = found["scopes"]
        operation = _operation(document, path, verb)
        origin = _integration_origin(operation)
        if origin is not None:
            method["methodResponses"] = {"200": {"responseParameters": {ORIGIN: False}}}
            method["methodIntegration"] = {"integrationResponses": {"200": {"responseParameters": {ORIGIN: origin}}}}
        resources.setdefault(path, {"id": path, "path": path, "methods": {}})["methods"][verb] = method
    policy = document.get("x-amazon-apigateway-policy")
    responses = as_dict(document.get("x-amazon-apigateway-gateway-responses"))
    return {
        "resources": list(resources.values()),
        "authorizers": authorizers,
        "policy": policy,
        "api_key_source": document.get("x-amazon-apigateway-api-key-source"),
        "gateway_responses": [{"responseType": kind, "statusCode": as_dict(response).get("statusCode"),
                               "responseParameters": as_dict(as_dict(response).get("responseParameters")),
                               "defaultResponse": False} for kind, response in responses.items()],
    }


def _operation(document: dict[str, Any], path: str, verb: str) -> dict[str, Any]:
    operations = as_dict(as_dict(document.get("paths")).get(path))
    key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
    return as_dict(operations.get(key))


def _integration_origin(operation: dict[str, Any]) -> str | None:
    """The Access-Control-Allow-Origin an operation's integration maps (a mock OPTIONS, as SAM's Cors makes it)."""
    for response in as_dict(as_dict(operation.get("x-amazon-apigateway-integration")).get("responses")).values():
        value = as_dict(as_dict(response).get("responseParameters")).get(ORIGIN)
        if isinstance(value, str):
            return value
    return None


def _rest_authorizer(name: str, scheme: dict[str, Any]) -> dict[str, Any]:
    settings = as_dict(scheme.get("x-amazon-apigateway-authorizer"))
    kind = _AUTHORIZER_TYPES.get(str(settings.get("type", "")).lower(), "TOKEN")
    header = scheme.get("name") if scheme.get("in") == "header" else None
    authorizer: dict[str, Any] = {"id": name, "name": name, "type": kind,
                                  "identitySource": settings.get("identitySource")
                                  or (f"method.request.header.{header}" if header else None)}
    for field, key in (("providerARNs", "providerARNs"), ("authorizerUri", "authorizerUri"),
                       ("authorizerCredentials", "authorizerCredentials"),
                       ("authorizerResultTtlInSeconds", "authorizerResultTtlInSeconds"),
                       ("identityValidationExpression", "identityValidationExpression")):
        if settings.get(key) is not None:
            authorizer[field] = settings[key]
    if kind == "JWT":
        config = as_dict(settings.get("jwtConfiguration"))
        authorizer["jwtConfiguration"] = {"issuers": [{"issuer": config.get("issuer"),
                                                       "audiences": config.get("audience") or []}]}
    return {key: value for key, value in authorizer.items() if value is not None}


def http_from_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """{routes, authorizers, cors} of an HTTP API's OpenAPI body (AWS docs, "Working with OpenAPI definitions for
    HTTP APIs": x-amazon-apigateway-authorizer of type jwt or request, x-amazon-apigateway-cors)."""
    schemes = security_schemes(document)
    authorizers = []
    for name, scheme in schemes.items():
        settings = as_dict(as_dict(scheme).get("x-amazon-apigateway-authorizer"))
        if not settings:
            continue
        kind = str(settings.get("type", "")).lower()
        source = settings.get("identitySource")
        record: dict[str, Any] = {"AuthorizerId": name, "Name": name,
                                  "AuthorizerType": "JWT" if kind == "jwt" else "REQUEST",
                                  "IdentitySource": [part.strip() for part in source.split(",")]
                                  if isinstance(source, str) else source}
        if kind == "jwt":
            config = as_dict(settings.get("jwtConfiguration"))
            record["JwtConfiguration"] = {"Issuer": config.get("issuer"), "Audience": config.get("audience") or []}
        else:
            record.update({"AuthorizerUri": settings.get("authorizerUri"),
                           "AuthorizerCredentialsArn": settings.get("authorizerCredentials"),
                           "AuthorizerPayloadFormatVersion": settings.get("authorizerPayloadFormatVersion"),
                           "AuthorizerResultTtlInSeconds": settings.get("authorizerResultTtlInSeconds", 0),
                           "EnableSimpleResponses": settings.get("enableSimpleResponses")})
        authorizers.append({key: value for key, value in record.items() if value is not None})
    routes = []
    for (path, verb), found in openapi_methods(document).items():
        key = "$default" if path in ("$default", "/$default") else f"{verb} {path}"
        route: dict[str, Any] = {"RouteId": key, "RouteKey": key, "AuthorizationType": found["authorization"]
                                 if found["authorization"] != "COGNITO_USER_POOLS" else "JWT"}
        if found.get("authorizer"):
            route["AuthorizerId"] = found["authorizer"]
        if found.get("scopes") and found["authorization"] == "JWT":
            route["AuthorizationScopes"] = found["scopes"]
        routes.append(route)
    cors = as_dict(document.get("x-amazon-apigateway-cors"))
    return {"routes": routes, "authorizers": authorizers,
            "cors": {"AllowOrigins": cors.get("allowOrigins") or [], "AllowHeaders": cors.get("allowHeaders") or [],
                     "AllowMethods": cors.get("allowMethods") or []} if cors else None}
