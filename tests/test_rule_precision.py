"""Rule precision found on public templates (issue 28): each rule fires where it should and nowhere else, on minimal
templates written here (never copies of the public ones), live accounts on the emulator and hand-written snapshots;
asserting rule, outcome, severity, the method's verdict and, for templates, the line to fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import REGION, deny, findings, judge_snapshot, method_row, snapshot_with
from scanner.cli import main

POOL_ID = f"{REGION}_AbCdEf123"


def scan_template(capsys, path: Path) -> dict:
    assert main(["scan", "--template", str(path), "--format", "json", "--fail-on", "never"]) == 0
    return json.loads(capsys.readouterr().out)


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def template(tmp_path: Path, body: str, name: str = "template.yaml") -> Path:
    """The pool, API and authorized ANY /{proxy+} below, with `body`'s resources, deployed once they all exist."""
    text = POOL_AND_API + body
    methods = re.findall(r"^  (\w+):\n    Type: AWS::ApiGateway::Method$", text, re.M)
    path = tmp_path / name
    path.write_text(text + "  Deployment:\n    Type: AWS::ApiGateway::Deployment\n"
                    f"    DependsOn: [{', '.join(methods)}]\n"
                    "    Properties: {RestApiId: !Ref Api, StageName: prod}\n")
    return path


POOL = """\
  Pool:
    Type: AWS::Cognito::UserPool
    Properties: {UserPoolName: users}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}
"""
POOL_AND_API = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
""" + POOL + """\
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shop}
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: cognito
      Type: COGNITO_USER_POOLS
      IdentitySource: method.request.header.Authorization
      ProviderARNs: [!GetAtt Pool.Arn]
  Proxy:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: "{proxy+}"}
  ProxyAny:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Proxy
      HttpMethod: ANY
      AuthorizationType: COGNITO_USER_POOLS
      AuthorizerId: !Ref Auth
      Integration: {Type: MOCK}
"""

CORS_ELSEWHERE = """\
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  ItemsOptions:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses:
          - StatusCode: "200"
            ResponseParameters:
              method.response.header.Access-Control-Allow-Origin: "'https://shop.example.com'"
      MethodResponses:
        - StatusCode: "200"
          ResponseParameters:
            method.response.header.Access-Control-Allow-Origin: true
"""

CORS_IN_GATEWAY_RESPONSES = """\
  Unauthorized:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref Api
      ResponseType: DEFAULT_4XX
      ResponseParameters:
        gatewayresponse.header.Access-Control-Allow-Origin: "'https://shop.example.com'"
