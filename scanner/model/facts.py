"""Joins a snapshot into fact records (methods, APIs, authorizers, pools, clients): every fact computed once, here."""

from __future__ import annotations

from typing import Any

from .cognito import client_facts, pool_facts
from .http import http_api_facts
from .pools import PoolDirectory
from .rest import rest_api_facts
from .scopes import defined_scopes, obtainable_scopes

KINDS = ("methods", "apis", "authorizers", "pools", "clients")


def build_facts(snapshot: dict[str, Any], stage_filter: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """All fact records of a snapshot (in the shape normalize_snapshot gives), grouped by kind."""
    directory = PoolDirectory(snapshot)
    pool_views = {arn: _pool_view(pool) for arn, pool in directory.pools.items() if pool.get("status") == "ok"}
    functions = snapshot.get("functions") or {}
    roles = snapshot.get("roles") or {}
    facts: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for key, api_facts in (("rest_apis", rest_api_facts), ("http_apis", http_api_facts)):
        for api in snapshot.get(key) or []:  # normalized: each a dict with an id
            for kind, records in api_facts(api, directory, pool_views, functions, roles, stage_filter).items():
                facts[kind].extend(records)
    used_by: dict[str, list[str]] = {}
    for authorizer in facts["authorizers"]:
        for pool in authorizer["pools"]:
            used_by.setdefault(pool["arn"], []).append(f"{authorizer['api_name']}/{authorizer['authorizer']}")
    for pool in directory.pools.values():
        if pool.get("status") != "ok" or pool.get("referenced_only"):
            continue
        record = pool_facts(pool, directory.account, functions, sorted(set(used_by.get(pool["arn"], []))))
        facts["pools"].append(record)
        for app_client in pool.get("clients") or []:
            facts["clients"].append(client_facts(app_client, pool, record))
    return facts


def _pool_view(pool: dict[str, Any]) -> dict[str, Any]:
    """What methods need to know of a pool: the scopes its clients can obtain, its client IDs, its scopes."""
    app_clients = pool.get("clients")
    servers = pool.get("resource_servers")
    unknown = []
    if app_clients is None:
        unknown.append(f"cognito-idp:ListUserPoolClients failed for pool {pool.get('id')}")
    if servers is None:
        unknown.append(f"cognito-idp:ListResourceServers failed for pool {pool.get('id')}")
    unreadable = [c.get("ClientId") for c in app_clients or [] if c.get("unreadable")]
    if unreadable:
        unknown.append(f"cognito-idp:DescribeUserPoolClient failed for {', '.join(unreadable)}")
    by_client = {str(c.get("ClientId")): obtainable_scopes(c, pool) for c in app_clients or []}
    return {
        "obtainable": set().union(*by_client.values()),
        "obtainable_by_client": by_client,
        "client_ids": [c.get("ClientId") for c in app_clients] if app_clients is not None else None,
        "defined_scopes": defined_scopes(servers or []),
        "resource_servers_unknown": servers is None,
        "unknown": "; ".join(unknown) or None,
    }
