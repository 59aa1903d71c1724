"""Real accounts of today: features moto does not show, judged on AWS-shaped answers (tests/aws_shaped.py, each
answer validated against botocore's service model) or on moto taught the feature (scanner/demo/moto_extensions.py).

Sources, by feature: cognito-idp model IssuerConfigurationType ("Updated issuers have the format of
https://issuer-cognito-idp.[region].amazonaws.com/[userPoolId], where region is the primary Region") and
UserPoolReplicaType; apigateway model AuthorizerType (JWT), JwtConfiguration (issuers, audiences), CanarySettings
(deploymentId, stageVariableOverrides); apigatewayv2 ExportApi (StageName); cognito-idp
PreTokenGenerationVersionConfigType (V2_0, V3_0: scopesToAdd), GetClientToken and ExplicitAuthFlows (the default
when none is set); organizations Account.State; AWS docs "Troubleshooting HTTP API JWT authorizers" and "OpenID
Connect discovery" (jwks_uri).
"""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
from pathlib import Path

import boto3
import pytest

from aws_shaped import ACCOUNT, AwsError, ShapedAws, cognito_pool
from helpers import RULES, assert_fires, findings, method_row, rule_ids
from scanner.collect.account import collect_account
from scanner.scan import judge

REGION = "eu-west-1"
POOL = "eu-west-1_AbCdEf123"
CLIENT = "5p1e0abcdefghij0klmnopq1rs"
STRANGER = "7f3kq0retiredclient01abcde"
API = "a1b2c3d4e5"
ORIGINAL = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
UPDATED = f"https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL}"
WEB = {"ClientName": "web", "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
       "AllowedOAuthScopes": ["openid", "api/read"], "CallbackURLs": ["https://app.example.com/cb"],
       "SupportedIdentityProviders": ["COGNITO"], "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}
SERVERS = [{"UserPoolId": POOL, "Identifier": "api", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}]


def scan(aws: ShapedAws, regions: tuple[str, ...] = (REGION,)) -> dict:
    return judge(collect_account(aws.session(), list(regions)), None, None, RULES)


def http_api(aws: ShapedAws, issuer: str, audience: list[str], scopes: list[str] | None = None,
             stages: list[dict] | None = None) -> None:
    aws.on("apigatewayv2", "GetApis", {"Items": [{"ApiId": API, "Name": "bff", "ProtocolType": "HTTP",
                                                   "RouteSelectionExpression": "$request.method $request.path"}]})
    aws.on("apigatewayv2", "GetAuthorizers", {"Items": [{
        "AuthorizerId": "jwt1ab", "Name": "jwt", "AuthorizerType": "JWT",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {"Issuer": issuer, "Audience": audience}}]})
    aws.on("apigatewayv2", "GetRoutes", {"Items": [{"RouteId": "r1ab2cd", "RouteKey": "GET /me",
                                                     "AuthorizationType": "JWT", "AuthorizerId": "jwt1ab",
                                                     "AuthorizationScopes": scopes or []}]})
    aws.on("apigatewayv2", "GetStages", {"Items": stages or [{"StageName": "$default", "AutoDeploy": True}]})


def rest_api(aws: ShapedAws, authorizers: list[dict], methods: dict, stages: list[dict] | None = None,
             deployments: dict | None = None) -> None:
    aws.on("apigateway", "GetRestApis", {"items": [{"id": API, "name": "shop",
                                                     "endpointConfiguration": {"types": ["REGIONAL"]}}]})
    aws.on("apigateway", "GetResources", {"items": [{"id": f"res{index:03d}x", "path": path, "resourceMethods": {
        verb: {"httpMethod": verb, **method} for verb, method in verbs.items()}}
        for index, (path, verbs) in enumerate(methods.items())]})
    aws.on("apigateway", "GetAuthorizers", {"items": authorizers})
    aws.on("apigateway", "GetStages", {"item": stages or []})
    deployments = deployments or {}
    aws.on("apigateway", "GetDeployment", lambda p: {"id": p["deploymentId"],
                                                      "apiSummary": deployments[p["deploymentId"]]})
    aws.on("apigateway", "GetExport", AwsError("NotFoundException", "no export here", 404))


# 1. The pool's issuer form.

def test_http001_fires_when_a_jwt_authorizer_names_the_other_issuer_form():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, IssuerConfiguration={"Type": "UPDATED"},
                 Domain="shop-auth")
    http_api(aws, ORIGINAL, [CLIENT])
    [finding] = findings(scan(aws), "HTTP001")
    assert f"issues tokens with iss {UPDATED}" in finding["message"] and "UPDATED" in finding["message"]
    assert UPDATED in " ".join(finding["commands"])  # the fix fills in the pool's real issuer


