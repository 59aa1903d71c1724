"""Does a role let API Gateway assume it, and do its permission policies allow an action on a resource?"""

from __future__ import annotations

from typing import Any

from .lambda_permissions import InvokeDecision
from .wildcards import as_list, wildcard_match


def trusts(document: dict[str, Any] | None, service: str) -> InvokeDecision:
    """The role's trust policy lets `service` assume it (sts:AssumeRole)."""
    for statement in _statements(document):
        principal = statement.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        actions = as_list(statement.get("Action"))
        if (statement.get("Effect") == "Allow" and (service in services or principal == "*")
                and any(wildcard_match(str(a), "sts:AssumeRole", case_sensitive=False) for a in actions)):
            if statement.get("Condition"):
                return InvokeDecision("unknown",
                                      f"the trust policy lets {service} assume the role only under a condition")
            return InvokeDecision("allowed", f"the trust policy lets {service} assume the role")
    return InvokeDecision("denied", f"the role's trust policy does not let {service} assume it")


def allows(documents: list[dict[str, Any]], action: str, resource: str) -> InvokeDecision:
    """What the permission policies decide for `action` on `resource` (boundaries and SCPs not read)."""
    allowed_by, conditional = None, None
    for document in documents:
        for statement in _statements(document):
            if not _covers(statement, action, resource):
                continue
            label = str(statement.get("Sid") or "a statement")
            if statement.get("Effect") == "Deny" and not statement.get("Condition"):
                return InvokeDecision("denied", f"{label} denies {action} on {resource}")
            if statement.get("Effect") == "Allow" and statement.get("Condition"):
                conditional = label
            elif statement.get("Effect") == "Allow":
                allowed_by = label
    if allowed_by:
        return InvokeDecision("allowed", f"{allowed_by} allows {action}")
    if conditional:
        return InvokeDecision("unknown", f"{conditional} allows {action} only under a condition")
    return InvokeDecision("denied", f"no permission policy of the role allows {action} on {resource}")


def _covers(statement: dict[str, Any], action: str, resource: str) -> bool:
    named = as_list(statement.get("Action", statement.get("NotAction")))
    acted = any(wildcard_match(str(a), action, case_sensitive=False) for a in named)
    if "Action" not in statement:
        acted = not acted
    if "Resource" in statement:
        return acted and any(wildcard_match(str(r), resource) for r in as_list(statement["Resource"]))
    return acted and not any(wildcard_match(str(r), resource) for r in as_list(statement.get("NotResource")))


def _statements(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    statements = (document or {}).get("Statement")
    return [s for s in as_list(statements) if isinstance(s, dict)]
