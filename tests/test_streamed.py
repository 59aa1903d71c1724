"""Streaming changes memory, not content (issue 25): what `scan` and `merge` write, judged unit by unit into a spool
and written as they read it (in worker processes or not), is what the whole report in memory gives — JSON and
SARIF as parsed documents, CSV as the same rows — for the demo, for an organization of several accounts and regions
whose regions share a user pool, and for a merge of shards, with and without suppressions and a baseline."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import run_cli
from replicate import Replicator, join
from scanner.demo import demo_snapshot
from scanner.findings import plain
from scanner.judgement import judge_shaped, select
from scanner.model.normalize import normalize_snapshot
from scanner.render.csv_report import render_csv
from scanner.render.sarif import render_sarif
from scanner.report import merge_reports
from scanner.rules.loader import load_rules
from scanner.scan import judge
from scanner.schema.snapshot import SNAPSHOTS_SCHEMA
from scanner.triage import apply_baseline, apply_suppressions, load_report, load_suppressions
from scanner.units import unit_snapshots

FORMATS = ("json", "sarif", "csv")


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return demo_snapshot()


@pytest.fixture(scope="module")
def organization(demo: dict[str, Any]) -> list[dict[str, Any]]:
    """Three accounts: two of one region each, one of three regions where an API of eu-west-1 names a user pool of
    us-east-1 (its regions are judged together) and CloudFront stands in front of APIs (the demo's)."""
    rows = len(judge(demo, None, None, load_rules())["methods"])
    copies = Replicator(demo, rows)
    shared = [copies.copy("210000000001", region, number) for number, region in
              enumerate(("us-east-1", "eu-west-1", "ap-southeast-2"))]
    pool = shared[0]["user_pools"][0]["arn"]
    api = next(api for api in shared[1]["rest_apis"] if any(a.get("providerARNs") for a in api["authorizers"]))
    next(a for a in api["authorizers"] if a.get("providerARNs"))["providerARNs"] = [pool]
    return [copies.copy("210000000000", "eu-west-1", 3), join(shared), copies.copy("210000000002", "us-east-1", 4)]


def whole(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """The reference: every account judged whole in memory and merged (report.merge_reports)."""
    report = merge_reports([judge(snapshot, None, None, load_rules()) for snapshot in snapshots])
    report["calls"] = 0
    return report


def reference(report: dict[str, Any], output_format: str) -> Any:
    """A report held in memory as each format's reference builder makes it (not the streaming writers)."""
    report = plain(report)
    if output_format == "json":
        return json.loads(json.dumps(report, default=str))
    if output_format == "sarif":
        return json.loads(json.dumps(render_sarif(report, load_rules()), default=str))
    return list(csv.reader(io.StringIO(render_csv(report))))


def parsed(text: str, output_format: str) -> Any:
    return list(csv.reader(io.StringIO(text))) if output_format == "csv" else json.loads(text)


def write_snapshots(path: Path, snapshots: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"schema": SNAPSHOTS_SCHEMA, "snapshots": snapshots} if len(snapshots) > 1
                               else snapshots[0], default=str))
    return path


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_demo_streamed_is_the_demo_in_memory(demo, tmp_path, output_format):
    path = write_snapshots(tmp_path / "demo.json", [demo])
    result = run_cli("scan", "--snapshot", str(path), "--format", output_format, "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert parsed(result.stdout, output_format) == reference(whole([demo]), output_format)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_organization_streamed_is_the_organization_in_memory(organization, tmp_path, jobs):
    """Three accounts, five regions, a pool used from another region: judged by units (in 2 worker processes, or
    in this one) it is the whole report, in every format."""
    path = write_snapshots(tmp_path / "org.json", organization)
    expected = whole(organization)
    assert len({row["account"] for row in expected["methods"]}) == 3
    for output_format in FORMATS:
        result = run_cli("scan", "--snapshot", str(path), "--format", output_format, "--fail-on", "never",
                         "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        assert parsed(result.stdout, output_format) == reference(expected, output_format), output_format


def test_regions_that_share_a_pool_are_one_unit_and_judged_as_the_whole_account(organization):
    """The unit of eu-west-1 holds us-east-1 too (its authorizer names a pool there); ap-southeast-2 stands alone.
    Judged unit by unit, the account's findings are those of the whole account (the pool's weighed against the
    traffic of the methods of both regions)."""
    account = select(normalize_snapshot(organization[1]), None, None)
    units = [sorted({api["region"] for api in unit["rest_apis"] + unit["http_apis"]})
             for unit in unit_snapshots(account)]
    assert units == [["ap-southeast-2"], ["eu-west-1", "us-east-1"]]
    rules = load_rules()
    by_units = sorted(json.dumps(finding.as_json(), sort_keys=True) for unit in unit_snapshots(account)
                      for finding in judge_shaped(unit, None, rules).findings)
    at_once = sorted(json.dumps(finding.as_json(), sort_keys=True)
                     for finding in judge_shaped(account, None, rules).findings)
    assert by_units == at_once


def test_a_merge_of_shards_streamed_is_the_merge_in_memory(organization, tmp_path):
    """Each account scanned to its own report (a shard), then merged: the streamed merge is merge_reports of the
    shards read whole, and the scan of the organization at once."""
    shards = []
    for number, snapshot in enumerate(organization):
        path = write_snapshots(tmp_path / f"account-{number}.json", [snapshot])
        shard = tmp_path / f"shard-{number}.json"
        assert run_cli("scan", "--snapshot", str(path), "--format", "json", "--output", str(shard),
                       "--fail-on", "never").returncode == 0
        shards.append(str(shard))
    in_memory = merge_reports([load_report(shard, "merge") for shard in shards])
    for output_format in FORMATS:
        result = run_cli("merge", *shards, "--format", output_format, "--fail-on", "never")
        assert result.returncode == 0, result.stderr
        assert parsed(result.stdout, output_format) == reference(in_memory, output_format), output_format
    merged = json.loads(run_cli("merge", *shards, "--format", "json", "--fail-on", "never").stdout)
    assert merged == reference(whole(organization), "json")


def test_triage_streamed_is_the_triage_in_memory(organization, tmp_path):
    """Suppressions (one expired) and a baseline missing a finding: new, unchanged, suppressed and fixed as
    apply_suppressions and apply_baseline give them on the whole report."""
    report = whole(organization)
    baseline = json.loads(json.dumps(plain(report), default=str))
    baseline["findings"] = baseline["findings"][1:]  # the first finding is new since
    baseline["findings"].append({**baseline["findings"][0], "rule": "APIGW999", "title": "gone"})  # and one fixed
    baseline_path = tmp_path / "baseline.json"
    baseline_path.write_text(json.dumps(baseline))
    ignore = tmp_path / "ignore.toml"
    ignore.write_text('[[suppress]]\nrule = "COG*"\nresource = "210000000001/*"\nreason = "accepted"\n\n'
                      '[[suppress]]\nrule = "APIGW010"\nresource = "*"\nreason = "old"\nexpires = 2020-01-01\n')
    apply_suppressions(report, load_suppressions(str(ignore)), datetime.date.today())
    apply_baseline(report, load_report(str(baseline_path), "--baseline"))
    assert report["suppressed"] and report["fixed"] and report["summary"]["new"]
    path = write_snapshots(tmp_path / "org.json", organization)
    for output_format in FORMATS:
        result = run_cli("scan", "--snapshot", str(path), "--format", output_format, "--fail-on", "high",
                         "--ignore", str(ignore), "--baseline", str(baseline_path))
        assert result.returncode == 1, result.stderr  # new high findings
        assert parsed(result.stdout, output_format) == reference(report, output_format), output_format


def test_the_order_is_one_however_the_report_is_put_together(organization):
    """Findings alike in several accounts (same rule, API name and path) keep the order of account, region and
    API: the whole report and a merge of its accounts in any order agree."""
    reports = [judge(snapshot, None, None, load_rules()) for snapshot in organization]
    forward = plain(merge_reports(reports))
    backward = plain(merge_reports(list(reversed(reports))))
    assert forward["findings"] == backward["findings"] and forward["methods"] == backward["methods"]
    assert forward["chains"] == backward["chains"]
