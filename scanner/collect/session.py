"""AWS sessions and clients: adaptive retries, one client per service and region, every call counted."""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    CredentialRetrievalError,
    EndpointConnectionError,
    InvalidConfigError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.hooks import EVENT_ALIASES
from botocore.parsers import ResponseParserError

from ..errors import UsageError
from .calls import CallLog
from .faults import CALL_TIMEOUT, CONNECT_TIMEOUT, THROTTLED_CODES, answer_code, retry_guard, send_guard
from .regions import did_you_mean, missing_region_words


def client_config(call_timeout: float = CALL_TIMEOUT) -> Config:
    """Control-plane reads answer in well under a second: wait `call_timeout` for an answer, a few seconds for a
    connection. Throttling is the usual failure and is retried patiently (adaptive mode, ten attempts); silence
    and 5xx answers get fewer attempts (faults.retry_guard)."""
    return Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="apigw-scan",
                  connect_timeout=min(CONNECT_TIMEOUT, call_timeout), read_timeout=call_timeout)
# The first call only asks who we are: if AWS cannot be reached at all, say so quickly.
IDENTITY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, user_agent_extra="apigw-scan",
                         connect_timeout=5, read_timeout=15)


def open_session(profile: str | None = None, botocore_session: botocore.session.Session | None = None) -> boto3.Session:
    """A boto3 session for the standard credential chain, its configuration and credentials resolved now — so a
    broken ~/.aws/config, a failing credential_process or an SSO session not logged in is one line before the
    scan, not a traceback in the middle of it."""
    try:
        session = boto3.Session(profile_name=profile, botocore_session=botocore_session)
        session.region_name  # noqa: B018 - reads (and so checks) the config file
        credentials = session.get_credentials()
        if credentials is not None and not isinstance(credentials, DeferredRefreshableCredentials):
            credentials.get_frozen_credentials()  # runs credential_process and SSO now
    except ProfileNotFound as error:
        raise UsageError(f"{error}: expected a profile from ~/.aws/config or ~/.aws/credentials") from None
    except Exception as error:  # noqa: BLE001 - every way the AWS credential chain fails is the user's to fix
        raise UsageError(credential_problem(error, profile)) from None
    if credentials is None:
        raise UsageError(
            "no AWS credentials found: set AWS_PROFILE or pass --profile, export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run on a machine with an instance role (try `apigw-scan demo` "
            "for a scan that needs no account)"
        )
    return session


def credential_problem(error: Exception, profile: str | None) -> str:
    """What went wrong in the AWS configuration or credential chain, and what to do, in one line."""
    text = " ".join(str(error).split())
    named = f" --profile {profile}" if profile else ""
    if isinstance(error, ConfigParseError):
        return (f"the AWS config file cannot be read ({text}): fix it, or point AWS_CONFIG_FILE at another "
                "(even with credentials in the environment, botocore reads it)")
    if isinstance(error, PartialCredentialsError):
        return f"{text}: give both the access key ID and the secret access key (and the session token, if any)"
    if isinstance(error, (SSOTokenLoadError, UnauthorizedSSOTokenError, TokenRetrievalError, SSOError)):
        return f"the SSO session is not logged in or has expired ({text}): run `aws sso login{named}`"
    if isinstance(error, CredentialRetrievalError):
        return f"credential_process failed ({text}): run the command of the profile by hand to see why"
    if isinstance(error, ValueError):  # credential_process printed something that is not JSON
        return f"credential_process did not print JSON credentials ({text}): it must print the documented JSON"
    if isinstance(error, InvalidConfigError):
        return f"{text}: fix the profile in ~/.aws/config"
    return f"the AWS credentials cannot be loaded ({type(error).__name__}: {text})"


@functools.cache
def partition_patterns() -> dict[str, str]:
    """Each partition's region-name pattern, from botocore's endpoint data (aws, aws-cn, aws-us-gov, …): read once
    (the file is large; --all-regions asks for every region's partition)."""
    data = botocore.session.get_session().get_data("endpoints")
    return {partition["partition"]: partition["regionRegex"] for partition in data["partitions"]}


def partition_of(region: str) -> str | None:
    """The partition a region name belongs to — also for regions newer than the installed botocore."""
    matches = [name for name, pattern in partition_patterns().items() if re.match(pattern, region)]
    return matches[0] if matches else None


