"""A template's resources (intrinsics resolved) as the snapshot a live scan collects: the same shape, so every
rule judges a template unchanged. What the template does not create is left out, and read as unknown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..arns import unresolved, unresolved_reason
from .load import as_map, items
from .openapi import http_from_openapi, rest_from_openapi
from .resolve import NO_VALUE, Resolver, unresolved_in
from .returns import pool_stand_in, role_arn


@dataclass
class Resources:
    """The template's resources by type, properties resolved; `sources` says where each method was written."""

    by_type: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    depends_on: dict[str, list[str]] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)  # the logical IDs the user wrote (SAM generates the others)
    sam: bool = False  # expanded by the SAM transform

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.by_type.get(kind, {})


def resolved_resources(body: dict[str, Any], resolver: Resolver) -> Resources:
    """Each resource's Properties with intrinsics resolved; resources whose Condition is false are left out."""
    found = Resources()
    for logical, resource in as_map(body.get("Resources")).items():
        if not isinstance(resource, dict):
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str) and resolver.condition(condition) is False:
            continue
        properties = resolver.resolve(as_map(resource.get("Properties")))
        found.by_type.setdefault(str(resource.get("Type")), {})[str(logical)] = as_map(properties)
        depends = resource.get("DependsOn")
        found.depends_on[str(logical)] = [depends] if isinstance(depends, str) else \
            [str(item) for item in items(depends) if isinstance(item, str)]
    return found


