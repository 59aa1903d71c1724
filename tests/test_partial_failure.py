"""A call that cannot be made is recorded, never a crash: the checks that needed it are unknown, naming IAM actions."""

from __future__ import annotations

from botocore.awsrequest import AWSResponse

from helpers import ACCOUNT, deny, findings, method_row
from scanner.report import exit_code


def test_denied_app_clients_make_scope_checks_unknown(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    deny(account, "cognito-idp.ListUserPoolClients")
    report = account.scan()
    [unknown] = findings(report, "APIGW005", outcome="unknown")
    assert "cognito-idp:ListUserPoolClients" in unknown["message"]
    assert findings(report, "APIGW005") == []
    assert method_row(report, "GET", "/orders")["verdict"] == "unknown"
    [error] = report["errors"]
    assert error["iam_action"] == "cognito-idp:ListUserPoolClients" and error["service"] == "cognito-idp"
    assert exit_code(report, "high") == 2


def test_denied_pool_listing_makes_pool_existence_unknown(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    deny(account, "cognito-idp.ListUserPools")
    report = account.scan()
    assert findings(report, "APIGW001") == []
    [unknown] = findings(report, "APIGW001", outcome="unknown")
    assert "cognito-idp:ListUserPools" in unknown["message"]
    assert method_row(report, "GET", "/orders")["verdict"] == "unknown"


def test_denied_deployment_reads_make_drift_unknown(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    deny(account, "apigateway.GetExport")
    deny(account, "apigateway.GetDeployment")
    report = account.scan()
    [unknown] = findings(report, "APIGW003", outcome="unknown")
    assert unknown["stage"] == "prod" and "apigateway:GET" in unknown["message"]
    assert {e["operation"] for e in report["errors"]} == {"GetExport", "GetDeployment"}


def test_export_alone_denied_still_compares_authorization_type(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    resources = {r["path"]: r["id"] for r in account.apigateway.get_resources(restApiId=api["api_id"])["items"]}
    account.apigateway.update_method(restApiId=api["api_id"], resourceId=resources["/orders"], httpMethod="GET",
                                     patchOperations=[{"op": "replace", "path": "/authorizationType",
                                                       "value": "NONE"}])
    deny(account, "apigateway.GetExport")
    report = account.scan()
    [finding] = findings(report, "APIGW003")
    assert "authorization type" in finding["message"]


def test_denied_lambda_policy_makes_trigger_check_unknown(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "enrich")
    account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": function_arn})
    deny(account, "lambda.GetPolicy")
    report = account.scan()
    assert findings(report, "COG006") == []
    [unknown] = findings(report, "COG006", outcome="unknown")
    assert "lambda:GetPolicy" in unknown["message"]


def test_denied_rest_api_listing_still_audits_cognito(account):
    pool = account.seed.create_pool(account.cognito, "bare")
    account.seed.create_client(account.cognito, pool["id"], "web", **account.seed.web_client_settings([]))
    deny(account, "apigateway.GetRestApis")
    report = account.scan()
    assert findings(report, "COG001")
    assert [e["iam_action"] for e in report["errors"]] == ["apigateway:GET"]


def test_throttling_is_retried_and_loses_no_method(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/a", "GET", ["api/read"]), ("/b", "GET", ["api/read"])))
    remaining = {"throttles": 2}

    def throttle(request, **_):
        if "/resources" in request.url and remaining["throttles"]:
            remaining["throttles"] -= 1
            return AWSResponse(request.url, 429, {"x-amzn-ErrorType": "TooManyRequestsException"},
                               _Raw(b'{"message": "Too Many Requests"}'))
        return None

    account.session._session.register("before-send.api-gateway", throttle)
    report = account.scan()
    assert remaining["throttles"] == 0
    assert report["errors"] == []
    assert {m["path"] for m in report["methods"]} == {"/a", "/b"}


def test_function_in_another_account_is_unknown_not_missing(account):
    foreign = "arn:aws:lambda:eu-west-1:210987654321:function:shared"
    account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": foreign})
    report = account.scan()
    assert findings(report, "COG005") == []
    assert findings(report, "COG005", outcome="unknown")
    assert report["account"] == ACCOUNT


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data
