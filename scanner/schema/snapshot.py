"""The snapshot's shape, declared once: collectors keep these fields of AWS's answers, the normalizer enforces them.

A value of the wrong type becomes None — for a list the collector may leave unread (resources,
clients, …) that means "could not be read", so the checks that need it are undecided; a list item of
the wrong type is dropped; a field not declared is dropped.
"""

from __future__ import annotations

from typing import Any

STR, BOOL, INT, NUMBER, FREE = "str", "bool", "int", "number", "free"  # FREE: any JSON object, read later
# In a record's spec: the fields without which the record is dropped (a name no AWS field has: JwtAdditionalClaim
# has a field "required").
REQUIRED = "__required__"
SCHEMA = "apigw-scan-snapshot/1"
SNAPSHOTS_SCHEMA = "apigw-scan-snapshots/1"


class Map:
    """A dict whose keys are free but whose values all have one shape."""

    def __init__(self, value: Any) -> None:
        self.value = value


# Where a record was written: a template's file, the logical ID of the resource the user wrote and its line (and a
# CDK construct's path); a Terraform block's file, address and line; in a live scan, the CloudFormation stack and
# logical ID that created it.
SOURCE = {"file": STR, "logical_id": STR, "address": STR, "line": INT, "construct": STR, "stack": STR, "type": STR}
# What a template says of a REST API's deployments (IAC001, IAC002); for Terraform, how each deployment's
# replacement is tied to the API's changes (IAC003).
DEPLOYMENT_TRIGGER = {"deployment": STR, "source": SOURCE, "coverage": STR, "problem": STR, "unknown_reason": STR}
IAC = {"tool": STR, "missing_dependencies": Map([STR]), "undeployed_changes": [STR],
       "unchanged_deployments": [STR], "compared": BOOL, "sources": Map(SOURCE),
       "deployment_triggers": [DEPLOYMENT_TRIGGER]}

# What API Gateway returns, as it names it (get_resources with embed=methods, get_authorizers, …).
REST_METHOD = {"authorizationType": STR, "authorizerId": STR, "authorizationScopes": [STR], "apiKeyRequired": BOOL,
               "source": SOURCE,
               # What a CORS preflight answers: the headers its responses declare and the values they map.
               "methodResponses": Map({"responseParameters": Map(BOOL)}),
               "methodIntegration": {"integrationResponses": Map({"responseParameters": Map(STR)})}}
REST_AUTHORIZER = {"id": STR, "name": STR, "type": STR, "providerARNs": [STR], "identitySource": STR,
                   "identityValidationExpression": STR, "authorizerUri": STR, "authorizerCredentials": STR,
                   "authorizerResultTtlInSeconds": INT, "authType": STR, "source": SOURCE,
                   # apigateway model JwtConfiguration: each trusted issuer with its audiences and additional claim
                   # rules (JwtAdditionalClaim), and the signing algorithms accepted for every issuer.
                   "jwtConfiguration": {"issuers": [{"issuer": STR, "audiences": [STR], "jwksUri": STR,
                                                     "additionalClaims": [{"claimName": STR, "format": STR,
                                                                           "required": BOOL,
                                                                           "expectedValues": [STR]}]}],
                                        "defaultAlgorithms": [STR]}}
REST_STAGE = {"stageName": STR, "deploymentId": STR, "variables": Map(STR), "lastUpdatedDate": STR,
              "methodSettings": Map({"metricsEnabled": BOOL}),  # detailed metrics: "*/*" or "~1path/VERB"
              "serves_live": BOOL,  # a template's stage: its deployment will take the template's methods
              "sam_implicit": BOOL,  # a template's stage SAM's generated deployment names Stage (no OpenApiVersion)
              "canarySettings": {"deploymentId": STR, "percentTraffic": NUMBER, "stageVariableOverrides": Map(STR)}}
