"""The command line's Terraform options (--terraform, --terraform-plan, --var, --var-file), each checked in one line
before anything is read."""

from __future__ import annotations

import argparse

from ..errors import UsageError

LIVE_ONLY = ("snapshot", "all_regions", "org", "accounts", "shard", "traffic_days", "deadline", "call_timeout",
             "template", "parameter", "previous")


def add_terraform_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--terraform", metavar="DIR",
                        help="judge a Terraform root module (its .tf files, local modules and those terraform init "
                             "fetched) before apply; no AWS call without --resolve, no terraform binary")
    parser.add_argument("--terraform-plan", metavar="PLAN.json",
                        help="judge the output of terraform show -json PLAN (with --terraform DIR as well, findings "
                             "point at the configuration's lines)")
    parser.add_argument("--var", action="append", metavar="NAME=VALUE",
                        help="a root module variable's value, as terraform plan -var takes it (repeatable)")
    parser.add_argument("--var-file", action="append", metavar="FILE",
                        help="a .tfvars (or .tfvars.json) file of variable values (repeatable)")


def given(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "terraform", None) or getattr(args, "terraform_plan", None))


def check_terraform_options(args: argparse.Namespace) -> None:
    """Options that do not apply to a Terraform scan, or apply only to one: one line, before anything is read."""
    if not given(args):
        for flag, value in (("--var", getattr(args, "var", None)), ("--var-file", getattr(args, "var_file", None))):
            if value:
                raise UsageError(f"{flag} applies to --terraform (a Terraform configuration to judge before apply)")
        return
    for name in LIVE_ONLY:
        if getattr(args, name, None):
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} does not apply to --terraform, which judges a configuration or plan before "
                             "apply")
    if args.profile and not args.resolve:
        raise UsageError("--profile does nothing with --terraform unless --resolve reads the account")
    if (getattr(args, "var", None) or getattr(args, "var_file", None)) and not args.terraform:
        raise UsageError("--var and --var-file apply to --terraform DIR (a plan already holds the values)")
    variables(args.var)


def variables(given: list[str] | None) -> dict[str, str]:
    found = {}
    for item in given or []:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise UsageError(f"--var {item}: expected NAME=VALUE")
        found[name.strip()] = value
    return found