"""


# APIGW011: an authorized ANY method takes the preflight when its resource has no OPTIONS method.

def test_apigw011_fires_on_an_authorized_any_beside_options_methods_that_answer_cors(capsys, tmp_path):
    """API Gateway sends an OPTIONS request to the resource's ANY method when it has no OPTIONS method; browsers send
    the preflight without the Authorization header (AWS Knowledge Center, "How do I troubleshoot CORS errors from my
    API Gateway API?", https://repost.aws/knowledge-center/api-gateway-cors-errors)."""
    path = template(tmp_path, CORS_ELSEWHERE)
    report = scan_template(capsys, path)
    [finding] = findings(report, "APIGW011")
    assert (finding["severity"], finding["method"], finding["path"]) == ("high", "ANY", "/{proxy+}")
    assert "OPTIONS methods on other resources" in finding["message"]
    assert (finding["source"]["logical_id"], finding["source"]["line"]) == ("ProxyAny", line_of(path, "  ProxyAny:"))
    assert method_row(report, "ANY", "/{proxy+}")["verdict"] == "fail"


def test_apigw011_fires_when_only_the_gateway_responses_answer_cors(capsys, tmp_path):
    path = template(tmp_path, CORS_IN_GATEWAY_RESPONSES)
    [finding] = findings(scan_template(capsys, path), "APIGW011")
    assert (finding["method"], finding["path"]) == ("ANY", "/{proxy+}")
    assert "gateway responses add Access-Control-Allow-Origin" in finding["message"]
    assert finding["source"]["line"] == line_of(path, "  ProxyAny:")


def test_apigw011_quiet_for_an_any_method_of_an_api_that_answers_no_cors(capsys, tmp_path):
    report = scan_template(capsys, template(tmp_path, ""))
    assert findings(report, "APIGW011") == [] and findings(report, "APIGW011", "unknown") == []
    assert method_row(report, "ANY", "/{proxy+}")["verdict"] == "ok"


def test_apigw011_quiet_when_the_any_resource_has_its_own_open_options(capsys, tmp_path):
    own_options = CORS_ELSEWHERE.replace("ResourceId: !Ref Items\n      HttpMethod: OPTIONS",
                                         "ResourceId: !Ref Proxy\n      HttpMethod: OPTIONS")
    report = scan_template(capsys, template(tmp_path, own_options))
    assert findings(report, "APIGW011") == []
    row = method_row(report, "ANY", "/{proxy+}")
    assert row["findings"] == ["APIGW017"] and row["verdict"] == "warn"  # its 401s lack the CORS header: true


def test_apigw011_quiet_for_sam_cors_which_writes_an_options_method_on_every_path(capsys, tmp_path):
    """SAM's Cors adds an OPTIONS method to each path of the API's definition (AWS SAM, "AWS::Serverless::Api Cors",
    https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html);
    with AddDefaultAuthorizerToCorsPreflight false it takes no token, and ANY keeps its authorizer."""
    path = tmp_path / "sam.yaml"
    path.write_text("""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
""" + POOL + """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      OpenApiVersion: "3.0.1"
      Cors: {AllowOrigin: "'https://shop.example.com'", AllowHeaders: "'Authorization'"}
      Auth:
        DefaultAuthorizer: Cognito
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Cognito: {UserPoolArn: !GetAtt Pool.Arn}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      Events:
        Proxy:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: "/{proxy+}", Method: ANY}
""")
    report = scan_template(capsys, path)
    assert findings(report, "APIGW011") == []
    assert method_row(report, "OPTIONS", "/{proxy+}")["authorization"] == "NONE"
    assert method_row(report, "ANY", "/{proxy+}")["authorization"] == "COGNITO_USER_POOLS"
    # With the default authorizer on the preflight, SAM's OPTIONS method is the one that takes a token.
    path.write_text(path.read_text().replace("AddDefaultAuthorizerToCorsPreflight: false",
                                             "AddDefaultAuthorizerToCorsPreflight: true"))
    [finding] = findings(scan_template(capsys, path), "APIGW011")
    assert (finding["method"], finding["path"]) == ("OPTIONS", "/{proxy+}")


def test_apigw011_on_a_live_any_method_and_unknown_when_gateway_responses_cannot_be_read(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], deploy=None)
    account.seed.add_method(account.apigateway, api["api_id"], "/{proxy+}", "ANY", authorization="COGNITO_USER_POOLS",
                            authorizer_id=api["authorizer_id"])
    account.apigateway.put_gateway_response(restApiId=api["api_id"], responseType="DEFAULT_4XX", responseParameters={
        "gatewayresponse.header.Access-Control-Allow-Origin": "'https://shop.example.com'"})
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    report = account.scan()
    [finding] = findings(report, "APIGW011")
    assert (finding["severity"], finding["method"], finding["path"]) == ("high", "ANY", "/{proxy+}")
    assert method_row(report, "ANY", "/{proxy+}")["verdict"] == "fail"
    # The fix adds an OPTIONS method that answers CORS without authorization, and keeps ANY protected.
    commands = " ".join(finding["commands"])
    assert "put-method" in commands and "--http-method OPTIONS --authorization-type NONE" in commands
    assert "https://shop.example.com" in commands and "update-method" not in commands
    deny(account, "apigateway.GetGatewayResponses")
    report = account.scan()
    assert findings(report, "APIGW011") == []
    [unknown] = findings(report, "APIGW011", "unknown")
    assert "GetGatewayResponses" in unknown["message"]
    assert method_row(report, "ANY", "/{proxy+}")["verdict"] == "unknown"


