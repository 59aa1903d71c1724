"""`apigw-scan demo`: the same scan on the example account, emulated in-process by moto (no AWS, no network)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from ..collect.account import collect_account
from ..errors import UsageError
from ..rules.loader import Rule
from ..scan import judge
from .account import REGION, seed_demo_account

# Settings of the user's shell that would send the in-process emulator's calls elsewhere.
_OUTSIDE_SETTINGS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# moto's random IDs, seeded: the demo account has the same IDs on every run (the README's samples show them).
DEMO_SEED = 27


@contextmanager
def emulated_aws() -> Iterator[Any]:
    """moto in this process, with what it lacks of API Gateway added and its IDs seeded; yields a boto3 session
    for it."""
    try:
        from . import moto_extensions  # the emulator is the `demo` extra: a cron image or a CI gate lacks it
    except ImportError as error:
        if error.name is None or error.name.split(".")[0] != "moto":
            raise
        raise UsageError("demo runs an example account on moto, the AWS emulator, which this installation does not "
                         "have: pip install 'apigw-scan[demo]' (scan, merge, token and the other commands do not "
                         "need it)") from None

    saved = {name: os.environ.pop(name) for name in list(os.environ)
             if name in _OUTSIDE_SETTINGS or name.startswith("AWS_ENDPOINT_URL")}
    try:
        moto_extensions.install()
        with moto_extensions.mock_aws():
            moto_extensions.seed_ids(DEMO_SEED)
            yield boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=REGION)
    finally:
        os.environ.update(saved)


def demo_report(rules: list[Rule]) -> dict[str, Any]:
    """Seeds the example account, scans it, and returns the report."""
    return judge(demo_snapshot(), None, None, rules)


def demo_snapshot() -> dict[str, Any]:
    """Seeds the example account and collects it."""
    with emulated_aws() as session:
        seed_demo_account(session)
        return collect_account(session, [REGION])
