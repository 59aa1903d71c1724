"""`make bench`, judging at organization scale (issue 25): the demo account's snapshot replicated into organizations
of 5,000 and 50,000 methods (bench/replicate.py: fresh IDs and names, every rule family firing), judged by
`apigw-scan scan --snapshot` as JSON, SARIF, CSV, table and HTML; `merge` of 16 shards totalling 50,000 methods; the
HTML report's load time in headless Chromium; each in a process of its own, its wall time, CPU time and peak memory
(the sum of the proportional set sizes of the process and its workers, sampled every 20 ms: what a container's
memory limit counts).

Budgets (issue 25): 50,000 methods as JSON, SARIF or CSV, and the merge of 16 shards, in at most 15 s and 500 MB;
the HTML page of 50,000 methods ready in Chromium in at most 3 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # replicate.py

from browser import Browser, chromium

from replicate import organization
from scanner.demo import demo_snapshot
from scanner.rules.loader import load_rules
from scanner.scan import judge
from scanner.schema.snapshot import SNAPSHOTS_SCHEMA

SIZES = tuple(int(size) for size in os.environ.get("BENCH_JUDGING_SIZES", "5000,50000").split(","))
FORMATS = ("json", "sarif", "csv", "table", "html")
SHARDS = 16
BUDGET_SECONDS, BUDGET_MB, BUDGET_PAGE = 15.0, 500.0, 3.0


def _memory(pid: int) -> float:
    """MB of a process's proportional set size (its share of pages shared with its workers), else its RSS."""
    for path, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path, encoding="ascii") as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return 0.0