# APIGW006: only custom scopes (RESOURCE_SERVER/NAME) live on resource servers.

def test_apigw006_quiet_for_a_scope_that_is_not_in_the_custom_form(account):
    """Custom scopes are named "resource-server-identifier/scope" (Amazon Cognito Developer Guide, "Scopes, M2M, and
    APIs with resource servers", https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html)."""
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["read"]), ("/admin", "GET", ["api/admin"])))
    report = account.scan()
    assert [(f["method"], f["path"]) for f in findings(report, "APIGW006")] == [("GET", "/admin")]
    # No Cognito token carries "read": no client can obtain it, which APIGW005 says (critical), not APIGW006.
    [obtain] = [f for f in findings(report, "APIGW005") if f["path"] == "/orders"]
    assert obtain["severity"] == "critical" and method_row(report, "GET", "/orders")["verdict"] == "fail"


# HTTP001: an issuer malformed whatever its pool is decided, even when the pool cannot be read.

def http_api_with_issuer(issuer: str) -> dict:
    return snapshot_with(http_apis=[{
        "region": REGION, "id": "h1b2c3d4e5", "name": "bff",
        "authorizers": [{"AuthorizerId": "jwt1", "Name": "jwt", "AuthorizerType": "JWT",
                         "IdentitySource": ["$request.header.Authorization"],
                         "JwtConfiguration": {"Issuer": issuer, "Audience": ["5p1e0abcdefghij0klmnopq1rs"]}}],
        "routes": [{"RouteId": "r1", "RouteKey": "GET /me", "AuthorizationType": "JWT", "AuthorizerId": "jwt1"}],
        "stages": [{"StageName": "$default", "AutoDeploy": True}], "deployments": {}}])


def test_http001_fires_on_a_trailing_slash_whatever_the_unread_pool():
    """An issuer with a part a template leaves to deployment (a !Sub variable without a value): the pool is unknown,
    but a trailing slash or http already means no token's iss can match ("Control access to HTTP APIs with JWT
    authorizers": iss "must match the issuer that is configured for the authorizer")."""
    unread = "{{unresolved:parameter PoolId has no value (give --parameter PoolId=VALUE)}}"
    for issuer, said in ((f"https://cognito-idp.{REGION}.amazonaws.com/{unread}/", "ends with a slash"),
                         (f"http://cognito-idp.{REGION}.amazonaws.com/{unread}", "is not https")):
        report = judge_snapshot(http_api_with_issuer(issuer))
        [finding] = findings(report, "HTTP001")
        assert finding["severity"] == "critical" and said in finding["message"] and "whatever the pool" in \
            finding["message"]
        assert method_row(report, "GET", "/me")["verdict"] == "fail"


def test_http001_unknown_not_fired_for_a_well_formed_issuer_whose_pool_is_unread():
    unread = "{{unresolved:parameter PoolId has no value (give --parameter PoolId=VALUE)}}"
    report = judge_snapshot(http_api_with_issuer(f"https://cognito-idp.{REGION}.amazonaws.com/{unread}"))
    assert findings(report, "HTTP001") == []
    [unknown] = findings(report, "HTTP001", "unknown")
    assert "PoolId" in unknown["message"] and method_row(report, "GET", "/me")["verdict"] == "unknown"
    whole = judge_snapshot(http_api_with_issuer(unread))
    assert findings(whole, "HTTP001") == [] and findings(whole, "HTTP001", "unknown")


def test_http001_fires_on_a_trailing_slash_when_the_pools_cannot_be_listed():
    """A live scan whose ListUserPools was denied: the pool is unreadable, the issuer's slash decides anyway."""
    snapshot = http_api_with_issuer(f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}/")
    snapshot["pool_listings"] = {REGION: {"complete": False, "reason": "cognito-idp:ListUserPools failed"}}
    report = judge_snapshot(snapshot)
    [finding] = findings(report, "HTTP001")
    assert finding["severity"] == "critical" and "ends with a slash" in finding["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "fail"
    [audience] = findings(report, "HTTP002", "unknown")  # the audience needs the pool: undecided
    assert "ListUserPools" in audience["message"]
