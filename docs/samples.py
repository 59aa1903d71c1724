"""`make docs`: every output sample of README.md and docs/interface.md, generated from the demo account (its IDs are
seeded, so a run gives the same text); `--check` lists the stale ones (tests/test_docs.py fails on them).

A sample stands between `<!-- sample NAME ... -->` and `<!-- end sample -->`; what is between is rewritten."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.access.matrix import blocked  # noqa: E402
from scanner.cli import main  # noqa: E402
from scanner.demo import demo_snapshot  # noqa: E402
from scanner.findings import plain  # noqa: E402
from scanner.render.formats import render_matrix  # noqa: E402
from scanner.render.matrix_view import matrix_document  # noqa: E402
from scanner.render.terminal import View, render_table  # noqa: E402
from scanner.rules.loader import load_rules  # noqa: E402
from scanner.scan import assess  # noqa: E402

FILES = (ROOT / "README.md", ROOT / "docs" / "interface.md")
SAMPLE = re.compile(r"(<!-- sample (?P<name>[\w-]+)[^>]*-->\n)(?P<body>.*?)(<!-- end sample -->)", re.S)
WIDTH = 120  # the samples are the table as a file or a pipe gets it


@functools.cache
def demo() -> dict[str, Any]:
    """The demo's report and matrix, judged once."""
    rules = load_rules()
    assessed = assess(demo_snapshot(), None, None, rules)
    cells = [cell.as_json() for cell in assessed.cells]
    matrix = matrix_document(cells, blocked(assessed.cells, assessed.judgement.index), assessed.report)
    return {"report": plain(assessed.report), "matrix": matrix}


def _fenced(text: str, language: str = "") -> str:
    return f"```{language}\n{text.rstrip()}\n```\n"


def _blocks(text: str) -> list[str]:
    return text.split("\n\n")


def _block_of(text: str, *words: str) -> str:
    """The paragraph (blank-line block) of `text` whose first line holds every word."""
    return next(block for block in _blocks(text) if all(word in block.splitlines()[0] for word in words))


def _rows(table: str, wanted: list[tuple[str, str, str]]) -> list[str]:
    """The table's header lines and the rows of (API, method, path), in the table's order."""
    lines = table.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("Severity "))
    chosen = [line for line in lines[start + 2:] if line and any(
        re.search(rf"\s{re.escape(api)}\s.*\s{re.escape(verb)}\s+{re.escape(path)}\s", f" {line} ")
        for api, verb, path in wanted)]
    return lines[start:start + 2] + chosen


def first_screen() -> str:
    """`make demo`'s first screen: the summary, the worst rows, and the first cause with its fix and commands."""
    text = render_table(demo()["report"], View(width=WIDTH))
    summary, table = _blocks(text)[0], _blocks(text)[1].splitlines()
    detail = text.split("findings by cause", 1)[1]
    return _fenced("\n".join([summary, "", *table[:5], "…", _block_of(detail, "APIGW001")]))


def matrix() -> str:
    text = render_matrix(demo()["matrix"], "table", width=WIDTH)
    grids, api = [], ""
    for block in _blocks(text):  # a grid, and the tables its callers go on in (those sent through CloudFront…)
        api = api if block.startswith("Method ") else block.split(" (", 1)[0]
        if api in ("shop", "mobile-bff", "stock", "storefront"):
            grids.append(block)
    return _fenced("\n\n".join([*grids, _blocks(text)[-1].split("\n  ", 1)[0] + "\n  …"]))


def traffic() -> str:
    """The rows that traffic speaks of, as a wide terminal shows them (the Traffic column), and their findings."""
    report = demo()["report"]
    wide = render_table(report, View(width=200, details="none"))
    rows = _rows(wide, [("legacy-admin", "GET", "/users"), ("members", "GET", "/me"),
                        ("members-bff", "GET", "/me")])
    detail = render_table(report, View(width=WIDTH, details="all"))
    blocks = []
    for words in (("APIGW001", "legacy-admin"), ("HTTP001", "members-bff"), ("TRF001", "members ")):
        block = _block_of(detail, *words).splitlines()
        blocks.append("\n".join(line for line in block[:next((i for i, line in enumerate(block)
                                                                if line.startswith("  fix:")), len(block))]))
    return _fenced("\n".join(rows) + "\n\n" + "\n\n".join(blocks))


