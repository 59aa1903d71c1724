"""The snapshot of Terraform resources, from a configuration or a plan: through the template readers' mapping (one
mapping for both), with the deployment facts IAC003 judges and each record's {file, address, line}."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..schema.snapshot import SCHEMA
from ..templates import convert
from .cloudfront import cloudfront
from .roles import roles
from .shapes import Shaped, Written, shape
from .triggers import HTTP, REST, DeploymentKind


@dataclass
class TerraformOptions:
    folder: str | None = None
    plan: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    region: str | None = None
    account: str | None = None
    partition: str = "aws"


def assemble(items: list[Written], region: str, account: str, partition: str,
             triggers: Callable[[str, str, DeploymentKind], list[dict[str, Any]]], notes: list[str],
             kind: str) -> dict[str, Any]:
    """The snapshot of Terraform resources (from a configuration or a plan)."""
    shaped = shape(items)
    source = _Sources(shaped)
    rest = convert.rest_apis(shaped.resources, region, source)
    http = convert.http_apis(shaped.resources, region, source)
    pools = convert.user_pools(shaped.resources, region, account, partition, source)
    for api in rest + http:
        reason = shaped.unread_bodies.get(str(api["id"]))
        if reason is not None:
            api["resources" if api in rest else "routes"] = None
            notes.append(f"{source(str(api['id']))['address']}: its OpenAPI body could not be read ({reason}): its "
                         "methods are unknown")
    for api in rest + http:
        address = source(str(api["id"]))["address"]
        found = triggers(str(api["id"]), address, REST if api in rest else HTTP)
        notes += [entry["note"] for entry in found if entry.get("note")]
        api["iac"] = {"tool": "terraform", "missing_dependencies": {}, "undeployed_changes": [],
                      "unchanged_deployments": [], "compared": False,
                      "deployment_triggers": [{key: value for key, value in entry.items() if key != "note"}
                                              for entry in found]}
    snapshot: dict[str, Any] = {
        "schema": SCHEMA, "account": account, "partition": partition, "regions": [region],
        "rest_apis": rest, "http_apis": http, "user_pools": pools,
        "apis_listed": [f"{api['name']} ({source(str(api['id']))['address']})" for api in rest + http],
        "functions": convert.functions(shaped.resources, region, account, partition),
        "roles": roles(items), "cloudfront": cloudfront(items),
        "pool_listings": {region: {"complete": False, "reason": "the pool is not created by the configuration: give "
                                                                "--resolve to read it from the account"}},
        "pool_lookups": {}, "errors": [], "calls": {}, "usage": {}, "domains": {}, "traffic": {},
        "source_kind": kind, "notes": notes,
    }
    usage = convert.usage(shaped.resources)
    if usage:
        snapshot["usage"][region] = usage
    domains = convert.domains(shaped.resources, source)
    if domains:
        snapshot["domains"][region] = domains
    return snapshot


class _Sources:
    """Where a record was written: the block of the resource the user wrote (its file, address and line); for a
    method or route of an OpenAPI body, the API's block."""

    def __init__(self, shaped: Shaped) -> None:
        self.written = shaped.written

    def __call__(self, logical: str, method: tuple[str, str] | None = None) -> dict[str, Any]:
        item = self.written.get(logical)
        return item.source() if item is not None else {"address": logical}
