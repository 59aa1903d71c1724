"""`scan --terraform DIR` / `--terraform-plan PLAN.json`: the snapshot built and judged; AWS is called only with
--resolve (for what the configuration names but does not create), never to read Terraform state."""

from __future__ import annotations

import argparse
from typing import Any

from ..collect.session import open_session, resolve_regions
from ..rules.loader import Rule
from ..scan import judge_snapshots
from ..templates.external import open_resolve_session, resolve_outside
from .assemble import TerraformOptions
from .options import variables
from .snapshot import terraform_snapshot


def terraform_scan(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The configuration's (or plan's) snapshot and its report."""
    options = TerraformOptions(folder=args.terraform, plan=args.terraform_plan, variables=variables(args.var),
                               var_files=list(args.var_file or []), region=(args.region or [None])[0],
                               account=args.account)
    if not args.resolve:
        snapshot = terraform_snapshot(options)
        return [snapshot], judge_snapshots([snapshot], args.api, args.stage, rules)
    session = open_session(args.profile)
    region = resolve_regions(session, args.region)[0]
    clients, log, account, partition = open_resolve_session(session, region)
    options.region, options.account, options.partition = region, account, partition
    snapshot = terraform_snapshot(options)
    resolve_outside(snapshot, clients, log)
    report = judge_snapshots([snapshot], args.api, args.stage, rules)
    report["calls"] = log.total
    return [snapshot], report
