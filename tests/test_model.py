"""Unit tests of the pure fact helpers: ARNs, wildcards, scopes, Lambda permissions, stage comparison."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.arns import parse_pool_arn, provider_arns_by_stage, resolve_stage_variables
from scanner.model.lambda_permissions import invoke_decision
from scanner.model.scopes import obtainable_scopes
from scanner.model.stages import StageView
from scanner.model.wildcards import _compiled, wildcard_match
from scanner.schema.facts import as_record

POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"
SERVICE = "cognito-idp.amazonaws.com"


def statement(**overrides):
    base = {"Sid": "s1", "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:f"}
    base.update(overrides)
    return {"Version": "2012-10-17", "Statement": [base]}


def test_pool_arn_parts_and_issuer():
    parsed = parse_pool_arn(POOL)
    assert parsed and parsed.pool_id == "eu-west-1_AbC123" and parsed.account == "123456789012"
    assert parsed.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    china = parse_pool_arn("arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_X1")
    assert china and china.issuer == "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1"
    for bad in ("", "arn:aws:cognito-idp:eu-west-1:123:userpool/eu-west-1_A", POOL + "/",
                "arn:aws:lambda:eu-west-1:123456789012:function:x", None):
        assert parse_pool_arn(bad) is None  # type: ignore[arg-type]
    # A multi-Region replica keeps its primary's ID in another region: the ARN parses; the directory decides.
    replica = parse_pool_arn(POOL.replace(":eu-west-1:", ":us-east-1:"))
    assert replica and replica.region == "us-east-1" and replica.pool_id == "eu-west-1_AbC123"


def test_stage_variables_in_provider_arns():
    template = POOL.replace("eu-west-1_AbC123", "${stageVariables.pool}")
    assert resolve_stage_variables(template, {"pool": "eu-west-1_Z9"}) == POOL.replace("AbC123", "Z9")
    assert resolve_stage_variables(template, {}) is None
    triples = provider_arns_by_stage({"providerARNs": [template, POOL]},
                                     [{"stageName": "prod", "variables": {"pool": "eu-west-1_Z9"}},
                                      {"stageName": "dev"}])
    assert triples == [(template, "prod", POOL.replace("AbC123", "Z9")), (template, "dev", None), (POOL, None, POOL)]


@pytest.mark.parametrize("pattern, value, expected", [
    ("arn:aws:execute-api:eu-west-1:1:api/*", "arn:aws:execute-api:eu-west-1:1:api/authorizers/x", True),
    ("arn:aws:execute-api:*:1:api/authorizers/?", "arn:aws:execute-api:eu-west-1:1:api/authorizers/x", True),
    ("arn:aws:execute-api:*:1:api/authorizers/?", "arn:aws:execute-api:eu-west-1:1:api/authorizers/xy", False),
    ("a*c", "a/b/c", True), ("a.c", "abc", False), ("*", "", True), ("a", "A", False),
])
def test_wildcards(pattern, value, expected):
    assert wildcard_match(pattern, value) is expected


@settings(max_examples=2000, deadline=None)
@given(st.text("ab*/.\n", max_size=8), st.text("ab/.\n", max_size=10))
def test_wildcards_piece_by_piece_agree_with_the_regular_expression(pattern, value):
    """A pattern without `?` is matched piece by piece: always the answer of its regular expression (`$` before
    a last newline included)."""
    assert wildcard_match(pattern, value) is bool(_compiled(pattern, True).match(value))


@pytest.mark.parametrize("policy, outcome", [
    (None, "denied"),
    (statement(), "allowed"),
    (statement(Condition={"ArnLike": {"AWS:SourceArn": POOL}}), "allowed"),
    (statement(Condition={"ArnLike": {"AWS:SourceArn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/*"}}),
     "allowed"),
    (statement(Condition={"ArnEquals": {"aws:SourceArn": POOL.replace("AbC123", "Other1")}}), "denied"),
    (statement(Condition={"StringEquals": {"AWS:SourceAccount": "999999999999"}}), "denied"),
    (statement(Condition={"StringEquals": {"AWS:SourceAccount": "123456789012"},
                          "ArnLike": {"AWS:SourceArn": POOL}}), "allowed"),
    (statement(Principal={"Service": "apigateway.amazonaws.com"}), "denied"),
    (statement(Principal="*"), "allowed"),
    (statement(Action=["lambda:*"]), "allowed"),
    (statement(Action="lambda:GetFunction"), "denied"),
    (statement(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), "unknown"),
    ({"Statement": [statement()["Statement"][0], {**statement()["Statement"][0], "Effect": "Deny", "Sid": "d"}]},
     "denied"),
    ({"Statement": "nonsense"}, "unknown"),
])
def test_invoke_decision(policy, outcome):
    assert invoke_decision(policy, SERVICE, POOL, "123456789012").outcome == outcome


def test_obtainable_scopes():
    pool = {"domain": "d", "resource_servers": [{"Identifier": "https://api.example.com", "Scopes": ["read"]}]}
    client = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
              "AllowedOAuthScopes": ["openid", "https://api.example.com/read", "gone/scope"],
              "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]}
    assert obtainable_scopes(client, pool) == {"openid", "https://api.example.com/read"}
    assert obtainable_scopes(client, {**pool, "domain": None}) == set()
    assert obtainable_scopes({**client, "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}, {"domain": None}) == {
        "aws.cognito.signin.user.admin"}
    assert obtainable_scopes({**client, "AllowedOAuthFlows": []}, pool) == set()
    # No ExplicitAuthFlows: Cognito allows SRP, refresh and custom auth (UserPoolClientType.ExplicitAuthFlows).
    assert "aws.cognito.signin.user.admin" in obtainable_scopes({**client, "ExplicitAuthFlows": []}, pool)
    # Machine to machine without the OAuth endpoints (GetClientToken): the allowed scopes, no domain needed.
    m2m = {"ExplicitAuthFlows": ["ALLOW_CLIENT_TOKEN_AUTH"], "HasClientSecret": True,
           "AllowedOAuthScopes": ["https://api.example.com/read"]}
    assert obtainable_scopes(m2m, {**pool, "domain": None}) == {"https://api.example.com/read"}


def test_stage_view_compares_each_stage():
    summary = {"/a": {"GET": {"authorizationType": "COGNITO_USER_POOLS", "apiKeyRequired": False}}}
    api = {"stages": [{"stageName": "prod", "deploymentId": "d1"}, {"stageName": "bare"},
                      {"stageName": "lost", "deploymentId": "d9"}],
           "deployments": {"d1": {"summary": summary, "export": None}}}
    view = StageView(api, None)
    live = {"authorization": "COGNITO_USER_POOLS", "authorizer": "x", "scopes": ["s"], "api_key_required": False}
    entries = {entry.stage: entry for entry in view.compare("/a", "GET", live)}
    assert entries["prod"].served and entries["prod"].differences == []  # the export was not read: not compared
    assert entries["bare"].differences == ["GET /a is not deployed to stage bare (the stage has no deployment)"]
    assert entries["lost"].unknown_reason and entries["lost"].differences == []
    assert json.dumps([as_record(entry) for entry in entries.values()])  # plain data for the rules
