"""What every fact builder looks things up in: the pools, what each pool's clients can obtain, functions, roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .cloudfront_routes import CloudFrontView
from .pools import PoolDirectory
from .scopes import (
    defined_scopes,
    flows_to_enable,
    oauth_enabled,
    obtainable_scopes,
    scope_adding_trigger,
    switch_blocked_scopes,
)


@dataclass(frozen=True)
class SwitchedOff:
    """An app client whose AllowedOAuthFlowsUserPoolClient is false keeps these scopes out of its tokens (COG009)."""

    client_id: str
    client_name: str | None
    blocked: frozenset[str]
    flows: tuple[str, ...]  # the flows a fix turns on with the switch


@dataclass(frozen=True)
class PoolView:
    """What methods need to know of a pool that was read: the scopes its clients can obtain, its clients, scopes."""

    obtainable: frozenset[str]
    obtainable_by_client: dict[str, frozenset[str]]
    client_ids: list[str] | None  # None: the clients could not be listed
    oauth_client_ids: list[str]  # the clients with OAuth on (to give a missing scope to)
    defined_scopes: frozenset[str]
    server_identifiers: frozenset[str]
    resource_servers_unknown: bool
    unknown: str | None  # why some of it could not be read
    scopes_added: str | None  # why access tokens may carry scopes no client allows (a V2/V3 pre-token trigger)
    pool_id: str = ""
    has_domain: bool = False
    switched_off: tuple[SwitchedOff, ...] = ()  # clients whose OAuth switch keeps allowed scopes out of tokens


@dataclass(frozen=True)
class Lookups:
    """The snapshot's shared lookups, built once per snapshot."""

    directory: PoolDirectory
    pool_views: dict[str, PoolView]
    functions: dict[str, Any]
    roles: dict[str, Any]
    stage_filter: str | None
    usage: dict[str, Any]  # region -> usage plans and API keys (absent: not read)
    cloudfront: CloudFrontView
    traffic: dict[str, Any]  # region -> CloudWatch figures (absent: not read)
    from_template: bool = False  # a template's snapshot: what it does not hold, no call could have read

    @classmethod
    def of(cls, snapshot: dict[str, Any], stage_filter: str | None) -> Lookups:
        directory = PoolDirectory(snapshot)
        views = {arn: pool_view(pool) for arn, pool in directory.pools.items() if pool.get("status") == "ok"}
        cloudfront = CloudFrontView(snapshot.get("cloudfront"), snapshot.get("domains") or {})
        return cls(directory, views, snapshot.get("functions") or {}, snapshot.get("roles") or {}, stage_filter,
                   snapshot.get("usage") or {}, cloudfront, snapshot.get("traffic") or {},
                   snapshot.get("source_kind") == "template")

    @property
    def account(self) -> str:
        return self.directory.account

    @property
    def partition(self) -> str:
        return self.directory.partition


def pool_view(pool: dict[str, Any]) -> PoolView:
    app_clients = pool.get("clients")
    servers = pool.get("resource_servers")
    unknown = []
    if app_clients is None:
        unknown.append(f"cognito-idp:ListUserPoolClients failed for pool {pool.get('id')}")
    if servers is None:
        unknown.append(f"cognito-idp:ListResourceServers failed for pool {pool.get('id')}")
    unreadable = [str(c.get("ClientId")) for c in app_clients or [] if c.get("unreadable")]
    if unreadable:
        unknown.append(f"cognito-idp:DescribeUserPoolClient failed for {', '.join(unreadable)}")
    by_client = {str(c.get("ClientId")): frozenset(obtainable_scopes(c, pool)) for c in app_clients or []}
    return PoolView(
        obtainable=frozenset().union(*by_client.values()),
        obtainable_by_client=by_client,
        client_ids=[str(c.get("ClientId")) for c in app_clients] if app_clients is not None else None,
        oauth_client_ids=[str(c.get("ClientId")) for c in app_clients or [] if oauth_enabled(c)],
        defined_scopes=frozenset(defined_scopes(servers or [])),
        server_identifiers=frozenset(str(server.get("Identifier")) for server in servers or []),
        resource_servers_unknown=servers is None,
        unknown="; ".join(unknown) or None,
        scopes_added=scope_adding_trigger(pool),
        pool_id=str(pool.get("id")), has_domain=bool(pool.get("domain") or pool.get("custom_domain")),
        switched_off=tuple(
            SwitchedOff(str(c.get("ClientId")), c.get("ClientName"), frozenset(blocked), tuple(flows_to_enable(c)))
            for c in app_clients or [] if (blocked := switch_blocked_scopes(c, pool))),
    )
