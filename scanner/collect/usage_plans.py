"""Collects a region's usage plans and API keys (never a key's value), for methods that require a key."""

from __future__ import annotations

from typing import Any

from ..schema.snapshot import API_KEY, USAGE_PLAN, USAGE_PLAN_KEY, pick
from .calls import CallLog
from .session import Clients

PAGE_SIZE = 500


def needs_usage(rest_apis: list[dict[str, Any]]) -> set[str]:
    """The collected REST APIs with a method that requires an API key: only they make usage plans worth reading."""
    return {str(api["id"]) for api in rest_apis for resource in api.get("resources") or []
            for method in (resource.get("methods") or {}).values() if method.get("apiKeyRequired")}


def collect_usage(clients: Clients, log: CallLog, region: str, api_ids: set[str]) -> dict[str, Any]:
    """Usage plans (with their keys, for the plans of `api_ids`) and whether each key is enabled.

    GetUsagePlanKeys answers each key's value: only its ID, type and name are kept. GetApiKeys is called without
    includeValues, so no value is ever returned to the scanner there."""
    client = clients.get("apigateway", region)
    plans = log.paginate(client, "get_usage_plans", "items", region=region, PaginationConfig={"PageSize": PAGE_SIZE})
    keys = log.paginate(client, "get_api_keys", "items", region=region, PaginationConfig={"PageSize": PAGE_SIZE})
    collected = []
    for plan in plans.data if plans.ok else []:
        record = pick(plan, USAGE_PLAN)
        if any(stage.get("apiId") in api_ids for stage in plan.get("apiStages") or []):
            plan_keys = log.paginate(client, "get_usage_plan_keys", "items", region=region,
                                     subject=f"usageplan/{plan.get('id')}", usagePlanId=plan.get("id"),
                                     PaginationConfig={"PageSize": PAGE_SIZE})
            record["keys"] = plan_keys.picked(USAGE_PLAN_KEY)
        collected.append(record)
    return {"plans": collected if plans.ok else None,
            "api_keys": keys.picked(API_KEY)}
