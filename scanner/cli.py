"""Command line: `apigw-scan scan|demo|token|rules|iam-policy` (contract.md), exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from . import __version__
from .errors import UsageError
from .render.table import render_table
from .report import FAIL_ON_CHOICES, exit_code
from .rules.loader import Rule, load_rules

FORMATS = ("table", "json")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as error:
        print(f"apigw-scan: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apigw-scan: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apigw-scan",
        description="Audits API Gateway authorization against Cognito, method by method.")
    parser.add_argument("--version", action="version", version=f"apigw-scan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scan = commands.add_parser("scan", help="scan the account of the standard AWS credential chain")
    scan.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    scan.add_argument("--region", action="append", metavar="REGION",
                      help="region to scan (repeatable; default: the configured region)")
    scan.add_argument("--api", action="append", metavar="NAME_OR_ID", help="only this API (repeatable)")
    scan.add_argument("--stage", metavar="STAGE", help="only what this stage serves")
    scan.add_argument("--save-snapshot", metavar="FILE", help="also write the collected data (no secrets) to FILE")
    scan.add_argument("--snapshot", metavar="FILE", help="judge a saved snapshot instead of calling AWS")
    _output_options(scan, fail_on_default="high")
    scan.set_defaults(handler=_scan)

    demo = commands.add_parser("demo", help="scan a built-in example account (no AWS account needed)")
    _output_options(demo, fail_on_default=None)
    demo.set_defaults(handler=_demo)

    token = commands.add_parser("token", help="would API Gateway accept this token on that method, and if not, why")
    token.add_argument("--api", required=True, metavar="NAME_OR_ID", help="the API")
    token.add_argument("--path", required=True, metavar="/PATH", help="the resource path, e.g. /orders/{id}")
    token.add_argument("--method", required=True, metavar="VERB", help="the HTTP method, e.g. GET")
    token.add_argument("--stage", metavar="STAGE", help="judge what this stage serves (default: the live API)")
    token.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    token.add_argument("--region", action="append", metavar="REGION", help="region of the API (repeatable)")
    token.add_argument("--jwks", metavar="URL_OR_FILE", help="where the signing keys are (default: the pool's JWKS)")
    token.add_argument("--live", action="store_true",
                       help="also run API Gateway's TestInvokeAuthorizer with the token (not a plain read)")
    token.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    token.add_argument("--output", metavar="FILE", help="write the answer to FILE (default: standard output)")
    token.add_argument("--quiet", action="store_true", help="print nothing but the answer")
    token.add_argument("token", metavar="TOKEN", help="the token, or - to read it from standard input")
    token.set_defaults(handler=_token)

    iam = commands.add_parser("iam-policy", help="print the least-privilege IAM policy the scanner needs")
    iam.add_argument("--live", action="store_true", help="the extra statement `token --live` needs")
    iam.set_defaults(handler=_iam_policy)

    rules = commands.add_parser("rules", help="list the rule catalog")
    rules.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    rules.add_argument("--policies", action="append", metavar="DIR", help="also load the rule files in DIR")
    rules.set_defaults(handler=_rules)
    return parser


def _output_options(parser: argparse.ArgumentParser, fail_on_default: str | None) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (default: standard output)")
    parser.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default=fail_on_default,
                        help="exit 1 when a finding is at or above this severity (default: high)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but the report")
    parser.add_argument("--policies", action="append", metavar="DIR",
                        help="also judge with the rule files in DIR (repeatable)")


def _scan(args: argparse.Namespace) -> int:
    from .scan import judge, load_snapshot, save_snapshot, scan_account

    rules = load_rules(args.policies)
    if args.snapshot:
        snapshot = load_snapshot(args.snapshot)
        report = judge(snapshot, args.stage, rules)
    else:
        from .collect.session import open_session

        session = open_session(args.profile)
        snapshot, report = scan_account(session, args.region, args.api, args.stage, rules)
    if args.save_snapshot:
        save_snapshot(snapshot, args.save_snapshot)
    _write(render(report, args.format), args.output)
    return exit_code(report, args.fail_on)


def _demo(args: argparse.Namespace) -> int:
    from .demo import demo_report

    report = demo_report(load_rules(args.policies))
    _write(render(report, args.format), args.output)
    if not args.quiet and args.format == "table" and args.output is None:
        print("This was the built-in example account (moto, in-process). Scan yours: apigw-scan scan --region REGION",
              file=sys.stderr)
    return exit_code(report, args.fail_on) if args.fail_on else 0


def _token(args: argparse.Namespace) -> int:
    from .collect.session import open_session
    from .render.token_table import render_token
    from .tokens.command import EXIT_CODES, token_report

    pasted = args.token
    if pasted == "-":
        pasted = sys.stdin.read()
        # The one newline a pipe (echo, cat) adds is not the user's; anything more is reported.
        pasted = pasted[:-1] if pasted.endswith("\n") else pasted
    if not pasted.strip():
        raise UsageError("TOKEN is empty: pass the token, or - and the token on standard input")
    result = token_report(open_session(args.profile), args.region, args.api, args.path, args.method, args.stage,
                          pasted, args.jwks, args.live)
    text = json.dumps(result, indent=2, default=str) + "\n" if args.format == "json" else render_token(result)
    _write(text, args.output)
    return EXIT_CODES[result["verdict"]]


def _iam_policy(args: argparse.Namespace) -> int:
    from .rules.loader import builtin_rules_dir

    name = "apigw-scan-token-live.json" if args.live else "apigw-scan-read-only.json"
    _write((builtin_rules_dir() / "iam" / name).read_text(encoding="utf-8"), None)
    return 0


def _rules(args: argparse.Namespace) -> int:
    rules = load_rules(args.policies)
    if args.format == "json":
        _write(json.dumps([_rule_entry(rule) for rule in rules], indent=2) + "\n", None)
        return 0
    from tabulate import tabulate

    rows = [[rule.id, rule.severity, rule.scope, rule.title, rule.seed] for rule in rules]
    _write(tabulate(rows, headers=["ID", "Severity", "Scope", "Title", "Seed"], tablefmt="simple",
                    maxcolwidths=[9, 8, 10, 50, 30]) + "\n", None)
    return 0


def _rule_entry(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "severity": rule.severity, "title": rule.title, "scope": rule.scope, "seed": rule.seed,
            "description": rule.description, "source": rule.source}


def render(report: dict[str, Any], output_format: str) -> str:
    if output_format == "json":
        return json.dumps(report, indent=2, default=str) + "\n"
    return render_table(report)


def _write(text: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"--output {path}: cannot be written ({error.strerror})") from None
