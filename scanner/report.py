"""Builds the report users script against (docs/interface.md): method rows, verdicts, findings, errors, exit code."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .chains import api_chains
from .findings import Finding, FindingIndex, plain
from .method_rows import method_key, method_row
from .rules.loader import SEVERITIES

REPORT_SCHEMA = "apigw-scan/1"
FAIL_ON_CHOICES = (*SEVERITIES, "never")



def resource_of(finding: Mapping[str, Any]) -> str:
    """What a finding is about, as suppression patterns match it: ACCOUNT/REGION/API/METHOD/PATH and the like."""
    parts = [str(finding.get("account") or "-"), str(finding.get("region") or "-")]
    if finding.get("api_name") or finding.get("api_id"):
        parts.append(str(finding.get("api_name") or finding.get("api_id")))
        if finding.get("method"):
            parts += [str(finding["method"]), str(finding.get("path") or "").lstrip("/")]
        elif finding.get("authorizer"):
            parts += ["authorizer", str(finding["authorizer"])]
    elif finding.get("endpoint"):
        parts += ["endpoint", str(finding["endpoint"])]
    elif finding.get("pool_id"):
        parts += ["pool", str(finding["pool_id"])]
        if finding.get("client_id"):
            parts += ["client", str(finding["client_id"])]
    return "/".join(parts)


def build_report(snapshot: dict[str, Any], facts: dict[str, list[dict[str, Any]]], findings: Iterable[Finding],
                 callers_passing: Mapping[tuple[Any, ...], int | None] | None = None) -> dict[str, Any]:
    """The JSON report: `methods` (one row per method, with how many of the matrix's callers pass it, by
    `method_key`), `findings`, `errors`, plus a summary."""
    ordered = sorted(findings, key=_finding_order)
    methods = [{**method_row(record), "callers_passing": (callers_passing or {}).get(method_key(record))}
               for record in facts.get("method", [])]
    attach(methods, ordered)
    return {
        "schema": REPORT_SCHEMA,
        "account": snapshot.get("account"),
        "accounts": [snapshot.get("account")] if snapshot.get("account") else [],
        "regions": snapshot.get("regions") or [],
        "notes": list(snapshot.get("notes") or []) + [
            f"JWT authorizer {record['authorizer']} of API {record['api_name']} ({record['region']}) trusts "
            f"{', '.join(record['external_issuers'])}: an identity provider other than Cognito; the scan does not "
            "judge it (`token` checks its tokens through its OpenID Connect discovery document)"
            for record in facts.get("authorizer", []) if record.get("external_issuers")],
        "methods": methods,
        "findings": ordered,
        "errors": [{key: error.get(key) for key in ERROR_FIELDS} for error in snapshot.get("errors") or []],
        "summary": _summary(methods, ordered, {f"{kind}s": len(facts.get(kind, [])) for kind in ("api", "pool",
                                                                                                 "client")}),
        "calls": sum((snapshot.get("calls") or {}).values()),
        "chains": api_chains(facts),
    }


ERROR_FIELDS = ("account", "region", "service", "operation", "iam_action", "message")


def attach(methods: list[dict[str, Any]], findings: Iterable[Finding]) -> None:
    """Each method row's rule IDs, undecided rule IDs and verdict, from the findings that bear on it."""
    index = FindingIndex(findings)
    for row in methods:
        attached = index.of_method(row)
        row["verdict"] = verdict(attached)
        if row.get("unread") and row["verdict"] in ("ok", "warn"):
            row["verdict"] = "unknown"  # part of its configuration could not be read: never a silent pass
        row["findings"] = sorted({finding["rule"] for finding in attached})
        decided = {finding["rule"] for finding in attached if finding["outcome"] == "fail"}
        row["undecided"] = sorted(set(row["findings"]) - decided)


