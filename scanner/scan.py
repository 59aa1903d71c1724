"""The scan pipeline: collect (or load) a snapshot, build facts, judge them with rules, build the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from .collect.account import SNAPSHOT_SCHEMA, collect_account
from .collect.session import resolve_regions
from .errors import UsageError
from .model.facts import build_facts
from .model.normalize import normalize_snapshot
from .report import build_report
from .rules.engine import evaluate
from .rules.loader import Rule


def scan_account(session: boto3.Session, regions: list[str] | None, api_filter: list[str] | None,
                 stage_filter: str | None, rules: list[Rule]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(snapshot, report) for the live account behind `session`."""
    chosen = resolve_regions(session, regions)
    snapshot = collect_account(session, chosen, api_filter)
    check_filters(snapshot, api_filter, stage_filter)
    return snapshot, judge(snapshot, stage_filter, rules)


def judge(snapshot: dict[str, Any], stage_filter: str | None, rules: list[Rule]) -> dict[str, Any]:
    """The report for a snapshot, collected or loaded (its shape is checked first: never an exception)."""
    shaped = normalize_snapshot(snapshot)
    facts = build_facts(shaped, stage_filter)
    return build_report(shaped, facts, evaluate(rules, facts))


def check_filters(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None) -> None:
    """An --api or --stage that matches nothing is a usage error that lists what does exist."""
    apis = (snapshot.get("rest_apis") or []) + (snapshot.get("http_apis") or [])
    if api_filter:
        found = {name for api in apis for name in (api.get("id"), api.get("name"))}
        missing = [wanted for wanted in api_filter if wanted not in found]
        listing_failed = any(e.get("operation") in ("GetRestApis", "GetApis") for e in snapshot.get("errors") or [])
        if missing and not listing_failed:
            available = ", ".join(snapshot.get("apis_listed") or []) or "none"
            raise UsageError(f"--api {', '.join(missing)}: no API with that name or ID in "
                             f"{', '.join(snapshot.get('regions') or [])} (APIs there: {available})")
    if stage_filter and apis:
        stages = sorted({stage.get("stageName") or stage.get("StageName") for api in apis
                         for stage in api.get("stages") or []})
        if stage_filter not in stages:
            raise UsageError(f"--stage {stage_filter}: no scanned API has that stage "
                             f"(stages: {', '.join(stages) or 'none'})")


def save_snapshot(snapshot: dict[str, Any], path: str) -> None:
    try:
        Path(path).write_text(json.dumps(snapshot, indent=1, sort_keys=True, default=str), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--save-snapshot {path}: cannot be written ({error.strerror})") from None


def load_snapshot(path: str) -> dict[str, Any]:
    """A snapshot written by --save-snapshot, checked enough to judge it."""
    try:
        snapshot = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"--snapshot {path}: cannot be read ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(f"--snapshot {path}: not a JSON snapshot (it may be half-written: {error})") from None
    if not isinstance(snapshot, dict) or snapshot.get("schema") != SNAPSHOT_SCHEMA:
        raise UsageError(f"--snapshot {path}: expected a file written by `apigw-scan scan --save-snapshot` "
                         f"(schema {SNAPSHOT_SCHEMA})")
    return snapshot
