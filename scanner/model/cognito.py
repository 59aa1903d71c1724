"""Fact records for user pools (triggers, domain) and their app clients (OAuth settings, sign-in flows)."""

from __future__ import annotations

from typing import Any, cast

from ..schema.facts import ClientFacts, FunctionStatus, PoolFacts
from .lambda_permissions import function_decision, function_unknown
from .pools import pool_issuer
from .scopes import (
    explicit_flows,
    flows_to_enable,
    oauth_enabled,
    oauth_without_switch,
    obtainable_scopes,
    switch_blocked_scopes,
    token_ways,
)

COGNITO_PRINCIPAL = "cognito-idp.amazonaws.com"
CUSTOM_AUTH_TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")


def pre_token_function(pool: dict[str, Any]) -> str | None:
    config = pool.get("lambda_config") or {}
    versioned = config.get("PreTokenGenerationConfig")
    for candidate in ((versioned or {}).get("LambdaArn") if isinstance(versioned, dict) else None,
                      config.get("PreTokenGeneration")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def pool_facts(pool: dict[str, Any], account: str, partition: str, functions: dict[str, Any],
               used_by: list[str]) -> PoolFacts:
    """One record per pool read; `used_by` names the authorizers that reference it."""
    function_arn = pre_token_function(pool)
    function = (functions.get(function_arn) or {}) if function_arn else {}
    status = cast(FunctionStatus | None, function.get("status") if function_arn else None)
    invoke = (function_decision(function, str(function_arn), COGNITO_PRINCIPAL, pool["arn"], account)
              if status == "found" else None)
    config = pool.get("lambda_config") or {}
    return PoolFacts(
        source=pool.get("source"),
        region=str(pool.get("region")), account=account, partition=partition, pool_id=str(pool.get("id")),
        pool_arn=str(pool.get("arn")),
        pool_name=pool.get("name"), domain=pool.get("custom_domain") or pool.get("domain"),
        has_domain=bool(pool.get("domain") or pool.get("custom_domain")),
        issuer=pool_issuer(pool, partition), issuer_type=str(pool.get("issuer_type") or "ORIGINAL"),
        pre_token_function=function_arn, pre_token_function_status=status,
        pre_token_function_unknown=_function_unknown(function_arn, function),
        pre_token_invoke=cast(Any, invoke.outcome) if invoke else None,
        pre_token_invoke_reason=invoke.reason if invoke else None,
        custom_auth_triggers=[name for name in CUSTOM_AUTH_TRIGGERS if config.get(name)],
        used_by_authorizers=used_by,
    )


def _function_unknown(function_arn: str | None, function: dict[str, Any]) -> str | None:
    if not function_arn:
        return None
    if function.get("status") == "malformed":
        return f"{function_arn!r} is not a Lambda function ARN"
    return function_unknown(function_arn, function)


def client_facts(app_client: dict[str, Any], pool: dict[str, Any], pool_record: PoolFacts) -> ClientFacts:
    """One record per app client; `pool_record` is the pool's fact record."""
    enabled = oauth_enabled(app_client)
    flows = sorted(app_client.get("AllowedOAuthFlows") or []) if enabled else []
    explicit = explicit_flows(app_client)
    ways = token_ways(app_client, pool)
    return ClientFacts(
        source=app_client.get("source"),
        region=pool_record.region, account=pool_record.account, partition=pool_record.partition,
        pool_id=pool_record.pool_id,
        pool_has_domain=pool_record.has_domain, client_id=str(app_client.get("ClientId")),
        client_name=app_client.get("ClientName"), unreadable=app_client.get("unreadable"),
        oauth_enabled=enabled, oauth_flows=flows,
        browser_flows=[flow for flow in flows if flow in ("code", "implicit")],
        allowed_scopes=sorted(app_client.get("AllowedOAuthScopes") or []),
        obtainable_scopes=sorted(obtainable_scopes(app_client, pool)),
        callback_urls=sorted(app_client.get("CallbackURLs") or []),
        logout_urls=sorted(app_client.get("LogoutURLs") or []),
        has_secret=bool(app_client.get("HasClientSecret")), explicit_auth_flows=explicit,
        oauth_switch=bool(app_client.get("AllowedOAuthFlowsUserPoolClient")),
        oauth_without_switch=oauth_without_switch(app_client), oauth_flows_to_enable=flows_to_enable(app_client),
        switch_blocked_scopes=sorted(switch_blocked_scopes(app_client, pool)),
        identity_providers=sorted(app_client.get("SupportedIdentityProviders") or []),
        used_by_authorizers=pool_record.used_by_authorizers,
        token_ways=ways, sign_in_problem=_sign_in_problem(ways, explicit, enabled, pool_record),
    )


def _sign_in_problem(ways: list[str], explicit: list[str], oauth: bool, pool_record: PoolFacts) -> str | None:
    """Why the callers of an authorizer cannot get a token from this client, or None."""
    if not ways:
        allowed = ", ".join(explicit) or "none"
        why = "OAuth flows off" if not oauth else "OAuth on but the pool has no domain"
        return (f"no sign-in flow is allowed (explicit auth flows: {allowed}; {why}): "
                "no caller can get a token from this client")
    if pool_record.custom_auth_triggers and "ALLOW_CUSTOM_AUTH" not in explicit:
        triggers = ", ".join(pool_record.custom_auth_triggers)
        return f"the pool has custom-auth triggers ({triggers}) but the client does not allow ALLOW_CUSTOM_AUTH"
    return None
