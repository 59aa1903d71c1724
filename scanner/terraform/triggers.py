"""IAC003: does a Terraform deployment (aws_api_gateway_deployment; aws_apigatewayv2_deployment for an HTTP API
stage that does not deploy automatically) change when its API does? Read from the expressions of its
replacement-forcing arguments (`triggers`, and for a REST API `variables`, `stage_description`) themselves: which of
the API's resources they reference, whole or only by `.id`, and whether they hash files or change on every apply.

The provider's documentation (aws_api_gateway_deployment, "Terraform Resources" triggers example) warns that
hashing resource IDs "will not detect changes to all REST API resources": an in-place change such as a method's
`authorization_scopes` keeps every ID, so the deployment is not replaced and the stage serves the old API. An
aws_apigatewayv2_deployment has the same `triggers` (its only replacement-forcing argument besides api_id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .attributes import physical_id
from .config import Configuration, Instance, Module, each_instance
from .evaluate import flatten
from .values import Lazy, Unknown


@dataclass(frozen=True)
class DeploymentKind:
    """What differs between a REST API's deployments and an HTTP API's in Terraform."""

    deployment: str  # the deployment resource type
    stage: str  # the stage resource type
    api_argument: str  # the argument naming the API on the deployment and on what it snapshots
    forcing: tuple[str, ...]  # the deployment's arguments whose change replaces it
    change_types: tuple[str, ...]  # what a deployment snapshots: changed in place, only a new deployment carries it
    content: str  # the API's parts, in words


REST = DeploymentKind(
    "aws_api_gateway_deployment", "aws_api_gateway_stage", "rest_api_id",
    ("triggers", "variables", "stage_description"),
    ("aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_authorizer", "aws_api_gateway_resource",
     "aws_api_gateway_method_response", "aws_api_gateway_integration_response", "aws_api_gateway_rest_api_policy",
     "aws_api_gateway_gateway_response", "aws_api_gateway_model", "aws_api_gateway_request_validator"),
    "methods, integrations, authorizers and policy")
HTTP = DeploymentKind(
    "aws_apigatewayv2_deployment", "aws_apigatewayv2_stage", "api_id", ("triggers",),
    ("aws_apigatewayv2_route", "aws_apigatewayv2_integration", "aws_apigatewayv2_authorizer",
     "aws_apigatewayv2_route_response", "aws_apigatewayv2_integration_response", "aws_apigatewayv2_model"),
    "routes, integrations and authorizers")
ALWAYS = ("timestamp", "plantimestamp", "uuid")
FILE_HASHES = ("file", "filesha1", "filesha256", "filesha512", "filemd5", "filebase64sha256", "filebase64sha512",
               "filebase64", "fileset", "templatefile")
# Attributes of the REST API that carry its methods (an OpenAPI body) or its policy.
API_CONTENT = ("body", "policy")
MAX_FOLLOW = 64


@dataclass
class Found:
    """What the replacement-forcing expressions read: resources (with the attributes read; () for the whole
    resource) and the functions they call."""

    used: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)  # instance address -> attribute paths
    functions: set[str] = field(default_factory=set)
    followed: int = 0
    each_value: Any = None  # the deployment's each.value, resources in it still known by address
    undecided: list[str] = field(default_factory=list)  # what they read that the configuration does not decide


def deployment_triggers(configuration: Configuration, api_id: str, api_address: str, instances: list[Instance],
                        kind: DeploymentKind) -> list[dict[str, Any]]:
    """For each deployment of the API that a stage serves: how its replacement is tied to the API's changes."""
    deployments = [instance for instance in instances if instance.type == kind.deployment
                   and instance.argument(kind.api_argument) == api_id]
    # deployment -> None when a stage serves it for sure; else why each stage serving it may deploy by itself
    served: dict[str, str | None] = {}
    for stage in instances:
        found_id, automatic = stage.argument("deployment_id"), stage.argument("auto_deploy")
        if stage.type == kind.stage and isinstance(found_id, str) and automatic is not True:
            reason = f"auto_deploy of {stage.address} is not known ({automatic.reason})" \
                if isinstance(automatic, Unknown) else None
            if found_id not in served or reason is None:  # one stage that serves it for sure decides
                served[found_id] = reason
    content = [i for i in instances if i.type in kind.change_types and i.argument(kind.api_argument) == api_id]
    found = []
    for deployment in deployments:
        own = physical_id(configuration, deployment)
        if own not in served and not deployment.argument("stage_name"):
            continue  # a deployment no stage serves: nothing stays behind
        reads = Found(each_value=deployment.each_value)
        for name in kind.forcing:
            attribute = deployment.block.attributes.get(name)
            if attribute is not None:
                _walk(attribute.expression, deployment.module, reads, {})
        judged = _judge(deployment, api_address, content, reads, kind)
        if judged["problem"] and served.get(own):  # the stage may deploy by itself: then nothing stays behind
            judged = {**judged, "problem": None, "unknown_reason": f"{served[own]}: {judged['problem']} unless it "
                                                                   "deploys automatically"}
        found.append({**judged, "deployment": deployment.address, "source": _source(deployment)})
    return found


