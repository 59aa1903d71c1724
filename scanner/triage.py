"""Cron audits: a baseline report marks findings new or unchanged; a suppression file hides accepted ones."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import UsageError
from .files import read_json
from .findings import Finding
from .model.wildcards import wildcard_match
from .report import REPORT_SCHEMA, attach, recount, resource_of
from .rules.loader import SEVERITIES

IDENTITY = ("rule", "account", "region", "api_id", "path", "method", "stage", "pool_id", "client_id", "authorizer")


def finding_key(finding: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(finding.get(field) for field in IDENTITY)


def load_report(path: str, option: str) -> dict[str, Any]:
    """A JSON report (of `scan --format json`, or written by hand after the contract's example), its shape checked
    field by field and what older or hand-written reports leave out filled in."""
    report = read_json(path, option, "a JSON report")
    if not isinstance(report, dict) or report.get("schema") != REPORT_SCHEMA:
        raise UsageError(f"{option} {path}: expected a report written by `apigw-scan scan --format json` "
                         f"(schema {REPORT_SCHEMA})")

    for key in LISTS:
        if key in report and not isinstance(report[key], list):
            raise report_error(path, option, key, "a list")
    for number, method in enumerate(report.get("methods") or []):
        check_method(method, number, path, option)
    for number, finding in enumerate(report.get("findings") or []):
        check_finding(finding, number, path, option)
    # Typed findings, what the contract's example leaves out filled in as the scanner would have written it.
    for key in ("findings", "suppressed", "fixed"):
        if key in report:
            report[key] = [typed(finding) for finding in report[key]]
    return report


LISTS = ("methods", "findings", "errors", "notes", "accounts", "regions", "suppressed", "fixed")


def report_error(path: str, option: str, field: str, expected: str) -> UsageError:
    return UsageError(f"{option} {path}: field '{field}': expected {expected}")


def check_method(method: Any, number: int, path: str, option: str) -> None:
    """A report's method row has the fields a merge reads."""
    if not isinstance(method, dict):
        raise report_error(path, option, f"methods[{number}]", "an object")
    for field in ("region", "api_id", "path", "method"):
        if not isinstance(method.get(field), str):
            raise report_error(path, option, f"methods[{number}].{field}", "a string")
    if "findings" in method and not isinstance(method["findings"], list):
        raise report_error(path, option, f"methods[{number}].findings", "a list of rule IDs")


def check_finding(finding: Any, number: int, path: str, option: str) -> None:
    """A report's finding has a rule, a severity and string places."""
    where = f"findings[{number}]"
    if not isinstance(finding, dict):
        raise report_error(path, option, where, "an object")
    if not isinstance(finding.get("rule"), str):
        raise report_error(path, option, f"{where}.rule", "a rule ID (a string)")
    if finding.get("severity") not in SEVERITIES:
        raise report_error(path, option, f"{where}.severity", f"one of {', '.join(SEVERITIES)}")
    for field in ("title", "message", "remediation", "region", "api_id", "api_name", "path", "method", "stage",
                  "pool_id", "client_id", "authorizer", "account"):
        if finding.get(field) is not None and not isinstance(finding[field], str):
            raise report_error(path, option, f"{where}.{field}", "a string or null")


def typed(finding: Any) -> Any:
    """A report's finding as a Finding (what the contract's example leaves out filled in as the scanner writes
    it); anything else as it is."""
    if isinstance(finding, dict) and isinstance(finding.get("rule"), str) and finding.get("severity") in SEVERITIES:
        return Finding.from_json(finding)
    return finding


def apply_baseline(report: dict[str, Any], baseline: dict[str, Any]) -> None:
    """Marks each finding `baseline: new|unchanged` and lists the baseline's findings that are gone as `fixed`
    (a finding now suppressed is not gone: it is hidden, and not listed as fixed)."""
    before = {finding_key(f): f for f in baseline.get("findings") or [] if isinstance(f, Mapping)}
    now = {finding_key(f) for f in report["findings"] + (report.get("suppressed") or [])}
    report["findings"] = [finding.replace(baseline="unchanged" if finding_key(finding) in before else "new")
                          for finding in report["findings"]]
    report["fixed"] = [finding for key, finding in before.items() if key not in now]
    recount(report)


def load_suppressions(path: str) -> list[dict[str, Any]]:
    """`[[suppress]]` entries: rule (wildcards allowed), resource (pattern), reason, optional expires (a date)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--ignore {path}: no such file") from None
    except OSError as error:
        raise UsageError(f"--ignore {path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"--ignore {path}: not valid TOML ({error})") from None
    entries = data.get("suppress")
    if not isinstance(entries, list):
        raise UsageError(f"--ignore {path}: expected [[suppress]] entries with rule, resource and reason")
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise UsageError(f"--ignore {path}: suppression {number}: expected a [[suppress]] table with rule, "
                             f"resource and reason, not {entry!r}")
        for field in ("rule", "resource", "reason"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise UsageError(f"--ignore {path}: suppression {number}: field '{field}' is missing (a string)")
        expires = entry.get("expires")
        if expires is not None and not isinstance(expires, datetime.date):
            raise UsageError(f"--ignore {path}: suppression {number}: field 'expires' must be a date (2027-01-31)")
    return entries


def apply_suppressions(report: dict[str, Any], suppressions: list[dict[str, Any]], today: datetime.date) -> None:
    """Moves matching findings to `suppressed` (with the reason); an expired suppression hides nothing."""
    active, notes = active_suppressions(suppressions, today)
    report["notes"] += notes
    kept: list[Finding] = []
    hidden: list[Finding] = []
    for finding in report["findings"]:
        suppressed_by = suppression_of(finding, active)
        if suppressed_by is None:
            kept.append(finding)
        else:
            hidden.append(finding.replace(suppressed_by=suppressed_by))
    report["findings"] = kept
    report["suppressed"] = report.get("suppressed", []) + hidden
    attach(report["methods"], kept)
    recount(report)


def active_suppressions(suppressions: list[dict[str, Any]], today: datetime.date) -> tuple[list[dict[str, Any]],
                                                                                          list[str]]:
    """The suppressions that still hide findings, and a note for each expired one."""
    active, notes = [], []
    for entry in suppressions:
        expires = entry.get("expires")
        if isinstance(expires, datetime.datetime):
            expires = expires.date()
        if expires is not None and expires < today:
            notes.append(f"suppression of {entry['rule']} on {entry['resource']} expired on {expires}: it no longer "
                         "hides anything")
        else:
            active.append(entry)
    return active, notes


def suppression_of(finding: Mapping[str, Any], active: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the first active suppression that matches a finding says (`suppressed_by`), or None."""
    resource = resource_of(finding)
    for entry in active:
        if wildcard_match(entry["rule"], finding["rule"]) and wildcard_match(entry["resource"], resource):
            return {"reason": entry["reason"], "resource": entry["resource"],
                    "expires": str(entry.get("expires") or "")}
    return None
