"""What an OpenAPI definition requires of each operation's caller (authorization type, authorizer, scopes, API
key), read as API Gateway reads it: for what a deployment serves (its export) and for a template's API body."""

from __future__ import annotations

from typing import Any

_AUTH_TYPE_BY_SCHEME = {"cognito_user_pools": "COGNITO_USER_POOLS", "awssigv4": "AWS_IAM", "jwt": "JWT",
                        "token": "CUSTOM", "request": "CUSTOM", "custom": "CUSTOM"}
VERBS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"})


def as_dict(value: Any) -> dict[Any, Any]:
    """`value` when it is a mapping, else an empty one (a definition is someone else's text)."""
    return value if isinstance(value, dict) else {}


def security_schemes(document: dict[str, Any]) -> dict[str, Any]:
    """The security schemes by name: OpenAPI 3's components, or Swagger 2's securityDefinitions."""
    return as_dict(as_dict(document.get("components")).get("securitySchemes")) or as_dict(
        document.get("securityDefinitions"))


def openapi_methods(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """{(path, VERB): {authorization, authorizer, scopes, provider_arns, api_key_required}} of every operation
    (`x-amazon-apigateway-any-method` is ANY)."""
    schemes = security_schemes(document)
    methods: dict[tuple[str, str], dict[str, Any]] = {}
    for path, operations in as_dict(document.get("paths")).items():
        if not isinstance(path, str):
            continue
        for key, operation in as_dict(operations).items():
            verb = "ANY" if key == "x-amazon-apigateway-any-method" else str(key).upper()
            if verb not in VERBS:
                continue
            security = as_dict(operation).get("security")
            methods[(path, verb)] = _method_security(security if isinstance(security, list) else [], schemes)
    return methods


def _method_security(requirements: list[dict[str, list[str]]], schemes: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"authorization": "NONE", "authorizer": None, "scopes": [], "provider_arns": None,
                             "api_key_required": False}
    for requirement in requirements:
        for name, scopes in as_dict(requirement).items():
            scheme = as_dict(schemes.get(name))
            auth_type = str(scheme.get("x-amazon-apigateway-authtype")
                            or as_dict(scheme.get("x-amazon-apigateway-authorizer")).get("type") or "").lower()
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
                authorizer = as_dict(scheme.get("x-amazon-apigateway-authorizer"))
                if isinstance(authorizer.get("providerARNs"), list):
                    found["provider_arns"] = sorted(str(arn) for arn in authorizer["providerARNs"])
    return found
