"""What AWS computes for a resource (its ID, ARN, invoke ARN, root resource ID…), given the IDs the scanner uses for
the configuration's own resources, and the data sources that need no AWS call (the caller's account and region,
aws_iam_policy_document, CloudFront's managed policies). Anything else is unknown until apply, or --resolve."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from ..arns import dns_suffix
from .cloudfront_managed import MANAGED_CACHE_POLICIES, MANAGED_REQUEST_POLICIES
from .values import Unknown, first_unknown, json_text, materialize, to_text

if TYPE_CHECKING:
    from .config import Configuration, Instance

API_TYPES = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api")
API_ID_LENGTH = 10  # API Gateway's IDs: ten lowercase letters and digits (execute-api hosts are built from them)
RANDOM_TYPES = ("random_string", "random_id", "random_pet", "random_uuid", "random_integer", "random_shuffle")
# Arguments whose documented default a reference may read when the block does not set them.
DEFAULTS: dict[str, dict[str, Any]] = {
    "aws_api_gateway_authorizer": {"type": "TOKEN", "identity_source": "method.request.header.Authorization",
                                   "authorizer_result_ttl_in_seconds": 300},
    "aws_api_gateway_method": {"api_key_required": False},
    "aws_api_gateway_api_key": {"enabled": True},
    "aws_apigatewayv2_route": {"authorization_type": "NONE"},
    "aws_lambda_permission": {"action": "lambda:InvokeFunction"},
}


def physical_id(configuration: Configuration, instance: Instance) -> str:
    """The ID the scanner gives a resource of the configuration, from its address alone (the same in every run,
    whatever else the configuration holds): a pool's `REGION_Name`, an API's ten lowercase characters (execute-api
    hosts are built from them: six of its name and four of a hash of its address), else its address."""
    if instance.type in API_TYPES:
        slug = re.sub(r"[^0-9a-z]", "", _slug(instance).lower())[:6]
        return (slug + hashlib.sha1(instance.address.encode(), usedforsecurity=False).hexdigest())[:API_ID_LENGTH]
    if instance.type == "aws_cognito_user_pool":
        return f"{configuration.settings.region}_{pool_key(configuration, instance)}"
    return instance.address


def pool_key(configuration: Configuration, instance: Instance) -> str:
    """The part of a pool's ID after the region (the key the template readers give pools)."""
    return _slug(instance)


def _slug(instance: Instance) -> str:
    """The resource's name, its module path and its count index or for_each key, as letters and digits."""
    text = "".join(instance.module.path) + instance.name + ("" if instance.key is None else str(instance.key))
    return re.sub(r"[^0-9A-Za-z]", "", text) or "x"