REST_DEPLOYMENT = {"id": STR, "summary": FREE, "summary_error": STR, "export": FREE, "export_error": STR}
GATEWAY_RESPONSE = {"responseType": STR, "statusCode": STR, "responseParameters": Map(STR), "defaultResponse": BOOL}
REST_API = {
    REQUIRED: ("id",), "region": STR, "id": STR, "name": STR, "policy": STR, "endpoint_types": [STR],
    "api_key_source": STR, "disable_execute_api_endpoint": BOOL, "source": SOURCE, "iac": IAC,
    "unread": STR,  # a template's API whose definition is not read (S3): why its methods are unknown
    "gateway_responses": [GATEWAY_RESPONSE],  # read only for APIs that answer CORS
    "resources": [{"id": STR, "path": STR, "methods": Map(REST_METHOD)}],
    "authorizers": [REST_AUTHORIZER],
    "stages": [REST_STAGE],
    "deployments": Map(REST_DEPLOYMENT),
}
HTTP_ROUTE = {"RouteId": STR, "RouteKey": STR, "AuthorizationType": STR, "AuthorizerId": STR,
              "AuthorizationScopes": [STR], "ApiKeyRequired": BOOL, "Target": STR, "source": SOURCE}
HTTP_AUTHORIZER = {"AuthorizerId": STR, "Name": STR, "AuthorizerType": STR, "IdentitySource": [STR],
                   "JwtConfiguration": {"Issuer": STR, "Audience": [STR]}, "AuthorizerUri": STR,
                   "AuthorizerCredentialsArn": STR, "AuthorizerPayloadFormatVersion": STR,
                   "AuthorizerResultTtlInSeconds": INT, "EnableSimpleResponses": BOOL, "source": SOURCE}
ROUTE_SETTINGS = {"ThrottlingBurstLimit": INT, "ThrottlingRateLimit": NUMBER, "DetailedMetricsEnabled": BOOL,
                  "DataTraceEnabled": BOOL, "LoggingLevel": STR}
HTTP_STAGE = {"StageName": STR, "AutoDeploy": BOOL, "DeploymentId": STR, "StageVariables": Map(STR),
              "DefaultRouteSettings": ROUTE_SETTINGS, "RouteSettings": Map(ROUTE_SETTINGS), "serves_live": BOOL}
HTTP_API = {
    REQUIRED: ("id",), "region": STR, "id": STR, "name": STR, "DisableExecuteApiEndpoint": BOOL, "source": SOURCE,
    "iac": IAC,  # Terraform: how each deployment a stage serves (AutoDeploy off) is tied to the API's changes
    "unread": STR,  # a template's API whose definition is not read (S3): why its routes are unknown
    "CorsConfiguration": {"AllowOrigins": [STR], "AllowHeaders": [STR], "AllowMethods": [STR]},
    "routes": [HTTP_ROUTE],
    "authorizers": [HTTP_AUTHORIZER],
    "stages": [HTTP_STAGE],
    # What each deployment a stage serves (AutoDeploy off) holds: ExportApi with StageName, read once per deployment.
    "deployments": Map({"id": STR, "export": FREE, "export_error": STR}),
}
# describe_user_pool_client: every field but the secret (only whether there is one goes further).
APP_CLIENT = {REQUIRED: ("ClientId",), "ClientId": STR, "ClientName": STR, "AllowedOAuthFlows": [STR],
              "AllowedOAuthFlowsUserPoolClient": BOOL,
              "AllowedOAuthScopes": [STR], "CallbackURLs": [STR], "LogoutURLs": [STR], "DefaultRedirectURI": STR,
              "ExplicitAuthFlows": [STR], "SupportedIdentityProviders": [STR], "HasClientSecret": BOOL,
              "unreadable": STR, "source": SOURCE}
RESOURCE_SERVER = {REQUIRED: ("Identifier",), "Identifier": STR, "Scopes": [STR]}
USER_POOL = {REQUIRED: ("id", "arn"), "region": STR, "id": STR, "arn": STR, "status": STR, "message": STR,
             "name": STR, "domain": STR, "custom_domain": STR, "lambda_config": FREE, "clients": [APP_CLIENT],
             "issuer_type": STR, "replica_of": STR,
             "referenced_only": BOOL, "resource_servers": [RESOURCE_SERVER], "source": SOURCE}
FUNCTION = {"arn": STR, "status": STR, "policy": FREE, "policy_status": STR, "message": STR}
ROLE = {"arn": STR, "status": STR, "trust": FREE, "policies": [FREE], "message": STR}
# Per region: usage plans (with their keys) and API keys (never their values), read when a method requires a key;
# custom domains with where they send requests (API mappings; routing rules); the region's API IDs (null: a
# listing failed).
USAGE_PLAN_KEY = {"id": STR, "type": STR, "name": STR}
USAGE_PLAN = {"id": STR, "name": STR, "apiStages": [{"apiId": STR, "stage": STR}],
              "keys": [USAGE_PLAN_KEY]}  # read only for plans of APIs that require keys
