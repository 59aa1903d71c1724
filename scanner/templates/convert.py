"""A template's resources (intrinsics resolved) as the snapshot a live scan collects: the same shape, so every
rule judges a template unchanged. What the template does not create is left out, and read as unknown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..arns import unresolved, unresolved_reason
from .openapi import http_from_openapi, rest_from_openapi
from .resolve import NO_VALUE, Resolver


@dataclass
class Resources:
    """The template's resources by type, properties resolved; `sources` says where each method was written."""

    by_type: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    depends_on: dict[str, list[str]] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.by_type.get(kind, {})


def resolved_resources(body: dict[str, Any], resolver: Resolver) -> Resources:
    """Each resource's Properties with intrinsics resolved; resources whose Condition is false are left out."""
    found = Resources()
    for logical, resource in (body.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str) and resolver.condition(condition) is False:
            continue
        properties = resolver.resolve(resource.get("Properties") or {})
        found.by_type.setdefault(str(resource.get("Type")), {})[str(logical)] = \
            properties if isinstance(properties, dict) else {}
        depends = resource.get("DependsOn")
        found.depends_on[str(logical)] = [depends] if isinstance(depends, str) else \
            [str(item) for item in depends or [] if isinstance(item, str)]
    return found


def _ref_id(value: Any) -> str | None:
    return value if isinstance(value, str) and unresolved_reason(value) is None else None


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
            else (body or {}).get("info", {}).get("title") if isinstance(body, dict) else logical,
            "policy": json.dumps(policy) if isinstance(policy, dict) else policy,
            "endpoint_types": list((props.get("EndpointConfiguration") or {}).get("Types") or []),
            "api_key_source": props.get("ApiKeySourceType") or (from_body or {}).get("api_key_source") or "HEADER",
            "disable_execute_api_endpoint": props.get("DisableExecuteApiEndpoint"),
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
            {"id": name, "name": auth.get("Name") or name, "type": auth.get("Type"),
             "providerARNs": auth.get("ProviderARNs"), "identitySource": auth.get("IdentitySource"),
             "identityValidationExpression": auth.get("IdentityValidationExpression"),
             "authorizerUri": auth.get("AuthorizerUri"), "authorizerCredentials": auth.get("AuthorizerCredentials"),
             "authorizerResultTtlInSeconds": auth.get("AuthorizerResultTtlInSeconds"), "source": source(name)}
            for name, auth in resources.of("AWS::ApiGateway::Authorizer").items()
            if _ref_id(auth.get("RestApiId")) == logical]
        api["stages"] = _rest_stages(resources, logical)
        api["deployments"] = {}
        gateway = (from_body or {}).get("gateway_responses", []) + [
            {"responseType": r.get("ResponseType"), "statusCode": r.get("StatusCode"),
             "responseParameters": r.get("ResponseParameters") or {}, "defaultResponse": False}
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
        verb = str(method.get("HttpMethod") or "ANY")
        verb = verb if unresolved_reason(verb) else verb.upper()  # a verb left to deployment keeps its reason
        record: dict[str, Any] = {"authorizationType": method.get("AuthorizationType") or "NONE",
                                  "apiKeyRequired": bool(method.get("ApiKeyRequired")), "source": source(name)}
        if _ref_id(method.get("AuthorizerId")):
            record["authorizerId"] = method["AuthorizerId"]
        if method.get("AuthorizationScopes"):
            record["authorizationScopes"] = method["AuthorizationScopes"]
        integration = method.get("Integration") or {}
        responses = {str(r.get("StatusCode")): {"responseParameters": r.get("ResponseParameters") or {}}
                     for r in integration.get("IntegrationResponses") or [] if isinstance(r, dict)}
        if responses:
            record["methodIntegration"] = {"integrationResponses": responses}
        declared = {str(r.get("StatusCode")): {"responseParameters": r.get("ResponseParameters") or {}}
                    for r in method.get("MethodResponses") or [] if isinstance(r, dict)}
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
        stages.append({"stageName": props.get("StageName"), "deploymentId": deployment,
                       "variables": props.get("Variables") or {}, "serves_live": deployment in deployments,
                       "methodSettings": _method_settings(props.get("MethodSettings"))})
    named = {stage["stageName"] for stage in stages}
    for name, props in deployments.items():  # a deployment may create its stage itself (StageName)
        stage_name = props.get("StageName")
        if isinstance(stage_name, str) and stage_name not in named:
            description = props.get("StageDescription") or {}
            stages.append({"stageName": stage_name, "deploymentId": name, "variables": description.get("Variables")
                           or {}, "serves_live": True, "methodSettings": _method_settings(
                               description.get("MethodSettings") or ([{"ResourcePath": "/*", "HttpMethod": "*",
                                                                       "MetricsEnabled": True}]
                                                                     if description.get("MetricsEnabled") else []))})
    return stages


def _method_settings(settings: Any) -> dict[str, Any]:
    found = {}
    for setting in settings or []:
        if not isinstance(setting, dict):
            continue
        path, verb = str(setting.get("ResourcePath") or "/*"), str(setting.get("HttpMethod") or "*")
        key = "*/*" if path == "/*" and verb == "*" else f"{path[1:].replace('/', '~1')}/{verb}"
        found[key] = {"metricsEnabled": bool(setting.get("MetricsEnabled"))}
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
            routes.append({"RouteId": f"{logical}-quick", "RouteKey": props.get("RouteKey") or "$default",
                           "AuthorizationType": "NONE", "Target": props.get("Target")})
        for name, route in resources.of("AWS::ApiGatewayV2::Route").items():
            if _ref_id(route.get("ApiId")) != logical:
                continue
            routes.append({"RouteId": name, "RouteKey": route.get("RouteKey"),
                           "AuthorizationType": route.get("AuthorizationType") or "NONE",
                           "AuthorizerId": _ref_id(route.get("AuthorizerId")),
                           "AuthorizationScopes": route.get("AuthorizationScopes") or [],
                           "Target": route.get("Target"), "source": source(name)})
        for route in routes:
            route.setdefault("source", source(logical, _route_parts(str(route.get("RouteKey") or ""))))
        for authorizer in (from_body or {}).get("authorizers", []):
            authorizer.setdefault("source", source(logical))
        authorizers = list((from_body or {}).get("authorizers", [])) + [
            {"AuthorizerId": name, "Name": auth.get("Name") or name, "AuthorizerType": auth.get("AuthorizerType"),
             "IdentitySource": auth.get("IdentitySource") or [], "JwtConfiguration": auth.get("JwtConfiguration"),
             "AuthorizerUri": auth.get("AuthorizerUri"),
             "AuthorizerCredentialsArn": auth.get("AuthorizerCredentialsArn"),
             "AuthorizerPayloadFormatVersion": auth.get("AuthorizerPayloadFormatVersion"),
             "AuthorizerResultTtlInSeconds": auth.get("AuthorizerResultTtlInSeconds", 0),
             "EnableSimpleResponses": auth.get("EnableSimpleResponses"), "source": source(name)}
            for name, auth in resources.of("AWS::ApiGatewayV2::Authorizer").items()
            if _ref_id(auth.get("ApiId")) == logical]
        deployments = {name for name, props_ in resources.of("AWS::ApiGatewayV2::Deployment").items()
                       if _ref_id(props_.get("ApiId")) == logical}
        stages = [{"StageName": stage.get("StageName"), "AutoDeploy": bool(stage.get("AutoDeploy")),
                   "DeploymentId": _ref_id(stage.get("DeploymentId")), "StageVariables": stage.get("StageVariables")
                   or {}, "DefaultRouteSettings": stage.get("DefaultRouteSettings") or {},
                   "RouteSettings": stage.get("RouteSettings") or {},
                   "serves_live": bool(stage.get("AutoDeploy")) or _ref_id(stage.get("DeploymentId")) in deployments}
                  for stage in resources.of("AWS::ApiGatewayV2::Stage").values()
                  if _ref_id(stage.get("ApiId")) == logical]
        cors = props.get("CorsConfiguration") or (from_body or {}).get("cors")
        given = props.get("Name")
        apis.append({"region": region, "id": logical,
                     "name": given if isinstance(given, str) and not unresolved_reason(given) else logical,
                     "routes": routes, "authorizers": authorizers,
                     "stages": stages, "deployments": {}, "CorsConfiguration": cors,
                     "DisableExecuteApiEndpoint": props.get("DisableExecuteApiEndpoint"), "source": source(logical)})
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
        pool_id = f"{region}_{logical}"
        domains = [d for d in resources.of("AWS::Cognito::UserPoolDomain").values()
                   if _ref_id(d.get("UserPoolId")) == pool_id]
        custom = next((d for d in domains if d.get("CustomDomainConfig")), None)
        prefix = next((d for d in domains if not d.get("CustomDomainConfig")), None)
        clients = [{"ClientId": name, "ClientName": client.get("ClientName") or name,
                    **{key: client.get(key) for key in ("AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
                                                         "LogoutURLs", "DefaultRedirectURI", "ExplicitAuthFlows",
                                                         "SupportedIdentityProviders") if client.get(key) is not None},
                    "AllowedOAuthFlowsUserPoolClient": bool(client.get("AllowedOAuthFlowsUserPoolClient")),
                    "HasClientSecret": bool(client.get("GenerateSecret")), "source": source(name)}
                   for name, client in resources.of("AWS::Cognito::UserPoolClient").items()
                   if _ref_id(client.get("UserPoolId")) == pool_id]
        servers = [{"Identifier": server.get("Identifier"),
                    "Scopes": [scope.get("ScopeName") for scope in server.get("Scopes") or []
                               if isinstance(scope, dict)]}
                   for server in resources.of("AWS::Cognito::UserPoolResourceServer").values()
                   if _ref_id(server.get("UserPoolId")) == pool_id]
        pools.append({"region": region, "id": pool_id, "status": "ok", "message": "", "source": source(logical),
                      "arn": f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool_id}",
                      "name": props.get("UserPoolName") or logical,
                      "domain": prefix.get("Domain") if prefix else None,
                      "custom_domain": custom.get("Domain") if custom else None,
                      "lambda_config": props.get("LambdaConfig") or {},
                      "issuer_type": (props.get("IssuerConfiguration") or {}).get("Type") or "ORIGINAL",
                      "clients": clients, "resource_servers": servers})
    return pools


