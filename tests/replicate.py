"""Replicates a saved snapshot (the demo account's) into an organization of many accounts and regions, each copy
with fresh IDs and names, so that the judging step can be measured at scale on data where every rule family fires.

A copy is the snapshot's JSON text with its tokens swapped: the account ID, the region, every ID the collector
reads (APIs, resources, authorizers, routes, deployments, pools, app clients, usage plans, API keys, CloudFront
distributions) and every name (APIs, pools, app clients, functions), each consistently wherever it appears (ARNs,
issuer URLs, policies, traffic keys, OpenAPI exports). Copies of one account are joined into that account's
snapshot, region by region.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Iterator
from typing import Any

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1", "us-west-2", "sa-east-1", "ca-central-1",
           "ap-northeast-1")
_TOKEN = re.compile(r"([A-Za-z0-9_-]+)")
_ID_KEYS = {"rest_apis": (("id",), ("authorizers", "id"), ("resources", "id")),
            "http_apis": (("id",), ("authorizers", "AuthorizerId"), ("routes", "RouteId"))}


class Replicator:
    """Copies of one snapshot: `copy(account, region, number)` is the snapshot with fresh IDs and names."""

    def __init__(self, snapshot: dict[str, Any], method_count: int) -> None:
        self.account = str(snapshot["account"])
        self.region = str(snapshot["regions"][0])
        self.parts = _TOKEN.split(json.dumps(snapshot, sort_keys=True))
        self.ids = sorted(_ids(snapshot))
        self.names = sorted(_names(snapshot))
        self.method_count = method_count

    def copy(self, account: str, region: str, number: int) -> dict[str, Any]:
        """Copy `number` (its IDs drawn from a generator seeded with it: the same copy every time)."""
        draw = random.Random(number)
        swap = {self.account: account, self.region: region}
        for token in self.ids:
            swap[token] = _fresh_id(token, draw, self.region, region)
        for name in self.names:
            swap[name] = f"{name}-{number:05d}"
        text = "".join(swap.get(part, part) if position % 2 else part for position, part in enumerate(self.parts))
        copied: dict[str, Any] = json.loads(text)
        return copied


def organization(snapshot: dict[str, Any], method_count: int, methods: int, regions: int = 3,
                 copies_per_unit: int = 7) -> Iterator[dict[str, Any]]:
    """Account snapshots totalling at least `methods` methods (`method_count`: the method rows of one copy's
    report): accounts of `regions` regions, each region holding `copies_per_unit` copies (the last may hold fewer)."""
    replicator = Replicator(snapshot, method_count)
    copies = -(-methods // replicator.method_count)
    number = 0
    account_number = 0
    while number < copies:
        account = f"{210000000000 + account_number * 7919:012d}"
        parts = []
        for region in REGIONS[:regions]:
            for _ in range(copies_per_unit):
                if number < copies:
                    parts.append(replicator.copy(account, region, number))
                    number += 1
        yield join(parts)
        account_number += 1


def join(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One account's snapshot of several copies (each of one region)."""
    joined: dict[str, Any] = {key: value for key, value in parts[0].items()}
    joined["regions"] = sorted({region for part in parts for region in part["regions"]})
    for key in ("rest_apis", "http_apis", "apis_listed", "user_pools", "notes", "errors"):
        joined[key] = [item for part in parts for item in part.get(key) or []]
    for key in ("functions", "roles", "pool_listings", "pool_lookups", "usage"):
        joined[key] = {name: value for part in parts for name, value in (part.get(key) or {}).items()}
    joined["usage"] = _per_region(parts, "usage", lambda a, b: {
        "plans": a["plans"] + b["plans"], "api_keys": a["api_keys"] + b["api_keys"]})
    joined["domains"] = _per_region(parts, "domains", lambda a, b: {
        "complete": a["complete"] and b["complete"], "apis": a["apis"] + b["apis"], "names": a["names"] + b["names"]})
    joined["traffic"] = _per_region(parts, "traffic", lambda a, b: {**a, "apis": {**a["apis"], **b["apis"]}})
    cloudfront = [part["cloudfront"] for part in parts if part.get("cloudfront")]
    if cloudfront:
        joined["cloudfront"] = {
            "distributions": [d for part in cloudfront for d in part.get("distributions") or []],
            "cache_policies": {k: v for part in cloudfront for k, v in (part.get("cache_policies") or {}).items()},
            "origin_request_policies": {k: v for part in cloudfront
                                        for k, v in (part.get("origin_request_policies") or {}).items()}}
    joined["calls"] = {}
    for part in parts:
        for name, count in (part.get("calls") or {}).items():
            joined["calls"][name] = joined["calls"].get(name, 0) + count
    return joined


def _per_region(parts: list[dict[str, Any]], key: str, combine: Any) -> dict[str, Any]:
    joined: dict[str, Any] = {}
    for part in parts:
        for region, value in (part.get(key) or {}).items():
            joined[region] = combine(joined[region], value) if region in joined else value
    return joined


def _ids(snapshot: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key, paths in _ID_KEYS.items():
        for api in snapshot.get(key) or []:
            for path in paths:
                items = [api] if len(path) == 1 else api.get(path[0]) or []
                found.update(str(item[path[-1]]) for item in items if item.get(path[-1]))
            found.update(api.get("deployments") or {})
    for pool in snapshot.get("user_pools") or []:
        found.add(str(pool["id"]))
        found.update(str(client["ClientId"]) for client in pool.get("clients") or [])
    for usage in (snapshot.get("usage") or {}).values():
        found.update(str(item["id"]) for item in usage.get("plans", []) + usage.get("api_keys", []))
    cloudfront = snapshot.get("cloudfront") or {}
    for distribution in cloudfront.get("distributions") or []:
        found.add(str(distribution["Id"]))
        found.add(str(distribution["DomainName"]).split(".")[0])
    return found


def _names(snapshot: dict[str, Any]) -> set[str]:
    names = {str(api["name"]) for key in ("rest_apis", "http_apis") for api in snapshot.get(key) or []}
    for pool in snapshot.get("user_pools") or []:
        names.add(str(pool.get("name")))
        names.update(str(client.get("ClientName")) for client in pool.get("clients") or [] if client.get("ClientName"))
    names.update(arn.split(":")[6] for arn in snapshot.get("functions") or {} if arn.count(":") >= 6)
    return names - {"None", ""}


def _fresh_id(token: str, draw: random.Random, old_region: str, new_region: str) -> str:
    """An ID of the same shape: a pool's `region_hex` with the new region, else the same length and alphabet."""
    if token.startswith(old_region + "_"):
        return f"{new_region}_{''.join(draw.choices('0123456789abcdef', k=len(token) - len(old_region) - 1))}"
    alphabet = (string.digits + string.ascii_uppercase if token.isupper() or token.isdigit()
                else string.digits + string.ascii_lowercase)
    return "".join(draw.choices(alphabet, k=len(token)))