def _flag(value: Any) -> bool:
    """A Boolean property as CloudFormation reads it (true, or the text "true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _ref_id(value: Any) -> str | None:
    return value if isinstance(value, str) and unresolved_reason(value) is None else None


def _text(value: Any) -> str | None:
    """A property that must be a text (a name, a URI): itself, or None when the template wrote something else."""
    return value if isinstance(value, str) else None


def _value(value: Any) -> Any:
    return None if value is NO_VALUE else value


def rest_apis(resources: Resources, region: str, source: Any) -> list[dict[str, Any]]:
    """AWS::ApiGateway::RestApi with its resources and methods (or its OpenAPI Body), authorizers, stages."""
    apis = []
    methods = resources.of("AWS::ApiGateway::Method")
    for logical, props in resources.of("AWS::ApiGateway::RestApi").items():
        body = props.get("Body")
        from_body = rest_from_openapi(body) if isinstance(body, dict) else None
        policy = props.get("Policy") if props.get("Policy") is not None else (from_body or {}).get("policy")
        api: dict[str, Any] = {
            "region": region, "id": logical, "name": props.get("Name") if isinstance(props.get("Name"), str)
            else as_map(as_map(body).get("info")).get("title") if isinstance(body, dict) else logical,
            "policy": json.dumps(policy, default=str) if isinstance(policy, dict) else policy,
            "endpoint_types": [str(kind) for kind in items(as_map(props.get("EndpointConfiguration")).get("Types"))],
            "api_key_source": _text(props.get("ApiKeySourceType")) or (from_body or {}).get("api_key_source")
            or "HEADER",
            "disable_execute_api_endpoint": _flag(props.get("DisableExecuteApiEndpoint")),
            "source": source(logical),
        }
        if not isinstance(api["name"], str) or unresolved_reason(api["name"]):
            api["name"] = logical  # the Name, else the logical ID
        if props.get("BodyS3Location") is not None and from_body is None:
            api["resources"] = None  # an OpenAPI file in S3 is not read: its methods are unknown
        else:
            api["resources"] = (from_body or {}).get("resources", []) + _method_resources(resources, logical, methods,
                                                                                        source)
            for resource in api["resources"]:
                for verb, method in (resource.get("methods") or {}).items():
                    method.setdefault("source", source(logical, (resource["path"], verb)))
        for authorizer in (from_body or {}).get("authorizers", []):
            authorizer.setdefault("source", api["source"])  # declared in the API's body
        api["authorizers"] = (from_body or {}).get("authorizers", []) + [
            {"id": name, "name": _text(auth.get("Name")) or name, "type": auth.get("Type"),
             "providerARNs": auth.get("ProviderARNs"), "identitySource": auth.get("IdentitySource"),
             "identityValidationExpression": auth.get("IdentityValidationExpression"),
             "authorizerUri": _text(auth.get("AuthorizerUri")),
             "authorizerCredentials": _text(auth.get("AuthorizerCredentials")),
             "authorizerResultTtlInSeconds": auth.get("AuthorizerResultTtlInSeconds"), "source": source(name)}
            for name, auth in resources.of("AWS::ApiGateway::Authorizer").items()
            if _ref_id(auth.get("RestApiId")) == logical]
        api["stages"] = _rest_stages(resources, logical)
        api["deployments"] = {}
        gateway = (from_body or {}).get("gateway_responses", []) + [
            {"responseType": r.get("ResponseType"), "statusCode": r.get("StatusCode"),
             "responseParameters": as_map(r.get("ResponseParameters")), "defaultResponse": False}
            for r in resources.of("AWS::ApiGateway::GatewayResponse").values()
            if _ref_id(r.get("RestApiId")) == logical]
        api["gateway_responses"] = gateway
        apis.append(api)
    return apis


def _method_resources(resources: Resources, api: str, methods: dict[str, dict[str, Any]],
                      source: Any) -> list[dict[str, Any]]:
    """AWS::ApiGateway::Resource paths (from their ParentId chains) with the AWS::ApiGateway::Method on them."""
    nodes = {name: props for name, props in resources.of("AWS::ApiGateway::Resource").items()
             if _ref_id(props.get("RestApiId")) == api}

    def path_of(resource_id: str | None, seen: tuple[str, ...] = ()) -> str | None:
        if resource_id == f"{api}-root":
            return "/"
        node = nodes.get(str(resource_id))
        if node is None or resource_id in seen:
            return None
        parent = path_of(_ref_id(node.get("ParentId")), (*seen, str(resource_id)))
        part = node.get("PathPart")
        return None if parent is None or not isinstance(part, str) else parent.rstrip("/") + "/" + part
    found: dict[str, dict[str, Any]] = {}
    for name, method in methods.items():
        if _ref_id(method.get("RestApiId")) != api:
            continue
        resource_id = _ref_id(method.get("ResourceId"))
        path = path_of(resource_id)
        if path is None:
            continue
        verb = _text(method.get("HttpMethod")) or "ANY"
        verb = verb if unresolved_reason(verb) else verb.upper()  # a verb left to deployment keeps its reason
        record: dict[str, Any] = {"authorizationType": method.get("AuthorizationType") or "NONE",
                                  "apiKeyRequired": _flag(method.get("ApiKeyRequired")), "source": source(name)}
        if _ref_id(method.get("AuthorizerId")):
            record["authorizerId"] = method["AuthorizerId"]
        if method.get("AuthorizationScopes"):
            record["authorizationScopes"] = method["AuthorizationScopes"]
        integration = as_map(method.get("Integration"))
        responses = {str(r.get("StatusCode")): {"responseParameters": as_map(r.get("ResponseParameters"))}
                     for r in items(integration.get("IntegrationResponses")) if isinstance(r, dict)}
        if responses:
            record["methodIntegration"] = {"integrationResponses": responses}
        declared = {str(r.get("StatusCode")): {"responseParameters": as_map(r.get("ResponseParameters"))}
                    for r in items(method.get("MethodResponses")) if isinstance(r, dict)}
        if declared:
            record["methodResponses"] = declared
        found.setdefault(path, {"id": resource_id or path, "path": path, "methods": {}})["methods"][verb] = record
    return list(found.values())


def _rest_stages(resources: Resources, api: str) -> list[dict[str, Any]]:
    """The API's stages; a stage whose deployment the template creates serves the template's methods."""
    deployments = {name: props for name, props in resources.of("AWS::ApiGateway::Deployment").items()
                   if _ref_id(props.get("RestApiId")) == api}
    stages = []
    for props in resources.of("AWS::ApiGateway::Stage").values():
        if _ref_id(props.get("RestApiId")) != api:
            continue
        deployment = _ref_id(props.get("DeploymentId"))
        stages.append({"stageName": _text(props.get("StageName")), "deploymentId": deployment,
                       "variables": as_map(props.get("Variables")), "serves_live": deployment in deployments,
                       "methodSettings": _method_settings(props.get("MethodSettings"))})
    named = {stage["stageName"] for stage in stages}
    for name, props in deployments.items():  # a deployment may create its stage itself (StageName)
        stage_name = props.get("StageName")
        if isinstance(stage_name, str) and stage_name not in named:
            description = as_map(props.get("StageDescription"))
            stages.append({"stageName": stage_name, "deploymentId": name,
                           "variables": as_map(description.get("Variables")), "serves_live": True,
                           # SAM's deployment names its stage "Stage" when OpenApiVersion is not set (the implicit
                           # stage); a deployment the user wrote, or a stage resource named Stage, is not that.
                           "sam_implicit": resources.sam and name not in resources.written and stage_name == "Stage",
                           "methodSettings": _method_settings(
                               description.get("MethodSettings") or ([{"ResourcePath": "/*", "HttpMethod": "*",
                                                                       "MetricsEnabled": True}]
                                                                     if description.get("MetricsEnabled") else []))})
    return stages


def _method_settings(settings: Any) -> dict[str, Any]:
    found = {}
    for setting in items(settings):
        if not isinstance(setting, dict):
            continue
        path, verb = _text(setting.get("ResourcePath")) or "/*", _text(setting.get("HttpMethod")) or "*"
        key = "*/*" if path == "/*" and verb == "*" else f"{path[1:].replace('/', '~1')}/{verb}"
        found[key] = {"metricsEnabled": _flag(setting.get("MetricsEnabled"))}
    return found


def http_apis(resources: Resources, region: str, source: Any) -> list[dict[str, Any]]:
    """AWS::ApiGatewayV2::Api (HTTP) with its routes (or OpenAPI Body), authorizers and stages."""
    apis = []
    for logical, props in resources.of("AWS::ApiGatewayV2::Api").items():
        if str(props.get("ProtocolType") or "HTTP") != "HTTP":
            continue
        body = props.get("Body")
        from_body = http_from_openapi(body) if isinstance(body, dict) else None
        routes = list((from_body or {}).get("routes", []))
        if props.get("RouteKey") or props.get("Target"):  # quick create: one route
            routes.append({"RouteId": f"{logical}-quick", "RouteKey": _text(props.get("RouteKey")) or "$default",
                           "AuthorizationType": "NONE", "Target": _text(props.get("Target"))})
        for name, route in resources.of("AWS::ApiGatewayV2::Route").items():
            if _ref_id(route.get("ApiId")) != logical:
                continue
            routes.append({"RouteId": name, "RouteKey": _text(route.get("RouteKey")),
                           "AuthorizationType": route.get("AuthorizationType") or "NONE",
                           "AuthorizerId": _ref_id(route.get("AuthorizerId")),
                           "AuthorizationScopes": items(route.get("AuthorizationScopes")),
                           "Target": _text(route.get("Target")), "source": source(name)})
        for route in routes:
            route.setdefault("source", source(logical, _route_parts(_text(route.get("RouteKey")) or "")))
        for authorizer in (from_body or {}).get("authorizers", []):
            authorizer.setdefault("source", source(logical))
        authorizers = list((from_body or {}).get("authorizers", [])) + [
            {"AuthorizerId": name, "Name": _text(auth.get("Name")) or name,
             "AuthorizerType": auth.get("AuthorizerType"), "IdentitySource": items(auth.get("IdentitySource")),
             "JwtConfiguration": auth.get("JwtConfiguration"), "AuthorizerUri": _text(auth.get("AuthorizerUri")),
             "AuthorizerCredentialsArn": _text(auth.get("AuthorizerCredentialsArn")),
             "AuthorizerPayloadFormatVersion": auth.get("AuthorizerPayloadFormatVersion"),
             "AuthorizerResultTtlInSeconds": auth.get("AuthorizerResultTtlInSeconds", 0),
             "EnableSimpleResponses": auth.get("EnableSimpleResponses"), "source": source(name)}
            for name, auth in resources.of("AWS::ApiGatewayV2::Authorizer").items()
            if _ref_id(auth.get("ApiId")) == logical]
        deployments = {name for name, props_ in resources.of("AWS::ApiGatewayV2::Deployment").items()
                       if _ref_id(props_.get("ApiId")) == logical}
        stages = [{"StageName": _text(stage.get("StageName")), "AutoDeploy": _flag(stage.get("AutoDeploy")),
                   "DeploymentId": _ref_id(stage.get("DeploymentId")),
                   "StageVariables": as_map(stage.get("StageVariables")),
                   "DefaultRouteSettings": as_map(stage.get("DefaultRouteSettings")),
                   "RouteSettings": as_map(stage.get("RouteSettings")),
                   "serves_live": _flag(stage.get("AutoDeploy")) or _ref_id(stage.get("DeploymentId")) in deployments}
                  for stage in resources.of("AWS::ApiGatewayV2::Stage").values()
                  if _ref_id(stage.get("ApiId")) == logical]
        if props.get("Target") and "$default" not in {stage["StageName"] for stage in stages}:
            # Quick create (Target): API Gateway makes the $default route, its integration and a $default stage
            # that deploys automatically (AWS::ApiGatewayV2::Api, Target; CreateApi "quick create").
            stages.append({"StageName": "$default", "AutoDeploy": True, "DeploymentId": None, "StageVariables": {},
                           "DefaultRouteSettings": {}, "RouteSettings": {}, "serves_live": True})
        cors = as_map(props.get("CorsConfiguration")) or (from_body or {}).get("cors")
        given = props.get("Name")
        apis.append({"region": region, "id": logical,
                     "name": given if isinstance(given, str) and not unresolved_reason(given) else logical,
                     "routes": routes, "authorizers": authorizers,
                     "stages": stages, "deployments": {}, "CorsConfiguration": cors,
                     "DisableExecuteApiEndpoint": _flag(props.get("DisableExecuteApiEndpoint")),
                     "source": source(logical)})
    return apis


def _route_parts(route_key: str) -> tuple[str, str]:
    if " " in route_key:
        verb, path = route_key.split(" ", 1)
        return path, verb.upper()
    return route_key, "ANY"


def user_pools(resources: Resources, region: str, account: str, partition: str, source: Any) -> list[dict[str, Any]]:
    """AWS::Cognito::UserPool with its clients, resource servers and domain."""
    pools = []
    for logical, props in resources.of("AWS::Cognito::UserPool").items():
        pool_id = pool_stand_in(region, logical)
        domains = [d for d in resources.of("AWS::Cognito::UserPoolDomain").values()
                   if _ref_id(d.get("UserPoolId")) == pool_id]
        custom = next((d for d in domains if d.get("CustomDomainConfig")), None)
        prefix = next((d for d in domains if not d.get("CustomDomainConfig")), None)
        clients = [{"ClientId": name, "ClientName": _text(client.get("ClientName")) or name,
                    **{key: client.get(key) for key in ("AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
                                                         "LogoutURLs", "DefaultRedirectURI", "ExplicitAuthFlows",
                                                         "SupportedIdentityProviders") if client.get(key) is not None},
                    "AllowedOAuthFlowsUserPoolClient": _flag(client.get("AllowedOAuthFlowsUserPoolClient")),
                    "HasClientSecret": _flag(client.get("GenerateSecret")), "source": source(name)}
                   for name, client in resources.of("AWS::Cognito::UserPoolClient").items()
                   if _ref_id(client.get("UserPoolId")) == pool_id]
        servers = [{"Identifier": server.get("Identifier"),
                    "Scopes": [scope.get("ScopeName") for scope in items(server.get("Scopes"))
                               if isinstance(scope, dict)]}
                   for server in resources.of("AWS::Cognito::UserPoolResourceServer").values()
                   if _ref_id(server.get("UserPoolId")) == pool_id]
        pools.append({"region": region, "id": pool_id, "status": "ok", "message": "", "source": source(logical),
                      "arn": f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool_id}",
                      "name": _text(props.get("UserPoolName")) or logical,
                      "domain": prefix.get("Domain") if prefix else None,
                      "custom_domain": custom.get("Domain") if custom else None,
                      "lambda_config": as_map(props.get("LambdaConfig")),
                      "issuer_type": as_map(props.get("IssuerConfiguration")).get("Type") or "ORIGINAL",
                      "clients": clients, "resource_servers": servers})
    return pools


def functions(resources: Resources, region: str, account: str, partition: str) -> dict[str, Any]:
    """The template's Lambda functions, each with the resource policy its AWS::Lambda::Permission resources make."""
    found: dict[str, Any] = {}
    names: dict[str, str] = {}
    for logical, props in resources.of("AWS::Lambda::Function").items():
        name = _text(props.get("FunctionName")) or logical
        arn = f"arn:{partition}:lambda:{region}:{account}:function:{name}"
        names[logical] = names[str(name)] = arn
        found[arn] = {"arn": arn, "status": "found", "policy": None, "policy_status": "none"}
    statements: dict[str, list[dict[str, Any]]] = {}
    unreadable: set[str] = set()
    for permission in resources.of("AWS::Lambda::Permission").values():
        target = permission.get("FunctionName")
        named = names.get(str(target)) or (target if isinstance(target, str) and target in found else None)
        if named is None:
            continue
        arn = named
        if any(unresolved_reason(value) for value in (permission.get("SourceArn"), permission.get("Principal"),
                                                      permission.get("SourceAccount")) if isinstance(value, str)):
            unreadable.add(arn)
            continue
        condition: dict[str, Any] = {}
        if permission.get("SourceArn"):
            condition["ArnLike"] = {"AWS:SourceArn": permission["SourceArn"]}
        if permission.get("SourceAccount"):
            condition["StringEquals"] = {"AWS:SourceAccount": permission["SourceAccount"]}
        principal = str(permission.get("Principal") or "")
        statements.setdefault(arn, []).append({
            "Effect": "Allow", "Action": permission.get("Action") or "lambda:InvokeFunction", "Resource": arn,
            "Principal": {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal},
            **({"Condition": condition} if condition else {})})
    for arn, listed in statements.items():
        found[arn].update(policy={"Version": "2012-10-17", "Statement": listed}, policy_status="ok")
    for arn in unreadable:
        found[arn].update(policy=None, policy_status="unreadable",
                          message="a permission names what only deployment decides")
    return found


