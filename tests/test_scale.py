"""What keeps a big report's judging linear and its memory bounded (issue 25), each piece on its own: JSON files
read a piece at a time (deep and broken ones as a whole file is read), JMESPath compiled to the interpreter's
answers, the CPUs a container allows, the table and the HTML report of more than 200 methods."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jmespath.parser import ParsedResult

from helpers import run_cli
from replicate import organization
from scanner.access.callers import add_callers
from scanner.demo import demo_snapshot
from scanner.files import MAX_DEPTH, TOO_DEEP, parse_json, shallow, too_deep
from scanner.json_stream import read_members
from scanner.model.facts import build_facts
from scanner.model.normalize import normalize_snapshot
from scanner.rules.compiled import CompiledExpression
from scanner.rules.loader import load_rules
from scanner.scan import judge
from scanner.schema.facts import SERVED_METHODS
from scanner.schema.snapshot import SNAPSHOTS_SCHEMA
from scanner.workers import _cgroup2_quota


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return demo_snapshot()


@pytest.fixture(scope="module")
def big(demo: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization of 3 accounts and about 400 methods (the demo, replicated)."""
    rows = len(judge(demo, None, None, load_rules())["methods"])
    path = tmp_path_factory.mktemp("big") / "org.json"
    path.write_text(json.dumps({"schema": SNAPSHOTS_SCHEMA,
                                "snapshots": list(organization(demo, rows, 400, regions=2, copies_per_unit=2))}))
    return path


def members(text: str, streamed: frozenset[str] = frozenset({"rows"})) -> list[tuple[str, Any]]:
    return [(key, list(value) if key in streamed and not isinstance(value, (dict, list, str, int)) else value)
            for key, value in read_members(io.StringIO(text), streamed)]


def test_a_file_read_a_piece_at_a_time_is_the_file_read_whole():
    document = {"schema": "x", "rows": [{"a": [1, 2.5, None, True]}, "é\u202e", 12345678901234567890, []],
                "after": {"deep": [[[[{"k": "v"}]]]]}, "empty": []}
    text = json.dumps(document, indent=3)
    assert dict(members(text)) == document
    import scanner.json_stream as stream
    small = stream.CHUNK
    try:
        stream.CHUNK = 7  # values cut by the buffer's edge everywhere, numbers included
        assert dict(members(text)) == document
    finally:
        stream.CHUNK = small


@pytest.mark.parametrize("text", ['{"rows": [1, 2', '{"rows": [1,, 2]}', '["not an object"]', '{"a": 1} {"b": 2}',
                                  '{"a" 1}'])
def test_a_broken_file_is_a_value_error_never_a_partial_read(text):
    with pytest.raises(ValueError):
        members(text)


def test_a_value_nested_too_deeply_is_too_deep_piece_by_piece_as_whole():
    deep = "[" * 100 + "]" * 100
    very = "[" * 5000 + "]" * 5000  # deeper than the parser's own recursion
    text = '{"rows": [' + deep + ", " + very + ', {"fine": [1]}], "tail": ' + deep + "}"
    whole = parse_json(text)
    read = dict(members(text))
    assert read == whole
    assert json.dumps(read).count(TOO_DEEP) == 3 and read["rows"][2] == {"fine": [1]}


@pytest.mark.parametrize("text", ["[" * MAX_DEPTH + "]" * MAX_DEPTH, json.dumps({"s": "[[[[" * 50}),
                                  json.dumps({"s": "]]]]" * 50, "v": [[[[1]]]]}), '["\\\\", "\\"[[["]'])
def test_the_fast_depth_check_agrees_with_the_careful_one(text):
    assert too_deep(text) == (shallow(text) != text)
    assert not too_deep(text)
    assert too_deep("[" + text + "," + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "]")


def test_compiled_expressions_answer_as_jmespath_does(demo):
    """Every expression of every built-in rule, on every fact record of the demo (and each for_each item): the
    same answer, or the same error, as jmespath's own interpreter."""
    rules = load_rules()
    snapshot = normalize_snapshot(demo)
    facts = build_facts(snapshot)
    add_callers(facts, snapshot)
    compared = 0
    for rule in rules:
        expressions = [rule.condition, rule.unknown, rule.for_each,
                       *(part for command in rule.commands for part in (command.when, command.for_each)),
                       *(part for refusal in rule.refusals
                         for part in (refusal.select, refusal.clients, refusal.pools, refusal.when))]
        for expression in (e for e in expressions if e is not None):
            assert isinstance(expression, CompiledExpression)
            interpreted = ParsedResult(expression.expression, expression.parsed)
            for record in facts[rule.applies_to] + facts[SERVED_METHODS]:
                items = rule.for_each.search(record) if rule.for_each is not None else None
                for item in [None, *(items if isinstance(items, list) else [])]:
                    context = {**record, "item": item}
                    assert _answer(expression, context) == _answer(interpreted, context), expression.expression
                    compared += 1
    assert compared > 3000


