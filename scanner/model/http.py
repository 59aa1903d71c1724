"""Fact records of an HTTP API: the API, its JWT and Lambda authorizers, and one record per route."""

from __future__ import annotations

from typing import Any

from ..arns import stage_variable_sets
from ..schema.facts import ApiFacts, AuthorizerFacts, MethodFacts
from .api_common import (
    ApiRecords,
    add_cache_sharing_facts,
    add_cloudfront_facts,
    api_base,
    credential_headers,
    is_protected,
    most_used_authorizer,
    token_for,
    unread_reasons,
)
from .jwt_authorizers import HTTP_JWT_ALGORITHMS, add_jwt_facts, add_jwt_scope_facts
from .lambda_authorizers import add_lambda_facts, header_names
from .lookups import Lookups
from .stages import StageView, as_served, judged_stages, served_differently
from .template_facts import add_template_facts
from .throttling import zero_throttles
from .traffic import add_traffic_facts, api_traffic


def route_parts(route_key: str) -> tuple[str, str]:
    """(method, path) of a route key: `GET /me` -> (GET, /me); `$default` -> (ANY, $default)."""
    if " " in route_key:
        verb, path = route_key.split(" ", 1)
        return verb.upper(), path
    return "ANY", route_key


def http_api_facts(api: dict[str, Any], lookups: Lookups) -> ApiRecords:
    """The API's record, its authorizers' and one per route (and per route a stage still serves after it was
    deleted), for one collected HTTP API."""
    base = api_base(api, lookups, "HTTP")
    view = StageView.for_http(api, lookups.stage_filter)
    stages = [s for s in api.get("stages") or []
              if lookups.stage_filter is None or s.get("StageName") == lookups.stage_filter]
    deployed = [str(s.get("StageName")) for s in stages if s.get("AutoDeploy") or s.get("DeploymentId")]
    authorizers = {str(a.get("AuthorizerId")): _authorizer(base, a, api, lookups) for a in api.get("authorizers") or []}
    authorizers_read = api.get("authorizers") is not None
    live = [_route_config(route, authorizers) for route in api.get("routes") or []]
    ghosts = _deleted_but_served(view, {(r["path"], r["method"]) for r in live}, authorizers) \
        if api.get("routes") is not None else []
    authorizer_ids = {str(authorizer.authorizer): key for key, authorizer in authorizers.items()}
    routes: list[MethodFacts] = []
    served: list[MethodFacts] = []
    for config in live + ghosts:
        record = _route(base, config, authorizers, lookups, view, authorizers_read)
        routes.append(record)
        for entry in served_differently(record.stage_comparison) if config["live"] else []:
            served.append(_route(base, as_served(config, entry.deployed or {}, authorizer_ids, ("JWT", "CUSTOM")),
                                 authorizers, lookups, view, authorizers_read, serving_stage=entry.stage))
    cors = api.get("CorsConfiguration") or {}
    unprotected_options = {r["path"] for r in live if r["method"] == "OPTIONS" and r["authorization"] == "NONE"}
    for route in routes + served:
        route.api_cors = bool(cors.get("AllowOrigins"))
        route.preflight_route_key = "OPTIONS /{proxy+}" if route.path == "$default" else f"OPTIONS {route.path}"
        # A preflight ends at an OPTIONS route, else at the ANY route of its path, else at $default (AWS docs,
        # "Configuring CORS for an HTTP API": $default catches OPTIONS requests too).
        route.catches_preflight = route.method == "OPTIONS" or (
            route.method == "ANY" and (("/{proxy+}" if route.path == "$default" else route.path)
                                       not in unprotected_options))
        if route.serving_stage is not None:
            continue  # what a stage serves differently: its throttling, CloudFront and traffic are the method's
        route.zero_throttles = zero_throttles(str(route.route_key), stages)  # ghosts too: a stage serves them
        add_cloudfront_facts(route, lookups)
        add_traffic_facts(route, lookups.traffic.get(route.region))
    protected = sum(is_protected(route.authorization) for route in routes if route.live)
    main_authorizer = most_used_authorizer([{"authorizer_id": r.authorizer_id} for r in routes])
    stage_names = [str(s.get("StageName")) for s in stages]
    for route in routes + served:
        route.other_protected_methods = protected - (is_protected(route.authorization) if route.live else 0)
        route.api_stages, route.api_authorizer_id = stage_names, main_authorizer
    for authorizer in authorizers.values():
        using = [r for r in routes if r.authorizer_id == authorizer.authorizer_id and r.live]
        authorizer.methods_using = len(using) if api.get("routes") is not None else None
        authorizer.methods_unknown = None if api.get("routes") is not None else \
            api.get("unread") or "the API's routes could not be read (apigateway:GET, GetRoutes)"
        authorizer.scoped_methods_using = [f"{r.method} {r.path}" for r in using if r.scopes]
        authorizer.api_stages = stage_names
        add_cache_sharing_facts(authorizer, using, api.get("routes") is not None)
    method_count = len(live) if api.get("routes") is not None else None
    known = api.get("stages") is not None
    api_fact = ApiFacts(
        **base, endpoint_types=[], has_policy=False, policy_error=None, policy_allows_invoke=None,
        private_access_problem=None, method_count=method_count,
        stage_names=stage_names, deployed_stages=deployed,
        stage_count=len(stages) if known else None,
        stages_unknown=None if known else "apigateway:GET on the API's stages failed",
        deployment_problem=("no stage" if not stages else "no stage that deploys automatically or has a deployment")
        if known and method_count and not deployed else None,
        cognito_scoped_methods=[], cognito_unscoped_methods=[],
        cors_origin=", ".join((api.get("CorsConfiguration") or {}).get("AllowOrigins") or []) or None,
        default_endpoint_disabled=bool(api.get("DisableExecuteApiEndpoint")),
        traffic=api_traffic("HTTP", str(api["id"]), lookups.traffic.get(base["region"])), source=api.get("source"),
    )
    add_template_facts(api_fact, api.get("iac"))
    return [api_fact], list(authorizers.values()), sorted(routes, key=lambda r: (r.path, r.method, not r.live)) + served


