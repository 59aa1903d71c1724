"""Fact records of an HTTP API: the API, its JWT and Lambda authorizers, and one record per route."""

from __future__ import annotations

from typing import Any

from ..arns import cognito_issuer_problem, parse_cognito_issuer, pool_arn
from ..schema.facts import ApiFacts, AuthorizerFacts, MethodFacts
from .lambda_authorizers import add_lambda_facts, header_names
from .lookups import Lookups
from .method_scopes import scope_facts
from .rest import ApiRecords, api_base, most_used_authorizer, scope_client


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


def http_api_facts(api: dict[str, Any], lookups: Lookups) -> ApiRecords:
    """The API's record, its authorizers' and one per route, for one collected HTTP API."""
    base = api_base(api, lookups, "HTTP")
    stages = [s for s in api.get("stages") or []
              if lookups.stage_filter is None or s.get("StageName") == lookups.stage_filter]
    deployed = [str(s.get("StageName")) for s in stages if s.get("AutoDeploy") or s.get("DeploymentId")]
    authorizers = {str(a.get("AuthorizerId")): _authorizer(base, a, lookups) for a in api.get("authorizers") or []}
    known = api.get("stages") is not None
    routes = [_route(base, route, authorizers, lookups, deployed if known else None, api.get("authorizers") is not None)
              for route in api.get("routes") or []]
    protected = sum(1 for route in routes if route.authorization != "NONE")
    main_authorizer = most_used_authorizer([{"authorizer_id": r.authorizer_id} for r in routes])
    stage_names = [str(s.get("StageName")) for s in stages]
    for route in routes:
        route.other_protected_methods = protected - (route.authorization != "NONE")
        route.api_stages, route.api_authorizer_id = stage_names, main_authorizer
    for authorizer in authorizers.values():
        using = [r for r in routes if r.authorizer_id == authorizer.authorizer_id]
        authorizer.methods_using = len(using) if api.get("routes") is not None else None
        authorizer.methods_unknown = None if api.get("routes") is not None else \
            "the API's routes could not be read (apigateway:GET, GetRoutes)"
        authorizer.scoped_methods_using = [f"{r.method} {r.path}" for r in using if r.scopes]
        authorizer.api_stages = stage_names
    method_count = len(routes) if api.get("routes") is not None else None
    api_fact = ApiFacts(
        **base, endpoint_types=[], has_policy=False, policy_error=None, policy_allows_invoke=None,
        private_access_problem=None, method_count=method_count,
        stage_names=stage_names, deployed_stages=deployed,
        stage_count=len(stages) if known else None,
        stages_unknown=None if known else "apigateway:GET on the API's stages failed",
        deployment_problem=("no stage" if not stages else "no stage that deploys automatically or has a deployment")
        if known and method_count and not deployed else None,
        cognito_scoped_methods=[], cognito_unscoped_methods=[],
    )
    return [api_fact], list(authorizers.values()), sorted(routes, key=lambda r: (r.path, r.method))


def _authorizer(base: dict[str, Any], authorizer: dict[str, Any], lookups: Lookups) -> AuthorizerFacts:
    kind = authorizer.get("AuthorizerType")
    headers = header_names(authorizer.get("IdentitySource"))
    record = AuthorizerFacts(
        **base, authorizer_id=str(authorizer.get("AuthorizerId")), authorizer=authorizer.get("Name"), type=kind,
        identity_source=", ".join(authorizer.get("IdentitySource") or []) or None,
        identity_header=headers[0] if headers else None, identity_headers=headers, pools=[], pool_ids=[],
        methods_using=None, scoped_methods_using=[], api_stages=[],
    )
    if kind == "JWT":
        _jwt(record, authorizer.get("JwtConfiguration") or {}, lookups)
    elif kind == "REQUEST":
        add_lambda_facts(record, partition=lookups.partition, uri=authorizer.get("AuthorizerUri"),
                         credentials=authorizer.get("AuthorizerCredentialsArn"),
                         ttl=authorizer.get("AuthorizerResultTtlInSeconds", 0),
                         functions=lookups.functions, roles=lookups.roles)
    return record


