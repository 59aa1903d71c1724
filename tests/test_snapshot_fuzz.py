"""Facts and rules on snapshots with missing, null and unexpected fields: never an exception."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.model.facts import build_facts
from scanner.model.normalize import normalize_snapshot
from scanner.render.terminal import render_table
from scanner.rules.engine import evaluate
from scanner.rules.loader import load_rules
from scanner.scan import judge

RULES = load_rules()
POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_A1"
FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:f"
BASE = {
    "schema": "apigw-scan-snapshot/1", "account": "123456789012", "partition": "aws", "regions": ["eu-west-1"],
    "rest_apis": [{
        "region": "eu-west-1", "id": "a1", "name": "shop", "endpoint_types": ["PRIVATE"],
        "policy": json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                                             "Resource": "execute-api:/*"}]}),
        "resources": [{"id": "r1", "path": "/orders", "methods": {
            "GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "z1", "authorizationScopes": ["x/y"]},
            "POST": {"authorizationType": "CUSTOM", "authorizerId": "z2"},
            "ANY": {"authorizationType": "NONE"}}}],
        "authorizers": [
            {"id": "z1", "name": "c", "type": "COGNITO_USER_POOLS", "providerARNs": [POOL, "${stageVariables.p}"],
             "identitySource": "method.request.header.Authorization", "identityValidationExpression": "^a$"},
            {"id": "z2", "name": "l", "type": "TOKEN", "identitySource": "method.request.header.X",
             "authorizerUri": f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"}],
        "stages": [{"stageName": "prod", "deploymentId": "d1", "variables": {"p": "x"}}],
        "deployments": {"d1": {"summary": {"/orders": {"GET": {"authorizationType": "NONE"}}},
                               "export": {"paths": {"/orders": {"get": {"security": [{"c": ["x/y"]}]}}},
                                          "components": {"securitySchemes": {"c": {
                                              "x-amazon-apigateway-authtype": "cognito_user_pools"}}}}}},
    }],
    "http_apis": [{
        "region": "eu-west-1", "id": "h1", "name": "bff",
        "routes": [{"RouteKey": "GET /me", "AuthorizationType": "JWT", "AuthorizerId": "j1",
                    "AuthorizationScopes": ["x/y"]}, {"RouteKey": "$default", "AuthorizationType": "NONE"}],
        "authorizers": [{"AuthorizerId": "j1", "Name": "jwt", "AuthorizerType": "JWT",
                         "JwtConfiguration": {"Issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A1",
                                              "Audience": ["c1"]}}],
        "stages": [{"StageName": "$default", "AutoDeploy": True}],
    }],
    "user_pools": [{"region": "eu-west-1", "id": "eu-west-1_A1", "arn": POOL, "status": "ok", "domain": "d",
                    "lambda_config": {"PreTokenGeneration": FUNCTION, "DefineAuthChallenge": FUNCTION},
                    "clients": [{"ClientId": "c1", "AllowedOAuthFlowsUserPoolClient": True,
                                 "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["x/y"],
                                 "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}],
                    "resource_servers": [{"Identifier": "x", "Scopes": ["y"]}]}],
    "pool_listings": {"eu-west-1": {"complete": True}},
    "functions": {FUNCTION: {"arn": FUNCTION, "status": "found", "policy_status": "ok", "policy": {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"},
                       "Action": "lambda:InvokeFunction"}]}}},
    "errors": [{"region": "eu-west-1", "operation": "ListUserPools", "message": "m", "iam_action": "a"}],
    # What surrounds the authorizer, and the traffic.
    "usage": {"eu-west-1": {"plans": [{"id": "p1", "apiStages": [{"apiId": "a1", "stage": "prod"}],
                                       "keys": [{"id": "k1", "type": "API_KEY"}]}],
                            "api_keys": [{"id": "k1", "enabled": False}]}},
    "domains": {"eu-west-1": {"complete": True, "apis": ["a1", "h1"], "names": [
        {"DomainName": "api.example.com", "RoutingMode": "ROUTING_RULE_THEN_API_MAPPING",
         "mappings": [{"ApiId": "a1", "Stage": "prod", "ApiMappingKey": "v1", "ApiMappingId": "m1"}],
         "rules": [{"ApiId": "zz", "Stage": "s", "RoutingRuleId": "r1"}]}]}},
    "cloudfront": {"distributions": [{"Id": "E1", "Origins": [
        {"Id": "o1", "DomainName": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", "OriginPath": "/prod"},
        {"Id": "o2", "DomainName": "api.example.com", "OriginPath": ""}], "behaviours": [
        {"PathPattern": "/v1/*", "TargetOriginId": "o2", "CachePolicyId": "c1", "OriginRequestPolicyId": "q1"},
        {"PathPattern": None, "TargetOriginId": "o1", "ForwardedHeaders": ["*"]}]}],
        "cache_policies": {"c1": {"Name": "Managed-CachingOptimized", "HeaderBehavior": "none"}},
        "origin_request_policies": {"q1": {"Name": "Managed-AllViewer", "HeaderBehavior": "allViewer"}}},
    "traffic": {"eu-west-1": {"days": 14, "end": "2026-12-01T00:00:00+00:00", "skipped": {}, "apis": {
        "rest/a1": {"api": {"requests": 30, "client_errors": 30, "server_errors": 0,
                            "last_day": {"requests": 30, "client_errors": 30, "server_errors": 0}},
                    "stages": {"prod": {"requests": 30, "client_errors": 30, "server_errors": 0,
                                        "last_day": {"requests": 3, "client_errors": 1, "server_errors": 0}}},
                    "methods": {"prod GET /orders": {"requests": 25, "client_errors": 0, "server_errors": 25,
                                                     "last_day": {"requests": 5, "client_errors": 0,
                                                                  "server_errors": 1}}}},
        "http/h1": {"api": {"requests": 4, "client_errors": 0, "server_errors": 0,
                            "last_day": {"requests": 4, "client_errors": 0, "server_errors": 0}}}}}},
}

_odd = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.just([]), st.just({}),
                 st.just(["x", None]), st.just({"x": None}), st.just([{}]))


def _paths(value, prefix=()):
    """Every path to a value inside the snapshot."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PATHS = [path for path in _paths(BASE) if path]


def _mutate(snapshot, path, action, value):
    parent = snapshot
    for key in path[:-1]:
        parent = parent[key]
    if action == "delete":
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list) and path[-1] < len(parent):
            parent.pop(path[-1])
    else:
        parent[path[-1]] = value
        if isinstance(parent, dict):
            parent["unexpected-field"] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(["delete", "replace"]), _odd),
                        min_size=1, max_size=4))
def test_facts_and_rules_never_raise(changes):
    snapshot = copy.deepcopy(BASE)
    for path, action, value in changes:
        try:
            _mutate(snapshot, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the path
    report = judge(snapshot, None, None, RULES)
    render_table(report)
    json.dumps(report, default=str)


def test_the_base_snapshot_exercises_every_kind():
    facts = build_facts(normalize_snapshot(copy.deepcopy(BASE)))
    assert all(facts[kind] for kind in ("method", "api", "authorizer", "pool", "client"))
    assert {f["rule"] for f in evaluate(RULES, facts)} & {"APIGW003", "APIGW009", "LAM003", "COG007"}
