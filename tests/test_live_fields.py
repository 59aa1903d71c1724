"""Fields AWS documents that a live account returns and moto does not show (issue 28), judged on AWS-shaped answers
(tests/aws_shaped.py: each answer validated against botocore's service model, real ID shapes). Each test's docstring
names the AWS page it relies on."""

from __future__ import annotations

import datetime
import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from aws_shaped import ACCOUNT, ShapedAws, cognito_pool
from helpers import RULES, deleted_pool_api, findings, method_row
from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.collect.session import Clients
from scanner.collect.traffic import collect_traffic
from scanner.model.facts import build_facts
from scanner.model.normalize import normalize_snapshot
from scanner.scan import judge, matrix_of
from scanner.tokens.command import token_report

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


def exported(path: str, scopes: list[str], scheme: str = "jwt", authtype: str = "jwt") -> dict:
    """A GetExport answer (oas30, extensions=authorizers) of a stage serving GET `path` behind `scheme`."""
    return {"contentType": "application/json", "body": json.dumps({
        "openapi": "3.0.1", "paths": {path: {"get": {"security": [{scheme: scopes}]}}},
        "components": {"securitySchemes": {scheme: {"type": "apiKey", "name": "Authorization", "in": "header",
                                                    "x-amazon-apigateway-authtype": authtype}}}}).encode()}


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
    aws.on("apigateway", "GetExport", exported("/me", scopes, scheme="cognito", authtype="cognito_user_pools"))


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


# 2. REST API JWT authorizers: aud, additionalClaims, defaultAlgorithms.

WEB = {"ClientName": "web", "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
       "AllowedOAuthScopes": ["openid", "api/read"], "CallbackURLs": ["https://app.example.com/cb"],
       "SupportedIdentityProviders": ["COGNITO"], "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}
KID = "rest-jwt-key"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rest_jwt_api(aws: ShapedAws, issuers: list[dict], scopes: list[str], algorithms: list[str] | None = None) -> None:
    """A REST API whose GET /me uses a JWT authorizer (GetAuthorizers as the apigateway model returns it), deployed
    to prod as it is live."""
    aws.on("apigateway", "GetRestApis", {"items": [{"id": API, "name": "shop",
                                                     "endpointConfiguration": {"types": ["REGIONAL"]}}]})
    aws.on("apigateway", "GetResources", {"items": [{"id": "res001x", "path": "/me", "resourceMethods": {"GET": {
        "httpMethod": "GET", "authorizationType": "JWT", "authorizerId": "jwt001", "authorizationScopes": scopes}}}]})
    aws.on("apigateway", "GetAuthorizers", {"items": [{
        "id": "jwt001", "name": "jwt", "type": "JWT", "identitySource": "method.request.header.Authorization",
        "jwtConfiguration": {"issuers": issuers, "defaultAlgorithms": algorithms or ["RS256"]}}]})
    aws.on("apigateway", "GetStages", {"item": [{"stageName": "prod", "deploymentId": "dep001"}]})
    aws.on("apigateway", "GetDeployment", {"id": "dep001", "apiSummary": {"/me": {"GET": {
        "authorizationType": "JWT", "apiKeyRequired": False}}}})
    aws.on("apigateway", "GetExport", exported("/me", scopes))


def keys_file(tmp_path) -> str:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}))
    return str(path)


def token_of(claims: dict, **overrides) -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "exp": now + 3600, "iat": now - 10, "sub": "s-1", **claims, **overrides},
                      PRIVATE, algorithm="RS256", headers={"kid": KID})


def diagnosed(aws: ShapedAws, token: str, jwks: str) -> dict:
    return token_report(aws.session(), [REGION], "shop", "/me", "GET", None, token, jwks, False, RULES)


ACCESS = {"token_use": "access", "client_id": CLIENT, "scope": "openid api/read", "username": "jane"}
ID = {"token_use": "id", "aud": CLIENT, "cognito:username": "jane"}


