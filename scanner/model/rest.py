"""Fact records of a REST API: the API, its authorizers and one record per method."""

from __future__ import annotations

import re
from typing import Any

from .arns import provider_arns_by_stage
from .lambda_authorizers import header_names, lambda_authorizer_facts
from .policy_facts import ApiPolicy
from .pools import PoolDirectory
from .scopes import BUILTIN_SCOPES
from .stages import StageView

TOKEN_BY_AUTHORIZATION = {"AWS_IAM": "iam", "CUSTOM": "lambda", "NONE": "none"}


def expects_token(authorization: str, scopes: list[str]) -> str:
    """id, access, lambda, iam or none: what a caller must send."""
    if authorization == "COGNITO_USER_POOLS":
        return "access" if scopes else "id"
    return TOKEN_BY_AUTHORIZATION.get(authorization, "none")


def rest_api_facts(api: dict[str, Any], directory: PoolDirectory, pool_views: dict[str, dict[str, Any]],
                   functions: dict[str, Any], roles: dict[str, Any],
                   stage_filter: str | None) -> dict[str, list[dict[str, Any]]]:
    """{"apis": [..], "authorizers": [..], "methods": [..]} for one collected REST API."""
    base = {"region": api.get("region"), "account": directory.account, "api_id": api.get("id"),
            "api_name": api.get("name") or api.get("id"), "api_type": "REST"}
    stages = StageView(api, stage_filter)
    policy = ApiPolicy(api, directory.partition, directory.account)
    authorizers = {authorizer.get("id"): authorizer for authorizer in api.get("authorizers") or []}
    pools_of = {authorizer_id: _pool_entries(authorizer, api, directory, stage_filter)
                for authorizer_id, authorizer in authorizers.items()}
    live = _live_methods(api, authorizers)
    protected = sum(1 for method in live if method["authorization"] != "NONE" or method["api_key_required"])
    methods = []
    for method in live:
        authorizer = authorizers.get(method["authorizer_id"]) if method["authorizer_id"] else None
        pools = pools_of.get(method["authorizer_id"], []) if method["authorization"] == "COGNITO_USER_POOLS" else []
        comparison = stages.compare(method["path"], method["method"], method)
        serving = [entry["stage"] for entry in comparison if entry["served"]]
        methods.append({
            **base, "kind": "method", **method,
            "authorizer_type": authorizer.get("type") if authorizer else None,
            "token": expects_token(method["authorization"], method["scopes"]),
            "pools": pools, "pool_ids": sorted({pool["pool_id"] or pool["arn"] for pool in pools}),
            **_scope_facts(method["scopes"], pools, pool_views),
            "stages": serving,
            "stage_comparison": comparison,
            **policy.method_facts(method["method"], method["path"], serving),
            "other_protected_methods": protected - (1 if method["authorization"] != "NONE"
                                                    or method["api_key_required"] else 0),
        })
    authorizer_facts = [_authorizer_facts(base, authorizer, pools_of[authorizer.get("id")], methods, pool_views)
                        for authorizer in authorizers.values()]
    for record, authorizer in zip(authorizer_facts, authorizers.values(), strict=True):
        if authorizer.get("type") in ("TOKEN", "REQUEST"):
            record.update(lambda_authorizer_facts(
                api=base, authorizer_id=str(authorizer.get("id")), partition=directory.partition,
                uri=authorizer.get("authorizerUri"), credentials=authorizer.get("authorizerCredentials"),
                headers=header_names(authorizer.get("identitySource")),
                ttl=authorizer.get("authorizerResultTtlInSeconds"), kind=str(authorizer.get("type")),
                functions=functions, roles=roles))
    # OPTIONS is left out: a preflight carries no token at all (APIGW011 says so).
    cognito = [method for method in methods
               if method["authorization"] == "COGNITO_USER_POOLS" and method["method"] != "OPTIONS"]
    api_fact = {
        **base, "kind": "api", "endpoint_types": api.get("endpoint_types") or [],
        "method_count": len(methods) if api.get("resources") is not None else None,
        "stage_names": stages.names, "stage_count": len(stages.names) if stages.known else None,
        "stages_unknown": None if stages.known else "apigateway:GET on the API's stages failed",
        "cognito_scoped_methods": [f"{m['method']} {m['path']}" for m in cognito if m["scopes"]],
        "cognito_unscoped_methods": [f"{m['method']} {m['path']}" for m in cognito if not m["scopes"]],
        **policy.api_facts(),
    }
    return {"apis": [api_fact], "authorizers": authorizer_facts, "methods": methods}


def _live_methods(api: dict[str, Any], authorizers: dict[str, Any]) -> list[dict[str, Any]]:
    methods = []
    for resource in api.get("resources") or []:
        for verb, method in sorted((resource.get("methods") or {}).items()):
            authorizer = authorizers.get(method.get("authorizerId")) or {}
            authorization = method.get("authorizationType") or "NONE"
            methods.append({
                "path": resource.get("path", "/"), "method": verb.upper(), "resource_id": resource.get("id"),
                "authorization": authorization,
                "authorizer_id": method.get("authorizerId") if authorization in ("COGNITO_USER_POOLS", "CUSTOM")
                else None,
                "authorizer": authorizer.get("name") if authorization in ("COGNITO_USER_POOLS", "CUSTOM") else None,
                "scopes": sorted(method.get("authorizationScopes") or [])
                if authorization == "COGNITO_USER_POOLS" else [],
                "provider_arns": sorted(authorizer.get("providerARNs") or []) or None,
                "api_key_required": bool(method.get("apiKeyRequired")),
            })
    return sorted(methods, key=lambda m: (m["path"], m["method"]))


