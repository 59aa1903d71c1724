"""`make corpus DIR=...`: `scan --template` on every template under a folder, as a new user would run it, counted.

Every YAML/JSON file under DIR whose resources declare API Gateway (an AWS::ApiGateway::* or AWS::ApiGatewayV2::*
resource, an AWS::Serverless::Api or HttpApi, or a function with an Api or HttpApi event) is scanned on its own, in
this process, with the default gate (`--fail-on high`). Counted: templates, tracebacks, refusals (exit 2, with
the line said), exits, findings by rule, severity and outcome, and any other line written to stderr.

    python bench/corpus.py DIR [DIR ...] [--name REGEX] [--sam-transform] [--json OUT] [--compare BEFORE.json]

A file that is neither YAML nor JSON is kept when its text declares such a resource type (CloudFormation refuses
it: the run shows how), and a Serverless Framework source (serverless.yml) when its `resources` do.
--name keeps the files whose name matches (case-insensitive). --sam-transform adds `Transform:
AWS::Serverless-2016-10-31` to templates without one (SAM's translator tests leave it implicit). --json writes one
record per template, one a line (findings without their fixes); --label says in it what DIR is. --compare prints
the findings of BEFORE.json that are gone or lost severity or outcome, and those that are new, per template.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import re
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.cli import main

SUFFIXES = {".yaml", ".yml", ".json", ".template"}
SKIPPED_FOLDERS = {".git", "node_modules", "cdk.out", ".aws-sam", "__pycache__", ".serverless"}
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SEVERITIES = ("critical", "high", "medium", "low", "info")
GATED = ("critical", "high")


class _Lenient(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """YAML as CloudFormation writes it (short-form tags read as plain values), only to select the templates."""


_Lenient.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else
    loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else loader.construct_mapping(node)))


# A file that mentions none of these declares no API Gateway (read before parsing, to keep a big folder quick).
_MENTIONS = re.compile(r"ApiGateway|Serverless::(?:Api|HttpApi)|\bApi\b|HttpApi")
# A resource type written in a file that is not YAML or JSON: still a template someone meant to deploy.
_DECLARED = re.compile(r"Type\"?\s*:\s*\"?(?:AWS::ApiGateway(?:V2)?::|AWS::Serverless::(?:Api|HttpApi)\b)")


def _declares_api_gateway(body: Any) -> bool:
    resources = body.get("Resources") if isinstance(body, dict) else None
    if isinstance(body, dict) and resources is None and isinstance(body.get("resources"), dict):
        resources = body["resources"].get("Resources")  # a Serverless Framework source (serverless.yml)
    if not isinstance(resources, dict):
        return False
    for resource in resources.values():
        kind = str(resource.get("Type")) if isinstance(resource, dict) else ""
        if kind.startswith(("AWS::ApiGateway::", "AWS::ApiGatewayV2::")) or kind in (
                "AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            return True
        if kind == "AWS::Serverless::Function":
            events = (resource.get("Properties") or {}).get("Events") if isinstance(
                resource.get("Properties"), dict) else None
            if isinstance(events, dict) and any(isinstance(event, dict) and event.get("Type") in ("Api", "HttpApi")
                                                for event in events.values()):
                return True
    return False


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parsed(text: str) -> Any:
    """The document, or _BROKEN when it is neither YAML nor JSON."""
    try:
        return yaml.load(text, Loader=_Lenient)
    except yaml.YAMLError:
        try:
            return json.loads(text)
        except ValueError:
            return _BROKEN


_BROKEN = object()


def select(folder: Path, name: re.Pattern[str] | None = None) -> list[Path]:
    """The files under `folder` (whose name matches `name`, when given) whose resources declare API Gateway (or,
    in a file that is not YAML, whose text declares an API Gateway resource type), in path order."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in SUFFIXES or not path.is_file() or SKIPPED_FOLDERS & set(
                path.relative_to(folder).parts[:-1]) or (name is not None and not name.search(path.name)):
            continue
        text = _text(path)
        if text is None or not _MENTIONS.search(text):
            continue
        body = _parsed(text)
        if _declares_api_gateway(body) if body is not _BROKEN else bool(_DECLARED.search(text)):
            found.append(path)
    return found