def _answer(expression: Any, value: Any) -> Any:
    try:
        found = expression.search(value)
    except Exception as error:  # noqa: BLE001  # the same error is the same answer
        return ("error", type(error).__name__, str(error))
    return ("value", type(found).__name__, found)


@pytest.mark.parametrize("expression, value", [
    ("a == `1`", {"a": True}), ("a == `0`", {"a": False}), ("a != `1`", {"a": True}), ("!a", {"a": 0}),
    ("a < b", {"a": "x", "b": "y"}), ("a < b", {"a": 1, "b": "y"}), ("a[?b].c", {"a": [{"b": 1, "c": 2}, {"b": 0}]}),
    ("a.*.b", {"a": {"x": {"b": 1}, "y": {}}}), ("a[].b[]", {"a": [{"b": [1, [2]]}]}), ("a[1:]", {"a": [1, 2, 3]}),
    ("{x: a, y: b}", {"a": 1}), ("[a, b]", None), ("sort_by(a, &b)[].b", {"a": [{"b": 2}, {"b": 1}]}),
    ("a || b && c", {"a": [], "b": "x", "c": {}}), ("length(a) > `1` | @", {"a": "ab"}), ("a[-1]", {"a": []}),
])
def test_compiled_expressions_keep_jmespaths_corners(expression, value):
    from scanner.rules.compiled import compile_expression

    assert _answer(compile_expression(expression), value) == _answer(ParsedResult(expression, compile_expression(
        expression).parsed), value)


@pytest.mark.parametrize("text, quota", [("max 100000\n", None), ("200000 100000\n", 2.0), ("150000 100000", 1.5),
                                         ("", None)])
def test_a_containers_cpu_quota_bounds_the_judging_processes(text, quota):
    assert _cgroup2_quota(text) == quota


def test_the_table_of_a_big_scan_shows_the_worst_and_says_where_the_rest_is(big):
    result = run_cli("scan", "--snapshot", str(big), "--fail-on", "never", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    report = json.loads(run_cli("scan", "--snapshot", str(big), "--format", "json", "--fail-on", "never").stdout)
    total = len(report["methods"])
    assert total > 200
    assert text.startswith("Scanned") and f"{total} method(s)" in text
    assert f"(The 50 worst of {total} methods." in text and "--format" in text and "--html" in text
    lines = text.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("Severity"))) + 2:]
    rows = table[:table.index(next(line for line in table if line.startswith("(The 50 worst")))]
    assert len(rows) == 50 and all(row.split()[0] == "critical" for row in rows[:10])
    causes = re.search(r"findings by cause: (\d+) cause\(s\)", text)
    assert causes and int(causes.group(1)) > 50 and "more cause(s) after these 50" in text
    assert len(lines) < 1500  # the whole table would be thousands


def test_the_html_report_of_a_big_scan_carries_its_data_packed(big, tmp_path):
    page = tmp_path / "report.html"
    assert run_cli("scan", "--snapshot", str(big), "--format", "json", "--output", str(tmp_path / "r.json"),
                   "--html", str(page), "--fail-on", "never", "--quiet").returncode == 0
    html = page.read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert html.count("<script>") == 1  # the page's own; the data blocks are never run
    for block in ("report-data", "chain-data", "chain-list"):
        assert f'<script type="application/octet-stream" id="{block}">' in html
    import base64
    import gzip

    data = json.loads(gzip.decompress(base64.b64decode(re.search(
        r'id="report-data">([^<]*)</script>', html).group(1))))
    report = json.loads((tmp_path / "r.json").read_text())
    assert len(data["methods"]) == len(report["methods"]) and data["columns"][0] == "severity"
    assert sum(len(cause["places"]) or 1 for cause in data["causes"]) <= len(report["findings"])
    assert "Exit status" in html and "<table" in html
