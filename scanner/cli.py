"""Command line: `apigw-scan scan|matrix|merge|demo|token|rules|iam-policy` (docs/interface.md), exit codes 0/1/2."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from . import __version__, help_texts
from .errors import UsageError
from .files import OutputClosed, check_writable, write_text
from .findings import plain
from .render.colour import COLOUR_CHOICES, wants_colour
from .render.escape import escape_text, escaped
from .render.progress import PLAIN_EVERY, PROGRESS_CHOICES, progress_mode
from .render.terminal import DETAIL_CHOICES, View, render_table
from .render.width import terminal_width
from .report import FAIL_ON_CHOICES, exit_code
from .rules.loader import SEVERITIES, Rule, load_rules
from .traffic_window import MAX_TRAFFIC_DAYS, TRAFFIC_DAYS

FORMATS = ("table", "json", "sarif", "csv", "html")
TOKEN_FORMATS = ("table", "json")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `apigw-scan` alone: what it does and how to start
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except UsageError as error:
        print(f"apigw-scan: error: {escape_text(str(error))}", file=sys.stderr)
        return 2
    except OutputClosed:
        print("apigw-scan: error: standard output was closed before the report was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apigw-scan: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    _output_options(scan, fail_on_default="high")
    _triage_options(scan)
    scan.set_defaults(handler=_scan)

    matrix = command("matrix", "who can call what: each method x stage x caller, and what API Gateway answers")
    _collection_options(matrix)
    matrix.add_argument("--client", action="append", metavar="NAME_OR_ID",
                          help="only the token callers of this app client (repeatable)")
    matrix.add_argument("--format", choices=("table", "json", "csv"), default="table",
                          help="output format (default: table)")
    matrix.add_argument("--output", metavar="FILE", help="write the matrix to FILE (default: standard output)")
    matrix.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                          help="symbols (✓) in the table: auto (when the output takes UTF-8), always, never")
    matrix.add_argument("--quiet", action="store_true", help="print nothing but the matrix")
    matrix.add_argument("--policies", action="append", metavar="DIR",
                          help="also judge with the rule files in DIR (repeatable)")
    matrix.set_defaults(handler=_matrix, fail_on="never")

    merge = command("merge", "join the JSON reports of shards or accounts into one report, judged and counted again")
    merge.add_argument("files", nargs="+", metavar="FILE", help="reports written by scan --format json")
    _output_options(merge, fail_on_default="high")
    _triage_options(merge)
    merge.set_defaults(handler=_merge)

    demo = command("demo", "scan a built-in example account emulated in-process (no AWS account, no network)")
    _output_options(demo, fail_on_default=None)
    demo.add_argument("--matrix", action="store_true", help="print the example account's access matrix instead")
    demo.set_defaults(handler=_demo)

    token = command("token", "would API Gateway accept this token on that method, and if not, why")
    token.add_argument("--api", required=True, metavar="NAME_OR_ID", help="the API")
    token.add_argument("--path", required=True, metavar="/PATH", help="the resource path, e.g. /orders/{id}")
    token.add_argument("--method", required=True, metavar="VERB", help="the HTTP method, e.g. GET")
    token.add_argument("--stage", metavar="STAGE", help="judge what this stage serves (default: the live API)")
    token.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    token.add_argument("--region", action="append", metavar="REGION", help="region of the API (repeatable)")
    token.add_argument("--jwks", metavar="URL_OR_FILE", help="where the signing keys are (default: the pool's JWKS)")
    token.add_argument("--live", action="store_true",
                         help="also run API Gateway's TestInvokeAuthorizer with the token (not a plain read)")
    token.add_argument("--format", choices=TOKEN_FORMATS, default="table", help="output format (default: table)")
    token.add_argument("--output", metavar="FILE", help="write the answer to FILE (default: standard output)")
    token.add_argument("--quiet", action="store_true", help="print nothing but the answer")
    token.add_argument("--policies", action="append", metavar="DIR",
                       help="also judge with the rule files in DIR (repeatable), as scan and matrix do")
    token.add_argument("token", metavar="TOKEN", help="the token, or - to read it from standard input")
    token.set_defaults(handler=_token)

    iam = command("iam-policy", "print the least-privilege IAM policy the scanner needs")
    kind = iam.add_mutually_exclusive_group()
    kind.add_argument("--live", action="store_true", help="the extra statement `token --live` needs")
    kind.add_argument("--fleet", action="store_true",
                        help="what the identity that starts an --org/--accounts scan needs (AssumeRole, ListAccounts)")
    iam.add_argument("--partition", default="aws", metavar="PARTITION",
                     help="the partition the ARNs name: aws (default), aws-cn, aws-us-gov, …")
    iam.set_defaults(handler=_iam_policy)

    rules = command("rules", "list the rule catalog, each rule with the AWS article it comes from")
    rules.add_argument("--format", choices=(*TOKEN_FORMATS, "markdown"), default="table",
                         help="output format (default: table; markdown: the catalog, or the fields with --fields)")
    rules.add_argument("--policies", action="append", metavar="DIR", help="also load the rule files in DIR")
    rules.add_argument("--fields", nargs="?", const="all", metavar="KIND",
                         help="print the fields a rule can read (of KIND: method, api, authorizer, pool, client)")
    rules.set_defaults(handler=_rules)
    return parser


def _collection_options(parser: argparse.ArgumentParser) -> None:
    """What `scan` and `matrix` read: accounts, regions, APIs, stages, traffic, or a saved snapshot."""
    parser.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    parser.add_argument("--region", action="append", metavar="REGION",
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


def _scan(args: argparse.Namespace) -> int:
    _check_scan_options(args)
    _check_view(args)
    rules = load_rules(args.policies)
    triage = _load_triage(args)  # every file option is read before any AWS call
    snapshots, report = _collected(args, rules)
    saving_failed = _save_snapshot(args, snapshots)
    code = _finish(report, args, rules, triage)
    if saving_failed is not None:
        raise saving_failed
    return code


def _collected(args: argparse.Namespace, rules: list[Rule]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The snapshots (collected, or read from --snapshot) and their report."""
    from .scan import FleetOptions, judge_snapshots, load_snapshots, scan_fleet

    if getattr(args, "template", None):
        return _templates(args, rules)
    if args.snapshot:
        snapshots = load_snapshots(args.snapshot)
        if args.no_traffic:
            snapshots = [{**snapshot, "traffic": {}} for snapshot in snapshots]
        return snapshots, judge_snapshots(snapshots, args.api, args.stage, rules)
    from .collect.faults import CALL_TIMEOUT, Faults
    from .collect.pacing import parse_max_rps
    from .collect.session import open_session
    from .collect.stopping import parse_duration, stop_on
    from .render.progress import Progress

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
    from .scan import judge_snapshots
    from .templates.snapshot import TemplateOptions, template_snapshot

    options = TemplateOptions(parameters=_parameters(args.parameter), region=(args.region or [None])[0],
                              account=args.account, previous=args.previous)
    if not args.resolve:
        snapshot = template_snapshot(args.template, options)
        return [snapshot], judge_snapshots([snapshot], args.api, args.stage, rules)
    from .collect.session import open_session, resolve_regions
    from .templates.external import open_resolve_session, read_exports, resolve_outside

    session = open_session(args.profile)
    region = resolve_regions(session, args.region)[0]
    clients, log, account, partition = open_resolve_session(session, region)
    options.region, options.account, options.partition = region, account, partition
    options.exports = read_exports(clients, log, region)
    snapshot = template_snapshot(args.template, options)
    resolve_outside(snapshot, clients, log)
    report = judge_snapshots([snapshot], args.api, args.stage, rules)
    report["calls"] = log.total
    return [snapshot], report


