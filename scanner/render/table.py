"""The human report: one row per method grouped by API, then the findings with their fixes, in 120 columns."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from tabulate import tabulate

from .escape import escaped
from .shell_lines import shell_lines

WIDTH = 120
_AUTH_SHORT = {"COGNITO_USER_POOLS": "COGNITO", "AWS_IAM": "IAM", "CUSTOM": "LAMBDA", "NONE": "NONE", "JWT": "JWT"}
_TOKEN_SHORT = {"id-or-access": "id/access"}
HEADERS = ("API", "Stages", "Method", "Path", "Auth", "Authorizer", "Token", "Scopes", "Policy", "Traffic",
           "Verdict", "Rules")
# How narrow a column may get when the table must shrink to WIDTH (None: never wrapped).
_NARROWEST = (9, 8, None, 10, None, 10, 6, 8, None, 5, None, 9)
# Which columns give up width first (higher: sooner); the path is what people read, so it wraps last.
_SHRINK_WEIGHT = (1.5, 1.0, 0, 0.5, 0, 1.5, 0.2, 1.0, 0, 2.0, 0, 3.0)
# The resource policy's decision for the method, in a word.
_POLICY_SHORT = {"allow": "allow", "deny": "DENY", "implicit-deny": "no-allow", "conditional": "cond",
                 "no-policy": "-", "unknown": "?"}


def render_table(report: dict[str, Any]) -> str:
    report = escaped(report)  # the one boundary: nothing from AWS or a file reaches the screen raw
    parts = [incomplete_banner(report), _methods_table(report["methods"])]
    if any(method.get("undecided") for method in report["methods"]):
        parts[0] += "\n(RULE? = could not be decided: the finding says what the scanner could not read)"
    if any(method.get("traffic") for method in report["methods"]):
        days = next(method["traffic"]["days"] for method in report["methods"] if method.get("traffic"))
        parts[0] += "\n" + "\n".join(textwrap.wrap(
            f"(Traffic = requests in the last {days} days and the share answered 4xx/5xx; ~ = the stage's totals, "
            "the method's own need detailed metrics)", WIDTH))
    parts.append(_findings(report["findings"]))
    if report["errors"]:
        parts.append(_errors(report["errors"]))
    if report.get("fixed"):
        parts.append("Fixed since the baseline: " + ", ".join(
            f"{f['rule']} ({f.get('api_name') or f.get('pool_id') or '-'} {f.get('method') or ''} "
            f"{f.get('path') or ''})".replace("  ", " ").replace(" )", ")") for f in report["fixed"]))
    for note in report.get("notes") or []:
        parts.append("\n".join(textwrap.wrap(f"note: {note}", WIDTH)))
    parts.append(_summary_line(report))
    return "\n\n".join(part for part in parts if part) + "\n"


def incomplete_banner(report: dict[str, Any]) -> str:
    """First, before anything else: the scan did not read everything, so some verdicts are unknown."""
    errors = report.get("errors") or []
    if not errors:
        return ""
    actions = sorted({str(error.get("iam_action") or error.get("operation")) for error in errors})
    text = (f"INCOMPLETE: {len(errors)} call(s) failed ({', '.join(actions[:4])}{', …' if len(actions) > 4 else ''}): "
            "the checks that needed them are unknown, never passed; the list is at the end.")
    return "\n".join(textwrap.wrap(text, WIDTH))


def _methods_table(methods: list[dict[str, Any]]) -> str:
    if not methods:
        return "No API methods found."
    rows = []
    previous_api = None
    for method in sorted(methods, key=lambda m: (str(m["region"]), str(m["api_name"]), str(m["api_id"]),
                                                 str(m["path"]), str(m["method"]))):
        api = (method["region"], method["api_id"])
        auth = _AUTH_SHORT.get(method["authorization"], method["authorization"])
        rows.append([
            str(method["api_name"]) if api != previous_api else "",
            "?" if method["stages"] is None else ", ".join(method["stages"]) or "-",
            str(method["method"]), str(method["path"]), str(auth) + ("+KEY" if method.get("api_key_required") else ""),
            str(method["authorizer"] or "-"), _TOKEN_SHORT.get(method["token"], method["token"]),
            ", ".join(method["scopes"]) or "-",
            _POLICY_SHORT.get(method.get("policy_decision") or "", "-"), traffic_cell(method.get("traffic")),
            method["verdict"],
            " ".join(rule + ("?" if rule in method.get("undecided", []) else "") for rule in method["findings"]) or "-",
        ])
        previous_api = api
    columns = fit_columns(rows)
    wrapped = [["\n".join(column[index]) for column in columns] for index in range(len(rows))]
    # The header and its rule are rows of their own: tabulate would pad headers by 2 and waste columns.
    used = [_width(column, index) for index, column in enumerate(columns)]
    return str(tabulate([list(HEADERS), ["-" * width for width in used], *wrapped], tablefmt="plain",
                        disable_numparse=True, stralign="left"))


def fit_columns(rows: list[list[str]]) -> list[list[list[str]]]:
    """Each column's cells as lines: as wide as the content, the widest wrappable column narrowed until the
    table fits WIDTH (columns are separated by two spaces)."""
    columns = [[[row[index]] for row in rows] for index in range(len(HEADERS))]
    while sum(_width(column, index) for index, column in enumerate(columns)) + 2 * (len(columns) - 1) > WIDTH:
        slack = [((_width(column, index) - max(low, len(HEADERS[index]))) * _SHRINK_WEIGHT[index], index)
                 for index, (column, low) in enumerate(zip(columns, _NARROWEST, strict=True))
                 if low is not None and _width(column, index) > max(low, len(HEADERS[index]))]
        if not slack:
            break
        index = max(slack)[1]
        limit = _width(columns[index], index) - 1
        columns[index] = [wrap_cell(row[index], limit) for row in rows]
    return columns


def source_words(source: dict[str, Any] | None) -> str | None:
    """Where a finding's resource was written: `template.yaml:42 (MyFunction)`, or `stack shop-prod, MyApi`."""
    if not source:
        return None
    if source.get("file"):
        line = f":{source['line']}" if source.get("line") else ""
        return f"{source['file']}{line} ({source.get('logical_id')})"
    if source.get("stack"):
        return f"stack {source['stack']}, {source.get('logical_id') or '?'}"
    return None


