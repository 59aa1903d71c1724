"""Fields AWS documents that a live account returns and moto does not show (issue 28), judged on AWS-shaped answers
(tests/aws_shaped.py: each answer validated against botocore's service model, real ID shapes). Each test's docstring
names the AWS page it relies on."""

from __future__ import annotations

import json

from aws_shaped import ACCOUNT, AwsError, ShapedAws, cognito_pool
from helpers import RULES, findings, method_row
from scanner.collect.account import collect_account
from scanner.scan import judge

REGION = "eu-west-1"
POOL = "eu-west-1_AbCdEf123"
CLIENT = "5p1e0abcdefghij0klmnopq1rs"
API = "a1b2c3d4e5"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret/cognito-idp/{POOL}/{CLIENT}"
SERVERS = [{"UserPoolId": POOL, "Identifier": "api", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}]


def scan(aws: ShapedAws) -> dict:
    snapshot = collect_account(aws.session(), [REGION])
    report = judge(snapshot, None, None, RULES)
    report["snapshot"] = snapshot
    return report


def cognito_rest_api(aws: ShapedAws, scopes: list[str]) -> None:
    aws.on("apigateway", "GetRestApis", {"items": [{"id": API, "name": "shop",
                                                     "endpointConfiguration": {"types": ["REGIONAL"]}}]})
    aws.on("apigateway", "GetResources", {"items": [{"id": "res001x", "path": "/me", "resourceMethods": {"GET": {
        "httpMethod": "GET", "authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01",
        "authorizationScopes": scopes}}}]})
    aws.on("apigateway", "GetAuthorizers", {"items": [{
        "id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
        "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}"],
        "identitySource": "method.request.header.Authorization"}]})
    aws.on("apigateway", "GetStages", {"item": [{"stageName": "prod", "deploymentId": "dep001"}]})
    aws.on("apigateway", "GetDeployment", {"id": "dep001", "apiSummary": {"/me": {"GET": {
        "authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}}})
    aws.on("apigateway", "GetExport", AwsError("NotFoundException", "no export here", 404))


# 1. ClientSecretArn: a secret Cognito keeps in Secrets Manager.

def test_cog004_fires_on_a_secret_kept_in_secrets_manager():
    """DescribeUserPoolClient: "Amazon Cognito returns this ARN instead of ClientSecret for app clients whose secret it
    manages in Secrets Manager" (Amazon Cognito API Reference, UserPoolClientType, ClientSecretArn,
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html)."""
    aws = ShapedAws()
    spa = {"ClientName": "spa", "ClientSecretArn": SECRET_ARN, "AllowedOAuthFlowsUserPoolClient": True,
           "AllowedOAuthFlows": ["implicit"], "AllowedOAuthScopes": ["openid"],
           "CallbackURLs": ["https://app.example.com/cb"], "SupportedIdentityProviders": ["COGNITO"]}
    cognito_pool(aws, POOL, {CLIENT: spa}, Domain="shop-auth")
    report = scan(aws)
    [finding] = findings(report, "COG004")
    assert (finding["severity"], finding["client_id"]) == ("medium", CLIENT)
    kept = json.dumps(report["snapshot"])
    # Only whether there is a secret goes further: never the secret, nor where it is kept.
    assert '"ClientSecret' not in kept and "ClientSecretArn" not in kept and SECRET_ARN not in kept
    assert report["snapshot"]["user_pools"][0]["clients"][0]["HasClientSecret"] is True


def test_a_client_token_client_whose_secret_is_in_secrets_manager_gets_tokens():
    """GetClientToken: "you must configure the app client with a client secret and enable the ALLOW_CLIENT_TOKEN_AUTH
    authentication flow" (Amazon Cognito API Reference, GetClientToken,
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetClientToken.html); a secret in
    Secrets Manager is described by ClientSecretArn (UserPoolClientType)."""
    aws = ShapedAws()
    machine = {"ClientName": "batch", "ClientSecretArn": SECRET_ARN, "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"],
               "AllowedOAuthScopes": ["api/read"]}
    cognito_pool(aws, POOL, {CLIENT: machine}, servers=SERVERS)
    cognito_rest_api(aws, ["api/read"])
    report = scan(aws)
    assert findings(report, "COG008") == [] and findings(report, "APIGW005") == []
    assert method_row(report, "GET", "/me")["verdict"] == "ok"


def test_cog008_still_fires_for_a_client_token_client_without_any_secret():
    aws = ShapedAws()
    machine = {"ClientName": "batch", "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"],
               "AllowedOAuthScopes": ["api/read"]}
    cognito_pool(aws, POOL, {CLIENT: machine}, servers=SERVERS)
    cognito_rest_api(aws, ["api/read"])
    report = scan(aws)
    [finding] = findings(report, "COG008")
    assert finding["severity"] == "critical" and method_row(report, "GET", "/me")["verdict"] == "fail"
