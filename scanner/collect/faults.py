"""What a misbehaving AWS may cost a scan: call timeouts, few retries on silence, a breaker per service and region,
and the scan-wide stop (a deadline, a signal)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)

CALL_TIMEOUT = 10.0  # seconds to wait for an answer; control-plane reads take well under one
CONNECT_TIMEOUT = 3.0
SILENCE_ATTEMPTS = 2  # a call that got no answer is tried once more, not ten times
SERVER_ERROR_ATTEMPTS = 3  # a 5xx: the AWS SDKs' standard three attempts (throttling keeps its ten)
BREAKER_FAILURES = 3  # consecutive attempts without an answer before a service is no longer called in a region
# No answer at all: the endpoint is silent, resets connections or cannot be reached.
# AWS's answers for "slow down" (EC2 says RequestLimitExceeded, for DescribeRegions).
THROTTLED_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
                             "SlowDown", "ThrottledException", "RequestThrottled"})
SILENCE = (ReadTimeoutError, ConnectTimeoutError, ConnectionClosedError, EndpointConnectionError, HTTPClientError)


class NotSent(BotoCoreError):  # type: ignore[misc]
    """An attempt not sent: the scan is stopping, or the service is off in that region."""

    fmt = "not sent: {why}"


@dataclass
class Breaker:
    """Per (service, region): consecutive attempts that got no answer (or a 5xx); past the threshold the service
    is no longer called there, and each call it would have made is counted as skipped."""

    threshold: int = BREAKER_FAILURES
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    opened: dict[tuple[str, str], str] = field(default_factory=dict)  # why, in words
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answered(self, key: tuple[str, str]) -> None:
        with self._lock:
            self.failures[key] = 0

    def failed(self, key: tuple[str, str], why: str, at_once: bool = False) -> None:
        with self._lock:
            self.failures[key] += 1
            if (at_once or self.failures[key] >= self.threshold) and key not in self.opened:
                self.opened[key] = why

    def is_open(self, key: tuple[str, str]) -> bool:
        return key in self.opened

    def skip(self, key: tuple[str, str]) -> None:
        with self._lock:
            self.skipped[key] += 1


@dataclass
class Faults:
    """Shared by every client and call log of one scan: its call timeout and its stop (a deadline, a signal)."""

    call_timeout: float = CALL_TIMEOUT
    started: float = field(default_factory=time.monotonic)
    reason: str | None = None  # why the scan is stopping
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self, reason: str) -> None:
        if not self._stop.is_set():
            self.reason = f"{reason} after {time.monotonic() - self.started:.0f} s"
            self._stop.set()


def retry_guard(faults: Faults, breaker: Breaker, service: str, region: str, on_retry: Callable[[], None]) -> Any:
    """A `needs-retry` handler, run before botocore's own: ends a failing call instead of retrying it when the scan
    is stopping, its service is off in that region, or it has had the attempts its failure deserves (throttling
    keeps botocore's patient retries)."""
    key = (service, region)

    def guard(attempts: int = 1, response: Any = None, caught_exception: Exception | None = None,
              operation: Any = None, **_: Any) -> None:
        status, throttled = answer_status(response), is_throttled(response)
        if caught_exception is None and (status is None or status < 500) and not throttled:
            if response is not None:
                breaker.answered(key)
            return  # an answer that is not an error: botocore will not retry it
        limit: int | None = SERVER_ERROR_ATTEMPTS
        if isinstance(caught_exception, SILENCE):
            breaker.failed(key, silence_words(caught_exception, faults.call_timeout),
                           at_once=isinstance(caught_exception, EndpointConnectionError))
            limit = SILENCE_ATTEMPTS
        elif throttled:
            limit = None
        elif caught_exception is None:
            breaker.failed(key, f"answered HTTP {status} to every attempt")
        if faults.stopping or breaker.is_open(key) or (limit is not None and attempts >= limit):
            _end(caught_exception, response, operation)
        if not throttled:
            on_retry()

    return guard


def send_guard(faults: Faults, breaker: Breaker, service: str, region: str) -> Any:
    """A `before-send` handler: an attempt (a retry included) is not sent once the scan is stopping or the service
    is off in that region, so in-flight calls end with the attempt they are waiting on."""
    key = (service, region)

    def guard(**_: Any) -> None:
        if faults.stopping:
            raise NotSent(why=f"the scan was stopped ({faults.reason})")
        if breaker.is_open(key):
            raise NotSent(why=f"{service} in {region} {breaker.opened[key]}")

    return guard


def answer_status(response: Any) -> int | None:
    """The HTTP status of the (http response, parsed answer) pair botocore's events pass, if there is one."""
    if isinstance(response, tuple) and response and hasattr(response[0], "status_code"):
        return int(response[0].status_code)
    return None


def answer_code(response: Any) -> str | None:
    """The error code of that pair's parsed answer, if it is an error."""
    parsed = response[1] if isinstance(response, tuple) and len(response) == 2 else None
    return (parsed.get("Error") or {}).get("Code") if isinstance(parsed, dict) else None


def is_throttled(response: Any) -> bool:
    return answer_status(response) == 429 or answer_code(response) in THROTTLED_CODES


def silence_words(error: Exception, timeout: float) -> str:
    if isinstance(error, ReadTimeoutError):
        return f"did not answer within {timeout:g} s"
    if isinstance(error, ConnectTimeoutError):
        return "did not accept a connection"
    if isinstance(error, EndpointConnectionError):
        return "could not be reached"
    return "closed the connection without an answer"


def _end(caught_exception: Exception | None, response: Any, operation: Any) -> None:
    """Ends botocore's retry loop with the error the last attempt met."""
    if caught_exception is not None:
        raise caught_exception
    parsed = response[1] if isinstance(response, tuple) and len(response) == 2 else {}
    raise ClientError(parsed if isinstance(parsed, dict) else {}, getattr(operation, "name", "call"))