def computed_attribute(configuration: Configuration, instance: Instance, name: str) -> Any:
    """An attribute the block does not set: computed by AWS (as the scanner models it), a documented default,
    null for an argument left out, or unknown until apply."""
    settings = configuration.settings
    region, account, partition = settings.region, settings.account, settings.partition
    kind, own = instance.type, physical_id(configuration, instance)
    if kind in RANDOM_TYPES:
        return _random(configuration, instance, name)
    if name in DEFAULTS.get(kind, {}):
        return DEFAULTS[kind][name]
    suffix = dns_suffix(partition)
    if name == "id":
        if kind == "aws_lambda_function":
            return instance.get("function_name")
        if kind in ("aws_iam_role", "aws_iam_policy"):
            return instance.get("name")
        if kind in ("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name", "aws_cognito_user_pool_domain"):
            return instance.get("domain_name" if kind != "aws_cognito_user_pool_domain" else "domain")
        if kind == "aws_api_gateway_stage":
            return _joined("ags-{0}-{1}", instance.get("rest_api_id"), instance.get("stage_name"))
        if kind == "aws_apigatewayv2_stage":
            return instance.get("name")  # an HTTP API stage's ID is its name (what API mappings name)
        return own
    if kind in API_TYPES:
        rest = kind == "aws_api_gateway_rest_api"
        values = {"root_resource_id" if rest else "api_endpoint":
                  f"{own}-root" if rest else f"https://{own}.execute-api.{region}.{suffix}",
                  "execution_arn": f"arn:{partition}:execute-api:{region}:{account}:{own}",
                  "arn": f"arn:{partition}:apigateway:{region}::/{'restapis' if rest else 'apis'}/{own}"}
        if name in values:
            return values[name]
    elif kind == "aws_api_gateway_resource" and name == "path":
        return _resource_path(configuration, instance, 0)
    elif kind == "aws_api_gateway_authorizer" and name == "arn":
        return _joined("arn:{0}:apigateway:{1}::/restapis/{2}/authorizers/{3}", partition, region,
                       instance.get("rest_api_id"), own)
    elif kind in ("aws_api_gateway_stage", "aws_apigatewayv2_stage", "aws_api_gateway_deployment") and name in (
            "execution_arn", "invoke_url"):
        api = instance.get("api_id" if kind == "aws_apigatewayv2_stage" else "rest_api_id")
        stage = instance.get("name" if kind == "aws_apigatewayv2_stage" else "stage_name")
        if name == "execution_arn":
            return _joined("arn:{0}:execute-api:{1}:{2}:{3}/{4}", partition, region, account, api, stage or "")
        return _joined("https://{0}.execute-api.{1}.{2}/{3}", api, region, suffix, stage or "")
    elif kind == "aws_cognito_user_pool":
        values = {"arn": f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{own}",
                  "endpoint": f"cognito-idp.{region}.{suffix}/{own}"}
        if name in values:
            return values[name]
    elif kind == "aws_cognito_resource_server" and name == "scope_identifiers":
        return _scope_identifiers(instance)
    elif kind == "aws_cognito_user_pool_client" and name == "client_secret":
        return Unknown("the client secret exists only after apply")
    elif kind == "aws_lambda_function":
        arn = _joined("arn:{0}:lambda:{1}:{2}:function:{3}", partition, region, account,
                      instance.get("function_name"))
        values = {"arn": arn, "qualified_arn": _joined("{0}:$LATEST", arn),
                  "invoke_arn": _invoke_arn(partition, region, arn),
                  "qualified_invoke_arn": _invoke_arn(partition, region, _joined("{0}:$LATEST", arn))}
        if name in values:
            return values[name]
    elif kind == "aws_lambda_alias":
        arn = _joined("{0}:{1}", instance.get("function_name"), instance.get("name"))
        if isinstance(arn, str) and not arn.startswith("arn:"):
            arn = _joined("arn:{0}:lambda:{1}:{2}:function:{3}", partition, region, account, arn)
        if name in ("arn", "invoke_arn"):
            return arn if name == "arn" else _invoke_arn(partition, region, arn)
    elif kind in ("aws_iam_role", "aws_iam_policy") and name == "arn":
        path = instance.get("path") if instance.written("path") else "/"
        return _joined("arn:{0}:iam::{1}:{2}{3}{4}", partition, account,
                       "role" if kind == "aws_iam_role" else "policy", path, instance.get("name"))
    if instance.written(name) or name in ("tags", "tags_all", "description"):
        return None
    return Unknown(f"{instance.address}.{name} is known only after apply")


def _joined(template: str, *parts: Any) -> Any:
    for part in parts:
        found = first_unknown(part)
        if found is not None:
            return found
    return template.format(*(to_text(part) if not isinstance(part, str) else part for part in parts))


def _invoke_arn(partition: str, region: str, function_arn: Any) -> Any:
    return _joined("arn:{0}:apigateway:{1}:lambda:path/2015-03-31/functions/{2}/invocations", partition, region,
                   function_arn)


def _resource_path(configuration: Configuration, instance: Instance, depth: int) -> Any:
    if depth > 64:
        return Unknown("resource paths nested too deeply")
    parent, part = instance.get("parent_id"), instance.get("path_part")
    for value in (parent, part):
        if isinstance(value, Unknown):
            return value
    if isinstance(parent, str) and parent.endswith("-root"):
        return "/" + to_text(part)
    above = configuration.by_address.get(str(parent))
    if above is None or above.type != "aws_api_gateway_resource":
        return Unknown(f"{instance.address}.path: its parent is not created by the configuration")
    path = _resource_path(configuration, above, depth + 1)
    return path if isinstance(path, Unknown) else path.rstrip("/") + "/" + to_text(part)


def _scope_identifiers(instance: Instance) -> Any:
    identifier = instance.get("identifier")
    scopes = materialize(instance.get("scope"))
    for value in (identifier, scopes):
        found = first_unknown(value)
        if found is not None:
            return found
    return [f"{to_text(identifier)}/{to_text(scope.get('scope_name'))}" for scope in scopes or []
            if isinstance(scope, dict)]


def _random(configuration: Configuration, instance: Instance, name: str) -> Any:
    """random_* values stand for what Terraform picks at the first apply, fixed after: a placeholder that is the
    same wherever it is referenced (so names built from it still join), never a claim about the value."""
    configuration.note("random_* resources stand for the values Terraform picks at apply: names built from them use "
                       "a placeholder (random plus the resource's name)")
    placeholder = "random" + re.sub(r"[^0-9a-z]", "", (instance.name + str(instance.key or "")).lower())
    if instance.type == "random_integer" and name in ("result", "id"):
        minimum = instance.get("min")
        return minimum if isinstance(minimum, (int, float)) else Unknown(f"{instance.address}.result")
    if instance.type == "random_uuid" and name in ("result", "id"):
        return placeholder
    if instance.type == "random_shuffle" and name == "result":
        return instance.get("input")
    if name in ("result", "id", "hex", "dec", "b64_url", "b64_std", "keepers"):
        return placeholder if name != "keepers" else instance.get("keepers")
    return Unknown(f"{instance.address}.{name} is known only after apply")


