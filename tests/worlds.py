"""Accounts of several regions for the emulator, shared by the collection tests and the bench: in each region a user
pool with a pre-token trigger, REST APIs with Cognito and Lambda authorizers on two stages (in the first region the
Lambda authorizer is invoked with a role, and a method requires an API key), an HTTP API with a JWT authorizer;
across regions, authorizers naming pools of other regions (scanned or not)."""

from __future__ import annotations

import json
from typing import Any

from scanner.demo import seed

ACCOUNT = "123456789012"
# Eight regions with APIs; --all-regions finds the others (moto lists every region) empty.
BUSY = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
        "ca-central-1"]
ELSEWHERE = "eu-north-1"  # holds a pool that authorizers name, in a region the scans do not read


def seed_regions(session: Any, regions: list[str], busiest_apis: int = 3) -> dict[str, Any]:
    """Seeds `regions` (the first with `busiest_apis` REST APIs, the others with one each) and a pool in ELSEWHERE
    that the second region's first API names; returns the pools' ARNs by region."""
    elsewhere = _pool(session, ELSEWHERE, trigger=True)
    pools = {region: _pool(session, region, trigger=True) for region in regions}
    for number, region in enumerate(regions):
        foreign = [pools[regions[0]], elsewhere] if number == 1 else []
        _apis(session, region, pools[region], busiest_apis if number == 0 else 1, foreign, first=number == 0)
    return {**pools, ELSEWHERE: elsewhere}


def _pool(session: Any, region: str, trigger: bool) -> dict[str, Any]:
    cognito = session.client("cognito-idp", region_name=region)
    claims = seed.create_function(session.client("lambda", region_name=region), session.client("iam"),
                                  f"claims-{region}") if trigger else None
    pool = seed.create_pool(cognito, f"users-{region}", domain=f"users-{region}", resource_servers={"api": ["read"]},
                            lambda_config={"PreTokenGeneration": claims} if claims else None)
    pool["clients"] = [seed.create_client(cognito, pool["id"], name, **seed.web_client_settings(["api/read"]))
                       for name in ("web", "cli")]
    return pool


def _apis(session: Any, region: str, pool: dict[str, Any], apis: int, foreign: list[dict[str, Any]],
          first: bool) -> None:
    apigateway = session.client("apigateway", region_name=region)
    apigatewayv2 = session.client("apigatewayv2", region_name=region)
    iam = session.client("iam")
    authorizer_function = seed.create_function(session.client("lambda", region_name=region), iam,
                                               f"authorizer-{region}")
    role = _invoke_role(iam, region, authorizer_function) if first else None
    key_required = first
    for number in range(apis):
        api_id = seed.create_rest_api(apigateway, f"shop-{number}")
        cognito = seed.add_cognito_authorizer(apigateway, api_id, "cognito", [pool["arn"]])
        custom = seed.add_lambda_authorizer(apigateway, api_id, "lambda", authorizer_function, role=role)
        if number == 0 and foreign:
            seed.add_cognito_authorizer(apigateway, api_id, "partners", [other["arn"] for other in foreign])
        for method in range(6):
            seed.add_method(apigateway, api_id, f"/items/{method}", "GET",
                            authorization="CUSTOM" if method % 3 == 2 else "COGNITO_USER_POOLS",
                            authorizer_id=custom if method % 3 == 2 else cognito,
                            scopes=["api/read"] if method % 3 == 1 else [], api_key=key_required and method == 0)
        for stage in ("prod", "dev"):
            seed.deploy(apigateway, api_id, stage)
        if key_required and number == 0:
            seed.create_usage_plan(apigateway, f"partners-{region}", api_id, "prod", key_enabled=True)
    http_id = seed.create_http_api(apigatewayv2, "orders")
    jwt = seed.add_jwt_authorizer(apigatewayv2, http_id, "jwt",
                                  f"https://cognito-idp.{region}.amazonaws.com/{pool['id']}", pool["clients"])
    for route in range(4):
        seed.add_route(apigatewayv2, http_id, f"GET /orders/{route}", authorization="JWT", authorizer_id=jwt)
    apigatewayv2.create_stage(ApiId=http_id, StageName="$default", AutoDeploy=True)


def _invoke_role(iam: Any, region: str, function: str) -> str:
    """The role API Gateway assumes to invoke an authorizer: a managed policy attached, an inline one."""
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "apigateway.amazonaws.com"}}]}
    role = iam.create_role(RoleName=f"invoke-{region}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    invoke = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                      "Resource": function}]}
    policy = iam.create_policy(PolicyName=f"invoke-{region}", PolicyDocument=json.dumps(invoke))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"invoke-{region}", PolicyArn=policy)
    iam.put_role_policy(RoleName=f"invoke-{region}", PolicyName="logs", PolicyDocument=json.dumps(invoke))
    return str(role)
