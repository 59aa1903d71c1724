"""Collects REST APIs: resources with their methods, authorizers, stages and what each deployment serves."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from ..cors import cors_origin, preflight_catchers
from ..schema.snapshot import GATEWAY_RESPONSE, REST_AUTHORIZER, REST_METHOD, REST_STAGE, pick
from .calls import CallLog, Outcome, exported
from .reader import Reader
from .reads import Reads, resolved
from .session import Clients
from .stacks import stack_source

Named = Callable[[dict[str, Any]], None]  # told an API's authorizers and stages as soon as they are read

PAGE_SIZE = 500  # the API's maximum; the default (25) would multiply the calls on large APIs


def list_rest_apis(clients: Clients, log: CallLog, region: str) -> list[dict[str, Any]] | None:
    """The region's REST APIs as get_rest_apis returns them (policy and endpoint types included), None if denied."""
    outcome = log.paginate(clients.get("apigateway", region), "get_rest_apis", "items", region=region,
                           PaginationConfig={"PageSize": PAGE_SIZE})
    return outcome.data if outcome.ok else None


def collect_rest_api(clients: Clients, log: CallLog, region: str, api: dict[str, Any]) -> dict[str, Any]:
    """One REST API with everything the rules judge, its reads made one at a time."""
    return read_rest_api(Reader(Reads(threads=0), clients, log, region), api, lambda _: None)[0].result()


def read_rest_api(reader: Reader, api: dict[str, Any], named: Named) -> tuple[
        Future[dict[str, Any]], Future[list[dict[str, Any]] | None]]:
    """(the API's record, its resources): resources, authorizers and stages read side by side; then what each
    deployment in use serves, and gateway responses for an API that answers CORS. `named` gets the authorizers and
    stages as soon as they are read (the pools, functions and roles they name can be read then). A part that could
    not be read is None."""
    reads, api_id = reader.reads, api["id"]
    subject = f"restapi/{api_id}"
    paged = {"restApiId": api_id, "PaginationConfig": {"PageSize": PAGE_SIZE}}
    resources_read = reader.paginate("apigateway", "get_resources", "items", subject=subject, embed=["methods"],
                                     **paged)
    authorizers_read = reader.paginate("apigateway", "get_authorizers", "items", subject=subject, **paged)
    stages_read = reader.call("apigateway", "get_stages", subject=subject, restApiId=api_id)
    resources = reads.then([resources_read], lambda found: [_resource(item) for item in found.data] if found.ok
                           else None)
    authorizers = reads.then([authorizers_read], lambda found: found.picked(REST_AUTHORIZER))
    stages = reads.then([stages_read], lambda found: [_stage(stage) for stage in (found.data or {}).get("item", [])]
                        if found.ok else None)
    announced = reads.then([authorizers, stages], lambda authorizers, stages: named(
        {"region": reader.region, "id": api_id, "authorizers": authorizers, "stages": stages}))

    def gateway_responses(resource_list: list[dict[str, Any]] | None) -> Future[dict[str, Any]]:
        if not resource_list or (cors_origin(resource_list) is None and not preflight_catchers(resource_list)):
            # Gateway responses are read only for APIs that answer CORS (APIGW017), or whose authorized ANY methods
            # would take preflights if the API answers CORS in them (APIGW011): the others cost no call.
            return resolved({})
        read = reader.paginate("apigateway", "get_gateway_responses", "items", subject=subject, **paged)
        return reads.then([read], lambda found: {"gateway_responses": found.picked(GATEWAY_RESPONSE)})

    def record(responses: dict[str, Any], resource_list: list[dict[str, Any]] | None,
               authorizer_list: list[dict[str, Any]] | None, stage_list: list[dict[str, Any]] | None,
               deployments: dict[str, dict[str, Any]], _: None) -> dict[str, Any]:
        return {
            **responses,
            "region": reader.region,
            "id": api_id,
            "name": api.get("name", api_id),
            "policy": api.get("policy"),
            "endpoint_types": (api.get("endpointConfiguration") or {}).get("types") or [],
            "api_key_source": api.get("apiKeySource"),
            "disable_execute_api_endpoint": api.get("disableExecuteApiEndpoint"),
            "source": stack_source(api.get("tags")),
            "resources": resource_list,
            "authorizers": authorizer_list,
            "stages": stage_list,
            "deployments": deployments,
        }

    responses = reads.chain([resources], gateway_responses)
    deployments = reads.chain([stages], lambda stage_list: _deployments(reader, api_id, stage_list or []))
    return reads.then([responses, resources, authorizers, stages, deployments, announced], record), resources


def _deployments(reader: Reader, api_id: str, stages: list[dict[str, Any]]) -> Future[dict[str, dict[str, Any]]]:
    """What each deployment in use serves: read once per deployment, however many stages share it. A stage's
    canary (canarySettings.deploymentId) is read too: its share of the traffic meets that deployment. Every
    deployment is read side by side; the first stage that names one decides how (a stage's own deployment is
    exported, a canary's is not)."""
    reads = reader.reads
    deployments: dict[str, Future[dict[str, Any]]] = {}
    for stage in stages:
        subject = f"restapi/{api_id}/stage/{stage['stageName']}"
        deployment_id = stage.get("deploymentId")
        if deployment_id and deployment_id not in deployments:
            summary = reader.call("apigateway", "get_deployment", subject=subject, restApiId=api_id,
                                  deploymentId=deployment_id, embed=["apisummary"])
            export = reader.call("apigateway", "get_export", subject=subject, restApiId=api_id,
                                 stageName=stage["stageName"], exportType="oas30",
                                 parameters={"extensions": "authorizers"}, accepts="application/json")
            deployments[deployment_id] = reads.then([summary, export], partial(_deployment, deployment_id))
        canary = (stage.get("canarySettings") or {}).get("deploymentId")
        if canary and canary not in deployments:
            summary = reader.call("apigateway", "get_deployment", subject=f"{subject}/canary", restApiId=api_id,
                                  deploymentId=canary, embed=["apisummary"])
            deployments[canary] = reads.then([summary], partial(_deployment, canary, export=None))
    return reads.then(list(deployments.values()), lambda *read: dict(zip(deployments, read, strict=True)))


def _deployment(deployment_id: str, summary: Outcome, export: Outcome | None) -> dict[str, Any]:
    """A deployment's record: what it serves (its summary) and, for a stage's own deployment, its export."""
    record = {"id": deployment_id, "summary": (summary.data or {}).get("apiSummary") if summary.ok else None,
              "summary_error": None if summary.ok else summary.message}
    if export is None:
        return {**record, "export": None, "export_error": "GetExport exports a stage's main deployment, not its "
                                                          "canary's"}
    body, error = exported(export)
    return {**record, "export": body, "export_error": error}


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

