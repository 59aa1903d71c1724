"""Paces the calls of one account to AWS's request-rate quotas: a token bucket per quota, shared by every thread,
that slows down when AWS answers "slow down" and recovers as calls succeed."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from .faults import is_throttled

# Default request rates (per second) and bursts, per account and region, from AWS's quota pages: API Gateway's
# control plane ("API Gateway quotas for configuring and running a REST API": 10 rps, burst 40, GetResources 5 per
# 2 seconds), Amazon Cognito's user pool categories (UserPoolRead, UserPoolClientRead; DescribeUserPoolClient also
# per pool), Lambda's control plane (15 rps), IAM (global), CloudWatch GetMetricData, CloudFront. Override with
# --max-rps NAME=RATE,…; an account with raised quotas goes faster.
DEFAULT_RATES: dict[str, tuple[float, float]] = {
    "apigateway": (10.0, 40.0),
    "apigateway-get-resources": (2.5, 5.0),
    "cognito-idp": (20.0, 20.0),
    "cognito-idp-clients": (15.0, 15.0),
    "cognito-idp-clients-per-pool": (5.0, 5.0),
    "lambda": (15.0, 15.0),
    "iam": (10.0, 10.0),
    "cloudwatch": (50.0, 50.0),
    "cloudfront": (10.0, 10.0),
    "cloudformation": (10.0, 10.0),
}
_CLIENT_READS = frozenset({"ListUserPoolClients", "DescribeUserPoolClient"})
_GLOBAL = frozenset({"iam", "cloudfront"})  # one endpoint for every region
SLOWER = 0.7  # after a throttled answer, the bucket's rate is cut to this share
FASTER = 1.02  # after each answer that was not throttled, it grows back towards its quota


def parse_max_rps(text: str | None) -> dict[str, float]:
    """`apigateway=10,cognito-idp-clients=15` as {name: rate}; names are those of DEFAULT_RATES."""
    rates: dict[str, float] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, separator, value = item.partition("=")
        name = name.strip()
        try:
            rate = float(value)
        except ValueError:
            rate = 0.0
        if not separator or name not in DEFAULT_RATES or rate <= 0:
            raise UsageError(f"--max-rps {item.strip()}: expected NAME=RATE with a rate above 0 and NAME one of "
                             f"{', '.join(DEFAULT_RATES)}")
        rates[name] = rate
    return rates


@dataclass
class Bucket:
    """A token bucket: `rate` tokens a second up to `burst`; `take` waits for one."""

    quota: float
    burst: float
    rate: float = 0.0
    tokens: float = 0.0
    updated: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.rate, self.tokens, self.updated = self.quota, self.burst, time.monotonic()

    def take(self) -> float:
        """Waits until a token is free and takes it; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1  # reserved now; a negative balance is the queue of callers ahead
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            time.sleep(wait)
        return wait

    def throttled(self) -> None:
        with self._lock:
            self.rate = max(self.quota * 0.1, self.rate * SLOWER)
            self.tokens = min(self.tokens, 0.0)  # what the burst promised, AWS did not grant

    def answered(self) -> None:
        with self._lock:
            self.rate = min(self.quota, self.rate * FASTER)


@dataclass
class Pacer:
    """The buckets of one account: by (region, quota name), and per user pool for its client reads."""

    rates: dict[str, float] = field(default_factory=dict)  # --max-rps overrides
    waited: float = 0.0  # seconds callers spent waiting for a token
    _buckets: dict[tuple[str, ...], Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def buckets_for(self, service: str, operation: str, region: str, body: Any = None) -> list[Bucket]:
        where, quota = bucket_of(service, operation, region)
        names: list[tuple[str, ...]] = [(quota,)]
        if service == "cognito-idp" and operation == "DescribeUserPoolClient":
            names.append(("cognito-idp-clients-per-pool", _pool_of(body) or ""))
        return [self._bucket(where, name) for name in names if name[0] in DEFAULT_RATES]

    def _bucket(self, region: str, name: tuple[str, ...]) -> Bucket:
        with self._lock:
            key = (region, *name)
            if key not in self._buckets:
                quota, burst = DEFAULT_RATES[name[0]]
                quota = self.rates.get(name[0], quota)
                self._buckets[key] = Bucket(quota, max(1.0, min(burst, quota * 4) if name[0] in self.rates
                                                       else burst))
            return self._buckets[key]

    def hooks(self, service: str, region: str) -> tuple[Any, Any]:
        """`request-created` (take a token for each attempt, retries included: botocore creates the request anew for
        each) and `needs-retry` (slow down on a throttled answer, speed up on others) handlers for one client."""
        taken: threading.local = threading.local()

        def before_attempt(request: Any = None, event_name: str = "", **_: Any) -> None:
            operation = event_name.rsplit(".", 1)[-1]  # request-created.{service}.{Operation}
            taken.buckets = self.buckets_for(service, operation, region, getattr(request, "body", None))
            waited = sum(bucket.take() for bucket in taken.buckets)
            if waited:
                with self._lock:
                    self.waited += waited

        def after_attempt(response: Any = None, **_: Any) -> None:
            throttled = is_throttled(response)
            for bucket in getattr(taken, "buckets", []):
                if throttled:
                    bucket.throttled()
                elif response is not None:
                    bucket.answered()

        return before_attempt, after_attempt



def bucket_of(service: str, operation: str, region: str) -> tuple[str, str]:
    """(region, or "global" for a global service; quota name): the bucket an operation's calls take from."""
    return "global" if service in _GLOBAL else region, _quota_name(service, operation)


def _quota_name(service: str, operation: str) -> str:
    if service in ("apigateway", "apigatewayv2"):
        return "apigateway-get-resources" if operation == "GetResources" else "apigateway"
    if service == "cognito-idp":
        return "cognito-idp-clients" if operation in _CLIENT_READS else "cognito-idp"
    return service


def _pool_of(body: Any) -> str | None:
    try:
        parsed = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return None
    return str(parsed.get("UserPoolId")) if isinstance(parsed, dict) and parsed.get("UserPoolId") else None
