"""Facts of JWT authorizers (HTTP APIs; REST APIs with authorizer type JWT): each trusted issuer and its audience.

API Gateway compares a token's iss with the issuer exactly, and its aud (or, when it has none, its client_id
— HTTP APIs) with the audience; it does not look at token_use (AWS, "Troubleshooting HTTP API JWT authorizers").
For REST APIs AWS's documents do not settle a token without aud (REST_ACCESS_TOKEN_AUD).
"""

from __future__ import annotations

from typing import Any

from ..arns import (
    cognito_issuer_problem,
    issuer_shape_problem,
    parse_cognito_issuer,
    pool_arn,
    unresolved_part,
    unresolved_reason,
)
from ..schema.facts import ISSUER_TO_FILL_IN, AuthorizerFacts, JwtIssuer, MethodFacts, PoolEntry
from .api_common import scope_client
from .jwt_claims import claim_rules, judge_claims
from .lookups import Lookups
from .method_scopes import scope_facts

# A Cognito access token (the only Cognito token that carries scopes) has no aud claim, only client_id. For HTTP APIs
# AWS documents the fallback ("API Gateway validates client_id only if aud is not present", "Troubleshooting HTTP API
# JWT authorizers"); for REST APIs the two documents disagree, so the answer is unknown.
REST_ACCESS_TOKEN_AUD = (
    "a Cognito access token has no aud claim (only client_id), and AWS's documents disagree on whether a REST API JWT "
    "authorizer accepts it: the API reference (JwtIssuerInput, audiences) says \"The token's aud claim must contain at "
    "least one of these values\", while the guide \"Control access to REST APIs using JWT authorizers\" "
    "(https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer.html) names Cognito user "
    "pools as issuers and lets each method require scopes, which only access tokens carry, and documents no "
    "client_id fallback; a test request with an access token decides it")


# The algorithms each kind of JWT authorizer accepts: HTTP APIs "Currently only RSA-based algorithms are supported"
# ("Control access to HTTP APIs with JWT authorizers"); REST APIs their defaultAlgorithms. Cognito signs with RS256.
HTTP_JWT_ALGORITHMS = ("RS256", "RS384", "RS512")
COGNITO_ALGORITHM = "RS256"
Issuer = tuple[Any, Any, Any]  # (issuer, audience, additional claim rules as AWS returns them)


def add_jwt_facts(record: AuthorizerFacts, issuers: list[Issuer], lookups: Lookups,
                  algorithms: list[str] | None) -> None:
    """Fills in a JWT authorizer record from its issuers and the algorithms it accepts (None: not read)."""
    record.jwt_algorithms = algorithms
    record.jwt_issuers = [jwt_issuer(issuer, audience, lookups, claims, algorithms)
                          for issuer, audience, claims in issuers]
    record.pools = [item.pool for item in record.jwt_issuers if item.pool is not None]
    record.pool_ids = sorted({pool.pool_id for pool in record.pools if pool.pool_id})
    record.external_issuers = [str(item.issuer) for item in record.jwt_issuers if not item.cognito and item.issuer]
    if not record.jwt_issuers:
        record.jwt_issuers = [JwtIssuer(issuer=None, audiences=[], cognito=False, pool=None,
                                        issuer_problem="the authorizer trusts no issuer: every token is rejected",
                                        expected_issuer=None, audience_problem=None, audience_unknown=None,
                                        audience_clients=None)]


def audience_clients(record: AuthorizerFacts) -> list[str] | None:
    """The app clients whose tokens the authorizer lets through; None when a Cognito audience could not be judged."""
    clients: list[str] = []
    for item in record.jwt_issuers:
        if item.cognito:
            if item.audience_clients is None:
                return None
            clients += item.audience_clients
    return sorted(set(clients))


def jwt_issuer(issuer: Any, audience: Any, lookups: Lookups, claims: Any = None,
               algorithms: list[str] | None = None) -> JwtIssuer:
    text = issuer if isinstance(issuer, str) else None
    audiences = sorted(str(value) for value in audience or [] if isinstance(value, str))
    why = unresolved_reason(text) or unresolved_part(text)
    if why is not None:  # a template leaves (part of) the issuer to deployment: the pool is undecided
        pool = PoolEntry(arn=None, pool_id=None, region=None, account=None, issuer=None, stage=None,
                         status="unreadable", reason=why)
        item = JwtIssuer(issuer=None, audiences=audiences, cognito=True, pool=pool,
                         issuer_problem=issuer_shape_problem(text), expected_issuer=None, audience_problem=None,
                         audience_unknown=why, audience_clients=None)
    else:
        unresolved_audience = next((unresolved_reason(value) for value in audiences if unresolved_reason(value)),
                                   None)
        item = _jwt_issuer(text, audiences, lookups)
        if unresolved_audience is not None:  # ...or the audience: the issuer is still judged
            item.audience_problem, item.audience_clients, item.audience_unknown = None, None, unresolved_audience
    item.additional_claims = claim_rules(claims)
    view = lookups.pool_views.get(str(item.pool.arn)) if item.pool and item.pool.status == "present" else None
    judge_claims(item, view)
    if item.cognito and item.issuer and algorithms is not None and COGNITO_ALGORITHM not in algorithms \
            and not item.issuer_problem:
        item.issuer_problem = (f"Cognito signs its tokens with {COGNITO_ALGORITHM}, which the authorizer's "
                               f"defaultAlgorithms ({', '.join(algorithms) or 'none'}) do not allow")
    item.token_problem = "; ".join(part for part in (item.audience_problem, item.claims_problem) if part) or None
    item.issuer_to_set = item.expected_issuer or ISSUER_TO_FILL_IN
    return item