# -- data sources --------------------------------------------------------------------------------------------

def data_source(configuration: Configuration, instance: Instance, name: str, evaluator: Any) -> Any:
    """A data source's attribute when no AWS call is needed to know it; None: read it as an argument (or unknown
    after `computed_attribute`)."""
    settings = configuration.settings
    kind = instance.type
    if kind == "aws_caller_identity" and name in ("account_id", "id"):
        return settings.account
    if kind == "aws_region" and name in ("name", "id", "region"):
        given = _argument(instance, "name", evaluator) or _argument(instance, "region", evaluator)
        return given if given is not None else settings.region
    if kind == "aws_partition":
        return {"partition": settings.partition, "id": settings.partition,
                "dns_suffix": dns_suffix(settings.partition)}.get(name)
    if kind == "aws_iam_policy_document" and name in ("json", "minified_json"):
        return policy_document(instance)
    if kind == "aws_lambda_function" and name in ("arn", "invoke_arn", "qualified_arn"):
        function = _argument(instance, "function_name", evaluator)
        if isinstance(function, str):
            arn = function if function.startswith("arn:") else \
                f"arn:{settings.partition}:lambda:{settings.region}:{settings.account}:function:{function}"
            return arn if name != "invoke_arn" else _invoke_arn(settings.partition, settings.region, arn)
    if kind == "aws_cognito_user_pool" and name in ("arn", "id", "endpoint"):
        pool = _argument(instance, "user_pool_id", evaluator)
        if isinstance(pool, str):
            return {"id": pool, "endpoint": f"cognito-idp.{settings.region}.{dns_suffix(settings.partition)}/{pool}",
                    "arn": f"arn:{settings.partition}:cognito-idp:{settings.region}:{settings.account}:userpool/"
                           f"{pool}"}[name]
    if kind == "aws_iam_role" and name == "arn":
        role = _argument(instance, "name", evaluator)
        if isinstance(role, str):
            return f"arn:{settings.partition}:iam::{settings.account}:role/{role}"
    if kind in ("aws_cloudfront_cache_policy", "aws_cloudfront_origin_request_policy") and name == "id":
        policy = _argument(instance, "name", evaluator)
        managed = MANAGED_CACHE_POLICIES if kind == "aws_cloudfront_cache_policy" else MANAGED_REQUEST_POLICIES
        found = next((policy_id for policy_id, spec in managed.items() if spec["Name"] == policy), None)
        if found:
            return found
    if instance.written(name):
        return None  # an argument (or nested block) of the data block, read as written
    return Unknown(f"{instance.address} is read from the account by Terraform (give --resolve for the pools, "
                   "functions and roles it names, or give the plan)")


def _argument(instance: Instance, name: str, evaluator: Any) -> Any:
    attribute = instance.block.attributes.get(name)
    return evaluator.value(attribute.expression) if attribute is not None else None


def policy_document(instance: Instance) -> Any:
    """data "aws_iam_policy_document": its statements as the JSON policy Terraform renders."""
    statements = []
    for source in ("source_policy_documents", "override_policy_documents"):
        if instance.written(source):
            return Unknown(f"{instance.address}: {source} is not merged by the reader")
    written = materialize(instance.get("statement"))
    if isinstance(written, Unknown):
        return written
    for statement in written or []:
        if not isinstance(statement, dict):
            continue
        found = first_unknown(statement)
        if found is not None:
            return found
        rendered: dict[str, Any] = {"Effect": statement.get("effect") or "Allow"}
        if statement.get("sid"):
            rendered["Sid"] = statement["sid"]
        for key, field in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                           ("not_resources", "NotResource")):
            if statement.get(key) is not None:
                values = sorted(statement[key]) if isinstance(statement[key], list) else statement[key]
                rendered[field] = values[0] if isinstance(values, list) and len(values) == 1 else values
        for key, field in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            for principal in statement.get(key) or []:
                kind, identifiers = principal.get("type"), principal.get("identifiers") or []
                entry = rendered.setdefault(field, {})
                if kind == "*":
                    rendered[field] = "*"
                elif isinstance(entry, dict):
                    entry[kind] = identifiers[0] if len(identifiers) == 1 else sorted(identifiers)
        for condition in statement.get("condition") or []:
            values = condition.get("values") or []
            rendered.setdefault("Condition", {}).setdefault(condition.get("test"), {})[condition.get("variable")] = \
                values[0] if len(values) == 1 else values
        statements.append(rendered)
    return json_text({"Version": "2012-10-17", "Statement": statements})
