"""Fact records of an HTTP API: the API, its JWT and Lambda authorizers, and one record per route."""

from __future__ import annotations

from typing import Any

from .arns import cognito_issuer_problem, parse_cognito_issuer, pool_arn
from .lambda_authorizers import header_names, lambda_authorizer_facts
from .pools import PoolDirectory


def route_parts(route_key: str) -> tuple[str, str]:
    """(method, path) of a route key: `GET /me` -> (GET, /me); `$default` -> (ANY, $default)."""
    if " " in route_key:
        verb, path = route_key.split(" ", 1)
        return verb.upper(), path
    return "ANY", route_key


def route_token(authorization: str, scopes: list[str]) -> str:
    """What a caller must send: a JWT authorizer without scopes takes ID and access tokens alike."""
    if authorization == "JWT":
        return "access" if scopes else "id-or-access"
    return {"CUSTOM": "lambda", "AWS_IAM": "iam"}.get(authorization, "none")


def http_api_facts(api: dict[str, Any], directory: PoolDirectory, pool_views: dict[str, dict[str, Any]],
                   functions: dict[str, Any], roles: dict[str, Any],
                   stage_filter: str | None) -> dict[str, list[dict[str, Any]]]:
    base = {"region": api.get("region"), "account": directory.account, "api_id": api.get("id"),
            "api_name": api.get("name") or api.get("id"), "api_type": "HTTP"}
    stages = [s for s in api.get("stages") or [] if stage_filter is None or s.get("StageName") == stage_filter]
    deployed = [str(s.get("StageName")) for s in stages if s.get("AutoDeploy") or s.get("DeploymentId")]
    authorizers = {str(a.get("AuthorizerId")): _authorizer(base, a, directory, pool_views, functions, roles)
                   for a in api.get("authorizers") or []}
    routes = [_route(base, route, authorizers, pool_views, deployed) for route in api.get("routes") or []]
    protected = sum(1 for route in routes if route["authorization"] != "NONE")
    for route in routes:
        route["other_protected_methods"] = protected - (route["authorization"] != "NONE")
    for authorizer in authorizers.values():
        authorizer["methods_using"] = sum(1 for r in routes if r["authorizer_id"] == authorizer["authorizer_id"])
    api_fact = {
        **base, "kind": "api", "endpoint_types": [], "has_policy": False, "policy_error": None,
        "method_count": len(routes) if api.get("routes") is not None else None,
        "stage_names": [str(s.get("StageName")) for s in stages], "deployed_stages": deployed,
        "stage_count": len(stages) if api.get("stages") is not None else None,
        "stages_unknown": None if api.get("stages") is not None else "apigateway:GET on the API's stages failed",
        "cognito_scoped_methods": [], "cognito_unscoped_methods": [],
    }
    return {"apis": [api_fact], "authorizers": list(authorizers.values()),
            "methods": sorted(routes, key=lambda r: (r["path"], r["method"]))}


def _authorizer(base: dict[str, Any], authorizer: dict[str, Any], directory: PoolDirectory,
                pool_views: dict[str, dict[str, Any]], functions: dict[str, Any],
                roles: dict[str, Any]) -> dict[str, Any]:
    kind = authorizer.get("AuthorizerType")
    headers = header_names(authorizer.get("IdentitySource"))
    record: dict[str, Any] = {
        **base, "kind": "authorizer", "authorizer_id": authorizer.get("AuthorizerId"),
        "authorizer": authorizer.get("Name"), "type": kind, "identity_source": authorizer.get("IdentitySource"),
        "identity_header": headers[0] if headers else None, "pools": [], "pool_ids": [], "methods_using": 0,
        "scoped_methods_using": [], "validation_expression": None, "validation_problems": [],
        "validation_unknown": None,
    }
    if kind == "JWT":
        record.update(_jwt(authorizer.get("JwtConfiguration") or {}, directory, pool_views))
    elif kind == "REQUEST":
        record.update(lambda_authorizer_facts(
            api=base, authorizer_id=str(authorizer.get("AuthorizerId")), partition=directory.partition,
            uri=authorizer.get("AuthorizerUri"), credentials=authorizer.get("AuthorizerCredentialsArn"),
            headers=headers, ttl=authorizer.get("AuthorizerResultTtlInSeconds", 0), kind="REQUEST",
            functions=functions, roles=roles))
    return record


