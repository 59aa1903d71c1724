"""The scope facts of a method or route: what its pools' app clients can obtain, and which custom scopes exist."""

from __future__ import annotations

from typing import Any

from ..schema.facts import PoolEntry, ScopeCheck, SwitchedOffClient
from .lookups import PoolView
from .scopes import BUILTIN_SCOPES


def scope_facts(scopes: list[str], pools: list[PoolEntry], pool_views: dict[str, PoolView],
                clients: list[str] | None = None) -> dict[str, Any]:
    """obtainable_scopes, obtainable_required_scopes (None when undecided, and why), custom_scope_checks, and when
    none is obtainable, why (unobtainable_reason; switched_off_scope_clients).

    `clients` narrows who counts (a JWT authorizer lets through only its audience); None: every client."""
    facts: dict[str, Any] = {"obtainable_scopes": None, "obtainable_required_scopes": None,
                             "obtainable_scopes_unknown": None, "custom_scope_checks": [],
                             "unobtainable_reason": None, "switched_off_scope_clients": []}
    if not scopes or not pools:
        return facts
    present = [pool_views[str(pool.arn)] for pool in pools if pool.status == "present" and pool.arn in pool_views]
    blind = [pool for pool in pools if pool.status in ("unreadable", "elsewhere")]
    unknown = [view.unknown for view in present if view.unknown] + [pool.reason for pool in blind] + [
        view.scopes_added for view in present if view.scopes_added]
    if present:
        obtainable = sorted(frozenset().union(*(
            scopes_of for view in present for client, scopes_of in view.obtainable_by_client.items()
            if clients is None or client in clients)))
        facts["obtainable_scopes"] = obtainable
        facts["obtainable_required_scopes"] = sorted(set(scopes) & set(obtainable))
    if unknown and not facts["obtainable_required_scopes"]:  # what could not be read might grant it
        facts["obtainable_required_scopes"] = None
        facts["obtainable_scopes_unknown"] = "; ".join(unknown)
    if facts["obtainable_required_scopes"] == []:
        facts["switched_off_scope_clients"] = _switched_off(scopes, present, clients)
        facts["unobtainable_reason"] = _unobtainable_reason(facts["switched_off_scope_clients"], present)
    servers_unknown = [str(view.unknown) for view in present if view.resource_servers_unknown]
    undecidable = bool(servers_unknown or blind or not present)
    for scope in scopes:
        server, _, name = scope.rpartition("/")
        if scope in BUILTIN_SCOPES or not server or not name:
            continue  # only custom scopes (RESOURCE_SERVER/NAME) live on resource servers
        defined = any(scope in view.defined_scopes for view in present)
        facts["custom_scope_checks"].append(ScopeCheck(
            scope=scope, server=server, name=name,
            defined=True if defined else (None if undecidable else False),
            server_exists=True if any(server in view.server_identifiers for view in present)
            else (None if undecidable else False),
            pool_id=next((pool.pool_id for pool in pools if pool.status == "present"), None),
            reason="; ".join(servers_unknown + [pool.reason for pool in blind]) or None,
        ))
    return facts


def _switched_off(scopes: list[str], present: list[PoolView], clients: list[str] | None) -> list[SwitchedOffClient]:
    """The clients (of `clients`, when given) that allow one of the scopes but keep it out of their tokens only
    because their AllowedOAuthFlowsUserPoolClient is false."""
    return [SwitchedOffClient(pool_id=view.pool_id, client_id=entry.client_id, client_name=entry.client_name,
                              scopes=sorted(entry.blocked & set(scopes)), flows_to_enable=list(entry.flows))
            for view in present for entry in view.switched_off
            if entry.blocked & set(scopes) and (clients is None or entry.client_id in clients)]


def _unobtainable_reason(switched_off: list[SwitchedOffClient], present: list[PoolView]) -> str:
    if not switched_off:
        return "no app client both allows one of them and has a flow that puts it into a token"
    domainless = {view.pool_id for view in present if not view.has_domain}
    reasons = []
    for client in switched_off:
        reason = (f"app client {client.client_name or client.client_id} ({client.client_id}) allows "
                  f"{', '.join(client.scopes)} but has AllowedOAuthFlowsUserPoolClient false (COG009): it cannot use "
                  "the OAuth endpoints")
        if client.pool_id in domainless:
            reason += f", and pool {client.pool_id} has no domain (COG001, once OAuth is on)"
        reasons.append(reason)
    return "; ".join(reasons)
