"""A scan always ends with a report: one service at a time is pointed (botocore's per-service endpoint variables)
at a local endpoint that never answers, resets connections, answers 500 or answers slowly (tests/fault_server.py);
the rest of the demo account is served by moto.server. Each run must end, exit 2, keep every method row, never judge
a method better than the healthy run did, and name the failed service in `errors`. How many seconds a fault costs
is measured against its budget by `make bench` (bench/run.py: faults), not here: these tests hold on a loaded
machine, where wall time says nothing. Sources: botocore's retry modes (standard: 3 attempts; adaptive:
client-side rate limiting), the AWS SDKs and Tools reference guide's "Retry behavior" page, and the Kubernetes
Pod lifecycle's termination grace period (SIGTERM, then SIGKILL after 30 s by default)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest

from fault_server import ENDPOINT_VARIABLES, FaultServer
from helpers import HANG_GUARD, PROJECT
from scanner.demo.account import REGION, seed_demo_account

# Seconds: short, so that a silent endpoint costs little, yet long enough for moto.server to answer the other
# services on a loaded machine (a healthy call that timed out would be an error of the wrong service).
CALL_TIMEOUT = 3
RANK = {"ok": 0, "warn": 1, "unknown": 2, "fail": 3}


@pytest.fixture
def demo(moto_server, monkeypatch):
    """The demo account on moto.server, and the healthy scan of it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    seed_demo_account(boto3.Session(region_name=REGION))
    healthy, code = run(moto_server)
    assert code == 1 and healthy["errors"] == []
    return moto_server, healthy


def environment(endpoint: str, **services: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION=REGION, **{ENDPOINT_VARIABLES[service]: url for service, url in services.items()})
    return env


def run(endpoint: str, *extra: str, **services: str) -> tuple[dict, int]:
    result = subprocess.run([sys.executable, "-m", "scanner", "scan", "--format", "json", "--call-timeout",
                             str(CALL_TIMEOUT), *extra], capture_output=True, text=True, timeout=HANG_GUARD,
                            cwd=PROJECT, env=environment(endpoint, **services))
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout), result.returncode


def rows(report: dict) -> dict[tuple, str]:
    return {(row["api_id"], row["method"], row["path"]): row["verdict"] for row in report["methods"]}


@pytest.mark.parametrize(("fault", "service"), [
    ("hang", "lambda"), ("hang", "cognito-idp"), ("reset", "lambda"), ("500", "lambda"), ("500", "cognito-idp")])
def test_a_failing_service_ends_the_scan_and_judges_nothing_better(demo, fault, service):
    endpoint, healthy = demo
    with FaultServer(fault) as server:
        report, code = run(endpoint, **{service: server.url})
    assert code == 2, report["errors"]
    assert rows(report).keys() == rows(healthy).keys()  # every method row is still there
    for key, verdict in rows(report).items():
        assert RANK[verdict] >= RANK[rows(healthy)[key]] or verdict == "unknown", (key, verdict)
        if verdict in ("ok", "warn"):
            assert verdict == rows(healthy)[key], key  # never better than the healthy run
    assert {error["service"] for error in report["errors"]} == {service}
    assert any(f"{service} in {REGION}" in note and "skipped" in note for note in report["notes"]) or \
        len(report["errors"]) <= 3  # switched off after a few failures: the rest of its calls skipped, said once


def test_a_slow_service_is_waited_for_within_the_call_timeout(demo):
    endpoint, healthy = demo
    with FaultServer("slow", upstream=endpoint, delay=0.5) as server:
        report, code = run(endpoint, "--call-timeout", "30", **{"lambda": server.url})
    assert server.requests > 0 and code == 1 and report["errors"] == []
    assert rows(report) == rows(healthy)


def test_sigterm_writes_the_report_of_what_was_collected(demo, tmp_path):
    """Kubernetes sends SIGTERM and waits 30 s: the scan makes no new call, judges what it read and writes its
    report (how soon is measured by `make bench`: within 15 s at the default call timeout). The signal comes while
    the scan waits on CloudWatch, which a region asks once every API of the region is read: every method row is in
    the report (reads still in flight elsewhere are cut short, and their checks are undecided)."""
    endpoint, healthy = demo
    output = tmp_path / "report.json"
    with FaultServer("hang") as server:
        process = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--format", "json", "--output",
                                    str(output), "--call-timeout", "3"], cwd=PROJECT, stderr=subprocess.PIPE,
                                   text=True, env=environment(endpoint, **{"cloudwatch": server.url}))
        while server.requests == 0 and process.poll() is None:
            time.sleep(0.1)  # the scan is waiting on CloudWatch
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 2, stderr
    assert "Traceback" not in stderr
    report = json.loads(output.read_text())
    [stop] = [error for error in report["errors"] if error["operation"] == "Stop"]
    assert stop["service"] == "apigw-scan" and "SIGTERM was received" in stop["message"]
    assert rows(report).keys() == rows(healthy).keys()


