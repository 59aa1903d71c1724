"""Quota-paced collection: one token bucket per quota and account (API Gateway's control plane 10 rps with a
burst of 40, GetResources 5 per 2 s, Cognito's client reads 15 rps and 5 per pool, Lambda 15 rps), shared by every
thread, slowing down on "slow down" answers and recovering on others. Sources: "Amazon API Gateway quotas" (API
Gateway quotas for configuring and running a REST API), "Quotas in Amazon Cognito" (user pool operation
categories), "Lambda quotas" (control plane API requests), botocore's events (request-created is emitted for each
attempt, retries included)."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from scanner.collect import calls, pacing
from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.collect.pacing import Bucket, Pacer, parse_max_rps
from scanner.errors import UsageError


class FakeClock:
    """pacing's clock, stopped: `sleep` records how long a caller would wait and returns at once, so a bucket's
    schedule is read from the waits it hands out, not from the wall clock of a loaded machine."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(pacing, "time", fake)
    return fake


def test_a_bucket_shared_by_threads_holds_its_rate_after_the_burst(clock):
    """Four threads take 40 tokens at one instant: the burst's 10 are free, and the other 30 are handed out one
    every 1/50 s, whoever asks: the last caller waits 30/50 s, and no two callers get the same moment."""
    bucket = Bucket(quota=50.0, burst=10.0)
    threads = [threading.Thread(target=lambda: [bucket.take() for _ in range(10)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clock.waits) == 30  # the burst's callers did not wait
    assert sorted(clock.waits) == pytest.approx([n / 50 for n in range(1, 31)])
    clock.now = 10.0  # ten seconds later the bucket is full again, never fuller than its burst
    clock.waits.clear()
    assert [bucket.take() for _ in range(10)] == [0.0] * 10 and clock.waits == []
    assert bucket.take() == pytest.approx(1 / 50)


def test_a_throttled_answer_slows_the_bucket_and_answers_bring_it_back():
    bucket = Bucket(quota=10.0, burst=40.0)
    bucket.throttled()
    assert bucket.rate == pytest.approx(7.0) and bucket.tokens <= 0
    for _ in range(200):
        bucket.answered()
    assert bucket.rate == 10.0  # never above the quota


def test_each_call_takes_from_the_bucket_of_its_quota():
    pacer = Pacer()
    name = {id(bucket): key for key, bucket in pacer._buckets.items()}

    def keys(service, operation, region="eu-west-1", body=None):
        found = pacer.buckets_for(service, operation, region, body)
        name.update({id(bucket): key for key, bucket in pacer._buckets.items()})
        return [name[id(bucket)] for bucket in found]

    assert keys("apigateway", "GetStages") == keys("apigatewayv2", "GetRoutes") == [("eu-west-1", "apigateway")]
    assert keys("apigateway", "GetResources") == [("eu-west-1", "apigateway-get-resources")]
    assert keys("apigateway", "GetStages", "us-east-1") == [("us-east-1", "apigateway")]
    assert keys("cognito-idp", "DescribeUserPoolClient", body=b'{"UserPoolId": "eu-west-1_A", "ClientId": "c"}') == [
        ("eu-west-1", "cognito-idp-clients"), ("eu-west-1", "cognito-idp-clients-per-pool", "eu-west-1_A")]
    assert keys("cognito-idp", "DescribeUserPool") == [("eu-west-1", "cognito-idp")]
    assert keys("iam", "GetRole", "eu-west-1") == keys("iam", "GetRole", "us-east-1") == [("global", "iam")]


def test_max_rps_overrides_the_quotas_and_refuses_what_it_does_not_know():
    assert parse_max_rps("apigateway=25, cognito-idp-clients=30") == {"apigateway": 25.0, "cognito-idp-clients": 30.0}
    assert parse_max_rps(None) == {}
    for wrong in ("apigateway", "apigw=10", "apigateway=0", "apigateway=fast"):
        with pytest.raises(UsageError, match="expected NAME=RATE"):
            parse_max_rps(wrong)
    assert Pacer({"apigateway": 25.0}).buckets_for("apigateway", "GetStages", "eu-west-1")[0].quota == 25.0


def test_a_call_still_throttled_after_botocores_attempts_is_made_again(monkeypatch):
    monkeypatch.setattr(calls.time, "sleep", lambda _: None)
    answers = iter([ClientError({"Error": {"Code": "TooManyRequestsException"}}, "GetStages")] * 2 + ["served"])

    def request():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    log = CallLog()
    assert log._until_not_throttled(request) == "served" and log.throttled_rounds == 2


def test_a_paced_scan_keeps_to_its_rate_and_loses_nothing(account, clock):
    """Twelve APIs make about 50 control-plane calls: at 20 a second with a burst of 40, the pacer hands out the
    last of them (n - 40) / 20 s after the first, every attempt taking its token (the clock is stopped: the
    waits are the schedule; the wall time is measured in `make bench`). Every method row is there, no call failed."""
    pool = account.healthy_pool()
    for number in range(12):
        account.cognito_api(pool["arn"], name=f"shop-{number}")
    log = CallLog(pacer=Pacer({"apigateway": 20.0}))
    snapshot = collect_account(account.session, ["eu-west-1"], call_log=log, traffic_days=None)
    control = sum(count for name, count in log.counts.items()
                  if name.split(":")[0] in ("apigateway", "apigatewayv2") and name != "apigateway:GetResources")
    [bucket] = [bucket for key, bucket in log.pacer._buckets.items() if key == ("eu-west-1", "apigateway")]
    assert control > 40 and bucket.tokens == pytest.approx(40 - control)  # every call took a token
    assert pytest.approx((control - 40) / 20) in clock.waits  # the last one, at the quota's pace
    resources = log.counts["apigateway:GetResources"]  # its own quota: 5 per 2 s, a burst of 5
    assert max(clock.waits) == pytest.approx((resources - 5) / 2.5) and resources == 12
    assert log.pacer.waited > 0 and log.errors == [] and len(snapshot["rest_apis"]) == 12
