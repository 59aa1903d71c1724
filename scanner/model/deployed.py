"""What a deployment serves, per method: read from its API summary and its OpenAPI export."""

from __future__ import annotations

from typing import Any

from ..openapi_security import openapi_methods


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
        for key, exported in openapi_methods(export).items():
            if isinstance(summary, dict) and key not in methods:
                continue  # the summary lists what is served; trust it over the export
            methods.setdefault(key, {}).update(
                {name: value for name, value in exported.items()
                 if not (name == "authorization" and "authorization" in methods.get(key, {}))})
    return methods


def deployed_routes(export: Any) -> dict[tuple[str, str], dict[str, Any]] | None:
    """{(path, VERB): {authorization, authorizer, scopes}} of an HTTP API's exported stage (ExportApi), keyed like
    the routes' facts (`$default` is $default, ANY); None when the export could not be read."""
    if not isinstance(export, dict):
        return None
    routes = {}
    for (path, verb), method in openapi_methods(export).items():
        key = ("$default", "ANY") if path == "/$default" else (path, verb)
        routes[key] = {name: method[name] for name in ("authorization", "authorizer", "scopes")}
    return routes
