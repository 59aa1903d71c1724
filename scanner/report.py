"""Builds the report users script against (docs/interface.md): method rows, verdicts, findings, errors, exit code."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


@dataclass
class ReportPart:
    """What one judged unit adds to a report: its method rows (verdicts attached from its own findings), its
    findings in the report's order, its chains, the notes its facts raise, and how many APIs, pools and clients it
    judged; `written_as`: what its findings write instead of a template's placeholders (templates/placeholders.py),
    applied as they are written, once the rows' verdicts are attached."""

    methods: list[dict[str, Any]]
    findings: list[Finding]
    chains: list[dict[str, Any]]
    notes: list[str]
    sizes: dict[str, int]
    written_as: list[tuple[str, str]] = field(default_factory=list)


def report_part(facts: dict[str, list[dict[str, Any]]], findings: Iterable[Finding],
                callers_passing: Mapping[tuple[Any, ...], int | None] | None = None,
                attached: bool = True) -> ReportPart:
    """The rows (with how many of the matrix's callers pass each, by `method_key`), findings and chains of judged
    facts; the rows' verdicts attached from these findings (not `attached`: a spool attaches every row from every
    finding when it reads the report back)."""
    ordered = sorted(findings, key=finding_order)
    methods = [{**method_row(record), "callers_passing": (callers_passing or {}).get(method_key(record))}
               for record in facts.get("method", [])]
    if attached:
        attach(methods, ordered)
    notes = [f"JWT authorizer {record['authorizer']} of API {record['api_name']} ({record['region']}) trusts "
             f"{', '.join(record['external_issuers'])}: an identity provider other than Cognito; the scan does not "
             "judge it (`token` checks its tokens through its OpenID Connect discovery document)"
             for record in facts.get("authorizer", []) if record.get("external_issuers")]
    return ReportPart(methods, ordered, api_chains(facts), sorted(notes),
                      {f"{kind}s": len(facts.get(kind, [])) for kind in ("api", "pool", "client")})


def build_report(snapshot: dict[str, Any], facts: dict[str, list[dict[str, Any]]], findings: Iterable[Finding],
                 callers_passing: Mapping[tuple[Any, ...], int | None] | None = None) -> dict[str, Any]:
    """The JSON report: `methods` (one row per method, with how many of the matrix's callers pass it, by
    `method_key`), `findings`, `errors`, plus a summary."""
    part = report_part(facts, findings, callers_passing)
    return {
        "schema": REPORT_SCHEMA,
        "account": snapshot.get("account"),
        "accounts": [snapshot.get("account")] if snapshot.get("account") else [],
        "regions": snapshot.get("regions") or [],
        "notes": list(snapshot.get("notes") or []) + part.notes,
        "methods": part.methods,
        "findings": part.findings,
        "errors": [{key: error.get(key) for key in ERROR_FIELDS} for error in snapshot.get("errors") or []],
        "summary": _summary(part.methods, part.findings, part.sizes),
        "calls": sum((snapshot.get("calls") or {}).values()),
        "chains": part.chains,
    }


ERROR_FIELDS = ("account", "region", "service", "operation", "iam_action", "message")


def attach(methods: list[dict[str, Any]], findings: Iterable[Finding]) -> None:
    """Each method row's rule IDs, undecided rule IDs and verdict, from the findings that bear on it."""
    index = FindingIndex(findings)
    for row in methods:
        attach_row(row, index.of_method(row))


def attach_row(row: dict[str, Any], attached: Iterable[Mapping[str, Any]]) -> None:
    """A method row's verdict, rule IDs and undecided rule IDs, from the findings that bear on it."""
    row["verdict"], row["findings"], row["undecided"] = row_verdict(attached, row.get("unread"))


def row_verdict(attached: Iterable[Mapping[str, Any]], unread: Any) -> tuple[str, list[str], list[str]]:
    """(verdict, rule IDs, undecided rule IDs) of a method row, from the findings that bear on it and its `unread`."""
    attached = list(attached)
    judged = verdict(attached)
    if unread and judged in ("ok", "warn"):
        judged = "unknown"  # part of its configuration could not be read: never a silent pass
    rules = sorted({finding["rule"] for finding in attached})
    decided = {finding["rule"] for finding in attached if finding["outcome"] == "fail"}
    return judged, rules, sorted(set(rules) - decided)


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
        rows.setdefault(method_order(method), method)
    repeated = sum(len(report.get("methods") or []) for report in reports) - len(rows)
    if repeated:
        notes.append(f"{repeated} method row(s) appear in more than one input (overlapping shards?): counted once")
    methods = sorted(rows.values(), key=method_order)
    unique: dict[str, Finding] = {}
    for finding in (f for report in reports for f in report.get("findings") or []):
        unique.setdefault(json.dumps(plain(finding), sort_keys=True, default=str), finding)
    findings = sorted(unique.values(), key=finding_order)
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
        "chains": sorted(_first_of_each(c for report in reports for c in report.get("chains") or []),
                         key=chain_order),
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


