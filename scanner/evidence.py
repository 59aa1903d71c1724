"""Checks findings against what callers got: a prediction that every request fails meets the methods' traffic.

A finding whose rule predicts that every caller fails (`predicts = "every-request-fails"`) is `confirmed` when the
methods it bears on had requests in the last 24 hours and none succeeded, `contradicted` when some succeeded —
then it cannot stand: its outcome becomes unknown, with the numbers — and `no-traffic` when they had none. Stage
or API totals decide only what they can: no requests, or no success at all. A finding whose rule stands only
unexplained (`unless_found`, TRF001) is dropped when a decided finding at least that severe bears on its method.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .findings import Finding, FindingIndex
from .rules.loader import SEVERITIES, Rule

Method = Mapping[str, Any]


def add_evidence(findings: list[Finding], facts: dict[str, list[dict[str, Any]]], rules: list[Rule]) -> \
        list[Finding]:
    """New findings with `evidence` and `requests` (what the methods they bear on served in the window), the
    contradicted ones undecided, and those an explained failure makes redundant left out."""
    by_id = {rule.id: rule for rule in rules}
    concerned_by = FindingIndex(findings).methods_of(facts.get("method", []))
    concerned = [concerned_by.get(id(finding), []) for finding in findings]
    unlisted = _unlisted(facts)
    weighed = [_weighed(finding, methods, by_id.get(finding.rule), unlisted)
               for finding, methods in zip(findings, concerned, strict=True)]
    # What explains a finding is looked up only for rules that stand unexplained (unless_found).
    index = FindingIndex(weighed if any(getattr(by_id.get(finding.rule), "unless_found", None) is not None
                                        for finding in weighed) else [])
    kept = []
    for finding, methods in zip(weighed, concerned, strict=True):
        explanation = _explanation(finding, methods, index, by_id)
        if explanation == "explained":
            continue
        if explanation is not None:  # what might explain it could not be decided: so neither can this
            finding = finding.replace(outcome="unknown",
                                      message=f"Could not be decided: {explanation} (it said: {finding.message})")
        kept.append(finding)
    return kept


def _weighed(finding: Finding, concerned: list[Method], rule: Rule | None,
             unlisted: dict[tuple[Any, ...], int]) -> Finding:
    """The finding with what its methods served (`requests`) and, for a prediction, what traffic says of it."""
    attributable = [m["traffic"] for m in concerned if m.get("traffic") and m["traffic"]["scope"] == "method"]
    requests = sum(t["requests"] for t in attributable) if attributable else None
    if rule is None or rule.predicts is None or finding.outcome != "fail" or _pending(finding):
        if finding.requests == requests and finding.evidence is None:
            return finding  # nothing to change: the same (immutable) finding
        return finding.replace(requests=requests, evidence=None)
    evidence = _combined([_evidence(method, finding.stage) for method in concerned])
    served = unlisted.get(_api_of(finding))
    if evidence is None and served:
        # Its methods could not be listed and the API served successful requests today: some of them may be
        # the very methods it says nobody can call. Doubt, not a verdict.
        return finding.replace(requests=requests, evidence=None, outcome="unknown", message=(
            "Could not be checked against traffic: which methods it decides could not be read, and the API served "
            f"{served} successful request(s) in the last 24 hours (it said: {finding.message})"))
    if evidence == "contradicted":
        succeeded, total, where = _successes(concerned, finding.stage)
        return finding.replace(requests=requests, evidence=evidence, outcome="unknown", message=(
            f"Contradicted by traffic: {succeeded} of {total} requests to {where} succeeded in the last 24 hours, "
            f"so the prediction that every request fails does not stand (it said: {finding.message})"))
    return finding.replace(requests=requests, evidence=evidence)


def _pending(finding: Finding) -> bool:
    """A finding about a configuration no stage serves yet: no request met it, so traffic neither confirms it nor
    is explained by it."""
    return finding.stages == frozenset({None})


def _api_of(finding: Finding) -> tuple[Any, ...]:
    return (finding.get("account"), finding.get("region"), finding.get("api_id"), finding.get("authorizer"))


def _unlisted(facts: dict[str, list[dict[str, Any]]]) -> dict[tuple[Any, ...], int]:
    """APIs (and their authorizers) whose methods could not be listed, with the successful requests the whole API
    served in the last 24 hours."""
    served: dict[tuple[Any, ...], int] = {}
    for api in facts.get("api", []):
        last_day = (api.get("traffic") or {}).get("last_day") or {}
        if api.get("method_count") is None and last_day.get("succeeded"):
            served[(api["account"], api["region"], api["api_id"], None)] = int(last_day["succeeded"])
    for authorizer in facts.get("authorizer", []):
        key = (authorizer["account"], authorizer["region"], authorizer["api_id"], None)
        if authorizer.get("methods_using") is None and key in served:
            served[(*key[:3], authorizer.get("authorizer"))] = served[key]
    return served


def _traffic(method: Method, stage: str | None) -> dict[str, Any] | None:
    if stage:
        for entry in method.get("traffic_by_stage") or []:
            if entry["stage"] == stage:
                return dict(entry["traffic"])
    return method.get("traffic")


def _evidence(method: Method, stage: str | None) -> str | None:
    traffic = _traffic(method, stage)
    if traffic is None:
        return None
    last_day = traffic["last_day"]
    if not last_day["requests"]:
        return "no-traffic"
    if not last_day["succeeded"]:
        return "confirmed"  # no request succeeded at all: true of every method the totals count
    return "contradicted" if traffic["scope"] == "method" else None  # totals cannot single the method out


def _combined(verdicts: list[str | None]) -> str | None:
    if "contradicted" in verdicts:
        return "contradicted"
    if "confirmed" in verdicts:
        return "confirmed"
    if verdicts and all(verdict == "no-traffic" for verdict in verdicts):
        return "no-traffic"
    return None


def _successes(methods: list[Method], stage: str | None) -> tuple[int, int, str]:
    """Successful and all requests of the last day over the methods whose own figures show successes."""
    succeeded = requests = 0
    names = []
    for method in methods:
        traffic = _traffic(method, stage)
        if traffic and traffic["scope"] == "method" and traffic["last_day"]["succeeded"]:
            succeeded += traffic["last_day"]["succeeded"]
            requests += traffic["last_day"]["requests"]
            names.append(f"{method['method']} {method['path']}")
    return succeeded, requests, ", ".join(names)


def _explanation(finding: Finding, own: list[Method], index: FindingIndex[Finding],
                 rules: dict[str, Rule]) -> str | None:
    """For a finding that stands only unexplained: "explained" when a decided finding at least as severe as its
    rule says bears on its method; why that cannot be told when such a finding is undecided or the method's
    configuration was not all read; else None."""
    rule = rules.get(finding.rule)
    if rule is None or rule.unless_found is None:
        return None
    threshold = SEVERITIES.index(rule.unless_found)
    others = {id(other): other for method in own for other in index.of_method(method)
              if other is not finding and SEVERITIES.index(other.severity) <= threshold and not _pending(other)
              and (rules.get(other.rule) is None or rules[other.rule].unless_found is None)}.values()
    if any(other.outcome == "fail" for other in others):
        return "explained"
    if others:
        rules_named = ", ".join(sorted({other.rule for other in others}))
        return f"{rules_named} might explain the failures but could not be decided"
    unread = [method["unread"] for method in own if method.get("unread")]
    return f"the method's configuration was not all read ({unread[0]})" if unread else None