def table() -> str:
    text = render_table(demo()["report"], View(width=WIDTH, details="none"))
    rows = _rows(text, [("reviews", "POST", "/reviews"), ("orders-v2", "GET", "/orders"),
                        ("shop", "DELETE", "/orders/{id}"), ("shop", "GET", "/orders")])
    hidden = [line for line in text.splitlines() if line.startswith("(Hidden at")]
    return _fenced("\n".join(rows + hidden))


def rule_typo() -> str:
    """What a rule file with a misspelt field gets (written to a folder ./acme, then loaded)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "acme").mkdir()
        (Path(folder) / "acme" / "ACME003.toml").write_text(
            'id = "ACME003"\nseverity = "high"\ntitle = "Authorizer without an identity source"\nseed = "004"\n'
            'applies_to = "authorizer"\ncondition = "!identty_source"\n'
            'message = "Authorizer {authorizer} reads no header."\nfix = "Name the header."\n', encoding="utf-8")
        here = Path.cwd()
        error = io.StringIO()
        try:
            os.chdir(folder)
            with contextlib.redirect_stderr(error), contextlib.redirect_stdout(io.StringIO()):
                main(["rules", "--policies", "./acme"])
        finally:
            os.chdir(here)
    return _fenced("$ apigw-scan rules --policies ./acme\n" + error.getvalue())


def _shortened(value: Any, most: int = 60) -> Any:
    if isinstance(value, str):
        return value if len(value) <= most else value[:most - 1] + "…"
    if isinstance(value, list):
        return [_shortened(item, most) for item in value]
    if isinstance(value, dict):
        return {key: _shortened(item, most) for key, item in value.items()}
    return value


def report_json() -> str:
    """The JSON report's shape, from the demo: one method, one finding, one chain (strings shortened)."""
    report = demo()["report"]
    method = next(row for row in report["methods"] if (row["api_name"], row["method"], row["path"]) ==
                  ("shop", "GET", "/orders"))
    finding = next(f for f in report["findings"] if f["rule"] == "APIGW005")
    chain = next(c for c in report["chains"] if c["api_name"] == "shop")
    chain = {**chain, "pools": [{**pool, "clients": pool["clients"][:1]} for pool in chain["pools"]]}
    sample = {key: report[key] for key in ("schema", "account", "accounts", "regions")}
    sample.update(methods=[method], findings=[finding], errors=report["errors"], notes=report["notes"],
                  summary=report["summary"], calls=report["calls"], chains=[chain])
    return _fenced(_compact_json(_shortened(sample)), "json")


def _compact_json(value: Any, indent: int = 0) -> str:
    """JSON with each list or object on one line when it fits in the page, else one item a line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= 116 or not isinstance(value, (dict, list)) or not value:
        return flat
    inner = " " * (indent + 2)
    items = ([f"{inner}{json.dumps(key)}: {_compact_json(item, indent + 2)}" for key, item in value.items()]
             if isinstance(value, dict) else [f"{inner}{_compact_json(item, indent + 2)}" for item in value])
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(items) + "\n" + " " * indent + closing


SAMPLES: dict[str, Callable[[], str]] = {
    "first-screen": first_screen, "matrix": matrix, "traffic": traffic, "table": table, "rule-typo": rule_typo,
    "report-json": report_json,
}


def refreshed(text: str) -> str:
    """The document with each of its samples generated anew."""
    return SAMPLE.sub(lambda found: found.group(1) + SAMPLES[found.group("name")]() + found.group(4), text)


def stale() -> list[str]:
    """`file: sample` for each sample that differs from what the demo gives now (and for unknown names)."""
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for sample in SAMPLE.finditer(text):
            name = sample.group("name")
            if name not in SAMPLES or SAMPLES[name]() != sample.group("body"):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    return found


def main_docs(argv: list[str]) -> int:
    if argv == ["--check"]:
        old = stale()
        print("\n".join(f"stale: {name} (run make docs)" for name in old) or "every sample is current")
        return 1 if old else 0
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        new = refreshed(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: samples written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_docs(sys.argv[1:]))