API_KEY = {"id": STR, "name": STR, "enabled": BOOL}
USAGE = {"plans": [USAGE_PLAN], "api_keys": [API_KEY]}
DOMAIN_ROUTE = {"ApiId": STR, "Stage": STR, "ApiMappingKey": STR, "ApiMappingId": STR, "BasePath": STR,
                "RoutingRuleId": STR}
DOMAIN = {REQUIRED: ("DomainName",), "DomainName": STR, "DomainNameId": STR, "EndpointType": STR,
          "RoutingMode": STR, "mappings": [DOMAIN_ROUTE], "rules": [DOMAIN_ROUTE], "source": SOURCE}
DOMAINS = {"names": [DOMAIN], "complete": BOOL, "apis": [STR]}
# Per account: CloudFront distributions with an origin at the account's APIs, and the policies they name.
# RequestFunctions: Lambda@Edge and CloudFront Functions that see the request (viewer-request, origin-request) and
# may add headers; an origin's CustomHeaders are added to every request CloudFront sends it.
CLOUDFRONT_BEHAVIOUR = {"PathPattern": STR, "TargetOriginId": STR, "CachePolicyId": STR,
                        "OriginRequestPolicyId": STR, "ForwardedHeaders": [STR], "AllowedMethods": [STR],
                        "RequestFunctions": [STR]}
DISTRIBUTION = {REQUIRED: ("Id",), "Id": STR, "DomainName": STR, "Aliases": [STR], "Enabled": BOOL,
                "Origins": [{"Id": STR, "DomainName": STR, "OriginPath": STR, "CustomHeaders": [STR]}],
                "behaviours": [CLOUDFRONT_BEHAVIOUR]}
HEADER_POLICY = {"Name": STR, "HeaderBehavior": STR, "Headers": [STR], "MaxTTL": NUMBER, "DefaultTTL": NUMBER}
CLOUDFRONT = {"distributions": [DISTRIBUTION], "cache_policies": Map(HEADER_POLICY),
              "origin_request_policies": Map(HEADER_POLICY), "skipped": STR}
# Per region: what callers got, from CloudWatch (requests, 4xx, 5xx over the window and its last day) per API
# ("rest/ID", "http/ID"), stage and (with detailed metrics) method ("STAGE VERB /path"). `apis` null: not read.
COUNTS = {"requests": INT, "client_errors": INT, "server_errors": INT}
TRAFFIC_FIGURES = {**COUNTS, "last_day": COUNTS}
TRAFFIC = {"days": INT, "end": STR, "message": STR, "skipped": Map(STR),
           "apis": Map({"api": TRAFFIC_FIGURES, "stages": Map(TRAFFIC_FIGURES), "methods": Map(TRAFFIC_FIGURES)})}
ERROR = {"account": STR, "region": STR, "service": STR, "operation": STR, "iam_action": STR, "subject": STR,
         "message": STR}
SNAPSHOT = {
    "schema": STR, "account": STR, "partition": STR, "regions": [STR],
    "rest_apis": [REST_API], "http_apis": [HTTP_API], "apis_listed": [STR], "user_pools": [USER_POOL],
    "pool_listings": Map({"complete": BOOL, "reason": STR}), "source_kind": STR,
    "pool_lookups": Map({"status": STR, "message": STR}),
    "functions": Map(FUNCTION), "roles": Map(ROLE),
    "notes": [STR], "errors": [ERROR], "calls": Map(INT),
    "usage": Map(USAGE), "domains": Map(DOMAINS), "cloudfront": CLOUDFRONT, "traffic": Map(TRAFFIC),
}
LISTS_ALWAYS_PRESENT = ("regions", "rest_apis", "http_apis", "user_pools", "errors", "apis_listed", "notes")
MAPS_ALWAYS_PRESENT = ("pool_listings", "pool_lookups", "functions", "roles", "calls", "usage", "domains")


def fields(spec: dict[str, Any]) -> tuple[str, ...]:
    """The field names a record spec declares: what a collector keeps of AWS's answer."""
    return tuple(name for name in spec if name != REQUIRED)


def pick(record: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The fields of an AWS answer that the spec declares (those present)."""
    return {name: record[name] for name in fields(spec) if name in record}
