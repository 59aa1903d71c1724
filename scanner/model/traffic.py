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
