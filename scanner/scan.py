"""The scan pipeline: collect (or load) a snapshot, build facts, judge them with rules, build the report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from .collect.calls import CallLog
from .collect.fleet import ProgressListener, account_ids, collect_fleet, open_targets, parse_shard, plan_regions
from .collect.session import Clients, resolve_regions
from .errors import UsageError
from .files import read_json
from .model.facts import build_facts
from .model.normalize import normalize_snapshot
from .report import build_report, merge_reports
from .rules.engine import evaluate
from .rules.loader import Rule
from .schema.snapshot import SCHEMA as SNAPSHOT_SCHEMA
from .schema.snapshot import SNAPSHOTS_SCHEMA


@dataclass
class FleetOptions:
    """Which accounts and regions a scan covers, and how it spreads the work."""

    regions: list[str] | None = None
    all_regions: bool = False
    accounts: str | None = None
    organization: bool = False
    role_name: str | None = None
    external_id: str | None = None
    concurrency: int = 16
    shard: str | None = None


def scan_fleet(base: boto3.Session, options: FleetOptions, api_filter: list[str] | None, stage_filter: str | None,
               rules: list[Rule],
               progress: ProgressListener | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(snapshots, report): every (account, region) unit of this shard, collected concurrently and judged."""
    if options.concurrency < 1:
        raise UsageError(f"--concurrency {options.concurrency}: expected a whole number of at least 1")
    shard = parse_shard(options.shard)
    log = CallLog()
    if options.regions or not (base.region_name or options.all_regions):
        home = resolve_regions(base, options.regions)[0]  # checks --region; says how to give one if none
    else:
        home = base.region_name or "us-east-1"
    own = Clients(base, log).account_id(home)
    wanted = account_ids(base, options.accounts, options.organization, log)
    targets = open_targets(base, wanted, options.role_name, options.external_id, own, options.concurrency)
    plan_regions(targets, options.regions, options.all_regions, log)
    result = collect_fleet(targets, api_filter, options.concurrency, shard, progress)
    if shard is None:
        check_filters(_combined(result.snapshots), api_filter, stage_filter)
    reports = [judge(snapshot, stage_filter, rules) for snapshot in result.snapshots]
    # An account's notes travel in its snapshot; those of accounts with no snapshot (no units) are kept here.
    scanned = {snapshot.get("account") for snapshot in result.snapshots}
    notes = [note for target in targets if target.account not in scanned for note in target.notes]
    report = merge_reports(reports, errors=result.errors + [{"account": own, **e} for e in log.errors], notes=notes)
    report["calls"] += log.total
    return result.snapshots, report


def _combined(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rest_apis": [a for s in snapshots for a in s.get("rest_apis") or []],
            "http_apis": [a for s in snapshots for a in s.get("http_apis") or []],
            "apis_listed": [a for s in snapshots for a in s.get("apis_listed") or []],
            "errors": [e for s in snapshots for e in s.get("errors") or []],
            "regions": sorted({r for s in snapshots for r in s.get("regions") or []})}


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


def save_snapshot(snapshots: list[dict[str, Any]], path: str) -> None:
    """One snapshot as it is; several (accounts) in a list."""
    document: Any = snapshots[0] if len(snapshots) == 1 else {"schema": SNAPSHOTS_SCHEMA, "snapshots": snapshots}
    try:
        Path(path).write_text(json.dumps(document, indent=1, sort_keys=True, default=str), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--save-snapshot {path}: cannot be written ({error.strerror})") from None


def load_snapshots(path: str) -> list[dict[str, Any]]:
    """The snapshots written by --save-snapshot, checked enough to judge them."""
    snapshot = read_json(path, "--snapshot", "a JSON snapshot (it may be half-written)")
    if isinstance(snapshot, dict) and snapshot.get("schema") == SNAPSHOTS_SCHEMA \
            and isinstance(snapshot.get("snapshots"), list):
        return [s for s in snapshot["snapshots"] if isinstance(s, dict)]
    if not isinstance(snapshot, dict) or snapshot.get("schema") != SNAPSHOT_SCHEMA:
        raise UsageError(f"--snapshot {path}: expected a file written by `apigw-scan scan --save-snapshot` "
                         f"(schema {SNAPSHOT_SCHEMA})")
    return [snapshot]


def judge_all(snapshots: list[dict[str, Any]], stage_filter: str | None, rules: list[Rule]) -> dict[str, Any]:
    return merge_reports([judge(snapshot, stage_filter, rules) for snapshot in snapshots])
