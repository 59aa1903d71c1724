"""Who can call what: for each method, stage and caller, what API Gateway answers, and which rules decide it.

A view of the rules' findings, never a second judge: each cell is the outcome (access/outcomes.py) of the findings
that hold on the stage and turn the caller away, in API Gateway's order. The callers are the method's facts (its
pools' app clients and the tokens each can get); a stage that serves the method differently from the live API is
read through the record of what it serves. Linear in methods: each method's findings are looked up once, and each
caller is matched against the refusals they declare.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import MISCONFIGURATION, Finding, FindingIndex
from ..method_rows import method_key
from ..schema.facts import SERVED_METHODS
from .callers import Caller
from .outcomes import PASS, UNKNOWN, Outcome, caller_outcome

MATRIX_SCHEMA = "apigw-scan-matrix/1"


@dataclass
class Cell:
    method: dict[str, Any]
    stage: str | None
    caller: Caller
    outcome: str  # pass | 401 | 403 | 404 | 429 | 500 | unknown
    rules: list[str]
    why: str

    def as_json(self) -> dict[str, Any]:
        method = self.method
        return {**{key: method.get(key) for key in ("account", "region", "api_id", "api_name", "api_type", "path",
                                                     "method")},
                "stage": self.stage, "caller": self.caller.as_json(), "label": self.caller.label,
                "outcome": self.outcome, "rules": self.rules, "why": self.why}


def build_matrix(facts: dict[str, list[dict[str, Any]]], index: FindingIndex[Finding],
                 clients_wanted: list[str] | None = None) -> list[Cell]:
    """Every method × stage × caller: the stages that serve the method, else (deployed nowhere) each stage of its
    API, else one row with stage null. `clients_wanted` (--client) keeps the token callers of those app clients."""
    served = served_records(facts)
    return [cell for method in facts.get("method", [])
            for cell, _ in method_cells(method, served, index, clients_wanted)]


def served_records(facts: dict[str, list[dict[str, Any]]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The records of what a stage serves where it differs from the live API, by method and stage."""
    return {(m["account"], m["region"], m["api_id"], m["path"], m["method"], m["serving_stage"]): m
            for m in facts.get(SERVED_METHODS, [])}


def method_cells(method: dict[str, Any], served: dict[tuple[Any, ...], dict[str, Any]],
                 index: FindingIndex[Finding],
                 clients_wanted: list[str] | None = None) -> list[tuple[Cell, Outcome]]:
    """One method's cells (stage × caller), each with the outcome that decides it; then, for each CloudFront
    behaviour that reaches the method on the stage, the callers API Gateway does not turn away (they pass, or it
    cannot be told) sending their requests through it. A caller refused directly is refused through CloudFront as
    well: the same findings hold there."""
    cells = []
    for stage in matrix_stages(method):
        record = served.get((method["account"], method["region"], method["api_id"], method["path"],
                             method["method"], stage), method)
        holding = [finding for finding in index.of_method(record) if finding.applies_at(stage)]
        routes = sorted((route for route in method.get("cloudfront_routes") or [] if route.get("stage") == stage),
                        key=lambda route: (str(route["distribution_id"]), str(route["behaviour"])))
        reaching = []
        for caller in map(Caller.of, record.get("callers") or []):
            if clients_wanted and caller.kind not in ("none", "lambda", "iam") and \
                    caller.client_id not in clients_wanted and caller.client_name not in clients_wanted:
                continue
            outcome = caller_outcome(record, holding, caller, caller.unknown)
            cells.append((Cell(method, stage, caller, outcome.outcome, outcome.rules, outcome.why), outcome))
            if outcome.outcome in (PASS, UNKNOWN):
                reaching.append(caller)
        for route in routes:
            for caller in [direct.via(route) for direct in reaching]:
                outcome = caller_outcome(record, holding, caller, caller.unknown)
                cells.append((Cell(method, stage, caller, outcome.outcome, outcome.rules, outcome.why), outcome))
    return cells


