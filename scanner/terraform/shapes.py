"""Terraform resources as the CloudFormation-shaped resources the template readers map into the snapshot (the same
properties under their CloudFormation names), so one mapping serves both; what Terraform splits into several
resources (a method's responses, a stage's method settings, an API's policy) is joined here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..arns import unresolved, unresolved_reason
from ..templates.convert import Resources
from .functions import decode_yaml
from .values import (
    EvaluationError,
    PartialText,
    Unknown,
    first_unknown,
    materialize,
    to_snapshot,
    to_text,
    without_marks,
)


class Written:
    """A resource instance as the mapping reads it: arguments by name (evaluated), and where it was written."""

    def __init__(self, address: str, kind: str, read: Callable[[str], Any], computed: Callable[[str], Any],
                 file: str, line: int | None, logical: str) -> None:
        self.address, self.type, self._read, self._computed = address, kind, read, computed
        self.file, self.line, self.logical = file, line, logical

    def get(self, name: str) -> Any:
        """An argument as written (evaluated), or null when it is left out. A list written as ["${a_list}"] is the
        list itself, as Terraform 0.11 read it (later versions refuse it; configurations of that time still do it)."""
        value = to_snapshot(materialize(self._read(name)))
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            return value[0]
        return value

    def attribute(self, name: str) -> Any:
        """An attribute AWS computes (arn, id…), as the scanner models it, or unknown."""
        return to_snapshot(materialize(self._computed(name)))

    def text(self, name: str) -> Any:
        """A string argument: a number or a bool as Terraform converts it, null when left out; a list or an object
        (which Terraform refuses there) unresolved."""
        return text_of(self.get(name), name)

    def texts(self, name: str) -> Any:
        """A list of strings, each as text() reads it; null when left out."""
        return texts_of(self.get(name), name)

    def flag(self, name: str) -> Any:
        """A bool argument: "true" and "false" as Terraform converts them; an unknown kept (the readers decide)."""
        value = self.get(name)
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if value is None or isinstance(value, bool) or unresolved_reason(value) is not None:
            return value
        return unresolved(f"{name} is not a bool")

    def number(self, name: str) -> Any:
        """A number argument: a numeric string as Terraform converts it; anything else is left out."""
        value = self.get(name)
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) > 2**53:
            return None
        return int(value) if float(value).is_integer() else value

    def mapping(self, name: str) -> dict[str, Any]:
        """A map argument, or {} when it is left out (or is not a map, which Terraform refuses)."""
        value = self.get(name)
        return value if isinstance(value, dict) else {}

    def raw(self, name: str) -> Any:
        return materialize(self._read(name))

    def block(self, name: str) -> dict[str, Any]:
        """The first nested block `name { … }` (Terraform's list of one), or {}."""
        found = self.get(name)
        return found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}

    def blocks(self, name: str) -> list[dict[str, Any]]:
        found = self.get(name)
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []

    def source(self) -> dict[str, Any]:
        found: dict[str, Any] = {"file": self.file, "address": self.address}
        if self.line:
            found["line"] = self.line
        return found


def text_of(value: Any, name: str) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return to_text(value)
    return unresolved(f"{name} is not a string")


def texts_of(value: Any, name: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, list):
        return [unresolved(f"{name} is not a list")]
    return [text_of(item, name) for item in value]


@dataclass
class Shaped:
    """The CloudFormation-shaped resources, where each logical ID was written, and what the shapes leave to the
    snapshot builder (APIs whose body could not be read, roles, CloudFront)."""

    resources: Resources = field(default_factory=Resources)
    written: dict[str, Written] = field(default_factory=dict)
    unread_bodies: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, item: Written, properties: dict[str, Any]) -> None:
        self.resources.by_type.setdefault(kind, {})[item.logical] = properties
        self.written[item.logical] = item

    def of(self, kind: str) -> list[Written]:
        return [item for item in self.written.values() if item.type == kind]


def shape(items: Iterable[Written]) -> Shaped:
    shaped = Shaped()
    listed = list(items)
    by_type: dict[str, list[Written]] = {}
    for item in listed:
        by_type.setdefault(item.type, []).append(item)
        mapper = _MAPPERS.get(item.type)
        if mapper is not None:
            mapper(shaped, item)
    _join_policies(shaped, by_type.get("aws_api_gateway_rest_api_policy", []))
    _join_method_parts(shaped, by_type)
    _join_method_settings(shaped, by_type.get("aws_api_gateway_method_settings", []))
    return shaped


