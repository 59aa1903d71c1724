"""Collects REST APIs: resources with their methods, authorizers, stages and what each deployment serves."""

from __future__ import annotations

from typing import Any

from ..cors import cors_origin, preflight_catchers
from ..schema.snapshot import GATEWAY_RESPONSE, REST_AUTHORIZER, REST_METHOD, REST_STAGE, pick
from .calls import CallLog, exported_document
from .session import Clients
from .stacks import stack_source

PAGE_SIZE = 500  # the API's maximum; the default (25) would multiply the calls on large APIs


def list_rest_apis(clients: Clients, log: CallLog, region: str) -> list[dict[str, Any]] | None:
    """The region's REST APIs as get_rest_apis returns them (policy and endpoint types included), None if denied."""
    outcome = log.paginate(clients.get("apigateway", region), "get_rest_apis", "items", region=region,
                           PaginationConfig={"PageSize": PAGE_SIZE})
    return outcome.data if outcome.ok else None


def collect_rest_api(clients: Clients, log: CallLog, region: str, api: dict[str, Any]) -> dict[str, Any]:
    """One REST API with everything the rules judge; a part that could not be read is None."""
    client = clients.get("apigateway", region)
    api_id = api["id"]
    subject = f"restapi/{api_id}"
    resources = log.paginate(client, "get_resources", "items", region=region, subject=subject,
                             restApiId=api_id, embed=["methods"], PaginationConfig={"PageSize": PAGE_SIZE})
    authorizers = log.paginate(client, "get_authorizers", "items", region=region, subject=subject,
                               restApiId=api_id, PaginationConfig={"PageSize": PAGE_SIZE})
    stages = log.call(client, "get_stages", region=region, subject=subject, restApiId=api_id)
    stage_list = [_stage(stage) for stage in (stages.data or {}).get("item", [])] if stages.ok else None
    resource_list = [_resource(resource) for resource in resources.data] if resources.ok else None
    record: dict[str, Any] = {}
    if resource_list and (cors_origin(resource_list) is not None or preflight_catchers(resource_list)):
        # Gateway responses are read only for APIs that answer CORS (APIGW017), or whose authorized ANY methods
        # would take preflights if the API answers CORS in them (APIGW011): the others cost no call.
        responses = log.paginate(client, "get_gateway_responses", "items", region=region, subject=subject,
                                 restApiId=api_id, PaginationConfig={"PageSize": PAGE_SIZE})
        record["gateway_responses"] = [pick(item, GATEWAY_RESPONSE) for item in responses.data] if responses.ok \
            else None
    return {
        **record,
        "region": region,
        "id": api_id,
        "name": api.get("name", api_id),
        "policy": api.get("policy"),
        "endpoint_types": (api.get("endpointConfiguration") or {}).get("types") or [],
        "api_key_source": api.get("apiKeySource"),
        "disable_execute_api_endpoint": api.get("disableExecuteApiEndpoint"),
        "source": stack_source(api.get("tags")),
        "resources": resource_list,
        "authorizers": authorizers.picked(REST_AUTHORIZER),
        "stages": stage_list,
        "deployments": _deployments(clients, log, region, api_id, stage_list or []),
    }


def _deployments(clients: Clients, log: CallLog, region: str, api_id: str,
                 stages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What each deployment in use serves: read once per deployment, however many stages share it. A stage's
    canary (canarySettings.deploymentId) is read too: its share of the traffic meets that deployment."""
    client = clients.get("apigateway", region)
    deployments: dict[str, dict[str, Any]] = {}
    for stage in stages:
        subject = f"restapi/{api_id}/stage/{stage['stageName']}"
        deployment_id = stage.get("deploymentId")
        if deployment_id and deployment_id not in deployments:
            summary = log.call(client, "get_deployment", region=region, subject=subject,
                               restApiId=api_id, deploymentId=deployment_id, embed=["apisummary"])
            export = log.call(client, "get_export", region=region, subject=subject, restApiId=api_id,
                              stageName=stage["stageName"], exportType="oas30",
                              parameters={"extensions": "authorizers"}, accepts="application/json")
            body = exported_document(export.data.get("body")) if export.ok else None
            deployments[deployment_id] = {
                "id": deployment_id,
                "summary": (summary.data or {}).get("apiSummary") if summary.ok else None,
                "summary_error": None if summary.ok else summary.message,
                "export": body,
                "export_error": export.message if not export.ok else None if body is not None
                else "the exported definition is not a JSON object the scanner can read",
            }
        canary = (stage.get("canarySettings") or {}).get("deploymentId")
        if canary and canary not in deployments:
            summary = log.call(client, "get_deployment", region=region, subject=f"{subject}/canary",
                               restApiId=api_id, deploymentId=canary, embed=["apisummary"])
            deployments[canary] = {"id": canary, "summary": (summary.data or {}).get("apiSummary") if summary.ok
                                   else None, "summary_error": None if summary.ok else summary.message,
                                   "export": None, "export_error": "GetExport exports a stage's main deployment, "
                                                                   "not its canary's"}
    return deployments


def _resource(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": resource.get("id"),
        "path": resource.get("path", "/"),
        "methods": {
            verb: pick(method, REST_METHOD) for verb, method in (resource.get("resourceMethods") or {}).items()
        },
    }


def _stage(stage: dict[str, Any]) -> dict[str, Any]:
    return {
        **pick(stage, REST_STAGE),
        "variables": stage.get("variables") or {},
        "lastUpdatedDate": str(stage.get("lastUpdatedDate") or stage.get("createdDate") or ""),
    }

