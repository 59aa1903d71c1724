"""Findings grouped by cause (one APIGW007 for an API, not one per method) and the severity a method row shows:
what the terminal's detail and the HTML report both read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..arns import readable
from ..rules.loader import SEVERITIES

VERDICT_ORDER = ("fail", "unknown", "warn", "ok")


def severity_rank(name: str | None) -> int:
    """0 for critical … 4 for info; 5 for none."""
    return SEVERITIES.index(name) if name in SEVERITIES else len(SEVERITIES)


@dataclass
class FindingGroup:
    """Findings of one rule, one outcome, on one API (or one pool, or one endpoint)."""

    rule: str
    severity: str
    outcome: str
    title: str
    members: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.members[0]

    def places(self) -> list[str]:
        """Where inside the API or pool each member is: `GET /orders`, `authorizer shop`, `stage prod`, `client x`."""
        return list(dict.fromkeys(place for place in map(place_of, self.members) if place))

    def messages(self) -> list[str]:
        """The members' messages, each once."""
        return list(dict.fromkeys(str(member.get("message") or "") for member in self.members))


def place_of(finding: dict[str, Any]) -> str:
    """Where inside its API or pool a finding is (empty for the API or pool itself)."""
    if finding.get("method"):
        place = f"{finding['method']} {finding.get('path') or ''}"
        return place + (f" (stage {finding['stage']})" if finding.get("stage") else "")
    if finding.get("authorizer"):
        return readable(f"authorizer {finding['authorizer']}")  # a name left to deployment: `[unknown: why]`
    if finding.get("client_id"):
        return f"client {finding['client_id']}"
    if finding.get("stage"):
        return f"stage {finding['stage']}"
    return ""


def cause_of(finding: dict[str, Any]) -> tuple[Any, ...]:
    """What makes findings one cause: one rule, one outcome, on one API (or one pool, or one endpoint)."""
    return (finding["rule"], finding["outcome"], finding.get("account"), finding.get("region"),
            finding.get("api_id") or "", "" if finding.get("api_id") else finding.get("pool_id") or "",
            finding.get("endpoint") or "")


class Causes:
    """Findings grouped by cause as they go by, in the order of each cause's first finding (the report orders
    findings by severity, then what they cost): the first `most` causes kept whole, the others only counted."""

    def __init__(self, most: int | None = None) -> None:
        self.most = most
        self.groups: dict[tuple[Any, ...], FindingGroup] = {}
        self.others: set[tuple[Any, ...]] = set()  # the causes beyond the first `most`
        self.findings = 0
        self.decided = 0

    def add(self, finding: dict[str, Any]) -> None:
        self.findings += 1
        self.decided += finding.get("outcome") == "fail"
        key = cause_of(finding)
        group = self.groups.get(key)
        if group is None:
            if self.most is not None and len(self.groups) >= self.most:
                self.others.add(key)
                return
            group = self.groups[key] = FindingGroup(finding["rule"], finding["severity"], finding["outcome"],
                                                    str(finding.get("title") or ""))
        group.members.append(finding)

    @property
    def count(self) -> int:
        return len(self.groups) + len(self.others)


def group_findings(findings: list[dict[str, Any]]) -> list[FindingGroup]:
    """Groups in the order of their first finding (the report orders findings by severity, then what they cost)."""
    causes = Causes()
    for finding in findings:
        causes.add(finding)
    return list(causes.groups.values())


def row_severity(row: dict[str, Any], severity_of: dict[str, str]) -> tuple[str | None, bool]:
    """The worst severity among a method row's decided rules (and False), else among its undecided ones (and True),
    else (None, False)."""
    undecided = set(row.get("undecided") or [])
    decided = [rule for rule in row.get("findings") or [] if rule not in undecided]
    for rules, doubt in ((decided, False), (sorted(undecided), True)):
        if rules:
            return min((severity_of.get(rule, "info") for rule in rules), key=severity_rank), doubt
    return None, False


def severities_of(report: dict[str, Any]) -> dict[str, str]:
    """Each rule's severity, as the report's findings (and suppressed findings) give it (or a digest of a big report
    has counted them: `rule_severities`)."""
    if "rule_severities" in report:
        return dict(report["rule_severities"])
    return {str(finding["rule"]): str(finding["severity"])
            for finding in [*(report.get("suppressed") or []), *report.get("findings", [])]
            if isinstance(finding, dict) and finding.get("rule") and finding.get("severity")}


def rows_by_severity(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Method rows, worst first: severity, then doubt, verdict, account, region, API, path, verb."""
    severity_of = severities_of(report)
    return sorted(report.get("methods") or [], key=lambda row: worst_first(row, severity_of))


def worst_first(row: dict[str, Any], severity_of: dict[str, str]) -> tuple[Any, ...]:
    """The order of method rows, worst first: severity, then doubt, verdict, account, region, API, path, verb."""
    severity, doubt = row_severity(row, severity_of)
    verdict = row.get("verdict")
    return (severity_rank(severity), doubt, VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else 0,
            *(str(row.get(key) or "") for key in ("account", "region", "api_name", "api_id", "path", "method")))
