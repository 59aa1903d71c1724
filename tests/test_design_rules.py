"""Who a method turns away by design (TOK001, TOK004-TOK007, `kind = "design"`): each fires on the callers it
names, shows in the matrix, and never in the scan's report, counts or verdicts."""

from __future__ import annotations

import pytest

from helpers import REGION, assert_fires
from scanner.rules.loader import load_rules


def cells(assessed, path, stage="prod"):
    return {cell.caller.label: (cell.outcome, cell.rules) for cell in assessed.cells
            if cell.method["path"] == path and cell.stage == stage}


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def test_tok001_fires_on_the_caller_without_a_token(account):
    """Seed 003: a Cognito authorizer answers 401 to a request without a token, before anything else."""
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    assessed = account.assess()
    assert_fires(assessed, "TOK001", verdict="ok", severity="info", path="/orders")
    assert cells(assessed, "/orders")["none"] == ("401", ["TOK001"])
    assert cells(assessed, "/orders")["access:users-web"] == ("pass", [])


def test_tok001_fires_with_403_on_an_iam_method(account):
    api_id = account.seed.create_rest_api(account.apigateway, "signed")
    account.seed.add_method(account.apigateway, api_id, "/daily", "GET", authorization="AWS_IAM")
    account.seed.deploy(account.apigateway, api_id, "prod")
    assert cells(account.assess(), "/daily")["none"] == ("403", ["TOK001"])


def test_tok001_quiet_on_an_open_method(account):
    api_id = account.seed.create_rest_api(account.apigateway, "open")
    account.seed.add_method(account.apigateway, api_id, "/catalog", "GET")
    account.seed.deploy(account.apigateway, api_id, "prod")
    assessed = account.assess()
    assert not [f for f in assessed.judgement.findings if f.rule == "TOK001"]
    assert cells(assessed, "/catalog") == {"none": ("pass", [])}


def jwt_route(account, v2, route_key, issuer_suffix=""):
    """An HTTP API whose JWT authorizer trusts the pool's issuer (with `issuer_suffix`), and one route."""
    pool = account.healthy_pool()
    api_id = account.seed.create_http_api(v2, "bff")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}{issuer_suffix}"
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", issuer, [pool["client_id"]])
    account.seed.add_route(v2, api_id, route_key, authorization="JWT", authorizer_id=authorizer)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    return account.assess()


def test_tok004_fires_on_the_callers_of_an_issuer_the_authorizer_does_not_list(account, v2):
    """A JWT authorizer compares iss exactly: the pool's tokens do not carry a trailing slash (HTTP001 says why)."""
    assessed = jwt_route(account, v2, "GET /orders", issuer_suffix="/")
    # The method fails for HTTP001; TOK004 adds nothing to the report, only who is turned away.
    assert_fires(assessed, "TOK004", verdict="fail", severity="info", path="/orders")
    assert cells(assessed, "/orders", "$default")["access:users-web"] == ("401", ["HTTP001", "TOK004"])


def test_tok004_quiet_for_the_pools_own_issuer(account, v2):
    assessed = jwt_route(account, v2, "GET /orders")
    assert not [f for f in assessed.judgement.findings if f.rule == "TOK004"]
    assert cells(assessed, "/orders", "$default")["id:users-web"] == ("pass", [])


def test_tok005_fires_on_id_tokens_to_a_method_with_scopes(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/me", "GET", [])))
    assessed = account.assess()
    # The rows warn for APIGW007 (scoped and unscoped methods side by side); TOK005 adds nothing to them.
    assert_fires(assessed, "TOK005", verdict="warn", severity="info", path="/orders")
    assert cells(assessed, "/orders")["id:users-web"] == ("401", ["TOK005"])
    assert cells(assessed, "/me")["access:users-web"] == ("401", ["TOK005"])  # no scopes: ID tokens only
    assert cells(assessed, "/me")["id:users-web"] == ("pass", [])


def test_tok005_quiet_on_jwt_routes(account, v2):
    """JWT authorizers do not look at token_use (AWS, "Troubleshooting HTTP API JWT authorizers")."""
    assessed = jwt_route(account, v2, "$default")
    assert not [f for f in assessed.judgement.findings if f.rule == "TOK005"]


def test_tok006_fires_on_the_clients_that_cannot_obtain_the_scope(account):
    pool = account.healthy_pool()
    account.seed.create_client(account.cognito, pool["id"], "reader",
                               **account.seed.web_client_settings(["api/read"]))
    account.cognito_api(pool["arn"], methods=(("/orders", "POST", ["api/write"]),))
    assessed = account.assess()
    finding = assert_fires(assessed, "TOK006", verdict="ok", severity="info", path="/orders")
    assert "access:reader" in finding["message"]
    assert cells(assessed, "/orders")["access:reader"] == ("401", ["TOK006"])
    assert cells(assessed, "/orders")["access:users-web"] == ("pass", [])


def test_tok006_quiet_when_every_client_can_obtain_the_scope(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    assert not [f for f in account.assess().judgement.findings if f.rule == "TOK006"]


def test_tok007_fires_on_a_client_the_validation_expression_does_not_match(account):
    """The validation expression is matched against the ID token's aud (seed 003 "string values are valid"):
    a client it does not match gets 401, the one it matches passes (no APIGW009: it matches a client)."""
    pool = account.healthy_pool()
    other = account.seed.create_client(account.cognito, pool["id"], "other", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", []),), validation=pool["client_id"])
    assessed = account.assess()
    assert_fires(assessed, "TOK007", verdict="ok", severity="info", path="/me")
    [finding] = [f for f in assessed.judgement.findings if f.rule == "TOK007" and f.message.startswith("id:other")]
    assert finding["pool_id"] == pool["id"] and other in finding["message"]
    assert cells(assessed, "/me")["id:other"] == ("401", ["TOK007"])
    assert cells(assessed, "/me")["id:users-web"] == ("pass", [])


def test_tok007_quiet_without_a_validation_expression(account):
    pool = account.healthy_pool()
    account.seed.create_client(account.cognito, pool["id"], "other", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", []),))
    assessed = account.assess()
    assert not [f for f in assessed.judgement.findings if f.rule == "TOK007"]
    assert assessed.report["findings"] == []


def test_design_rules_are_info_and_say_whom_they_turn_away():
    design = [rule for rule in load_rules() if rule.kind == "design"]
    assert {rule.id for rule in design} == {"TOK001", "TOK004", "TOK005", "TOK006", "TOK007"}
    assert all(rule.severity == "info" and rule.refusals for rule in design)
