"""Collects HTTP APIs (API Gateway v2): routes, authorizers and stages, paginated, no per-route calls."""

from __future__ import annotations

from concurrent.futures import Future
from functools import partial
from typing import Any

from ..schema.snapshot import HTTP_AUTHORIZER, HTTP_ROUTE, HTTP_STAGE, pick
from .calls import CallLog, Outcome, exported
from .reader import Reader
from .rest_apis import Named
from .session import Clients
from .stacks import stack_source

PAGE_SIZE = 500  # the paginator's page size (apigatewayv2 sends it as MaxResults)


def list_http_apis(clients: Clients, log: CallLog, region: str) -> list[dict[str, Any]] | None:
    """The region's HTTP APIs (WebSocket APIs are left out), or None when they cannot be listed."""
    outcome = log.paginate(clients.get("apigatewayv2", region), "get_apis", "Items", region=region,
                           PaginationConfig={"PageSize": PAGE_SIZE})
    if not outcome.ok:
        return None
    return [api for api in outcome.data if api.get("ProtocolType", "HTTP") == "HTTP"]


def read_http_api(reader: Reader, api: dict[str, Any], named: Named) -> Future[dict[str, Any]]:
    """One HTTP API with what the rules judge: routes, authorizers and stages read side by side, then the export of
    each deployment a stage serves; `named` gets the authorizers and stages as soon as they are read. A part that
    could not be read is None."""
    reads, api_id = reader.reads, api["ApiId"]
    subject = f"httpapi/{api_id}"
    paged = {"ApiId": api_id, "PaginationConfig": {"PageSize": PAGE_SIZE}}
    routes = reads.then([reader.paginate("apigatewayv2", "get_routes", "Items", subject=subject, **paged)],
                        lambda found: found.picked(HTTP_ROUTE))
    authorizers = reads.then([reader.paginate("apigatewayv2", "get_authorizers", "Items", subject=subject, **paged)],
                             lambda found: found.picked(HTTP_AUTHORIZER))
    stages = reads.then([reader.paginate("apigatewayv2", "get_stages", "Items", subject=subject, **paged)],
                        lambda found: found.picked(HTTP_STAGE))
    announced = reads.then([authorizers, stages], lambda authorizers, stages: named(
        {"region": reader.region, "id": api_id, "authorizers": authorizers, "stages": stages}))
    deployments = reads.chain([stages], lambda stage_list: _deployments(reader, api_id, stage_list or []))

    def record(route_list: list[dict[str, Any]] | None, authorizer_list: list[dict[str, Any]] | None,
               stage_list: list[dict[str, Any]] | None, exported: dict[str, dict[str, Any]], _: None) -> dict[str, Any]:
        return {
            "region": reader.region,
            "id": api_id,
            "name": api.get("Name", api_id),
            "source": stack_source(api.get("Tags")),
            **pick(api, {"DisableExecuteApiEndpoint": None, "CorsConfiguration": None}),
            "routes": route_list,
            "authorizers": authorizer_list,
            "stages": stage_list,
            "deployments": exported,
        }

    return reads.then([routes, authorizers, stages, deployments, announced], record)


def _deployments(reader: Reader, api_id: str, stages: list[dict[str, Any]]) -> Future[dict[str, dict[str, Any]]]:
    """What each stage that does not deploy automatically serves: its deployment, exported once per deployment
    (every export side by side)."""
    exports: dict[str, Future[dict[str, Any]]] = {}
    for stage in stages:
        deployment_id = stage.get("DeploymentId")
        if stage.get("AutoDeploy") or not deployment_id or deployment_id in exports:
            continue
        export = reader.call("apigatewayv2", "export_api", subject=f"httpapi/{api_id}/stage/{stage['StageName']}",
                             ApiId=api_id, Specification="OAS30", OutputType="JSON", StageName=stage["StageName"],
                             IncludeExtensions=True)
        exports[deployment_id] = reader.reads.then([export], partial(_deployment, deployment_id))
    return reader.reads.then(list(exports.values()), lambda *read: dict(zip(exports, read, strict=True)))


def _deployment(deployment_id: str, export: Outcome) -> dict[str, Any]:
    body, error = exported(export)
    return {"id": deployment_id, "export": body, "export_error": error}