def _parameters(given: list[str] | None) -> dict[str, str]:
    found = {}
    for item in given or []:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise UsageError(f"--parameter {item}: expected KEY=VALUE")
        found[key] = value
    return found


def _save_snapshot(args: argparse.Namespace, snapshots: list[dict[str, Any]]) -> UsageError | None:
    """--save-snapshot; a failure is returned (the report is written all the same, then it is raised)."""
    from .scan import save_snapshot

    if args.save_snapshot:
        try:
            save_snapshot(snapshots, args.save_snapshot)
        except UsageError as error:
            return error
    return None


def _matrix(args: argparse.Namespace) -> int:
    from .render.matrix_view import matrix_document, render_matrix_csv, render_matrix_json, render_matrix_table
    from .scan import matrix_of

    _check_scan_options(args)
    rules = load_rules(args.policies)
    snapshots, report = _collected(args, rules)
    saving_failed = _save_snapshot(args, snapshots)
    cells, stuck = matrix_of(snapshots, args.api, args.stage, rules, args.client)
    if args.client and not any(cell.caller.client_id for cell in cells):
        raise UsageError(f"--client {', '.join(args.client)}: no app client of that name or ID is a caller of the "
                         "scanned methods")
    document = matrix_document([cell.as_json() for cell in cells], stuck, report)
    if args.format == "json":
        text = render_matrix_json(document)
    elif args.format == "csv":
        text = render_matrix_csv(document)
    else:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
        unicode = args.color == "always" or (args.color == "auto" and encoding == "utf8")
        text = render_matrix_table(document, unicode=unicode)
    write_text(text, args.output)
    if saving_failed is not None:
        raise saving_failed
    return 2 if report["errors"] else 1 if document["blocked"] else 0


