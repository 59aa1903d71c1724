"""What API Gateway answers one caller of a method on a stage, read from the rules' findings: the first step of API
Gateway's order (rules/steps.py) at which a finding that holds there turns the caller away decides — its status,
or unknown when that finding is undecided or turns away only some callers — and the caller's own doubt (a Lambda
function or an IAM identity decides; its pool could not be read) stops at the authorizer. No finding: it passes.

The matrix asks this for each of a method's callers; `token` for the caller its token is, with the token's own
claims deciding the steps a token speaks for (issuer, type, client, scopes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..findings import MISCONFIGURATION, Caller, Finding
from ..rules.steps import CALLER_DOUBT_STEP, step_order

PASS, UNKNOWN = "pass", "unknown"


@dataclass(frozen=True)
class Stop:
    """A refusal at a step: by a finding, or by the token's own check (`rule`, `message`) of the token in hand."""

    rule: str
    status: str
    message: str
    decided: bool
    misconfiguration: bool = True
    finding: Finding | None = None


@dataclass(frozen=True)
class Outcome:
    """What the caller gets: pass, a status (401, 403, 404, 429, 500) or unknown; the step that decides it, the
    rules of the findings there (and the refusals themselves), and why in words."""

    outcome: str
    step: str | None = None
    rules: list[str] = field(default_factory=list)
    why: str = "API Gateway lets it through"
    stops: tuple[Stop, ...] = ()


def refusals_of(findings: Iterable[Finding], caller: Caller) -> dict[str, list[Stop]]:
    """The findings' refusals of this caller, by step."""
    by_step: dict[str, list[Stop]] = {}
    for finding in findings:
        for refusal in finding.refusals:
            if refusal.refuses(caller):
                by_step.setdefault(refusal.step, []).append(Stop(
                    finding.rule, refusal.status, finding.message,
                    decided=finding.outcome == "fail" and not refusal.partial,
                    misconfiguration=finding.kind == MISCONFIGURATION, finding=finding))
    return by_step


def decide(authorization: str | None, stops: dict[str, list[Stop]], doubt: str | None = None) -> Outcome:
    """The outcome of the first step, in the method's order, that stops the caller (or where its doubt lies)."""
    for step in step_order(authorization):
        here = sorted(stops.get(step, []), key=lambda stop: (not stop.misconfiguration, stop.rule))
        decided = [stop for stop in here if stop.decided]
        if decided:
            return Outcome(decided[0].status, step, sorted({stop.rule for stop in decided}), decided[0].message,
                           tuple(decided))
        if here:
            return Outcome(UNKNOWN, step, sorted({stop.rule for stop in here}), here[0].message, tuple(here))
        if step == CALLER_DOUBT_STEP and doubt:
            return Outcome(UNKNOWN, step, [], doubt)
    return Outcome(PASS)


def caller_outcome(record: dict[str, Any], findings: Iterable[Finding], caller: Caller,
                   doubt: str | None) -> Outcome:
    """What one caller of a method record gets, from the findings that hold where it calls."""
    return decide(record.get("authorization"), refusals_of(findings, caller), doubt)