def _source(instance: Instance) -> dict[str, Any]:
    return {"file": instance.block.file, "address": instance.address, "line": instance.block.line}


def _judge(deployment: Instance, api_address: str, content: list[Instance], reads: Found,
           kind: DeploymentKind) -> dict[str, Any]:
    name = deployment.address
    quiet: dict[str, Any] = {"problem": None, "unknown_reason": None, "note": None}
    always = sorted(reads.functions & set(ALWAYS))
    if always:
        return {**quiet, "coverage": "always",
                "note": f"{name}: its replacement-forcing arguments use {always[0]}(): it is replaced on every apply, "
                        "so every apply redeploys the API (its stages get a new deployment each time)"}
    if reads.functions & set(FILE_HASHES):
        return {**quiet, "coverage": "files"}
    api_paths = reads.used.get(api_address, set())
    body_read = any(path == () or path[:1] in [(part,) for part in API_CONTENT] for path in api_paths)
    whole: list[str] = []
    by_id: list[str] = []
    absent: list[str] = []
    for instance in sorted(content, key=lambda item: (kind.change_types.index(item.type), item.address)):
        paths = reads.used.get(instance.address)
        (absent if not paths else whole if () in paths else by_id).append(instance.address)
    if (whole or body_read) and not by_id and not absent:
        return {**quiet, "coverage": "whole"}
    if reads.undecided:
        return {**quiet, "coverage": "undecided",
                "unknown_reason": f"the replacement-forcing arguments of {name} read {reads.undecided[0]}, which the "
                                  "configuration does not decide: whether they change with the API is not known "
                                  "(give the plan, --terraform-plan, to decide it from Terraform's actions)"}
    if not whole and not by_id and not body_read:
        others = " or ".join(kind.forcing[1:])
        problem = (f"{name} has no triggers{f', and no {others} that change with the API' if others else ''}: "
                   f"terraform apply changes its {kind.content} in place, the deployment is never replaced, and the "
                   "stage keeps serving what the first apply deployed")
        if deployment.block.attributes.get("triggers") is not None:
            problem = (f"the triggers of {name} reference none of the API's {kind.content}: a change to them does "
                       "not replace the deployment, and the stage keeps serving the old configuration")
        return {**quiet, "coverage": "none", "problem": problem}
    parts = []
    if by_id:
        parts.append(f"hash only the IDs (or some attributes) of {_listed(by_id)}")
    if absent:
        parts.append(f"leave out {_listed(absent)}")
    example = ("a method's authorization or authorization_scopes, an authorizer's provider_arns, an integration's "
               "uri") if kind is REST else ("a route's authorization_type or authorization_scopes, an authorizer's "
                                            "jwt_configuration, an integration's integration_uri")
    problem = (f"the triggers of {name} {' and '.join(parts)}: a change made in place there ({example}) changes "
               "nothing they hash, so the deployment is not replaced and the stage keeps serving the old "
               "configuration, as the provider's documentation warns")
    return {**quiet, "coverage": "ids", "problem": problem}


def _listed(addresses: list[str], most: int = 4) -> str:
    shown = ", ".join(addresses[:most])
    return shown + (f" and {len(addresses) - most} more" if len(addresses) > most else "")


def _walk(node: Any, module: Module, reads: Found, iterators: dict[str, list[str]]) -> None:
    """Every reference in an expression, following locals, module inputs and module outputs to what they read."""
    if node is None or reads.followed > 10_000:
        return
    kind = type(node).__name__
    if kind in ("GetAttrExprTermRule", "IndexExprTermRule", "AttrSplatExprTermRule", "FullSplatExprTermRule",
                "IdentifierRule"):
        _traversal(node, module, reads, iterators)
        return
    if kind == "FunctionCallRule":
        reads.functions.add("::".join(str(part.serialize()) for part in node.identifiers))
    if kind in ("ForTupleExprRule", "ForObjectExprRule"):
        intro = node.for_intro
        iterated = _iterated(intro.iterable, module, reads, iterators)
        names = [str(intro.first_iterator.serialize())]
        if intro.second_iterator is not None:
            names.append(str(intro.second_iterator.serialize()))
        inner = {**iterators, names[-1]: iterated}
        for child in (getattr(node, "key_expr", None) if kind == "ForObjectExprRule" else None, node.value_expr,
                      node.condition.condition_expr if node.condition is not None else None):
            _walk(child, module, reads, inner)
        return
    if kind == "HeredocTemplateRule" or kind == "HeredocTrimTemplateRule":
        return
    for child in getattr(node, "children", None) or []:
        if child is not None and not isinstance(child, (str, int, float)) and hasattr(child, "children"):
            _walk(child, module, reads, iterators)


