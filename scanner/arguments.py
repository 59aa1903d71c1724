"""The command line's grammar: each command's options and help, and the checks on their values that are made
before any AWS call (a bad one is a one-line usage error)."""

from __future__ import annotations

import argparse
import difflib
import re
import textwrap
from typing import NoReturn

from . import __version__, help_texts
from .collect.pacing import parse_max_rps
from .collect.regions import did_you_mean
from .collect.stopping import parse_duration
from .errors import UsageError
from .files import check_writable
from .render.colour import COLOUR_CHOICES
from .render.escape import escape_text
from .render.formats import FORMATS, MATRIX_FORMATS, RULES_FORMATS, TOKEN_FORMATS
from .render.progress import PLAIN_EVERY, PROGRESS_CHOICES
from .render.terminal import DETAIL_CHOICES
from .report import FAIL_ON_CHOICES
from .rules.loader import SEVERITIES
from .traffic_window import MAX_TRAFFIC_DAYS


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (not the whole usage) that lists what was expected."""

    def error(self, message: str) -> NoReturn:
        choice = _INVALID_CHOICE.search(message)
        if choice:
            close = difflib.get_close_matches(choice.group(1), _QUOTED.findall(choice.group(2)), n=1)
            message += f"; did you mean {close[0]}?" if close else ""
        self.exit(2, f"{self.prog}: error: {escape_text(message)} (see {self.prog} --help)\n")


_REGION_NAME = re.compile(r"[a-z]+(-[a-z0-9]+)*-[0-9]+")


def region_name(value: str) -> str:
    """A --region value in the shape of AWS's region names (lower-case words and a number joined by hyphens:
    eu-west-1, us-gov-west-1, eusc-de-east-1); a region botocore does not list yet still passes (it may be newer
    than botocore), a name no region can have is a usage error."""
    if not _REGION_NAME.fullmatch(value):
        spelled = re.sub(r"[\s_]+", "-", value.strip().lower())
        close = did_you_mean(spelled) if _REGION_NAME.fullmatch(spelled) else ""
        raise argparse.ArgumentTypeError(f"'{value}' is not a region name; expected one such as eu-west-1{close}")
    return value


_INVALID_CHOICE = re.compile(r"invalid choice: '(.*?)' \(choose from (.*)\)")
_QUOTED = re.compile(r"'([^']*)'")


def build_parser() -> argparse.ArgumentParser:
    """Every command with its options, help text, examples and exit codes."""
    parser = _Parser(
        prog="apigw-scan", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill("Audits API Gateway authorization against Cognito, method by method: whether a "
                                  "caller with a token can get through, and exactly why not.", 100),
        epilog=help_texts.MAIN)
    parser.add_argument("--version", action="version", version=f"apigw-scan {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        described = help_texts.DESCRIPTIONS.get(name, summary[0].upper() + summary[1:] + ".")
        return commands.add_parser(name, help=summary, description=textwrap.fill(described, 100),
                                   epilog=help_texts.EPILOGS[name],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    scan = command("scan", "scan the account of the standard AWS credential chain (read-only)")
    _collection_options(scan)
    scan.add_argument("--jobs", type=int, default=None, metavar="N",
                      help="processes that judge accounts side by side (default: the CPUs this process may use, at "
                           f"most {MOST_JOBS}; 1: judge in this process)")
    _output_options(scan, fail_on_default="high")
    _triage_options(scan)

    matrix = command("matrix", "who can call what: each method x stage x caller, and what API Gateway answers")
    _collection_options(matrix)
    matrix.add_argument("--client", action="append", metavar="NAME_OR_ID",
                          help="only the token callers of this app client (repeatable)")
    matrix.add_argument("--format", choices=MATRIX_FORMATS, default="table",
                          help="output format (default: table)")
    matrix.add_argument("--output", metavar="FILE", help="write the matrix to FILE (default: standard output)")
    matrix.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                          help="symbols (✓) in the table: auto (when the output takes UTF-8), always, never")
    matrix.add_argument("--quiet", action="store_true", help="print nothing but the matrix")
    matrix.add_argument("--policies", action="append", metavar="DIR",
                          help="also judge with the rule files in DIR (repeatable)")
    matrix.set_defaults(fail_on="never")

    merge = command("merge", "join the JSON reports of shards or accounts into one report, judged and counted again")
    merge.add_argument("files", nargs="+", metavar="FILE", help="reports written by scan --format json")
    _output_options(merge, fail_on_default="high")
    _triage_options(merge)

    demo = command("demo", "scan a built-in example account emulated in-process (no AWS account, no network)")
    _output_options(demo, fail_on_default=None)
    demo.add_argument("--matrix", action="store_true", help="print the example account's access matrix instead")

    token = command("token", "would API Gateway accept this token on that method, and if not, why")
    token.add_argument("--api", required=True, metavar="NAME_OR_ID", help="the API")
    token.add_argument("--path", required=True, metavar="/PATH", help="the resource path, e.g. /orders/{id}")
    token.add_argument("--method", required=True, metavar="VERB", help="the HTTP method, e.g. GET")
    token.add_argument("--stage", metavar="STAGE", help="judge what this stage serves (default: the live API)")
    token.add_argument("--via-cloudfront", metavar="DIST_ID_OR_DOMAIN",
                       help="the token is sent through this CloudFront distribution (its ID, or its domain: the "
                            "host of the URL the caller uses); judged on the stage it reaches")
    token.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    token.add_argument("--region", action="append", metavar="REGION", type=region_name,
                       help="region of the API (repeatable)")
    token.add_argument("--jwks", metavar="URL_OR_FILE", help="where the signing keys are (default: the pool's JWKS)")
    token.add_argument("--live", action="store_true",
                         help="also run API Gateway's TestInvokeAuthorizer with the token (not a plain read)")
    token.add_argument("--format", choices=TOKEN_FORMATS, default="table", help="output format (default: table)")
    token.add_argument("--output", metavar="FILE", help="write the answer to FILE (default: standard output)")
    token.add_argument("--quiet", action="store_true", help="print nothing but the answer")
    token.add_argument("--policies", action="append", metavar="DIR",
                       help="also judge with the rule files in DIR (repeatable), as scan and matrix do")
    token.add_argument("token", metavar="TOKEN", help="the token, or - to read it from standard input")

    iam = command("iam-policy", "print the least-privilege IAM policy the scanner needs")
    kind = iam.add_mutually_exclusive_group()
    kind.add_argument("--live", action="store_true", help="the extra statement `token --live` needs")
    kind.add_argument("--fleet", action="store_true",
                        help="what the identity that starts an --org/--accounts scan needs (AssumeRole, ListAccounts)")
    iam.add_argument("--partition", default="aws", metavar="PARTITION",
                     help="the partition the ARNs name: aws (default), aws-cn, aws-us-gov, …")

    rules = command("rules", "list the rule catalog, each rule with the AWS article it comes from")
    rules.add_argument("--format", choices=RULES_FORMATS, default="table",
                         help="output format (default: table; markdown: the catalog, or the fields with --fields)")
    rules.add_argument("--policies", action="append", metavar="DIR", help="also load the rule files in DIR")
    rules.add_argument("--fields", nargs="?", const="all", metavar="KIND",
                         help="print the fields a rule can read (of KIND: method, api, authorizer, pool, client)")
    return parser


def _collection_options(parser: argparse.ArgumentParser) -> None:
    """What `scan` and `matrix` read: accounts, regions, APIs, stages, traffic, or a saved snapshot."""
    parser.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    parser.add_argument("--region", action="append", metavar="REGION", type=region_name,
                        help="region to scan (repeatable; default: the configured region)")
    parser.add_argument("--api", action="append", metavar="NAME_OR_ID", help="only this API (repeatable)")
    parser.add_argument("--stage", metavar="STAGE", help="only what this stage serves")
    parser.add_argument("--all-regions", action="store_true", help="every region enabled for each account")
    parser.add_argument("--org", action="store_true", help="every active account of the AWS Organization")
    parser.add_argument("--accounts", metavar="ID,ID|FILE", help="these accounts (IDs, or a file with one per line)")
    parser.add_argument("--role-name", metavar="NAME", help="role to assume in each account of --accounts/--org")
    parser.add_argument("--external-id", metavar="ID", help="external ID for --role-name")
    parser.add_argument("--concurrency", type=int, default=16, metavar="N",
                        help="(account, region) units scanned at once (default: 16)")
    parser.add_argument("--max-rps", metavar="NAME=RATE,…",
                        help="request rates per account and region when the account's quotas are raised (default: "
                             "AWS's quotas, e.g. apigateway=10, cognito-idp-clients=15; see the README)")
    parser.add_argument("--call-timeout", metavar="SECONDS", default=None,
                        help="how long to wait for one AWS answer (default: 10); a silent endpoint is tried twice")
    parser.add_argument("--deadline", metavar="DURATION",
                        help="stop calling AWS after DURATION (90s, 20m, 2h), judge what was collected, write the "
                             "report and exit 2 (SIGTERM and SIGINT do the same)")
    parser.add_argument("--progress", choices=PROGRESS_CHOICES, default="auto",
                        help="progress on standard error: bar (redrawn on a terminal), plain (a line every "
                             f"{PLAIN_EVERY:.0f} s, for CI and cron logs), none; auto: bar on a terminal, plain when "
                             "CI is set, else none")
    parser.add_argument("--shard", metavar="K/N", help="scan only slice K (0..N-1) of the units; auto/N reads "
                      "JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX")
    parser.add_argument("--traffic-days", type=int, default=None, metavar="N",
                        help="check predictions against the last N days of CloudWatch traffic (default: 14)")
    parser.add_argument("--no-traffic", action="store_true", help="do not read (or, with --snapshot, use) traffic")
    parser.add_argument("--save-snapshot", metavar="FILE", help="also write the collected data (no secrets) to FILE")
    parser.add_argument("--snapshot", metavar="FILE", help="judge a saved snapshot instead of calling AWS")
    parser.add_argument("--template", action="append", metavar="PATH",
                        help="judge a CloudFormation, SAM or CDK template (a cdk.out folder too) before it is "
                        "deployed (repeatable); no AWS call without --resolve")
    parser.add_argument("--parameter", action="append", metavar="KEY=VALUE",
                        help="a template parameter's value (repeatable; default: its Default)")
    parser.add_argument("--account", metavar="ID", help="the account ID a template's AWS::AccountId stands for")
    parser.add_argument("--previous", metavar="PATH",
                        help="the template now deployed: changes that no new deployment would carry (IAC002)")
    parser.add_argument("--resolve", action="store_true",
                        help="read what the template references but does not create from the account (read-only)")
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


def _output_options(parser: argparse.ArgumentParser, fail_on_default: str | None) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table; html: one self-contained file to open in a browser)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (default: standard output)")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML report to FILE (one self-contained file "
                        "to open in a browser or attach to a CI run)")
    parser.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default=fail_on_default,
                          help="exit 1 when a finding is at or above this severity (default: "
                          f"{fail_on_default or 'none: the demo exits 0'})")
    parser.add_argument("--quiet", action="store_true", help="print nothing but the report")
    parser.add_argument("--color", choices=COLOUR_CHOICES, default="auto",
                        help="colour the table: auto (on a terminal, unless NO_COLOR is set), always, never")
    parser.add_argument("--details", choices=DETAIL_CHOICES, default=None,
                        help="what the table report details after the table: auto (critical and high findings grouped "
                             "by cause, with a short fix; the default), all (every finding with its fix commands), "
                             "none")
    parser.add_argument("--min-severity", choices=SEVERITIES, default=None,
                        help="the lowest severity the detail shows (default: high with --details auto, info with all)")
    parser.add_argument("--policies", action="append", metavar="DIR",
                          help="also judge with the rule files in DIR (repeatable)")


def _triage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--baseline", metavar="FILE", help="a previous JSON report: mark findings new or unchanged, "
                        "list the fixed ones; --fail-on then counts only new findings")
    parser.add_argument("--ignore", metavar="FILE", help="suppressions ([[suppress]] rule, resource, reason, expires)")


MOST_JOBS = 8  # judging processes by default: each holds an account's snapshot and its unit being judged


def check_scan_options(args: argparse.Namespace) -> None:
    """Options that conflict, do nothing, or name files that cannot be used: one line, before any AWS call."""
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: expected a whole number of at least 1")
    if args.stage is not None and not args.stage.strip():
        raise UsageError("--stage: expected a stage name (got an empty one)")
    if args.all_regions and args.region:
        raise UsageError("--all-regions and --region: give one (--all-regions scans every enabled region)")
    if (args.role_name or args.external_id) and not (args.accounts or args.org):
        raise UsageError(f"{'--role-name' if args.role_name else '--external-id'} does nothing without --accounts or "
                         "--org: name the accounts to assume it in")
    if args.external_id and not args.role_name:
        raise UsageError("--external-id needs --role-name (the role it is presented to)")
    template_only = [flag for flag, given in (("--parameter", args.parameter), ("--account", args.account),
                                              ("--previous", args.previous), ("--resolve", args.resolve)) if given]
    _check_terraform_options(args)
    if template_only and not args.template and not terraform_given(args):
        raise UsageError(f"{template_only[0]} applies to --template (a template to judge before it is deployed)")
    if args.template:
        live = [flag for flag, given in (("--snapshot", args.snapshot), ("--all-regions", args.all_regions),
                                         ("--org", args.org), ("--accounts", args.accounts), ("--shard", args.shard),
                                         ("--traffic-days", args.traffic_days), ("--deadline", args.deadline),
                                         ("--call-timeout", args.call_timeout)) if given]
        if live:
            raise UsageError(f"{live[0]} does not apply to --template, which judges templates before deployment")
        if args.profile and not args.resolve:
            raise UsageError("--profile does nothing with --template unless --resolve reads the account")
    if args.traffic_days is not None:
        if args.no_traffic:
            raise UsageError("--traffic-days and --no-traffic: give one")
        if not 1 <= args.traffic_days <= MAX_TRAFFIC_DAYS:
            raise UsageError(f"--traffic-days {args.traffic_days}: expected a number of days from 1 to "
                             f"{MAX_TRAFFIC_DAYS} (CloudWatch keeps hourly data that long)")
    if args.snapshot:
        live_only = [flag for flag, given in (("--region", args.region), ("--profile", args.profile),
                                              ("--all-regions", args.all_regions), ("--accounts", args.accounts),
                                              ("--org", args.org), ("--role-name", args.role_name),
                                              ("--shard", args.shard), ("--traffic-days", args.traffic_days),
                                              ("--deadline", args.deadline), ("--call-timeout", args.call_timeout),
                                              ("--max-rps", args.max_rps))
                      if given]
        if live_only:
            raise UsageError(f"{live_only[0]} does not apply to --snapshot, which judges a saved snapshot without "
                             "calling AWS (--api and --stage do)")
    for option, text in (("--call-timeout", args.call_timeout), ("--deadline", args.deadline)):
        if text:
            parse_duration(text, option)
    parse_max_rps(args.max_rps)
    for option, path in (("--output", getattr(args, "output", None)), ("--save-snapshot", args.save_snapshot)):
        if path:
            check_writable(path, option)


def check_view(args: argparse.Namespace) -> None:
    """--details and --min-severity shape the terminal's report; the other formats carry every finding."""
    for option, given in (("--details", args.details), ("--min-severity", args.min_severity)):
        if given and args.format != "table":
            raise UsageError(f"{option} applies to --format table (json, sarif, csv and html carry every finding)")
    if args.html:
        if args.format == "html":
            raise UsageError("--html with --format html: give one (--html FILE writes the HTML report beside the "
                             "other format)")
        if args.output and args.html == args.output:
            raise UsageError(f"--html {args.html}: the same file as --output")
        check_writable(args.html, "--html")


