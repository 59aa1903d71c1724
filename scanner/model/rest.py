"""Fact records of a REST API: the API, its authorizers and one record per method."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..arns import provider_arns_by_stage, stage_variables_in
from ..schema.facts import ApiFacts, AuthorizerFacts, MethodFacts, PoolEntry
from .lambda_authorizers import add_lambda_facts, header_names
from .lookups import Lookups, PoolView
from .method_scopes import scope_facts
from .policy_facts import ApiPolicy
from .stages import StageView

TOKEN_BY_AUTHORIZATION = {"AWS_IAM": "iam", "CUSTOM": "lambda", "NONE": "none"}
ApiRecords = tuple[list[ApiFacts], list[AuthorizerFacts], list[MethodFacts]]


def api_base(api: dict[str, Any], lookups: Lookups, api_type: str) -> dict[str, Any]:
    """The fields every record of an API starts with."""
    return {"region": str(api.get("region")), "account": lookups.account, "partition": lookups.partition,
            "api_id": str(api["id"]), "api_name": str(api.get("name") or api["id"]), "api_type": api_type}


def most_used_authorizer(methods: list[dict[str, Any]]) -> str | None:
    """The authorizer most of an API's protected methods use (the one to attach to an unprotected method)."""
    counts = Counter(str(m["authorizer_id"]) for m in methods if m.get("authorizer_id"))
    return min(counts, key=lambda key: (-counts[key], key)) if counts else None


def scope_client(pools: list[PoolEntry], pool_views: dict[str, PoolView], among: list[str] | None) -> str | None:
    """The app client to give a missing scope: one with OAuth on (of `among`, when given), else the first."""
    for pool in pools:
        view = pool_views.get(str(pool.arn)) if pool.status == "present" else None
        if view is None or not view.client_ids:
            continue
        candidates = [c for c in view.client_ids if among is None or c in among]
        preferred = [c for c in candidates if c in view.oauth_client_ids]
        if preferred or candidates:
            return (preferred or candidates)[0]
    return None


def expects_token(authorization: str, scopes: list[str]) -> str:
    """id, access, lambda, iam or none: what a caller must send."""
    if authorization == "COGNITO_USER_POOLS":
        return "access" if scopes else "id"
    return TOKEN_BY_AUTHORIZATION.get(authorization, "none")


def rest_api_facts(api: dict[str, Any], lookups: Lookups) -> ApiRecords:
    """The API's record, its authorizers' and one per method, for one collected REST API."""
    base = api_base(api, lookups, "REST")
    stages = StageView(api, lookups.stage_filter)
    policy = ApiPolicy(api, lookups.partition, lookups.account)
    authorizers = {str(authorizer.get("id")): authorizer for authorizer in api.get("authorizers") or []}
    pools_of = {authorizer_id: _pool_entries(authorizer, api, lookups)
                for authorizer_id, authorizer in authorizers.items()}
    live = _live_methods(api, authorizers)
    authorizers_read = api.get("authorizers") is not None
    protected = sum(1 for method in live if method["authorization"] != "NONE" or method["api_key_required"])
    main_authorizer = most_used_authorizer(live)
    methods = []
    for method in live:
        authorizer = authorizers.get(method["authorizer_id"]) if method["authorizer_id"] else None
        pools = pools_of.get(method["authorizer_id"], []) if method["authorization"] == "COGNITO_USER_POOLS" else []
        comparison = stages.compare(method["path"], method["method"], method,
                                    () if authorizers_read else ("authorizer", "provider_arns"))
        serving = [entry.stage for entry in comparison if entry.served]
        unread = [reason for reason in (
            None if authorizers_read or method["authorization"] not in ("COGNITO_USER_POOLS", "CUSTOM") else
            "the API's authorizers could not be read (apigateway:GET, GetAuthorizers): which authorizer guards the "
            "method is unknown",
            None if stages.known else "the API's stages could not be read (apigateway:GET, GetStages): which stages "
            "serve the method is unknown") if reason]
        decision, by_stage = policy.method_decisions(method["method"], method["path"], serving)
        methods.append(MethodFacts(
            **base, **method, route_key=None,
            authorizer_type=authorizer.get("type") if authorizer else None,
            token=expects_token(method["authorization"], method["scopes"]),
            pools=pools, pool_ids=sorted({pool.pool_id or str(pool.arn) for pool in pools}),
            **scope_facts(method["scopes"], pools, lookups.pool_views),
            stages=serving if stages.known else None, stage_comparison=comparison, policy_decision=decision,
            policy_by_stage=by_stage, unread="; ".join(unread) or None,
            other_protected_methods=protected - (1 if method["authorization"] != "NONE"
                                                 or method["api_key_required"] else 0),
            api_stages=stages.names, api_authorizer_id=main_authorizer,
            scope_client_id=scope_client(pools, lookups.pool_views, None) if method["scopes"] else None,
        ))
    authorizer_facts = [_authorizer_facts(base, authorizer, pools_of[key], methods, stages.names,
                                          api.get("resources") is not None, lookups)
                        for key, authorizer in authorizers.items()]
    # OPTIONS is left out: a preflight carries no token at all (APIGW011 says so).
    cognito = [method for method in methods
               if method.authorization == "COGNITO_USER_POOLS" and method.method != "OPTIONS"]
    method_count = len(methods) if api.get("resources") is not None else None
    deployed = [name for name in stages.names if stages.deployment_id(name)]
    private = "PRIVATE" in (api.get("endpoint_types") or [])
    api_fact = ApiFacts(
        **base, endpoint_types=list(api.get("endpoint_types") or []),
        method_count=method_count, stage_names=stages.names,
        stage_count=len(stages.names) if stages.known else None,
        stages_unknown=None if stages.known else "apigateway:GET on the API's stages failed",
        deployed_stages=deployed,
        deployment_problem="no stage" if stages.known and not stages.names and method_count else None,
        cognito_scoped_methods=[f"{m.method} {m.path}" for m in cognito if m.scopes],
        cognito_unscoped_methods=[f"{m.method} {m.path}" for m in cognito if not m.scopes],
        has_policy=bool(policy.text), policy_error=policy.error, policy_allows_invoke=policy.allows_invoke,
        private_access_problem=("its resource policy is missing" if private and not policy.text
                                else "its resource policy allows no execute-api:Invoke"
                                if private and policy.allows_invoke is False else None),
    )
    return [api_fact], authorizer_facts, methods


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


