"""What only a template shows about deployments: which methods a deployment waits for (IAC001), and whether a
change made since the deployed template reaches a stage at all (IAC002, with --previous)."""

from __future__ import annotations

import json
from typing import Any

from .convert import Resources, _ref_id


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
    facts: dict[str, Any] = {"tool": tool, "missing_dependencies": missing, "undeployed_changes": [],
                             "unchanged_deployments": [], "compared": previous is not None}
    # The deployments SAM generates (for AWS::Serverless::Api) and CDK's RestApi construct name themselves after a
    # hash of the API's definition: a change makes a new one. Only deployments the user wrote can stay behind.
    if previous is None or tool == "cdk":
        return facts
    facts["undeployed_changes"] = _changes(api, resources, previous)
    before = {name: props for name, props in previous.of("AWS::ApiGateway::Deployment").items()
              if _ref_id(props.get("RestApiId")) == api}
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


def _changes(api: str, now: Resources, before: Resources) -> list[str]:
    """Methods, authorizers and the API's policy or body that differ from the deployed template, in words."""
    changes = []
    for kind, word in (("AWS::ApiGateway::Method", "method"), ("AWS::ApiGateway::Authorizer", "authorizer")):
        current = {name: props for name, props in now.of(kind).items() if _ref_id(props.get("RestApiId")) == api}
        earlier = {name: props for name, props in before.of(kind).items() if _ref_id(props.get("RestApiId")) == api}
        for name in sorted(set(current) | set(earlier)):
            if name not in earlier:
                changes.append(f"{word} {name} added")
            elif name not in current:
                changes.append(f"{word} {name} removed")
            elif not _same(current[name], earlier[name]):
                changes.append(f"{word} {name} changed")
    api_now, api_before = now.of("AWS::ApiGateway::RestApi").get(api), before.of("AWS::ApiGateway::RestApi").get(api)
    if api_now is not None and api_before is not None:
        for part in ("Policy", "Body"):
            if not _same(api_now.get(part), api_before.get(part)):
                changes.append(f"the API's {part} changed")
    return changes
