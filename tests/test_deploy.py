"""The shipped Kubernetes and AWS Batch manifests run the shards the way --shard auto/N expects."""

from __future__ import annotations

import json
import re

from helpers import PROJECT
from scanner.collect.faults import CALL_TIMEOUT
from scanner.collect.fleet import parse_shard
from scanner.collect.stopping import parse_duration

# After the deadline: at most one call timeout for the calls in flight, then the judging and the report.
MARGIN = CALL_TIMEOUT + 60


def test_kubernetes_indexed_job_shards_match_completions():
    text = (PROJECT / "deploy" / "kubernetes-indexed-job.yaml").read_text()
    assert "completionMode: Indexed" in text
    completions = int(re.search(r"completions: (\d+)", text).group(1))
    shards = int(re.search(r"--shard=auto/(\d+)", text).group(1))
    assert completions == shards
    for index in range(completions):
        assert parse_shard(f"auto/{shards}", {"JOB_COMPLETION_INDEX": str(index)}).index == index


def test_batch_array_job_uses_the_array_index():
    definition = json.loads((PROJECT / "deploy" / "aws-batch-job-definition.json").read_text())
    command = definition["containerProperties"]["command"]
    shards = int(command[command.index("--shard") + 1].split("/")[1])
    assert f"size={shards}" in definition["comment"]
    assert parse_shard(f"auto/{shards}", {"AWS_BATCH_JOB_ARRAY_INDEX": str(shards - 1)}).index == shards - 1


def test_kubernetes_job_stops_its_scans_before_the_platform_does():
    """activeDeadlineSeconds kills the pods (SIGTERM, then SIGKILL after the grace period): --deadline comes first."""
    text = (PROJECT / "deploy" / "kubernetes-indexed-job.yaml").read_text()
    limit = int(re.search(r"activeDeadlineSeconds: (\d+)", text).group(1))
    deadline = parse_duration(re.search(r"--deadline=(\S+)", text).group(1), "--deadline")
    assert deadline + MARGIN <= limit
    assert int(re.search(r"terminationGracePeriodSeconds: (\d+)", text).group(1)) >= CALL_TIMEOUT + 10


def test_batch_job_stops_its_scans_before_the_attempt_timeout():
    definition = json.loads((PROJECT / "deploy" / "aws-batch-job-definition.json").read_text())
    command = definition["containerProperties"]["command"]
    deadline = parse_duration(command[command.index("--deadline") + 1], "--deadline")
    assert deadline + MARGIN <= definition["timeout"]["attemptDurationSeconds"]
