"""The shipped Kubernetes and AWS Batch manifests run the shards the way --shard auto/N expects."""

from __future__ import annotations

import json
import re

from helpers import PROJECT
from scanner.collect.fleet import parse_shard


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
