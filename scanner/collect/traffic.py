"""Reads what callers got: API Gateway's request and error counts from CloudWatch, per API, stage and method.

Namespace AWS/ApiGateway (AWS docs "Amazon API Gateway dimensions and metrics", "Monitor CloudWatch metrics for
HTTP APIs"): REST APIs send Count, 4XXError and 5XXError by {ApiName}, {ApiName, Stage} and, where the stage has
detailed metrics (methodSettings metricsEnabled), {ApiName, Method, Resource, Stage}; HTTP APIs send Count, 4xx
and 5xx by {ApiId}, {ApiId, Stage} and, with detailed metrics (DetailedMetricsEnabled), {ApiId, Method, Resource,
Stage}. Every figure of a region comes from GetMetricData, 500 queries a call: nothing is read per method.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .calls import CallLog
from .session import Clients

NAMESPACE = "AWS/ApiGateway"
QUERIES_PER_CALL = 500  # GetMetricData's limit
DAY = 86400
METRICS = {"REST": ("Count", "4XXError", "5XXError"), "HTTP": ("Count", "4xx", "5xx")}
FIGURES = ("requests", "client_errors", "server_errors")


@dataclass(frozen=True)
class Series:
    """One figure asked of CloudWatch: an API's, a stage's or a method's requests, 4xx or 5xx."""

    key: str  # rest/ID or http/ID
    level: str  # api | stage | method
    name: str  # "" for the API, the stage, or "STAGE VERB /path"
    figure: str  # requests | client_errors | server_errors
    dimensions: tuple[tuple[str, str], ...]
    metric: str


def metric_api_name(name: str, api_id: str) -> str:
    """The ApiName dimension API Gateway sends: the name without its non-ASCII characters, or the API's ID when
    nothing is left (AWS docs, "Amazon API Gateway dimensions and metrics")."""
    ascii_name = "".join(char for char in name if ord(char) < 128)
    return ascii_name if ascii_name else api_id


