"""Joins a snapshot into fact records (methods, APIs, authorizers, pools, clients, endpoints, and what a stage serves
where it differs from the live API): every fact computed once, here."""

from __future__ import annotations

from typing import Any

from ..schema.facts import KINDS, SERVED_METHODS, Facts, as_record
from .cognito import client_facts, pool_facts
from .endpoints import endpoint_facts
from .http import http_api_facts
from .lookups import Lookups
from .rest import rest_api_facts


def build_facts(snapshot: dict[str, Any], stage_filter: str | None = None) -> Facts:
    """All fact records of a snapshot (in the shape normalize_snapshot gives), grouped by kind, as rules read them."""
    lookups = Lookups.of(snapshot, stage_filter)
    records: dict[str, list[Any]] = {kind: [] for kind in (*KINDS, SERVED_METHODS)}
    for key, api_facts in (("rest_apis", rest_api_facts), ("http_apis", http_api_facts)):
        for api in snapshot.get(key) or []:  # normalized: each a dict with an id
            apis, authorizers, methods = api_facts(api, lookups)
            records["api"] += apis
            records["authorizer"] += authorizers
            records["method"] += [method for method in methods if method.serving_stage is None]
            records[SERVED_METHODS] += [method for method in methods if method.serving_stage is not None]
    used_by: dict[str, list[str]] = {}
    for authorizer in records["authorizer"]:
        for pool in authorizer.pools:
            used_by.setdefault(str(pool.arn), []).append(f"{authorizer.api_name}/{authorizer.authorizer}")
    for pool in lookups.directory.pools.values():
        if pool.get("status") != "ok" or pool.get("referenced_only") or pool.get("replica_of"):
            continue  # pools of other regions, and replicas, are audited with their own region's primary
        used = sorted(set(used_by.get(pool["arn"], [])))
        record = pool_facts(pool, lookups.account, lookups.partition, lookups.functions, used)
        records["pool"].append(record)
        for app_client in pool.get("clients") or []:
            records["client"].append(client_facts(app_client, pool, record))
    records["endpoint"] = endpoint_facts(snapshot, lookups.account, lookups.partition)
    return {kind: [as_record(record) for record in items] for kind, items in records.items()}