def _check_scan_options(args: argparse.Namespace) -> None:
    """Options that conflict, do nothing, or name files that cannot be used: one line, before any AWS call."""
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
    if template_only and not args.template:
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
    from .collect.pacing import parse_max_rps
    from .collect.stopping import parse_duration
    for option, text in (("--call-timeout", args.call_timeout), ("--deadline", args.deadline)):
        if text:
            parse_duration(text, option)
    parse_max_rps(args.max_rps)
    for option, path in (("--output", getattr(args, "output", None)), ("--save-snapshot", args.save_snapshot)):
        if path:
            check_writable(path, option)


def _load_triage(args: argparse.Namespace) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None]:
    """The suppressions and the baseline, read and checked before anything is scanned."""
    from .triage import load_report, load_suppressions

    return (load_suppressions(args.ignore) if args.ignore else None,
            load_report(args.baseline, "--baseline") if args.baseline else None)


def _merge(args: argparse.Namespace) -> int:
    from .report import merge_reports
    from .triage import load_report

    if args.output:
        check_writable(args.output, "--output")
    _check_view(args)
    rules = load_rules(args.policies)
    triage = _load_triage(args)
    return _finish(merge_reports([load_report(path, "merge") for path in args.files]), args, rules, triage)


def _finish(report: dict[str, Any], args: argparse.Namespace, rules: list[Rule],
            triage: tuple[list[dict[str, Any]] | None, dict[str, Any] | None]) -> int:
    """Suppressions and baseline, then the report in the asked format, and the exit code."""
    import datetime

    from .triage import apply_baseline, apply_suppressions

    suppressions, baseline = triage
    if suppressions is not None:
        apply_suppressions(report, suppressions, datetime.date.today())
    if baseline is not None:
        apply_baseline(report, baseline)
    _write_reports(report, args, rules)
    return exit_code(report, args.fail_on)


def _demo(args: argparse.Namespace) -> int:
    from .demo import demo_report

    if args.output:
        check_writable(args.output, "--output")
    _check_view(args)
    rules = load_rules(args.policies)
    if args.matrix:
        return _demo_matrix(args, rules)
    report = demo_report(rules)
    _write_reports(report, args, rules)
    if not args.quiet and args.format == "table" and args.output is None:
        print("This was the built-in example account (moto, in-process). Scan yours: apigw-scan scan --region REGION",
              file=sys.stderr)
    return exit_code(report, args.fail_on) if args.fail_on else 0


def _demo_matrix(args: argparse.Namespace, rules: list[Rule]) -> int:
    from .access.matrix import blocked
    from .demo import demo_snapshot
    from .render.matrix_view import matrix_document, render_matrix_csv, render_matrix_json, render_matrix_table
    from .scan import assess

    if args.format in ("sarif", "html") or args.html:
        raise UsageError(f"--matrix {'--html' if args.html else '--format ' + args.format}: the matrix is written "
                         "as table, json or csv")
    assessed = assess(demo_snapshot(), None, None, rules)
    document = matrix_document([cell.as_json() for cell in assessed.cells],
                               blocked(assessed.cells, assessed.judgement.index), assessed.report)
    renderers = {"json": render_matrix_json, "csv": render_matrix_csv, "table": render_matrix_table}
    write_text(renderers[args.format](document), args.output)
    return 0


