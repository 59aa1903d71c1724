"""Who can call what: for each method, stage and caller, what API Gateway answers, and which rules decide it.

A view over the scan's facts and findings, never a second judge: a token caller's claims go through the same
checks as `token` (tokens/checks.py, check_claims), in the order API Gateway applies them — throttling (429),
the stage serving the method, the authorizer (401, or 500 when a Lambda authorizer cannot run; a Lambda
authorizer's resource policy comes first, 403), the token's type, client and scopes (401 on REST Cognito methods,
403 with JWT authorizers), the resource policy (403), the API key (403). AWS docs: "Control access to REST APIs
with Amazon Cognito user pools", "Control access to HTTP APIs with JWT authorizers", "How API Gateway resource
policies affect authorization workflow".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..report import concerns, method_row
from ..tokens.checks import check_claims
from ..tokens.target import clients_by_pool, make_target
from .callers import Caller, callers_of

MATRIX_SCHEMA = "apigw-scan-matrix/1"
# The rules whose decided findings say why a step refuses a caller.
STEP_RULES = {
    "throttle": ("HTTP008",), "deploy": ("APIGW003", "APIGW004", "HTTP005", "HTTP006"), "endpoint": ("APIGW019",),
    "issuer": ("APIGW001", "APIGW002", "HTTP001", "COG008"), "client": ("HTTP002", "APIGW009"),
    "type": ("APIGW007",), "scopes": ("APIGW005", "APIGW006", "HTTP003"), "token": ("COG005", "COG006"),
    "lambda": ("LAM001", "LAM002"), "policy": ("APIGW013", "APIGW014", "APIGW015", "APIGW016"), "key": ("APIGW018",),
}
CHECK_STEPS = {"TOK004": "issuer", "TOK007": "client", "TOK005": "type", "TOK006": "scopes", "APIGW003": "deploy",
               "APIGW013": "policy", "APIGW014": "policy", "APIGW016": "policy"}


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


def build_matrix(snapshot: dict[str, Any], facts: dict[str, list[dict[str, Any]]], findings: list[dict[str, Any]],
                 clients_wanted: list[str] | None = None) -> list[Cell]:
    """Every method × serving stage × caller (a method no stage serves: one row, stage null)."""
    authorizers = {(a["region"], a["api_id"], a["authorizer_id"]): a for a in facts.get("authorizer", [])}
    clients: dict[str, list[dict[str, Any]]] = {}
    for client in facts.get("client", []):
        clients.setdefault(str(client["pool_id"]), []).append(client)
    pool_clients = clients_by_pool(snapshot)
    decided = _Decided(findings)
    unreachable = {(e["region"], e["api_id"]) for e in facts.get("endpoint", []) if e.get("problem") and e["api_id"]}
    cells = []
    for method in facts.get("method", []):
        authorizer = authorizers.get((method["region"], method["api_id"], method["authorizer_id"]), {})
        callers = callers_of(method, authorizer, clients, clients_wanted)
        row = method_row(method)
        stages: list[str | None] = list(method["stages"]) if method["stages"] else [None]
        own: list[Cell] = []
        for stage in stages:
            target = make_target(method, authorizer, pool_clients, row, stage)
            if stage is None and method["stages"] is not None:
                target.not_deployed = target.not_deployed or f"no stage serves {method['method']} {method['path']}"
            for caller in callers:
                own.append(_cell(method, stage, caller, target, authorizer, decided,
                                 (method["region"], method["api_id"]) in unreachable))
        cells += _against_traffic(method, own)
    return cells


def _against_traffic(method: dict[str, Any], cells: list[Cell]) -> list[Cell]:
    """No caller passes, yet the method's own figures show successful requests in the last 24 hours: the
    prediction is contradicted, so the refusals are undecided (which caller succeeded cannot be told)."""
    traffic = method.get("traffic") or {}
    succeeded = (traffic.get("last_day") or {}).get("succeeded") if traffic.get("scope") == "method" else None
    if not succeeded or any(cell.outcome in ("pass", "unknown") for cell in cells):
        return cells
    for cell in cells:
        cell.why = (f"contradicted by traffic: {succeeded} request(s) succeeded in the last 24 hours, so some "
                    f"caller gets through (predicted {cell.outcome}: {cell.why})")
        cell.outcome = "unknown"
    return cells


Refuse = Callable[..., Cell]  # (outcome, step, why, checks=()) -> the cell with the rules that decide it


class _Decided:
    """The decided findings (outcome fail) that bear on a method, by rule."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        self.by_api: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
        self.by_pool: dict[Any, list[dict[str, Any]]] = {}
        for finding in findings:
            if finding["outcome"] != "fail":
                continue
            if finding.get("api_id") is not None:
                self.by_api.setdefault((finding["region"], finding["api_id"]), []).append(finding)
            elif finding.get("pool_id") is not None:
                self.by_pool.setdefault(finding["pool_id"], []).append(finding)

    def rules(self, method: dict[str, Any], stage: str | None, step: str) -> list[str]:
        wanted = STEP_RULES.get(step, ())
        candidates = self.by_api.get((method["region"], method["api_id"]), []) + [
            f for pool in method.get("pool_ids") or [] for f in self.by_pool.get(pool, [])]
        return sorted({f["rule"] for f in candidates if f["rule"] in wanted and concerns(f, method)
                       and (stage is None or f.get("stage") in (None, stage))})


