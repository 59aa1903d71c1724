"""Resource-policy facts: the API's parsed policy, and its decision for each method on each stage."""

from __future__ import annotations

from typing import Any, cast

from ..arns import unresolved_reason
from ..schema.facts import PolicyDecision, PolicyStage
from .resource_policy import HTTP_VERBS, PolicyError, Statement, allows_any_invoke, decide, method_arn, parse_policy

# Worst first: a method's overall decision is the worst of its stages'.
DECISION_ORDER = ("unknown", "deny", "implicit-deny", "conditional", "allow", "no-policy")


class ApiPolicy:
    """An API's resource policy, parsed once; `error` says why it cannot be evaluated."""

    def __init__(self, api: dict[str, Any], partition: str, account: str) -> None:
        self.text = api.get("policy")
        self.scope = (partition, str(api.get("region")), account, str(api.get("id")))
        self.statements: list[Statement] | None = None
        self.error: str | None = None
        self.unknown: str | None = None  # a template's policy that only deployment makes readable: why
        if self.text:
            try:
                self.statements = parse_policy(self.text)
            except PolicyError as error:
                if unresolved_reason(self.text):
                    self.unknown = f"the resource policy is decided at deployment ({unresolved_reason(self.text)})"
                else:
                    self.error = str(error)

    @property
    def allows_invoke(self) -> bool | None:
        """Some Allow statement grants execute-api:Invoke to anyone at all; None when it cannot be evaluated."""
        return allows_any_invoke(self.statements) if self.statements is not None else None

    def method_decisions(self, verb: str, path: str, stages: list[str]) -> tuple[PolicyDecision | None,
                                                                               list[PolicyStage]]:
        """(the worst decision over the stages, the decision on each stage)."""
        by_stage = [self._decide(stage, verb, path) for stage in stages]
        overall: PolicyDecision | None
        if not self.text:
            overall = "no-policy"
        elif by_stage:
            overall = min((entry.decision for entry in by_stage), key=DECISION_ORDER.index)
        else:
            overall = "unknown" if self.error or self.unknown else None  # not deployed: no request reaches it
        return overall, by_stage

    def _decide(self, stage: str, verb: str, path: str) -> PolicyStage:
        entry = PolicyStage(stage=stage, decision="no-policy", conditions=[], statements=[], reason=None,
                            refusal=None, method_arn=method_arn(*self.scope, stage, "*" if verb == "ANY" else verb,
                                                                path))
        if not self.text:
            return entry
        if self.statements is None:
            entry.decision, entry.reason = "unknown", self.unknown or \
                f"the resource policy cannot be evaluated: {self.error}"
            return entry
        verbs = HTTP_VERBS if verb == "ANY" else (verb,)
        outcomes = {v: decide(self.statements, method_arn(*self.scope[:3], self.scope[3], stage, v, path), self.scope)
                    for v in verbs}
        kinds = {outcome.decision for outcome in outcomes.values()}
        unknown = next((outcome for outcome in outcomes.values() if outcome.decision == "unknown"), None)
        if unknown is not None:  # a statement that only deployment completes could change the answer
            entry.decision, entry.statements = "unknown", unknown.statements
            entry.reason = (f"{', '.join(unknown.statements)} of the resource policy names what only deployment "
                            f"decides ({unknown.reason})")
        elif len(kinds) == 1:
            only = next(iter(outcomes.values()))
            entry.decision = cast(PolicyDecision, only.decision)
            entry.conditions, entry.statements = only.conditions, only.statements
        else:  # an ANY method whose verbs are treated differently
            entry.decision = "conditional"
            entry.conditions = ["the HTTP verb: " + ", ".join(f"{v} {o.decision}" for v, o in outcomes.items())]
            entry.statements = sorted({sid for o in outcomes.values() for sid in o.statements})
        entry.refusal = _refusal(entry)
        return entry


def _refusal(entry: PolicyStage) -> str | None:
    """How the policy refuses every caller, in words."""
    named = f" (statement {', '.join(entry.statements)})" if entry.statements else ""
    if entry.decision == "deny":
        return f"the resource policy denies it{named}"
    if entry.decision == "implicit-deny":
        return "no statement of the resource policy allows it"
    return None