def _compact(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if value is not None}


# -- REST APIs -----------------------------------------------------------------------------------------------

def openapi_body(value: Any) -> dict[str, Any] | Unknown | None:
    """An API's `body`: JSON (jsonencode) or YAML (a templatefile()); Unknown when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return Unknown("the body is not a string")
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        try:
            parsed = decode_yaml(value)
        except EvaluationError as error:
            return Unknown(f"the body is neither JSON nor YAML ({error})")
    if isinstance(parsed, Unknown):
        return parsed
    if isinstance(value, PartialText) and value.unknowns:
        try:
            parsed = without_marks(parsed, value.unknowns)
        except EvaluationError:
            return Unknown(value.reason)
    return parsed if isinstance(parsed, dict) else Unknown("the body is not an OpenAPI document")


def _body(shaped: Shaped, item: Written) -> dict[str, Any] | None:
    body = openapi_body(item.raw("body"))
    if isinstance(body, Unknown):
        shaped.unread_bodies[item.logical] = body.reason
        return None
    found = first_unknown(body) if body is not None else None
    if found is not None and not isinstance(body.get("paths"), dict):  # type: ignore[union-attr]
        shaped.unread_bodies[item.logical] = found.reason
        return None
    return to_snapshot(body) if body is not None else None


def _rest_api(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::RestApi", item, _compact({
        "Name": item.text("name"), "Body": _body(shaped, item), "Policy": item.text("policy"),
        "EndpointConfiguration": {"Types": texts_of(item.block("endpoint_configuration").get("types"), "types") or []},
        "ApiKeySourceType": item.text("api_key_source"),
        "DisableExecuteApiEndpoint": item.flag("disable_execute_api_endpoint")}))


def _join_policies(shaped: Shaped, policies: list[Written]) -> None:
    apis = shaped.resources.of("AWS::ApiGateway::RestApi")
    for policy in policies:
        api = apis.get(str(policy.get("rest_api_id")))
        if api is not None:
            api["Policy"] = policy.get("policy")


def _resource(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::Resource", item, {"RestApiId": item.text("rest_api_id"),
                                                   "ParentId": item.text("parent_id"),
                                                   "PathPart": item.text("path_part")})


def _method(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::Method", item, _compact({
        "RestApiId": item.text("rest_api_id"), "ResourceId": item.text("resource_id"),
        "HttpMethod": item.text("http_method"), "AuthorizationType": item.text("authorization"),
        "AuthorizerId": item.text("authorizer_id"), "AuthorizationScopes": item.texts("authorization_scopes"),
        "ApiKeyRequired": item.flag("api_key_required")}))


def _join_method_parts(shaped: Shaped, by_type: dict[str, list[Written]]) -> None:
    """aws_api_gateway_method_response and aws_api_gateway_integration_response, on the method they name (what a
    CORS preflight answers); an aws_api_gateway_integration's type on its method."""
    methods = {(str(props.get("RestApiId")), str(props.get("ResourceId")), str(props.get("HttpMethod"))): props
               for props in shaped.resources.of("AWS::ApiGateway::Method").values()}

    def method_of(item: Written) -> dict[str, Any] | None:
        return methods.get((str(item.text("rest_api_id")), str(item.text("resource_id")),
                            str(item.text("http_method"))))
    for item in by_type.get("aws_api_gateway_method_response", []):
        method = method_of(item)
        if method is not None:
            method.setdefault("MethodResponses", []).append({
                "StatusCode": item.text("status_code"), "ResponseParameters": item.mapping("response_parameters")})
    for item in by_type.get("aws_api_gateway_integration_response", []):
        method = method_of(item)
        if method is not None:
            method.setdefault("Integration", {}).setdefault("IntegrationResponses", []).append({
                "StatusCode": item.text("status_code"), "ResponseParameters": item.mapping("response_parameters")})
    for item in by_type.get("aws_api_gateway_integration", []):
        method = method_of(item)
        if method is not None:
            method.setdefault("Integration", {}).update(_compact({"Type": item.text("type"), "Uri": item.text("uri")}))