def _jwt_issuer(text: str | None, audiences: list[str], lookups: Lookups) -> JwtIssuer:
    parsed = parse_cognito_issuer(text) or parse_cognito_issuer(_repaired(text))
    item = JwtIssuer(issuer=text, audiences=audiences, cognito=parsed is not None or "cognito-idp" in (text or ""),
                     pool=None, issuer_problem=cognito_issuer_problem(text), expected_issuer=None,
                     audience_problem=None if audiences else "the audience is empty: every token is rejected",
                     audience_unknown=None, audience_clients=None)
    if not parsed:
        return item
    directory = lookups.directory
    entry = directory.status(pool_arn(directory.partition, parsed.region, directory.account, parsed.pool_id))
    if entry.status == "missing":
        entry.reason = (f"no user pool {parsed.pool_id} in account {directory.account} ({parsed.region}); a JWT "
                        "issuer does not name an account, so if the pool lives in another account, scan that "
                        "account too")
    if entry.status in ("missing", "malformed"):
        item.issuer_problem = entry.reason
    if entry.status == "present":
        item.expected_issuer = entry.issuer
        if not item.issuer_problem and text != entry.issuer:
            item.issuer_problem = (f"pool {parsed.pool_id} issues tokens with iss {entry.issuer} (its "
                                   f"IssuerConfiguration is {entry.issuer_type}), not {text}")
    item.pool = entry
    view = lookups.pool_views.get(str(entry.arn)) if entry.status == "present" else None
    if view is None or view.client_ids is None:
        item.audience_unknown = (view.unknown if view else None) or entry.reason or "the pool could not be read"
        return item
    strangers = [value for value in audiences if value not in view.client_ids]
    item.audience_clients = [value for value in audiences if value in view.client_ids]
    if audiences and strangers:
        item.audience_problem = (f"{', '.join(strangers)} {'is' if len(strangers) == 1 else 'are'} not app "
                                 f"client(s) of pool {parsed.pool_id}: tokens of real clients carry other IDs")
    return item


def _repaired(issuer: str | None) -> str:
    """The issuer with the usual slips undone (a trailing slash, http): to tell which pool it meant."""
    text = (issuer or "").strip().rstrip("/")
    return "https://" + text[len("http://"):] if text.startswith("http://") else text


def add_jwt_scope_facts(record: MethodFacts, authorizer: AuthorizerFacts, lookups: Lookups) -> None:
    """Scopes the clients in the audience can obtain (HTTP003), and the custom scopes' existence."""
    clients = audience_clients(authorizer)
    facts = scope_facts(record.scopes, authorizer.pools, lookups.pool_views, clients)
    record.custom_scope_checks = facts["custom_scope_checks"]
    if authorizer.external_issuers or not authorizer.jwt_issuers:
        return  # an external identity provider may issue any scope: nothing to judge against Cognito's clients
    if clients is None or not authorizer.pools:
        reason = next((item.audience_unknown for item in authorizer.jwt_issuers if item.audience_unknown),
                      authorizer.pools[0].reason if authorizer.pools else None)
        record.obtainable_scopes_unknown = reason or "the authorizer's pool could not be read"
        return
    record.obtainable_scopes = facts["obtainable_scopes"]
    record.obtainable_required_scopes = facts["obtainable_required_scopes"]
    record.obtainable_scopes_unknown = facts["obtainable_scopes_unknown"]
    if record.api_type == "REST" and record.obtainable_required_scopes:
        # A client can get a scope into an access token, but whether that token passes the aud check is unknown.
        record.obtainable_required_scopes, record.obtainable_scopes_unknown = None, REST_ACCESS_TOKEN_AUD
    record.unobtainable_reason = facts["unobtainable_reason"]
    record.switched_off_scope_clients = facts["switched_off_scope_clients"]
    record.scope_client_id = scope_client(authorizer.pools, lookups.pool_views, clients)
