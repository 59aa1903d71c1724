"""Which CloudFormation stack and logical ID created each API, method, authorizer, pool and app client."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from .calls import Outcome
from .reader import Reader

STACK_NAME_TAG = "aws:cloudformation:stack-name"
STACK_ID_TAG = "aws:cloudformation:stack-id"
LOGICAL_ID_TAG = "aws:cloudformation:logical-id"

# The resource types whose records carry a source, by the kind of record they become. CloudFormation's physical ID
# is what `Ref` returns (an API, authorizer, route, pool or client ID); a resource with a compound identifier in
# the CloudFormation registry (AWS::ApiGateway::Method: RestApiId, ResourceId, HttpMethod) joins it with "|".
_KINDS = {"AWS::ApiGateway::RestApi": "api", "AWS::ApiGatewayV2::Api": "api",
          "AWS::ApiGateway::Method": "method", "AWS::ApiGatewayV2::Route": "route",
          "AWS::ApiGateway::Authorizer": "authorizer", "AWS::ApiGatewayV2::Authorizer": "authorizer",
          "AWS::Cognito::UserPool": "pool", "AWS::Cognito::UserPoolClient": "client"}


def stack_source(tags: Any) -> dict[str, Any] | None:
    """The stack and logical ID that CloudFormation's own tags name on a resource, or None when it has none."""
    if not isinstance(tags, dict) or not tags.get(STACK_NAME_TAG):
        return None
    source = {"stack": str(tags[STACK_NAME_TAG]), "logical_id": tags.get(LOGICAL_ID_TAG)}
    if tags.get(STACK_ID_TAG):
        source["stack_id"] = str(tags[STACK_ID_TAG])
    return source


def stacks_named(sources: list[dict[str, Any] | None]) -> dict[str, str]:
    """The stacks that tagged records name (their sources, in the region's order: REST APIs, HTTP APIs, pools), each
    with the stack ID to ask for (the first record's)."""
    stacks: dict[str, str] = {}
    for source in sources:
        if source:
            stacks.setdefault(source["stack"], source.get("stack_id") or source["stack"])
    return stacks


def read_stacks(reader: Reader, stacks: dict[str, str]) -> Future[dict[str, Outcome]]:
    """Each stack's resources (one ListStackResources per stack), side by side."""
    reads = [reader.paginate("cloudformation", "list_stack_resources", "StackResourceSummaries",
                             subject=f"stack/{stack}", StackName=stack_id) for stack, stack_id in stacks.items()]
    return reader.reads.then(reads, lambda *listed: dict(zip(stacks, listed, strict=True)))


def attach_stack_sources(region: str, stacks: dict[str, Outcome], rest_apis: list[dict[str, Any]],
                         http_apis: list[dict[str, Any]], user_pools: list[dict[str, Any]]) -> list[str]:
    """Gives the region's methods, routes, authorizers and app clients the stack and logical ID that created them,
    from the stacks their APIs and pools name; returns the notes of the stacks that could not be read (their records
    keep no source of their own)."""
    for record in rest_apis + http_apis + user_pools:
        if record.get("source"):
            record["source"].pop("stack_id", None)
    logical: dict[tuple[str, str], dict[str, Any]] = {}
    notes = []
    for stack, listed in sorted(stacks.items()):
        if not listed.ok:
            notes.append(f"{region}: the resources of stack {stack} could not be read ({listed.message}); its "
                         "methods, authorizers and app clients point at their API or pool")
            continue
        for resource in listed.data:
            kind = _KINDS.get(str(resource.get("ResourceType")))
            if kind and resource.get("PhysicalResourceId") and resource.get("LogicalResourceId"):
                source = {"stack": stack, "logical_id": resource["LogicalResourceId"]}
                logical[(kind, str(resource["PhysicalResourceId"]))] = source
    if logical:
        _attach(logical, rest_apis, http_apis, user_pools)
    return notes


def _attach(logical: dict[tuple[str, str], dict[str, Any]], rest_apis: list[dict[str, Any]],
            http_apis: list[dict[str, Any]], user_pools: list[dict[str, Any]]) -> None:
    def found(kind: str, *identifier: str) -> dict[str, Any] | None:
        # Either the ID alone (what Ref returns) or the whole compound identifier.
        return logical.get((kind, identifier[-1])) or logical.get((kind, "|".join(identifier)))

    for api in rest_apis + http_apis:
        api["source"] = api.get("source") or found("api", str(api["id"]))
        for authorizer in api.get("authorizers") or []:
            authorizer_id = str(authorizer.get("id") or authorizer.get("AuthorizerId"))
            authorizer["source"] = found("authorizer", str(api["id"]), authorizer_id)
        for route in api.get("routes") or []:
            route["source"] = found("route", str(api["id"]), str(route.get("RouteId")))
        for resource in api.get("resources") or []:
            for verb, method in (resource.get("methods") or {}).items():
                method["source"] = logical.get(("method", f"{api['id']}|{resource.get('id')}|{verb}"))
    for user_pool in user_pools:
        user_pool["source"] = user_pool.get("source") or found("pool", str(user_pool["id"]))
        for app_client in user_pool.get("clients") or []:
            app_client["source"] = found("client", str(user_pool["id"]), str(app_client.get("ClientId")))
