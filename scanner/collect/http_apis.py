"""Collects HTTP APIs (API Gateway v2): routes, authorizers and stages, paginated, no per-route calls."""

from __future__ import annotations

from typing import Any

from ..schema.snapshot import HTTP_AUTHORIZER, HTTP_ROUTE, HTTP_STAGE, pick
from .calls import CallLog, exported_document
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


def collect_http_api(clients: Clients, log: CallLog, region: str, api: dict[str, Any]) -> dict[str, Any]:
    """One HTTP API with what the rules judge; a part that could not be read is None."""
    client = clients.get("apigatewayv2", region)
    api_id = api["ApiId"]
    subject = f"httpapi/{api_id}"
    routes = log.paginate(client, "get_routes", "Items", region=region, subject=subject, ApiId=api_id,
                          PaginationConfig={"PageSize": PAGE_SIZE})
    authorizers = log.paginate(client, "get_authorizers", "Items", region=region, subject=subject, ApiId=api_id,
                               PaginationConfig={"PageSize": PAGE_SIZE})
    stages = log.paginate(client, "get_stages", "Items", region=region, subject=subject, ApiId=api_id,
                          PaginationConfig={"PageSize": PAGE_SIZE})
    stage_list = stages.picked(HTTP_STAGE)
    return {
        "region": region,
        "id": api_id,
        "name": api.get("Name", api_id),
        "source": stack_source(api.get("Tags")),
        **pick(api, {"DisableExecuteApiEndpoint": None, "CorsConfiguration": None}),
        "routes": routes.picked(HTTP_ROUTE),
        "authorizers": authorizers.picked(HTTP_AUTHORIZER),
        "stages": stage_list,
        "deployments": _deployments(client, log, region, api_id, stage_list or []),
    }


def _deployments(client: Any, log: CallLog, region: str, api_id: str,
                 stages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What each stage that does not deploy automatically serves: its deployment, exported once per deployment."""
    deployments: dict[str, dict[str, Any]] = {}
    for stage in stages:
        deployment_id = stage.get("DeploymentId")
        if stage.get("AutoDeploy") or not deployment_id or deployment_id in deployments:
            continue
        export = log.call(client, "export_api", region=region, subject=f"httpapi/{api_id}/stage/{stage['StageName']}",
                          ApiId=api_id, Specification="OAS30", OutputType="JSON", StageName=stage["StageName"],
                          IncludeExtensions=True)
        body = exported_document(export.data.get("body")) if export.ok else None
        deployments[deployment_id] = {
            "id": deployment_id, "export": body,
            "export_error": export.message if not export.ok else None if body is not None
            else "the exported definition is not a JSON object the scanner can read",
        }
    return deployments
