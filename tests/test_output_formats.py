"""Output formats: SARIF valid against the OASIS schema, JSON, SARIF and CSV carrying the same findings, CSV safe."""

from __future__ import annotations

import copy
import csv
import io
import json

import jsonschema
import pytest

from helpers import in_ci, shared_file
from scanner.rules.loader import load_rules

SCHEMA = "schemas/sarif-schema-2.1.0.json"


def _demo_formats():
    """One demo report, rendered in every format."""
    from scanner.demo import demo_report
    from scanner.render.formats import render

    rules = load_rules()
    report = demo_report(rules)
    return {output_format: render(report, output_format, rules) for output_format in ("json", "sarif", "csv")}


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return _demo_formats()


def test_sarif_is_valid_against_the_oasis_schema(outputs):
    """Validated against ../shared/schemas/ (never copied here): skipped with its reason in a clone without it,
    failed under CI, which always lays shared/ beside its clone."""
    schema = json.loads(shared_file(SCHEMA).read_text())
    assert schema["title"].startswith("Static Analysis Results Format")
    sarif = json.loads(outputs["sarif"])
    jsonschema.Draft4Validator(schema).validate(sarif)
    broken = copy.deepcopy(sarif)
    broken["runs"][0]["results"][0]["level"] = "fatal"  # not a SARIF level: the validation can fail
    assert list(jsonschema.Draft4Validator(schema).iter_errors(broken))


def test_a_missing_schema_fails_under_ci_and_skips_visibly_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match="CI lays shared/ beside the clone"):
        shared_file("schemas/no-such-schema.json")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="not checked in this clone"):
        shared_file("schemas/no-such-schema.json")


def test_all_formats_carry_the_same_findings(outputs):
    report, sarif = json.loads(outputs["json"]), json.loads(outputs["sarif"])
    [run] = sarif["runs"]
    # Every rule a scan can report (a design rule's findings are the matrix's and token's, never a result).
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {r.id for r in load_rules() if r.kind != "design"}
    from scanner.report import resource_of

    in_json = sorted((f["rule"], resource_of(f), f.get("stage") or "") for f in report["findings"])
    in_sarif = sorted((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                       r["properties"].get("stage") or "") for r in run["results"])
    assert in_json == in_sarif
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert len([r for r in rows if r["kind"] == "method"]) == len(report["methods"])
    in_csv = sorted((r["rules"], r["message"]) for r in rows if r["kind"] == "finding")
    assert in_csv == sorted((f["rule"], f["message"]) for f in report["findings"])


def test_csv_defuses_spreadsheet_formulas():
    from scanner.render.csv_report import render_csv

    text = render_csv({"methods": [{"api_name": "=HYPERLINK(1)", "findings": []}], "findings": []})
    assert "'=HYPERLINK(1)" in text


def _argv(script: str) -> list[str]:
    """The words bash reads in `script` (pipes and redirections quoted away, so only words are compared)."""
    import subprocess

    done = subprocess.run(["bash", "-c", "printf '%s\\0' " + script], capture_output=True, text=True, check=True)
    return done.stdout.split("\0")[:-1]


def test_commands_broken_into_lines_paste_as_the_same_command():
    """The table breaks long commands between words with ` \\`, and inside a word (single quotes closed and
    reopened, or a bare backslash) at column 0: bash reads the lines as the command itself."""
    from scanner.demo import demo_report
    from scanner.render.shell_lines import shell_lines, words

    commands = {command for finding in demo_report(load_rules())["findings"] for command in finding["commands"]}
    assert len(commands) > 20
    for command in sorted(commands):
        neutral = " ".join(f"'{word}'" if word in ("|", ">") else word for word in words(command))
        for width in (60, 80, 120):
            lines = shell_lines(neutral, width, "    ")
            assert all(len(line) <= width for line in lines), (width, lines)
            assert _argv("\n".join(lines)) == _argv(neutral), (width, lines)
