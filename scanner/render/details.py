"""The findings' detail on a terminal: by default the critical and high ones grouped by cause, each with its fix and
the commands it names (those of its first place); with `--details all` every finding with its fix commands."""

from __future__ import annotations

from typing import Any

from ..arns import readable
from ..templates.placeholders import as_written
from .colour import Palette
from .groups import Causes, FindingGroup, severity_rank
from .shell_lines import shell_lines
from .width import shorten, wrap
from .words import findings_tally, tally_words

MOST_PLACES = 4  # places named in a group before "+N more"
_EVIDENCE = {"confirmed": "confirmed (requests in the last 24 hours, none succeeded)",
             "contradicted": "contradicted (requests in the last 24 hours succeeded)",
             "no-traffic": "no requests in the last 24 hours"}


def source_words(source: dict[str, Any] | None) -> str | None:
    """Where a finding's resource was written: `template.yaml:42 (MyFunction)`, `main.tf:42
    (aws_api_gateway_method.get)`, or `stack shop-prod, MyApi`."""
    if not source:
        return None
    if source.get("file"):
        line = f":{source['line']}" if source.get("line") else ""
        return f"{source['file']}{line} ({source.get('address') or source.get('logical_id')})"
    if source.get("stack"):
        return f"stack {source['stack']}, {source.get('logical_id') or '?'}"
    return None


def label(finding: dict[str, Any]) -> str:
    """CRITICAL … INFO for a failed check, UNDECIDED for one that could not be decided."""
    return str(finding["severity"]).upper() if finding["outcome"] == "fail" else "UNDECIDED"


def shown_findings(findings: list[dict[str, Any]], min_severity: str) -> list[dict[str, Any]]:
    return [f for f in findings if severity_rank(f["severity"]) <= severity_rank(min_severity)]


def grouped_detail(findings: list[dict[str, Any]], min_severity: str, width: int, paint: Palette,
                   with_account: bool = False) -> str:
    """Heading, then one block per cause: where, the title, the first message, how many places alike, the fix."""
    causes = Causes()
    for finding in shown_findings(findings, min_severity):
        causes.add(finding)
    return causes_detail(causes, len(findings) - causes.findings, min_severity, width, paint, with_account)


def causes_detail(causes: Causes, lower: int, min_severity: str, width: int, paint: Palette,
                  with_account: bool = False) -> str:
    """The findings at or above `min_severity` by cause (`lower`: how many others there are); when only the first
    causes were kept, a last line says how many more there are and where they are."""
    if not causes.findings:
        return ""
    heading = (f"{'Critical and high' if min_severity == 'high' else 'At or above ' + min_severity} findings by "
               f"cause: {causes.count} cause(s), {tally_words(causes.decided, causes.findings - causes.decided)}"
               + (f"; {lower} lower not shown (--details all, or --format html)" if lower else ""))
    blocks = ["\n".join(paint(line, "heading") for line in wrap(heading, width))]
    for group in causes.groups.values():
        blocks.append("\n".join(_group_lines(group, width, paint, with_account)))
    if causes.others:
        blocks.append("\n".join(wrap(f"… and {len(causes.others)} more cause(s) after these {len(causes.groups)}: "
                                     "--format json or csv lists every finding, --html groups them all", width)))
    return "\n\n".join(blocks)


def _group_lines(group: FindingGroup, width: int, paint: Palette, with_account: bool) -> list[str]:
    first = group.first
    head = f"{label(first):<9} {group.rule:<9} {where(first, False, with_account)}" + new_mark(group.members)
    lines = [paint(shorten(head, width), first["severity"] if first["outcome"] == "fail" else "unknown"),
             *wrap(group.title, width, "  ")]
    places = group.places()
    if len(places) > 1 or (places and len(group.members) > 1):
        named = ", ".join(places[:MOST_PLACES]) + (f" +{len(places) - MOST_PLACES} more" if
                                                   len(places) > MOST_PLACES else "")
        lines += wrap(f"on {len(places)}: {named}", width, "  ", "    ")
    elif places:
        lines += wrap(f"on {places[0]}", width, "  ", "    ")
    at = source_words(first.get("source"))
    if at:
        lines += wrap(f"at {at}", width, "  ", "    ")
    messages = group.messages()
    lines += wrap(messages[0] + (f" (and {len(messages) - 1} more alike)" if len(messages) > 1 else ""), width, "  ")
    lines += fix_lines(first, width)
    others = [member for member in group.members[1:] if member.get("commands")
              and member["commands"] != first.get("commands")]
    if others:
        lines += wrap(f"(the commands for the {len(others)} other place(s): --details all)", width, "    ")
    return lines


