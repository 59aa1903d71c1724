"""The run a command asks for: its snapshots collected from AWS, read from --snapshot or built from --template or
--terraform/--terraform-plan, then judged; the saved snapshot, the suppressions and the baseline around it."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .arguments import MOST_JOBS, template_parameters, terraform_given, terraform_variables
from .collect.calls import CallLog
from .collect.faults import CALL_TIMEOUT, Faults
from .collect.pacing import parse_max_rps
from .collect.regions import listed_regions, unlisted_words
from .collect.session import Clients, open_session, resolve_regions
from .collect.stopping import parse_duration, stop_on
from .errors import UsageError
from .render.progress import Progress, progress_mode
from .rules.loader import Rule
from .scan import (
    FleetOptions,
    judge_snapshots,
    judge_snapshots_into,
    load_snapshots,
    save_snapshot,
    scan_fleet,
    scan_fleet_into,
    stream_snapshots,
)
from .spool import ReportSpool
from .spool import Triage as SpoolTriage
from .templates.external import open_resolve_session, read_exports, resolve_outside
from .templates.placeholders import named_placeholders
from .templates.snapshot import TemplateOptions, template_snapshot
from .terraform.assemble import TerraformOptions
from .terraform.snapshot import terraform_snapshot
from .traffic_window import TRAFFIC_DAYS
from .triage import (
    active_suppressions,
    apply_baseline,
    apply_suppressions,
    finding_key,
    load_report,
    load_suppressions,
)
from .workers import available_cpus

Triage = tuple[list[dict[str, Any]] | None, dict[str, Any] | None]  # (suppressions, baseline)


def collected(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The snapshots (collected, or read from --snapshot, or built from --template or Terraform) and their
    report."""
    if getattr(args, "template", None) or terraform_given(args):
        snapshot, notes, calls = _before_deployment(args)
        report = judge_snapshots([snapshot], args.api, args.stage, rules)
        report["findings"] = named_placeholders(report["findings"], snapshot)
        report["notes"] += notes
        report["calls"] = calls
        return [snapshot], report
    if args.snapshot:
        snapshots = [_traffic_kept(args, snapshot) for snapshot in load_snapshots(args.snapshot)]
        return snapshots, judge_snapshots(snapshots, args.api, args.stage, rules)
    session, options, faults, deadline, progress = _live(args)
    with stop_on(faults, deadline, args.deadline):
        return scan_fleet(session, options, args.api, args.stage, rules, progress, faults)


def collected_into(args: argparse.Namespace, rules: list[Rule], spool: ReportSpool) -> list[dict[str, Any]]:
    """collected(), the report put together in `spool` an account's unit at a time; the snapshots are returned only
    for --save-snapshot (otherwise each is let go once judged)."""
    keep = bool(args.save_snapshot)
    if getattr(args, "template", None) or terraform_given(args):
        snapshot, notes, calls = _before_deployment(args)
        judge_snapshots_into(spool, [snapshot], args.api, args.stage, rules)
        spool.scan_notes += notes
        spool.calls = calls
        return [snapshot]
    if args.snapshot:
        kept: list[dict[str, Any]] = []

        def read() -> Iterator[dict[str, Any]]:
            for snapshot in stream_snapshots(args.snapshot):
                snapshot = _traffic_kept(args, snapshot)
                if keep:
                    kept.append(snapshot)
                yield snapshot
        judge_snapshots_into(spool, read(), args.api, args.stage, rules, args.policies, _jobs(args))
        return kept
    session, options, faults, deadline, progress = _live(args)
    with stop_on(faults, deadline, args.deadline):
        return scan_fleet_into(spool, session, options, args.api, args.stage, rules, progress, faults, keep,
                               args.policies, _jobs(args))


def _jobs(args: argparse.Namespace) -> int:
    """--jobs, else the CPUs this process may use (at most MOST_JOBS)."""
    return int(args.jobs) if getattr(args, "jobs", None) else min(available_cpus(), MOST_JOBS)


def _traffic_kept(args: argparse.Namespace, snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**snapshot, "traffic": {}} if args.no_traffic else snapshot