def _jwt(config: dict[str, Any], directory: PoolDirectory, pool_views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    issuer = config.get("Issuer")
    audience = sorted(config.get("Audience") or [])
    facts: dict[str, Any] = {"issuer": issuer, "issuer_problem": cognito_issuer_problem(issuer), "audience": audience,
                             "audience_problem": None if audience else "the audience is empty: every token is rejected",
                             "audience_unknown": None, "audience_clients": None}
    parsed = parse_cognito_issuer(issuer)
    if not parsed:
        return facts
    entry = directory.status(pool_arn(directory.partition, parsed[0], directory.account, parsed[1]))
    if entry["status"] == "missing":
        entry["reason"] = (f"no user pool {parsed[1]} in account {directory.account} ({parsed[0]}); a JWT issuer does "
                           "not name an account, so if the pool lives in another account, scan that account too")
    facts.update(pools=[entry], pool_ids=[parsed[1]])
    view = pool_views.get(entry["arn"]) if entry["status"] == "present" else None
    if view is None or view["client_ids"] is None:
        facts["audience_unknown"] = (view or {}).get("unknown") or entry["reason"] or "the pool could not be read"
        return facts
    strangers = [value for value in audience if value not in view["client_ids"]]
    facts["audience_clients"] = [value for value in audience if value in view["client_ids"]]
    if audience and strangers:
        facts["audience_problem"] = (f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not app "
                                     f"client(s) of pool {parsed[1]}: tokens of real clients carry other IDs")
    return facts


def _route(base: dict[str, Any], route: dict[str, Any], authorizers: dict[str, dict[str, Any]],
           pool_views: dict[str, dict[str, Any]], deployed: list[str]) -> dict[str, Any]:
    verb, path = route_parts(str(route.get("RouteKey", "")))
    authorization = route.get("AuthorizationType") or "NONE"
    authorizer = authorizers.get(str(route.get("AuthorizerId"))) if authorization in ("JWT", "CUSTOM") else None
    scopes = sorted(route.get("AuthorizationScopes") or []) if authorization == "JWT" else []
    record = {
        **base, "kind": "method", "path": path, "method": verb, "resource_id": route.get("RouteId"),
        "route_key": route.get("RouteKey"), "authorization": authorization,
        "authorizer_id": authorizer["authorizer_id"] if authorizer else None,
        "authorizer": authorizer["authorizer"] if authorizer else None,
        "authorizer_type": authorizer["type"] if authorizer else None,
        "scopes": scopes, "token": route_token(authorization, scopes),
        "api_key_required": bool(route.get("ApiKeyRequired")),
        "pools": authorizer["pools"] if authorizer else [], "pool_ids": authorizer["pool_ids"] if authorizer else [],
        "stages": deployed, "stage_comparison": [], "policy_decision": "no-policy", "policy_by_stage": [],
        "custom_scope_checks": [], "obtainable_scopes": None, "obtainable_required_scopes": None,
        "obtainable_scopes_unknown": None,
    }
    if authorizer and authorizer["type"] == "JWT" and scopes:
        record.update(_route_scopes(scopes, authorizer, pool_views))
    return record


def _route_scopes(scopes: list[str], authorizer: dict[str, Any],
                  pool_views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Scopes the clients in the authorizer's audience can obtain (HTTP003)."""
    pools = authorizer["pools"]
    if not pools or pools[0]["status"] != "present" or authorizer.get("audience_clients") is None:
        reason = authorizer.get("audience_unknown") or (pools[0]["reason"] if pools else None)
        return {"obtainable_scopes_unknown": reason}
    view = pool_views[pools[0]["arn"]]
    obtainable = sorted(set().union(*(view["obtainable_by_client"].get(c, set())
                                      for c in authorizer["audience_clients"])))
    return {"obtainable_scopes": obtainable, "obtainable_required_scopes": sorted(set(scopes) & set(obtainable))}
