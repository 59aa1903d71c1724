"""Every AWS call the scanner makes goes through here: counted, and recorded instead of raised."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

from ..schema.snapshot import pick
from .faults import SILENCE, THROTTLED_CODES, Breaker, Faults, silence_words
from .pacing import Pacer
from .regions import missing_region_words

DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
})
NOT_FOUND_CODES = frozenset({"NotFoundException", "ResourceNotFoundException", "NoSuchEntity"})
THROTTLED_ROUNDS = 6  # rounds of botocore's ten attempts a throttled call gets before it is recorded as failed

# Reads whose names do not start with Get, List or Describe (each an HTTP GET in botocore's model).
READS_BY_VERB = frozenset({"ExportApi"})
# API Gateway's control plane is authorized by HTTP verb (apigateway:GET on the resource path).
_IAM_PREFIX = {"apigateway": "apigateway", "apigatewayv2": "apigateway", "cognito-idp": "cognito-idp",
               "lambda": "lambda", "sts": "sts"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action that allows `operation` (botocore's CamelCase name) on `service`."""
    if service in ("apigateway", "apigatewayv2"):
        # Reads are GET (ExportApi too: GET /v2/apis/{apiId}/exports); TestInvokeAuthorizer (`token --live`) is a POST.
        return "apigateway:GET" if operation.startswith(("Get", "List")) or operation in READS_BY_VERB \
            else "apigateway:POST"
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


@dataclass
class Outcome:
    """What one call returned: data, or why there is none."""

    data: Any = None
    status: str = "ok"  # ok | not-found | denied | failed
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def picked(self, spec: dict[str, Any]) -> list[dict[str, Any]] | None:
        """A listing's items with the fields `spec` declares; None (never []) when it could not be read."""
        return [pick(item, spec) for item in self.data] if self.ok else None


