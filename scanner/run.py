"""The run a command asks for: its snapshots collected from AWS, read from --snapshot or built from --template or
--terraform/--terraform-plan, then judged; the saved snapshot, the suppressions and the baseline around it."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from typing import Any

from .arguments import template_parameters, terraform_given, terraform_variables
from .collect.calls import CallLog
from .collect.faults import CALL_TIMEOUT, Faults
from .collect.pacing import parse_max_rps
from .collect.regions import listed_regions, unlisted_words
from .collect.session import Clients, open_session, resolve_regions
from .collect.stopping import parse_duration, stop_on
from .errors import UsageError
from .render.progress import Progress, progress_mode
from .rules.loader import Rule
from .scan import FleetOptions, judge_snapshots, load_snapshots, save_snapshot, scan_fleet
from .templates.external import open_resolve_session, read_exports, resolve_outside
from .templates.placeholders import name_placeholders
from .templates.snapshot import TemplateOptions, template_snapshot
from .terraform.assemble import TerraformOptions
from .terraform.snapshot import terraform_snapshot
from .traffic_window import TRAFFIC_DAYS
from .triage import apply_baseline, apply_suppressions, load_report, load_suppressions

Triage = tuple[list[dict[str, Any]] | None, dict[str, Any] | None]  # (suppressions, baseline)


def collected(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The snapshots (collected, or read from --snapshot, or built from --template or Terraform) and their
    report."""
    if getattr(args, "template", None):
        return _templates(args, rules)
    if terraform_given(args):
        return _terraform(args, rules)
    if args.snapshot:
        snapshots = load_snapshots(args.snapshot)
        if args.no_traffic:
            snapshots = [{**snapshot, "traffic": {}} for snapshot in snapshots]
        return snapshots, judge_snapshots(snapshots, args.api, args.stage, rules)
    options = FleetOptions(regions=args.region, all_regions=args.all_regions, accounts=args.accounts,
                           organization=args.org, role_name=args.role_name, external_id=args.external_id,
                           concurrency=args.concurrency, shard=args.shard,
                           traffic_days=None if args.no_traffic else args.traffic_days or TRAFFIC_DAYS,
                           max_rps=parse_max_rps(args.max_rps))
    faults = Faults(call_timeout=parse_duration(args.call_timeout, "--call-timeout") if args.call_timeout
                    else CALL_TIMEOUT)
    deadline = parse_duration(args.deadline, "--deadline") if args.deadline else None
    progress = Progress(mode=progress_mode(args.progress, args.quiet))
    session = open_session(args.profile)
    with stop_on(faults, deadline, args.deadline):
        return scan_fleet(session, options, args.api, args.stage, rules, progress, faults)


def _templates(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """--template: the templates' snapshot and its report; AWS is called only with --resolve."""
    options = TemplateOptions(parameters=template_parameters(args.parameter), region=(args.region or [None])[0],
                              account=args.account, previous=args.previous)

    def read_account(clients: Clients, log: CallLog, region: str) -> None:
        options.exports = read_exports(clients, log, region)  # what Fn::ImportValue names
    return _before_deployment(args, rules, options, lambda: template_snapshot(args.template, options), read_account)


def _terraform(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """--terraform DIR / --terraform-plan PLAN.json: the configuration's (or plan's) snapshot and its report; AWS is
    called only with --resolve (for what the configuration names but does not create), never to read Terraform
    state."""
    options = TerraformOptions(folder=args.terraform, plan=args.terraform_plan,
                               variables=terraform_variables(args.var), var_files=list(args.var_file or []),
                               region=(args.region or [None])[0], account=args.account)
    return _before_deployment(args, rules, options, lambda: terraform_snapshot(options), None)


def _before_deployment(args: argparse.Namespace, rules: list[Rule], options: TemplateOptions | TerraformOptions,
                       build: Callable[[], dict[str, Any]],
                       read_account: Callable[[Clients, CallLog, str], None] | None,
                       ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A template's or a configuration's snapshot (`build`, from `options`) judged. With --resolve, the account's
    region, ID and partition fill `options` first, and what the snapshot names but does not create is read
    (read-only); without it nothing is called."""
    if not args.resolve:
        snapshot = build()
        report = judge_snapshots([snapshot], args.api, args.stage, rules)
        name_placeholders(report, bool(options.account), bool(options.region))
        if options.region and options.region not in listed_regions():  # said, not checked: nothing is called
            report["notes"].append(unlisted_words(options.region))
        return [snapshot], report
    session = open_session(args.profile)
    region = resolve_regions(session, args.region)[0]
    clients, log, account, partition = open_resolve_session(session, region)
    options.region, options.account, options.partition = region, account, partition
    if read_account is not None:
        read_account(clients, log, region)
    snapshot = build()
    resolve_outside(snapshot, clients, log)
    report = judge_snapshots([snapshot], args.api, args.stage, rules)
    report["calls"] = log.total
    return [snapshot], report


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