def functions(resources: Resources, region: str, account: str, partition: str) -> dict[str, Any]:
    """The template's Lambda functions, each with the resource policy its AWS::Lambda::Permission resources make."""
    found: dict[str, Any] = {}
    names: dict[str, str] = {}
    for logical, props in resources.of("AWS::Lambda::Function").items():
        name = props.get("FunctionName") if isinstance(props.get("FunctionName"), str) else logical
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


def usage(resources: Resources) -> dict[str, Any] | None:
    """Usage plans (their stages and keys) and API keys, when the template creates any."""
    plans = resources.of("AWS::ApiGateway::UsagePlan")
    keys = resources.of("AWS::ApiGateway::ApiKey")
    if not plans and not keys:
        return None
    plan_keys = resources.of("AWS::ApiGateway::UsagePlanKey").values()
    return {
        "plans": [{"id": name, "name": plan.get("UsagePlanName") or name,
                   "apiStages": [{"apiId": _ref_id(stage.get("ApiId")), "stage": stage.get("Stage")}
                                 for stage in plan.get("ApiStages") or [] if isinstance(stage, dict)],
                   "keys": [{"id": _ref_id(key.get("KeyId")), "type": key.get("KeyType") or "API_KEY"}
                            for key in plan_keys if _ref_id(key.get("UsagePlanId")) == name]}
                  for name, plan in plans.items()],
        "api_keys": [{"id": name, "name": key.get("Name") or name, "enabled": key.get("Enabled", False) is not False}
                     for name, key in keys.items()],
    }


