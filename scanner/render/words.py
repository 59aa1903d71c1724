"""The words every view says alike (terminal, HTML, matrix): how many findings, what the summary adds to the
severity counts, the exit status and why, and what the table's marks mean."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..arns import unresolved_reason
from ..report import gating_findings
from ..templates.placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION


def findings_tally(findings: list[dict[str, Any]]) -> str:
    """`51 finding(s) and 5 undecided`: failed checks, then undecided ones, as the summary counts them."""
    decided = sum(1 for finding in findings if finding.get("outcome") == "fail")
    return tally_words(decided, len(findings) - decided)


def tally_words(decided: int, undecided: int) -> str:
    return f"{decided} finding(s)" + (f" and {undecided} undecided" if undecided else "")


def summary_extras(summary: dict[str, Any]) -> list[tuple[str, str | None]]:
    """What the summary adds to the severity counts, with the style each is shown in: undecided, suppressed, new."""
    extras: list[tuple[str, str | None]] = []
    if summary.get("unknown"):
        extras.append((f"{summary['unknown']} undecided", "unknown"))
    if summary.get("suppressed"):
        extras.append((f"{summary['suppressed']} suppressed", None))
    if summary.get("new") is not None:
        extras.append((f"{summary['new']} new since the baseline", None))
    return extras


def exit_words(report: dict[str, Any], fail_on: str | None) -> str:
    """The exit status this run returns, and why."""
    if report["errors"]:
        return f"2: the scan is incomplete ({len(report['errors'])} call(s) failed)"
    if fail_on is None:
        return "0: the demo always exits 0 (give --fail-on SEVERITY to see what a gate would say)"
    if fail_on == "never":
        return "0 (--fail-on never)"
    if "gate" in report:  # a big report's digest: counted as its findings went by
        counted, marked = int(report["gate"]["gating"]), bool(report["gate"]["marked"])
    else:
        counted = len(gating_findings(report, fail_on))
        marked = any("baseline" in f for f in report["findings"])
    new = " new" if marked else ""
    if counted:
        return f"1: {counted}{new} finding(s) at or above {fail_on} (--fail-on {fail_on})"
    return f"0: no{new} finding at or above {fail_on} (--fail-on {fail_on})"


_STAND_INS = {PLACEHOLDER_ACCOUNT: "${AWS::AccountId}, a stand-in: --account names the account",
              PLACEHOLDER_REGION: "${AWS::Region}, a stand-in: --region names the region"}


def stand_in_words(value: Any) -> str:
    """An account or region as a report's header names it: the stand-in a template or configuration scan gives
    one it was not told is said to be one (as its findings write it), never shown as a real 000000000000."""
    return _STAND_INS.get(str(value), str(value))


def _has_unknown_cell(method: dict[str, Any], hidden: Collection[str]) -> bool:
    """Whether the method table shows `?` in one of the row's cells other than Severity and Rules (of the columns
    not `hidden`)."""
    shown = {"Method": [method.get("method")], "Auth": [method.get("authorization")],
             "Authorizer": [method.get("authorizer")], "Scopes": list(method.get("scopes") or []),
             "Stages": list(method.get("stages") or [])}
    values = [value for column, listed in shown.items() if column not in hidden for value in listed]
    return ("Stages" not in hidden and method.get("stages") is None) or any(unresolved_reason(v) for v in values) \
        or ("Policy" not in hidden and method.get("policy_decision") == "unknown")


def legend_notes(report: dict[str, Any], traffic_shown: bool = True, hidden: Collection[str] = ()) -> list[str]:
    """What the method table's marks mean, for the marks this report uses: RULE?, severity?, `?` in the columns
    not `hidden`, traffic's ~ and ~0 (unless the traffic column is not shown)."""
    methods = report.get("methods") or []
    notes = []
    if any(method.get("undecided") for method in methods):
        notes.append("RULE? = could not be decided (the detail says what could not be read); a severity with ? = "
                     "the method's rules are all undecided")
    if any(_has_unknown_cell(method, hidden) for method in methods):
        notes.append("? elsewhere = not known: a value the template or configuration leaves to deployment, stages "
                     "that could not be read, or a resource policy that cannot be evaluated (the detail and the JSON "
                     "say why)")
    traffic = [method["traffic"] for method in methods if method.get("traffic")]
    if traffic and traffic_shown:
        note = (f"Traffic = requests in the last {traffic[0]['days']} days and the share answered 4xx/5xx; ~ = the "
                "stage's (or API's) totals, as the method's own need detailed metrics")
        if any(figures["scope"] != "method" and not figures["requests"] for figures in traffic):
            note += "; ~0 = no request reached its stage (or API) in the window"
        notes.append(note)
    return notes
