"""Which OAuth scopes a pool defines, how an app client can get a token at all, and which scopes it can put into an
access token (botocore's cognito-idp model: UserPoolClientType.ExplicitAuthFlows, GetClientToken)."""

from __future__ import annotations

from typing import Any

BUILTIN_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# Sign-in through the user-pool API (not the hosted UI) issues access tokens with the admin scope only.
API_SIGN_IN_FLOWS = frozenset({
    "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
})
# "If you don't specify a value for ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH,
# ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH" (UserPoolClientType.ExplicitAuthFlows).
DEFAULT_EXPLICIT_FLOWS = ("ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH")
# Machine-to-machine without the OAuth endpoints: GetClientToken (client ID and secret), and token exchange
# (GetDerivedToken): access tokens with the client's allowed scopes.
CLIENT_TOKEN_FLOWS = frozenset({"ALLOW_CLIENT_TOKEN_AUTH", "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
                                "ALLOW_TOKEN_EXCHANGE_DELEGATION"})


def defined_scopes(resource_servers: list[dict[str, Any]]) -> set[str]:
    """Full names (`identifier/scope`) of the custom scopes a pool's resource servers define."""
    return {f"{server.get('Identifier')}/{scope}" for server in resource_servers
            for scope in server.get("Scopes") or []}


def is_scope_defined(scope: str, resource_servers: list[dict[str, Any]]) -> bool:
    return scope in BUILTIN_SCOPES or scope in defined_scopes(resource_servers)


def oauth_enabled(app_client: dict[str, Any]) -> bool:
    """The client may use the OAuth endpoints: the switch is on and at least one flow is allowed."""
    return bool(app_client.get("AllowedOAuthFlowsUserPoolClient")) and bool(app_client.get("AllowedOAuthFlows"))


def explicit_flows(app_client: dict[str, Any]) -> list[str]:
    """The client's explicit auth flows; those Cognito applies when none is set (the documented default)."""
    return sorted(app_client.get("ExplicitAuthFlows") or DEFAULT_EXPLICIT_FLOWS)


def token_ways(app_client: dict[str, Any], pool: dict[str, Any]) -> list[str]:
    """How a caller can get a token from this client, in words; empty when there is no way."""
    ways = []
    flows = set(explicit_flows(app_client))
    if API_SIGN_IN_FLOWS & flows:
        ways.append("user sign-in through the API (" + ", ".join(sorted(API_SIGN_IN_FLOWS & flows)) + ")")
    if oauth_enabled(app_client) and (pool.get("domain") or pool.get("custom_domain")):
        ways += [f"the OAuth {flow} flow" for flow in sorted(app_client.get("AllowedOAuthFlows") or [])]
    if CLIENT_TOKEN_FLOWS & flows and (app_client.get("HasClientSecret") or "ALLOW_CLIENT_TOKEN_AUTH" not in flows):
        ways += sorted(CLIENT_TOKEN_FLOWS & flows)
    return ways


def obtainable_scopes(app_client: dict[str, Any], pool: dict[str, Any]) -> set[str]:
    """Scopes this client can get into an access token.

    OAuth scopes need OAuth enabled on the client, a domain on the pool (no domain, no /oauth2/token) and,
    for custom scopes, a resource server that still defines them; the client-token and token-exchange flows
    issue the client's allowed scopes without the OAuth endpoints. Sign-in through the API gives the admin scope.
    """
    scopes: set[str] = set()
    servers = pool.get("resource_servers") or []
    allowed = {scope for scope in app_client.get("AllowedOAuthScopes") or [] if is_scope_defined(scope, servers)}
    flows = set(explicit_flows(app_client))
    if oauth_enabled(app_client) and (pool.get("domain") or pool.get("custom_domain")):
        scopes |= allowed
    if CLIENT_TOKEN_FLOWS & flows:
        scopes |= allowed
    if API_SIGN_IN_FLOWS & flows:
        scopes.add(ADMIN_SCOPE)
    return scopes


def oauth_without_switch(app_client: dict[str, Any]) -> list[str]:
    """What an app client sets for the OAuth endpoints while AllowedOAuthFlowsUserPoolClient is false, in words
    (COG009): "This parameter must have a value of true before you can configure … AllowedOAuthScopes …
    AllowedOAuthFlows" (cognito-idp model, UserPoolClientType.AllowedOAuthFlowsUserPoolClient). Scopes that the
    client-token or token-exchange flows issue without the OAuth endpoints are not counted."""
    if app_client.get("AllowedOAuthFlowsUserPoolClient") or app_client.get("unreadable"):
        return []
    settings = []
    flows = sorted(str(flow) for flow in app_client.get("AllowedOAuthFlows") or [])
    if flows:
        settings.append(f"AllowedOAuthFlows [{', '.join(flows)}]")
    scopes = sorted(str(scope) for scope in app_client.get("AllowedOAuthScopes") or [])
    if scopes and not CLIENT_TOKEN_FLOWS & set(explicit_flows(app_client)):
        settings.append(f"AllowedOAuthScopes [{', '.join(scopes)}]")
    return settings


def flows_to_enable(app_client: dict[str, Any]) -> list[str]:
    """The OAuth flows a fix turns on with the switch: the client's own; with none, client_credentials for a client
    with a secret (a machine), else the code flow."""
    flows = sorted(str(flow) for flow in app_client.get("AllowedOAuthFlows") or [])
    return flows or (["client_credentials"] if app_client.get("HasClientSecret") else ["code"])


def switch_blocked_scopes(app_client: dict[str, Any], pool: dict[str, Any]) -> set[str]:
    """The scopes the client allows but cannot put into a token only because AllowedOAuthFlowsUserPoolClient is false
    (its flows switched on; a pool without a domain counted as having one: COG001 says that part)."""
    if not oauth_without_switch(app_client):
        return set()
    switched = {**app_client, "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": flows_to_enable(app_client)}
    with_domain = {**pool, "domain": pool.get("domain") or pool.get("custom_domain") or "assumed"}
    return obtainable_scopes(switched, with_domain) - obtainable_scopes(app_client, pool)


def scope_adding_trigger(pool: dict[str, Any]) -> str | None:
    """Why the pool's access tokens may carry scopes no client allows: a V2_0/V3_0 pre-token-generation trigger can
    add them (`scopesToAdd`), and what it adds cannot be read from configuration."""
    versioned = (pool.get("lambda_config") or {}).get("PreTokenGenerationConfig")
    version = versioned.get("LambdaVersion") if isinstance(versioned, dict) else None
    if version in ("V2_0", "V3_0"):
        return (f"pool {pool.get('id')}'s pre-token-generation trigger ({version}) can add scopes to access tokens "
                "(scopesToAdd): which ones cannot be read from configuration")
    return None
