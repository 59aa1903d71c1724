"""What an API's resource policy decides for a caller that IAM does not know (Cognito or Lambda authorizer).

Decisions, per method and stage: allow, deny (an unconditional Deny matches), implicit-deny (a policy
exists but nothing allows), conditional (a matching statement has a Condition: the outcome depends on
the caller's IP, VPC endpoint, …, which the scanner does not guess), no-policy. Deny wins over Allow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..arns import readable, unresolved_reason
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
    unresolved: str | None = None  # a template's statement naming what only deployment decides: why


@dataclass
class PolicyOutcome:
    decision: str
    conditions: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    reason: str | None = None  # decision unknown: why


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
    # A value only deployment decides makes the statement uncertain where it changes what the statement covers;
    # inside its Condition it leaves the statement what it is: conditional.
    unresolved = unresolved_reason(json.dumps({key: value for key, value in item.items() if key != "Condition"},
                                              default=str))
    if item.get("Effect") not in ("Allow", "Deny") and not unresolved_reason(item.get("Effect")):
        raise PolicyError(f"{label}: Effect must be Allow or Deny, not {item.get('Effect')!r}")
    for one, other in (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource")):
        if (one in item) == (other in item):
            raise PolicyError(f"{label}: needs exactly one of {one} and {other}")
    condition = item.get("Condition")
    if condition is not None and (not isinstance(condition, dict) or
                                  not all(isinstance(tests, dict) for tests in condition.values())):
        raise PolicyError(f"{label}: Condition must map operators to objects")
    return Statement(
        sid=label, effect=str(item["Effect"]), principal=item.get("Principal"), not_principal=item.get("NotPrincipal"),
        actions=_strings(item, "Action", label), not_actions=_strings(item, "NotAction", label),
        resources=_strings(item, "Resource", label), not_resources=_strings(item, "NotResource", label),
        condition=condition or None, unresolved=unresolved)


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
    """The policy's decision for one request ARN; `scope` is (partition, region, account, api_id). A statement that
    names what only deployment decides (a template's unresolved value) makes the decision unknown when it could
    change it; the others decide alone: an unconditional Deny for everyone is a 403 whatever that value is."""
    known = [statement for statement in statements if statement.unresolved is None]
    outcome = _decision([statement for statement in known if matches(statement, arn, scope)])
    if outcome.decision == "deny":
        return outcome
    could_change = [statement for statement in statements if statement.unresolved is not None
                    and _may_match(statement, arn, scope)
                    and (statement.effect != "Allow" or outcome.decision in ("implicit-deny", "conditional"))]
    if could_change:
        return PolicyOutcome("unknown", statements=[statement.sid for statement in could_change],
                             reason=str(could_change[0].unresolved))
    return outcome


def _decision(applying: list[Statement]) -> PolicyOutcome:
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


def _may_match(statement: Statement, arn: str, scope: tuple[str, str, str, str]) -> bool:
    """Could the statement apply, whatever its unresolved parts turn out to be? Each part that is known decides."""
    parts = ((statement.principal, statement.not_principal, _anonymous), (statement.actions, statement.not_actions,
             _covers_invoke), (statement.resources, statement.not_resources, lambda s: _covers_arn(s, arn, scope)))
    return all(unresolved_reason(json.dumps([one, other], default=str)) is not None or check(statement)
               for one, other, check in parts)


def describe_condition(statement: Statement) -> str:
    tests = []
    for operator, keys in (statement.condition or {}).items():
        for key, values in keys.items():
            shown = ", ".join(map(str, values)) if isinstance(values, list) else str(values)
            tests.append(f"{key} {operator} {readable(shown)}")
    return f"{statement.effect} ({statement.sid}) when {' and '.join(tests)}"


def allows_any_invoke(statements: list[Statement]) -> bool | None:
    """Does any Allow statement grant execute-api:Invoke to anyone at all (for PRIVATE APIs)? None when only
    statements naming what only deployment decides might."""
    if any(s.effect == "Allow" and s.unresolved is None and _covers_invoke(s) for s in statements):
        return True
    if any(s.unresolved is not None and s.effect != "Deny" for s in statements):
        return None
    return False
