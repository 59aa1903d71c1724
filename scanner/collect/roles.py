"""Collects the IAM roles API Gateway assumes to call Lambda authorizers: trust policy and permission policies."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from ..arns import GLOBAL_REGION, parse_role_arn
from .calls import CallLog
from .session import Clients


def collect_role(clients: Clients, log: CallLog, account: str, arn: str) -> dict[str, Any]:
    """`status`: found (with `trust` and `policies`), missing, foreign, malformed or unreadable."""
    match = parse_role_arn(arn)
    if not match:
        return {"arn": arn, "status": "malformed"}
    if match["account"] != account:
        return {"arn": arn, "status": "foreign",
                "message": f"the role is in account {match['account']}, not the scanned account {account}"}
    region = GLOBAL_REGION.get(match["partition"], "us-east-1")
    client = clients.get("iam", region)
    name = match["name"]
    role = log.call(client, "get_role", region=region, subject=arn, expect_not_found=True, RoleName=name)
    if not role.ok:
        return {"arn": arn, "status": "missing" if role.status == "not-found" else "unreadable",
                "message": role.message}
    policies: list[Any] = []
    inline = log.paginate(client, "list_role_policies", "PolicyNames", region=region, subject=arn, RoleName=name)
    for policy_name in inline.data or []:
        document = log.call(client, "get_role_policy", region=region, subject=arn, RoleName=name,
                            PolicyName=policy_name)
        policies.append(_document(document.data.get("PolicyDocument")) if document.ok else None)
    attached = log.paginate(client, "list_attached_role_policies", "AttachedPolicies", region=region, subject=arn,
                            RoleName=name)
    for item in attached.data or []:
        policy = log.call(client, "get_policy", region=region, subject=arn, PolicyArn=item["PolicyArn"])
        version = policy.data.get("Policy", {}).get("DefaultVersionId") if policy.ok else None
        if version is None:
            policies.append(None)
            continue
        content = log.call(client, "get_policy_version", region=region, subject=arn, PolicyArn=item["PolicyArn"],
                           VersionId=version)
        policies.append(_document(content.data.get("PolicyVersion", {}).get("Document")) if content.ok else None)
    complete = inline.ok and attached.ok and all(policy is not None for policy in policies)
    trust = _document(role.data.get("Role", {}).get("AssumeRolePolicyDocument"))
    return {"arn": arn, "status": "found", "trust": trust,
            "policies": [policy for policy in policies if policy is not None],
            "message": None if complete else "some of the role's permission policies could not be read"}


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
