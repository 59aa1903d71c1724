"""Pins the exact requests the collector sends to real AWS (moto would accept looser ones) with botocore's Stubber."""

from __future__ import annotations

import io
import json

import boto3
from botocore.response import StreamingBody
from botocore.stub import Stubber

from scanner.collect.calls import CallLog
from scanner.collect.rest_apis import collect_rest_api, list_rest_apis
from scanner.collect.user_pools import collect_user_pool, list_pool_ids
from scanner.model.deployed import deployed_methods

EXPORT = {
    "openapi": "3.0.1",
    "paths": {
        "/orders": {
            "get": {"security": [{"shop-cognito": ["orders/read"]}]},
            "post": {"security": [{"api_key": [], "shop-cognito": []}]},
            "options": {"responses": {}},
        },
        "/": {"x-amazon-apigateway-any-method": {"security": [{"sigv4": []}]}},
    },
    "components": {"securitySchemes": {
        "shop-cognito": {"type": "apiKey", "name": "Authorization", "in": "header",
                         "x-amazon-apigateway-authtype": "cognito_user_pools",
                         "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                            "providerARNs": ["arn:pool"]}},
        "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                  "x-amazon-apigateway-authtype": "awsSigv4"},
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
    }},
}


class StubbedClients:
    def __init__(self, client):
        self.client = client

    def get(self, service, region):
        return self.client


def _body(document):
    data = json.dumps(document).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def test_rest_api_requests_use_embed_limit_and_export_parameters():
    client = boto3.client("apigateway", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response("get_rest_apis", {"items": [{"id": "a1", "name": "shop"}]}, {"limit": 500})
    stub.add_response("get_resources", {"items": [
        {"id": "r1", "path": "/orders", "resourceMethods": {"GET": {"authorizationType": "COGNITO_USER_POOLS",
                                                                     "authorizerId": "z9",
                                                                     "authorizationScopes": ["orders/read"]}}}]},
        {"restApiId": "a1", "embed": ["methods"], "limit": 500})
    stub.add_response("get_authorizers", {"items": [{"id": "z9", "name": "shop-cognito", "type": "COGNITO_USER_POOLS",
                                                     "providerARNs": ["arn:pool"]}]},
                      {"restApiId": "a1", "limit": 500})
    stub.add_response("get_stages", {"item": [{"stageName": "prod", "deploymentId": "d1"},
                                              {"stageName": "canary", "deploymentId": "d1"}]}, {"restApiId": "a1"})
    stub.add_response("get_deployment", {"id": "d1", "apiSummary": {
        "/orders": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}}},
        {"restApiId": "a1", "deploymentId": "d1", "embed": ["apisummary"]})
    stub.add_response("get_export", {"body": _body(EXPORT), "contentType": "application/json"},
                      {"restApiId": "a1", "stageName": "prod", "exportType": "oas30",
                       "parameters": {"extensions": "authorizers"}, "accepts": "application/json"})
    log = CallLog()
    with stub:
        [listed] = list_rest_apis(StubbedClients(client), log, "eu-west-1")
        api = collect_rest_api(StubbedClients(client), log, "eu-west-1", listed)
    stub.assert_no_pending_responses()  # one deployment read once, though two stages serve it
    assert log.errors == []
    assert api["resources"][0]["methods"]["GET"]["authorizationScopes"] == ["orders/read"]
    assert api["deployments"]["d1"]["export"]["openapi"] == "3.0.1"


def test_user_pool_requests_and_secret_never_kept():
    client = boto3.client("cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response("list_user_pools", {"UserPools": [{"Id": "eu-west-1_A"}]}, {"MaxResults": 60})
    stub.add_response("describe_user_pool", {"UserPool": {"Id": "eu-west-1_A", "Domain": "d"}},
                      {"UserPoolId": "eu-west-1_A"})
    stub.add_response("list_user_pool_clients", {"UserPoolClients": [{"ClientId": "c1", "UserPoolId": "eu-west-1_A"}]},
                      {"UserPoolId": "eu-west-1_A", "MaxResults": 60})
    stub.add_response("describe_user_pool_client", {"UserPoolClient": {
        "ClientId": "c1", "ClientSecret": "s3cr3t-value-that-is-long-enough-0123", "AllowedOAuthFlows": ["code"]}},
        {"UserPoolId": "eu-west-1_A", "ClientId": "c1"})
    stub.add_response("list_resource_servers", {"ResourceServers": []},
                      {"UserPoolId": "eu-west-1_A", "MaxResults": 50})
    log = CallLog()
    with stub:
        assert list_pool_ids(StubbedClients(client), log, "eu-west-1") == ["eu-west-1_A"]
        pool = collect_user_pool(StubbedClients(client), log, "eu-west-1", "123456789012", "aws", "eu-west-1_A")
    stub.assert_no_pending_responses()
    assert pool["clients"][0]["HasClientSecret"] is True
    assert "s3cr3t-value-that-is-long-enough-0123" not in json.dumps(pool)


def test_deployed_methods_read_the_export_as_aws_writes_it():
    served = deployed_methods({"summary": None, "export": EXPORT})
    assert served[("/orders", "GET")] == {"authorization": "COGNITO_USER_POOLS", "authorizer": "shop-cognito",
                                          "scopes": ["orders/read"], "provider_arns": ["arn:pool"],
                                          "api_key_required": False}
    assert served[("/orders", "POST")]["api_key_required"] is True
    assert served[("/orders", "POST")]["authorizer"] == "shop-cognito"
    assert served[("/orders", "OPTIONS")]["authorization"] == "NONE"
    assert served[("/", "ANY")]["authorization"] == "AWS_IAM"


def test_summary_decides_what_is_served_and_its_authorization_type():
    summary = {"/orders": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}}
    served = deployed_methods({"summary": summary, "export": EXPORT})
    assert set(served) == {("/orders", "GET")}
    assert served[("/orders", "GET")]["scopes"] == ["orders/read"]
    assert deployed_methods({"summary": None, "export": None}) is None
