"""Which OAuth scopes a pool defines, and which an app client can actually put into an access token."""

from __future__ import annotations

from typing import Any

BUILTIN_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# Sign-in through the user-pool API (not the hosted UI) issues access tokens with the admin scope only.
API_SIGN_IN_FLOWS = frozenset({
    "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_AUTH_FLOW_ONLY",
})


def defined_scopes(resource_servers: list[dict[str, Any]]) -> set[str]:
    """Full names (`identifier/scope`) of the custom scopes a pool's resource servers define."""
    return {f"{server.get('Identifier')}/{scope}" for server in resource_servers
            for scope in server.get("Scopes") or []}


def is_scope_defined(scope: str, resource_servers: list[dict[str, Any]]) -> bool:
    return scope in BUILTIN_SCOPES or scope in defined_scopes(resource_servers)


def oauth_enabled(app_client: dict[str, Any]) -> bool:
    """The client may use the OAuth endpoints: the switch is on and at least one flow is allowed."""
    return bool(app_client.get("AllowedOAuthFlowsUserPoolClient")) and bool(app_client.get("AllowedOAuthFlows"))


def obtainable_scopes(app_client: dict[str, Any], pool: dict[str, Any]) -> set[str]:
    """Scopes this client can get into an access token.

    OAuth scopes need OAuth enabled on the client, a domain on the pool (no domain, no /oauth2/token) and,
    for custom scopes, a resource server that still defines them. Sign-in through the API gives the admin scope.
    """
    scopes: set[str] = set()
    if oauth_enabled(app_client) and (pool.get("domain") or pool.get("custom_domain")):
        servers = pool.get("resource_servers") or []
        scopes |= {scope for scope in app_client.get("AllowedOAuthScopes") or [] if is_scope_defined(scope, servers)}
    if API_SIGN_IN_FLOWS & set(app_client.get("ExplicitAuthFlows") or []):
        scopes.add(ADMIN_SCOPE)
    return scopes