def _pool_entries(authorizer: dict[str, Any], api: dict[str, Any], lookups: Lookups) -> list[PoolEntry]:
    if authorizer.get("type") != "COGNITO_USER_POOLS":
        return []
    entries = []
    variables = {str(stage.get("stageName")): stage.get("variables") or {} for stage in api.get("stages") or []}
    for raw, stage, resolved in provider_arns_by_stage(authorizer, api.get("stages") or []):
        if stage is not None and lookups.stage_filter is not None and stage != lookups.stage_filter:
            continue
        entry = lookups.directory.status(resolved, stage=stage, raw=raw)
        if entry.status == "unresolved":
            entry.stage_variable = next((name for name in stage_variables_in(raw)
                                         if name not in variables.get(str(stage), {})), None)
        entries.append(entry)
    unique = {(entry.arn, entry.stage, entry.status): entry for entry in entries}
    return list(unique.values())


def _authorizer_facts(base: dict[str, Any], authorizer: dict[str, Any], pools: list[PoolEntry],
                      methods: list[MethodFacts], stages: list[str], methods_read: bool,
                      lookups: Lookups) -> AuthorizerFacts:
    using = [method for method in methods if method.authorizer_id == authorizer.get("id")]
    source = str(authorizer.get("identitySource") or "")
    headers = header_names(source)
    record = AuthorizerFacts(
        **base, authorizer_id=str(authorizer.get("id")), authorizer=authorizer.get("name"),
        type=authorizer.get("type"), identity_source=source or None,
        identity_header=source.split("method.request.header.", 1)[1]
        if source.startswith("method.request.header.") else None,
        identity_headers=headers, pools=pools, pool_ids=sorted({pool.pool_id or str(pool.arn) for pool in pools}),
        methods_using=len(using) if methods_read else None,
        methods_unknown=None if methods_read else "the API's resources could not be read (apigateway:GET, "
                                                  "GetResources)",
        scoped_methods_using=[f"{m.method} {m.path}" for m in using if m.scopes], api_stages=stages,
        validation_expression=authorizer.get("identityValidationExpression") or None,
    )
    if record.type == "COGNITO_USER_POOLS":
        _validation_facts(record, lookups.pool_views)
    elif record.type in ("TOKEN", "REQUEST"):
        add_lambda_facts(record, partition=lookups.partition, uri=authorizer.get("authorizerUri"),
                         credentials=authorizer.get("authorizerCredentials"),
                         ttl=authorizer.get("authorizerResultTtlInSeconds"),
                         functions=lookups.functions, roles=lookups.roles)
    return record


def _validation_facts(record: AuthorizerFacts, pool_views: dict[str, PoolView]) -> None:
    """Problems of identityValidationExpression: invalid, matching no app client, or beside scoped methods."""
    expression = record.validation_expression
    if not expression:
        return
    try:
        pattern = re.compile(expression)
    except re.error as error:
        record.validation_problems.append(
            f"the expression {expression!r} is not a valid regular expression ({error})")
        return
    if record.scoped_methods_using:
        record.validation_problems.append(
            "it is set, but methods that require scopes use this authorizer "
            f"({', '.join(record.scoped_methods_using)}): "
            "they need access tokens, which carry no aud, so every request is rejected")
    present = [pool_views[str(pool.arn)] for pool in record.pools
               if pool.status == "present" and pool.arn in pool_views]
    if not present or any(view.client_ids is None for view in present):
        record.validation_unknown = "the app clients of the authorizer's pools could not be read"
        return
    client_ids = sorted({client_id for view in present for client_id in view.client_ids or []})
    if not any(pattern.fullmatch(client_id) for client_id in client_ids):
        record.validation_problems.append(
            f"the expression {expression!r} matches none of the pools' app-client IDs "
            f"({', '.join(client_ids) or 'none'}), "
            "and API Gateway matches it against the ID token's aud")
