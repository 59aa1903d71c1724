"""`token`'s answer: what the token in hand says for itself (tokens/checks.py) joined with the rules' findings for
the caller the token is (its app client and kind) on the stage asked for, in API Gateway's order
(access/outcomes.py) — the answer the matrix gives that caller, except that the token's own claims decide the steps
a token speaks for (issuer, type, client, scopes)."""

from __future__ import annotations

from typing import Any

from ..access.callers import Caller
from ..access.outcomes import PASS, UNKNOWN, Stop, decide, refusals_of
from ..findings import Finding
from ..judgement import Judgement
from ..method_rows import method_row
from ..rules.engine import truthy
from ..rules.loader import Rule
from ..rules.steps import CLAIM_STEPS
from .checks import TOKEN_ONLY_STEPS, diagnose
from .jwks import KeyStore
from .target import TokenTarget, authorizer_of, clients_by_pool, cloudfront_route, find_method, make_target

VERDICTS = {PASS: "accepted", UNKNOWN: "undecided"}  # any status: rejected
_BY_AUTHORIZATION = {"NONE": "none", "CUSTOM": "lambda", "AWS_IAM": "iam"}


def token_target(judged: Judgement, api: str, path: str, verb: str, stage: str | None,
                 via_cloudfront: str | None = None) -> TokenTarget:
    """What a token meets on method `verb path` of `api` as `stage` serves it (None: the live API); sent through
    the CloudFront distribution `via_cloudfront` (its ID or domain), on the stage that distribution reaches."""
    record, route = find_method(judged.facts, api, path, verb, stage), None
    live = find_method(judged.facts, api, path, verb, None)  # its record says which distributions reach the method
    if via_cloudfront is not None:
        route = cloudfront_route(live, via_cloudfront, stage)
        if stage is None:
            stage = route["stage"]
            record = find_method(judged.facts, api, path, verb, stage)
    target = make_target(record, authorizer_of(judged.facts, record), clients_by_pool(judged.snapshot), stage)
    target.through = route
    target.cloudfront = [entry for entry in live.get("cloudfront_routes") or [] if stage in (None, entry["stage"])]
    return target


def answer(pasted: str, judged: Judgement, target: TokenTarget, keys: KeyStore, rules: list[Rule],
           now: float | None = None) -> dict[str, Any]:
    """{verdict, status, step, rules, why, caller, method, stage, claims, findings, notes}: verdict accepted,
    rejected (with the status API Gateway answers) or undecided; `rules` the rules that decide it, as the matrix
    names them for this caller."""
    record, stage = target.method, target.stage
    own = diagnose(pasted, target, keys, now)
    caller, entry = token_caller(record, own["claims"])  # the claims it shows: iss, token_use, aud, client_id…
    if target.through is not None:
        caller = caller.via(target.through)
    by_id = {rule.id: rule for rule in rules}
    notes = list(own["notes"])
    checks = []
    for finding in own["findings"]:
        step, status = declared_refusal(by_id.get(finding["rule"]), record, entry) or (
            TOKEN_ONLY_STEPS.get(finding["rule"], "authorizer"), "401")
        checks.append({**finding, "step": step, "status": status})
    holding = _holding(judged, record, stage)
    stops = refusals_of(holding, caller)
    for step in CLAIM_STEPS:  # the token in hand says for itself whether it passes these
        _claim_step(step, checks, stops, caller.label, notes)
    for check in checks:
        if check["step"] not in CLAIM_STEPS:
            stops.setdefault(check["step"], []).append(
                Stop(check["rule"], check["status"], check["message"], check["outcome"] == "fail"))
    outcome = decide(record.get("authorization"), stops, caller.unknown)
    named = {check["rule"] for check in checks}
    from_rules = [{"rule": finding.rule, "expected": None, "actual": None, "message": finding.message,
                   "outcome": finding.outcome, "step": refusal.step, "status": refusal.status}
                  for finding in holding for refusal in finding.refusals if refusal.refuses(caller)
                  and finding.rule not in named and (refusal.step not in CLAIM_STEPS or refusal.step in {
                      check["step"] for check in checks if check["outcome"] == "fail"})]
    if target.through is None and target.cloudfront:
        distributions = sorted({f"{entry['distribution_id']} ({entry.get('distribution_domain') or 'domain unknown'})"
                                for entry in target.cloudfront})
        notes.append(f"judged as sent to the API itself; CloudFront distribution(s) {', '.join(distributions)} "
                     "also send requests to this method, and may answer a token sent through them otherwise: "
                     "--via-cloudfront DIST_ID_OR_DOMAIN judges that")
    if stage is None and record.get("stages"):
        notes.append(f"judged the live configuration, with what every stage that serves it adds; what one stage adds "
                     f"(its deployment, policy, throttling, keys) is judged with --stage "
                     f"({', '.join(record['stages'])})")
    return {"verdict": VERDICTS.get(outcome.outcome, "rejected"), "status": outcome.outcome, "step": outcome.step,
            "rules": outcome.rules, "why": outcome.why, "caller": {**caller.as_json(), "label": caller.label},
            "method": method_row(record), "stage": stage, "claims": own["claims"],
            "findings": checks + list({(f["rule"], f["message"]): f for f in from_rules}.values()), "notes": notes}


