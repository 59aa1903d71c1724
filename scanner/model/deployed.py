"""What a deployment serves, per method: read from its API summary and its OpenAPI export."""

from __future__ import annotations

from typing import Any

_AUTH_TYPE_BY_SCHEME = {"cognito_user_pools": "COGNITO_USER_POOLS", "awssigv4": "AWS_IAM", "jwt": "JWT",
                        "token": "CUSTOM", "request": "CUSTOM", "custom": "CUSTOM"}


def deployed_methods(deployment: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]] | None:
    """{(path, VERB): {authorization, api_key_required, authorizer, scopes, provider_arns}} or None if unreadable.

    The summary is authoritative for which methods exist and their authorization type; the export adds the
    authorizer and scopes. A field the deployment data does not give is absent, so it is not compared.
    """
    summary = deployment.get("summary")
    export = deployment.get("export")
    if not isinstance(summary, dict) and not isinstance(export, dict):
        return None
    methods: dict[tuple[str, str], dict[str, Any]] = {}
    if isinstance(summary, dict):
        for path, verbs in summary.items():
            for verb, method in (verbs.items() if isinstance(verbs, dict) else ()):
                if isinstance(method, dict) and isinstance(verb, str) and isinstance(path, str):
                    authorization = method.get("authorizationType")
                    methods[(path, verb.upper())] = {  # the summary is free text: a non-string is no type
                        "authorization": authorization if isinstance(authorization, str) and authorization
                        else "NONE",
                        "api_key_required": bool(method.get("apiKeyRequired")),
                    }
    if isinstance(export, dict):
        for key, exported in exported_methods(export).items():
            if isinstance(summary, dict) and key not in methods:
                continue  # the summary lists what is served; trust it over the export
            methods.setdefault(key, {}).update(
                {name: value for name, value in exported.items()
                 if not (name == "authorization" and "authorization" in methods.get(key, {}))})
    return methods


def exported_methods(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    components = _dict(document.get("components"))
    schemes = _dict(components.get("securitySchemes")) or _dict(document.get("securityDefinitions"))
    methods: dict[tuple[str, str], dict[str, Any]] = {}
    for path, operations in _dict(document.get("paths")).items():
        if not isinstance(path, str):
            continue
        for key, operation in _dict(operations).items():
            verb = "ANY" if key == "x-amazon-apigateway-any-method" else str(key).upper()
            if verb not in {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"}:
                continue
            security = _dict(operation).get("security")
            methods[(path, verb)] = _method_security(security if isinstance(security, list) else [], schemes)
    return methods


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _method_security(requirements: list[dict[str, list[str]]], schemes: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"authorization": "NONE", "authorizer": None, "scopes": [], "provider_arns": None,
                             "api_key_required": False}
    for requirement in requirements:
        for name, scopes in _dict(requirement).items():
            scheme = _dict(schemes.get(name))
            auth_type = str(scheme.get("x-amazon-apigateway-authtype")
                            or _dict(scheme.get("x-amazon-apigateway-authorizer")).get("type") or "").lower()
            if auth_type in _AUTH_TYPE_BY_SCHEME:
                found["authorization"] = _AUTH_TYPE_BY_SCHEME[auth_type]
            elif auth_type or scheme.get("x-amazon-apigateway-authorizer"):
                found["authorization"] = "CUSTOM"
            elif str(scheme.get("name", "")).lower() == "x-api-key":
                found["api_key_required"] = True
                continue
            if found["authorization"] in ("COGNITO_USER_POOLS", "CUSTOM", "JWT"):
                found["authorizer"] = name
                found["scopes"] = sorted(str(scope) for scope in scopes) if isinstance(scopes, list) else []
                authorizer = _dict(scheme.get("x-amazon-apigateway-authorizer"))
                if isinstance(authorizer.get("providerARNs"), list):
                    found["provider_arns"] = sorted(str(arn) for arn in authorizer["providerARNs"])
    return found


def deployed_routes(export: Any) -> dict[tuple[str, str], dict[str, Any]] | None:
    """{(path, VERB): {authorization, authorizer, scopes}} of an HTTP API's exported stage (ExportApi), keyed like
    the routes' facts (`$default` is $default, ANY); None when the export could not be read."""
    if not isinstance(export, dict):
        return None
    routes = {}
    for (path, verb), method in exported_methods(export).items():
        key = ("$default", "ANY") if path == "/$default" else (path, verb)
        routes[key] = {name: method[name] for name in ("authorization", "authorizer", "scopes")}
    return routes
