"""Collects the IAM roles API Gateway assumes to call Lambda authorizers: trust policy and permission policies."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from ..arns import GLOBAL_REGION, parse_role_arn
from .calls import CallLog, Outcome
from .reader import Reader
from .reads import Reads, resolved
from .session import Clients


def collect_role(clients: Clients, log: CallLog, account: str, arn: str) -> dict[str, Any]:
    """`status`: found (with `trust` and `policies`), missing, foreign, malformed or unreadable; one call at a time."""
    return read_role(Reader(Reads(threads=0), clients, log, ""), account, arn).result()


def read_role(reader: Reader, account: str, arn: str) -> Future[dict[str, Any]]:
    """The role, then its inline and attached policies side by side (each policy's document as soon as it is
    named)."""
    match = parse_role_arn(arn)
    if not match:
        return resolved({"arn": arn, "status": "malformed"})
    if match["account"] != account:
        return resolved({"arn": arn, "status": "foreign",
                         "message": f"the role is in account {match['account']}, not the scanned account {account}"})
    reader = reader.elsewhere(GLOBAL_REGION.get(match["partition"], "us-east-1"))
    reads, name = reader.reads, match["name"]

    def read(role: Outcome) -> Future[dict[str, Any]]:
        if not role.ok:
            return resolved({"arn": arn, "status": "missing" if role.status == "not-found" else "unreadable",
                             "message": role.message})
        inline = reads.chain([reader.paginate("iam", "list_role_policies", "PolicyNames", subject=arn,
                                              RoleName=name)], lambda listed: _each(reads, listed, _inline))
        attached = reads.chain([reader.paginate("iam", "list_attached_role_policies", "AttachedPolicies",
                                                subject=arn, RoleName=name)], lambda listed: _each(reads, listed,
                                                                                                   _attached))

        def record(inline_read: tuple[bool, list[Any]], attached_read: tuple[bool, list[Any]]) -> dict[str, Any]:
            policies = inline_read[1] + attached_read[1]
            complete = inline_read[0] and attached_read[0] and all(policy is not None for policy in policies)
            trust = _document(role.data.get("Role", {}).get("AssumeRolePolicyDocument"))
            return {"arn": arn, "status": "found", "trust": trust,
                    "policies": [policy for policy in policies if policy is not None],
                    "message": None if complete else "some of the role's permission policies could not be read"}

        return reads.then([inline, attached], record)

    def _inline(policy_name: str) -> Future[dict[str, Any] | None]:
        document = reader.call("iam", "get_role_policy", subject=arn, RoleName=name, PolicyName=policy_name)
        return reads.then([document], lambda found: _document(found.data.get("PolicyDocument")) if found.ok
                          else None)

    def _attached(item: dict[str, Any]) -> Future[dict[str, Any] | None]:
        def version(policy: Outcome) -> Future[dict[str, Any] | None]:
            version_id = policy.data.get("Policy", {}).get("DefaultVersionId") if policy.ok else None
            if version_id is None:
                return resolved(None)
            content = reader.call("iam", "get_policy_version", subject=arn, PolicyArn=item["PolicyArn"],
                                  VersionId=version_id)
            return reads.then([content], lambda found: _document(found.data.get("PolicyVersion", {})
                                                                 .get("Document")) if found.ok else None)

        return reads.chain([reader.call("iam", "get_policy", subject=arn, PolicyArn=item["PolicyArn"])], version)

    return reads.chain([reader.call("iam", "get_role", subject=arn, expect_not_found=True, RoleName=name)], read)


def _each(reads: Reads, listed: Outcome, read: Callable[[Any], Future[dict[str, Any] | None]]) -> Future[
        tuple[bool, list[dict[str, Any] | None]]]:
    """(whether the listing was read, each listed policy's document, None where it could not be read)."""
    return reads.then([read(item) for item in listed.data or []], lambda *documents: (listed.ok, list(documents)))


def _document(value: Any) -> dict[str, Any] | None:
    """A policy document, whether the SDK decoded it or left it URL-encoded."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(urllib.parse.unquote(value))
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None
    return None