def _route_config(route: dict[str, Any], authorizers: dict[str, AuthorizerFacts]) -> dict[str, Any]:
    """A live route's authorization as the stage comparison reads it."""
    verb, path = route_parts(str(route.get("RouteKey", "")))
    authorization = route.get("AuthorizationType") or "NONE"
    authorizer = authorizers.get(str(route.get("AuthorizerId"))) if authorization in ("JWT", "CUSTOM") else None
    return {"live": True, "method": verb, "path": path, "route_key": route.get("RouteKey"),
            "resource_id": route.get("RouteId"), "authorization": authorization,
            "authorizer_id": authorizer.authorizer_id if authorizer else None,
            "authorizer": authorizer.authorizer if authorizer else None,
            "scopes": sorted(route.get("AuthorizationScopes") or []) if authorization == "JWT" else [],
            "api_key_required": bool(route.get("ApiKeyRequired")), "target": route.get("Target"),
            "source": route.get("source"), "authorizer_named": route.get("AuthorizerId")}


def _deleted_but_served(view: StageView, live: set[tuple[str, str]],
                        authorizers: dict[str, AuthorizerFacts]) -> list[dict[str, Any]]:
    """Routes a stage's deployment still serves though the live API no longer has them."""
    by_name = {str(authorizer.authorizer): key for key, authorizer in authorizers.items()}
    ghosts = []
    for path, verb in view.deployed_only(live):
        deployed = next(serving.methods[(path, verb)] for serving in view.servings
                        if serving.methods and (path, verb) in serving.methods)
        authorizer_id = by_name.get(str(deployed.get("authorizer")))
        ghosts.append({"live": False, "method": verb, "path": path,
                       "route_key": path if path == "$default" else f"{verb} {path}", "resource_id": None,
                       "authorization": deployed.get("authorization") or "NONE", "authorizer_id": authorizer_id,
                       "authorizer": deployed.get("authorizer") if authorizer_id else None,
                       "scopes": sorted(deployed.get("scopes") or []), "api_key_required": False})
    return ghosts


