"""AWS sessions and clients: adaptive retries, one client per service and region, every call counted."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from ..errors import UsageError
from .calls import THROTTLED_CODES, CallLog

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 10},  # throttling is the usual failure: retry it patiently
    user_agent_extra="apigw-scan",
    connect_timeout=10,
    read_timeout=30,
)
# The first call only asks who we are: if AWS cannot be reached at all, say so quickly.
IDENTITY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, user_agent_extra="apigw-scan",
                         connect_timeout=5, read_timeout=15)


def open_session(profile: str | None = None, botocore_session: botocore.session.Session | None = None) -> boto3.Session:
    """A boto3 session for the standard credential chain, or a clear error when there are no credentials."""
    try:
        session = boto3.Session(profile_name=profile, botocore_session=botocore_session)
    except ProfileNotFound as error:
        raise UsageError(f"{error}: expected a profile from ~/.aws/config or ~/.aws/credentials") from None
    if session.get_credentials() is None:
        raise UsageError(
            "no AWS credentials found: set AWS_PROFILE or pass --profile, export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run on a machine with an instance role (try `apigw-scan demo` "
            "for a scan that needs no account)"
        )
    return session


def resolve_regions(session: boto3.Session, requested: list[str] | None) -> list[str]:
    """The regions to scan: those asked for, checked against the partitions botocore knows, else the configured one."""
    known = set()
    for partition in session.get_available_partitions():
        known.update(session.get_available_regions("apigateway", partition_name=partition))
    regions = list(dict.fromkeys(requested or ([session.region_name] if session.region_name else [])))
    if not regions:
        raise UsageError("no region: pass --region REGION (repeatable) or set AWS_REGION / AWS_DEFAULT_REGION")
    unknown = [region for region in regions if region not in known]
    if unknown:
        raise UsageError(
            f"unknown region {', '.join(unknown)}: expected a region such as eu-west-1 or us-east-1 "
            f"(known: {', '.join(sorted(known))})"
        )
    return regions


class Clients:
    """boto3 clients, made once per (service, region) and shared by threads; calls counted in `call_log`."""

    def __init__(self, session: boto3.Session, call_log: CallLog) -> None:
        self.session = session
        self.call_log = call_log
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str, config: Config = CLIENT_CONFIG) -> Any:
        with self._lock:
            key = (service, region, id(config))
            if key not in self._clients:
                client = self.session.client(service, region_name=region, config=config)
                client.meta.events.register("before-call", self._counter(service))
                client.meta.events.register("needs-retry", self._throttle_counter)
                self._clients[key] = client
            return self._clients[key]

    def _counter(self, service: str) -> Any:
        def count(model: Any, **_: Any) -> None:
            self.call_log.count(service, model.name)
        return count

    def _throttle_counter(self, response: Any = None, **_: Any) -> None:
        parsed = response[1] if isinstance(response, tuple) and len(response) == 2 else None
        code = (parsed or {}).get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        if code in THROTTLED_CODES:
            self.call_log.count_throttle()

    def account_id(self, region: str) -> str:
        """The account the credentials belong to (sts:GetCallerIdentity needs no permission)."""
        try:
            return str(self.get("sts", region, IDENTITY_CONFIG).get_caller_identity()["Account"])
        except ClientError as error:
            message = error.response.get("Error", {}).get("Message")
            raise UsageError(f"the AWS credentials were refused: {message}") from None
        except BotoCoreError as error:
            raise UsageError(f"cannot reach AWS STS in {region}: {error}") from None
