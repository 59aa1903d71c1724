"""Which renderer writes each output format: the scan report, the access matrix, the token's answer, the rules."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from tabulate import tabulate

from ..rules.guide import catalog_markdown, fields_markdown, fields_text
from ..rules.loader import RefusalRule, Rule
from ..rules.sources import cited, cited_titles
from ..spool import SpooledReport, held, materialized
from .csv_report import write_csv
from .escape import escaped
from .html_big import write_big_html
from .html_report import render_html
from .json_report import write_json
from .matrix_view import render_matrix_csv, render_matrix_json, render_matrix_table
from .sarif import write_sarif
from .terminal import MOST_ROWS, View, write_table
from .token_table import render_token
from .width import DEFAULT_WIDTH

FORMATS = ("table", "json", "sarif", "csv", "html")
MATRIX_FORMATS = ("table", "json", "csv")
TOKEN_FORMATS = ("table", "json")
RULES_FORMATS = ("table", "json", "markdown")


def render(report: dict[str, Any], output_format: str, rules: list[Rule], view: View | None = None) -> str:
    """The scan report in one of FORMATS; renderers read plain data (findings as their JSON objects)."""
    buffer = io.StringIO()
    write_report(held(report), output_format, rules, view, buffer)
    return buffer.getvalue()


def write_report(report: SpooledReport, output_format: str, rules: list[Rule], view: View | None,
                 out: TextIO) -> None:
    """The scan report in one of FORMATS, written as it is read: JSON, SARIF and CSV a row at a time."""
    if output_format == "json":
        write_json(report, out)
    elif output_format == "sarif":
        write_sarif(report, rules, out)
    elif output_format == "csv":
        write_csv(report.methods, report.findings, report.errors, out)
        report.tail()
    elif output_format == "html" and report.count > MOST_ROWS:
        write_big_html(report, rules, view.fail_on if view else None, out)
    elif output_format == "html":
        out.write(render_html(materialized(report), rules, view.fail_on if view else None))
    else:
        write_table(report, view or View(), out)


def render_matrix(document: dict[str, Any], output_format: str, unicode: bool = True,
                  width: int = DEFAULT_WIDTH) -> str:
    """The access matrix in one of MATRIX_FORMATS (the table: ✓ with `unicode`, else ok; fitted to `width`)."""
    if output_format == "json":
        return render_matrix_json(document)
    if output_format == "csv":
        return render_matrix_csv(document)
    return render_matrix_table(document, unicode=unicode, width=width)


def render_token_answer(result: dict[str, Any], output_format: str) -> str:
    """`token`'s answer in one of TOKEN_FORMATS."""
    return json.dumps(result, indent=2, default=str) + "\n" if output_format == "json" else render_token(result)


def render_rules(rules: list[Rule], output_format: str, width: int = DEFAULT_WIDTH) -> str:
    """The rule catalog in one of RULES_FORMATS (the table fitted to `width`: its title and source columns share
    what the ID, severity and scope columns leave, 44 and 42 cells at most)."""
    if output_format == "json":
        return json.dumps([_rule_entry(rule) for rule in rules], indent=2) + "\n"
    if output_format == "markdown":
        return catalog_markdown(rules)
    rows = escaped([[rule.id, rule.severity, rule.applies_to, rule.title, cited_titles(rule.seed)] for rule in rules])
    title = min(44, max(20, (width - _RULE_COLUMNS) // 2))
    source = min(42, max(20, width - _RULE_COLUMNS - title))
    return str(tabulate(rows, headers=["ID", "Severity", "Scope", "Title", "Source (AWS article)"], tablefmt="simple",
                        maxcolwidths=[9, 8, 10, title, source])) + "\n"


_RULE_COLUMNS = 36  # ID, severity and scope as tabulate lays them (8, 10 and 10 cells), and four gaps of two


def render_fields(kinds: list[str], output_format: str, width: int = DEFAULT_WIDTH) -> str:
    """What a rule file can read (of `kinds`); markdown: every kind, as policies/README.md has it."""
    return fields_markdown() if output_format == "markdown" else fields_text(kinds, width)


def _rule_entry(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "severity": rule.severity, "title": rule.title, "scope": rule.applies_to,
            "applies_to": rule.applies_to, "seed": rule.seed, "sources": cited(rule.seed),
            "description": rule.description, "source": rule.path, "kind": rule.kind,
            "refuses": [_refusal_entry(refusal) for refusal in rule.refusals]}


def _refusal_entry(refusal: RefusalRule) -> dict[str, Any]:
    """A rule's [[refuses]] table as its file writes it (expressions as text; absent fields left out)."""
    entry: dict[str, Any] = {"step": refusal.step, "status": int(refusal.status), "callers": list(refusal.kinds)}
    for name in ("select", "clients", "pools", "through", "when"):
        expression = getattr(refusal, name)
        if expression is not None:
            entry[name] = expression.expression
    return {**entry, "partial": refusal.partial}