_EVIDENCE = {"confirmed": "confirmed (requests in the last 24 hours, none succeeded)",
             "contradicted": "contradicted (requests in the last 24 hours succeeded)",
             "no-traffic": "no requests in the last 24 hours"}


def traffic_cell(traffic: dict[str, Any] | None) -> str:
    """Requests and error share, compact: `1.2k 3%`; `~` when the figures are the stage's (or API's) totals."""
    if not traffic:
        return "-"
    requests = int(traffic["requests"])
    shown = f"{requests / 1_000_000:.1f}M" if requests >= 1_000_000 else f"{requests / 1000:.1f}k" \
        if requests >= 1000 else str(requests)
    share = f" {round(100 * (traffic['4xx'] + traffic['5xx']) / requests)}%" if requests else ""
    return ("" if traffic["scope"] == "method" else "~") + shown + share


def _width(column: list[list[str]], index: int) -> int:
    return max([len(HEADERS[index]), *(len(line) for cell in column for line in cell)])


def wrap_cell(text: str, width: int) -> list[str]:
    """Lines of at most `width`, broken after a space, hyphen, slash or comma where possible."""
    chunks = re.findall(r"[^ /,-]*[ /,-]|[^ /,-]+$", text) or [text]
    lines = [""]
    for chunk in chunks:
        while len(chunk.rstrip()) > width:  # a chunk too long for any line is cut
            if lines[-1]:
                lines.append("")
            lines[-1], chunk = chunk[:width], chunk[width:]
            lines.append("")
        if len(lines[-1]) + len(chunk.rstrip()) > width and lines[-1]:
            lines.append("")
        lines[-1] += chunk if lines[-1] else chunk.lstrip()
    return [line.rstrip() for line in lines if line.strip()] or [""]


