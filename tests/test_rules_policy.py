"""Resource policies through the full scan (APIGW013-016), each fired and quieted."""

from __future__ import annotations

from helpers import allow, assert_fires, findings, method_row


def _api_with_policy(account, pool, policy_document, endpoint="REGIONAL", name="shop"):
    api_id = account.seed.create_rest_api(account.apigateway, name, policy=policy_document, endpoint=endpoint)
    authorizer = account.seed.add_cognito_authorizer(account.apigateway, api_id, "cognito", [pool["arn"]])
    for path, verb in (("/pets", "GET"), ("/pets", "POST"), ("/", "GET")):
        account.seed.add_method(account.apigateway, api_id, path, verb, authorization="COGNITO_USER_POOLS",
                                authorizer_id=authorizer, scopes=["api/read"])
    account.seed.deploy(account.apigateway, api_id, "prod")
    return api_id


def _document(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_apigw013_fires_on_a_deny_and_on_no_allow(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*"), {
        "Sid": "NoWrites", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*/POST/*"}))
    _api_with_policy(account, pool, _document(allow("execute-api:/dev/*")), name="wrong-stage")
    report = account.scan()
    got = sorted((f["api_name"], f["method"], f["path"], f["stage"]) for f in findings(report, "APIGW013"))
    assert got == [("shop", "POST", "/pets", "prod"), ("wrong-stage", "GET", "/", "prod"),
                   ("wrong-stage", "GET", "/pets", "prod"), ("wrong-stage", "POST", "/pets", "prod")]
    assert "NoWrites" in findings(report, "APIGW013")[0]["message"]
    assert method_row(report, "POST", "/pets", "shop")["policy_decision"] == "deny"
    assert method_row(report, "GET", "/pets", "shop")["policy_decision"] == "allow"
    assert method_row(report, "GET", "/pets", "wrong-stage")["policy_decision"] == "implicit-deny"
    assert_fires(report, "APIGW013", verdict="fail", severity="critical", api="shop", method="POST", path="/pets",
                 stage="prod")


def test_apigw013_quiet_without_or_with_an_open_policy(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, None, name="no-policy")
    _api_with_policy(account, pool, _document(allow("execute-api:/*")), name="open")
    report = account.scan()
    assert report["findings"] == []
    assert {row["policy_decision"] for row in report["methods"]} == {"no-policy", "allow"}


def test_apigw014_fires_on_a_conditional_deny(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*"), {
        "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/pets",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123"}}}))
    report = account.scan()
    [finding] = findings(report, "APIGW014")
    assert (finding["method"], finding["path"]) == ("GET", "/pets")
    assert "aws:SourceVpce StringNotEquals vpce-0123" in finding["message"]
    assert findings(report, "APIGW013") == []
    assert_fires(report, "APIGW014", verdict="warn", severity="low", method="GET", path="/pets")


def test_apigw015_fires_on_a_private_api_nobody_may_call(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, None, endpoint="PRIVATE", name="no-policy")
    _api_with_policy(account, pool, _document({**allow("execute-api:/*"), "Effect": "Deny"}), endpoint="PRIVATE",
                     name="deny-only")
    _api_with_policy(account, pool, _document(allow("execute-api:/*", Condition={
        "StringEquals": {"aws:SourceVpce": "vpce-1"}})), endpoint="PRIVATE", name="vpce")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "APIGW015")) == ["deny-only", "no-policy"]
    assert_fires(report, "APIGW015", verdict="fail", severity="critical", api="no-policy")


def test_apigw016_fires_on_an_unreadable_policy_and_makes_reachability_unknown(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*", Principle="*")))
    report = account.scan()
    # High, and what it makes of the methods is unknown (method_verdict): reachability cannot be told.
    finding = assert_fires(report, "APIGW016", verdict="unknown", severity="high")
    assert "unknown element 'Principle'" in finding["message"]
    assert len(findings(report, "APIGW013", outcome="unknown")) == 3
    assert {row["verdict"] for row in report["methods"]} == {"unknown"}
    assert {row["policy_decision"] for row in report["methods"]} == {"unknown"}


def test_apigw014_fires_on_an_any_method_with_verb_specific_statements(account):
    api_id = account.seed.create_rest_api(account.apigateway, "any", policy=_document(
        allow("execute-api:/*/GET/*"), allow("execute-api:/*/POST/*")))
    account.seed.add_method(account.apigateway, api_id, "/proxy", "ANY")
    account.seed.deploy(account.apigateway, api_id, "prod")
    report = account.scan()
    [finding] = findings(report, "APIGW014")
    assert "GET allow" in finding["message"] and "DELETE implicit-deny" in finding["message"]


def test_apigw014_quiet_without_conditions(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*")), name="open")
    assert findings(account.scan(), "APIGW014") == []


def test_apigw015_quiet_for_a_private_api_with_an_endpoint_policy(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*", Condition={
        "StringEquals": {"aws:SourceVpce": "vpce-1"}})), endpoint="PRIVATE", name="vpce")
    assert findings(account.scan(), "APIGW015") == []


def test_apigw016_quiet_for_a_readable_policy(account):
    pool = account.healthy_pool()
    _api_with_policy(account, pool, _document(allow("execute-api:/*")))
    assert findings(account.scan(), "APIGW016") == []