def test_http003_unknown_for_cognito_access_tokens_on_a_rest_jwt_authorizer(tmp_path):
    """The apigateway model's JwtIssuerInput.audiences: "The token's aud claim must contain at least one of these
    values" (Amazon API Gateway API Reference, JwtIssuerInput,
    https://docs.aws.amazon.com/apigateway/latest/api/API_JwtIssuerInput.html); AWS's guide "Control access to REST
    APIs using JWT authorizers" (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-jwt-authorizer.html)
    names Cognito user pools as issuers ("For a user pool, the issuer is https://cognito-idp.region.amazonaws.com/
    user-pool-id") and lets "each method ... require its own authorization scopes", which only access tokens carry —
    and a Cognito access token has no aud. Where the two disagree the answer is unknown, citing both."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT]}], ["api/read"])
    report = scan(aws)
    assert findings(report, "HTTP003") == []  # a client can obtain the scope: never "no token can pass"
    [unknown] = findings(report, "HTTP003", "unknown")
    assert "The token's aud claim must contain at least one of these values" in unknown["message"]
    assert "Control access to REST APIs using JWT authorizers" in unknown["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "unknown"
    # `token` gives the same answer for such a token, and checks what it can: an ID token's aud.
    jwks = keys_file(tmp_path)
    access = diagnosed(aws, token_of(ACCESS), jwks)
    assert access["verdict"] == "undecided"
    [aud] = [f for f in access["findings"] if f["rule"] == "TOK007"]
    assert aud["outcome"] == "unknown" and "JwtIssuerInput" in aud["message"] and "not documented" not in aud["message"]


def test_rest_jwt_id_tokens_are_judged_by_their_aud_a_list_like_a_string(tmp_path):
    """JwtIssuerInput.audiences (above): the token's aud must contain one of them; RFC 7519 4.1.3: aud is a string or
    an array of strings."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT]}], [])
    report = scan(aws)
    assert [f for f in report["findings"] if f["outcome"] == "fail"] == []
    assert method_row(report, "GET", "/me")["verdict"] == "ok"
    jwks = keys_file(tmp_path)
    assert diagnosed(aws, token_of(ID), jwks)["verdict"] == "accepted"
    assert diagnosed(aws, token_of(ID, aud=[CLIENT]), jwks)["verdict"] == "accepted"
    stranger = diagnosed(aws, token_of(ID, aud=["7f3kq0retiredclient01abcde"]), jwks)
    assert stranger["verdict"] == "rejected" and [f["rule"] for f in stranger["findings"]] == ["TOK007"]
    odd = diagnosed(aws, token_of(ID, aud=[CLIENT, 7]), jwks)
    assert odd["verdict"] == "rejected" and [f["rule"] for f in odd["findings"]] == ["TOK001"]


TENANT = {"claimName": "custom:tenant", "format": "SINGLE_STRING", "required": True, "expectedValues": ["acme"]}


def test_http002_unknown_for_additional_claims_only_some_tokens_carry_and_token_judges_them(tmp_path):
    """JwtAdditionalClaim (Amazon API Gateway API Reference,
    https://docs.aws.amazon.com/apigateway/latest/api/API_JwtAdditionalClaim.html): required — "When true, the token
    must contain the claim"; expectedValues — "When a value is specified, the claim must match it exactly, and the
    match is case-sensitive"; format — "The only valid value is SINGLE_STRING"."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT], "additionalClaims": [TENANT]}], [])
    report = scan(aws)
    [rules] = report["snapshot"]["rest_apis"][0]["authorizers"][0]["jwtConfiguration"]["issuers"]
    assert rules["additionalClaims"] == [TENANT]  # the snapshot keeps them
    assert findings(report, "HTTP002") == []
    [unknown] = findings(report, "HTTP002", "unknown")
    assert "claim custom:tenant equal to one of [acme] (required)" in unknown["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "unknown"
    # The matrix knows only the claims every token of a client carries: whether they carry custom:tenant is unknown,
    # never a 401 (a custom attribute or a pre-token-generation trigger may put it there).
    cells, _ = matrix_of([report["snapshot"]], None, None, RULES, None)
    assert {(cell.caller.kind, cell.outcome) for cell in cells} == {("none", "401"), ("id", "unknown"),
                                                                    ("access", "unknown")}
    jwks = keys_file(tmp_path)
    assert diagnosed(aws, token_of(ID, **{"custom:tenant": "acme"}), jwks)["verdict"] == "accepted"
    for claims, outcome in ((ID, "fail"), ({**ID, "custom:tenant": "ACME"}, "fail"),
                            ({**ID, "custom:tenant": ["acme"]}, "fail")):
        result = diagnosed(aws, token_of(claims), jwks)
        assert result["verdict"] == "rejected", claims
        [finding] = result["findings"]
        assert (finding["rule"], finding["outcome"]) == ("TOK007", outcome) and "custom:tenant" in finding["message"]


def test_http002_fires_on_claim_rules_no_cognito_token_meets():
    """JwtAdditionalClaim (above); Cognito tokens carry token_use "id" or "access" ("Understanding the identity (ID)
    token", "Understanding the access token", Amazon Cognito Developer Guide)."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT], "additionalClaims": [
        {"claimName": "token_use", "format": "SINGLE_STRING", "expectedValues": ["access_token"]}]}], [])
    report = scan(aws)
    [finding] = findings(report, "HTTP002")
    assert finding["severity"] == "high" and "claim token_use must be one of [access_token]" in finding["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "fail"


def test_http002_quiet_for_claim_rules_every_token_meets():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT], "additionalClaims": [
        {"claimName": "token_use", "format": "SINGLE_STRING", "expectedValues": ["id", "access"]},
        {"claimName": "sub", "format": "SINGLE_STRING", "required": True}]}], [])
    report = scan(aws)
    assert findings(report, "HTTP002") == [] and findings(report, "HTTP002", "unknown") == []
    assert method_row(report, "GET", "/me")["verdict"] == "ok"


