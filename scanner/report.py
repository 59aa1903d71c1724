"""Builds the report users script against (contract.md): method rows with verdicts, findings, errors, exit code."""

from __future__ import annotations

from typing import Any

from .rules.loader import SEVERITIES

REPORT_SCHEMA = "apigw-scan/1"
FAIL_ON_CHOICES = (*SEVERITIES, "never")
_METHOD_FIELDS = ("region", "account", "api_id", "api_name", "api_type", "path", "method", "stages",
                  "authorization", "authorizer", "token", "scopes", "api_key_required", "pool_ids",
                  "policy_decision")


def build_report(snapshot: dict[str, Any], facts: dict[str, list[dict[str, Any]]],
                 findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON report: `methods` (one row per method), `findings`, `errors`, plus a summary."""
    ordered = sorted(findings, key=_finding_order)
    methods = []
    for record in facts.get("methods", []):
        attached = [finding for finding in ordered if _concerns(finding, record)]
        row = method_row(record)
        row["verdict"] = verdict(attached)
        row["findings"] = sorted({finding["rule"] for finding in attached})
        decided = {finding["rule"] for finding in attached if finding["outcome"] == "fail"}
        row["undecided"] = sorted({finding["rule"] for finding in attached} - decided)
        methods.append(row)
    return {
        "schema": REPORT_SCHEMA,
        "account": snapshot.get("account"),
        "regions": snapshot.get("regions") or [],
        "methods": methods,
        "findings": ordered,
        "errors": [{key: error.get(key) for key in ("region", "service", "operation", "iam_action", "message")}
                   for error in snapshot.get("errors") or []],
        "summary": _summary(methods, ordered, facts),
        "calls": sum((snapshot.get("calls") or {}).values()),
    }


def method_row(record: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields of a method fact record."""
    return {field: record.get(field) for field in _METHOD_FIELDS}


def verdict(findings: list[dict[str, Any]]) -> str:
    """fail (a medium or worse finding), unknown (a check could not be decided), warn (low/info only), or ok.

    A rule may say what it makes of a method (`method_verdict`): APIGW016 makes reachability unknown.
    """
    effects = {finding["method_verdict"] if finding["outcome"] == "fail" else "unknown" for finding in findings}
    for outcome in ("fail", "unknown", "warn"):
        if outcome in effects:
            return outcome
    return "ok"


def exit_code(report: dict[str, Any], fail_on: str) -> int:
    """2 when the scan could not complete, 1 when a finding is at or above `fail_on`, else 0."""
    if report["errors"]:
        return 2
    if fail_on == "never":
        return 0
    threshold = SEVERITIES.index(fail_on)
    failing = [f for f in report["findings"] if f["outcome"] == "fail" and SEVERITIES.index(f["severity"]) <= threshold]
    return 1 if failing else 0


def _concerns(finding: dict[str, Any], method: dict[str, Any]) -> bool:
    """Whether a finding bears on a method: its own, its API's, its authorizer's, or its pool's."""
    scope = finding["scope"]
    same_api = finding["region"] == method["region"] and finding["api_id"] == method["api_id"]
    if scope == "method":
        return bool(same_api and finding["path"] == method["path"] and finding["method"] == method["method"])
    if scope == "api":
        return bool(same_api)
    if scope == "authorizer":
        return bool(same_api and method.get("authorizer") == finding.get("authorizer"))
    if scope == "pool":
        return finding["pool_id"] in (method.get("pool_ids") or [])
    return False


def _finding_order(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (SEVERITIES.index(finding["severity"]), finding["outcome"] != "fail", finding["rule"],
            str(finding.get("api_name") or ""), str(finding.get("path") or ""), str(finding.get("method") or ""),
            str(finding.get("stage") or ""), str(finding.get("pool_id") or ""), str(finding.get("client_id") or ""))


def _summary(methods: list[dict[str, Any]], findings: list[dict[str, Any]],
             facts: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    verdicts = {name: sum(1 for m in methods if m["verdict"] == name) for name in ("ok", "warn", "fail", "unknown")}
    by_severity = {name: sum(1 for f in findings if f["severity"] == name and f["outcome"] == "fail")
                   for name in SEVERITIES}
    return {"methods": len(methods), "apis": len(facts.get("apis", [])), "pools": len(facts.get("pools", [])),
            "clients": len(facts.get("clients", [])), "verdicts": verdicts, "findings": by_severity,
            "unknown": sum(1 for f in findings if f["outcome"] == "unknown")}
