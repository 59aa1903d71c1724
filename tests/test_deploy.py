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


def test_the_image_and_a_plain_install_carry_no_emulator():
    """A cron image or CI gate installs the scanner alone: moto is the demo extra (issue 15)."""
    import tomllib

    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[\[<>=~ ]", requirement)[0].lower() for requirement in project["dependencies"]]
    assert sorted(names) == ["boto3", "botocore", "jmespath", "pyjwt", "tabulate"]
    assert any(requirement.startswith("moto") for requirement in project["optional-dependencies"]["demo"])
    dockerfile = (PROJECT / "deploy" / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all("[" not in line for line in installs)  # no extras in the image