def domains(resources: Resources) -> dict[str, Any] | None:
    """Custom domains the template creates, with the mappings it gives them; other stacks may map the APIs too."""
    names: dict[str, dict[str, Any]] = {}
    for logical, props in {**resources.of("AWS::ApiGateway::DomainName"),
                           **resources.of("AWS::ApiGatewayV2::DomainName")}.items():
        name = props.get("DomainName")
        if isinstance(name, str):
            names[logical] = {"DomainName": name, "RoutingMode": props.get("RoutingMode"), "mappings": [],
                              "rules": []}
    by_name = {record["DomainName"]: record for record in names.values()}
    for props in resources.of("AWS::ApiGateway::BasePathMapping").values():
        domain = by_name.get(str(props.get("DomainName")))
        if domain is not None:
            base = props.get("BasePath")
            domain["mappings"].append({"ApiId": _ref_id(props.get("RestApiId")), "Stage": props.get("Stage"),
                                       "ApiMappingKey": base if isinstance(base, str) and base != "(none)" else ""})
    for props in resources.of("AWS::ApiGatewayV2::ApiMapping").values():
        domain = by_name.get(str(props.get("DomainName")))
        if domain is not None:
            domain["mappings"].append({"ApiId": _ref_id(props.get("ApiId")), "Stage": props.get("Stage"),
                                       "ApiMappingKey": props.get("ApiMappingKey") or ""})
    if not names:
        return None
    return {"names": list(names.values()), "complete": False, "apis": None}


__all__ = ["NO_VALUE", "Resources", "domains", "functions", "http_apis", "resolved_resources", "rest_apis",
           "unresolved", "usage", "user_pools"]