def _cell(method: dict[str, Any], stage: str | None, caller: Caller, target: Any, authorizer: dict[str, Any],
          decided: _Decided, unreachable: bool) -> Cell:
    def refuse(outcome: str, step: str, why: str, checks: tuple[str, ...] = ()) -> Cell:
        return Cell(method, stage, caller, outcome, list(dict.fromkeys([*checks, *decided.rules(method, stage, step)])),
                    why)

    http = method["api_type"] == "HTTP"
    if any(z["stage"] == stage for z in method.get("zero_throttles") or []):
        return refuse("429", "throttle", f"stage {stage} throttles the route to 0 requests per second")
    if unreachable:
        return refuse("403", "endpoint", "no URL reaches the API (its default endpoint is off, no domain maps it)")
    if target.not_deployed:
        return refuse("404" if http else "403", "deploy", target.not_deployed)
    authorization = target.authorization
    if authorization == "CUSTOM":
        return _lambda_cell(method, stage, caller, target, authorizer, decided, refuse)
    findings: list[dict[str, Any]] = []
    check_claims(caller.claims if caller.kind not in ("none",) else None, target,
                 lambda rule, expected, actual, message, outcome="fail": findings.append(
                     {"rule": rule, "message": message, "outcome": outcome}), [])
    if authorization in ("COGNITO_USER_POOLS", "JWT"):
        if caller.kind == "none":
            return refuse("401", "issuer", "no token: the authorizer answers 401 before anything else")
        if caller.unknown:
            return refuse("unknown", "issuer", caller.unknown)
        if decided.rules(method, stage, "token") and caller.pool_id in (method.get("pool_ids") or []):
            return refuse("401", "token", "the pool's pre-token-generation trigger fails: Cognito issues this "
                                          "caller no token")
        scope_code = "403" if authorization == "JWT" else "401"
        for check, code in (("TOK004", "401"), ("TOK007", "401"), ("TOK005", "401"), ("TOK006", scope_code)):
            outcome = _first(findings, check)
            if outcome is not None:
                return refuse(code if outcome["outcome"] == "fail" else "unknown", CHECK_STEPS[check],
                              outcome["message"], (check,))
        if method.get("obtainable_scopes_unknown") and target.scopes and caller.kind in ("access", "m2m"):
            return refuse("unknown", "scopes", str(method["obtainable_scopes_unknown"]))
    elif authorization == "AWS_IAM":
        if caller.kind == "none":
            return refuse("403", "issuer", "no SigV4 signature: API Gateway answers 403 (Missing Authentication "
                                           "Token)")
        policy = _policy_cell(findings, refuse)
        return policy or refuse("unknown", "issuer", "whether the caller's IAM identity may invoke the method is not "
                                                     "read (identity policies of callers)")
    policy = _policy_cell(findings, refuse)
    if policy:
        return policy
    return _key_cell(method, stage, refuse) or Cell(method, stage, caller, "pass", [], "API Gateway lets it through")


