"""IAM roles the configuration creates, as the collector records a role: its trust policy and its permission
policies (inline, aws_iam_role_policy, and attachments of policies the configuration writes). A managed policy
written elsewhere cannot be read: the role then says so, as a live scan does when a policy is unreadable."""

from __future__ import annotations

import json
from typing import Any

from ..arns import unresolved_reason
from .shapes import Written


def _document(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or unresolved_reason(value):
        return None
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _named(value: Any, names: set[str]) -> bool:
    return isinstance(value, str) and value in names


def roles(items: list[Written]) -> dict[str, Any]:
    by_type: dict[str, list[Written]] = {}
    for item in items:
        by_type.setdefault(item.type, []).append(item)
    written_policies = {arn: item.get("policy") for item in by_type.get("aws_iam_policy", [])
                        if isinstance(arn := item.attribute("arn"), str)}
    found: dict[str, Any] = {}
    for role in by_type.get("aws_iam_role", []):
        arn = role.attribute("arn")
        if not isinstance(arn, str) or unresolved_reason(arn):
            continue
        names = {name for name in (role.get("name"), role.attribute("id"), arn) if isinstance(name, str)}
        documents: list[Any] = [block.get("policy") for block in role.blocks("inline_policy") if block.get("policy")]
        documents += [policy.get("policy") for policy in by_type.get("aws_iam_role_policy", [])
                      if _named(policy.get("role"), names)]
        attached = [item.get("policy_arn") for item in by_type.get("aws_iam_role_policy_attachment", [])
                    if _named(item.get("role"), names)]
        managed = role.get("managed_policy_arns")
        attached += managed if isinstance(managed, list) else []
        documents += [written_policies.get(policy_arn, policy_arn) if isinstance(policy_arn, str) else None
                      for policy_arn in attached]
        policies = [_document(document) for document in documents]
        trust = _document(role.get("assume_role_policy"))
        complete = all(policy is not None for policy in policies)
        found[arn] = {"arn": arn, "status": "found", "trust": trust,
                      "policies": [policy for policy in policies if policy is not None],
                      "message": None if complete else "some of the role's permission policies are not written in "
                                                      "the configuration (give --resolve to read them)"}
    return found