def _token(args: argparse.Namespace) -> int:
    from .collect.session import open_session
    from .render.token_table import render_token
    from .tokens.command import EXIT_CODES, token_report

    if args.output:
        check_writable(args.output, "--output")
    pasted = args.token
    if pasted == "-":
        pasted = sys.stdin.read()
        # The one newline a pipe (echo, cat) adds is not the user's; anything more is reported.
        pasted = pasted[:-1] if pasted.endswith("\n") else pasted
    if not pasted.strip():
        raise UsageError("TOKEN is empty: pass the token, or - and the token on standard input")
    rules = load_rules(args.policies)
    result = token_report(open_session(args.profile), args.region, args.api, args.path, args.method, args.stage,
                          pasted, args.jwks, args.live, rules)
    text = json.dumps(result, indent=2, default=str) + "\n" if args.format == "json" else render_token(result)
    write_text(text, args.output)
    return EXIT_CODES[result["verdict"]]


def _iam_policy(args: argparse.Namespace) -> int:
    from .collect.session import partition_patterns
    from .rules.loader import builtin_rules_dir

    if args.partition not in partition_patterns():
        raise UsageError(f"--partition {args.partition}: expected one of {', '.join(partition_patterns())}")
    name = ("apigw-scan-token-live.json" if args.live else "apigw-scan-fleet.json" if args.fleet
            else "apigw-scan-read-only.json")
    text = (builtin_rules_dir() / "iam" / name).read_text(encoding="utf-8")
    write_text(text.replace('"arn:aws:', f'"arn:{args.partition}:'), None)
    return 0


def _rules(args: argparse.Namespace) -> int:
    if args.fields:
        from .rules.guide import fields_markdown, fields_text
        from .schema.facts import KINDS

        if args.fields != "all" and args.fields not in KINDS:
            raise UsageError(f"--fields {args.fields}: expected one of {', '.join(KINDS)} (or nothing for all)")
        write_text(fields_markdown() if args.format == "markdown" else
               fields_text(list(KINDS) if args.fields == "all" else [args.fields]), None)
        return 0
    rules = load_rules(args.policies)
    if args.format == "json":
        write_text(json.dumps([_rule_entry(rule) for rule in rules], indent=2) + "\n", None)
        return 0
    if args.format == "markdown":
        from .rules.guide import catalog_markdown

        write_text(catalog_markdown(rules), None)
        return 0
    from tabulate import tabulate

    from .rules.sources import cited_titles

    rows = escaped([[rule.id, rule.severity, rule.applies_to, rule.title, cited_titles(rule.seed)] for rule in rules])
    write_text(tabulate(rows, headers=["ID", "Severity", "Scope", "Title", "Source (AWS article)"], tablefmt="simple",
                    maxcolwidths=[9, 8, 10, 44, 42]) + "\n", None)
    return 0


def _rule_entry(rule: Rule) -> dict[str, Any]:
    from .rules.sources import cited

    return {"id": rule.id, "severity": rule.severity, "title": rule.title, "scope": rule.applies_to,
            "applies_to": rule.applies_to, "seed": rule.seed, "sources": cited(rule.seed),
            "description": rule.description, "source": rule.path}


def _check_view(args: argparse.Namespace) -> None:
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


def _write_reports(report: dict[str, Any], args: argparse.Namespace, rules: list[Rule]) -> None:
    """The report in its format (to --output or standard output), and the HTML report beside it with --html."""
    view = _view(args)
    write_text(render(report, args.format, rules, view), args.output)
    if args.html:
        from .render.html_report import render_html

        write_text(render_html(plain(report), rules, args.fail_on), args.html)
        if not args.quiet:
            print(f"HTML report: {args.html} (open it in a browser)", file=sys.stderr)


def _view(args: argparse.Namespace) -> View:
    """How the table is laid out: the terminal's width and colour (a file gets COLUMNS or 120, and no colour)."""
    return View(width=terminal_width(to_file=bool(args.output)),
                colour=wants_colour(args.color, sys.stdout, to_file=bool(args.output)),
                details=args.details or "auto", min_severity=args.min_severity, fail_on=args.fail_on)


def render(report: dict[str, Any], output_format: str, rules: list[Rule], view: View | None = None) -> str:
    """The report in a format; renderers read plain data (findings as their JSON objects)."""
    report = plain(report)
    if output_format == "html":
        from .render.html_report import render_html

        return render_html(report, rules, view.fail_on if view else None)
    if output_format == "json":
        return json.dumps(report, indent=2, default=str) + "\n"
    if output_format == "sarif":
        from .render.sarif import render_sarif

        return json.dumps(render_sarif(report, rules), indent=2, default=str) + "\n"
    if output_format == "csv":
        from .render.csv_report import render_csv

        return render_csv(report)
    return render_table(report, view)
