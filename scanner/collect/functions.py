"""Collects the Lambda functions that triggers and authorizers name: whether each exists, and its resource policy."""

from __future__ import annotations

import json
from typing import Any

from ..arns import parse_function_arn
from .calls import CallLog
from .session import Clients


def collect_function(clients: Clients, log: CallLog, account: str, arn: str) -> dict[str, Any]:
    """`status`: found, missing, foreign (another account: not readable), malformed, or unreadable."""
    parts = parse_function_arn(arn)
    if parts is None:
        return {"arn": arn, "status": "malformed", "policy": None}
    if parts["account"] != account:
        return {"arn": arn, "status": "foreign", "policy": None,
                "message": f"the function is in account {parts['account']}, not the scanned account {account}"}
    client = clients.get("lambda", parts["region"])
    params: dict[str, Any] = {"FunctionName": parts["name"]}
    if parts["qualifier"]:
        params["Qualifier"] = parts["qualifier"]
    # One call in the usual case: a policy proves the function exists. Not found is ambiguous
    # (no function, or a function without a policy), so only then ask for the function itself.
    policy = log.call(client, "get_policy", region=parts["region"], subject=arn, expect_not_found=True, **params)
    if policy.ok:
        document = _policy_document(policy.data)
        if document is None:  # never "no policy": that would read as "nobody may invoke it"
            return {"arn": arn, "status": "found", "policy": None, "policy_status": "unreadable",
                    "message": "its resource policy is not a JSON object the scanner can read"}
        return {"arn": arn, "status": "found", "policy": document, "policy_status": "ok"}
    exists = log.call(client, "get_function_configuration", region=parts["region"], subject=arn,
                      expect_not_found=True, **params)
    status = {"ok": "found", "not-found": "missing"}.get(exists.status, "unreadable")
    policy_status = "none" if policy.status == "not-found" else "unreadable"
    return {"arn": arn, "status": status, "policy": None, "policy_status": policy_status,
            "message": exists.message or policy.message}


def _policy_document(response: dict[str, Any]) -> dict[str, Any] | None:
    try:
        document = json.loads(response.get("Policy") or "{}")
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None