def _authorizer(base: dict[str, Any], authorizer: dict[str, Any], api: dict[str, Any],
                lookups: Lookups) -> AuthorizerFacts:
    kind = authorizer.get("AuthorizerType")
    headers = header_names(authorizer.get("IdentitySource"))
    record = AuthorizerFacts(
        **base, authorizer_id=str(authorizer.get("AuthorizerId")), authorizer=authorizer.get("Name"), type=kind,
        identity_source=", ".join(authorizer.get("IdentitySource") or []) or None,
        identity_header=headers[0] if headers else None, identity_headers=headers, pools=[], pool_ids=[],
        methods_using=None, scoped_methods_using=[], api_stages=[], source=authorizer.get("source"),
    )
    if kind == "JWT":
        config = authorizer.get("JwtConfiguration") or {}
        add_jwt_facts(record, [(config.get("Issuer"), config.get("Audience"), None)], lookups,
                      list(HTTP_JWT_ALGORITHMS))
    elif kind == "REQUEST":
        add_lambda_facts(record, partition=lookups.partition, uri=authorizer.get("AuthorizerUri"),
                         credentials=authorizer.get("AuthorizerCredentialsArn"),
                         ttl=authorizer.get("AuthorizerResultTtlInSeconds", 0),
                         functions=lookups.functions, roles=lookups.roles, stages=stage_variable_sets(api),
                         policy_response=not authorizer.get("EnableSimpleResponses"))
    return record


def _route(base: dict[str, Any], route: dict[str, Any], authorizers: dict[str, AuthorizerFacts], lookups: Lookups,
           view: StageView, authorizers_read: bool, serving_stage: str | None = None) -> MethodFacts:
    """The record of a route as the live API has it (or, deleted, as its stages serve it), or, with
    `serving_stage`, as that stage serves it where it differs."""
    authorization, scopes = route["authorization"], route["scopes"]
    authorizer = authorizers.get(str(route["authorizer_id"])) if route["authorizer_id"] else None
    comparison = view.compare(route["path"], route["method"], route if route["live"] else None,
                              () if authorizers_read else ("authorizer",)) if serving_stage is None else []
    serving = [entry.stage for entry in comparison if entry.served] if serving_stage is None else [serving_stage]
    record = MethodFacts(
        **base, live=route["live"], path=route["path"], method=route["method"], resource_id=route["resource_id"],
        route_key=route["route_key"], authorization=authorization,
        authorizer_id=authorizer.authorizer_id if authorizer else None,
        authorizer=authorizer.authorizer if authorizer else None,
        authorizer_type=authorizer.type if authorizer else None, scopes=scopes, provider_arns=None,
        token=token_for(authorization, scopes), api_key_required=route["api_key_required"],
        pools=authorizer.pools if authorizer else [], pool_ids=authorizer.pool_ids if authorizer else [],
        stages=serving if view.known else None, stage_comparison=comparison,
        judged_stages=(judged_stages(comparison, route["live"]) if serving_stage is None else serving)
        if view.known else None, serving_stage=serving_stage, policy_decision="no-policy", policy_by_stage=[],
        custom_scope_checks=[], obtainable_scopes=None, obtainable_required_scopes=None,
        obtainable_scopes_unknown=None, other_protected_methods=0, api_stages=[], api_authorizer_id=None,
        scope_client_id=None, unread=unread_reasons(
            authorizers_read, authorization, view.known, "route", route.get("authorizer_named"),
            authorizer is not None or not route["live"] or serving_stage is not None),
        route_target=route.get("target"), source=route.get("source"),
        credential_headers=credential_headers(authorization, authorizer, route["api_key_required"]),
    )
    if authorizer and authorizer.type == "JWT" and scopes:
        add_jwt_scope_facts(record, authorizer, lookups)
    return record
