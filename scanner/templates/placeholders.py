"""The stand-ins a template scan gives AWS::AccountId and AWS::Region when --account and --region are not given, and
the report that never shows them: a finding names them as the template writes them (${AWS::AccountId})."""

from __future__ import annotations

from typing import Any

# With neither --region nor --account, pseudo parameters get placeholders shaped like real ones.
PLACEHOLDER_REGION = "xx-template-1"
PLACEHOLDER_ACCOUNT = "000000000000"
_TEXTS = ("title", "message", "fix", "remediation")


def name_placeholders(report: dict[str, Any], account_given: bool, region_given: bool) -> None:
    """The report's findings anew, their texts with the placeholders written as the template's pseudo parameters
    and their account left out when it is the placeholder."""
    swaps = [(PLACEHOLDER_ACCOUNT, "${AWS::AccountId}")] * (not account_given) + \
        [(PLACEHOLDER_REGION, "${AWS::Region}")] * (not region_given)
    if not swaps:
        return
    report["findings"] = [_named(finding, swaps, account_given) for finding in report.get("findings") or []]


def _named(finding: Any, swaps: list[tuple[str, str]], account_given: bool) -> Any:
    """A new finding (findings are immutable) with the placeholders written as the template's pseudo parameters."""
    changes: dict[str, Any] = {key: _swapped(finding[key], swaps) for key in _TEXTS
                               if isinstance(finding.get(key), str)}
    changes["commands"] = tuple(_swapped(str(command), swaps) for command in finding.get("commands") or [])
    if finding.get("account") == PLACEHOLDER_ACCOUNT and not account_given:
        changes["account"] = None
    return finding.replace(**changes)


def _swapped(text: str, swaps: list[tuple[str, str]]) -> str:
    for placeholder, written in swaps:
        text = text.replace(placeholder, written)
    return text
