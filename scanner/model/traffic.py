"""What callers got on a method: its own CloudWatch figures where the stage has detailed metrics, else totals."""

from __future__ import annotations

from typing import Any, Literal

from ..schema.facts import MethodFacts, StageTraffic, Traffic, TrafficCounts

Scope = Literal["method", "stage", "api"]


def api_traffic(api_type: str, api_id: str, traffic: dict[str, Any] | None) -> Traffic | None:
    """The whole API's figures (every stage and method), or None when not read."""
    if not traffic or traffic.get("apis") is None:
        return None
    figures = ((traffic["apis"] or {}).get(f"{api_type.lower()}/{api_id}") or {}).get("api")
    return _figures(figures, int(traffic.get("days") or 0), "api") if figures else None


def add_traffic_facts(record: MethodFacts, traffic: dict[str, Any] | None) -> None:
    """The method's traffic over the stages that serve it (and stage by stage). Its own figures when every one of
    those stages has detailed metrics; else the stages' totals (scope stage), or the API's when the stages are
    unknown. Not read, or not attributable (REST APIs sharing a metric name): null."""
    if not traffic or traffic.get("apis") is None:
        return
    api = (traffic["apis"] or {}).get(f"{record.api_type.lower()}/{record.api_id}")
    if api is None:
        return
    days = int(traffic.get("days") or 0)
    if record.stages is None:
        if api.get("api"):
            record.traffic = _figures(api["api"], days, "api")
        return
    by_stage = []
    for stage in record.stages:
        own = (api.get("methods") or {}).get(f"{stage} {record.method} {record.path}")
        total = (api.get("stages") or {}).get(stage)
        if own is not None and total is not None and _zero_beside_requests(own, total) \
                and (why := undocumented_recording(record)):
            # The method's own zero says nothing: its requests may be recorded under another Method or Resource.
            record.traffic_unattributed = (f"stage {stage} served requests, but {why}: its own figures (0) are not "
                                           "evidence, the stage's totals stand in")
            own = None
        if own is not None:
            by_stage.append(StageTraffic(stage=stage, traffic=_figures(own, days, "method")))
        elif total is not None:
            by_stage.append(StageTraffic(stage=stage, traffic=_figures(total, days, "stage")))
        else:
            return  # a serving stage without figures: nothing to add up honestly
    record.traffic_by_stage = by_stage
    scope: Scope = "method" if all(entry.traffic.scope == "method" for entry in by_stage) else "stage"
    if scope == "stage":  # mixing a stage's totals with another's method figures would count the wrong thing
        totals = [(api.get("stages") or {}).get(entry.stage) for entry in by_stage]
        if any(total is None for total in totals):
            return
        record.traffic = _sum([_figures(total or {}, days, "stage") for total in totals], days, scope)
        return
    record.traffic = _sum([entry.traffic for entry in by_stage], days, scope)


def undocumented_recording(record: MethodFacts) -> str | None:
    """Why AWS's documents do not say under which Method and Resource dimensions a method's requests are recorded
    ("Amazon API Gateway dimensions and metrics" names the dimensions, not how ANY, a greedy {proxy+} path or an
    HTTP API's $default route fill them), or None."""
    kinds = []
    if record.method == "ANY":
        kinds.append("an ANY method")
    if "+}" in record.path:
        kinds.append("a greedy path variable")
    if record.path == "$default":
        kinds.append("the $default route")
    return ("AWS does not document how " + " on ".join(kinds) + " is recorded in the Method and Resource "
            "dimensions") if kinds else None


def _zero_beside_requests(own: dict[str, Any], total: dict[str, Any]) -> bool:
    """The method's own figure is zero where its stage's is not (over the window, or over its last day)."""
    return (not own.get("requests") and bool(total.get("requests"))) or (
        not (own.get("last_day") or {}).get("requests") and bool((total.get("last_day") or {}).get("requests")))


def _counts(figures: dict[str, Any]) -> TrafficCounts:
    requests = int(figures.get("requests") or 0)
    client, server = int(figures.get("client_errors") or 0), int(figures.get("server_errors") or 0)
    return TrafficCounts(requests=requests, client_errors=client, server_errors=server, failed=client + server,
                         succeeded=max(requests - client - server, 0))


def _figures(figures: dict[str, Any], days: int, scope: Scope) -> Traffic:
    window = _counts(figures)
    return Traffic(**vars(window), days=days, scope=scope, last_day=_counts(figures.get("last_day") or {}))


def _sum(parts: list[Traffic], days: int, scope: Scope) -> Traffic:
    def added(counts: list[TrafficCounts]) -> dict[str, int]:
        return {name: sum(getattr(count, name) for count in counts)
                for name in ("requests", "client_errors", "server_errors", "failed", "succeeded")}
    return Traffic(**added(list(parts)), days=days, scope=scope,
                   last_day=TrafficCounts(**added([part.last_day for part in parts])))
