"""Builders that create API Gateway, Cognito and Lambda resources through boto3: the demo account and tests use them."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any


def create_pool(cognito: Any, name: str, *, domain: str | None = None,
                resource_servers: dict[str, list[str]] | None = None,
                lambda_config: dict[str, Any] | None = None, issuer: str | None = None) -> dict[str, str]:
    """A user pool with an optional domain, resource servers ({identifier: [scope names]}) and issuer form."""
    params: dict[str, Any] = {"PoolName": name}
    if issuer:
        params["IssuerConfiguration"] = {"Type": issuer}
    if lambda_config:
        params["LambdaConfig"] = lambda_config
    pool = cognito.create_user_pool(**params)["UserPool"]
    if domain:
        cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
    for identifier, scopes in (resource_servers or {}).items():
        cognito.create_resource_server(
            UserPoolId=pool["Id"], Identifier=identifier, Name=identifier,
            Scopes=[{"ScopeName": scope, "ScopeDescription": scope} for scope in scopes])
    return {"id": pool["Id"], "arn": pool["Arn"]}


def create_client(cognito: Any, pool_id: str, name: str, **settings: Any) -> str:
    """An app client; `settings` are create_user_pool_client's parameters."""
    return str(cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **settings)
               ["UserPoolClient"]["ClientId"])


def web_client_settings(scopes: list[str], callback: str = "https://app.example.com/callback") -> dict[str, Any]:
    """A healthy browser client: code flow, the given scopes plus openid, a callback URL, SRP sign-in."""
    return {
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", *scopes], "CallbackURLs": [callback],
        "SupportedIdentityProviders": ["COGNITO"],
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }


def create_rest_api(apigateway: Any, name: str, *, policy: dict[str, Any] | None = None,
                    endpoint: str = "REGIONAL") -> str:
    params: dict[str, Any] = {"name": name, "endpointConfiguration": {"types": [endpoint]}}
    if policy is not None:
        params["policy"] = json.dumps(policy)
    return str(apigateway.create_rest_api(**params)["id"])


def add_cognito_authorizer(apigateway: Any, api_id: str, name: str, pool_arns: list[str], *,
                           header: str = "Authorization", validation: str | None = None) -> str:
    params: dict[str, Any] = {"restApiId": api_id, "name": name, "type": "COGNITO_USER_POOLS",
                              "providerARNs": pool_arns, "identitySource": f"method.request.header.{header}"}
    if validation:
        params["identityValidationExpression"] = validation
    return str(apigateway.create_authorizer(**params)["id"])


def add_rest_jwt_authorizer(apigateway: Any, api_id: str, name: str, issuers: list[tuple[str, list[str]]]) -> str:
    """A REST API JWT authorizer trusting each (issuer, audiences)."""
    return str(apigateway.create_authorizer(
        restApiId=api_id, name=name, type="JWT", identitySource="method.request.header.Authorization",
        jwtConfiguration={"issuers": [{"issuer": issuer, "audiences": audiences} for issuer, audiences in issuers],
                          "defaultAlgorithms": ["RS256"]})["id"])


def add_method(apigateway: Any, api_id: str, path: str, verb: str, *, authorization: str = "NONE",
               authorizer_id: str | None = None, scopes: list[str] | None = None, api_key: bool = False) -> str:
    """A method with a MOCK integration (so the API can be deployed); returns its resource ID."""
    resource_id = ensure_resource(apigateway, api_id, path)
    params: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb,
                              "authorizationType": authorization, "apiKeyRequired": api_key}
    if authorizer_id:
        params["authorizerId"] = authorizer_id
    if scopes:
        params["authorizationScopes"] = scopes
    apigateway.put_method(**params)
    apigateway.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="MOCK")
    return resource_id


def ensure_resource(apigateway: Any, api_id: str, path: str) -> str:
    """The resource ID of `path`, creating the missing parts of it."""
    by_path = {item["path"]: item["id"] for item in apigateway.get_resources(restApiId=api_id, limit=500)["items"]}
    current = "/"
    for part in [segment for segment in path.split("/") if segment]:
        child = current.rstrip("/") + "/" + part
        if child not in by_path:
            by_path[child] = apigateway.create_resource(restApiId=api_id, parentId=by_path[current],
                                                        pathPart=part)["id"]
        current = child
    return str(by_path[current])


def deploy(apigateway: Any, api_id: str, stage: str) -> str:
    return str(apigateway.create_deployment(restApiId=api_id, stageName=stage)["id"])


def create_function(lambda_client: Any, iam: Any, name: str) -> str:
    """A Lambda function (never invoked) and the role it needs; returns its ARN."""
    role_name = f"{name}-role"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    try:
        role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role_arn = iam.get_role(RoleName=role_name)["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return str(lambda_client.create_function(
        FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()})["FunctionArn"])


def allow_cognito(lambda_client: Any, function_name: str, pool_arn: str, account: str) -> None:
    lambda_client.add_permission(FunctionName=function_name, StatementId="cognito-trigger",
                                 Action="lambda:InvokeFunction", Principal="cognito-idp.amazonaws.com",
                                 SourceArn=pool_arn, SourceAccount=account)


