"""Every AWS call the scanner makes goes through here: counted, and recorded instead of raised."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
})
NOT_FOUND_CODES = frozenset({"NotFoundException", "ResourceNotFoundException", "NoSuchEntity"})
THROTTLED_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling",
                             "RequestLimitExceeded"})  # EC2 says it so (DescribeRegions)

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


@dataclass
class CallLog:
    """Counts calls per service and operation, and keeps the calls that could not be made."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unreachable: set[tuple[str, str]] = field(default_factory=set)  # (service, region) whose endpoint did not answer
    throttled: int = 0  # answers "slow down" that botocore retried
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, service: str, operation: str) -> None:
        with self._lock:
            self.counts[f"{service}:{operation}"] += 1

    def count_throttle(self) -> None:
        with self._lock:
            self.throttled += 1

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
            for page in client.get_paginator(method).paginate(**params):
                found = page
                for part in result_key.split("."):  # CloudFront nests its lists: DistributionList.Items
                    found = found.get(part) if isinstance(found, dict) else None
                items.extend(found or [])
            return items

        return self._attempt(client, method, region, subject, False, all_pages)

    def _attempt(self, client: Any, method: str, region: str, subject: str | None, expect_not_found: bool,
                 request: Callable[[], Any], record_error: bool = True) -> Outcome:
        if self._skipped(client, region):
            return Outcome(status="failed", message="the endpoint did not answer (reported once)")
        try:
            return Outcome(request())
        except ClientError as error:
            outcome = self._failed(client, method, region, subject, expect_not_found, error, record_error)
        except (EndpointConnectionError, ConnectTimeoutError) as error:
            outcome = self._unreachable(client, method, region, subject, error, record_error)
        except BotoCoreError as error:
            outcome = self._record(client, method, region, subject, "failed", _one_line(str(error)), record_error)
        except Exception as error:  # noqa: BLE001 - whatever the SDK or endpoint throws is recorded, not raised
            message = _one_line(f"{type(error).__name__}: {error}")
            outcome = self._record(client, method, region, subject, "failed", message, record_error)
        return outcome

    def _skipped(self, client: Any, region: str) -> bool:
        """After one call found the endpoint unreachable, the others to it fail at once instead of retrying."""
        return (client.meta.service_model.service_name, region) in self.unreachable

    def _unreachable(self, client: Any, method: str, region: str, subject: str | None, error: Exception,
                     record_error: bool = True) -> Outcome:
        with self._lock:
            self.unreachable.add((client.meta.service_model.service_name, region))
        return self._record(client, method, region, subject, "failed", _one_line(str(error)), record_error)

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


def exported_document(body: Any) -> dict[str, Any] | None:
    """An exported API definition (GetExport, ExportApi) as a dict, whether the SDK gave bytes or a stream."""
    raw = body.read() if body is not None and hasattr(body, "read") else body
    try:
        document = json.loads(raw or b"{}")
    except (TypeError, ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None