def _holding(judged: Judgement, record: dict[str, Any], stage: str | None) -> list[Finding]:
    """The findings that hold for a request to `stage`; with no stage named, those of the live configuration and
    those that hold on every stage serving the method (a resource policy that denies it everywhere)."""
    found = judged.index.of_method(record)
    if stage is not None:
        return [finding for finding in found if finding.applies_at(stage)]
    serving = set(record.get("stages") or [])
    return [finding for finding in found if finding.applies_at(None)
            or (serving and finding.stages is not None and serving <= finding.stages)]


def _claim_step(step: str, checks: list[dict[str, Any]], stops: dict[str, list[Stop]], label: str,
                notes: list[str]) -> None:
    """At a step the token speaks for, its own checks decide; the rules' findings that turn its caller away there
    say why when it fails (and when traffic contradicts them, the token's failure is undecided too)."""
    theirs = stops.pop(step, [])
    mine = [check for check in checks if check["step"] == step]
    failed = any(check["outcome"] == "fail" for check in mine)
    doubted = failed and any(stop.finding is not None and stop.finding.evidence == "contradicted" for stop in theirs)
    if doubted:
        notes.append(f"traffic contradicts what the rules say at this step ({step}): requests to the method succeed "
                     "where they say none should, so the token's own check cannot stand as decided")
    if mine:
        stops[step] = [Stop(check["rule"], check["status"], check["message"],
                            check["outcome"] == "fail" and not doubted) for check in mine] + (theirs if failed else [])
    elif theirs:
        notes.append(f"{', '.join(sorted({stop.rule for stop in theirs}))} say(s) that {label} is turned away here "
                     f"({step}); this token passes that check")


def token_caller(record: dict[str, Any], claims: dict[str, Any] | None) -> tuple[Caller, dict[str, Any] | None]:
    """The caller a token is on a method (with its entry among the method's callers): by its kind (token_use)
    and app client (aud of ID tokens, client_id of access tokens); a method without a Cognito or JWT authorizer
    has one caller of its own kind."""
    callers = record.get("callers") or []
    kind = _BY_AUTHORIZATION.get(str(record.get("authorization")))
    if kind is not None:
        entry = next((c for c in callers if c["kind"] == kind), None)
        return (Caller.of(entry) if entry else Caller(kind)), entry
    claims = claims or {}
    token_use = claims.get("token_use")
    kinds = ("id",) if token_use == "id" else ("access", "m2m")
    client = claims.get("aud") if token_use == "id" else claims.get("client_id")
    if isinstance(client, list):
        client = next((value for value in client if isinstance(value, str)), None)
    for wanted in kinds:
        entry = next((c for c in callers if c["kind"] == wanted and c["client_id"] == client), None)
        if entry is not None:
            return Caller.of(entry), entry
    pool = next((p.get("pool_id") for p in record.get("pools") or [] if p.get("issuer") == claims.get("iss")), None)
    return Caller(kinds[0], pool, client if isinstance(client, str) else None), None


def declared_refusal(rule: Rule | None, record: dict[str, Any],
                     caller: dict[str, Any] | None) -> tuple[str, str] | None:
    """(step, status) a rule declares for a caller of this method: what its check of the token in hand costs."""
    context = {**record, "item": caller}
    for refusal in rule.refusals if rule else ():
        if refusal.when is None or truthy(refusal.when.search(context)):
            return refusal.step, refusal.status
    return None