def template_parameters(given: list[str] | None) -> dict[str, str]:
    """--parameter KEY=VALUE, each given once or more."""
    found = {}
    for item in given or []:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise UsageError(f"--parameter {item}: expected KEY=VALUE")
        found[key] = value
    return found


TERRAFORM_LIVE_ONLY = ("snapshot", "all_regions", "org", "accounts", "shard", "traffic_days", "deadline",
                       "call_timeout", "template", "parameter", "previous")


def terraform_given(args: argparse.Namespace) -> bool:
    """--terraform or --terraform-plan: a Terraform configuration or plan is judged instead of an account."""
    return bool(getattr(args, "terraform", None) or getattr(args, "terraform_plan", None))


def _check_terraform_options(args: argparse.Namespace) -> None:
    """Options that do not apply to a Terraform scan, or apply only to one."""
    if not terraform_given(args):
        for flag, value in (("--var", args.var), ("--var-file", args.var_file)):
            if value:
                raise UsageError(f"{flag} applies to --terraform (a Terraform configuration to judge before apply)")
        return
    for name in TERRAFORM_LIVE_ONLY:
        if getattr(args, name, None):
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag} does not apply to --terraform, which judges a configuration or plan before "
                             "apply")
    if args.profile and not args.resolve:
        raise UsageError("--profile does nothing with --terraform unless --resolve reads the account")
    if (args.var or args.var_file) and not args.terraform:
        raise UsageError("--var and --var-file apply to --terraform DIR (a plan already holds the values)")
    terraform_variables(args.var)


def terraform_variables(given: list[str] | None) -> dict[str, str]:
    """--var NAME=VALUE, each given once or more (the last one counts, as in terraform plan)."""
    found = {}
    for item in given or []:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise UsageError(f"--var {item}: expected NAME=VALUE")
        found[name.strip()] = value
    return found
