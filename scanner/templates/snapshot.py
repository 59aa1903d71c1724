"""`scan --template`: templates read into one snapshot of the shape a live scan collects, each record with where
it was written (file, logical ID of the resource the user wrote, line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..arns import unresolved_reason
from ..collect.referenced import authorizer_functions, authorizer_roles, trigger_functions
from ..errors import UsageError
from ..schema.snapshot import SCHEMA
from . import convert
from .iac import deployment_facts, http_deployment_facts
from .load import TemplateFile, as_map, include_local_files, load_templates, plain, resource_lines
from .nested import Linked, NestedResolver, nested_stacks
from .placeholders import PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION
from .resolve import Resolver
from .sam import expand_sam, is_sam

OUTSIDE = "is not created by the template: give --resolve to read it from the account"


@dataclass
class TemplateOptions:
    parameters: dict[str, str] = field(default_factory=dict)
    region: str | None = None
    account: str | None = None
    partition: str = "aws"
    previous: str | None = None
    exports: dict[str, str] | None = None  # --resolve: the account's CloudFormation exports


def template_snapshot(paths: list[str], options: TemplateOptions) -> dict[str, Any]:
    """One snapshot of every template behind `paths` (judged like an account's)."""
    region = options.region or PLACEHOLDER_REGION
    account = options.account or PLACEHOLDER_ACCOUNT
    notes: list[str] = []
    previous = _previous_resources(options, region, account, notes) if options.previous else None
    snapshot: dict[str, Any] = {
        "schema": SCHEMA, "account": account, "partition": options.partition, "regions": [region],
        "rest_apis": [], "http_apis": [], "apis_listed": [], "user_pools": [], "functions": {}, "roles": {},
        "pool_listings": {region: {"complete": False, "reason": "the pool is not created by the template: give "
                                                              "--resolve to read it from the account"}},
        "pool_lookups": {}, "errors": [], "calls": {}, "usage": {}, "domains": {}, "traffic": {},
        "cloudfront": {"distributions": [], "skipped": "templates: CloudFront distributions are not judged"},
        "source_kind": "template", "notes": notes,
    }
    templates = load_templates(paths)
    linked = Linked(templates, lambda child: _expanded(child, options, region, []).body)
    for template in templates:
        notes += template.notes
        _add(snapshot, _expanded(template, options, region, notes), options, (region, account), previous, linked,
             notes)
    if options.exports is None:  # without --resolve, what the templates name but do not create stays unread
        _outside(snapshot)
    if not options.region:
        notes.append(f"no --region: the templates' AWS::Region is {region}, a placeholder")
    return snapshot


@dataclass
class _Expanded:
    """A template as CloudFormation reads it: local includes in place and, for SAM, expanded."""

    template: TemplateFile
    original: dict[str, Any]
    body: dict[str, Any]
    sam: bool
    unread_definitions: dict[str, str]


def _expanded(template: TemplateFile, options: TemplateOptions, region: str, notes: list[str]) -> _Expanded:
    original = include_local_files(plain(template.body), Path(template.path).parent)
    sam = is_sam(original)
    unread: dict[str, str] = {}
    body = expand_sam(original, options.parameters, region, options.partition, template.path, notes, unread) \
        if sam else original
    if not sam and any(isinstance(resource, dict) and str(resource.get("Type")).startswith("AWS::Serverless::")
                       for resource in (original.get("Resources") or {}).values()):
        notes.append(f"{template.path}: AWS::Serverless::* resources but no `Transform: AWS::Serverless-2016-10-31`: "
                     "CloudFormation refuses them unless the SAM transform expands them, so they are not judged (add "
                     "the Transform line)")
    return _Expanded(template, original, body, sam, unread)


def _add(snapshot: dict[str, Any], read: _Expanded, options: TemplateOptions, place: tuple[str, str],
         previous: convert.Resources | None, linked: Linked, notes: list[str]) -> None:
    template, original, body, sam = read.template, read.original, read.body, read.sam
    region, account = place
    tool = "sam" if sam else "cdk" if template.constructs or _is_cdk(original) else \
        "serverless" if "ServerlessDeploymentBucket" in (original.get("Resources") or {}) else "cloudformation"
    resolver = NestedResolver(body, options.parameters, (region, account, options.partition), template, linked,
                              exports=options.exports)
    resources = convert.resolved_resources(body, resolver)
    resources.written, resources.sam = set(original.get("Resources") or {}), sam
    source = _Sources(template.path, original, resource_lines(template.body), sam, template.constructs or {})
    rest = convert.rest_apis(resources, region, source)
    http = convert.http_apis(resources, region, source)
    for api in rest + http:
        if api["id"] in read.unread_definitions:
            api.update({"resources" if api in rest else "routes": None, "unread": read.unread_definitions[api["id"]]})
    pools = convert.user_pools(resources, region, account, options.partition, source)
    _refuse_shared_ids(snapshot, template.path, rest + http, pools)
    for api in rest:
        api["iac"] = deployment_facts(api["id"], resources, previous, tool, resources.written)
        api["iac"]["sources"] = {name: source(name) for name in api["iac"]["missing_dependencies"]}
    for api in http:
        api["iac"] = http_deployment_facts(api["id"], resources, previous, tool, resources.written)
    snapshot["rest_apis"] += rest
    snapshot["http_apis"] += http
    snapshot["user_pools"] += pools
    snapshot["functions"].update(convert.functions(resources, region, account, options.partition))
    snapshot["roles"].update(convert.roles(resources, account, options.partition))
    usage = convert.usage(resources)
    if usage:
        part = snapshot["usage"].setdefault(region, {"plans": [], "api_keys": []})
        part["plans"] += usage["plans"]
        part["api_keys"] += usage["api_keys"]
    domains = convert.domains(resources, source)
    if domains:
        part = snapshot["domains"].setdefault(region, {"names": [], "complete": False, "apis": None})
        part["names"] += domains["names"]
    snapshot["apis_listed"] += [f"{api['name']} ({api['id']}, {template.path})" for api in rest] + [
        f"{api['name']} ({api['id']}, {template.path}, HTTP)" for api in http]
    for logical, properties in sorted(nested_stacks(body).items()):
        notes.append(linked.advice(template, logical, resolver.resolve(properties.get("TemplateURL"))))
    if not rest and not http and not any(isinstance(resource, dict) and str(resource.get("Type")).startswith(
            ("AWS::ApiGateway", "AWS::Serverless::Api", "AWS::Serverless::HttpApi"))
            for resource in (original.get("Resources") or {}).values()):
        notes.append(f"{template.path}: no API Gateway API in it")


def _outside(snapshot: dict[str, Any]) -> None:
    """The functions and roles the templates name (authorizers, pool triggers) but do not create: unknown, and
    --resolve reads them."""
    for arn in sorted(trigger_functions(snapshot) | authorizer_functions(snapshot)):
        if arn not in snapshot["functions"] and not unresolved_reason(arn):
            snapshot["functions"][arn] = {"arn": arn, "status": "outside", "message": OUTSIDE}
    for role in sorted(authorizer_roles(snapshot)):
        if role not in snapshot["roles"] and not unresolved_reason(role):
            snapshot["roles"][role] = {"arn": role, "status": "outside", "message": OUTSIDE}


def _refuse_shared_ids(snapshot: dict[str, Any], path: str, apis: list[dict[str, Any]],
                       pools: list[dict[str, Any]]) -> None:
    """Before deployment an API or pool is known by its logical ID: two templates that use the same one for an API
    or a pool cannot be told apart in one report (their methods and findings would mix)."""
    taken = {str(api["id"]): str((api.get("source") or {}).get("file"))
             for api in snapshot["rest_apis"] + snapshot["http_apis"]}
    taken.update({str(pool["id"]): str((pool.get("source") or {}).get("file")) for pool in snapshot["user_pools"]})
    shared = sorted({str(record["id"]) for record in apis + pools} & set(taken))
    if shared:
        raise UsageError(f"--template {path}: the API or user pool {shared[0]} is also defined in "
                         f"{taken[shared[0]]}; before deployment they are known by their logical IDs, so judge these "
                         "templates in separate runs")


def _is_cdk(body: dict[str, Any]) -> bool:
    return any(isinstance(resource, dict) and "aws:cdk:path" in (resource.get("Metadata") or {})
               for resource in (body.get("Resources") or {}).values())


def _previous_resources(options: TemplateOptions, region: str, account: str,
                        notes: list[str]) -> convert.Resources | None:
    """The template now deployed (--previous), resolved alike: what IAC002 compares with."""
    templates = load_templates([str(options.previous)])
    if not templates:
        return None
    body = plain(templates[0].body)
    if is_sam(body):
        notes.append(f"--previous {options.previous}: a SAM template (SAM names each deployment after its content, "
                     "so a change always redeploys)")
        body = expand_sam(body, options.parameters, region, options.partition, str(options.previous), notes)
    resolver = Resolver(body, options.parameters, region, account, options.partition, exports=options.exports)
    return convert.resolved_resources(body, resolver)


class _Sources:
    """Where a record was written: for SAM, the resource the user wrote (the function whose Events declare a
    method, the AWS::Serverless::Api), never a generated logical ID; for CDK, also the construct's path."""

    def __init__(self, path: str, original: dict[str, Any], lines: dict[str, int], sam: bool,
                 constructs: dict[str, str]) -> None:
        self.path, self.lines, self.sam, self.constructs = path, lines, sam, constructs
        self.original: dict[str, Any] = original.get("Resources") or {}
        self.events: dict[tuple[str, str, str], str] = {}
        self.first_function: dict[str, str] = {}
        for logical, resource in self.original.items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Function":
                continue
            for event in ((resource.get("Properties") or {}).get("Events") or {}).values():
                if not isinstance(event, dict) or event.get("Type") not in ("Api", "HttpApi"):
                    continue
                props = event.get("Properties") or {}
                api_ref = props.get("RestApiId") or props.get("ApiId")
                named = api_ref.get("Ref") if isinstance(api_ref, dict) else api_ref
                api = str(named) if named else ("ServerlessRestApi" if event["Type"] == "Api" else "ServerlessHttpApi")
                route_path, verb = props.get("Path"), str(props.get("Method") or "ANY").upper()
                key = (api, str(route_path), verb) if route_path else (api, "$default", "ANY")
                self.events.setdefault(key, logical)
                self.first_function.setdefault(api, logical)

    def __call__(self, logical: str, method: tuple[str, str] | None = None) -> dict[str, Any]:
        written = logical
        if self.sam:
            if method is not None and (logical, *method) in self.events:
                written = self.events[(logical, *method)]
            elif logical not in self.original:
                written = self.first_function.get(logical) or max(
                    (name for name in self.original if logical.startswith(name)), key=len, default=logical)
        record: dict[str, Any] = {"file": self.path, "logical_id": written, "line": self.lines.get(written)}
        kind = as_map(self.original.get(written)).get("Type")
        if isinstance(kind, str):
            record["type"] = kind  # what the user wrote there (AWS::Serverless::Api: the fix is a SAM property)
        construct = self.constructs.get(written) or (((self.original.get(written) or {}).get("Metadata") or {}).get(
            "aws:cdk:path") if isinstance(self.original.get(written), dict) else None)
        if construct:
            record["construct"] = construct
        return record
