"""Lambda authorizers, REST TOKEN/REQUEST and HTTP REQUEST (LAM001-003), each fired and quieted."""

from __future__ import annotations

import json

import pytest

from helpers import ACCOUNT, REGION, assert_fires, findings, method_row


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def rest_with_lambda(account, function_arn, *, kind="TOKEN", header="Authorization", role=None, ttl=300,
                     name="lam"):
    api_id = account.seed.create_rest_api(account.apigateway, name)
    authorizer = account.seed.add_lambda_authorizer(account.apigateway, api_id, "check", function_arn, kind=kind,
                                                    header=header, role=role, ttl=ttl)
    account.seed.add_method(account.apigateway, api_id, "/x", "GET", authorization="CUSTOM",
                            authorizer_id=authorizer)
    account.seed.deploy(account.apigateway, api_id, "prod")
    source = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/authorizers/{authorizer}"
    return api_id, authorizer, source


def test_healthy_lambda_authorizer_has_no_finding(account):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    _, _, source = rest_with_lambda(account, arn)
    account.seed.allow_apigateway(account.lambda_client, "auth", source)
    report = account.scan()
    assert report["findings"] == []
    assert method_row(report, "GET", "/x")["token"] == "lambda"


def test_lam001_fires_on_a_missing_function_and_alias(account):
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone", name="gone")
    account.seed.create_function(account.lambda_client, account.iam, "aliased")
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:aliased:nosuchalias", name="alias")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "LAM001")) == ["alias", "gone"]
    assert_fires(report, "LAM001", verdict="fail", severity="critical", api="gone", path="/x")


def test_lam001_unknown_for_a_function_in_another_account(account):
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:999999999999:function:shared")
    report = account.scan()
    assert findings(report, "LAM001") == [] and findings(report, "LAM001", "unknown")


def lam002_report(account, source):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id, authorizer, _ = rest_with_lambda(account, arn)
    if source:
        account.seed.allow_apigateway(account.lambda_client, "auth", source.format(
            region=REGION, account=ACCOUNT, api=api_id, auth=authorizer))
    return account.scan()


@pytest.mark.parametrize("source", [
    None,                                                          # no permission at all
    "arn:aws:execute-api:{region}:{account}:otherapi1/authorizers/*",  # another API
    "arn:aws:execute-api:{region}:{account}:{api}/*/GET/x",       # a method's ARN, not the authorizer's
])
def test_lam002_fires_when_the_source_arn_does_not_match(account, source):
    assert_fires(lam002_report(account, source), "LAM002", verdict="fail", severity="critical", path="/x")


@pytest.mark.parametrize("source", [
    "arn:aws:execute-api:{region}:{account}:{api}/authorizers/{auth}",
    "arn:aws:execute-api:{region}:{account}:{api}/authorizers/*",  # every authorizer of the API
    "arn:aws:execute-api:{region}:{account}:{api}/*",
])
def test_lam002_quiet_when_the_source_arn_matches(account, source):
    assert findings(lam002_report(account, source), "LAM002") == []


def test_lam002_quiet_with_a_permission_on_the_alias(account):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    version = account.lambda_client.publish_version(FunctionName="auth")["Version"]
    account.lambda_client.create_alias(FunctionName="auth", Name="live", FunctionVersion=version)
    _, _, source = rest_with_lambda(account, f"{arn}:live")
    account.lambda_client.add_permission(FunctionName="auth", Qualifier="live", StatementId="apigw",
                                         Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                                         SourceArn=source)
    report = account.scan()
    assert findings(report, "LAM001") == [] and findings(report, "LAM002") == []


APIGATEWAY_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                              "Principal": {"Service": "apigateway.amazonaws.com"}}]}


def invoke_policy(resource):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": resource}]})


