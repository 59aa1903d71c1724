"""From a snapshot to the rules' findings, once for every view: the APIs --api and --stage select, their facts
(each method's callers included), the rules' findings weighed against traffic, and the index of them. The scan's
report, the access matrix and `token` all read this judgement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .access.callers import add_callers
from .access.matrix import against_traffic
from .arns import referenced_pools
from .errors import UsageError
from .evidence import add_evidence
from .findings import MISCONFIGURATION, Finding, FindingIndex
from .implicit_stage import fold_implicit_stage
from .model.facts import build_facts
from .model.normalize import normalize_snapshot
from .rules.engine import evaluate
from .rules.loader import Rule
from .schema.facts import Facts


@dataclass(frozen=True)
class Judgement:
    snapshot: dict[str, Any]  # normalized, narrowed to what --api and --stage select
    facts: Facts
    findings: list[Finding]  # every finding: misconfigurations, and who methods turn away by design
    index: FindingIndex[Finding]

    @property
    def reported(self) -> list[Finding]:
        """The findings the scan reports: misconfigurations (a method's design is the matrix's and `token`'s), those
        that hold only on SAM's implicit stage folded into one low finding (the matrix keeps what its callers get)."""
        return fold_implicit_stage([finding for finding in self.findings if finding.kind == MISCONFIGURATION],
                                   self.facts)


def judge_snapshot(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None,
                   rules: list[Rule]) -> Judgement:
    """The judgement of a snapshot, collected or loaded (its shape is checked first: never an exception)."""
    return judge_shaped(select(normalize_snapshot(snapshot), api_filter, stage_filter), stage_filter, rules)


def judge_shaped(shaped: dict[str, Any], stage_filter: str | None, rules: list[Rule]) -> Judgement:
    """The judgement of a snapshot already normalized and narrowed (an account's, or one of its units)."""
    facts = build_facts(shaped, stage_filter)
    add_callers(facts, shaped)
    findings = against_traffic(facts, add_evidence(evaluate(rules, facts), facts, rules))
    return Judgement(shaped, facts, findings, FindingIndex(findings))


def select(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None) -> dict[str, Any]:
    """The snapshot with only the APIs --api names (and the pools they use) and, with --stage, the APIs that have
    that stage — the others are noted, never reported as "not deployed"."""
    notes = list(snapshot.get("notes") or [])
    kept: dict[str, list[dict[str, Any]]] = {}
    for key, stage_key in (("rest_apis", "stageName"), ("http_apis", "StageName")):
        kept[key] = []
        for api in snapshot.get(key) or []:
            if api_filter and api.get("id") not in api_filter and api.get("name") not in api_filter:
                continue
            stages = api.get("stages")
            if stage_filter and stages is not None and stage_filter not in {s.get(stage_key) for s in stages}:
                notes.append(f"API {api.get('name') or api.get('id')} ({api.get('id')}, {api.get('region')}) has no "
                             f"stage {stage_filter}: left out (--stage {stage_filter})")
                continue
            kept[key].append(api)
    selected = {**snapshot, **kept, "notes": notes}
    if api_filter:  # a scan of some APIs audits the pools they use, not every pool of their regions
        used = {parsed.arn for api in kept["rest_apis"] + kept["http_apis"]
                for parsed in referenced_pools(api, str(snapshot.get("account") or ""))}
        selected["user_pools"] = [pool for pool in snapshot.get("user_pools") or [] if pool.get("arn") in used]
        # and the custom domains that send requests to them
        kept_ids = {api.get("id") for api in kept["rest_apis"] + kept["http_apis"]}
        selected["domains"] = {region: {**part, "names": None if part.get("names") is None else [
            domain for domain in part["names"] if any(route.get("ApiId") in kept_ids for route in
                                                      (domain.get("mappings") or []) + (domain.get("rules") or []))]}
            for region, part in (snapshot.get("domains") or {}).items()}
    return selected


def check_filters(snapshot: dict[str, Any], api_filter: list[str] | None, stage_filter: str | None) -> None:
    """An --api or --stage that matches nothing is a usage error that lists what does exist."""
    apis = (snapshot.get("rest_apis") or []) + (snapshot.get("http_apis") or [])
    if api_filter:
        found = {name for api in apis for name in (api.get("id"), api.get("name"))}
        missing = [wanted for wanted in api_filter if wanted not in found]
        listing_failed = any(e.get("operation") in ("GetRestApis", "GetApis") for e in snapshot.get("errors") or [])
        if missing and not listing_failed:
            available = ", ".join(snapshot.get("apis_listed") or []) or "none"
            raise UsageError(f"--api {', '.join(missing)}: no API with that name or ID in "
                             f"{', '.join(snapshot.get('regions') or [])} (APIs there: {available})")
    if stage_filter and apis:
        chosen = [api for api in apis if not api_filter or api.get("id") in api_filter or api.get("name") in api_filter]
        stages = sorted({str(stage.get("stageName") or stage.get("StageName")) for api in chosen
                         for stage in api.get("stages") or []})
        if stage_filter not in stages and not any(api.get("stages") is None for api in chosen):
            raise UsageError(f"--stage {stage_filter}: no scanned API has that stage "
                             f"(stages: {', '.join(stages) or 'none'})")


