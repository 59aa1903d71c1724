"""Every view of one run tells the same story with the same counts and words: the JSON summary, the terminal, the
HTML page (title, cards, findings) and the matrix; no text prints None, no view names a command it does not show,
and at 80 columns only a name longer than the line overflows (issue 27)."""

from __future__ import annotations

import json
import re

import pytest

from scanner.access.matrix import blocked
from scanner.demo import demo_snapshot
from scanner.render.formats import render, render_matrix
from scanner.render.groups import group_findings
from scanner.render.matrix_view import matrix_document
from scanner.render.terminal import View
from scanner.render.width import cells
from scanner.rules.loader import SEVERITIES, load_rules
from scanner.scan import assess

# What a fix says when it points at its commands.
NAMES_A_COMMAND = re.compile(r"\b(below|first command|next two|the recipe|the commands?|commands? below)\b")
# A value that was None, printed as a name.
NONE_AS_A_NAME = re.compile(r"\b(app client|client|role|pool|authorizer|function|stage|API|distribution|domain) "
                            r"(none|None|null)\b")


@pytest.fixture(scope="module")
def run() -> dict:
    rules = load_rules()
    assessed = assess(demo_snapshot(), None, None, rules)
    cells_json = [cell.as_json() for cell in assessed.cells]
    return {"rules": rules, "report": assessed.report,
            "matrix": matrix_document(cells_json, blocked(assessed.cells, assessed.judgement.index), assessed.report)}


def views(run: dict, width: int = 120) -> dict[str, str]:
    report, rules = run["report"], run["rules"]
    return {"table": render(report, "table", rules, View(width=width)),
            "table-all": render(report, "table", rules, View(width=width, details="all")),
            "html": render(report, "html", rules, View(width=width)),
            "csv": render(report, "csv", rules), "sarif": render(report, "sarif", rules),
            "json": render(report, "json", rules),
            "matrix": render_matrix(run["matrix"], "table", width=width),
            "matrix-csv": render_matrix(run["matrix"], "csv")}


def test_every_view_counts_the_findings_alike(run):
    """The summary's counts, the terminal's Findings line, the HTML title, cards and findings heading, and the
    detail's headings are one count: decided findings by severity, and the undecided beside them (the HTML title
    said 51 while its page said 56)."""
    report = run["report"]
    summary = report["summary"]
    decided = [f for f in report["findings"] if f["outcome"] == "fail"]
    undecided = [f for f in report["findings"] if f["outcome"] != "fail"]
    assert sum(summary["findings"].values()) == len(decided) and summary["unknown"] == len(undecided) > 0
    assert {name: sum(1 for f in decided if f["severity"] == name) for name in SEVERITIES} == summary["findings"]
    tally = f"{len(decided)} finding(s) and {len(undecided)} undecided"
    shown = views(run)
    title = re.search(r"<title>(.*?)</title>", shown["html"]).group(1)
    assert title == f"apigw-scan report: {summary['methods']} method(s), {tally}"
    groups = len(group_findings(report["findings"]))
    assert f"<h2>Findings by cause ({groups} cause(s), {tally})</h2>" in shown["html"]
    cards = re.search(r'<section id="summary">.*?</section>', shown["html"]).group(0)
    terminal = next(line for line in shown["table"].splitlines() if line.startswith("Findings  "))
    for name in SEVERITIES:
        if summary["findings"][name]:
            assert f">{summary['findings'][name]} {name}<" in cards and f"{summary['findings'][name]} {name}" in \
                terminal
    assert f"{len(undecided)} undecided" in cards and terminal.endswith(f"· {len(undecided)} undecided")
    assert f"Findings: {tally}" in shown["table-all"]
    high = [f for f in report["findings"] if f["severity"] in ("critical", "high")]
    high_tally = (f"{sum(1 for f in high if f['outcome'] == 'fail')} finding(s) and "
                  f"{sum(1 for f in high if f['outcome'] != 'fail')} undecided")
    assert f"{len(group_findings(high))} cause(s), {high_tally}" in " ".join(shown["table"].split())
    assert json.loads(shown["json"])["summary"] == summary


def test_no_text_prints_none(run):
    """A value that is not known never reads as a name (`app client none`, `assumes role none`), and Python's
    None never reaches a text view."""
    for name, text in views(run).items():
        if name != "json":
            assert not re.search(r"\bNone\b", text), name
        flat = " ".join(text.split())
        assert not NONE_AS_A_NAME.search(flat), (name, NONE_AS_A_NAME.search(flat).group(0))
    for finding in run["report"]["findings"]:
        for text in (finding["message"], finding["fix"]):
            assert not NONE_AS_A_NAME.search(text), (finding["rule"], text)


def test_no_view_names_a_command_it_does_not_show(run):
    """A fix that points at its commands ("with the first command", "POOL_ID below", "the recipe") comes with
    them, and the default terminal view shows the commands of each cause's first place under its fix."""
    report = run["report"]
    for finding in report["findings"]:
        if NAMES_A_COMMAND.search(finding["fix"] or ""):
            assert finding["commands"], (finding["rule"], finding["outcome"], finding["fix"])
    table = views(run)["table"]
    detail = table.split("findings by cause", 1)[1]
    for group in group_findings([f for f in report["findings"] if f["severity"] in ("critical", "high")]):
        for command in group.first["commands"]:
            first_word = command.split()[0:3]
            assert "    " + " ".join(first_word) in detail, (group.rule, command)


@pytest.mark.parametrize("width", [80, 120])
def test_only_a_name_longer_than_the_line_overflows(run, width):
    """At COLUMNS=80 (and 120) sentences wrap, tables fit; a line wider than the screen is one unbreakable name
    (an ARN, an issuer URL, a shell word of a command), alone on its line."""
    for name in ("table", "table-all", "matrix"):
        for line in views(run, width)[name].splitlines():
            if cells(line) > width:
                words = line.split()
                assert len(words) == 1 or (len(words) == 2 and words[-1] == "\\"), (name, cells(line), line)