@pytest.mark.parametrize("trust, inline, managed, outcome, words", [
    (APIGATEWAY_TRUST, "{function}", None, None, None),                        # trusted, allowed: quiet
    (APIGATEWAY_TRUST, None, "arn:aws:iam::aws:policy/service-role/AWSLambdaRole", None, None),
    (APIGATEWAY_TRUST, "arn:aws:lambda:*:*:function:other-*", None, "fail", "no permission policy"),
    (APIGATEWAY_TRUST, None, None, "fail", "no permission policy"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                              "Principal": {"Service": "lambda.amazonaws.com"}}]},
     "{function}", None, "fail", "trust policy does not let apigateway.amazonaws.com"),
    ("missing", None, None, "fail", "does not exist"),
])
def test_lam002_fires_or_stays_quiet_with_a_role(account, trust, inline, managed, outcome, words):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    if trust != "missing":
        account.iam.create_role(RoleName="apigw-invoke", AssumeRolePolicyDocument=json.dumps(trust))
        if inline:
            account.iam.put_role_policy(RoleName="apigw-invoke", PolicyName="invoke",
                                        PolicyDocument=invoke_policy(inline.format(function=arn)))
        if managed:
            account.iam.create_policy(PolicyName="AWSLambdaRole", Path="/service-role/",
                                      PolicyDocument=invoke_policy("*"))
            account.iam.attach_role_policy(RoleName="apigw-invoke",
                                           PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/service-role/AWSLambdaRole")
    rest_with_lambda(account, arn, role=f"arn:aws:iam::{ACCOUNT}:role/apigw-invoke")
    found = findings(account.scan(), "LAM002", outcome or "fail")
    if outcome is None:
        assert found == [] and findings(account.scan(), "LAM002", "unknown") == []
    else:
        [finding] = found
        assert words in finding["message"] and "put-role-policy --role-name apigw-invoke" in finding["remediation"]


def test_lam002_unknown_when_the_role_is_unreadable(account):
    from botocore.exceptions import ClientError

    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    rest_with_lambda(account, arn, role=f"arn:aws:iam::{ACCOUNT}:role/apigw-invoke")

    def refuse(model, **_):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

    account.session._session.register("before-call.iam.GetRole", refuse)
    report = account.scan()
    [unknown] = findings(report, "LAM002", "unknown")
    assert "could not be read" in unknown["message"]
    assert [e["iam_action"] for e in report["errors"]] == ["iam:GetRole"]


def test_lam002_fires_then_quiet_on_an_http_request_authorizer(account, v2):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id = account.seed.create_http_api(v2, "h")
    region_uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
    authorizer = v2.create_authorizer(ApiId=api_id, Name="req", AuthorizerType="REQUEST", AuthorizerUri=region_uri,
                                      IdentitySource=["$request.header.Authorization"],
                                      AuthorizerPayloadFormatVersion="2.0")["AuthorizerId"]
    account.seed.add_route(v2, api_id, "GET /x", authorization="CUSTOM", authorizer_id=authorizer)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert findings(account.scan(), "LAM002")
    account.seed.allow_apigateway(account.lambda_client, "auth",
                                  f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/authorizers/{authorizer}")
    assert findings(account.scan(), "LAM002") == []


def test_functions_are_read_once_however_many_authorizers_name_them(account):
    from scanner.collect.calls import CallLog

    arn = account.seed.create_function(account.lambda_client, account.iam, "shared-auth")
    for number in range(4):
        _, _, source = rest_with_lambda(account, arn, name=f"api-{number}")
        account.seed.allow_apigateway(account.lambda_client, "shared-auth", source, statement=f"s{number}")
    log = CallLog()
    report = account.scan(call_log=log)
    assert report["findings"] == []
    assert log.counts["lambda:GetPolicy"] == 1 and "lambda:GetFunctionConfiguration" not in log.counts


def lam003_report(account, kind, header, ttl):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    _, _, source = rest_with_lambda(account, arn, kind=kind, header=header, ttl=ttl)
    account.seed.allow_apigateway(account.lambda_client, "auth", source)
    return account.scan()


@pytest.mark.parametrize("kind, header, ttl", [
    ("TOKEN", "X-Api-Token", 300),      # callers must use that header; cached per its value
    ("REQUEST", "Host", 300),           # cached per Host: one caller's answer reused for all
    ("REQUEST", "X-Tenant", 0),         # not cached, but callers must send X-Tenant
])
def test_lam003_fires_on_identity_sources_callers_must_know(account, kind, header, ttl):
    assert_fires(lam003_report(account, kind, header, ttl), "LAM003", verdict="warn", severity="low", path="/x")


@pytest.mark.parametrize("kind, header, ttl", [("TOKEN", "Authorization", 300), ("REQUEST", "Authorization", 300)])
def test_lam003_quiet_for_the_authorization_header(account, kind, header, ttl):
    assert findings(lam003_report(account, kind, header, ttl), "LAM003") == []


def test_lam001_quiet_when_the_function_exists(account):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    rest_with_lambda(account, arn)
    report = account.scan()
    assert findings(report, "LAM001") == [] and findings(report, "LAM001", "unknown") == []


def cached_authorizer(account, ttl, methods):
    """A TOKEN authorizer (allowed to run) guarding `methods` (path, verb)."""
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id = account.seed.create_rest_api(account.apigateway, "cached")
    authorizer = account.seed.add_lambda_authorizer(account.apigateway, api_id, "check", arn, ttl=ttl)
    for path, verb in methods:
        account.seed.add_method(account.apigateway, api_id, path, verb, authorization="CUSTOM",
                                authorizer_id=authorizer)
    account.seed.deploy(account.apigateway, api_id, "prod")
    account.seed.allow_apigateway(account.lambda_client, "auth",
                                  f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/authorizers/{authorizer}")
    return api_id, authorizer


@pytest.mark.parametrize("methods", [(("/orders", "GET"), ("/orders", "POST")), (("/{proxy+}", "ANY"),)])
def test_lam004_fires_when_a_cached_answer_serves_several_methods(account, methods):
    """KC "api-gateway-lambda-authorization-errors": a cached policy that allows only the first methodArn
    answers 403 on the caller's other methods until the TTL expires."""
    api_id, authorizer = cached_authorizer(account, 300, methods)
    report = account.scan()
    finding = assert_fires(report, "LAM004", verdict="warn", severity="low")
    assert "caches its answer for 300s" in finding["message"]
    assert finding["commands"][0] == (f"aws apigateway update-authorizer --region {REGION} --rest-api-id {api_id} "
                                      f"--authorizer-id {authorizer} --patch-operations "
                                      "op=replace,path=/authorizerResultTtlInSeconds,value=0")
    assert {m["verdict"] for m in report["methods"]} == {"warn"}


@pytest.mark.parametrize("ttl, methods", [(0, (("/orders", "GET"), ("/orders", "POST"))),
                                          (300, (("/orders", "GET"),))])
def test_lam004_quiet_without_caching_or_with_one_method(account, ttl, methods):
    cached_authorizer(account, ttl, methods)
    report = account.scan()
    assert findings(report, "LAM004") == [] and report["findings"] == []


def test_lam004_quiet_for_http_simple_responses(account, v2):
    """An HTTP API simple response (isAuthorized) holds no methodArn: a cached answer fits every route."""
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id = account.seed.create_http_api(v2, "h")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
    for simple, name in ((True, "simple"), (False, "policy")):
        authorizer = v2.create_authorizer(ApiId=api_id, Name=name, AuthorizerType="REQUEST", AuthorizerUri=uri,
                                          IdentitySource=["$request.header.Authorization"],
                                          AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=simple,
                                          AuthorizerResultTtlInSeconds=300)["AuthorizerId"]
        for route in ("GET /a", "GET /b"):
            account.seed.add_route(v2, api_id, f"{route}/{name}", authorization="CUSTOM", authorizer_id=authorizer)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert [f["authorizer"] for f in findings(account.scan(), "LAM004")] == ["policy"]


def test_lam004_undecided_when_the_methods_cannot_be_read(account):
    from helpers import deny

    cached_authorizer(account, 300, (("/orders", "GET"),))
    deny(account, "apigateway.GetResources")
    [unknown] = findings(account.scan(), "LAM004", outcome="unknown")
    assert "GetResources" in unknown["message"]
