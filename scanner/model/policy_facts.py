"""Resource-policy facts: the API's parsed policy, and its decision for each method on each stage."""

from __future__ import annotations

from typing import Any

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
        if self.text:
            try:
                self.statements = parse_policy(self.text)
            except PolicyError as error:
                self.error = str(error)

    def api_facts(self) -> dict[str, Any]:
        return {
            "has_policy": bool(self.text),
            "policy_error": self.error,
            "policy_allows_invoke": allows_any_invoke(self.statements) if self.statements is not None else None,
        }

    def method_facts(self, verb: str, path: str, stages: list[str]) -> dict[str, Any]:
        """{policy_decision, policy_by_stage: [{stage, decision, conditions, statements, reason}]}."""
        by_stage = [self._decide(stage, verb, path) for stage in stages]
        if not self.text:
            overall: str | None = "no-policy"
        elif by_stage:
            overall = min((entry["decision"] for entry in by_stage), key=DECISION_ORDER.index)
        else:
            overall = "unknown" if self.error else None  # not deployed: no request reaches it
        return {"policy_decision": overall, "policy_by_stage": by_stage}

    def _decide(self, stage: str, verb: str, path: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"stage": stage, "decision": "no-policy", "conditions": [], "statements": [],
                                 "reason": None}
        if not self.text:
            return entry
        if self.statements is None:
            entry.update(decision="unknown", reason=f"the resource policy cannot be evaluated: {self.error}")
            return entry
        verbs = HTTP_VERBS if verb == "ANY" else (verb,)
        decisions = {v: decide(self.statements, method_arn(*self.scope[:3], self.scope[3], stage, v, path), self.scope)
                     for v in verbs}
        kinds = {decision.decision for decision in decisions.values()}
        if len(kinds) == 1:
            only = next(iter(decisions.values()))
            entry.update(decision=only.decision, conditions=only.conditions, statements=only.statements)
        else:  # an ANY method whose verbs are treated differently
            entry.update(decision="conditional", conditions=[
                "the HTTP verb: " + ", ".join(f"{v} {d.decision}" for v, d in decisions.items())],
                statements=sorted({sid for d in decisions.values() for sid in d.statements}))
        return entry
