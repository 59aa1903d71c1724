"""`make bench`: AWS calls and wall time of a scan as the account grows (moto in-process), with the call budget checked.

Budget (issue 2): calls grow with APIs and stages, not methods: for 10 APIs, 60 methods per API cost at most
1.25x the calls of 5 methods per API, and an API costs at most 8 calls.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.demo import emulated_aws, seed
from scanner.rules.loader import load_rules
from scanner.scan import judge

REGION = "eu-west-1"
SIZES = [(1, 5), (10, 5), (10, 60), (30, 5)]  # (APIs, methods per API)
STAGES = ("prod", "dev")  # each its own deployment: the worst case for calls


def build(session, apis: int, methods: int) -> None:
    """`apis` REST APIs (Cognito and Lambda authorizers) and as many HTTP APIs (JWT and Lambda), one shared function."""
    apigateway = session.client("apigateway", region_name=REGION)
    apigatewayv2 = session.client("apigatewayv2", region_name=REGION)
    cognito = session.client("cognito-idp", region_name=REGION)
    pool = seed.create_pool(cognito, "users", domain="bench-users", resource_servers={"api": ["read"]})
    clients = [seed.create_client(cognito, pool["id"], name, **seed.web_client_settings(["api/read"]))
               for name in ("web", "mobile", "cli")]
    function = seed.create_function(session.client("lambda", region_name=REGION),
                                    session.client("iam", region_name=REGION), "bench-authorizer")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function}/invocations"
    for number in range(apis):
        api_id = seed.create_rest_api(apigateway, f"api-{number}")
        authorizer = seed.add_cognito_authorizer(apigateway, api_id, "cognito", [pool["arn"]])
        custom = seed.add_lambda_authorizer(apigateway, api_id, "lambda", function)
        for method in range(methods):
            seed.add_method(apigateway, api_id, f"/r{method // 4}/{method}", "GET",
                            authorization="CUSTOM" if method % 5 == 4 else "COGNITO_USER_POOLS",
                            authorizer_id=custom if method % 5 == 4 else authorizer,
                            scopes=["api/read"] if method % 5 in (1, 3) else [])
        for stage in STAGES:
            seed.deploy(apigateway, api_id, stage)
        http_id = seed.create_http_api(apigatewayv2, f"http-{number}")
        jwt_id = seed.add_jwt_authorizer(apigatewayv2, http_id, "jwt",
                                         f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}", clients)
        request_id = apigatewayv2.create_authorizer(ApiId=http_id, Name="lambda", AuthorizerType="REQUEST",
                                                    AuthorizerUri=uri, AuthorizerPayloadFormatVersion="2.0",
                                                    IdentitySource=["$request.header.Authorization"])["AuthorizerId"]
        for route in range(methods):
            seed.add_route(apigatewayv2, http_id, f"GET /r{route}", authorization="CUSTOM" if route % 5 == 4 else "JWT",
                           authorizer_id=request_id if route % 5 == 4 else jwt_id)
        apigatewayv2.create_stage(ApiId=http_id, StageName="$default", AutoDeploy=True)


def measure(apis: int, methods: int) -> dict[str, float]:
    with emulated_aws() as session:
        build(session, apis, methods)
        log = CallLog()
        started = time.perf_counter()
        snapshot = collect_account(session, [REGION], call_log=log)
        report = judge(snapshot, None, load_rules())
        elapsed = time.perf_counter() - started
    rest = sum(count for name, count in log.counts.items() if name.startswith("apigateway:"))
    http = sum(count for name, count in log.counts.items() if name.startswith("apigatewayv2:"))
    assert len(report["methods"]) == 2 * apis * methods, "the scan lost methods"
    return {"apis": apis, "methods": methods, "calls": log.total, "rest_calls": rest, "per_rest_api": rest / apis,
            "http_calls": http, "per_http_api": http / apis, "other_calls": log.total - rest - http,
            "seconds": elapsed}


def main() -> int:
    rows = [measure(apis, methods) for apis, methods in SIZES]
    print(f"{'REST+HTTP APIs':>14} {'methods/API':>12} {'AWS calls':>10} {'REST calls':>11} {'per REST API':>13} "
          f"{'HTTP calls':>11} {'per HTTP API':>13} {'Cognito+Lambda+STS':>19} {'wall s':>7}")
    for row in rows:
        print(f"{row['apis']:>6} + {row['apis']:<5} {row['methods']:>12} {row['calls']:>10} {row['rest_calls']:>11} "
              f"{row['per_rest_api']:>13.1f} {row['http_calls']:>11} {row['per_http_api']:>13.1f} "
              f"{row['other_calls']:>19} {row['seconds']:>7.2f}")
    by_size = {(row["apis"], row["methods"]): row for row in rows}
    ratio = by_size[(10, 60)]["calls"] / by_size[(10, 5)]["calls"]
    worst = max(max(row["per_rest_api"], row["per_http_api"]) for row in rows)
    print(f"\ncalls at 10+10 APIs, 60 vs 5 methods per API: {ratio:.2f}x (budget 1.25x); "
          f"worst calls per API: {worst:.1f} (budget 8); REST APIs have {len(STAGES)} stages on separate deployments")
    if ratio > 1.25 or worst > 8:
        print("BUDGET EXCEEDED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
