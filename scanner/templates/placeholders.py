"""The stand-ins a template scan gives AWS::AccountId and AWS::Region when --account and --region are not given, and
the report that never shows them: a finding names them as the template writes them (${AWS::AccountId})."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# With neither --region nor --account, pseudo parameters get placeholders shaped like real ones.
PLACEHOLDER_REGION = "xx-template-1"
PLACEHOLDER_ACCOUNT = "000000000000"
_TEXTS = ("title", "message", "fix", "remediation")


def named_placeholders(findings: list[Any], snapshot: Mapping[str, Any]) -> list[Any]:
    """The findings of a snapshot anew, their texts with the placeholders it was given (a template's or a Terraform
    configuration's, when --account or --region were not) written as the template's pseudo parameters, and their
    account left out when it is the placeholder. Other snapshots' findings are returned as they are."""
    swaps = placeholder_swaps(snapshot)
    return [written_as_template(finding, swaps) for finding in findings] if swaps else findings


def placeholder_swaps(snapshot: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a snapshot's findings write instead of its placeholders (none when --account and --region were given,
    or the snapshot is an account's)."""
    return [(PLACEHOLDER_ACCOUNT, "${AWS::AccountId}")] * (snapshot.get("account") == PLACEHOLDER_ACCOUNT) + \
        [(PLACEHOLDER_REGION, "${AWS::Region}")] * (PLACEHOLDER_REGION in (snapshot.get("regions") or []))


def written_as_template(finding: Any, swaps: list[tuple[str, str]]) -> Any:
    """A new finding (a Finding, or its JSON object) with the placeholders of `swaps` written as the template's
    pseudo parameters."""
    if not swaps:
        return finding
    changes: dict[str, Any] = {key: _swapped(finding[key], swaps) for key in _TEXTS
                               if isinstance(finding.get(key), str)}
    changes["commands"] = tuple(_swapped(str(command), swaps) for command in finding.get("commands") or [])
    if finding.get("account") == PLACEHOLDER_ACCOUNT and swaps[0][0] == PLACEHOLDER_ACCOUNT:
        changes["account"] = None
    if isinstance(finding, dict):
        return {**finding, **changes, "commands": list(changes["commands"])}
    return finding.replace(**changes)


def as_written(text: str) -> str:
    """A place's words (a header naming a region or a pool) with the stand-ins written as the template's pseudo
    parameters, as its findings' texts are."""
    return _swapped(text, [(PLACEHOLDER_ACCOUNT, "${AWS::AccountId}"), (PLACEHOLDER_REGION, "${AWS::Region}")])


def _swapped(text: str, swaps: list[tuple[str, str]]) -> str:
    for placeholder, written in swaps:
        text = text.replace(placeholder, written)
    return text