def measured(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Runs `command` (its output discarded); wall seconds, CPU seconds of its process tree (its workers' included,
    as /proc last saw each) and the peak of the memory the tree held."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0.0]
    ticks: dict[int, int] = {}

    def sample() -> None:
        while process.poll() is None:
            tree = _children(process.pid)
            peak[0] = max(peak[0], sum(_memory(pid) for pid in tree))
            for pid in tree:
                ticks[pid] = max(ticks.get(pid, 0), _ticks(pid))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    cpu = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return {"wall": wall, "cpu": cpu, "peak_mb": peak[0], "code": process.returncode, "errors": errors[-600:]}


def _ticks(pid: int) -> int:
    """CPU clock ticks a process has used (user and system), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return 0


def _children(pid: int) -> list[int]:
    """The process and every process it started (from /proc's children lists)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def write_organization(snapshot: dict[str, Any], methods: int, path: Path, per_copy: int) -> int:
    """A snapshots file of accounts totalling `methods` methods; returns how many accounts."""
    accounts = list(organization(snapshot, per_copy, methods))
    path.write_text(json.dumps({"schema": SNAPSHOTS_SCHEMA, "snapshots": accounts}, sort_keys=True))
    return len(accounts)


def scan(snapshot: Path, output_format: str, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scanner", "scan", "--snapshot", str(snapshot), "--format", output_format,
            "--output", str(output), "--fail-on", "never", "--quiet", *extra]


def judging() -> bool:
    """Judging 5,000 and 50,000 methods in every format, the merge of 16 shards, the HTML page in Chromium."""
    print("\nJudging at organization scale: the demo account replicated (fresh IDs and names; 3 regions an account, 7 "
          "copies a region), `scan --snapshot`; wall and CPU seconds (workers' included), peak memory of the process "
          f"tree (PSS); budget at 50,000: {BUDGET_SECONDS:.0f} s and {BUDGET_MB:.0f} MB (JSON, SARIF, CSV, merge)")
    snapshot = demo_snapshot()
    per_copy = len(judge(snapshot, None, None, load_rules())["methods"])
    ok = True
    pages: dict[int, Path] = {}
    with tempfile.TemporaryDirectory(prefix="bench-judging-") as folder:
        work = Path(folder)
        print(f"{'methods':>8} {'accounts':>9} {'format':<7} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} "
              f"{'output MB':>10} {'exit':>5}")
        for size in SIZES:
            source = work / f"org-{size}.json"
            accounts = write_organization(snapshot, size, source, per_copy)
            for output_format in FORMATS:
                output = work / f"report-{size}.{output_format}"
                row = measured(scan(source, output_format, output))
                print(f"{size:>8} {accounts:>9} {output_format:<7} {row['wall']:>7.1f} {row['cpu']:>7.1f} "
                      f"{row['peak_mb']:>8.0f} {output.stat().st_size / 1e6 if output.exists() else 0:>10.1f} "
                      f"{row['code']:>5}")
                if row["code"] != 0:
                    print(f"  {row['errors']}")
                    ok = False
                if size == SIZES[-1] and output_format in ("json", "sarif", "csv"):
                    ok = ok and row["wall"] <= BUDGET_SECONDS and row["peak_mb"] <= BUDGET_MB
                if output_format == "html":
                    pages[size] = output
            if size == SIZES[-1]:
                ok = merge(work, source, size) and ok
        ok = html_load(pages) and ok
    return ok


def merge(work: Path, source: Path, size: int) -> bool:
    """16 shards (the organization's accounts dealt out in turn, each judged to JSON), then `merge` of the 16."""
    document = json.loads(source.read_text())
    shards = [work / f"shard-{number}.json" for number in range(SHARDS)]
    for number, path in enumerate(shards):
        part = work / f"shard-{number}-snapshot.json"
        part.write_text(json.dumps({"schema": SNAPSHOTS_SCHEMA,
                                    "snapshots": document["snapshots"][number::SHARDS]}))
        subprocess.run(scan(part, "json", path), check=True)
        part.unlink()
    del document
    ok = True
    for output_format in ("json", "sarif", "csv"):
        output = work / f"merged.{output_format}"
        row = measured([sys.executable, "-m", "scanner", "merge", *map(str, shards), "--format", output_format,
                        "--output", str(output), "--fail-on", "never", "--quiet"])
        print(f"{size:>8} {'merge 16':>9} {output_format:<7} {row['wall']:>7.1f} {row['cpu']:>7.1f} "
              f"{row['peak_mb']:>8.0f} {output.stat().st_size / 1e6 if output.exists() else 0:>10.1f} "
              f"{row['code']:>5}")
        ok = ok and row["code"] == 0 and row["wall"] <= BUDGET_SECONDS and row["peak_mb"] <= BUDGET_MB
    return ok


def html_load(pages: dict[int, Path]) -> bool:
    """Seconds from opening the page until its script has drawn the first rows, causes and chains (twice each,
    the better kept), then a filter over every row and a chain drawn."""
    program = chromium()
    if program is None:
        print("\nHTML report in Chromium: skipped (no chromium here; .ci/run installs Debian's chromium)")
        return True
    print(f"\nHTML report in headless Chromium ({program}, DevTools over a pipe): seconds until the page's script "
          f"has drawn it; budget {BUDGET_PAGE:.0f} s at {SIZES[-1]:,} methods")
    print(f"{'methods':>8} {'page MB':>8} {'ready s':>8} {'filter s':>9} {'chain s':>8} {'rows':>7}")
    ok = True
    ready = "document.documentElement.getAttribute('data-ready') === 'true'"
    for size, page in sorted(pages.items()):
        timings = []
        for _ in range(2):
            with Browser(program) as browser:
                seconds = browser.open(page.as_uri(), ready)
                started = time.perf_counter()
                browser.evaluate("location.hash = '#verdict=warn&q=orders'")
                shown = browser.evaluate("document.getElementById('shown').textContent")
                filtered = time.perf_counter() - started
                started = time.perf_counter()
                browser.evaluate("document.querySelector('figure.chain button.draw').click()")
                while not browser.evaluate("document.querySelectorAll('figure.chain svg').length"):
                    time.sleep(0.01)
                drawn = time.perf_counter() - started
                timings.append((seconds, filtered, drawn, shown))
        seconds, filtered, drawn, shown = min(timings)
        print(f"{size:>8} {page.stat().st_size / 1e6:>8.1f} {seconds:>8.2f} {filtered:>9.2f} {drawn:>8.2f} "
              f"{str(shown).split(' of ')[-1].split()[0]:>7}")
        if size == SIZES[-1]:
            ok = ok and seconds <= BUDGET_PAGE
    return ok


if __name__ == "__main__":
    sys.exit(0 if judging() else 1)