def _with_transform(path: Path, scratch: Path) -> Path:
    """The template with SAM's Transform line added when it has none (a copy in `scratch`)."""
    text = _text(path)
    body = _parsed(text) if text is not None else None
    if not isinstance(body, dict) or "Transform" in body:
        return path
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / path.name
    copy.write_text(f"Transform: {SAM_TRANSFORM}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def _finding(finding: dict[str, Any]) -> dict[str, Any]:
    source = finding.get("source") or {}
    record = {key: finding.get(key) for key in ("rule", "severity", "outcome", "api_name", "method", "path", "stage",
                                                "authorizer", "client_id")}
    record.update(logical_id=source.get("logical_id"), line=source.get("line"),
                  message=str(finding.get("message") or "")[:300])
    return {key: value for key, value in record.items() if value is not None}


def run_one(path: Path, shown: str) -> dict[str, Any]:
    """One `scan --template` of `path`: exit, refusal, traceback, other stderr lines and findings."""
    out, err = io.StringIO(), io.StringIO()
    record: dict[str, Any] = {"file": shown}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            record["exit"] = main(["scan", "--template", str(path), "--format", "json", "--progress", "none"])
        except SystemExit as stop:  # argparse
            record["exit"] = stop.code
        except Exception as error:  # noqa: BLE001 - what the corpus measures
            frames = traceback.extract_tb(error.__traceback__)
            inner = next((frame for frame in reversed(frames) if "/scanner/" in frame.filename), frames[-1])
            record["traceback"] = (f"{type(error).__name__}: {' '.join(str(error).split())[:200]} "
                                   f"({Path(inner.filename).name}:{inner.lineno})")
        gc.collect()  # what a library says when its objects are collected is said to this template's stderr
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    if record.get("exit") == 2:
        said = [line for line in lines if line.startswith("apigw-scan: ")]
        record["refusal"] = said[0].replace(str(path), shown) if said else "(nothing said)"
        lines = [line for line in lines if line not in said[:1]]
    if lines:
        record["stderr"] = lines[:5]
    if record.get("exit") in (0, 1):
        report = json.loads(out.getvalue())
        record["methods"] = len(report["methods"])
        record["findings"] = [_finding(finding) for finding in report["findings"]]
    return record


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    findings = [finding for record in records for finding in record.get("findings", [])]
    gated = [finding for finding in findings if finding["severity"] in GATED and finding["outcome"] == "fail"]
    return {
        "templates": len(records),
        "tracebacks": sum(1 for record in records if "traceback" in record),
        "refusals": sum(1 for record in records if "refusal" in record),
        "exits": dict(sorted(Counter(str(record.get("exit")) for record in records).items())),
        "stderr_lines": sum(len(record.get("stderr", [])) for record in records),
        "templates_failing_the_gate": sum(1 for record in records if record.get("exit") == 1),
        "critical_high_fail": len(gated),
        "findings": len(findings),
        "by_severity_outcome": dict(sorted(Counter(f"{finding['severity']}/{finding['outcome']}"
                                                   for finding in findings).items())),
        "by_rule": dict(sorted(Counter(f"{finding['rule']} {finding['severity']}/{finding['outcome']}"
                                       for finding in findings).items())),
    }


def write_records(path: Path, label: str, counted: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """The run as JSON, one template a line (small diffs between runs)."""
    lines = [json.dumps(record, sort_keys=True) for record in records]
    path.write_text(f'{{"label": {json.dumps(label)},\n"summary": {json.dumps(counted, sort_keys=True)},\n'
                    f'"templates": [\n' + ",\n".join(lines) + "\n]}\n")


def _key(finding: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(finding.get(key) for key in ("rule", "api_name", "method", "path", "stage", "authorizer",
                                              "client_id"))


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """Per template: findings gone, findings whose severity or outcome dropped, and new findings."""
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    outcomes = {"fail": 0, "warn": 1, "unknown": 2}
    now = {record["file"]: record for record in after}
    lines = []
    for record in before:
        later = now.get(record["file"])
        if later is None:
            continue
        old = {_key(finding): finding for finding in record.get("findings", [])}
        new = {_key(finding): finding for finding in later.get("findings", [])}
        for key, finding in sorted(old.items(), key=lambda item: str(item[0])):
            moved = new.get(key) or new.get(_folded(finding))
            kept = [other for other in later.get("findings", []) if finding.get("stage") and _key(other)[:4] ==
                    key[:4] and other.get("stage") not in (None, finding.get("stage"))]
            if moved is None and kept and all(_key(other) in old for other in kept):
                continue  # the same cause on the method's other stage, reported there (SAM's implicit stage)
            if moved is None:
                lines.append(f"GONE {record['file']}: {_said(finding)}")
            elif (rank[moved["severity"]], outcomes.get(moved["outcome"], 3)) > (
                    rank[finding["severity"]], outcomes.get(finding["outcome"], 3)):
                lines.append(f"LOWER {record['file']}: {_said(finding)} -> {moved['severity']}/{moved['outcome']}")
        for key, finding in sorted(new.items(), key=lambda item: str(item[0])):
            if key not in old:
                lines.append(f"NEW {record['file']}: {_said(finding)}")
        if "refusal" in record and "refusal" not in later:
            lines.append(f"READ {record['file']}: was refused ({record['refusal']})")
        if "refusal" in later and "refusal" not in record:
            lines.append(f"REFUSED {record['file']}: {later['refusal']}")
    return lines


def _folded(finding: dict[str, Any]) -> tuple[Any, ...]:
    """The key of the one finding per rule and API that findings on SAM's implicit stage fold into."""
    return _key({"rule": finding["rule"], "api_name": finding.get("api_name"), "stage": finding.get("stage")})


def _said(finding: dict[str, Any]) -> str:
    where = " ".join(str(finding[key]) for key in ("api_name", "method", "path", "stage", "authorizer", "client_id")
                     if finding.get(key))
    return f"{finding['rule']} {finding['severity']}/{finding['outcome']} [{where}] {finding.get('message', '')}"


def main_corpus(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", metavar="DIR")
    parser.add_argument("--sam-transform", action="store_true", help="add SAM's Transform where a template has none")
    parser.add_argument("--name", metavar="REGEX", type=lambda text: re.compile(text, re.I),
                        help="only files whose name matches (case-insensitive)")
    parser.add_argument("--json", metavar="OUT", help="write the records and the summary here")
    parser.add_argument("--label", default="", help="what the folder is (repository and commit), kept in --json")
    parser.add_argument("--compare", metavar="BEFORE", help="a --json file of an earlier run: what changed")
    args = parser.parse_args(argv)
    records = []
    with tempfile.TemporaryDirectory() as scratch:
        for folder in map(Path, args.folders):
            for index, path in enumerate(select(folder, args.name)):
                shown = str(path.relative_to(folder))
                given = _with_transform(path, Path(scratch) / str(index)) if args.sam_transform else path
                records.append(run_one(given, shown))
    counted = summary(records)
    for record in records:
        if "traceback" in record:
            print(f"TRACEBACK {record['file']}: {record['traceback']}")
        if "refusal" in record:
            print(f"REFUSED {record['file']}: {record['refusal']}")
        for line in record.get("stderr", []):
            print(f"STDERR {record['file']}: {line}")
    print(json.dumps({key: value for key, value in counted.items() if key != "by_rule"}, indent=1))
    for rule, count in counted["by_rule"].items():
        print(f"  {rule}: {count}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())["templates"]
        for line in compare(before, records):
            print(line)
    if args.json:
        write_records(Path(args.json), args.label, counted, records)
    return 1 if counted["tracebacks"] else 0


if __name__ == "__main__":
    sys.exit(main_corpus())
