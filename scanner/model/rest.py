"""Fact records of a REST API: the API, its authorizers and one record per method (and per method a stage still
serves after it was deleted from the live API)."""

from __future__ import annotations

from typing import Any

from ..arns import provider_arns_by_stage, stage_variable_sets, stage_variables_in, unresolved_reason
from ..schema.facts import ApiFacts, AuthorizerFacts, MethodFacts, PoolEntry, StageComparison
from .api_common import (
    ApiRecords,
    add_cache_sharing_facts,
    add_cloudfront_facts,
    api_base,
    credential_headers,
    is_protected,
    most_used_authorizer,
    scope_client,
    token_for,
    unread_reasons,
)
from .api_keys import add_api_key_facts, separate_key_stages
from .gateway_responses import add_gateway_response_facts
from .java_regex import compile_expression
from .jwt_authorizers import add_jwt_facts, add_jwt_scope_facts
from .lambda_authorizers import add_lambda_facts, header_names
from .lookups import Lookups, PoolView
from .method_scopes import scope_facts
from .policy_facts import ApiPolicy
from .preflight import add_preflight_facts, api_cors
from .stages import StageView, as_served, judged_stages, served_differently
from .template_facts import add_template_facts
from .traffic import add_traffic_facts, api_traffic

AUTHORIZED = ("COGNITO_USER_POOLS", "CUSTOM", "JWT")


def rest_api_facts(api: dict[str, Any], lookups: Lookups) -> ApiRecords:
    """The API's record, its authorizers' and one per method, for one collected REST API."""
    base = api_base(api, lookups, "REST")
    stages = StageView(api, lookups.stage_filter)
    policy = ApiPolicy(api, lookups.partition, lookups.account)
    raw_authorizers = {str(authorizer.get("id")): authorizer for authorizer in api.get("authorizers") or []}
    authorizers = {key: _authorizer(base, raw, api, stages.names, lookups) for key, raw in raw_authorizers.items()}
    authorizers_read = api.get("authorizers") is not None
    live = _live_methods(api, raw_authorizers)
    # Deleted methods can be told only when the live API's resources were read.
    ghosts = _deleted_but_served(stages, {(m["path"], m["method"]) for m in live}, raw_authorizers) \
        if api.get("resources") is not None else []
    protected = sum(1 for method in live if is_protected(method["authorization"], method["api_key_required"]))
    main_authorizer = most_used_authorizer(live)
    cors = api_cors(api)
    authorizer_ids = {str(raw.get("name")): key for key, raw in raw_authorizers.items()}

    def record_of(method: dict[str, Any], is_live: bool, comparison: list[StageComparison],
                  serving_stage: str | None = None) -> MethodFacts:
        """The record of a method as the live API has it (or, deleted, as its stages serve it), or, with
        `serving_stage`, as that stage serves it where it differs."""
        authorizer = authorizers.get(method["authorizer_id"]) if method["authorizer_id"] else None
        serving = [entry.stage for entry in comparison if entry.served and not entry.canary] \
            if serving_stage is None else [serving_stage]
        decision, by_stage = policy.method_decisions(method["method"], method["path"], serving)
        pools = authorizer.pools if authorizer and method["authorization"] in ("COGNITO_USER_POOLS", "JWT") else []
        record = MethodFacts(
            **base, **method, live=is_live, route_key=None,
            authorizer_type=authorizer.type if authorizer else None,
            token=token_for(method["authorization"], method["scopes"]),
            pools=pools, pool_ids=pool_ids_of(pools),
            **(scope_facts(method["scopes"], pools, lookups.pool_views)
               if method["authorization"] == "COGNITO_USER_POOLS" else scope_facts([], [], {})),
            stages=serving if stages.known else None, stage_comparison=comparison, policy_decision=decision,
            policy_by_stage=by_stage if serving_stage is None else [],
            unread=unread_reasons(authorizers_read, method["authorization"], stages.known, "method",
                                  method["authorizer_id"], authorizer is not None or not is_live
                                  or serving_stage is not None),
            other_protected_methods=protected - is_protected(method["authorization"], method["api_key_required"]),
            api_stages=stages.names, api_authorizer_id=main_authorizer,
            scope_client_id=scope_client(pools, lookups.pool_views, None)
            if method["scopes"] and method["authorization"] == "COGNITO_USER_POOLS" else None,
            judged_stages=(judged_stages(comparison, is_live) if serving_stage is None else [serving_stage])
            if stages.known else None, serving_stage=serving_stage,
        )
        if authorizer and authorizer.type == "JWT" and method["authorization"] == "JWT" and record.scopes:
            add_jwt_scope_facts(record, authorizer, lookups)
        add_preflight_facts(record, cors)
        record.credential_headers = credential_headers(record.authorization, authorizer, record.api_key_required)
        add_api_key_facts(record, api, lookups.usage.get(record.region), lookups.from_template)
        if serving_stage is None:
            add_cloudfront_facts(record, lookups)
            add_traffic_facts(record, lookups.traffic.get(record.region))
        return record

    methods, served = [], []
    for method in live + ghosts:
        is_live = method.pop("live", True)
        comparison = stages.compare(method["path"], method["method"], method if is_live else None,
                                    () if authorizers_read else ("authorizer", "provider_arns"))
        record = record_of(method, is_live, comparison)
        methods.append(record)
        for entry in served_differently(comparison) if is_live else []:
            variant = record_of(as_served(method, entry.deployed or {}, authorizer_ids, AUTHORIZED), True, [],
                                entry.stage)
            separate_key_stages(record, variant)
            served.append(variant)
    methods_read = api.get("resources") is not None
    for authorizer in authorizers.values():
        using = [m for m in methods if m.authorizer_id == authorizer.authorizer_id and m.live]
        authorizer.methods_using = len(using) if methods_read else None
        authorizer.methods_unknown = None if methods_read else \
            api.get("unread") or "the API's resources could not be read (apigateway:GET, GetResources)"
        authorizer.scoped_methods_using = [f"{m.method} {m.path}" for m in using if m.scopes]
        add_cache_sharing_facts(authorizer, using, methods_read)
        if authorizer.type == "COGNITO_USER_POOLS":
            _validation_facts(authorizer, lookups.pool_views)
    return ([_api_facts(base, api, stages, policy, methods, lookups.traffic.get(base["region"]))],
            list(authorizers.values()), methods + served)


