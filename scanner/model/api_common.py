"""What REST and HTTP API fact builders share: the fields every record starts with, and choices made for fixes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..arns import unresolved_reason
from ..schema.facts import ApiFacts, AuthorizerFacts, MethodFacts, PoolEntry
from .lookups import Lookups, PoolView

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


def token_for(authorization: str, scopes: list[str]) -> str:
    """What a caller must send: id, access, id-or-access (JWT without scopes), lambda, iam or none."""
    if authorization == "COGNITO_USER_POOLS":
        return "access" if scopes else "id"
    if authorization == "JWT":
        return "access" if scopes else "id-or-access"
    return {"AWS_IAM": "iam", "CUSTOM": "lambda"}.get(authorization, "none")


def credential_headers(authorization: str, authorizer: AuthorizerFacts | None, api_key_required: bool) -> list[str]:
    """The request headers a caller's credentials travel in: what a proxy in front of the API must pass on."""
    headers: list[str] = []
    if authorization in ("COGNITO_USER_POOLS", "JWT", "CUSTOM"):
        headers += (authorizer.identity_headers if authorizer else []) or \
            (["Authorization"] if authorization != "CUSTOM" else [])
    elif authorization == "AWS_IAM":
        headers.append("Authorization")
    if api_key_required:
        headers.append("x-api-key")
    return headers


def add_cloudfront_facts(record: MethodFacts, lookups: Lookups) -> None:
    """The CloudFront behaviours in front of the method; when CloudFront could not be read, the method is unread."""
    view = lookups.cloudfront
    if view.unknown:
        record.cloudfront_unknown = view.unknown
        record.unread = "; ".join(filter(None, [record.unread, view.unknown]))
        return
    record.cloudfront_routes = view.routes(record.region, record.api_id, record.api_type, record.path, record.method,
                                           record.stages or [], record.credential_headers, record.authorization)


def catch_all(method: MethodFacts) -> bool:
    """An ANY method, or a greedy ({proxy+}) or $default path: one record for many requests."""
    return method.method == "ANY" or "+}" in method.path or method.path == "$default"


def add_cache_sharing_facts(authorizer: AuthorizerFacts, using: list[MethodFacts], methods_read: bool) -> None:
    """Which methods one cached answer of a Lambda authorizer is reused for (LAM004)."""
    if authorizer.type not in ("TOKEN", "REQUEST"):
        return
    authorizer.methods_sharing_cache = [f"{m.method} {m.path}" for m in using] if methods_read else None
    authorizer.catch_all_methods = [f"{m.method} {m.path}" for m in using if catch_all(m)]


def is_protected(authorization: str, api_key_required: Any = False) -> int:
    """1 when a method (or route) requires authorization or an API key, as far as is known; an authorization a
    template or configuration leaves unresolved is not counted."""
    return int(bool(api_key_required is True or (authorization != "NONE" and not unresolved_reason(authorization))))


def unread_reasons(authorizers_read: bool, authorization: str, stages_read: bool, what: str,
                   authorizer_named: Any = None, authorizer_found: bool = True) -> str | None:
    """What of a method's configuration could not be read (its verdict is then at best unknown). A template or a
    Terraform configuration may leave the authorization type, or the authorizer an authorized method names
    (`authorizer_named`, not among the API's: `authorizer_found` false), to deployment."""
    reasons = []
    unresolved = unresolved_reason(authorization)  # a template's or configuration's value known only later
    if unresolved:
        reasons.append(f"the {what}'s authorization type is not known ({unresolved})")
    if authorizers_read and not authorizer_found and authorization in ("COGNITO_USER_POOLS", "CUSTOM", "JWT"):
        why = unresolved_reason(authorizer_named)
        reasons.append(f"the {what}'s authorizer is not known ({why})" if why else
                       f"the {what}'s authorizer ({authorizer_named}) is none of the API's authorizers"
                       if authorizer_named else f"which authorizer the {what} names is not known (none the template "
                                                "or configuration decides)")
    if not authorizers_read and authorization in ("COGNITO_USER_POOLS", "CUSTOM", "JWT"):
        reasons.append("the API's authorizers could not be read (apigateway:GET, GetAuthorizers): which authorizer "
                       f"guards the {what} is unknown")
    if not stages_read:
        reasons.append(f"the API's stages could not be read (apigateway:GET, GetStages): which stages serve the "
                       f"{what} is unknown")
    return "; ".join(reasons) or None
