"""Run `apigw-scan scan --terraform` over every Terraform root module under the folders given (the public corpus:
aws-samples/serverless-patterns' Terraform folders, the configurations of tests/fixtures/terraform) and count:
folders read, refusals (exit 2, one line), tracebacks, APIs, methods, findings by severity; list every critical
and high finding with where it points, for the review (bench/terraform-corpus-review.md).

    .venv/bin/python bench/terraform_corpus.py DIR [DIR ...] [--json OUT]

A root module is a folder with .tf files that no other folder of the corpus calls as a local module."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

LOCAL_SOURCE = re.compile(r'source\s*=\s*"(\.\.?/[^"]+)"')


def root_modules(folders: list[Path]) -> list[Path]:
    with_tf = sorted({path.parent for folder in folders for path in folder.rglob("*.tf")
                      if ".terraform" not in path.parts})
    called: set[Path] = set()
    for folder in with_tf:
        for path in folder.glob("*.tf"):
            for source in LOCAL_SOURCE.findall(path.read_text(errors="replace")):
                called.add((folder / source).resolve())
    return [folder for folder in with_tf if folder.resolve() not in called]


def scan(folder: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scanner", "scan", "--terraform", str(folder), "--format", "json",
                           "--fail-on", "never"], capture_output=True, text=True, check=False)
    result = {"folder": str(folder), "exit": done.returncode, "seconds": round(time.perf_counter() - started, 2),
              "traceback": "Traceback" in done.stderr, "error": done.stderr.strip() if done.returncode == 2 else ""}
    if done.returncode in (0, 1):
        report = json.loads(done.stdout)
        result.update(apis=report["summary"]["apis"], methods=len(report["methods"]), notes=report["notes"],
                      findings=[{key: finding.get(key) for key in ("rule", "severity", "outcome", "api_name", "method",
                                                                   "path", "message", "source")}
                                for finding in report["findings"]])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args()
    results = [scan(folder) for folder in root_modules(args.folders)]
    counts: dict[str, int] = {}
    for result in results:
        for finding in result.get("findings", []):
            key = f"{finding['severity']} {finding['outcome']}"
            counts[key] = counts.get(key, 0) + 1
    print(f"root modules: {len(results)}; refused (exit 2): {sum(r['exit'] == 2 for r in results)}; "
          f"tracebacks: {sum(r['traceback'] for r in results)}; APIs: {sum(r.get('apis', 0) for r in results)}; "
          f"methods: {sum(r.get('methods', 0) for r in results)}; "
          f"slowest: {max((r['seconds'] for r in results), default=0)} s")
    print("findings: " + ", ".join(f"{key} {value}" for key, value in sorted(counts.items())))
    for result in results:
        if result["exit"] == 2 or result["traceback"]:
            print(f"  REFUSED {result['folder']}: {result['error'][:300]}")
        for finding in result.get("findings", []):
            if finding["severity"] in ("critical", "high") and finding["outcome"] == "fail":
                source = finding["source"] or {}
                print(f"  {finding['severity'].upper()} {finding['rule']} {result['folder']} "
                      f"{source.get('address')}:{source.get('line')} — {finding['message'][:200]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if any(r["traceback"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