def collect_traffic(clients: Clients, log: CallLog, region: str, rest_apis: list[dict[str, Any]],
                    http_apis: list[dict[str, Any]], listed_rest: list[dict[str, Any]] | None,
                    days: int, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The window's totals and its last 24 hours for each API, stage and (with detailed metrics) method.

    REST figures are keyed by name: two REST APIs whose names send the same ApiName share their numbers, so
    neither gets any (a note says why). A denied or failed read is a note, never an error."""
    start, end = window(now or datetime.datetime.now(datetime.UTC), days)
    names = Counter(metric_api_name(str(api.get("name") or ""), str(api["id"])) for api in listed_rest or rest_apis)
    series: list[Series] = []
    skipped: dict[str, str] = {}
    for api in rest_apis:
        name = metric_api_name(str(api.get("name") or ""), str(api["id"]))
        if names[name] > 1:
            skipped[f"rest/{api['id']}"] = (f"{names[name]} REST APIs of {region} send their metrics as ApiName "
                                            f"{name!r}: their numbers are mixed, so none are shown")
            continue
        series += _rest_series(api, name)
    for api in http_apis:
        series += _http_series(api)
    record: dict[str, Any] = {"days": days, "end": end.isoformat(), "apis": {}, "skipped": skipped}
    values = _read(clients, log, region, series, start, end)
    if isinstance(values, str):
        return {**record, "apis": None, "message": values}
    for number, item in enumerate(series):
        total, last_day = values.get(number, (0.0, 0.0))
        api = record["apis"].setdefault(item.key, {"api": None, "stages": {}, "methods": {}})
        figures = _slot(api, item)
        figures[item.figure] = int(total)
        figures["last_day"][item.figure] = int(last_day)
    return record


def window(now: datetime.datetime, days: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The window's start and end, aligned so that CloudWatch has nothing to round: it rounds StartTime down to the
    minute, to 5 minutes when it is 15 to 63 days ago, to the hour beyond (cloudwatch model, GetMetricData
    StartTime). A rounded start would shift every daily period, and the last one would no longer be the last day."""
    step = 60 if days < 15 else 300 if days <= 63 else 3600
    end = datetime.datetime.fromtimestamp(int(now.timestamp()) // step * step, datetime.UTC)
    return end - datetime.timedelta(seconds=days * DAY), end


def _slot(api: dict[str, Any], item: Series) -> dict[str, Any]:
    """Where a series' figures go: the API's, a stage's or a method's (each starts at 0: no datapoint is no
    request, since API Gateway sends nothing for a minute without requests)."""
    empty: dict[str, Any] = {figure: 0 for figure in FIGURES} | {"last_day": {figure: 0 for figure in FIGURES}}
    if item.level == "api":
        api["api"] = api["api"] or empty
        figures: dict[str, Any] = api["api"]
        return figures
    bucket: dict[str, Any] = api["stages"] if item.level == "stage" else api["methods"]
    figures = bucket.setdefault(item.name, empty)
    return figures


def _triples(key: str, level: str, name: str, dimensions: list[tuple[str, str]], kind: str) -> list[Series]:
    return [Series(key, level, name, figure, tuple(dimensions), metric)
            for figure, metric in zip(FIGURES, METRICS[kind], strict=True)]


def rest_detailed(stage: dict[str, Any], path: str, verb: str) -> bool:
    """Whether a REST stage sends method-level metrics for VERB path: methodSettings["*/*"], or the method's own
    entry (its key is the path without its leading slash, each "/" written "~1", then /VERB)."""
    settings = stage.get("methodSettings") or {}
    own = settings.get(f"{path.replace('/', '~1')}/{verb}") or settings.get(f"{path[1:].replace('/', '~1')}/{verb}")
    chosen = own if own and "metricsEnabled" in own else settings.get("*/*") or {}
    return bool(chosen.get("metricsEnabled"))


def _rest_series(api: dict[str, Any], name: str) -> list[Series]:
    key = f"rest/{api['id']}"
    found = _triples(key, "api", "", [("ApiName", name)], "REST")
    methods = [(str(resource.get("path") or "/"), verb.upper()) for resource in api.get("resources") or []
               for verb in (resource.get("methods") or {})]
    for stage in api.get("stages") or []:
        stage_name = str(stage.get("stageName"))
        found += _triples(key, "stage", stage_name, [("ApiName", name), ("Stage", stage_name)], "REST")
        for path, verb in methods:
            if rest_detailed(stage, path, verb):
                found += _triples(key, "method", f"{stage_name} {verb} {path}", [
                    ("ApiName", name), ("Method", verb), ("Resource", path), ("Stage", stage_name)], "REST")
    return found


def http_detailed(stage: dict[str, Any], route_key: str) -> bool:
    own = (stage.get("RouteSettings") or {}).get(route_key) or {}
    if "DetailedMetricsEnabled" in own:
        return bool(own["DetailedMetricsEnabled"])
    return bool((stage.get("DefaultRouteSettings") or {}).get("DetailedMetricsEnabled"))


def _http_series(api: dict[str, Any]) -> list[Series]:
    key = f"http/{api['id']}"
    found = _triples(key, "api", "", [("ApiId", str(api["id"]))], "HTTP")
    for stage in api.get("stages") or []:
        stage_name = str(stage.get("StageName"))
        found += _triples(key, "stage", stage_name, [("ApiId", str(api["id"])), ("Stage", stage_name)], "HTTP")
        for route in api.get("routes") or []:
            route_key = str(route.get("RouteKey") or "")
            if not http_detailed(stage, route_key):
                continue
            verb, path = route_key.split(" ", 1) if " " in route_key else ("ANY", route_key)
            found += _triples(key, "method", f"{stage_name} {verb.upper()} {path}", [
                ("ApiId", str(api["id"])), ("Method", verb.upper()), ("Resource", path), ("Stage", stage_name)],
                "HTTP")
    return found


def _read(clients: Clients, log: CallLog, region: str, series: list[Series], start: datetime.datetime,
          end: datetime.datetime) -> dict[int, tuple[float, float]] | str:
    """Each series' sum over the window and over its last day, by position; or why it could not be read."""
    client = clients.get("cloudwatch", region)
    sums: dict[int, tuple[float, float]] = {}
    last_day = end - datetime.timedelta(seconds=DAY)
    for first in range(0, len(series), QUERIES_PER_CALL):
        chunk = series[first:first + QUERIES_PER_CALL]
        queries = [{"Id": f"q{first + offset}", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": item.metric,
                       "Dimensions": [{"Name": name, "Value": value} for name, value in item.dimensions]},
            "Period": DAY, "Stat": "Sum"}} for offset, item in enumerate(chunk)]
        token: str | None = None
        while True:
            request: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end,
                                       **({"NextToken": token} if token else {})}
            page = log.call(client, "get_metric_data", region=region, record_error=False, **request)
            if not page.ok:
                return (f"{region}: the traffic could not be read (cloudwatch:GetMetricData: {page.message}); "
                        "verdicts are those of a scan without traffic")
            for result in page.data.get("MetricDataResults") or []:
                number = int(str(result.get("Id"))[1:])
                total, recent = sums.get(number, (0.0, 0.0))
                for stamp, value in zip(result.get("Timestamps") or [], result.get("Values") or [], strict=False):
                    total += float(value)
                    # A data point's timestamp starts its period (a day long): it counts for the last day when its
                    # period reaches into the last 24 hours, wherever CloudWatch began the periods.
                    if _aware(stamp) + datetime.timedelta(seconds=DAY) > last_day:
                        recent += float(value)
                sums[number] = (total, recent)
            token = page.data.get("NextToken")
            if not token:
                break
    return sums


def _aware(stamp: Any) -> datetime.datetime:
    if isinstance(stamp, datetime.datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.UTC)
    return datetime.datetime.fromisoformat(str(stamp))