def _jwt(record: AuthorizerFacts, config: dict[str, Any], lookups: Lookups) -> None:
    issuer = config.get("Issuer")
    record.issuer = issuer
    record.issuer_problem = cognito_issuer_problem(issuer)
    record.audience = sorted(config.get("Audience") or [])
    record.audience_problem = None if record.audience else "the audience is empty: every token is rejected"
    parsed = parse_cognito_issuer(issuer) or parse_cognito_issuer(_repaired(issuer))
    if not parsed:
        return
    directory = lookups.directory
    entry = directory.status(pool_arn(directory.partition, parsed.region, directory.account, parsed.pool_id))
    if entry.status == "missing":
        entry.reason = (f"no user pool {parsed.pool_id} in account {directory.account} ({parsed.region}); a JWT "
                        "issuer does not name an account, so if the pool lives in another account, scan that "
                        "account too")
    if entry.status in ("missing", "malformed"):
        record.issuer_problem = entry.reason
    if entry.status == "present":
        record.expected_issuer = entry.issuer
    record.pools, record.pool_ids = [entry], [parsed.pool_id]
    view = lookups.pool_views.get(str(entry.arn)) if entry.status == "present" else None
    if view is None or view.client_ids is None:
        record.audience_unknown = (view.unknown if view else None) or entry.reason or "the pool could not be read"
        return
    strangers = [value for value in record.audience if value not in view.client_ids]
    record.audience_clients = [value for value in record.audience if value in view.client_ids]
    if record.audience and strangers:
        record.audience_problem = (f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not app "
                                   f"client(s) of pool {parsed.pool_id}: tokens of real clients carry other IDs")


def _repaired(issuer: str | None) -> str:
    """The issuer with the usual slips undone (a trailing slash, http): to tell which pool it meant."""
    text = (issuer or "").strip().rstrip("/")
    return "https://" + text[len("http://"):] if text.startswith("http://") else text


def _route(base: dict[str, Any], route: dict[str, Any], authorizers: dict[str, AuthorizerFacts], lookups: Lookups,
           deployed: list[str] | None, authorizers_read: bool) -> MethodFacts:
    verb, path = route_parts(str(route.get("RouteKey", "")))
    authorization = route.get("AuthorizationType") or "NONE"
    authorizer = authorizers.get(str(route.get("AuthorizerId"))) if authorization in ("JWT", "CUSTOM") else None
    scopes = sorted(route.get("AuthorizationScopes") or []) if authorization == "JWT" else []
    record = MethodFacts(
        **base, path=path, method=verb, resource_id=route.get("RouteId"), route_key=route.get("RouteKey"),
        authorization=authorization, authorizer_id=authorizer.authorizer_id if authorizer else None,
        authorizer=authorizer.authorizer if authorizer else None,
        authorizer_type=authorizer.type if authorizer else None, scopes=scopes, provider_arns=None,
        token=route_token(authorization, scopes), api_key_required=bool(route.get("ApiKeyRequired")),
        pools=authorizer.pools if authorizer else [], pool_ids=authorizer.pool_ids if authorizer else [],
        stages=deployed, stage_comparison=[], policy_decision="no-policy", policy_by_stage=[],
        custom_scope_checks=[], obtainable_scopes=None, obtainable_required_scopes=None,
        obtainable_scopes_unknown=None, other_protected_methods=0, api_stages=[], api_authorizer_id=None,
        scope_client_id=None,
        unread="; ".join(reason for reason in (
            None if authorizers_read or authorization not in ("JWT", "CUSTOM") else
            "the API's authorizers could not be read (apigateway:GET, GetAuthorizers): which authorizer guards the "
            "route is unknown",
            None if deployed is not None else "the API's stages could not be read (apigateway:GET, GetStages): which "
            "stages serve the route is unknown") if reason) or None,
    )
    if authorizer and authorizer.type == "JWT" and scopes:
        _route_scopes(record, authorizer, lookups)
    return record


def _route_scopes(record: MethodFacts, authorizer: AuthorizerFacts, lookups: Lookups) -> None:
    """Scopes the clients in the authorizer's audience can obtain (HTTP003), and the custom scopes' existence."""
    facts = scope_facts(record.scopes, authorizer.pools, lookups.pool_views, authorizer.audience_clients)
    record.custom_scope_checks = facts["custom_scope_checks"]
    if authorizer.audience_clients is None or not authorizer.pools:
        reason = authorizer.audience_unknown or (authorizer.pools[0].reason if authorizer.pools else None)
        record.obtainable_scopes_unknown = reason or "the authorizer's pool could not be read"
        return
    record.obtainable_scopes = facts["obtainable_scopes"]
    record.obtainable_required_scopes = facts["obtainable_required_scopes"]
    record.obtainable_scopes_unknown = facts["obtainable_scopes_unknown"]
    record.scope_client_id = scope_client(authorizer.pools, lookups.pool_views, authorizer.audience_clients)
