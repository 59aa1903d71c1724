"""The report on a terminal: what went wrong first (an incomplete scan, then the summary with the exit status),
the methods worst first, the detail people asked for, then what could not be read."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, TextIO

from ..report import gates
from ..rules.loader import SEVERITIES
from ..spool import SpooledReport
from .colour import Palette
from .details import causes_detail, full_detail, grouped_detail
from .escape import escaped
from .groups import VERDICT_ORDER, Causes, severity_rank, worst_first
from .table import methods_table
from .width import DEFAULT_WIDTH, wrap
from .words import exit_words, legend_notes, stand_in_words, summary_extras

DETAIL_CHOICES = ("auto", "all", "none")
MOST_ROWS = 200  # methods the table shows whole; beyond, the worst WORST_ROWS and the first MOST_CAUSES causes
WORST_ROWS = 50
MOST_CAUSES = 50


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
    width = view.width
    paint = Palette(view.colour)
    escaped_report = escaped(report)  # the one boundary: nothing from AWS or a file reaches the screen raw
    findings = escaped_report["findings"]
    several = len(report.get("accounts") or []) > 1
    detail = ""
    if view.details == "all":
        detail = full_detail(findings, view.min_severity or "info", width, paint, several)
    elif view.details == "auto":
        detail = grouped_detail(findings, view.min_severity or "high", width, paint, several) \
            or ("No findings." if not findings else "")
    return _table(escaped_report, view, paint, detail)


def write_table(report: SpooledReport, view: View, out: TextIO) -> None:
    """The table of a report read as it goes: the whole table up to MOST_ROWS methods; beyond, the summary, the
    WORST_ROWS worst methods, the first MOST_CAUSES causes of the detail, and where the rest is."""
    rows: list[dict[str, Any]] = []
    total = 0

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        return worst_first(row, report.severities)
    for row in report.methods:
        total += 1
        rows.append(row)
        if total > MOST_ROWS and len(rows) >= 20 * WORST_ROWS:
            rows = heapq.nsmallest(WORST_ROWS, rows, key=order)
    if total <= MOST_ROWS:
        whole = {**report.head, "methods": rows, "findings": list(report.findings), "errors": report.errors,
                 "calls": report.calls}
        out.write(render_table({**whole, **report.tail()}, view))
        return
    minimum = view.min_severity or ("high" if view.details == "auto" else "info")
    causes = Causes(MOST_CAUSES)
    every: list[dict[str, Any]] = []  # --details all: every finding shown, as asked
    findings = gating = marked = 0
    for finding in report.findings:
        findings += 1
        gating += gates(finding, view.fail_on or "never")
        marked += "baseline" in finding
        if severity_rank(finding["severity"]) <= severity_rank(minimum):
            (every.append if view.details == "all" else causes.add)(finding)
    digest = {**report.head, "methods": heapq.nsmallest(WORST_ROWS, rows, key=order), "findings": [],
              "errors": report.errors, "calls": report.calls, **report.tail(),
              "rule_severities": report.severities, "gate": {"gating": gating, "marked": marked}}
    paint = Palette(view.colour)
    escaped_digest = escaped(digest)
    several = len(digest.get("accounts") or []) > 1
    if view.details == "all":
        detail = full_detail(escaped(every), minimum, view.width, paint, several) if findings else "No findings."
        if len(every) < findings:
            detail += f"\n\n({findings - len(every)} lower not shown)"
    elif view.details == "auto":
        detail = causes_detail(escaped_causes(causes), findings - causes.findings, minimum, view.width, paint,
                               several) or ("No findings." if not findings else "")
    else:
        detail = ""
    out.write(_table(escaped_digest, view, paint, detail, shown_of=total))


def escaped_causes(causes: Causes) -> Causes:
    """The causes with their findings escaped for the terminal."""
    for group in causes.groups.values():
        group.members = escaped(group.members)
        group.title = escaped(group.title)
    return causes


def _table(report: dict[str, Any], view: View, paint: Palette, detail: str, shown_of: int | None = None) -> str:
    """The table's parts around its detail: banner, summary, methods, detail, errors, fixed, notes."""
    width = view.width
    parts = [incomplete_banner(report, width, paint), summary_block(report, view, paint)]
    if report["methods"]:
        lines, hidden = methods_table(report, width, paint)
        notes = _legend(report, hidden, width)
        if shown_of is not None:
            notes = wrap(f"(The {len(report['methods'])} worst of {shown_of} methods. Every method is in --format "
                         "json or csv, and in the HTML report, --html FILE, where it can be searched and "
                         "filtered.)", width) + notes
        parts.append("\n".join(lines + notes))
    else:
        parts.append("No API methods found.")
    parts.append(detail)
    if report["errors"]:
        parts.append(_errors(report["errors"], width))
    else:
        parts.append(_unknown_without_finding(report["methods"], width))
    if report.get("fixed"):
        parts.append("\n".join(wrap("Fixed since the baseline: " + ", ".join(
            f"{f['rule']} ({f.get('api_name') or f.get('pool_id') or '-'} {f.get('method') or ''} "
            f"{f.get('path') or ''})".replace("  ", " ").replace(" )", ")") for f in report["fixed"]), width)))
    for note in report.get("notes") or []:
        parts.append("\n".join(wrap(f"note: {note}", width)))
    return "\n\n".join(part for part in parts if part) + "\n"


def _unknown_without_finding(rows: list[dict[str, Any]], width: int, most: int = 10) -> str:
    """Why a method is unknown when no finding says it: what of it could not be read (in a template or a Terraform
    configuration, a value known only at deployment). A failed call says it in the errors instead."""
    unexplained = [row for row in rows if row["verdict"] == "unknown" and row.get("unread") and not row["undecided"]]
    lines = [line for row in unexplained[:most] for line in wrap(
        f"unknown: {row['api_name']} {row['method']} {row['path']}: {row['unread']}", width)]
    if len(unexplained) > most:
        lines.append(f"… and {len(unexplained) - most} more method(s) (the JSON report's `unread`)")
    return "\n".join(lines)


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
    scanned = [f"{len(accounts)} account(s)" + (f" ({stand_in_words(accounts[0])})" if len(accounts) == 1 else "")
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


def _legend(report: dict[str, Any], hidden: list[str], width: int) -> list[str]:
    notes = legend_notes(report, traffic_shown="Traffic" not in hidden, hidden=hidden)
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
