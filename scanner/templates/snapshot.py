"""`scan --template`: templates read into one snapshot of the shape a live scan collects, each record with where
it was written (file, logical ID of the resource the user wrote, line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..schema.snapshot import SCHEMA
from . import convert
from .iac import deployment_facts
from .load import TemplateFile, include_local_files, load_templates, plain, resource_lines
from .resolve import Resolver
from .sam import expand_sam, is_sam

# With neither --region nor --account, pseudo parameters get placeholders shaped like real ones.
PLACEHOLDER_REGION = "xx-template-1"
PLACEHOLDER_ACCOUNT = "000000000000"


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
    for template in load_templates(paths):
        _add(snapshot, template, options, region, account, previous, notes)
    if not options.region:
        notes.append(f"no --region: the templates' AWS::Region is {region}, a placeholder")
    return snapshot


def _add(snapshot: dict[str, Any], template: TemplateFile, options: TemplateOptions, region: str, account: str,
         previous: convert.Resources | None, notes: list[str]) -> None:
    original = include_local_files(plain(template.body), Path(template.path).parent)
    lines = resource_lines(template.body)
    sam = is_sam(original)
    body = expand_sam(original, options.parameters, region, options.partition, template.path, notes) if sam \
        else original
    tool = "sam" if sam else "cdk" if template.constructs or _is_cdk(original) else \
        "serverless" if "ServerlessDeploymentBucket" in (original.get("Resources") or {}) else "cloudformation"
    resolver = Resolver(body, options.parameters, region, account, options.partition,
                        template.stack, exports=options.exports)
    resources = convert.resolved_resources(body, resolver)
    source = _Sources(template.path, original, lines, sam, template.constructs or {})
    rest = convert.rest_apis(resources, region, source)
    http = convert.http_apis(resources, region, source)
    pools = convert.user_pools(resources, region, account, options.partition, source)
    _refuse_shared_ids(snapshot, template.path, rest + http, pools)
    for api in rest:
        api["iac"] = deployment_facts(api["id"], resources, previous, tool, set(original.get("Resources") or {}))
    snapshot["rest_apis"] += rest
    snapshot["http_apis"] += http
    snapshot["user_pools"] += pools
    snapshot["functions"].update(convert.functions(resources, region, account, options.partition))
    usage = convert.usage(resources)
    if usage:
        part = snapshot["usage"].setdefault(region, {"plans": [], "api_keys": []})
        part["plans"] += usage["plans"]
        part["api_keys"] += usage["api_keys"]
    domains = convert.domains(resources)
    if domains:
        part = snapshot["domains"].setdefault(region, {"names": [], "complete": False, "apis": None})
        part["names"] += domains["names"]
    snapshot["apis_listed"] += [f"{api['name']} ({api['id']}, {template.path})" for api in rest] + [
        f"{api['name']} ({api['id']}, {template.path}, HTTP)" for api in http]
    nested = sorted(name for name, resource in (original.get("Resources") or {}).items()
                    if isinstance(resource, dict) and resource.get("Type") == "AWS::CloudFormation::Stack")
    if nested:
        notes.append(f"{template.path}: nested stack(s) {', '.join(nested)} (AWS::CloudFormation::Stack) are other "
                     "templates: give each with --template to judge its APIs")


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
        construct = self.constructs.get(written) or (((self.original.get(written) or {}).get("Metadata") or {}).get(
            "aws:cdk:path") if isinstance(self.original.get(written), dict) else None)
        if construct:
            record["construct"] = construct
        return record