def _authorizer(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::Authorizer", item, _compact({
        "RestApiId": item.text("rest_api_id"), "Name": item.text("name"), "Type": item.text("type"),
        "ProviderARNs": item.texts("provider_arns"), "IdentitySource": item.text("identity_source"),
        "IdentityValidationExpression": item.text("identity_validation_expression"),
        "AuthorizerUri": item.text("authorizer_uri"), "AuthorizerCredentials": item.text("authorizer_credentials"),
        "AuthorizerResultTtlInSeconds": item.number("authorizer_result_ttl_in_seconds")}))


def _deployment(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::Deployment", item, _compact({
        "RestApiId": item.text("rest_api_id"), "StageName": item.text("stage_name") or None,
        "StageDescription": {"Variables": item.mapping("variables")}}))


def _stage(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::Stage", item, _compact({
        "RestApiId": item.text("rest_api_id"), "DeploymentId": item.text("deployment_id"),
        "StageName": item.text("stage_name"), "Variables": item.mapping("variables"), "MethodSettings": []}))


def _join_method_settings(shaped: Shaped, settings: list[Written]) -> None:
    """aws_api_gateway_method_settings (method_path `*/*` or `path/VERB`) on the stage they name."""
    stages = {(str(props.get("RestApiId")), str(props.get("StageName"))): props
              for props in shaped.resources.of("AWS::ApiGateway::Stage").values()}
    for item in settings:
        stage = stages.get((str(item.text("rest_api_id")), str(item.text("stage_name"))))
        path = item.text("method_path")
        if stage is None or not isinstance(path, str) or "/" not in path:
            continue
        resource, verb = path.rsplit("/", 1)
        stage["MethodSettings"].append({"ResourcePath": "/*" if resource == "*" else "/" + resource.lstrip("/"),
                                        "HttpMethod": verb,
                                        "MetricsEnabled": bool(item.block("settings").get("metrics_enabled"))})


def _gateway_response(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::GatewayResponse", item, _compact({
        "RestApiId": item.text("rest_api_id"), "ResponseType": item.text("response_type"),
        "StatusCode": item.text("status_code"), "ResponseParameters": item.mapping("response_parameters")}))


def _usage_plan(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::UsagePlan", item, _compact({
        "UsagePlanName": item.text("name"),
        "ApiStages": [{"ApiId": text_of(stage.get("api_id"), "api_id"), "Stage": text_of(stage.get("stage"), "stage")}
                      for stage in item.blocks("api_stages")]}))


def _usage_plan_key(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::UsagePlanKey", item, _compact({
        "UsagePlanId": item.text("usage_plan_id"), "KeyId": item.text("key_id"), "KeyType": item.text("key_type")}))


def _api_key(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::ApiKey", item, _compact({"Name": item.text("name"), "Enabled": item.flag("enabled")}))


def _domain_name(shaped: Shaped, item: Written) -> None:
    kind = "AWS::ApiGateway::DomainName" if item.type == "aws_api_gateway_domain_name" else \
        "AWS::ApiGatewayV2::DomainName"
    shaped.add(kind, item, _compact({"DomainName": item.text("domain_name")}))


def _base_path_mapping(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGateway::BasePathMapping", item, _compact({
        "DomainName": item.text("domain_name"), "RestApiId": item.text("api_id"), "Stage": item.text("stage_name"),
        "BasePath": item.text("base_path")}))


# -- HTTP APIs -----------------------------------------------------------------------------------------------

def _http_api(shaped: Shaped, item: Written) -> None:
    cors = item.block("cors_configuration")
    shaped.add("AWS::ApiGatewayV2::Api", item, _compact({
        "Name": item.text("name"), "ProtocolType": item.text("protocol_type"), "Body": _body(shaped, item),
        "RouteKey": item.text("route_key"), "Target": item.text("target"),
        "CorsConfiguration": {name: texts_of(cors.get(argument), argument) or [] for name, argument in (
            ("AllowOrigins", "allow_origins"), ("AllowHeaders", "allow_headers"), ("AllowMethods", "allow_methods"))}
        if cors else None,
        "DisableExecuteApiEndpoint": item.flag("disable_execute_api_endpoint")}))
    _quick_create_stage(shaped, item)


