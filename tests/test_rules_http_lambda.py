"""HTTP APIs with JWT authorizers (HTTP001-005) and Lambda authorizers (LAM001-003), each fired and quieted."""

from __future__ import annotations

import json

import pytest

from conftest import ACCOUNT, REGION, findings, method_row, rule_ids


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def issuer_of(pool):
    return f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}"


def http_api(account, v2, pool, *, issuer=None, audience=None, routes=(("GET /orders", ["api/read"]),),
             stage="$default", auto_deploy=True, name="bff"):
    api_id = account.seed.create_http_api(v2, name)
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", issuer or issuer_of(pool),
                                                 audience if audience is not None else [pool["client_id"]])
    for key, scopes in routes:
        account.seed.add_route(v2, api_id, key, authorization="JWT", authorizer_id=authorizer, scopes=scopes)
    if stage:
        v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=auto_deploy)
    return api_id


def test_healthy_http_api(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("$default", [])))
    report = account.scan()
    assert report["findings"] == [] and report["errors"] == []
    row = method_row(report, "GET", "/orders")
    assert (row["api_type"], row["api_id"], row["token"], row["stages"]) == ("HTTP", api_id, "access", ["$default"])
    default = method_row(report, "ANY", "$default")
    assert default["token"] == "id-or-access" and default["verdict"] == "ok"


@pytest.mark.parametrize("issuer, words", [
    ("{issuer}/", "ends with a slash"),
    ("{issuer_http}", "is http"),
    ("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}", "names region us-east-1"),
    (f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Gone1", "no user pool"),
])
def test_http001_issuer(account, v2, issuer, words):
    pool = account.healthy_pool()
    text = issuer.format(issuer=issuer_of(pool), issuer_http=issuer_of(pool).replace("https", "http"),
                         pool_id=pool["id"])
    http_api(account, v2, pool, issuer=text)
    report = account.scan()
    [finding] = findings(report, "HTTP001")
    assert words in finding["message"] and finding["severity"] == "critical"
    assert method_row(report, "GET", "/orders")["verdict"] == "fail"


def test_http001_quiet_for_other_identity_providers(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, issuer="https://example.eu.auth0.com/", audience=["api"], routes=(("GET /x", []),))
    assert rule_ids(account.scan()) == set()


def test_http002_audience(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, audience=[pool["client_id"], "retiredclient123"], name="stranger")
    http_api(account, v2, pool, audience=[], name="empty")
    report = account.scan()
    by_api = {f["api_name"]: f["message"] for f in findings(report, "HTTP002")}
    assert set(by_api) == {"stranger", "empty"}
    assert "retiredclient123 is not" in by_api["stranger"] and "empty" in by_api["empty"]


def test_http003_scope_no_client_in_the_audience_can_obtain(account, v2):
    pool = account.seed.create_pool(account.cognito, "users", domain="users-d",
                                    resource_servers={"api": ["read", "write"]})
    pool["client_id"] = account.seed.create_client(account.cognito, pool["id"], "web",
                                                   **account.seed.web_client_settings(["api/read"]))
    account.seed.create_client(account.cognito, pool["id"], "admin", **account.seed.web_client_settings(["api/write"]))
    http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("POST /orders", ["api/write"])))
    report = account.scan()
    # api/write exists and `other` may obtain it, but `other` is not in the audience.
    assert [(f["method"], f["path"]) for f in findings(report, "HTTP003")] == [("POST", "/orders")]


def test_http004_open_route_beside_protected_ones(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool)
    account.seed.add_route(v2, api_id, "GET /public")
    account.seed.add_route(v2, api_id, "OPTIONS /orders")
    report = account.scan()
    assert [f["path"] for f in findings(report, "HTTP004")] == ["/public"]
    assert findings(report, "APIGW010") == []


def test_http005_no_serving_stage(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, stage=None, name="no-stage")
    http_api(account, v2, pool, stage="manual", auto_deploy=False, name="never-deployed")
    http_api(account, v2, pool, stage="$default", auto_deploy=True, name="fine")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "HTTP005")) == ["never-deployed", "no-stage"]
    assert findings(report, "APIGW004") == []


# Lambda authorizers

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


def test_healthy_lambda_authorizer(account):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    _, _, source = rest_with_lambda(account, arn)
    account.seed.allow_apigateway(account.lambda_client, "auth", source)
    report = account.scan()
    assert report["findings"] == []
    assert method_row(report, "GET", "/x")["token"] == "lambda"


def test_lam001_missing_function_and_alias(account):
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gone", name="gone")
    account.seed.create_function(account.lambda_client, account.iam, "aliased")
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:aliased:nosuchalias", name="alias")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "LAM001")) == ["alias", "gone"]
    assert method_row(report, "GET", "/x", "gone")["verdict"] == "fail"


def test_lam001_function_in_another_account_is_unknown(account):
    rest_with_lambda(account, f"arn:aws:lambda:{REGION}:999999999999:function:shared")
    report = account.scan()
    assert findings(report, "LAM001") == [] and findings(report, "LAM001", "unknown")


@pytest.mark.parametrize("source, fires", [
    (None, True),                                                          # no permission at all
    ("arn:aws:execute-api:{region}:{account}:{api}/authorizers/{auth}", False),
    ("arn:aws:execute-api:{region}:{account}:{api}/authorizers/*", False),  # every authorizer of the API
    ("arn:aws:execute-api:{region}:{account}:{api}/*", False),
    ("arn:aws:execute-api:{region}:{account}:otherapi1/authorizers/*", True),  # another API
    ("arn:aws:execute-api:{region}:{account}:{api}/*/GET/x", True),       # a method's ARN, not the authorizer's
])
def test_lam002_source_arn(account, source, fires):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id, authorizer, _ = rest_with_lambda(account, arn)
    if source:
        account.seed.allow_apigateway(account.lambda_client, "auth", source.format(
            region=REGION, account=ACCOUNT, api=api_id, auth=authorizer))
    assert bool(findings(account.scan(), "LAM002")) is fires


def test_lam002_permission_on_an_alias(account):
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
def test_lam002_with_a_role(account, trust, inline, managed, outcome, words):
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


def test_lam002_role_unreadable_is_undecided(account):
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


def test_lam002_http_api_request_authorizer(account, v2):
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


@pytest.mark.parametrize("kind, header, ttl, fires", [
    ("TOKEN", "X-Api-Token", 300, True),      # callers must use that header; cached per its value
    ("TOKEN", "Authorization", 300, False),
    ("REQUEST", "Host", 300, True),           # cached per Host: one caller's answer reused for all
    ("REQUEST", "Authorization", 300, False),
    ("REQUEST", "X-Tenant", 0, True),         # not cached, but callers must send X-Tenant
])
def test_lam003_identity_source(account, kind, header, ttl, fires):
    arn = account.seed.create_function(account.lambda_client, account.iam, "auth")
    _, _, source = rest_with_lambda(account, arn, kind=kind, header=header, ttl=ttl)
    account.seed.allow_apigateway(account.lambda_client, "auth", source)
    assert bool(findings(account.scan(), "LAM003")) is fires
