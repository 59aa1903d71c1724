"""What only a template shows about deployments: which methods a deployment waits for (IAC001), and whether a
change made since the deployed template reaches a stage at all (IAC002, with --previous; for an HTTP API, the
deployments its stages serve with AutoDeploy off)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from .convert import Resources, _flag, _ref_id


class ApiKind(NamedTuple):
    """What a deployment of one kind of API snapshots, as a template writes it."""

    api_type: str
    reference: str  # the property naming the API
    deployment_type: str
    parts: tuple[tuple[str, str], ...]  # (type, word) of what a deployment snapshots
    own: tuple[str, ...]  # the API's properties that carry its definition


REST = ApiKind("AWS::ApiGateway::RestApi", "RestApiId", "AWS::ApiGateway::Deployment",
               (("AWS::ApiGateway::Method", "method"), ("AWS::ApiGateway::Authorizer", "authorizer")),
               ("Policy", "Body"))
HTTP = ApiKind("AWS::ApiGatewayV2::Api", "ApiId", "AWS::ApiGatewayV2::Deployment",
               (("AWS::ApiGatewayV2::Route", "route"), ("AWS::ApiGatewayV2::Integration", "integration"),
                ("AWS::ApiGatewayV2::Authorizer", "authorizer")),
               ("Body",))


def deployment_facts(api: str, resources: Resources, previous: Resources | None, tool: str,
                     written: set[str]) -> dict[str, Any]:
    """{tool, missing_dependencies: {deployment: [methods it does not wait for]}, undeployed_changes: [what
    changed], unchanged_deployments: [deployments that keep their logical ID and properties], compared}."""
    methods = sorted(name for name, props in resources.of("AWS::ApiGateway::Method").items()
                     if _ref_id(props.get("RestApiId")) == api)
    deployments = {name: props for name, props in resources.of("AWS::ApiGateway::Deployment").items()
                   if _ref_id(props.get("RestApiId")) == api}
    missing = {}
    for name in sorted(deployments):
        waited = _closure(name, resources.depends_on)
        absent = [method for method in methods if method not in waited]
        if absent:
            missing[name] = absent
    return _compared(api, resources, previous, tool, written, deployments, missing, REST)


def http_deployment_facts(api: str, resources: Resources, previous: Resources | None, tool: str,
                          written: set[str]) -> dict[str, Any]:
    """The same for an HTTP API: with --previous, the changes to its routes, integrations and authorizers that no new
    AWS::ApiGatewayV2::Deployment carries to a stage that does not deploy automatically."""
    served = {_ref_id(props.get("DeploymentId")) for props in resources.of("AWS::ApiGatewayV2::Stage").values()
              if _ref_id(props.get("ApiId")) == api and not _flag(props.get("AutoDeploy"))}
    deployments = {name: props for name, props in resources.of("AWS::ApiGatewayV2::Deployment").items()
                   if _ref_id(props.get("ApiId")) == api and name in served}
    return _compared(api, resources, previous, tool, written, deployments, {}, HTTP)


def _compared(api: str, resources: Resources, previous: Resources | None, tool: str, written: set[str],
              deployments: dict[str, Any], missing: dict[str, list[str]], kind: ApiKind) -> dict[str, Any]:
    """The facts, with --previous what changed since the deployed template and which deployments (the user wrote)
    keep their logical ID and properties."""
    facts: dict[str, Any] = {"tool": tool, "missing_dependencies": missing, "undeployed_changes": [],
                             "unchanged_deployments": [], "compared": previous is not None}
    # The deployments SAM generates (for AWS::Serverless::Api) and CDK's RestApi construct name themselves after a
    # hash of the API's definition: a change makes a new one. Only deployments the user wrote can stay behind.
    if previous is None or tool == "cdk":
        return facts
    facts["undeployed_changes"] = _changes(api, resources, previous, kind)
    before = {name: props for name, props in previous.of(kind.deployment_type).items()
              if _ref_id(props.get(kind.reference)) == api}
    facts["unchanged_deployments"] = sorted(name for name, props in deployments.items()
                                            if name in written and name in before and _same(before[name], props))
    return facts


def _closure(start: str, depends_on: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    pending = list(depends_on.get(start, []))
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending += depends_on.get(name, [])
    return seen


def _same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True, default=str) == json.dumps(right, sort_keys=True, default=str)


def _changes(api: str, now: Resources, before: Resources, kind: ApiKind) -> list[str]:
    """What a deployment snapshots (a REST API's methods and authorizers, an HTTP API's routes, integrations and
    authorizers) and the API's policy or body that differ from the deployed template, in words."""
    changes = []
    for part_type, word in kind.parts:
        current = {name: props for name, props in now.of(part_type).items()
                   if _ref_id(props.get(kind.reference)) == api}
        earlier = {name: props for name, props in before.of(part_type).items()
                   if _ref_id(props.get(kind.reference)) == api}
        for name in sorted(set(current) | set(earlier)):
            if name not in earlier:
                changes.append(f"{word} {name} added")
            elif name not in current:
                changes.append(f"{word} {name} removed")
            elif not _same(current[name], earlier[name]):
                changes.append(f"{word} {name} changed")
    api_now, api_before = now.of(kind.api_type).get(api), before.of(kind.api_type).get(api)
    if api_now is not None and api_before is not None:
        for part in kind.own:
            if not _same(api_now.get(part), api_before.get(part)):
                changes.append(f"the API's {part} changed")
    return changes