def _iterated(node: Any, module: Module, reads: Found, iterators: dict[str, list[str]]) -> list[str]:
    """The resource instances a `for` iterates over (a resource, or values()/tolist() of one); their attributes
    are then read through the iterator. Anything else is walked as usual."""
    target = node
    while type(target).__name__ == "ExprTermRule":
        target = target.expression
    if type(target).__name__ == "FunctionCallRule" and target.arguments is not None and \
            "::".join(str(p.serialize()) for p in target.identifiers) in ("values", "tolist", "toset", "flatten") \
            and len(target.arguments.arguments) == 1:
        target = target.arguments.arguments[0]
    root, steps = flatten(target)
    if type(root).__name__ == "IdentifierRule" and steps and steps[0][0] == "attr":
        instances = _instances(module, str(root.serialize()), steps[0][1])
        if instances is not None and all(kind != "attr" for kind, _ in steps[1:]):
            return [instance.address for instance in instances]
    _walk(node, module, reads, iterators)
    return []


def _traversal(node: Any, module: Module, reads: Found, iterators: dict[str, list[str]]) -> None:
    root, steps = flatten(node)
    for kind, step in steps:
        if kind == "index" and not isinstance(step, int):
            _walk(step, module, reads, iterators)
    if type(root).__name__ != "IdentifierRule":
        _walk(root, module, reads, iterators)
        return
    name = str(root.serialize())
    attributes = tuple(step for kind, step in steps if kind == "attr")
    if name in iterators:
        for address in iterators[name]:
            reads.used.setdefault(address, set()).add(attributes)
        return
    configuration = module.configuration
    reads.followed += 1
    if reads.followed > MAX_FOLLOW * 100:
        return
    if name == "each" and attributes[:1] == ("value",):
        _each_value(reads, attributes[1:])
        return
    if name in ("each", "count", "path", "terraform", "self"):
        return
    if name == "data":
        reads.undecided.append(f"data.{'.'.join(attributes[:2])}")
        return
    if name == "var" and attributes and module.caller is None:
        reads.undecided.append(f"var.{attributes[0]} (a value given at plan time)")
        return
    if name == "local" and attributes:
        attribute = module.locals.get(attributes[0])
        if attribute is not None and _enter(reads, f"{module.prefix}local.{attributes[0]}"):
            _walk(attribute.expression, module, reads, iterators)
        return
    if name == "var" and attributes and module.caller is not None and module.call is not None:
        argument = module.call.attributes.get(attributes[0])
        if argument is not None and _enter(reads, f"{module.prefix}var.{attributes[0]}"):
            _walk(argument.expression, module.caller, reads, {})
        return
    if name == "module" and len(attributes) >= 2:
        child = configuration.child(module, attributes[0])
        for called in _modules(child):
            output = called.outputs.get(attributes[1])
            if output is not None and "value" in output.attributes and \
                    _enter(reads, f"{called.prefix}output.{attributes[1]}"):
                _walk(output.attributes["value"].expression, called, reads, {})
        return
    if not attributes:
        return
    instances = _instances(module, name, attributes[0])
    for instance in instances or []:
        reads.used.setdefault(instance.address, set()).add(attributes[1:])


def _each_value(reads: Found, attributes: tuple[str, ...]) -> None:
    """each.value.a.b of the deployment: the resource its for_each map holds there, read with the rest of the path;
    what cannot be followed is undecided."""
    value = reads.each_value
    for position, name in enumerate(attributes):
        if isinstance(value, Lazy):
            reads.used.setdefault(value.label, set()).add(attributes[position:])
            return
        if not isinstance(value, dict) or name not in value:
            break
        value = value[name]
    else:
        if isinstance(value, Lazy):
            reads.used.setdefault(value.label, set()).add(())
            return
        if isinstance(value, (str, int, float, bool)) or value is None:
            return
    reads.undecided.append("each.value." + ".".join(attributes))


def _enter(reads: Found, key: str) -> bool:
    marker = f"followed:{key}"
    if marker in reads.functions:
        return False
    reads.functions.add(marker)
    return True


def _instances(module: Module, kind: str, name: str) -> list[Instance] | None:
    if (kind, name) not in module.resources:
        return None
    return each_instance(module.configuration.expand(module, kind, name, False))


def _modules(child: Any) -> list[Module]:
    if isinstance(child, Module):
        return [child]
    if isinstance(child, list):
        return [item for item in child if isinstance(item, Module)]
    if isinstance(child, dict):
        return [item for item in child.values() if isinstance(item, Module)]
    return []