def resolve_regions(session: boto3.Session, requested: list[str] | None, notes: list[str] | None = None) -> list[str]:
    """The regions to scan: those asked for, else the configured one. A region the installed botocore does not
    list yet is scanned (with a note) when its name belongs to a partition; other names are refused."""
    known = set()
    for partition in session.get_available_partitions():
        known.update(session.get_available_regions("apigateway", partition_name=partition))
    regions = list(dict.fromkeys(requested or ([session.region_name] if session.region_name else [])))
    if not regions:
        raise UsageError("no region: pass --region REGION (repeatable) or set AWS_REGION / AWS_DEFAULT_REGION")
    unknown = [region for region in regions if region not in known and partition_of(region) is None]
    if unknown:
        raise UsageError(f"unknown region {unknown[0]}: expected a region name such as eu-west-1 or us-east-1"
                         + did_you_mean(unknown[0], known))
    newer = [region for region in regions if region not in known]
    if newer and notes is not None:
        notes.append(f"{', '.join(newer)}: newer than the installed botocore's endpoint data; scanned at the "
                     "standard endpoints of the partition")
    return regions


class Clients:
    """boto3 clients, made once per (service, region) and shared by threads; calls counted in `call_log`."""

    def __init__(self, session: boto3.Session, call_log: CallLog) -> None:
        self.session = session
        self.call_log = call_log
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._making: dict[tuple[str, str, int], threading.Lock] = {}
        self._config = client_config(call_log.faults.call_timeout)
        self._lock = threading.Lock()

    def get(self, service: str, region: str, config: Config | None = None) -> Any:
        key = (service, region, id(config))
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:  # one lock per client being made: threads wanting other clients do not wait for it
            making = self._making.setdefault(key, threading.Lock())
        with making:
            if key not in self._clients:
                self._clients[key] = self._client(service, region, config or self._config)
        return self._clients[key]

    def _client(self, service: str, region: str, config: Config) -> Any:
        log = self.call_log
        client = self.session.client(service, region_name=region, config=config)
        _share_event_aliases(client)
        client.meta.events.register("before-call", self._counter(service))
        client.meta.events.register("needs-retry", self._throttle_counter)
        client.meta.events.register("needs-retry", retry_guard(log.faults, log.breaker, service, region,
                                                               log.count_retry))
        client.meta.events.register("before-send", send_guard(log.faults, log.breaker, service, region))
        if log.pacer is not None:
            before_attempt, after_attempt = log.pacer.hooks(service, region)
            client.meta.events.register("request-created", before_attempt)
            client.meta.events.register("needs-retry", after_attempt)
        return client

    def _counter(self, service: str) -> Any:
        def count(model: Any, **_: Any) -> None:
            self.call_log.count(service, model.name)
        return count

    def _throttle_counter(self, response: Any = None, **_: Any) -> None:
        if answer_code(response) in THROTTLED_CODES:
            self.call_log.count_throttle()

    def account_id(self, region: str) -> str:
        """The account the credentials belong to (sts:GetCallerIdentity needs no permission)."""
        try:
            return str(self.get("sts", region, IDENTITY_CONFIG).get_caller_identity()["Account"])
        except ClientError as error:
            message = error.response.get("Error", {}).get("Message") or error.response.get("Error", {}).get("Code")
            raise UsageError(f"the AWS credentials were refused: {' '.join(str(message).split())}") from None
        except ResponseParserError:
            raise UsageError(f"the STS endpoint for {region} answered something that is not AWS (an HTML page?): "
                             "check AWS_ENDPOINT_URL and the proxy settings") from None
        except BotoCoreError as error:
            if isinstance(error, (SSOTokenLoadError, UnauthorizedSSOTokenError, TokenRetrievalError, SSOError,
                                  CredentialRetrievalError)):
                profile = self.session.profile_name
                raise UsageError(credential_problem(error, None if profile == "default" else profile)) from None
            if isinstance(error, EndpointConnectionError):
                missing = missing_region_words(region, error.kwargs.get("endpoint_url"))
                if missing:
                    raise UsageError(missing) from None
            raise UsageError(f"cannot reach AWS STS in {region}: {' '.join(str(error).split())}") from None


_EVENT_ALIASES: dict[str, str] = {}  # event name as emitted: as botocore's handlers are registered


def _share_event_aliases(client: Any) -> None:
    """botocore rewrites each event name a client emits (`before-call.apigateway.GetStages` → its registered spelling)
    and caches the answer per client: a client that makes a call or three (an empty region's listings) pays for
    forty rewrites. The answer depends only on the name and botocore's alias table, so clients that use that table
    share one cache."""
    events = client.meta.events
    if isinstance(getattr(events, "_alias_name_cache", None), dict) and \
            getattr(events, "_event_aliases", None) == EVENT_ALIASES:
        events._alias_name_cache = _EVENT_ALIASES
