"""Collects a region's usage plans and API keys (never a key's value), for methods that require a key."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ..schema.snapshot import API_KEY, USAGE_PLAN, USAGE_PLAN_KEY, pick
from .calls import Outcome
from .reader import Reader
from .reads import resolved

PAGE_SIZE = 500


def needs_usage(rest_apis: list[dict[str, Any]]) -> set[str]:
    """The collected REST APIs with a method that requires an API key: only they make usage plans worth reading."""
    return {str(api["id"]) for api in rest_apis for resource in api.get("resources") or []
            for method in (resource.get("methods") or {}).values() if method.get("apiKeyRequired")}


def read_usage(reader: Reader, api_ids: set[str]) -> Future[dict[str, Any]]:
    """Usage plans (with their keys, for the plans of `api_ids`) and whether each key is enabled: plans and keys
    listed side by side, then each plan's keys side by side.

    GetUsagePlanKeys answers each key's value: only its ID, type and name are kept. GetApiKeys is called without
    includeValues, so no value is ever returned to the scanner there."""
    paged = {"PaginationConfig": {"PageSize": PAGE_SIZE}}
    plans = reader.paginate("apigateway", "get_usage_plans", "items", **paged)
    keys = reader.paginate("apigateway", "get_api_keys", "items", **paged)

    def plan_keys(plan: dict[str, Any]) -> Future[dict[str, Any]]:
        record = pick(plan, USAGE_PLAN)
        if not any(stage.get("apiId") in api_ids for stage in plan.get("apiStages") or []):
            return resolved(record)
        read = reader.paginate("apigateway", "get_usage_plan_keys", "items", subject=f"usageplan/{plan.get('id')}",
                               usagePlanId=plan.get("id"), **paged)
        return reader.reads.then([read], lambda found: {**record, "keys": found.picked(USAGE_PLAN_KEY)})

    def usage(plans: Outcome, keys: Outcome) -> Future[dict[str, Any]]:
        return reader.reads.then([plan_keys(plan) for plan in plans.data or []], lambda *collected: {
            "plans": list(collected) if plans.ok else None,
            "api_keys": keys.picked(API_KEY)})

    return reader.reads.chain([plans, keys], usage)