def roles(resources: Resources, account: str, partition: str) -> dict[str, Any]:
    """The template's IAM roles as the collector reads a role: its trust policy and the permission policies the
    template gives it (inline, and AWS::IAM::Policy resources naming it); managed policies are not read."""
    found: dict[str, Any] = {}
    attached: dict[str, list[Any]] = {}
    for policy in resources.of("AWS::IAM::Policy").values():
        for role in items(policy.get("Roles")):
            if isinstance(role, str):
                attached.setdefault(role, []).append(policy.get("PolicyDocument"))
    for logical, props in resources.of("AWS::IAM::Role").items():
        name = _text(props.get("RoleName")) or logical
        arn = role_arn(partition, account, name, props.get("Path"))
        documents = [as_map(policy).get("PolicyDocument") for policy in items(props.get("Policies"))] + \
            attached.get(name, [])
        trust = props.get("AssumeRolePolicyDocument")
        if unresolved_in([arn, trust, documents]):
            found[arn] = {"arn": arn, "status": "outside", "message": "names what only deployment decides "
                                                                      f"({_first_unresolved([arn, trust, documents])})"}
            continue
        found[arn] = {"arn": arn, "status": "found", "trust": trust if isinstance(trust, dict) else None,
                      "policies": [document for document in documents if isinstance(document, dict)],
                      "message": "its managed policies (ManagedPolicyArns) are not read" if props.get(
                          "ManagedPolicyArns") else None}
    return found