def _lambda_cell(method: dict[str, Any], stage: str | None, caller: Caller, target: Any, authorizer: dict[str, Any],
                 decided: _Decided, refuse: Refuse) -> Cell:
    """A Lambda authorizer: the resource policy first, then the identity source, then the function."""
    findings: list[dict[str, Any]] = []
    check_claims(None, target, lambda rule, expected, actual, message, outcome="fail": findings.append(
        {"rule": rule, "message": message, "outcome": outcome}), [])
    policy = _policy_cell(findings, refuse)
    if policy:
        return policy
    if caller.kind == "none" and authorizer.get("identity_headers"):
        return refuse("401", "issuer", f"no {', '.join(authorizer['identity_headers'])} header: API Gateway answers "
                                       "401 without calling the function")
    broken = decided.rules(method, stage, "lambda")
    if broken:
        return refuse("500", "lambda", "API Gateway cannot run the authorizer's function")
    return refuse("unknown", "lambda", "the Lambda authorizer's function decides; its code is not read")


def _policy_cell(findings: list[dict[str, Any]], refuse: Refuse) -> Cell | None:
    for check in ("APIGW013", "APIGW014", "APIGW016"):
        found = _first(findings, check)
        if found is not None:
            return refuse("403" if found["outcome"] == "fail" else "unknown", "policy", found["message"], (check,))
    return None


def _key_cell(method: dict[str, Any], stage: str | None, refuse: Refuse) -> Cell | None:
    for entry in method.get("api_key_stages") or []:
        if entry["stage"] == stage and entry.get("problem"):
            return refuse("403", "key", entry["problem"])
        if entry["stage"] == stage and entry.get("unknown_reason"):
            return refuse("unknown", "key", entry["unknown_reason"])
    return None


def _first(findings: list[dict[str, Any]], rule: str) -> dict[str, Any] | None:
    """A check's failure (decided first, else undecided)."""
    chosen = [f for f in findings if f["rule"] == rule]
    return next((f for f in chosen if f["outcome"] == "fail"), chosen[0] if chosen else None)


def callers_passing(cells: list[Cell]) -> dict[tuple[Any, ...], int | None]:
    """Per method: how many callers pass on some stage it is served on; None when none passes but some cell is
    undecided (it cannot be said that no caller passes)."""
    passing: dict[tuple[Any, ...], set[str]] = {}
    undecided: set[tuple[Any, ...]] = set()
    for cell in cells:
        key = method_key(cell.method)
        passing.setdefault(key, set())
        if cell.outcome == "pass":
            passing[key].add(cell.caller.label)
        elif cell.outcome == "unknown":
            undecided.add(key)
    return {key: len(labels) if labels or key not in undecided else None for key, labels in passing.items()}


def method_key(method: dict[str, Any]) -> tuple[Any, ...]:
    return (method.get("account"), method.get("region"), method.get("api_id"), method.get("path"),
            method.get("method"), method.get("live", True))


def blocked(cells: list[Cell]) -> list[dict[str, Any]]:
    """Methods no caller passes on any stage, every cell decided: which callers were tried, and why each failed."""
    by_method: dict[tuple[Any, ...], list[Cell]] = {}
    for cell in cells:
        by_method.setdefault(method_key(cell.method), []).append(cell)
    found = []
    for group in by_method.values():
        if any(cell.outcome in ("pass", "unknown") for cell in group):
            continue
        method = group[0].method
        found.append({**{key: method.get(key) for key in ("account", "region", "api_id", "api_name", "api_type",
                                                           "path", "method")},
                      "callers": sorted({cell.caller.label for cell in group}),
                      "rules": sorted({rule for cell in group for rule in cell.rules}),
                      "message": f"No caller gets through {method['method']} {method['path']}: " + "; ".join(
                          sorted({f"{cell.caller.label} {cell.outcome}" + (f" on {cell.stage}" if cell.stage else "")
                                  for cell in group}))})
    return found