def _api_facts(base: dict[str, Any], api: dict[str, Any], stages: StageView, policy: ApiPolicy,
               methods: list[MethodFacts], traffic: dict[str, Any] | None) -> ApiFacts:
    # OPTIONS is left out: a preflight carries no token at all (APIGW011 says so).
    cognito = [method for method in methods
               if method.authorization == "COGNITO_USER_POOLS" and method.method != "OPTIONS" and method.live]
    method_count = sum(1 for m in methods if m.live) if api.get("resources") is not None else None
    private = "PRIVATE" in (api.get("endpoint_types") or [])
    record = ApiFacts(
        **base, endpoint_types=list(api.get("endpoint_types") or []),
        method_count=method_count, stage_names=stages.names,
        stage_count=len(stages.names) if stages.known else None,
        stages_unknown=None if stages.known else "apigateway:GET on the API's stages failed",
        deployed_stages=[name for name in stages.names if stages.deployment_id(name)],
        deployment_problem="no stage" if stages.known and not stages.names and method_count else None,
        cognito_scoped_methods=[f"{m.method} {m.path}" for m in cognito if m.scopes],
        cognito_unscoped_methods=[f"{m.method} {m.path}" for m in cognito if not m.scopes],
        has_policy=bool(policy.text), policy_error=policy.error, policy_allows_invoke=policy.allows_invoke,
        private_access_problem=("its resource policy is missing" if private and not policy.text
                                else "its resource policy allows no execute-api:Invoke"
                                if private and policy.allows_invoke is False else None),
        default_endpoint_disabled=bool(api.get("disable_execute_api_endpoint")),
        policy_unknown=policy.unknown if policy.statements is None or policy.allows_invoke is not None else
        "a statement of the resource policy that may allow execute-api:Invoke names what only deployment decides",
    )
    add_gateway_response_facts(record, api)
    record.traffic = api_traffic("REST", record.api_id, traffic)
    record.source = api.get("source")
    record.sam_implicit_stage = next((str(stage.get("stageName")) for stage in api.get("stages") or []
                                      if stage.get("sam_implicit")), None)
    add_template_facts(record, api.get("iac"))
    return record


