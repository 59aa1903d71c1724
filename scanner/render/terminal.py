"""The report on a terminal: what went wrong first (an incomplete scan, then the summary with the exit status),
the methods worst first, the detail people asked for, then what could not be read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..report import gating_findings
from ..rules.loader import SEVERITIES
from .colour import Palette
from .details import full_detail, grouped_detail
from .escape import escaped
from .groups import VERDICT_ORDER
from .table import methods_table
from .width import DEFAULT_WIDTH, wrap

DETAIL_CHOICES = ("auto", "all", "none")


@dataclass
class View:
    """How the table report is laid out: width in cells, colour, which details, and the exit rule to announce."""

    width: int = DEFAULT_WIDTH
    colour: bool = False
    details: str = "auto"  # auto: critical and high grouped by cause; all: every finding with its commands
    min_severity: str | None = None  # which findings the detail shows (default: high for auto, info for all)
    fail_on: str | None = None  # the run's --fail-on (None: the command does not gate, as `demo`)


def render_table(report: dict[str, Any], view: View | None = None) -> str:
    view = view or View()
    report = escaped(report)  # the one boundary: nothing from AWS or a file reaches the screen raw
    paint = Palette(view.colour)
    width = view.width
    several = len(report.get("accounts") or []) > 1
    parts = [incomplete_banner(report, width, paint), summary_block(report, view, paint)]
    if report["methods"]:
        lines, hidden = methods_table(report, width, paint)
        parts.append("\n".join(lines + _legend(report, hidden, width)))
    else:
        parts.append("No API methods found.")
    if view.details == "all":
        parts.append(full_detail(report["findings"], view.min_severity or "info", width, paint, several))
    elif view.details == "auto":
        parts.append(grouped_detail(report["findings"], view.min_severity or "high", width, paint, several)
                     or ("No findings." if not report["findings"] else ""))
    if report["errors"]:
        parts.append(_errors(report["errors"], width))
    if report.get("fixed"):
        parts.append("\n".join(wrap("Fixed since the baseline: " + ", ".join(
            f"{f['rule']} ({f.get('api_name') or f.get('pool_id') or '-'} {f.get('method') or ''} "
            f"{f.get('path') or ''})".replace("  ", " ").replace(" )", ")") for f in report["fixed"]), width)))
    for note in report.get("notes") or []:
        parts.append("\n".join(wrap(f"note: {note}", width)))
    return "\n\n".join(part for part in parts if part) + "\n"


def incomplete_banner(report: dict[str, Any], width: int = DEFAULT_WIDTH, paint: Palette | None = None) -> str:
    """First, before anything else: the scan did not read everything, so some verdicts are unknown."""
    errors = report.get("errors") or []
    if not errors:
        return ""
    actions = sorted({str(error.get("iam_action") or error.get("operation")) for error in errors})
    text = (f"INCOMPLETE: {len(errors)} call(s) failed ({', '.join(actions[:4])}{', …' if len(actions) > 4 else ''}): "
            "the checks that needed them are unknown, never passed; the list is at the end.")
    lines = wrap(text, width)
    if paint is not None:
        lines[0] = paint("INCOMPLETE", "incomplete") + lines[0][len("INCOMPLETE"):]
    return "\n".join(lines)


def summary_block(report: dict[str, Any], view: View, paint: Palette) -> str:
    """Scanned, verdicts, findings by severity and the exit status this run returns."""
    summary = report["summary"]
    accounts = report.get("accounts") or []
    regions = report.get("regions") or []
    scanned = [f"{len(accounts)} account(s)" + (f" ({accounts[0]})" if len(accounts) == 1 else "")
               if accounts else "", f"{len(regions)} region(s)" if regions else "",
               f"{summary.get('apis', 0)} API(s)", f"{summary['methods']} method(s)",
               f"{summary.get('pools', 0)} user pool(s)" if summary.get("pools") else "",
               f"{report.get('calls') or 0} AWS call(s)"]
    verdicts = [paint(f"{summary['verdicts'][name]} {name}", name) for name in VERDICT_ORDER
                if summary["verdicts"].get(name)] or ["none"]
    findings = [paint(f"{summary['findings'].get(name, 0)} {name}", name) for name in SEVERITIES
                if summary["findings"].get(name)] or ["none"]
    findings += [paint(text, style) for text, style in summary_extras(summary)]
    rows = [("Scanned", " · ".join(part for part in scanned if part)), ("Verdicts", " · ".join(verdicts)),
            ("Findings", " · ".join(findings))]
    if summary.get("turned_away"):
        rows.append(("Traffic", f"the failing methods turned away {summary['turned_away']} request(s) in the window"))
    rows.append(("Exit", exit_words(report, view.fail_on)))
    lines = []
    for name, text in rows:
        lines += wrap(text, view.width, paint(f"{name:<10}", "heading"), " " * 10)
    return "\n".join(lines)


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
    counted = gating_findings(report, fail_on)
    new = " new" if any("baseline" in f for f in report["findings"]) else ""
    if counted:
        return f"1: {len(counted)}{new} finding(s) at or above {fail_on} (--fail-on {fail_on})"
    return f"0: no{new} finding at or above {fail_on} (--fail-on {fail_on})"


def _legend(report: dict[str, Any], hidden: list[str], width: int) -> list[str]:
    notes = []
    if any(method.get("undecided") for method in report["methods"]):
        notes.append("RULE? = could not be decided (the detail says what could not be read); a severity with ? = "
                     "the method's rules are all undecided")
    if any(method.get("traffic") for method in report["methods"]) and "Traffic" not in hidden:
        days = next(method["traffic"]["days"] for method in report["methods"] if method.get("traffic"))
        notes.append(f"Traffic = requests in the last {days} days and the share answered 4xx/5xx; ~ = the stage's "
                     "totals (the method's own need detailed metrics)")
    if hidden:
        notes.append(f"Hidden at {width} columns: {', '.join(hidden)} (a wider terminal, --format html or json show "
                     "them)")
    lines: list[str] = []
    for note in notes:
        lines += wrap(f"({note})", width)
    return lines


def _errors(errors: list[dict[str, Any]], width: int) -> str:
    lines = [f"Could not read ({len(errors)}): the checks that needed these are marked unknown"]
    for error in errors:
        needs = f" (needs {error['iam_action']})" if error.get("iam_action") else ""
        text = f"{error.get('region') or '-'}  {error['service']}:{error['operation']}{needs}: {error['message']}"
        lines += wrap(text, width, "  ", "    ")
    return "\n".join(lines)