def add_lambda_authorizer(apigateway: Any, api_id: str, name: str, function_arn: str, *, kind: str = "TOKEN",
                          header: str = "Authorization", role: str | None = None, ttl: int = 300) -> str:
    """A REST Lambda authorizer (TOKEN or REQUEST) calling `function_arn`."""
    region = function_arn.split(":")[3]
    params: dict[str, Any] = {
        "restApiId": api_id, "name": name, "type": kind, "identitySource": f"method.request.header.{header}",
        "authorizerUri": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        "authorizerResultTtlInSeconds": ttl}
    if role:
        params["authorizerCredentials"] = role
    return str(apigateway.create_authorizer(**params)["id"])


def allow_apigateway(lambda_client: Any, function_name: str, source_arn: str, statement: str = "apigateway") -> None:
    lambda_client.add_permission(FunctionName=function_name, StatementId=statement, Action="lambda:InvokeFunction",
                                 Principal="apigateway.amazonaws.com", SourceArn=source_arn)


def create_http_api(apigatewayv2: Any, name: str) -> str:
    return str(apigatewayv2.create_api(Name=name, ProtocolType="HTTP")["ApiId"])


def add_jwt_authorizer(apigatewayv2: Any, api_id: str, name: str, issuer: str, audience: list[str]) -> str:
    return str(apigatewayv2.create_authorizer(
        ApiId=api_id, Name=name, AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer, "Audience": audience})["AuthorizerId"])


def add_route(apigatewayv2: Any, api_id: str, route_key: str, *, authorization: str = "NONE",
              authorizer_id: str | None = None, scopes: list[str] | None = None) -> str:
    params: dict[str, Any] = {"ApiId": api_id, "RouteKey": route_key, "AuthorizationType": authorization}
    if authorizer_id:
        params["AuthorizerId"] = authorizer_id
    if scopes:
        params["AuthorizationScopes"] = scopes
    return str(apigatewayv2.create_route(**params)["RouteId"])


def add_cors_preflight(apigateway: Any, api_id: str, path: str, origin: str) -> str:
    """An OPTIONS method answering CORS preflights as the console's "Enable CORS" builds it: a MOCK integration
    whose response maps Access-Control-Allow-Origin (and the allowed headers and methods)."""
    resource_id = add_method(apigateway, api_id, path, "OPTIONS")
    headers = {f"method.response.header.Access-Control-Allow-{name}": False
               for name in ("Origin", "Headers", "Methods")}
    apigateway.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200",
                                   responseParameters=headers)
    apigateway.put_integration_response(
        restApiId=api_id, resourceId=resource_id, httpMethod="OPTIONS", statusCode="200", responseParameters={
            "method.response.header.Access-Control-Allow-Origin": f"'{origin}'",
            "method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'"})
    return resource_id


def create_distribution(cloudfront: Any, name: str, origin_host: str, *, origin_path: str = "",
                        cache_policy: str, origin_request_policy: str | None = None) -> str:
    """A CloudFront distribution whose default behaviour sends every request to one custom origin."""
    behaviour: dict[str, Any] = {"TargetOriginId": name, "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": cache_policy,
                                 "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST",
                                                                             "PATCH", "DELETE"]}}
    if origin_request_policy:
        behaviour["OriginRequestPolicyId"] = origin_request_policy
    return str(cloudfront.create_distribution(DistributionConfig={
        "CallerReference": name, "Comment": name, "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": name, "DomainName": origin_host, "OriginPath": origin_path,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": behaviour})["Distribution"]["Id"])


def create_usage_plan(apigateway: Any, name: str, api_id: str, stage: str, *, key_enabled: bool) -> str:
    """A usage plan for one stage with one API key (enabled or not)."""
    plan = apigateway.create_usage_plan(name=name, apiStages=[{"apiId": api_id, "stage": stage}])["id"]
    key = apigateway.create_api_key(name=f"{name}-key", enabled=key_enabled)["id"]
    apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    return str(plan)


def record_requests(cloudwatch: Any, kind: str, api: str, stage: str, verb: str, path: str, *, requests: int,
                    client_errors: int = 0, server_errors: int = 0, hours_ago: float = 2) -> None:
    """Metrics as API Gateway sends them for `requests` calls to VERB path on a stage with detailed metrics: by
    API, by stage and by method (REST: ApiName and 4XXError/5XXError; HTTP: ApiId and 4xx/5xx)."""
    api_dimension = "ApiName" if kind == "REST" else "ApiId"
    names = ("Count", "4XXError", "5XXError") if kind == "REST" else ("Count", "4xx", "5xx")
    when = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=hours_ago)
    dimension_sets = [[(api_dimension, api)], [(api_dimension, api), ("Stage", stage)],
                      [(api_dimension, api), ("Method", verb), ("Resource", path), ("Stage", stage)]]
    cloudwatch.put_metric_data(Namespace="AWS/ApiGateway", MetricData=[
        {"MetricName": name, "Timestamp": when, "Value": float(value), "Unit": "Count",
         "Dimensions": [{"Name": key, "Value": text} for key, text in dimensions]}
        for dimensions in dimension_sets
        for name, value in zip(names, (requests, client_errors, server_errors), strict=True)])


def detailed_metrics(apigateway: Any, api_id: str, stage: str) -> None:
    """Turns on a REST stage's detailed (per-method) CloudWatch metrics."""
    apigateway.update_stage(restApiId=api_id, stageName=stage, patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"}])
