"""The scan pipeline: collect (or load) a snapshot, build facts, judge them with rules, build the report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from .access.matrix import Cell, blocked, build_matrix, callers_passing
from .collect.calls import CallLog
from .collect.faults import Faults
from .collect.fleet import (
    ProgressListener,
    account_ids,
    collect_fleet,
    open_targets,
    parse_accounts,
    parse_shard,
    plan_regions,
)
from .collect.garbage import fewer_collections
from .collect.session import Clients, resolve_regions
from .errors import UsageError
from .files import write_text
from .json_stream import members_of
from .judgement import Judgement, check_filters, judge_shaped, judge_snapshot, select
from .model.normalize import normalize_snapshot
from .report import build_report, merge_reports, report_part
from .rules.loader import Rule
from .schema.snapshot import SCHEMA as SNAPSHOT_SCHEMA
from .schema.snapshot import SNAPSHOTS_SCHEMA
from .spool import PartSink, ReportSpool
from .templates.placeholders import placeholder_swaps
from .traffic_window import TRAFFIC_DAYS
from .units import unit_snapshots
from .workers import judge_all


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
    traffic_days: int | None = TRAFFIC_DAYS  # None: no traffic read
    max_rps: dict[str, float] = field(default_factory=dict)  # request rates above AWS's default quotas


@fewer_collections()
def scan_fleet(base: boto3.Session, options: FleetOptions, api_filter: list[str] | None, stage_filter: str | None,
               rules: list[Rule], progress: ProgressListener | None = None,
               faults: Faults | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(snapshots, report): every (account, region) unit of this shard, collected concurrently and judged; when
    `faults` stops the scan (a deadline, a signal), what was collected is judged and an error says what was not."""
    fleet = collect(base, options, api_filter, stage_filter, progress, faults)
    reports = [judge(snapshot, api_filter, stage_filter, rules) for snapshot in fleet.snapshots]
    report = merge_reports(reports, errors=fleet.errors, notes=fleet.notes)
    report["calls"] += fleet.calls
    return fleet.snapshots, report


def scan_fleet_into(spool: ReportSpool, base: boto3.Session, options: FleetOptions, api_filter: list[str] | None,
                    stage_filter: str | None, rules: list[Rule], progress: ProgressListener | None = None,
                    faults: Faults | None = None, keep: bool = False, policies: list[str] | None = None,
                    jobs: int = 1) -> list[dict[str, Any]]:
    """scan_fleet, its report put together in `spool` unit by unit, accounts judged by `jobs` processes (workers.py;
    `policies`: where their rules come from); an account's snapshot is let go once judged (unless `keep`:
    --save-snapshot writes them). Returns the snapshots kept."""
    fleet = collect(base, options, api_filter, stage_filter, progress, faults)
    kept = list(fleet.snapshots) if keep else []

    def handed_over() -> Iterator[dict[str, Any]]:
        while fleet.snapshots:
            yield fleet.snapshots.pop(0)
    with fewer_collections():
        judge_all(spool, handed_over(), judge_into, api_filter, stage_filter, rules, policies, jobs)
    spool.scan_notes += fleet.notes
    spool.add_errors(fleet.errors)
    spool.calls += fleet.calls
    return kept


@dataclass
class Fleet:
    """What a fleet scan collected: each account's snapshot, and what the scan itself says (its errors and notes,
    the calls made outside the accounts' units)."""

    snapshots: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    notes: list[str]
    calls: int