def against_traffic(facts: dict[str, list[dict[str, Any]]], findings: list[Finding]) -> list[Finding]:
    """No caller passes a method, yet its own figures show successful requests in the last 24 hours: what turns
    its callers away is contradicted. The method's own findings that decide its refusals become undecided, with the
    numbers (which caller succeeded cannot be told); its API's and pools' findings are weighed by evidence."""
    succeeding = []
    for method in facts.get("method", []):
        traffic = method.get("traffic") or {}
        succeeded = (traffic.get("last_day") or {}).get("succeeded") if traffic.get("scope") == "method" else None
        if succeeded:
            succeeding.append((method, succeeded))
    if not succeeding:
        return findings
    index, served = FindingIndex(findings), served_records(facts)
    doubted: dict[int, str] = {}
    for method, succeeded in succeeding:
        cells = method_cells(method, served, index)
        if not cells or any(cell.outcome in (PASS, UNKNOWN) for cell, _ in cells):
            continue
        for _, outcome in cells:
            for stop in outcome.stops:
                if stop.finding is not None and stop.finding.scope == "method":
                    doubted[id(stop.finding)] = (f"{succeeded} request(s) to {method['method']} {method['path']} "
                                                 "succeeded in the last 24 hours")
    return [finding.replace(outcome=UNKNOWN, evidence="contradicted", message=(
        f"Contradicted by traffic: {doubted[id(finding)]}, yet no caller should get through (it said: "
        f"{finding.message})"))
            if id(finding) in doubted else finding for finding in findings]


def matrix_stages(method: dict[str, Any]) -> list[str | None]:
    """The stages a method's row shows: those that serve it; deployed nowhere, every stage of its API (each
    answers that it is not deployed); no stage at all, or unread: one row for the live configuration (None)."""
    if method.get("stages"):
        return list(method["stages"])
    if method.get("stages") is not None and method.get("api_stages"):
        return list(method["api_stages"])
    return [None]


def callers_passing(cells: list[Cell]) -> dict[tuple[Any, ...], int | None]:
    """Per method: how many callers pass on some stage it is served on; None when none passes but some cell is
    undecided (it cannot be said that no caller passes)."""
    passing: dict[tuple[Any, ...], set[str]] = {}
    undecided: set[tuple[Any, ...]] = set()
    for cell in cells:
        key = method_key(cell.method)
        passing.setdefault(key, set())
        if cell.caller.through is not None:
            continue  # a caller sending its request through CloudFront is counted once, as it calls the API
        if cell.outcome == PASS:
            passing[key].add(cell.caller.label)
        elif cell.outcome == UNKNOWN:
            undecided.add(key)
    return {key: len(labels) if labels or key not in undecided else None for key, labels in passing.items()}


def blocked(cells: list[Cell], index: FindingIndex[Finding]) -> list[dict[str, Any]]:
    """Methods no caller passes on any stage, every cell decided: which callers were tried, why each failed, and
    the rules that turn the method's callers away (those that leave it no token caller to try, too)."""
    by_method: dict[tuple[Any, ...], list[Cell]] = {}
    for cell in cells:
        by_method.setdefault(method_key(cell.method), []).append(cell)
    found = []
    for group in by_method.values():
        if any(cell.outcome in (PASS, UNKNOWN) for cell in group):
            continue
        method = group[0].method
        found.append({**{key: method.get(key) for key in ("account", "region", "api_id", "api_name", "api_type",
                                                           "path", "method")},
                      "callers": sorted({cell.caller.label for cell in group}),
                      "rules": sorted({rule for cell in group for rule in cell.rules} | {
                          finding.rule for finding in index.of_method(method) if finding.outcome == "fail"
                          and finding.kind == MISCONFIGURATION and finding.refusals
                          and any(finding.applies_at(cell.stage) for cell in group)}),
                      "message": f"No caller gets through {method['method']} {method['path']}: " + "; ".join(
                          sorted({f"{cell.caller.label} {cell.outcome}" + (f" on {cell.stage}" if cell.stage else "")
                                  for cell in group}))})
    return found