def _first_unresolved(value: Any) -> str | None:
    return unresolved_reason(json.dumps(value, default=str))


def usage(resources: Resources) -> dict[str, Any] | None:
    """Usage plans (their stages and keys) and API keys, when the template creates any."""
    plans = resources.of("AWS::ApiGateway::UsagePlan")
    keys = resources.of("AWS::ApiGateway::ApiKey")
    if not plans and not keys:
        return None
    plan_keys = resources.of("AWS::ApiGateway::UsagePlanKey").values()

    def keys_of(plan: str) -> list[dict[str, Any]] | None:
        """A plan's keys; None when one of them is named by what only deployment decides (an imported key)."""
        named = [key for key in plan_keys if _ref_id(key.get("UsagePlanId")) == plan]
        if any(_ref_id(key.get("KeyId")) is None for key in named):
            return None
        return [{"id": key["KeyId"], "type": _text(key.get("KeyType")) or "API_KEY"} for key in named]
    return {
        "plans": [{"id": name, "name": _text(plan.get("UsagePlanName")) or name,
                   "apiStages": [{"apiId": _ref_id(stage.get("ApiId")), "stage": _text(stage.get("Stage"))}
                                 for stage in items(plan.get("ApiStages")) if isinstance(stage, dict)],
                   "keys": keys_of(name)}
                  for name, plan in plans.items()],
        "api_keys": [{"id": name, "name": _text(key.get("Name")) or name, "enabled": _flag(key.get("Enabled"))}
                     for name, key in keys.items()],
    }


