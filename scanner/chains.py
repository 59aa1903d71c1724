"""Each API's chain as the report shows it: methods → authorizers → user pools → app clients, with the scopes each
client can obtain. The join no other tool shows; the HTML report draws it, JSON carries it (`chains`)."""

from __future__ import annotations

from typing import Any

_POOL_ENTRY_FIELDS = ("pool_id", "arn", "region", "status", "reason")


def api_chains(facts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per API with an authorizer: its authorizers (each with the pools it names) and those pools (each
    with its app clients). A client that could not be read has `obtainable_scopes` null, never []."""
    pools = {(record.get("account"), record["region"], record["pool_id"]): record for record in facts.get("pool", [])}
    clients: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for record in facts.get("client", []):
        clients.setdefault((record.get("account"), record["region"], record["pool_id"]), []).append(record)
    chains: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in sorted(facts.get("authorizer", []), key=lambda r: (str(r.get("api_name")), str(r.get("authorizer")))):
        key = (record.get("account"), record["region"], record["api_id"])
        chain = chains.setdefault(key, {"account": record.get("account"), "region": record["region"],
                                        "api_id": record["api_id"], "api_name": record.get("api_name"),
                                        "api_type": record.get("api_type"), "authorizers": [], "pools": []})
        entries = [{field: entry.get(field) for field in _POOL_ENTRY_FIELDS} for entry in record.get("pools") or []]
        chain["authorizers"].append({"name": record.get("authorizer"), "type": record.get("type"), "pools": entries})
        for entry in entries:
            pool_key = (record.get("account"), entry.get("region") or record["region"], entry.get("pool_id"))
            if entry["pool_id"] is None or any(p["pool_id"] == entry["pool_id"] for p in chain["pools"]):
                continue
            pool = pools.get(pool_key)
            chain["pools"].append({
                "pool_id": entry["pool_id"], "pool_name": pool.get("pool_name") if pool else None,
                "status": entry["status"], "read": pool is not None,
                "clients": [_client(client) for client in sorted(clients.get(pool_key, []),
                                                                  key=lambda c: str(c.get("client_name")))]})
    return sorted(chains.values(), key=lambda c: (str(c["account"]), str(c["region"]), str(c["api_name"]),
                                                  str(c["api_id"])))


def _client(record: dict[str, Any]) -> dict[str, Any]:
    unread = bool(record.get("unreadable"))
    return {"client_id": record["client_id"], "client_name": record.get("client_name"),
            "obtainable_scopes": None if unread else list(record.get("obtainable_scopes") or []),
            "token_ways": None if unread else list(record.get("token_ways") or [])}