def method_order(method: Mapping[str, Any]) -> tuple[str, ...]:
    """The order of the report's method rows: account, region, API, path, verb."""
    return tuple(str(method.get(key) or "") for key in ("account", "region", "api_name", "api_id", "path", "method"))


def chain_order(chain: Mapping[str, Any]) -> tuple[str, ...]:
    """The order of the report's chains: account, region, API name and ID."""
    return tuple(str(chain.get(key) or "") for key in ("account", "region", "api_name", "api_id"))


def chain_key(chain: Mapping[str, Any]) -> tuple[str, ...]:
    """What tells one API's chain from another's."""
    return tuple(str(chain.get(key)) for key in ("account", "region", "api_id"))


def _first_of_each(chains: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each API's chain once: the first input's (as for rows and findings)."""
    first: dict[tuple[str, ...], dict[str, Any]] = {}
    for chain in chains:
        first.setdefault(chain_key(chain), chain)
    return list(first.values())


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
    return [finding for finding in report["findings"] if gates(finding, fail_on)]


def gates(finding: Mapping[str, Any], fail_on: str) -> bool:
    """A failed finding at or above `fail_on` (never for `never`); with a baseline, a new one."""
    return (fail_on != "never" and finding["outcome"] == "fail"
            and SEVERITIES.index(finding["severity"]) <= SEVERITIES.index(fail_on)
            and finding.get("baseline") != "unchanged")  # with a baseline, only new findings fail the job


def finding_order(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    """The order of the report's findings: by severity, decided first, the findings that turn away the most
    requests first, then by rule and place — the account, region and IDs last, so that findings alike in several
    accounts or regions keep one order however the report was put together (whole, by units, by shards)."""
    return (SEVERITIES.index(finding["severity"]), finding["outcome"] != "fail", -(finding.get("requests") or 0),
            finding["rule"],
            *(str(finding.get(key) or "") for key in ("api_name", "path", "method", "stage", "pool_id", "client_id",
                                                      "account", "region", "api_id", "authorizer", "endpoint")))


class Tally:
    """The report's summary, counted as its method rows and findings go by."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self.sizes = {name: int(sizes.get(name, 0)) for name in ("apis", "pools", "clients")}
        self.methods = 0
        self.verdicts = dict.fromkeys(("ok", "warn", "fail", "unknown"), 0)
        self.by_severity = dict.fromkeys(SEVERITIES, 0)
        self.unknown = 0
        self.attributable = False  # some method's own traffic figures were read
        self.turned_away = 0

    def method(self, row: Mapping[str, Any]) -> None:
        self.methods += 1
        if row["verdict"] in self.verdicts:
            self.verdicts[row["verdict"]] += 1
        traffic = row.get("traffic")
        if traffic and traffic["scope"] == "method":
            # What the failing methods turned away in the traffic window (their own figures only).
            self.attributable = True
            if row["verdict"] == "fail":
                self.turned_away += traffic["4xx"] + traffic["5xx"]

    def finding(self, finding: Mapping[str, Any]) -> None:
        if finding["outcome"] == "fail" and finding["severity"] in self.by_severity:
            self.by_severity[finding["severity"]] += 1
        elif finding["outcome"] == "unknown":
            self.unknown += 1

    def summary(self) -> dict[str, Any]:
        return {"methods": self.methods, **self.sizes, "verdicts": dict(self.verdicts),
                "findings": dict(self.by_severity), "unknown": self.unknown, "suppressed": 0, "new": None,
                "turned_away": self.turned_away if self.attributable else None}


def _summary(methods: list[dict[str, Any]], findings: list[Finding], sizes: dict[str, int]) -> dict[str, Any]:
    tally = Tally(sizes)
    for method in methods:
        tally.method(method)
    for finding in findings:
        tally.finding(finding)
    return tally.summary()