def _quick_create_stage(shaped: Shaped, item: Written) -> None:
    """An HTTP API with `target` is quick create: API Gateway makes its `$default` stage, deploying automatically
    (API Gateway docs, "Quick create"; the provider's aws_apigatewayv2_api `target`)."""
    if item.text("target") and (item.text("protocol_type") or "HTTP") == "HTTP":
        stage = Written(f"{item.address} ($default stage)", "aws_apigatewayv2_stage", lambda _: None,
                        lambda _: None, item.file, item.line, f"{item.logical}-quick-stage")
        shaped.add("AWS::ApiGatewayV2::Stage", stage, {"ApiId": item.logical, "StageName": "$default",
                                                       "AutoDeploy": True})


def _route(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGatewayV2::Route", item, _compact({
        "ApiId": item.text("api_id"), "RouteKey": item.text("route_key"),
        "AuthorizationType": item.text("authorization_type"), "AuthorizerId": item.text("authorizer_id"),
        "AuthorizationScopes": item.texts("authorization_scopes"), "Target": item.text("target")}))


def _http_authorizer(shaped: Shaped, item: Written) -> None:
    jwt = item.block("jwt_configuration")
    shaped.add("AWS::ApiGatewayV2::Authorizer", item, _compact({
        "ApiId": item.text("api_id"), "Name": item.text("name"), "AuthorizerType": item.text("authorizer_type"),
        "IdentitySource": item.texts("identity_sources"),
        "JwtConfiguration": {"Issuer": text_of(jwt.get("issuer"), "issuer"),
                             "Audience": texts_of(jwt.get("audience"), "audience") or []} if jwt else None,
        "AuthorizerUri": item.text("authorizer_uri"),
        "AuthorizerCredentialsArn": item.text("authorizer_credentials_arn"),
        "AuthorizerPayloadFormatVersion": item.text("authorizer_payload_format_version"),
        "AuthorizerResultTtlInSeconds": item.number("authorizer_result_ttl_in_seconds"),
        "EnableSimpleResponses": item.flag("enable_simple_responses")}))


def _route_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return _compact({"ThrottlingBurstLimit": settings.get("throttling_burst_limit"),
                     "ThrottlingRateLimit": settings.get("throttling_rate_limit"),
                     "DetailedMetricsEnabled": settings.get("detailed_metrics_enabled")})


def _http_stage(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGatewayV2::Stage", item, _compact({
        "ApiId": item.text("api_id"), "StageName": item.text("name"), "AutoDeploy": item.flag("auto_deploy"),
        "DeploymentId": item.text("deployment_id"), "StageVariables": item.mapping("stage_variables"),
        "DefaultRouteSettings": _route_settings(item.block("default_route_settings")),
        "RouteSettings": {str(text_of(settings.get("route_key"), "route_key")): _route_settings(settings)
                          for settings in item.blocks("route_settings")}}))


def _http_deployment(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGatewayV2::Deployment", item, {"ApiId": item.text("api_id")})


def _api_mapping(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::ApiGatewayV2::ApiMapping", item, _compact({
        "DomainName": item.text("domain_name"), "ApiId": item.text("api_id"), "Stage": item.text("stage"),
        "ApiMappingKey": item.text("api_mapping_key")}))


# -- Cognito, Lambda -----------------------------------------------------------------------------------------

_TRIGGERS = {"pre_sign_up": "PreSignUp", "post_confirmation": "PostConfirmation",
             "pre_authentication": "PreAuthentication", "post_authentication": "PostAuthentication",
             "custom_message": "CustomMessage", "define_auth_challenge": "DefineAuthChallenge",
             "create_auth_challenge": "CreateAuthChallenge",
             "verify_auth_challenge_response": "VerifyAuthChallengeResponse", "user_migration": "UserMigration",
             "pre_token_generation": "PreTokenGeneration"}