def test_default_algorithms_decide_the_signature(tmp_path):
    """JwtConfigurationInput.defaultAlgorithms: "The signing algorithms that the authorizer accepts, applied to every
    issuer" (Amazon API Gateway API Reference, JwtConfigurationInput,
    https://docs.aws.amazon.com/apigateway/latest/api/API_JwtConfigurationInput.html); Cognito signs with RS256
    ("Verifying a JSON Web Token", Amazon Cognito Developer Guide)."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT]}], [], algorithms=["ES256"])
    report = scan(aws)
    [finding] = findings(report, "HTTP001")
    assert finding["severity"] == "critical" and "Cognito signs its tokens with RS256" in finding["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "fail"
    result = diagnosed(aws, token_of(ID), keys_file(tmp_path))
    assert result["verdict"] == "rejected" and [f["rule"] for f in result["findings"]] == ["TOK008"]
    assert "ES256 signatures only" in result["findings"][0]["message"]


def test_http001_quiet_when_the_default_algorithms_include_rs256():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    rest_jwt_api(aws, [{"issuer": ISSUER, "audiences": [CLIENT]}], [], algorithms=["ES256", "RS256"])
    assert findings(scan(aws), "HTTP001") == []


# 3. Traffic windows: CloudWatch rounds StartTime; the last day comes from the periods it returns.

NOW = datetime.datetime(2026, 3, 12, 12, 37, 42, tzinfo=datetime.UTC)
TRAFFIC_API = {"id": API, "name": "shop", "resources": [{"id": "res001x", "path": "/me", "methods": {"GET": {}}}],
               "stages": [{"stageName": "prod", "deploymentId": "dep001"}]}


def read_traffic(aws: ShapedAws, days: int) -> dict:
    log = CallLog()
    return collect_traffic(Clients(aws.session(), log), log, REGION, [TRAFFIC_API], [], None, days, now=NOW)


def test_the_window_is_aligned_so_cloudwatch_rounds_nothing():
    """GetMetricData StartTime: "Start time between 15 and 63 days ago - Round down to the nearest 5-minute clock
    interval ... Start time greater than 63 days ago - Round down to the nearest 1-hour clock interval" (Amazon
    CloudWatch API Reference, GetMetricData, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
    A start CloudWatch rounds shifts every daily period: the window starts on the interval itself."""
    asked = []
    aws = ShapedAws().on("cloudwatch", "GetMetricData", lambda p: asked.append(p) or {"MetricDataResults": []})
    for days, start, end in ((7, "2026-03-05T12:37:00", "2026-03-12T12:37:00"),
                             (30, "2026-02-10T12:35:00", "2026-03-12T12:35:00"),
                             (90, "2025-12-12T12:00:00", "2026-03-12T12:00:00")):
        record = read_traffic(aws, days)
        request = asked[-1]
        assert (request["StartTime"].isoformat(), request["EndTime"].isoformat()) == (f"{start}+00:00",
                                                                                        f"{end}+00:00")
        assert request["EndTime"] - request["StartTime"] == datetime.timedelta(days=days)
        assert record["end"] == f"{end}+00:00"


def test_the_last_day_counts_the_periods_cloudwatch_returned():
    """The same page: CloudWatch may begin the periods before the StartTime asked for. The last day is the daily
    period that reaches into the last 24 hours (and a partial one after it), read from the returned Timestamps —
    never only what begins after the requested end minus a day (which, for a start rounded down by minutes, is a
    sliver of a few minutes)."""
    end = datetime.datetime(2026, 3, 12, 12, 35, tzinfo=datetime.UTC)
    shift = datetime.timedelta(minutes=3)  # periods as CloudWatch would begin them for a start 3 minutes earlier
    day = datetime.timedelta(days=1)
    stamps = [end - 2 * day - shift, end - day - shift, end - shift]

    def answered(params):
        return {"MetricDataResults": [{"Id": query["Id"], "StatusCode": "Complete", "Timestamps": stamps,
                                       "Values": [5.0, 40.0, 1.0]} for query in params["MetricDataQueries"]]}

    record = read_traffic(ShapedAws().on("cloudwatch", "GetMetricData", answered), 30)
    stage = record["apis"][f"rest/{API}"]["stages"]["prod"]
    assert stage["requests"] == 46 and stage["last_day"]["requests"] == 41  # 40 + 1: never the 5 of two days ago


# 4. A method's own zero beside its stage's requests: unknown evidence where AWS does not document the recording.

def test_an_any_method_whose_own_figure_is_zero_beside_stage_requests_is_not_no_traffic(account):
    """"Amazon API Gateway dimensions and metrics" (https://docs.aws.amazon.com/apigateway/latest/developerguide/
    api-gateway-metrics-and-dimensions.html) names the ApiName, Method, Resource, Stage dimensions, not how an ANY
    method or a greedy {proxy+} resource fills them: a zero there, while the stage served requests, is no evidence that
    nobody called the method."""
    cloudwatch = account.session.client("cloudwatch", region_name=REGION)
    deleted_pool_api(account, (("/{proxy+}", "ANY", []),))
    # Requests recorded under the verb and path the callers used, not ANY /{proxy+}.
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/orders/7", requests=12, client_errors=3)
    report = account.scan()
    [finding] = findings(report, "APIGW001")
    assert finding["evidence"] is None and finding["outcome"] == "fail"  # not "no-traffic", not contradicted
    row = method_row(report, "ANY", "/{proxy+}")
    assert row["traffic"]["scope"] == "stage" and row["traffic"]["requests"] == 12 and row["verdict"] == "fail"
    [facts] = build_facts(normalize_snapshot(report["snapshot"]))["method"]
    assert "does not document how an ANY method on a greedy path variable is recorded" in facts["traffic_unattributed"]


def test_a_documented_method_whose_own_figure_is_zero_is_still_no_traffic(account):
    cloudwatch = account.session.client("cloudwatch", region_name=REGION)
    deleted_pool_api(account, (("/orders", "GET", []),))
    account.seed.record_requests(cloudwatch, "REST", "shop", "prod", "GET", "/retired", requests=12)
    report = account.scan()
    [finding] = findings(report, "APIGW001")
    assert finding["evidence"] == "no-traffic"  # GET /orders is recorded as itself: its zero is a figure
    assert method_row(report, "GET", "/orders")["traffic"]["scope"] == "method"


# 5. Canary deployments: what the canary requires beyond the authorization type cannot be read.

def canary_api(aws: ShapedAws, canary_summary: dict) -> None:
    cognito_rest_api(aws, ["api/read"])
    aws.on("apigateway", "GetStages", {"item": [{"stageName": "prod", "deploymentId": "dep001", "canarySettings": {
        "deploymentId": "dep002", "percentTraffic": 10.0}}]})
    summaries = {"dep001": {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}},
                 "dep002": canary_summary}
    aws.on("apigateway", "GetDeployment", lambda p: {"id": p["deploymentId"],
                                                      "apiSummary": summaries[p["deploymentId"]]})


def test_a_canary_whose_scopes_cannot_be_read_is_unknown_never_clean():
    """CanarySettings.deploymentId: "The ID of the canary deployment" serving percentTraffic of the stage (Amazon API
    Gateway API Reference, CanarySettings, https://docs.aws.amazon.com/apigateway/latest/api/API_CanarySettings.html);
    GetDeployment's apiSummary gives each method's authorizationType and apiKeyRequired only, and GetExport exports a
    stage's main deployment ("GetExport": "Exports a deployed version of a RestApi in a specified format" for a
    stageName), so the scopes and authorizer the canary requires cannot be read."""
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    canary_api(aws, {"/me": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}})
    report = scan(aws)
    assert findings(report, "APIGW003") == []
    [unknown] = findings(report, "APIGW003", "unknown")
    assert "prod (canary, 10% of traffic)" in unknown["message"] and "authorizer and scopes" in unknown["message"]
    assert method_row(report, "GET", "/me")["verdict"] == "unknown"


def test_a_canary_that_decides_by_its_authorization_type_is_still_decided():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    canary_api(aws, {"/me": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}})
    [drift] = findings(scan(aws), "APIGW003")
    assert drift["severity"] == "high" and "serves NONE" in drift["message"]


def test_a_stage_whose_export_is_read_is_compared_in_full():
    aws = ShapedAws()
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, Domain="shop-auth")
    cognito_rest_api(aws, ["api/read"])
    report = scan(aws)
    assert findings(report, "APIGW003") == [] and findings(report, "APIGW003", "unknown") == []
    assert method_row(report, "GET", "/me")["verdict"] == "ok"