def test_http001_quiet_for_the_updated_issuer_form():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, IssuerConfiguration={"Type": "UPDATED"},
                 Domain="shop-auth")
    http_api(aws, UPDATED, [CLIENT], scopes=["api/read"])
    report = scan(aws)
    assert rule_ids(report) == set() and report["errors"] == []


def test_the_original_form_stays_right_for_pools_without_the_setting():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    http_api(aws, ORIGINAL, [CLIENT])
    assert findings(scan(aws), "HTTP001") == []


# 2. Multi-Region replicas.

def replica_api(aws: ShapedAws, region: str) -> None:
    rest_api(aws, [{"id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
                    "providerARNs": [f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{POOL}"],
                    "identitySource": "method.request.header.Authorization"}],
             {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01"}}})


def test_apigw001_quiet_for_an_authorizer_naming_a_replica():
    aws = ShapedAws()
    replica_api(aws, "us-east-1")
    aws.on("cognito-idp", "DescribeUserPool", lambda p: {"UserPool": {
        "Id": POOL, "Name": "users", "Arn": f"arn:aws:cognito-idp:{p['__region']}:{ACCOUNT}:userpool/{POOL}"}})
    aws.on("cognito-idp", "ListUserPoolClients", {"UserPoolClients": [{"ClientId": CLIENT, "ClientName": "web"}]})
    aws.on("cognito-idp", "DescribeUserPoolClient", {"UserPoolClient": {"ClientId": CLIENT, "UserPoolId": POOL,
                                                                        **WEB}})
    aws.on("cognito-idp", "ListResourceServers", {"ResourceServers": []})
    report = scan(aws)
    assert findings(report, "APIGW001") == [] and findings(report, "APIGW001", "unknown") == []
    assert ("cognito-idp", "DescribeUserPool", "us-east-1") in {call[:3] for call in aws.calls}  # looked up there


def test_apigw001_fires_for_a_region_without_a_replica():
    aws = ShapedAws()
    replica_api(aws, "us-east-1")
    aws.on("cognito-idp", "DescribeUserPool", AwsError("ResourceNotFoundException", "User pool does not exist."))
    [finding] = findings(scan(aws), "APIGW001")
    assert "created in eu-west-1, and us-east-1 has no replica of it" in finding["message"]


def test_a_replica_is_audited_once_with_its_primary():
    aws = ShapedAws()
    aws.on("cognito-idp", "ListUserPools", {"UserPools": [{"Id": POOL, "Name": "users"}]})  # both regions
    aws.on("cognito-idp", "DescribeUserPool", lambda p: {"UserPool": {
        "Id": POOL, "Name": "users", "Arn": f"arn:aws:cognito-idp:{p['__region']}:{ACCOUNT}:userpool/{POOL}",
        "LambdaConfig": {"PreTokenGeneration": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone"}}})
    aws.on("cognito-idp", "ListUserPoolClients", {"UserPoolClients": []})
    aws.on("cognito-idp", "ListResourceServers", {"ResourceServers": []})
    aws.on("lambda", "GetPolicy", AwsError("ResourceNotFoundException", "", 404))
    aws.on("lambda", "GetFunctionConfiguration", AwsError("ResourceNotFoundException", "", 404))
    report = scan(aws, (REGION, "us-east-1"))
    assert [f["region"] for f in findings(report, "COG005")] == [REGION]
    assert report["summary"]["pools"] == 1


# 3. REST API JWT authorizers.

def rest_jwt(aws: ShapedAws, issuers: list[dict], scopes: list[str]) -> None:
    rest_api(aws, [{"id": "jwt001", "name": "jwt", "type": "JWT",
                    "identitySource": "method.request.header.Authorization",
                    "jwtConfiguration": {"issuers": issuers, "defaultAlgorithms": ["RS256"]}}],
             {"/me": {"GET": {"authorizationType": "JWT", "authorizerId": "jwt001", "authorizationScopes": scopes}}},
             stages=[{"stageName": "prod", "deploymentId": "dep001"}],
             deployments={"dep001": {"/me": {"GET": {"authorizationType": "JWT", "apiKeyRequired": False}}}})


def test_rest_jwt_authorizers_are_judged_like_http_ones():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt(aws, [{"issuer": ORIGINAL + "/", "audiences": [CLIENT]},
                   {"issuer": ORIGINAL, "audiences": [STRANGER]}], ["api/write"])
    report = scan(aws)
    row = method_row(report, "GET", "/me")
    assert (row["authorization"], row["token"], row["authorizer"]) == ("JWT", "access", "jwt")
    assert [f["rule"] for f in report["findings"] if f["outcome"] == "fail"].count("HTTP001") == 1  # the slash
    assert "ends with a slash" in findings(report, "HTTP001")[0]["message"]
    assert STRANGER in findings(report, "HTTP002")[0]["message"]
    assert findings(report, "APIGW012") == []  # the JWT method uses it


def test_rest_jwt_authorizer_quiet_when_healthy():
    """A method without scopes takes ID tokens, whose aud is the app client (what the audience lists). With scopes
    it needs Cognito access tokens, which have no aud: tests/test_live_fields.py shows that case undecided."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt(aws, [{"issuer": ORIGINAL, "audiences": [CLIENT]}], [])
    aws.on("apigateway", "GetExport", {"contentType": "application/json", "body": json.dumps({
        "openapi": "3.0.1", "paths": {"/me": {"get": {"security": [{"jwt": []}]}}},
        "components": {"securitySchemes": {"jwt": {"type": "apiKey", "name": "Authorization", "in": "header",
                                                   "x-amazon-apigateway-authtype": "jwt"}}}}).encode()})
    report = scan(aws)
    assert rule_ids(report) == set() and method_row(report, "GET", "/me")["verdict"] == "ok"


# 4 and 5. Stage variables in Lambda authorizer URIs; canary deployments.

FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function"
SOURCE = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API}/authorizers/lam001"


def staged_lambda(aws: ShapedAws, stages: list[dict]) -> None:
    rest_api(aws, [{"id": "lam001", "name": "token", "type": "TOKEN",
                    "identitySource": "method.request.header.Authorization",
                    "authorizerUri": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                                     f"{FUNCTION}:${{stageVariables.fn}}/invocations"}],
             {"/x": {"GET": {"authorizationType": "CUSTOM", "authorizerId": "lam001"}}}, stages=stages,
             deployments={"dep001": {"/x": {"GET": {"authorizationType": "CUSTOM", "apiKeyRequired": False}}}})
    policy = {"Statement": [{"Sid": "a", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                             "Action": "lambda:InvokeFunction", "Resource": f"{FUNCTION}:auth",
                             "Condition": {"ArnLike": {"AWS:SourceArn": SOURCE}}}]}
    aws.on("lambda", "GetPolicy", lambda p: {"Policy": json.dumps(policy), "RevisionId": "1"}
           if p["FunctionName"] == "auth" else AwsError("ResourceNotFoundException", "", 404))
    aws.on("lambda", "GetFunctionConfiguration", AwsError("ResourceNotFoundException", "Function not found", 404))


def test_lam001_fires_only_on_the_stage_whose_variable_names_a_missing_function():
    aws = ShapedAws()
    staged_lambda(aws, [{"stageName": "prod", "deploymentId": "dep001", "variables": {"fn": "auth"}},
                        {"stageName": "dev", "deploymentId": "dep001", "variables": {"fn": "gone"}},
                        {"stageName": "qa", "deploymentId": "dep001"}])
    report = scan(aws)
    assert [(f["stage"], f["outcome"]) for f in report["findings"] if f["rule"] == "LAM001"] == [
        ("dev", "fail"), ("qa", "unknown")]  # a stage without the variable is undecided, never "missing"
    assert findings(report, "LAM002") == []


def test_lam001_quiet_when_every_stage_resolves_to_a_function_it_may_call():
    aws = ShapedAws()
    staged_lambda(aws, [{"stageName": "prod", "deploymentId": "dep001", "variables": {"fn": "auth"}}])
    assert rule_ids(scan(aws)) == set()


def test_apigw003_fires_on_a_canary_that_serves_an_older_method_and_applies_its_overrides():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_api(aws, [{"id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
                    "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/${{stageVariables.pool}}"],
                    "identitySource": "method.request.header.Authorization"}],
             {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01"}}},
             stages=[{"stageName": "prod", "deploymentId": "dep001", "variables": {"pool": POOL},
                      "canarySettings": {"deploymentId": "dep000", "percentTraffic": 10.0,
                                         "stageVariableOverrides": {"pool": f"{REGION}_Gone00000"}}}],
             deployments={"dep001": {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS"}}},
                           "dep000": {"/me": {"GET": {"authorizationType": "NONE"}}}})
    report = scan(aws)
    [drift] = findings(report, "APIGW003")
    assert "prod (canary, 10% of traffic)" in drift["message"] and "serves NONE" in drift["message"]
    [missing] = findings(report, "APIGW001")
    assert missing["stage"] == "prod (canary)" and "eu-west-1_Gone00000" in missing["message"]
    assert method_row(report, "GET", "/me")["stages"] == ["prod"]


# 6 and 7. Deleted but still served; HTTP API deployments.

def test_apigw003_fires_on_a_method_deleted_but_still_served(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], deploy=None)
    resource = account.seed.add_method(account.apigateway, api["api_id"], "/old", "DELETE")
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    account.apigateway.delete_method(restApiId=api["api_id"], resourceId=resource, httpMethod="DELETE")
    report = account.scan()
    [finding] = findings(report, "APIGW003")
    assert (finding["method"], finding["path"]) == ("DELETE", "/old") and "still serves it" in finding["message"]
    row = method_row(report, "DELETE", "/old")
    assert row["stages"] == ["prod"] and row["authorization"] == "NONE" and row["verdict"] == "fail"


def test_apigw003_quiet_once_the_deletion_is_deployed(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], deploy=None)
    resource = account.seed.add_method(account.apigateway, api["api_id"], "/old", "DELETE")
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    account.apigateway.delete_method(restApiId=api["api_id"], resourceId=resource, httpMethod="DELETE")
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    assert findings(account.scan(), "APIGW003") == []


def manual_stage_api(account, change: bool) -> str:
    v2 = account.session.client("apigatewayv2", region_name=REGION)
    pool = account.healthy_pool()
    api_id = account.seed.create_http_api(v2, "bff")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}"
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", issuer, [pool["client_id"]])
    route = account.seed.add_route(v2, api_id, "GET /orders", authorization="JWT", authorizer_id=authorizer,
                                   scopes=["api/read"])
    v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=False)
    v2.create_deployment(ApiId=api_id, StageName="live")
    if change:
        v2.update_route(ApiId=api_id, RouteId=route, AuthorizationType="NONE")
    return api_id


def test_http006_fires_on_a_route_changed_since_the_stage_was_deployed(account):
    manual_stage_api(account, change=True)
    report = account.scan()
    finding = assert_fires(report, "HTTP006", verdict="fail", severity="high", path="/orders")
    assert "authorization type: stage live serves JWT, the live API has NONE" in finding["message"]


def test_http006_quiet_when_the_stage_serves_the_live_routes(account):
    manual_stage_api(account, change=False)
    report = account.scan()
    assert findings(report, "HTTP006") == [] and method_row(report, "GET", "/orders")["stages"] == ["live"]


# 8. Scopes a pre-token trigger may add; machine-to-machine tokens.

def scoped_method(aws: ShapedAws, clients: dict, **pool_settings) -> None:
    cognito_pool(aws, POOL, clients, servers=SERVERS, **pool_settings)
    rest_api(aws, [{"id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
                    "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}"],
                    "identitySource": "method.request.header.Authorization"}],
             {"/admin": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01",
                                 "authorizationScopes": ["api/admin"]}}})


def test_apigw005_unknown_not_failed_when_a_v2_trigger_may_add_scopes():
    aws = ShapedAws()
    trigger = f"{FUNCTION}:enrich"
    scoped_method(aws, {CLIENT: WEB}, Domain="shop-auth", LambdaConfig={
        "PreTokenGeneration": trigger, "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": trigger}})
    aws.on("lambda", "GetPolicy", {"Policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "lambda:InvokeFunction",
        "Resource": trigger}]}), "RevisionId": "1"})
    report = scan(aws)
    assert findings(report, "APIGW005") == []
    [unknown] = findings(report, "APIGW005", "unknown")
    assert "V2_0" in unknown["message"] and "scopesToAdd" in unknown["message"]


def test_apigw005_fires_without_a_trigger_that_adds_scopes():
    aws = ShapedAws()
    scoped_method(aws, {CLIENT: WEB}, Domain="shop-auth")
    assert findings(scan(aws), "APIGW005")


def test_apigw005_quiet_for_a_machine_client_of_the_client_token_flow():
    aws = ShapedAws()
    m2m = {"ClientName": "batch", "ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"], "ClientSecret": "s3cr3t",
           "AllowedOAuthScopes": ["api/admin"]}
    scoped_method(aws, {CLIENT: m2m})
    aws.on("cognito-idp", "ListResourceServers", {"ResourceServers": [{
        "UserPoolId": POOL, "Identifier": "api", "Name": "api",
        "Scopes": [{"ScopeName": "admin", "ScopeDescription": "admin"}]}]})
    assert findings(scan(aws), "APIGW005") == []  # no domain needed: GetClientToken, not /oauth2/token


# 9. A pool nobody can get a token from.

def test_cog008_fires_when_no_client_can_issue_a_token():
    aws = ShapedAws()
    scoped_method(aws, {CLIENT: {"ClientName": "refresh-only", "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]}})
    assert_fires(scan(aws), "COG008", verdict="fail", severity="critical", method="GET", path="/admin")


def test_cog008_quiet_with_a_client_using_the_default_flows():
    aws = ShapedAws()
    scoped_method(aws, {CLIENT: {"ClientName": "default"}})  # no ExplicitAuthFlows: SRP, refresh, custom
    assert findings(scan(aws), "COG008") == []


# 10. Partitions and regions.

def test_all_regions_in_govcloud_scans_govcloud():
    from scanner.collect.calls import CallLog
    from scanner.collect.fleet import AccountTarget, enabled_regions

    aws = ShapedAws()
    aws.on("ec2", "DescribeRegions", {"Regions": [{"RegionName": "us-gov-west-1"}, {"RegionName": "us-gov-east-1"}]})
    target = AccountTarget(ACCOUNT, session=aws.session("us-gov-west-1"))
    assert enabled_regions(target, CallLog()) == ["us-gov-east-1", "us-gov-west-1"]


def test_a_region_newer_than_botocore_is_scanned_and_a_made_up_one_refused():
    from scanner.collect.session import resolve_regions
    from scanner.errors import UsageError

    notes: list[str] = []
    session = ShapedAws().session()
    assert resolve_regions(session, ["eu-south-9"], notes) == ["eu-south-9"]
    assert "newer than the installed botocore" in notes[0]
    with pytest.raises(UsageError, match="unknown region mars-north-1"):
        resolve_regions(session, ["mars-north-1"])


def test_iam_policy_for_another_partition(capsys):
    from scanner.cli import main

    assert main(["iam-policy", "--partition", "aws-us-gov"]) == 0
    text = capsys.readouterr().out
    assert "arn:aws-us-gov:apigateway:" in text and "arn:aws:" not in text
    assert main(["iam-policy", "--partition", "aws-mars"]) == 2


def test_china_issuers_and_arns_use_the_partition():
    from scanner.arns import cognito_issuer, parse_cognito_issuer

    issuer = cognito_issuer("aws-cn", "cn-north-1", "cn-north-1_AbC123", "UPDATED")
    assert issuer == "https://issuer-cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC123"
    parsed = parse_cognito_issuer(issuer)
    assert parsed and (parsed.partition, parsed.form) == ("aws-cn", "UPDATED")


# 11. Long fleet scans.

def test_assumed_role_credentials_refresh_before_they_expire():
    from botocore.credentials import RefreshableCredentials

    from scanner.collect.fleet import open_targets

    issued = []

    def assume(params):
        issued.append(params["RoleArn"])
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5 if len(issued) == 1 else 60)
        return {"Credentials": {"AccessKeyId": f"ASIA{len(issued):016d}", "SecretAccessKey": "x" * 40,
                                "SessionToken": "token", "Expiration": expires}}

    aws = ShapedAws().on("sts", "AssumeRole", assume)
    [target] = open_targets(aws.session(), ["210987654321"], "audit", None, ACCOUNT, 1)
    credentials = target.session.get_credentials()
    assert isinstance(credentials, RefreshableCredentials)
    assert credentials.get_frozen_credentials().access_key == f"ASIA{2:016d}"  # 5 minutes left: refreshed
    assert issued == ["arn:aws:iam::210987654321:role/audit"] * 2


# 12. Retired fields, throttling, Java regular expressions.

def test_organizations_state_replaces_status():
    from scanner.collect.calls import CallLog
    from scanner.collect.fleet import account_ids

    aws = ShapedAws().on("organizations", "ListAccounts", {"Accounts": [
        {"Id": "111111111111", "State": "ACTIVE"}, {"Id": "222222222222", "State": "SUSPENDED"},
        {"Id": "333333333333", "State": "PENDING_CLOSURE"}]})
    assert account_ids(aws.session(), [], False, True, CallLog()) == ["111111111111"]


def test_ec2_request_limit_exceeded_is_throttling():
    from scanner.collect.calls import THROTTLED_CODES

    assert "RequestLimitExceeded" in THROTTLED_CODES


@pytest.mark.parametrize("expression, outcome", [(r"\p{Alnum}+", "unknown"), (r"\Q5p1e0\E.*", "unknown"),
                                                 ("([", "fail")])
def test_apigw009_java_only_syntax_is_undecided_an_invalid_expression_fails(expression, outcome):
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_api(aws, [{"id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
                    "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}"],
                    "identitySource": "method.request.header.Authorization",
                    "identityValidationExpression": expression}],
             {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01"}}})
    report = scan(aws)
    assert [f["outcome"] for f in report["findings"] if f["rule"] == "APIGW009"] == [outcome]


# 14. Other identity providers: named, and their tokens verified through OIDC discovery.

def test_external_issuers_are_named_not_judged():
    aws = ShapedAws()
    http_api(aws, "https://example.eu.auth0.com/", ["https://api.example.com"], scopes=["read:orders"])
    report = scan(aws)
    assert rule_ids(report) == set() and rule_ids(report, "unknown") == set()
    assert any("https://example.eu.auth0.com/" in note and "other than Cognito" in note for note in report["notes"])


def test_token_of_an_external_identity_provider_is_verified_through_discovery():
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from scanner.tokens.checks import diagnose
    from scanner.tokens.jwks import KeyStore
    from scanner.tokens.target import TokenTarget

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))

    class Idp(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ({"issuer": issuer, "jwks_uri": f"{issuer}/keys"} if self.path.endswith("openid-configuration")
                    else {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Idp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        target = TokenTarget(method={"method": "GET", "path": "/me", "api_type": "HTTP", "api_name": "bff",
                                     "api_id": API, "region": REGION, "token": "access", "authorizer": "jwt",
                                     "scopes": ["read:orders"]},
                             stage=None, authorization="JWT", scopes=["read:orders"], authorizer_id="jwt1ab",
                             identity_header="Authorization", validation_expression=None,
                             jwt_issuers=[{"issuer": issuer, "audiences": ["https://api.example.com"],
                                           "pool_id": None}])
        now = int(time.time())
        claims = {"iss": issuer, "aud": "https://api.example.com", "scope": "read:orders", "exp": now + 600,
                  "iat": now}
        good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        keys = KeyStore()
        assert diagnose(good, target, keys)["verdict"] == "accepted"
        assert keys.fetches == [f"{issuer}/.well-known/openid-configuration", f"{issuer}/keys"]
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
        assert [f["rule"] for f in diagnose(forged, target, KeyStore())["findings"]] == ["TOK008"]
    finally:
        server.shutdown()


# The emulator's extensions answer in the shapes of botocore's models.

def test_moto_extensions_answer_in_the_models_shapes():
    from botocore.validate import validate_parameters

    from scanner.demo import emulated_aws
    from scanner.demo.account import seed_demo_account

    checked = []

    def check(model, parsed, **_):
        if model.output_shape is not None and model.name in ("GetDeployment", "GetExport", "GetAuthorizers",
                                                             "ExportApi", "GetStages", "DescribeUserPool",
                                                             "DescribeUserPoolClient"):
            validate_parameters({k: v for k, v in parsed.items() if k != "ResponseMetadata"}, model.output_shape)
            checked.append(model.name)

    with emulated_aws() as session:
        session._session.register("after-call", check)
        seed_demo_account(session)
        collect_account(session, [REGION])
    assert {"GetDeployment", "GetExport", "GetAuthorizers", "ExportApi", "DescribeUserPool",
            "DescribeUserPoolClient"} <= set(checked)


def _unreachable(session: boto3.Session) -> boto3.Session:
    """Every request of `session` fails as botocore fails when the endpoint's name has no address."""
    from botocore.exceptions import EndpointConnectionError

    def refuse(request, **_):
        raise EndpointConnectionError(endpoint_url=request.url)
    session._session.register("before-send", refuse)
    return session


def test_a_region_whose_endpoint_has_no_address_may_not_exist(monkeypatch):
    """An unlisted region is tried (regions newer than botocore work); when its endpoint's name has no address
    while the closest listed region's has one, the words say the region may not exist and name that region —
    not a network failure. When neither resolves, the network is in doubt and the words say so."""
    from scanner.collect import regions
    from scanner.collect.calls import CallLog
    from scanner.collect.session import Clients
    from scanner.errors import UsageError

    monkeypatch.setattr(regions, "host_resolves", lambda url: "eu-wset-1" not in str(url))
    session = _unreachable(boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                                         region_name="eu-wset-1"))
    with pytest.raises(UsageError) as refused:
        Clients(session, CallLog()).account_id("eu-wset-1")
    assert str(refused.value) == ("region eu-wset-1 may not exist: the installed botocore does not list it and its "
                                  "endpoint sts.eu-wset-1.amazonaws.com has no address; did you mean eu-west-1?")
    log = CallLog()
    outcome = log.call(Clients(session, log).get("apigateway", "eu-wset-1"), "get_rest_apis", region="eu-wset-1")
    assert outcome.status == "failed" and outcome.message.startswith("region eu-wset-1 may not exist")
    assert log.errors[0]["message"] == outcome.message
    with pytest.raises(UsageError, match="cannot reach AWS STS in eu-west-1: Could not connect"):
        Clients(session, CallLog()).account_id("eu-west-1")  # a listed region: the network is in doubt
    monkeypatch.setattr(regions, "host_resolves", lambda url: False)  # no name resolves: no network, not the region
    with pytest.raises(UsageError, match="cannot reach AWS STS in eu-wset-1: Could not connect"):
        Clients(session, CallLog()).account_id("eu-wset-1")


def test_a_made_up_region_name_says_which_region_was_meant():
    from scanner.collect.session import resolve_regions
    from scanner.errors import UsageError

    with pytest.raises(UsageError, match=r"^unknown region euwest-1: expected a region name such as eu-west-1 or "
                                         r"us-east-1; did you mean eu-west-1\?$"):
        resolve_regions(ShapedAws().session(), ["euwest-1"])


def test_a_template_scan_warns_of_an_unlisted_region_and_calls_nothing(monkeypatch, capsys):
    import botocore.endpoint

    from scanner.cli import main

    def refuse(*_, **__):
        raise AssertionError("a template scan made an AWS call")
    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", refuse)
    template = Path(__file__).parent / "fixtures" / "templates" / "cfn-methods" / "template.yaml"
    assert main(["scan", "--template", str(template), "--region", "eu-wset-1", "--format", "json",
                 "--fail-on", "never"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert ("region eu-wset-1 is not listed by the installed botocore: it may be newer than botocore, or it may not "
            "exist; did you mean eu-west-1?") in notes