def _live_methods(api: dict[str, Any], authorizers: dict[str, Any]) -> list[dict[str, Any]]:
    methods = []
    for resource in api.get("resources") or []:
        for verb, method in sorted((resource.get("methods") or {}).items()):
            authorizer = authorizers.get(str(method.get("authorizerId"))) or {}
            authorization = method.get("authorizationType") or "NONE"
            guarded = authorization in AUTHORIZED
            methods.append({
                "path": str(resource.get("path") or "/"), "method": verb if unresolved_reason(verb) else verb.upper(),
                "resource_id": resource.get("id"),
                "authorization": authorization,
                "authorizer_id": method.get("authorizerId") if guarded else None,
                "authorizer": authorizer.get("name") if guarded else None,
                "scopes": sorted(method.get("authorizationScopes") or [])
                if authorization in ("COGNITO_USER_POOLS", "JWT") else [],
                "provider_arns": sorted(authorizer.get("providerARNs") or []) or None,
                "api_key_required": bool(method.get("apiKeyRequired")),
                "source": method.get("source") or api.get("source"),
            })
    return sorted(methods, key=lambda m: (m["path"], m["method"]))


def _deleted_but_served(stages: StageView, live: set[tuple[str, str]],
                        authorizers: dict[str, Any]) -> list[dict[str, Any]]:
    """Methods a stage still serves though the live API no longer has them: often an old, less protected one."""
    ghosts = []
    by_name = {str(authorizer.get("name")): key for key, authorizer in authorizers.items()}
    for path, verb in stages.deployed_only(live):
        deployed = next(serving.methods[(path, verb)] for serving in stages.servings
                        if serving.methods and (path, verb) in serving.methods)
        authorization = deployed.get("authorization") or "NONE"
        authorizer_id = by_name.get(str(deployed.get("authorizer"))) if authorization in AUTHORIZED else None
        ghosts.append({
            "live": False, "path": path, "method": verb, "resource_id": None, "authorization": authorization,
            "authorizer_id": authorizer_id, "authorizer": deployed.get("authorizer") if authorizer_id else None,
            "scopes": sorted(deployed.get("scopes") or []), "provider_arns": deployed.get("provider_arns"),
            "api_key_required": bool(deployed.get("api_key_required")), "source": None,
        })
    return ghosts