def domains(resources: Resources, source: Any) -> dict[str, Any] | None:
    """Custom domains the template creates, with the mappings it gives them; other stacks may map the APIs too. A
    mapping names its domain as `Ref` of the domain resource returns it: the domain name."""
    names: dict[str, dict[str, Any]] = {}
    for logical, props in {**resources.of("AWS::ApiGateway::DomainName"),
                           **resources.of("AWS::ApiGatewayV2::DomainName")}.items():
        name = props.get("DomainName")
        if isinstance(name, str):
            names[name] = {"DomainName": name if not unresolved_reason(name) else
                           f"{logical} (its name is given at deployment: {unresolved_reason(name)})",
                           "RoutingMode": props.get("RoutingMode"), "mappings": [], "rules": [],
                           "source": source(logical)}
    for props in resources.of("AWS::ApiGateway::BasePathMapping").values():
        domain = names.get(props["DomainName"]) if isinstance(props.get("DomainName"), str) else None
        if domain is not None:
            base = props.get("BasePath")
            domain["mappings"].append({"ApiId": _ref_id(props.get("RestApiId")), "Stage": props.get("Stage"),
                                       "ApiMappingKey": base if isinstance(base, str) and base != "(none)" else ""})
    for props in resources.of("AWS::ApiGatewayV2::ApiMapping").values():
        domain = names.get(props["DomainName"]) if isinstance(props.get("DomainName"), str) else None
        if domain is not None:
            domain["mappings"].append({"ApiId": _ref_id(props.get("ApiId")), "Stage": props.get("Stage"),
                                       "ApiMappingKey": props.get("ApiMappingKey") or ""})
    if not names:
        return None
    return {"names": list(names.values()), "complete": False, "apis": None}


__all__ = ["NO_VALUE", "Resources", "domains", "functions", "http_apis", "resolved_resources", "rest_apis",
           "roles", "unresolved", "usage", "user_pools"]