def _findings(findings: list[dict[str, Any]]) -> str:
    if not findings:
        return "No findings."
    blocks = [f"Findings ({len(findings)})"]
    for finding in findings:
        label = finding["severity"].upper() if finding["outcome"] == "fail" else "UNKNOWN"
        new = " NEW" if finding.get("baseline") == "new" else ""
        head = f"{label:<8} {finding['rule']:<9} {_where(finding)}{new}"
        lines = [textwrap.shorten(head, WIDTH, placeholder="…"),
                 *textwrap.wrap(finding["title"], WIDTH, initial_indent="  ", subsequent_indent="  ")]
        where = source_words(finding.get("source"))
        if where:
            lines.append(f"  at {where}")
        if finding.get("evidence"):
            requests = f"; its methods served {finding['requests']} request(s) in the window" \
                if finding.get("requests") else ""
            lines.append(f"  traffic: {_EVIDENCE[finding['evidence']]}{requests}")
        lines += textwrap.wrap(finding["message"], WIDTH, initial_indent="  ", subsequent_indent="  ")
        lines += fix_lines(finding)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def fix_lines(finding: dict[str, Any]) -> list[str]:
    """The fix: its words wrapped, then each command broken only with shell continuations, so it still pastes."""
    fix, commands = finding.get("fix"), finding.get("commands")
    if fix is None and commands is None:  # a report written before fixes had their own fields
        fix, commands = finding.get("remediation") or "", []
    lines = textwrap.wrap(f"fix: {fix}", WIDTH, initial_indent="  ", subsequent_indent="    ") if fix else []
    for command in commands or []:
        lines += shell_lines(command, WIDTH, "    ")
    return lines


def _where(finding: dict[str, Any]) -> str:
    parts = []
    if finding.get("api_id"):
        parts.append(f"{finding['api_name']} ({finding['api_id']})")
    if finding.get("method"):
        parts.append(f"{finding['method']} {finding['path']}")
    if finding.get("authorizer"):
        parts.append(f"authorizer {finding['authorizer']}")
    if finding.get("stage"):
        parts.append(f"stage {finding['stage']}")
    if finding.get("pool_id") and not finding.get("api_id"):
        parts.append(f"pool {finding['pool_id']}")
    if finding.get("client_id"):
        parts.append(f"client {finding['client_id']}")
    parts.append(str(finding.get("region") or ""))
    return "  ".join(part for part in parts if part)


def _errors(errors: list[dict[str, Any]]) -> str:
    lines = [f"Could not read ({len(errors)}): the checks that needed these are marked unknown"]
    for error in errors:
        needs = f" (needs {error['iam_action']})" if error.get("iam_action") else ""
        text = f"{error.get('region') or '-'}  {error['service']}:{error['operation']}{needs}: {error['message']}"
        lines += textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


def _summary_line(report: dict[str, Any]) -> str:
    summary = report["summary"]
    verdicts = ", ".join(f"{count} {name}" for name, count in summary["verdicts"].items() if count) or "none"
    severities = ", ".join(f"{count} {name}" for name, count in summary["findings"].items() if count) or "none"
    unknown = f", {summary['unknown']} undecided" if summary["unknown"] else ""
    unknown += f", {summary['suppressed']} suppressed" if summary.get("suppressed") else ""
    unknown += f", {summary['new']} new since the baseline" if summary.get("new") is not None else ""
    turned_away = (f" The failing methods turned away {summary['turned_away']} request(s) in the traffic window."
                   if summary.get("turned_away") else "")
    return "\n".join(textwrap.wrap(f"{summary['methods']} method(s) in {summary['apis']} API(s): {verdicts}. "
                                   f"Findings: {severities}{unknown}.{turned_away} {report['calls']} AWS calls.",
                                   WIDTH))