def _user_pool(shaped: Shaped, item: Written) -> None:
    triggers = item.block("lambda_config")
    config = {_TRIGGERS[name]: value for name, value in triggers.items() if name in _TRIGGERS and value}
    pre_token = (triggers.get("pre_token_generation_config") or [{}])[0] if isinstance(
        triggers.get("pre_token_generation_config"), list) else {}
    if isinstance(pre_token, dict) and pre_token.get("lambda_arn"):
        config["PreTokenGenerationConfig"] = _compact({"LambdaArn": pre_token.get("lambda_arn"),
                                                       "LambdaVersion": pre_token.get("lambda_version")})
        config.setdefault("PreTokenGeneration", pre_token.get("lambda_arn"))
    issuer = item.block("issuer_configuration").get("type")
    shaped.add("AWS::Cognito::UserPool", item, _compact({
        "UserPoolName": item.text("name"), "LambdaConfig": config,
        "IssuerConfiguration": {"Type": issuer} if isinstance(issuer, str) else None}))


def _user_pool_client(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::Cognito::UserPoolClient", item, _compact({
        "UserPoolId": item.text("user_pool_id"), "ClientName": item.text("name"),
        "AllowedOAuthFlows": item.texts("allowed_oauth_flows"),
        "AllowedOAuthScopes": item.texts("allowed_oauth_scopes"),
        "CallbackURLs": item.texts("callback_urls"), "LogoutURLs": item.texts("logout_urls"),
        "DefaultRedirectURI": item.text("default_redirect_uri"),
        "ExplicitAuthFlows": item.texts("explicit_auth_flows"),
        "SupportedIdentityProviders": item.texts("supported_identity_providers"),
        "AllowedOAuthFlowsUserPoolClient": item.flag("allowed_oauth_flows_user_pool_client"),
        "GenerateSecret": item.flag("generate_secret")}))


def _user_pool_domain(shaped: Shaped, item: Written) -> None:
    certificate = item.text("certificate_arn")
    shaped.add("AWS::Cognito::UserPoolDomain", item, _compact({
        "UserPoolId": item.text("user_pool_id"), "Domain": item.text("domain"),
        "CustomDomainConfig": {"CertificateArn": certificate} if certificate else None}))


def _resource_server(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::Cognito::UserPoolResourceServer", item, _compact({
        "UserPoolId": item.text("user_pool_id"), "Identifier": item.text("identifier"),
        "Scopes": [{"ScopeName": text_of(scope.get("scope_name"), "scope_name")} for scope in item.blocks("scope")]}))


def _function(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::Lambda::Function", item, _compact({"FunctionName": item.text("function_name")}))


def _permission(shaped: Shaped, item: Written) -> None:
    shaped.add("AWS::Lambda::Permission", item, _compact({
        "FunctionName": item.text("function_name"), "Action": item.text("action"), "Principal": item.text("principal"),
        "SourceArn": item.text("source_arn"), "SourceAccount": item.text("source_account")}))


_MAPPERS: dict[str, Callable[[Shaped, Written], None]] = {
    "aws_api_gateway_rest_api": _rest_api,
    "aws_api_gateway_resource": _resource,
    "aws_api_gateway_method": _method,
    "aws_api_gateway_authorizer": _authorizer,
    "aws_api_gateway_deployment": _deployment,
    "aws_api_gateway_stage": _stage,
    "aws_api_gateway_gateway_response": _gateway_response,
    "aws_api_gateway_usage_plan": _usage_plan,
    "aws_api_gateway_usage_plan_key": _usage_plan_key,
    "aws_api_gateway_api_key": _api_key,
    "aws_api_gateway_domain_name": _domain_name,
    "aws_api_gateway_base_path_mapping": _base_path_mapping,
    "aws_apigatewayv2_api": _http_api,
    "aws_apigatewayv2_route": _route,
    "aws_apigatewayv2_authorizer": _http_authorizer,
    "aws_apigatewayv2_stage": _http_stage,
    "aws_apigatewayv2_deployment": _http_deployment,
    "aws_apigatewayv2_domain_name": _domain_name,
    "aws_apigatewayv2_api_mapping": _api_mapping,
    "aws_cognito_user_pool": _user_pool,
    "aws_cognito_user_pool_client": _user_pool_client,
    "aws_cognito_user_pool_domain": _user_pool_domain,
    "aws_cognito_resource_server": _resource_server,
    "aws_lambda_function": _function,
    "aws_lambda_permission": _permission,
}
