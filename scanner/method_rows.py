"""A method as the report shows it: its row (the contract's fields) and the key that tells one method from another."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_METHOD_FIELDS = ("region", "account", "api_id", "api_name", "api_type", "path", "method", "stages",
                  "authorization", "authorizer", "token", "scopes", "api_key_required", "pool_ids",
                  "policy_decision", "unread", "source")


def method_key(method: Mapping[str, Any]) -> tuple[Any, ...]:
    """What tells one method (fact record or report row) from another across accounts and regions."""
    return (method.get("account"), method.get("region"), method.get("api_id"), method.get("path"),
            method.get("method"), method.get("live", not method.get("deleted_but_served", False)))


def method_row(record: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields of a method fact record, and its traffic as the report names it; `deleted_but_served`
    marks a method a stage's deployment serves though the API's configuration no longer has it."""
    return {**{field: record.get(field) for field in _METHOD_FIELDS}, "deleted_but_served": record.get("live") is False,
            "traffic": traffic_row(record.get("traffic"))}


def traffic_row(traffic: dict[str, Any] | None) -> dict[str, Any] | None:
    """{"days", "requests", "4xx", "5xx", "scope", "last_day"}: the window's totals and the last 24 hours."""
    if not traffic:
        return None
    def counts(figures: dict[str, Any]) -> dict[str, int]:
        return {"requests": figures["requests"], "4xx": figures["client_errors"], "5xx": figures["server_errors"]}
    return {"days": traffic["days"], **counts(traffic), "scope": traffic["scope"],
            "last_day": counts(traffic["last_day"])}