def new_mark(members: list[dict[str, Any]]) -> str:
    """` NEW` when every finding of a group is new since the baseline, ` 2 NEW` when some are, else nothing."""
    return new_words(sum(1 for member in members if member.get("baseline") == "new"), len(members))


def new_words(new: int, members: int) -> str:
    return "" if not new else " NEW" if new == members else f" {new} NEW"


def full_detail(findings: list[dict[str, Any]], min_severity: str, width: int, paint: Palette,
                with_account: bool = False) -> str:
    """Every finding at or above `min_severity`, one block each, with its fix commands ready to paste."""
    shown = shown_findings(findings, min_severity)
    if not findings:
        return "No findings."
    heading = f"Findings: {findings_tally(shown)}" + (f"; {len(findings) - len(shown)} lower not shown"
                                                     if len(shown) < len(findings) else "")
    blocks = ["\n".join(paint(line, "heading") for line in wrap(heading, width))]
    for finding in shown:
        new = " NEW" if finding.get("baseline") == "new" else ""
        head = f"{label(finding):<9} {finding['rule']:<9} {where(finding, True, with_account)}{new}"
        lines = [paint(shorten(head, width), finding["severity"] if finding["outcome"] == "fail" else "unknown"),
                 *wrap(str(finding["title"]), width, "  ")]
        at = source_words(finding.get("source"))
        if at:
            lines += wrap(f"at {at}", width, "  ", "    ")
        if finding.get("evidence"):
            requests = f"; its methods served {finding['requests']} request(s) in the window" \
                if finding.get("requests") else ""
            lines += wrap(f"traffic: {_EVIDENCE[finding['evidence']]}{requests}", width, "  ", "    ")
        lines += wrap(str(finding["message"]), width, "  ")
        lines += fix_lines(finding, width)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def fix_lines(finding: dict[str, Any], width: int) -> list[str]:
    """The fix: its words wrapped, then each command broken only with shell continuations, so it still pastes."""
    fix, commands = finding.get("fix"), finding.get("commands")
    if fix is None and commands is None:  # a report written before fixes had their own fields
        fix, commands = finding.get("remediation") or "", []
    lines = wrap(f"fix: {fix}", width, "  ", "    ") if fix else []
    for command in commands or []:
        lines += shell_lines(command, width, "    ")
    return lines


def where(finding: dict[str, Any], inside: bool = True, with_account: bool = False) -> str:
    """`shop (a1b2c3d4e5)  GET /orders  us-east-1`; without `inside`, only the API (or pool) and the region."""
    parts = []
    if finding.get("account") and with_account:
        parts.append(str(finding["account"]))
    if finding.get("api_id"):
        parts.append(f"{finding['api_name']} ({finding['api_id']})")
    if inside:
        if finding.get("method"):
            parts.append(f"{finding['method']} {finding['path']}")
        if finding.get("authorizer"):
            parts.append(f"authorizer {finding['authorizer']}")
        if finding.get("stage"):
            parts.append(f"stage {finding['stage']}")
    if finding.get("pool_id") and not finding.get("api_id"):
        parts.append(f"pool {finding['pool_id']}")
    if inside and finding.get("client_id"):
        parts.append(f"client {finding['client_id']}")
    if finding.get("endpoint") and not finding.get("api_id"):
        parts.append(f"endpoint {finding['endpoint']}")
    parts.append(str(finding.get("region") or ""))
    return as_written(readable("  ".join(part for part in parts if part)))  # left to deployment: `[unknown: why]`