def _pool_entries(authorizer: dict[str, Any], api: dict[str, Any], directory: PoolDirectory,
                  stage_filter: str | None) -> list[dict[str, Any]]:
    if authorizer.get("type") != "COGNITO_USER_POOLS":
        return []
    entries = []
    for raw, stage, resolved in provider_arns_by_stage(authorizer, api.get("stages") or []):
        if stage is not None and stage_filter is not None and stage != stage_filter:
            continue
        entries.append(directory.status(resolved, stage=stage, raw=raw))
    unique = {(entry["arn"], entry["stage"], entry["status"]): entry for entry in entries}
    return list(unique.values())


def _scope_facts(scopes: list[str], pools: list[dict[str, Any]],
                 pool_views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What of the method's scopes the pools' clients can obtain, and which custom scopes are undefined."""
    facts: dict[str, Any] = {"obtainable_scopes": None, "obtainable_required_scopes": None,
                             "obtainable_scopes_unknown": None, "custom_scope_checks": []}
    if not scopes or not pools:
        return facts
    present = [pool_views[pool["arn"]] for pool in pools if pool["status"] == "present" and pool["arn"] in pool_views]
    blind = [pool for pool in pools if pool["status"] in ("unreadable", "elsewhere")]
    unknown = [view["unknown"] for view in present if view["unknown"]] + [pool["reason"] for pool in blind]
    if present:
        obtainable = sorted(set().union(*(view["obtainable"] for view in present)))
        facts["obtainable_scopes"] = obtainable
        facts["obtainable_required_scopes"] = sorted(set(scopes) & set(obtainable))
    if unknown and not facts["obtainable_required_scopes"]:
        facts["obtainable_required_scopes"] = None
        facts["obtainable_scopes_unknown"] = "; ".join(unknown)
    for scope in scopes:
        if scope in BUILTIN_SCOPES:
            continue
        servers_unknown = [view["unknown"] for view in present if view["resource_servers_unknown"]]
        defined = any(scope in view["defined_scopes"] for view in present)
        facts["custom_scope_checks"].append({
            "scope": scope,
            "defined": True if defined else (None if servers_unknown or blind or not present else False),
            "reason": "; ".join(servers_unknown + [pool["reason"] for pool in blind]) or None,
        })
    return facts


def _authorizer_facts(base: dict[str, Any], authorizer: dict[str, Any], pools: list[dict[str, Any]],
                      methods: list[dict[str, Any]], pool_views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    using = [method for method in methods if method["authorizer_id"] == authorizer.get("id")]
    source = str(authorizer.get("identitySource") or "")
    header = source.split("method.request.header.", 1)[1] if source.startswith("method.request.header.") else None
    record = {
        **base, "kind": "authorizer", "authorizer_id": authorizer.get("id"), "authorizer": authorizer.get("name"),
        "type": authorizer.get("type"), "identity_source": source or None, "identity_header": header,
        "pools": pools, "pool_ids": sorted({pool["pool_id"] or pool["arn"] for pool in pools}),
        "methods_using": len(using),
        "scoped_methods_using": [f"{m['method']} {m['path']}" for m in using if m["scopes"]],
        "validation_expression": authorizer.get("identityValidationExpression") or None,
    }
    record.update(_validation_facts(record, pools, pool_views))
    return record


def _validation_facts(record: dict[str, Any], pools: list[dict[str, Any]],
                      pool_views: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Problems of identityValidationExpression: invalid, matching no app client, or beside scoped methods."""
    expression = record["validation_expression"]
    facts: dict[str, Any] = {"validation_problems": [], "validation_unknown": None}
    if not expression or record["type"] != "COGNITO_USER_POOLS":
        return facts
    try:
        pattern = re.compile(expression)
    except re.error as error:
        facts["validation_problems"].append(
            f"the expression {expression!r} is not a valid regular expression ({error})")
        return facts
    if record["scoped_methods_using"]:
        facts["validation_problems"].append(
            "it is set, but methods that require scopes use this authorizer "
            f"({', '.join(record['scoped_methods_using'])}): "
            "they need access tokens, which carry no aud, so every request is rejected")
    present = [pool_views[pool["arn"]] for pool in pools if pool["status"] == "present" and pool["arn"] in pool_views]
    if any(view["client_ids"] is None for view in present) or not present:
        facts["validation_unknown"] = "the app clients of the authorizer's pools could not be read"
        return facts
    client_ids = sorted({client_id for view in present for client_id in view["client_ids"]})
    if not any(pattern.fullmatch(client_id) for client_id in client_ids):
        facts["validation_problems"].append(
            f"the expression {expression!r} matches none of the pools' app-client IDs "
            f"({', '.join(client_ids) or 'none'}), "
            "and API Gateway matches it against the ID token's aud")
    return facts