def collect(base: boto3.Session, options: FleetOptions, api_filter: list[str] | None, stage_filter: str | None,
            progress: ProgressListener | None = None, faults: Faults | None = None) -> Fleet:
    """Every (account, region) unit of this shard, collected concurrently; --api and --stage checked against what
    exists."""
    faults = faults or Faults()
    if options.concurrency < 1:
        raise UsageError(f"--concurrency {options.concurrency}: expected a whole number of at least 1")
    shard = parse_shard(options.shard)
    listed = parse_accounts(options.accounts)  # a bad --accounts is a usage error before any AWS call
    log = CallLog(faults=faults)
    if options.regions or not (base.region_name or options.all_regions):
        home = resolve_regions(base, options.regions)[0]  # checks --region; says how to give one if none
    else:
        home = base.region_name or "us-east-1"
    own = Clients(base, log).account_id(home)
    wanted = account_ids(base, listed, bool(options.accounts), options.organization, log)
    targets = open_targets(base, wanted, options.role_name, options.external_id, own, options.concurrency)
    plan_regions(targets, options.regions, options.all_regions, log)
    result = collect_fleet(targets, api_filter, options.concurrency, shard, progress, options.traffic_days, faults,
                           options.max_rps)
    if shard is None:
        check_filters(_combined(result.snapshots), api_filter, stage_filter)
    # An account's notes travel in its snapshot; those of accounts with no snapshot (no units) are kept here.
    scanned = {snapshot.get("account") for snapshot in result.snapshots}
    notes = [note for target in targets if target.account not in scanned for note in target.notes]
    if shard is not None and not result.units:
        notes.append(f"shard {shard.index}/{shard.count} holds none of the {result.planned} (account, region) "
                     "units: nothing was scanned in this shard")
    errors = result.errors + [{"account": own, **e} for e in log.errors]
    if faults.stopping:
        errors.append(stop_error(own, faults, result.not_made + log.not_made, result.not_started))
    return Fleet(result.snapshots, errors, notes, log.total)


def judge_into(spool: PartSink, snapshot: dict[str, Any], api_filter: list[str] | None,
               stage_filter: str | None, rules: list[Rule]) -> None:
    """One account's snapshot judged unit by unit (units.py) into the spool: each unit's facts, findings and
    matrix are let go once its rows, findings and chains are written there."""
    shaped = select(normalize_snapshot(snapshot), api_filter, stage_filter)
    spool.add_account(shaped)
    for unit in unit_snapshots(shaped):
        judged = judge_shaped(unit, stage_filter, rules)
        cells = build_matrix(judged.facts, judged.index)
        part = report_part(judged.facts, judged.reported, callers_passing(cells), attached=False)
        part.written_as = placeholder_swaps(shaped)  # a template's: its findings name what the template writes
        spool.add_part(shaped.get("account"), part)


def stop_error(account: str, faults: Faults, not_made: int, not_started: list[str]) -> dict[str, Any]:
    """The error entry of a scan that was stopped: why, and what it did not read."""
    units = f"; (account, region) units not started: {', '.join(not_started)}" if not_started else ""
    return {"account": account, "region": None, "service": "apigw-scan", "operation": "Stop", "iam_action": None,
            "message": f"the scan was stopped: {faults.reason}; {not_made} call(s) not made{units}; what was "
                       "collected is judged, the rest is unknown"}


def _combined(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rest_apis": [a for s in snapshots for a in s.get("rest_apis") or []],
            "http_apis": [a for s in snapshots for a in s.get("http_apis") or []],
            "apis_listed": [a for s in snapshots for a in s.get("apis_listed") or []],
            "errors": [e for s in snapshots for e in s.get("errors") or []],
            "regions": sorted({r for s in snapshots for r in s.get("regions") or []})}


def judge(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None,
          rules: list[Rule]) -> dict[str, Any]:
    """The report for a snapshot, collected or loaded (its shape is checked first: never an exception), narrowed
    to what --api and --stage select."""
    return assess(snapshot, api_filter, stage_filter, rules).report


@dataclass
class Assessment:
    report: dict[str, Any]
    cells: list[Cell]  # the access matrix: method x stage x caller
    judgement: Judgement  # the facts and every finding (the design rules' too) both are views of


def assess(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None, rules: list[Rule],
           clients: list[str] | None = None) -> Assessment:
    """The report and the access matrix of a snapshot (`clients`: only the token callers of these app clients)."""
    judged = judge_snapshot(snapshot, api_filter, stage_filter, rules)
    cells = build_matrix(judged.facts, judged.index, clients)
    return Assessment(build_report(judged.snapshot, judged.facts, judged.reported, callers_passing(cells)), cells,
                      judged)


def save_snapshot(snapshots: list[dict[str, Any]], path: str) -> None:
    """One snapshot as it is; several (accounts) in a list."""
    document: Any = snapshots[0] if len(snapshots) == 1 else {"schema": SNAPSHOTS_SCHEMA, "snapshots": snapshots}
    write_text(json.dumps(document, indent=1, sort_keys=True, default=str), path, "--save-snapshot")


