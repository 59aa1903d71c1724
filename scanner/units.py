"""An account's snapshot as the units it is judged in, one after another: a region's APIs with its user pools,
custom domains, usage plans and traffic, beside what the account shares (Lambda functions, IAM roles, CloudFront,
the scanned regions, what could not be read). Regions whose APIs name each other's user pools are one unit: a pool
is judged with every authorizer that names it, and weighed against the traffic of every method it serves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .arns import REGION_PATTERN

_REGION = re.compile(rf"\b{REGION_PATTERN}\b")
_PER_REGION = ("domains", "usage", "traffic")  # maps of the snapshot keyed by region


def unit_snapshots(snapshot: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The units of a normalized snapshot, in the order of their first region; each is the snapshot narrowed to
    its regions' APIs, pools and per-region reads (the account-wide parts kept whole, its notes left to the
    account)."""
    apis = [(key, api) for key in ("rest_apis", "http_apis") for api in snapshot.get(key) or []]
    pools = snapshot.get("user_pools") or []
    pool_regions = {str(pool.get("region")) for pool in pools}
    regions = sorted({*map(str, snapshot.get("regions") or []), *pool_regions,
                      *(str(api.get("region")) for _, api in apis)})
    group = {region: region for region in regions}

    def root(region: str) -> str:
        while group[region] != region:
            group[region] = group[group[region]]
            region = group[region]
        return region

    for _, api in apis:
        own = str(api.get("region"))
        for named in _pool_regions_named(api) & pool_regions - {own}:
            first, second = sorted((root(own), root(named)))
            group[second] = first
    members: dict[str, list[str]] = {}
    for region in regions:
        members.setdefault(root(region), []).append(region)
    for unit_regions in members.values():
        chosen = set(unit_regions)
        unit = {**snapshot, "notes": [], "rest_apis": [], "http_apis": [],
                "user_pools": [pool for pool in pools if str(pool.get("region")) in chosen]}
        for key, api in apis:
            if str(api.get("region")) in chosen:
                unit[key].append(api)
        for key in _PER_REGION:
            if isinstance(snapshot.get(key), dict):
                unit[key] = {region: part for region, part in snapshot[key].items() if region in chosen}
        if unit["rest_apis"] or unit["http_apis"] or unit["user_pools"]:
            yield unit


def _pool_regions_named(api: dict[str, Any]) -> set[str]:
    """Every region an API's authorizers, stage variables or deployed security schemes name (a pool's ARN, its
    issuer URL or ID, a stage variable a pool ARN is built from): a superset of the regions of the pools it uses."""
    parts: list[Any] = [api.get("authorizers")]
    for stage in api.get("stages") or []:
        parts += [stage.get("variables"), stage.get("StageVariables"), stage.get("canarySettings")]
    for deployment in (api.get("deployments") or {}).values():
        export = deployment.get("export") if isinstance(deployment, dict) else None
        if isinstance(export, dict):
            parts += [export.get("securityDefinitions"), (export.get("components") or {}).get("securitySchemes")
                      if isinstance(export.get("components"), dict) else None]
    return set(_REGION.findall(json.dumps(parts, default=str)))