@dataclass
class CallLog:
    """Counts calls per service and operation, and keeps the calls that could not be made."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    faults: Faults = field(default_factory=Faults)  # the scan's call timeout and stop (shared by its call logs)
    breaker: Breaker = field(default_factory=Breaker)  # services switched off per region
    pacer: Pacer | None = None  # the account's request-rate buckets (None: calls are not paced)
    throttled: int = 0  # answers "slow down" that botocore retried
    retried: int = 0  # retries after an error that was not throttling
    not_made: int = 0  # calls not made because the scan was stopping
    throttled_rounds: int = 0  # calls made again after botocore's retries all met throttling
    busiest: dict[str, float] = field(default_factory=dict)  # seconds spent waiting, per service
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # botocore builds a paginator (a class, with its docstring) on every get_paginator: one per client and method.
    _paginators: dict[tuple[Any, str], Any] = field(default_factory=dict, repr=False)

    def count(self, service: str, operation: str) -> None:
        with self._lock:
            self.counts[f"{service}:{operation}"] += 1

    def count_throttle(self) -> None:
        with self._lock:
            self.throttled += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retried += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def call(self, client: Any, method: str, *, region: str, subject: str | None = None,
             expect_not_found: bool = False, record_error: bool = True, **params: Any) -> Outcome:
        """Call `client.method(**params)`; a failure becomes an Outcome and, unless expected (or `record_error` is
        false: the caller notes it instead), an error record."""
        return self._attempt(client, method, region, subject, expect_not_found,
                             lambda: getattr(client, method)(**params), record_error)

    def paginate(self, client: Any, method: str, result_key: str, *, region: str, subject: str | None = None,
                 **params: Any) -> Outcome:
        """All pages of a paginated call, the items of `result_key` (a dotted path) joined into one list."""
        def all_pages() -> list[Any]:
            items: list[Any] = []
            paginator = self._paginators.get((client, method))
            if paginator is None:
                paginator = self._paginators[(client, method)] = client.get_paginator(method)
            for page in paginator.paginate(**params):
                found = page
                for part in result_key.split("."):  # CloudFront nests its lists: DistributionList.Items
                    found = found.get(part) if isinstance(found, dict) else None
                items.extend(found or [])
            return items

        return self._attempt(client, method, region, subject, False, all_pages)

    def _attempt(self, client: Any, method: str, region: str, subject: str | None, expect_not_found: bool,
                 request: Callable[[], Any], record_error: bool = True) -> Outcome:
        service = client.meta.service_model.service_name
        key = (service, region)
        if self.faults.stopping:
            with self._lock:
                self.not_made += 1
            return Outcome(status="failed", message=f"not called: the scan was stopped ({self.faults.reason})")
        if self.breaker.is_open(key):
            self.breaker.skip(key)
            return Outcome(status="failed", message=f"not called: {service} in {region} "
                                                    f"{self.breaker.opened[key]} (reported once)")
        started = time.monotonic()
        try:
            return Outcome(self._until_not_throttled(request))
        except ClientError as error:
            outcome = self._failed(client, method, region, subject, expect_not_found, error, record_error)
        except (EndpointConnectionError, ConnectTimeoutError) as error:
            missing = missing_region_words(region, error.kwargs.get("endpoint_url")) \
                if isinstance(error, EndpointConnectionError) else None
            self.breaker.failed(key, silence_words(error, self.faults.call_timeout), at_once=True)
            outcome = self._record(client, method, region, subject, "failed", missing or _one_line(str(error)),
                                   record_error)
        except SILENCE as error:  # each attempt was counted by the retry guard (faults.py)
            outcome = self._record(client, method, region, subject, "failed", _one_line(str(error)), record_error)
        except BotoCoreError as error:
            outcome = self._record(client, method, region, subject, "failed", _one_line(str(error)), record_error)
        except Exception as error:  # noqa: BLE001 - whatever the SDK or endpoint throws is recorded, not raised
            message = _one_line(f"{type(error).__name__}: {error}")
            outcome = self._record(client, method, region, subject, "failed", message, record_error)
        finally:
            with self._lock:
                self.busiest[service] = self.busiest.get(service, 0.0) + time.monotonic() - started
        return outcome

    def _until_not_throttled(self, request: Callable[[], Any]) -> Any:
        """The request, made again while AWS still says "slow down" after botocore's ten attempts (the pace has
        slowed meanwhile), until it succeeds, the scan stops, or THROTTLED_ROUNDS rounds have passed."""
        for round_number in range(THROTTLED_ROUNDS):
            try:
                return request()
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code not in THROTTLED_CODES or self.faults.stopping or round_number == THROTTLED_ROUNDS - 1:
                    raise
                with self._lock:
                    self.throttled_rounds += 1
                time.sleep(min(20.0, 2.0 ** round_number))
        raise AssertionError("unreachable")

    def fault_notes(self) -> list[str]:
        """One line per service and region that was switched off, with the calls it cost."""
        breaker = self.breaker
        return [f"{service} in {region} {why}: {breaker.skipped[(service, region)]} call(s) skipped; the checks "
                "that needed them are undecided" for (service, region), why in sorted(breaker.opened.items())
                if breaker.skipped[(service, region)] or any(error["service"] == service and error["region"] ==
                                                             region for error in self.errors)]

    def _failed(self, client: Any, method: str, region: str, subject: str | None, expect_not_found: bool,
                error: ClientError, record_error: bool = True) -> Outcome:
        code = error.response.get("Error", {}).get("Code", "")
        message = _one_line(f"{code}: {error.response.get('Error', {}).get('Message', '')}".strip(": "))
        if code in NOT_FOUND_CODES and expect_not_found:
            return Outcome(status="not-found", message=message)
        status = "denied" if code in DENIED_CODES else "failed"
        if code in THROTTLED_CODES:
            message = f"{message} (throttled past botocore's retries)"
        return self._record(client, method, region, subject, status, message, record_error)

    def _record(self, client: Any, method: str, region: str, subject: str | None, status: str,
                message: str, record_error: bool = True) -> Outcome:
        service = client.meta.service_model.service_name
        operation = client.meta.method_to_api_mapping.get(method, method)
        record = {
            "region": region, "service": service, "operation": operation,
            "iam_action": iam_action(service, operation), "subject": subject, "message": message,
        }
        if record_error:
            with self._lock:
                self.errors.append(record)
        return Outcome(status=status, message=message)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def exported(export: Outcome) -> tuple[dict[str, Any] | None, str | None]:
    """(the exported definition, why there is none) of a GetExport or ExportApi call."""
    body = exported_document(export.data.get("body")) if export.ok else None
    if not export.ok:
        return None, export.message
    return body, None if body is not None else "the exported definition is not a JSON object the scanner can read"


def exported_document(body: Any) -> dict[str, Any] | None:
    """An exported API definition (GetExport, ExportApi) as a dict, whether the SDK gave bytes or a stream."""
    raw = body.read() if body is not None and hasattr(body, "read") else body
    try:
        document = json.loads(raw or b"{}")
    except (TypeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None
