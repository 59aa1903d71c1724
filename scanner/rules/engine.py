"""Judges fact records with rules: each rule's condition over each record (and each `for_each` item)."""

from __future__ import annotations

from typing import Any

from jmespath.exceptions import JMESPathError

from .loader import Rule
from .template import render_template

LOCATION_FIELDS = ("account", "region", "api_id", "api_name", "path", "method", "stage", "pool_id", "client_id",
                   "authorizer")
_LOCATION_BY_KIND = {
    "methods": ("region", "account", "api_id", "api_name", "path", "method"),
    "apis": ("region", "account", "api_id", "api_name"),
    "authorizers": ("region", "account", "api_id", "api_name", "authorizer"),
    "pools": ("region", "account", "pool_id"),
    "clients": ("region", "account", "pool_id", "client_id"),
}


def truthy(value: Any) -> bool:
    """JMESPath's truth: false, null, empty string, list or object are false; numbers are true."""
    return value not in (None, False, "", [], {}) or (isinstance(value, (int, float)) and not isinstance(value, bool))


def evaluate(rules: list[Rule], facts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every finding, `outcome` fail (the condition holds) or unknown (it could not be decided, and why)."""
    findings = []
    for rule in rules:
        for record in facts.get(rule.kind, []):
            findings.extend(_judge(rule, record))
    return findings


def _judge(rule: Rule, record: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[Any] = [None]
    try:
        if rule.for_each is not None:
            found = rule.for_each.search(record)
            items = found if isinstance(found, list) else []
        findings = []
        for item in items:
            context = {**record, "item": item}
            if truthy(rule.condition.search(context)):
                findings.append(_finding(rule, record, item, context, "fail"))
            elif rule.unknown is not None:
                reason = rule.unknown.search(context)
                if truthy(reason):
                    context["unknown_reason"] = reason if isinstance(reason, str) else "a fact it needs is missing"
                    findings.append(_finding(rule, record, item, context, "unknown"))
        return findings
    except (JMESPathError, TypeError, ValueError) as error:
        # A rule that cannot be computed on these facts is reported, never a crash and never a silent pass.
        context = {**record, "item": None}
        finding = _finding(rule, record, None, context, "unknown")
        finding["message"] = f"the rule could not be evaluated on these facts ({error})"
        return [finding]


def _finding(rule: Rule, record: dict[str, Any], item: Any, context: dict[str, Any], outcome: str) -> dict[str, Any]:
    location = {field: None for field in LOCATION_FIELDS}
    location.update({field: record.get(field) for field in _LOCATION_BY_KIND[rule.kind]})
    if isinstance(item, dict):
        location.update({field: item[field] for field in ("stage", "pool_id") if item.get(field) is not None})
    if location.get("pool_id") is None and len(record.get("pool_ids") or []) == 1:
        location["pool_id"] = record["pool_ids"][0]
    message = render_template(rule.message, context)
    if outcome == "unknown":
        message = f"Could not be decided: {context.get('unknown_reason')}"
    return {
        "rule": rule.id, "severity": rule.severity, "title": rule.title, "outcome": outcome,
        "message": message, "remediation": render_template(rule.remediation, context),
        **location, "seed": rule.seed, "scope": rule.scope,
        "method_verdict": rule.method_verdict or ("warn" if rule.severity in ("low", "info") else "fail"),
    }
