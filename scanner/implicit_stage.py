"""SAM's implicit `Stage` stage in the report: once per rule and API, at low, when a finding holds only there.

When `OpenApiVersion` is not set, the deployment SAM generates for an AWS::Serverless::Api names a stage `Stage`
beside the one the user named; no caller is given that stage's URL, though a request to it fails as the rule says.
The catalog (rules.md) makes this the one exception to "critical = every request fails". A finding that holds on the
user's stage too is reported there as usual, and the access matrix keeps what a caller of /Stage/… gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .findings import Finding
from .schema.facts import Facts

_FIX = ("Set OpenApiVersion (for example 3.0.1) on the AWS::Serverless::Api, or under Globals: Api, and SAM creates "
        "no Stage stage; or make the stage serve callers as the message says.")


def fold_implicit_stage(findings: list[Finding], facts: Facts) -> list[Finding]:
    """The findings with those that hold only on an API's implicit stage folded into one low finding per rule."""
    implicit = {_api(record): record for record in facts.get("api", []) if record.get("sam_implicit_stage")}
    if not implicit:
        return findings

    def on_implicit(finding: Finding) -> bool:
        record = implicit.get(_api(finding))
        return record is not None and finding.get("stage") == record["sam_implicit_stage"]

    elsewhere = {_cause(finding) for finding in findings if _api(finding) in implicit and not on_implicit(finding)}
    kept: list[Finding] = []
    folded: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in findings:
        if not on_implicit(finding):
            kept.append(finding)
        elif _cause(finding) not in elsewhere:  # else it holds on the user's stage, where it is reported
            folded.setdefault((finding["rule"], finding["outcome"], *_api(finding)), []).append(finding)
    return kept + [_once(members, implicit[_api(members[0])]) for members in folded.values()]


def _api(finding: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return finding.get("account"), finding.get("region"), finding.get("api_id")


def _cause(finding: Finding) -> tuple[Any, ...]:
    return finding["rule"], finding["outcome"], *_api(finding), finding.get("method"), finding.get("path")


def _once(members: list[Finding], api: dict[str, Any]) -> Finding:
    first, stage = members[0], api["sam_implicit_stage"]
    places = list(dict.fromkeys(f"{member['method']} {member['path']}" for member in members if member.get("method")))
    said = list(dict.fromkeys(str(member.get("message") or "") for member in members))
    message = (f"Only on stage {stage} of API {api.get('api_name')}, which SAM created: the deployment SAM generates "
               f"names it {stage} when OpenApiVersion is not set, and no caller is given its URL (a request to "
               f"/{stage}/… still fails). {', '.join(places) + ': ' if places else ''}{said[0]}"
               f"{f' (and {len(said) - 1} more alike)' if len(said) > 1 else ''}")
    return first.replace(severity="low", method_verdict="warn", method=None, path=None,
                         source=api.get("source") or first.get("source"), message=message, fix=_FIX, commands=(),
                         remediation=_FIX)
