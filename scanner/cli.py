"""Command line entry: `apigw-scan scan|matrix|merge|demo|token|rules|iam-policy` (docs/interface.md): each command
reads its arguments (arguments.py), runs (run.py) and writes what the chosen renderer makes (render/formats.py);
exit codes 0/1/2, and a usage error is one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from .access.matrix import blocked
from .arguments import build_parser, check_scan_options, check_view
from .collect.session import open_session, partition_patterns
from .demo import demo_report, demo_snapshot
from .errors import UsageError
from .files import OutputClosed, check_writable, open_output, write_text
from .merge import merge_into
from .render.colour import wants_colour
from .render.escape import escape_text
from .render.formats import (
    render,
    render_fields,
    render_matrix,
    render_rules,
    render_token_answer,
    write_report,
)
from .render.matrix_view import matrix_document
from .render.terminal import View
from .render.width import terminal_width, wrap
from .report import exit_code
from .rules.loader import Rule, builtin_rules_dir, load_rules
from .run import Triage, collected, collected_into, load_triage, save_snapshots, spool_triage
from .scan import assess, matrix_of
from .schema.facts import KINDS
from .spool import ReportSpool
from .tokens.command import EXIT_CODES, token_report


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `apigw-scan` alone: what it does and how to start
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        print(f"apigw-scan: error: {escape_text(str(error))}", file=sys.stderr)
        return 2
    except OutputClosed:
        print("apigw-scan: error: standard output was closed before the report was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("apigw-scan: interrupted", file=sys.stderr)
        return 130


def _scan(args: argparse.Namespace) -> int:
    check_scan_options(args)
    check_view(args)
    rules = load_rules(args.policies)
    triage = load_triage(args)  # every file option is read before any AWS call
    with _spool(args, triage) as spool:
        snapshots = collected_into(args, rules, spool)
        saving_failed = save_snapshots(args, snapshots)
        code = _write_spooled(spool, args, rules)
    if saving_failed is not None:
        raise saving_failed
    return code


def _matrix(args: argparse.Namespace) -> int:
    check_scan_options(args)
    rules = load_rules(args.policies)
    snapshots, report = collected(args, rules)
    saving_failed = save_snapshots(args, snapshots)
    cells, stuck = matrix_of(snapshots, args.api, args.stage, rules, args.client)
    if args.client and not any(cell.caller.client_id for cell in cells):
        raise UsageError(f"--client {', '.join(args.client)}: no app client of that name or ID is a caller of the "
                         "scanned methods")
    document = matrix_document([cell.as_json() for cell in cells], stuck, report)
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    unicode = args.color == "always" or (args.color == "auto" and encoding == "utf8")
    write_text(render_matrix(document, args.format, unicode, terminal_width(to_file=bool(args.output))), args.output)
    if saving_failed is not None:
        raise saving_failed
    return 2 if report["errors"] else 1 if document["blocked"] else 0


def _merge(args: argparse.Namespace) -> int:
    if args.output:
        check_writable(args.output, "--output")
    check_view(args)
    rules = load_rules(args.policies)
    triage = load_triage(args)
    with _spool(args, triage) as spool:
        merge_into(spool, args.files)
        return _write_spooled(spool, args, rules)


def _spool(args: argparse.Namespace, triage: Triage) -> ReportSpool:
    """Where the report is put together as it is judged (or read): the suppressions and baseline applied to each
    finding as it arrives."""
    applied, notes = spool_triage(triage)
    spool = ReportSpool(applied, fail_on=args.fail_on)
    spool.triage_notes += notes
    return spool


def _write_spooled(spool: ReportSpool, args: argparse.Namespace, rules: list[Rule]) -> int:
    """The report in the asked format (to --output or standard output), and the HTML report beside it with --html;
    the exit code."""
    report = spool.report()
    with open_output(args.output) as out:
        write_report(report, args.format, rules, _view(args), out)
    if args.html:
        with open_output(args.html, "--html") as out:
            write_report(spool.report(), "html", rules, _view(args), out)
        if not args.quiet:
            _say(f"HTML report: {args.html} (open it in a browser)")
    return 2 if report.errors else 1 if report.gating() else 0


def _demo(args: argparse.Namespace) -> int:
    if args.output:
        check_writable(args.output, "--output")
    check_view(args)
    rules = load_rules(args.policies)
    if args.matrix:
        return _demo_matrix(args, rules)
    report = demo_report(rules)
    _write_reports(report, args, rules)
    if not args.quiet and args.format == "table" and args.output is None:
        _say("This was the built-in example account (moto, in-process). Scan yours: apigw-scan scan --region REGION")
    return exit_code(report, args.fail_on) if args.fail_on else 0


def _demo_matrix(args: argparse.Namespace, rules: list[Rule]) -> int:
    if args.format in ("sarif", "html") or args.html:
        raise UsageError(f"--matrix {'--html' if args.html else '--format ' + args.format}: the matrix is written "
                         "as table, json or csv")
    assessed = assess(demo_snapshot(), None, None, rules)
    document = matrix_document([cell.as_json() for cell in assessed.cells],
                               blocked(assessed.cells, assessed.judgement.index), assessed.report)
    write_text(render_matrix(document, args.format, width=terminal_width(to_file=bool(args.output))), args.output)
    return 0


def _token(args: argparse.Namespace) -> int:
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
                          pasted, args.jwks, args.live, rules, args.via_cloudfront)
    write_text(render_token_answer(result, args.format), args.output)
    return EXIT_CODES[result["verdict"]]


def _iam_policy(args: argparse.Namespace) -> int:
    if args.partition not in partition_patterns():
        raise UsageError(f"--partition {args.partition}: expected one of {', '.join(partition_patterns())}")
    name = ("apigw-scan-token-live.json" if args.live else "apigw-scan-fleet.json" if args.fleet
            else "apigw-scan-read-only.json")
    text = (builtin_rules_dir() / "iam" / name).read_text(encoding="utf-8")
    write_text(text.replace('"arn:aws:', f'"arn:{args.partition}:'), None)
    return 0


def _rules(args: argparse.Namespace) -> int:
    if args.fields:
        if args.fields != "all" and args.fields not in KINDS:
            raise UsageError(f"--fields {args.fields}: expected one of {', '.join(KINDS)} (or nothing for all)")
        write_text(render_fields(list(KINDS) if args.fields == "all" else [args.fields], args.format,
                                 terminal_width()), None)
        return 0
    write_text(render_rules(load_rules(args.policies), args.format, terminal_width()), None)
    return 0


def _write_reports(report: dict[str, Any], args: argparse.Namespace, rules: list[Rule]) -> None:
    """The report in its format (to --output or standard output), and the HTML report beside it with --html."""
    write_text(render(report, args.format, rules, _view(args)), args.output)
    if args.html:
        write_text(render(report, "html", rules, _view(args)), args.html)
        if not args.quiet:
            _say(f"HTML report: {args.html} (open it in a browser)")


def _say(text: str) -> None:
    """A line for the person at the terminal, on standard error, wrapped to its width."""
    print("\n".join(wrap(text, terminal_width(sys.stderr))), file=sys.stderr)


def _view(args: argparse.Namespace) -> View:
    """How the table is laid out: the terminal's width and colour (a file gets COLUMNS or 120, and no colour)."""
    return View(width=terminal_width(to_file=bool(args.output)),
                colour=wants_colour(args.color, sys.stdout, to_file=bool(args.output)),
                details=args.details or "auto", min_severity=args.min_severity, fail_on=args.fail_on)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "scan": _scan, "matrix": _matrix, "merge": _merge, "demo": _demo, "token": _token, "iam-policy": _iam_policy,
    "rules": _rules,
}