def load_snapshots(path: str) -> list[dict[str, Any]]:
    """The snapshots written by --save-snapshot, checked enough to judge them."""
    return list(stream_snapshots(path))


def stream_snapshots(path: str) -> Iterator[dict[str, Any]]:
    """The snapshots written by --save-snapshot, read one account at a time (a file of several holds them in its
    `snapshots` list), checked enough to judge them."""
    what = "a JSON snapshot (it may be half-written)"
    single: dict[str, Any] = {}
    several = False
    for key, value in members_of(path, "--snapshot", what, frozenset({"snapshots"})):
        if key == "snapshots" and not isinstance(value, (dict, list, str, int, float, bool, type(None))):
            several = True
            for snapshot in value:
                if isinstance(snapshot, dict):
                    yield snapshot
        else:
            single[key] = value
    if several and single.get("schema") == SNAPSHOTS_SCHEMA:
        return
    if several or single.get("schema") != SNAPSHOT_SCHEMA:
        raise UsageError(f"--snapshot {path}: expected a file written by `apigw-scan scan --save-snapshot` "
                         f"(schema {SNAPSHOT_SCHEMA})")
    yield single


def judge_snapshots(snapshots: list[dict[str, Any]], api_filter: list[str] | None, stage_filter: str | None,
                    rules: list[Rule]) -> dict[str, Any]:
    """The report of saved snapshots, filtered as a live scan is; it made no AWS call."""
    check_filters(_combined([normalize_snapshot(s) for s in snapshots]), api_filter, stage_filter)
    report = merge_reports([judge(snapshot, api_filter, stage_filter, rules) for snapshot in snapshots])
    report["calls"] = 0
    return report


def judge_snapshots_into(spool: ReportSpool, snapshots: Iterable[dict[str, Any]], api_filter: list[str] | None,
                         stage_filter: str | None, rules: list[Rule], policies: list[str] | None = None,
                         jobs: int = 1) -> None:
    """judge_snapshots, the snapshots read and judged one at a time into `spool` (by `jobs` processes); --api and
    --stage are checked against what the snapshots held once all were read (before anything is written)."""
    seen: list[dict[str, Any]] = []

    def noted() -> Iterator[dict[str, Any]]:
        for snapshot in snapshots:
            seen.append(_filter_view(normalize_snapshot(snapshot)) if api_filter or stage_filter else {})
            yield snapshot
    with fewer_collections():
        judge_all(spool, noted(), judge_into, api_filter, stage_filter, rules, policies, jobs)
    if api_filter or stage_filter:
        check_filters(_combined(seen), api_filter, stage_filter)
    spool.calls = 0


def _filter_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What check_filters reads of a snapshot: its APIs' IDs, names and stage names, what was listed and failed."""
    def light(api: dict[str, Any]) -> dict[str, Any]:
        stages = api.get("stages")
        return {"id": api.get("id"), "name": api.get("name"), "stages": None if stages is None else [
            {"stageName": stage.get("stageName") or stage.get("StageName")} for stage in stages]}
    return {"rest_apis": [light(api) for api in snapshot.get("rest_apis") or []],
            "http_apis": [light(api) for api in snapshot.get("http_apis") or []],
            "apis_listed": snapshot.get("apis_listed") or [],
            "errors": [{"operation": error.get("operation")} for error in snapshot.get("errors") or []],
            "regions": snapshot.get("regions") or []}


def matrix_of(snapshots: list[dict[str, Any]], api_filter: list[str] | None, stage_filter: str | None,
              rules: list[Rule], clients: list[str] | None) -> tuple[list[Cell], list[dict[str, Any]]]:
    """The access matrix of collected or saved snapshots (each judged as the scan judges it), and its methods no
    caller gets through."""
    cells: list[Cell] = []
    stuck: list[dict[str, Any]] = []
    for snapshot in snapshots:
        assessed = assess(snapshot, api_filter, stage_filter, rules, clients)
        cells += assessed.cells
        stuck += blocked(assessed.cells, assessed.judgement.index)
    return cells, stuck