def test_a_second_signal_exits_at_once_and_leaves_the_earlier_report(demo, tmp_path):
    endpoint, _ = demo
    output = tmp_path / "report.json"
    output.write_text('{"earlier": true}')
    with FaultServer("hang") as server:
        process = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--format", "json", "--output",
                                    str(output), "--call-timeout", "20"], cwd=PROJECT, stderr=subprocess.PIPE,
                                   text=True, env=environment(endpoint, **{"lambda": server.url}))
        while server.requests == 0 and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        # Signals sent together may arrive as one, and the scan may stop and judge quickly: send again until it
        # ends, so a second signal always comes while it stops, judges or writes (no timing to guess).
        while process.poll() is None:
            time.sleep(0.01)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        process.communicate(timeout=HANG_GUARD)
    # 128 + SIGTERM is the second signal's exit while the scan stops or judges (os._exit, at once); -SIGTERM its
    # default action once the handlers are given back, while the report is written (to a temporary file, renamed
    # only when whole). A scan that went on to the end would exit 2 and replace the earlier report.
    assert process.returncode in (128 + signal.SIGTERM, -signal.SIGTERM)
    assert json.loads(output.read_text()) == {"earlier": True}


def test_the_deadline_stops_calling_and_judges_what_was_collected(demo):
    endpoint, healthy = demo
    with FaultServer("hang") as server:
        report, code = run(endpoint, "--deadline", "2s", "--call-timeout", "20", **{"cognito-idp": server.url})
    assert code == 2
    [stop] = [error for error in report["errors"] if error["operation"] == "Stop"]
    assert "its --deadline 2s was reached" in stop["message"] and "call(s) not made" in stop["message"]
    # What was read before the deadline is judged (on a loaded machine that may be fewer APIs than all of them);
    # nothing is judged better than the healthy run did.
    assert rows(report) and rows(report).keys() <= rows(healthy).keys()
    assert all(verdict in ("unknown", "fail") or verdict == rows(healthy)[key] for key, verdict in rows(report).items())


@pytest.mark.parametrize(("given", "said"), [(("--deadline", "soon"), "expected a duration such as 90s"),
                                             (("--call-timeout", "0"), "--call-timeout 0: expected a duration"),
                                             (("--deadline", "5m", "--snapshot", "x.json"), "does not apply")])
def test_duration_options_are_checked_before_any_call(given, said, capsys):
    from scanner.cli import main

    assert main(["scan", *given]) == 2
    assert said in capsys.readouterr().err


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status


def test_retries_follow_the_failure_silence_twice_server_errors_three_times_throttling_patiently():
    """botocore retries every transient error alike (adaptive mode: ten attempts here, for throttling); the guard
    ends a silent call after two attempts and a 5xx after three, and switches the service off in that region after
    three consecutive attempts without an answer."""
    from botocore.exceptions import ClientError, ReadTimeoutError

    from scanner.collect.faults import Breaker, Faults, retry_guard

    faults, breaker = Faults(call_timeout=1), Breaker()
    guard = retry_guard(faults, breaker, "lambda", REGION, lambda: None)
    silence = ReadTimeoutError(endpoint_url="https://lambda.eu-west-1.amazonaws.com")
    assert guard(attempts=1, caught_exception=silence) is None  # retried once
    with pytest.raises(ReadTimeoutError):
        guard(attempts=2, caught_exception=silence)
    assert not breaker.is_open(("lambda", REGION))
    with pytest.raises(ReadTimeoutError):
        guard(attempts=1, caught_exception=silence)  # the third attempt in a row without an answer
    assert breaker.opened[("lambda", REGION)] == "did not answer within 1 s"

    other = retry_guard(faults, breaker, "cognito-idp", REGION, lambda: None)
    error = (_Http(500), {"Error": {"Code": "InternalFailure", "Message": "boom"}})
    assert other(attempts=1, response=error) is None and other(attempts=2, response=error) is None
    breaker.answered(("cognito-idp", REGION))
    with pytest.raises(ClientError):
        other(attempts=3, response=error)
    throttled = (_Http(400), {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}})
    assert all(other(attempts=attempt, response=throttled) is None for attempt in range(1, 10))
    assert other(attempts=1, response=(_Http(200), {})) is None and breaker.failures[("cognito-idp", REGION)] == 0

    faults.stop("SIGTERM was received")
    with pytest.raises(ClientError):
        other(attempts=1, response=throttled)  # a stopping scan retries nothing
