"""What an API's resource policy decides for a caller that IAM does not know (Cognito or Lambda authorizer).

Decisions, per method and stage: allow, deny (an unconditional Deny matches), implicit-deny (a policy
exists but nothing allows), conditional (a matching statement has a Condition: the outcome depends on
the caller's IP, VPC endpoint, …, which the scanner does not guess), no-policy. Deny wins over Allow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .wildcards import wildcard_match

INVOKE = "execute-api:Invoke"
HTTP_VERBS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_POLICY_KEYS = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                   "Condition"}


class PolicyError(ValueError):
    """The policy cannot be read, or uses an element the evaluator does not know."""


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    principal: Any
    not_principal: Any
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    condition: dict[str, Any] | None


@dataclass
class PolicyOutcome:
    decision: str
    conditions: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)


def parse_policy(text: Any) -> list[Statement]:
    """Statements of a policy as API Gateway stores it (a JSON string, often with escaped quotes)."""
    document = _load(text)
    if not isinstance(document, dict):
        raise PolicyError("the policy is not a JSON object")
    unknown = sorted(set(document) - _POLICY_KEYS)
    if unknown:
        raise PolicyError(f"unknown policy element {unknown[0]!r}")
    raw = document.get("Statement")
    statements = [raw] if isinstance(raw, dict) else raw
    if not isinstance(statements, list) or not statements:
        raise PolicyError("the policy has no Statement list")
    return [_statement(item, index) for index, item in enumerate(statements)]


def _load(text: Any) -> Any:
    if isinstance(text, dict):
        return text
    if not isinstance(text, str):
        raise PolicyError("the policy is not a string")
    for candidate in (text, _unescaped(text)):
        try:
            return json.loads(candidate)
        except RecursionError:
            raise PolicyError("the policy is nested too deeply to be read") from None
        except (ValueError, TypeError):
            continue
    raise PolicyError("the policy is not valid JSON")


def _unescaped(text: str) -> str:
    try:
        return str(json.loads(f'"{text}"'))
    except ValueError:
        return text.replace('\\"', '"')


def _statement(item: Any, index: int) -> Statement:
    if not isinstance(item, dict):
        raise PolicyError(f"statement {index + 1} is not an object")
    label = str(item.get("Sid") or f"statement {index + 1}")
    unknown = sorted(set(item) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"{label}: unknown element {unknown[0]!r}")
    if item.get("Effect") not in ("Allow", "Deny"):
        raise PolicyError(f"{label}: Effect must be Allow or Deny, not {item.get('Effect')!r}")
    for one, other in (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource")):
        if (one in item) == (other in item):
            raise PolicyError(f"{label}: needs exactly one of {one} and {other}")
    condition = item.get("Condition")
    if condition is not None and (not isinstance(condition, dict) or
                                  not all(isinstance(tests, dict) for tests in condition.values())):
        raise PolicyError(f"{label}: Condition must map operators to objects")
    return Statement(
        sid=label, effect=item["Effect"], principal=item.get("Principal"), not_principal=item.get("NotPrincipal"),
        actions=_strings(item, "Action", label), not_actions=_strings(item, "NotAction", label),
        resources=_strings(item, "Resource", label), not_resources=_strings(item, "NotResource", label),
        condition=condition or None)


def _strings(item: dict[str, Any], key: str, label: str) -> tuple[str, ...] | None:
    if key not in item:
        return None
    value = item[key]
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(entry, str) for entry in values):
        raise PolicyError(f"{label}: {key} must be a string or a list of strings")
    return tuple(values)


def method_arn(partition: str, region: str, account: str, api_id: str, stage: str, verb: str, path: str) -> str:
    """The ARN a request to this method is authorized against; `/pets/{id}` stays literal."""
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/{verb}/{path.lstrip('/')}"


def expand_resource(pattern: str, partition: str, region: str, account: str, api_id: str) -> str:
    """The short form `execute-api:/STAGE/VERB/path` (as the console writes it) as a full ARN pattern."""
    if pattern.startswith("execute-api:/"):
        return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{pattern[len('execute-api:/'):]}"
    return pattern


def _anonymous(statement: Statement) -> bool:
    """Does the statement's principal cover a caller IAM does not know (every Cognito/Lambda-authorized caller)?"""
    if statement.principal is not None:
        return _names_everyone(statement.principal)
    return not _names_everyone(statement.not_principal)


def _names_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        names = principal.get("AWS")
        return names == "*" or (isinstance(names, list) and "*" in names)
    return False


def _covers_invoke(statement: Statement) -> bool:
    if statement.actions is not None:
        return any(wildcard_match(action, INVOKE, case_sensitive=False) for action in statement.actions)
    return not any(wildcard_match(action, INVOKE, case_sensitive=False) for action in statement.not_actions or ())


def _covers_arn(statement: Statement, arn: str, scope: tuple[str, str, str, str]) -> bool:
    if statement.resources is not None:
        return any(wildcard_match(expand_resource(pattern, *scope), arn) for pattern in statement.resources)
    return not any(wildcard_match(expand_resource(pattern, *scope), arn) for pattern in statement.not_resources or ())


def matches(statement: Statement, arn: str, scope: tuple[str, str, str, str]) -> bool:
    """Does the statement apply to an anonymous execute-api:Invoke on `arn` (its Condition aside)?"""
    return _anonymous(statement) and _covers_invoke(statement) and _covers_arn(statement, arn, scope)


def decide(statements: list[Statement], arn: str, scope: tuple[str, str, str, str]) -> PolicyOutcome:
    """The policy's decision for one request ARN; `scope` is (partition, region, account, api_id)."""
    applying = [statement for statement in statements if matches(statement, arn, scope)]
    hard_deny = [s for s in applying if s.effect == "Deny" and not s.condition]
    if hard_deny:
        return PolicyOutcome("deny", statements=[s.sid for s in hard_deny])
    soft_deny = [s for s in applying if s.effect == "Deny"]
    hard_allow = [s for s in applying if s.effect == "Allow" and not s.condition]
    soft_allow = [s for s in applying if s.effect == "Allow" and s.condition]
    if soft_deny and (hard_allow or soft_allow):
        return PolicyOutcome("conditional", [describe_condition(s) for s in soft_deny + soft_allow],
                        [s.sid for s in soft_deny + soft_allow])
    if hard_allow:
        return PolicyOutcome("allow", statements=[s.sid for s in hard_allow])
    if soft_allow:
        return PolicyOutcome("conditional", [describe_condition(s) for s in soft_allow], [s.sid for s in soft_allow])
    return PolicyOutcome("implicit-deny")


def describe_condition(statement: Statement) -> str:
    tests = []
    for operator, keys in (statement.condition or {}).items():
        for key, values in keys.items():
            shown = ", ".join(values) if isinstance(values, list) else str(values)
            tests.append(f"{key} {operator} {shown}")
    return f"{statement.effect} ({statement.sid}) when {' and '.join(tests)}"


def allows_any_invoke(statements: list[Statement]) -> bool:
    """Does any Allow statement grant execute-api:Invoke to anyone at all (for PRIVATE APIs)?"""
    return any(s.effect == "Allow" and _covers_invoke(s) for s in statements)
