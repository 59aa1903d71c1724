"""Does a Lambda function's resource policy let an AWS service invoke it for a given source ARN?

One evaluator for every caller: Cognito triggers (COG006) and API Gateway authorizers (LAM002).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .wildcards import as_list, wildcard_match

INVOKE_ACTION = "lambda:InvokeFunction"
_ARN_OPERATORS = {"arnlike", "arnequals", "stringlike", "stringequals"}
_LIKE_OPERATORS = {"arnlike", "stringlike"}


@dataclass(frozen=True)
class InvokeDecision:
    """`allowed`, `denied` or `unknown`, with the reason in words."""

    outcome: str
    reason: str


def invoke_decision(policy: dict[str, Any] | None, service: str, source_arn: str,
                    source_account: str) -> InvokeDecision:
    """What the policy decides for `service` (e.g. cognito-idp.amazonaws.com) invoking on behalf of `source_arn`."""
    if not policy:
        return InvokeDecision("denied", "the function has no resource policy")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return InvokeDecision("unknown", "the function's resource policy has no readable Statement")
    allowed_by, unknown_reasons = None, []
    for statement in statements:
        if not isinstance(statement, dict) or not _applies(statement, service):
            continue
        matched, unknown = _conditions_match(statement.get("Condition") or {}, source_arn, source_account)
        label = str(statement.get("Sid") or "unnamed statement")
        if unknown:
            unknown_reasons.append(f"{label}: {unknown}")
        elif matched and statement.get("Effect") == "Deny":
            return InvokeDecision("denied", f"statement {label} denies it")
        elif matched and statement.get("Effect") == "Allow":
            allowed_by = label
    if allowed_by:
        return InvokeDecision("allowed", f"statement {allowed_by} allows it")
    if unknown_reasons:
        return InvokeDecision("unknown", "; ".join(unknown_reasons))
    return InvokeDecision("denied", f"no statement lets {service} invoke it for {source_arn}")


def function_decision(function: dict[str, Any], function_arn: str, service: str, source_arn: str,
                      source_account: str) -> InvokeDecision:
    """What a collected function's resource policy decides for `service`; unknown when it could not be read."""
    if function.get("status") == "outside":
        return InvokeDecision("unknown", f"{function_arn} {function.get('message')}")
    if function.get("policy_status") == "unreadable":
        return InvokeDecision("unknown", f"lambda:GetPolicy on {function_arn} failed: {function.get('message')}")
    return invoke_decision(function.get("policy"), service, source_arn, source_account)


def function_unknown(function_arn: str, function: dict[str, Any]) -> str | None:
    """Why a named function's existence cannot be decided (another account, or unreadable), else None."""
    status = function.get("status")
    if status == "foreign":
        return f"{function.get('message')}: whether it exists and who may invoke it cannot be read"
    if status == "outside":
        return f"{function_arn} {function.get('message')}"
    if status in ("unreadable", None):
        return f"lambda:GetFunctionConfiguration on {function_arn} failed: {function.get('message') or 'not read'}"
    return None


def _applies(statement: dict[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    if principal != "*":
        if not isinstance(principal, dict):
            return False
        names = [str(n) for n in (*as_list(principal.get("Service")), *as_list(principal.get("AWS")))]
        if service not in names and "*" not in names:
            return False
    actions = as_list(statement.get("Action"))
    return any(wildcard_match(str(action), INVOKE_ACTION, case_sensitive=False) for action in actions)


def _conditions_match(condition: Any, source_arn: str, source_account: str) -> tuple[bool, str]:
    """(matches, why it cannot be decided or '')."""
    if not isinstance(condition, dict):
        return False, "Condition is not an object"
    for operator, tests in condition.items():
        name = str(operator).lower()
        if not isinstance(tests, dict):
            return False, f"{operator} is not an object"
        for key, expected in tests.items():
            key_name = str(key).lower()
            values = [str(value) for value in as_list(expected)]
            if key_name == "aws:sourcearn" and name in _ARN_OPERATORS:
                like = name in _LIKE_OPERATORS
                if not any(wildcard_match(value, source_arn) if like else value == source_arn for value in values):
                    return False, ""
            elif key_name == "aws:sourceaccount" and name in ("stringequals", "stringlike"):
                if not any(wildcard_match(value, source_account) for value in values):
                    return False, ""
            else:
                return False, f"condition {operator} {key} is not evaluated by the scanner"
    return True, ""