def _authorizer(base: dict[str, Any], authorizer: dict[str, Any], api: dict[str, Any], stages: list[str],
                lookups: Lookups) -> AuthorizerFacts:
    source = str(authorizer.get("identitySource") or "")
    headers = header_names(source)
    record = AuthorizerFacts(
        **base, authorizer_id=str(authorizer.get("id")), authorizer=authorizer.get("name"),
        type=authorizer.get("type"), identity_source=source or None,
        identity_header=source.split("method.request.header.", 1)[1]
        if source.startswith("method.request.header.") else None,
        identity_headers=headers, pools=[], pool_ids=[], methods_using=None, scoped_methods_using=[],
        api_stages=stages, validation_expression=authorizer.get("identityValidationExpression") or None,
        source=authorizer.get("source"),
    )
    if record.type == "COGNITO_USER_POOLS":
        record.pools = _pool_entries(authorizer, api, lookups)
        record.pool_ids = pool_ids_of(record.pools)
    elif record.type == "JWT":
        configuration = authorizer.get("jwtConfiguration") or {}
        algorithms = configuration.get("defaultAlgorithms")
        add_jwt_facts(record, [(item.get("issuer"), item.get("audiences"), item.get("additionalClaims"))
                               for item in configuration.get("issuers") or []], lookups,
                      list(algorithms) if isinstance(algorithms, list) else None)
    elif record.type in ("TOKEN", "REQUEST"):
        add_lambda_facts(record, partition=lookups.partition, uri=authorizer.get("authorizerUri"),
                         credentials=authorizer.get("authorizerCredentials"),
                         ttl=authorizer.get("authorizerResultTtlInSeconds"),
                         functions=lookups.functions, roles=lookups.roles, stages=_stages_judged(api, lookups))
    return record


def _stages_judged(api: dict[str, Any], lookups: Lookups) -> list[dict[str, Any]]:
    """The stages (and canaries) whose variables resolve ARNs: those --stage selects."""
    return [stage for stage in stage_variable_sets(api) if lookups.stage_filter is None
            or str(stage["stageName"]).split(" (", 1)[0] == lookups.stage_filter]


def _pool_entries(authorizer: dict[str, Any], api: dict[str, Any], lookups: Lookups) -> list[PoolEntry]:
    entries = []
    sets = _stages_judged(api, lookups)
    variables = {str(stage["stageName"]): stage["variables"] for stage in sets}
    for raw, stage, resolved in provider_arns_by_stage(authorizer, sets):
        entry = lookups.directory.status(resolved, stage=stage, raw=raw)
        if entry.status == "unresolved":
            entry.stage_variable = next((name for name in stage_variables_in(raw)
                                         if name not in variables.get(str(stage), {})), None)
        entries.append(entry)
    unique = {(entry.arn, entry.stage, entry.status): entry for entry in entries}
    return list(unique.values())


def _validation_facts(record: AuthorizerFacts, pool_views: dict[str, PoolView]) -> None:
    """Problems of identityValidationExpression: invalid, matching no app client, or beside scoped methods."""
    expression = record.validation_expression
    if not expression:
        return
    compiled = compile_expression(expression)
    if compiled.invalid:
        record.validation_problems.append(compiled.invalid)
        return
    if record.scoped_methods_using:
        record.validation_problems.append(
            "it is set, but methods that require scopes use this authorizer "
            f"({', '.join(record.scoped_methods_using)}): "
            "they need access tokens, which carry no aud, so every request is rejected")
    present = [pool_views[str(pool.arn)] for pool in record.pools
               if pool.status == "present" and pool.arn in pool_views]
    if compiled.pattern is None:
        record.validation_unknown = compiled.undecided
        return
    if not present or any(view.client_ids is None for view in present):
        unread = next((pool.reason for pool in record.pools if pool.status != "present" and pool.reason), None)
        record.validation_unknown = f"the app clients of the authorizer's pools are not known: {unread}" if unread \
            else "the app clients of the authorizer's pools could not be read"
        return
    client_ids = sorted({client_id for view in present for client_id in view.client_ids or []})
    if not any(compiled.pattern.fullmatch(client_id) for client_id in client_ids):
        record.validation_problems.append(
            f"the expression {expression!r} matches none of the pools' app-client IDs "
            f"({', '.join(client_ids) or 'none'}), "
            "and API Gateway matches it against the ID token's aud")


def pool_ids_of(pools: list[PoolEntry]) -> list[str] | None:
    """The pools' IDs (a pool whose ID cannot be read: its ARN as written); None when an ARN itself is unknown
    (a template parameter without a value)."""
    if any(not pool.pool_id and not pool.arn for pool in pools):
        return None
    return sorted({pool.pool_id or str(pool.arn) for pool in pools})