def _live(args: argparse.Namespace) -> tuple[Any, FleetOptions, Faults, float | None, Progress]:
    """What a live scan needs: the session, the fleet's options, the faults and deadline, the progress shown."""
    options = FleetOptions(regions=args.region, all_regions=args.all_regions, accounts=args.accounts,
                           organization=args.org, role_name=args.role_name, external_id=args.external_id,
                           concurrency=args.concurrency, shard=args.shard,
                           traffic_days=None if args.no_traffic else args.traffic_days or TRAFFIC_DAYS,
                           max_rps=parse_max_rps(args.max_rps))
    faults = Faults(call_timeout=parse_duration(args.call_timeout, "--call-timeout") if args.call_timeout
                    else CALL_TIMEOUT)
    deadline = parse_duration(args.deadline, "--deadline") if args.deadline else None
    progress = Progress(mode=progress_mode(args.progress, args.quiet))
    return open_session(args.profile), options, faults, deadline, progress


def _before_deployment(args: argparse.Namespace) -> tuple[dict[str, Any], list[str], int]:
    """--template, or --terraform / --terraform-plan: the snapshot, the notes its options raise and the calls made.
    With --resolve, the account's region, ID and partition fill the options first, and what the snapshot names but
    does not create is read (read-only; never Terraform state); without it nothing is called."""
    options: TemplateOptions | TerraformOptions
    read_account: Callable[[Clients, CallLog, str], None] | None = None
    if getattr(args, "template", None):
        template_options = options = TemplateOptions(
            parameters=template_parameters(args.parameter), region=(args.region or [None])[0], account=args.account,
            previous=args.previous)

        def build() -> dict[str, Any]:
            return template_snapshot(args.template, template_options)

        def read_exports_of(clients: Clients, log: CallLog, region: str) -> None:
            template_options.exports = read_exports(clients, log, region)  # what Fn::ImportValue names
        read_account = read_exports_of
    else:
        terraform_options = options = TerraformOptions(
            folder=args.terraform, plan=args.terraform_plan, variables=terraform_variables(args.var),
            var_files=list(args.var_file or []), region=(args.region or [None])[0], account=args.account)

        def build() -> dict[str, Any]:
            return terraform_snapshot(terraform_options)
    if not args.resolve:
        notes = [unlisted_words(options.region)] if options.region and options.region not in listed_regions() \
            else []  # said, not checked: nothing is called
        return build(), notes, 0
    session = open_session(args.profile)
    region = resolve_regions(session, args.region)[0]
    clients, log, account, partition = open_resolve_session(session, region)
    options.region, options.account, options.partition = region, account, partition
    if read_account is not None:
        read_account(clients, log, region)
    snapshot = build()
    resolve_outside(snapshot, clients, log)
    return snapshot, [], log.total


def save_snapshots(args: argparse.Namespace, snapshots: list[dict[str, Any]]) -> UsageError | None:
    """--save-snapshot; a failure is returned (the report is written all the same, then it is raised)."""
    if args.save_snapshot:
        try:
            save_snapshot(snapshots, args.save_snapshot)
        except UsageError as error:
            return error
    return None


def load_triage(args: argparse.Namespace) -> Triage:
    """The suppressions and the baseline, read and checked before anything is scanned."""
    return (load_suppressions(args.ignore) if args.ignore else None,
            load_report(args.baseline, "--baseline") if args.baseline else None)


def apply_triage(report: dict[str, Any], triage: Triage) -> None:
    """Suppressions (expired ones no longer hide anything), then the baseline's new and unchanged marks."""
    suppressions, baseline = triage
    if suppressions is not None:
        apply_suppressions(report, suppressions, datetime.date.today())
    if baseline is not None:
        apply_baseline(report, baseline)


def spool_triage(triage: Triage) -> tuple[SpoolTriage, list[str]]:
    """The triage as a spool applies it to each finding as it arrives, and the notes of expired suppressions."""
    suppressions, baseline = triage
    active, notes = active_suppressions(suppressions, datetime.date.today()) if suppressions is not None \
        else (None, [])
    before = None if baseline is None else {finding_key(finding): finding for finding in baseline.get("findings")
                                            or [] if isinstance(finding, Mapping)}
    return SpoolTriage(active, before), notes
