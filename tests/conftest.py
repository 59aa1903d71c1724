"""Fixtures: an emulated AWS account (moto plus the deployment behaviour AWS has), every AWS call recorded."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from helpers import REGION, VIOLATIONS, Account, RequestRecorder, free_port, record_operation
from scanner.collect.session import Clients
from scanner.demo import emulated_aws

# No test may reach a real account, whatever the developer's shell holds.
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    os.environ.pop(_name)
os.environ["AWS_DEFAULT_REGION"] = REGION
# The CI runner's CI=true turns on plain progress lines on standard error; the tests that want them set it.
# COLUMNS and NO_COLOR of the developer's shell would change the table the tests read.
for _name in ("CI", "COLUMNS", "NO_COLOR"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def scanner_calls_are_read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = Clients.get

    def get(self: Clients, service: str, region: str, *args: Any) -> Any:
        client = original(self, service, region, *args)
        if not getattr(client, "_read_only_recorder", False):
            client.meta.events.register("before-call", partial(record_operation, service))
            client._read_only_recorder = True
        return client

    monkeypatch.setattr(Clients, "get", get)
    VIOLATIONS.clear()
    yield
    assert not VIOLATIONS, f"the scanner made calls outside its read-only policy: {VIOLATIONS}"


@pytest.fixture
def account() -> Iterator[Account]:
    with emulated_aws() as session:
        yield Account(session)


@pytest.fixture
def moto_server() -> Iterator[str]:
    """moto.server on 127.0.0.1 (in this process, so it serves deployments as AWS does): its endpoint URL."""
    from moto.server import ThreadedMotoServer

    from scanner.demo.moto_extensions import install

    install()
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def aws_recorder() -> Iterator[RequestRecorder]:
    """An endpoint that records every request it gets and answers 500: proof that no AWS call was made."""
    recorder = RequestRecorder()
    try:
        yield recorder
    finally:
        recorder.stop()