def merge_reports(reports: list[dict[str, Any]], errors: list[dict[str, Any]] | None = None,
                  notes: list[str] | None = None) -> dict[str, Any]:
    """One report of several (accounts, shards): rows, findings and errors joined, verdicts and the summary counted
    again. A report given twice, or rows in several inputs, are counted once (and a note says so)."""
    notes = list(notes or [])
    distinct: dict[str, dict[str, Any]] = {}
    for report in reports:
        distinct.setdefault(json.dumps(plain(report), sort_keys=True, default=str), report)
    if len(distinct) < len(reports):
        notes.append(f"{len(reports) - len(distinct)} input report(s) repeat another one: each is counted once")
    reports = list(distinct.values())
    accounts = sorted({a for report in reports for a in report.get("accounts") or [report.get("account")] if a})
    rows: dict[tuple[str, ...], dict[str, Any]] = {}
    for method in (m for report in reports for m in report.get("methods") or []):
        rows.setdefault(_method_order(method), method)
    repeated = sum(len(report.get("methods") or []) for report in reports) - len(rows)
    if repeated:
        notes.append(f"{repeated} method row(s) appear in more than one input (overlapping shards?): counted once")
    methods = sorted(rows.values(), key=_method_order)
    unique: dict[str, Finding] = {}
    for finding in (f for report in reports for f in report.get("findings") or []):
        unique.setdefault(json.dumps(plain(finding), sort_keys=True, default=str), finding)
    findings = sorted(unique.values(), key=_finding_order)
    attach(methods, findings)
    sizes = {name: sum((report.get("summary") or {}).get(name, 0) for report in reports)
             for name in ("apis", "pools", "clients")}
    merged = {
        "schema": REPORT_SCHEMA, "account": accounts[0] if len(accounts) == 1 else None, "accounts": accounts,
        "regions": sorted({r for report in reports for r in report.get("regions") or []}),
        "notes": [n for report in reports for n in report.get("notes") or []] + notes,
        "methods": methods, "findings": findings,
        "errors": [e for report in reports for e in report.get("errors") or []]
        + [{key: e.get(key) for key in ERROR_FIELDS} for e in errors or []],
        "calls": sum(int(report.get("calls") or 0) for report in reports),
        "chains": sorted({(str(c.get("account")), str(c.get("region")), str(c.get("api_id"))): c
                          for report in reports for c in report.get("chains") or []}.values(),
                         key=lambda c: (str(c.get("account")), str(c.get("region")), str(c.get("api_name")))),
    }
    merged["summary"] = _summary(methods, findings, sizes)
    for key in ("suppressed", "fixed"):
        if any(key in report for report in reports):
            merged[key] = [item for report in reports for item in report.get(key) or []]
    return merged


def recount(report: dict[str, Any]) -> None:
    """The summary again, after findings were hidden or marked (sizes, suppressed and new kept)."""
    old = report.get("summary") or {}
    summary = _summary(report["methods"], report["findings"], {k: old.get(k, 0) for k in ("apis", "pools", "clients")})
    summary["suppressed"] = len(report.get("suppressed") or [])
    summary["new"] = (sum(1 for f in report["findings"] if f.get("baseline") == "new")
                      if any("baseline" in f for f in report["findings"]) or "fixed" in report else None)
    report["summary"] = summary


def _method_order(method: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(method.get(key) or "") for key in ("account", "region", "api_name", "api_id", "path", "method"))


def verdict(findings: Iterable[Mapping[str, Any]]) -> str:
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
    return 1 if gating_findings(report, fail_on) else 0


def gating_findings(report: dict[str, Any], fail_on: str) -> list[Finding]:
    """The failed findings at or above `fail_on` (none for `never`); with a baseline, only the new ones."""
    if fail_on == "never":
        return []
    threshold = SEVERITIES.index(fail_on)
    return [f for f in report["findings"] if f["outcome"] == "fail" and SEVERITIES.index(f["severity"]) <= threshold
            and f.get("baseline") != "unchanged"]  # with a baseline, only new findings fail the job


def _finding_order(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    # Within a severity, the findings that turn away the most requests first.
    return (SEVERITIES.index(finding["severity"]), finding["outcome"] != "fail", -(finding.get("requests") or 0),
            finding["rule"],
            str(finding.get("api_name") or ""), str(finding.get("path") or ""), str(finding.get("method") or ""),
            str(finding.get("stage") or ""), str(finding.get("pool_id") or ""), str(finding.get("client_id") or ""))


def _summary(methods: list[dict[str, Any]], findings: list[Finding], sizes: dict[str, int]) -> dict[str, Any]:
    verdicts = {name: sum(1 for m in methods if m["verdict"] == name) for name in ("ok", "warn", "fail", "unknown")}
    by_severity = {name: sum(1 for f in findings if f["severity"] == name and f["outcome"] == "fail")
                   for name in SEVERITIES}
    # What the failing methods turned away in the traffic window (their own figures only; null: no traffic read).
    attributable = [m["traffic"] for m in methods if m.get("traffic") and m["traffic"]["scope"] == "method"]
    turned_away = sum(t["4xx"] + t["5xx"] for m in methods if m["verdict"] == "fail" and (t := m.get("traffic"))
                      and t["scope"] == "method") if attributable else None
    return {"methods": len(methods), **sizes, "verdicts": verdicts, "findings": by_severity,
            "unknown": sum(1 for f in findings if f["outcome"] == "unknown"),
            "suppressed": 0, "new": None, "turned_away": turned_away}
