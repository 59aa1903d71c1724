"""`make bench`: AWS calls and wall time of a scan as the account grows (moto in-process), with the call budget checked.

Budget (issue 2): calls grow with APIs and stages, not methods: for 10 APIs, 60 methods per API cost at most
1.25x the calls of 5 methods per API, and an API costs at most 8 calls.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.collect.account import collect_account  # noqa: E402
from scanner.collect.calls import CallLog  # noqa: E402
from scanner.demo import emulated_aws, seed  # noqa: E402
from scanner.rules.loader import load_rules  # noqa: E402
from scanner.scan import judge  # noqa: E402

REGION = "eu-west-1"
SIZES = [(1, 5), (10, 5), (10, 60), (30, 5)]  # (APIs, methods per API)
STAGES = ("prod", "dev")  # each its own deployment: the worst case for calls


def build(session, apis: int, methods: int) -> None:
    apigateway = session.client("apigateway", region_name=REGION)
    cognito = session.client("cognito-idp", region_name=REGION)
    pool = seed.create_pool(cognito, "users", domain="bench-users", resource_servers={"api": ["read"]})
    for name in ("web", "mobile", "cli"):
        seed.create_client(cognito, pool["id"], name, **seed.web_client_settings(["api/read"]))
    for number in range(apis):
        api_id = seed.create_rest_api(apigateway, f"api-{number}")
        authorizer = seed.add_cognito_authorizer(apigateway, api_id, "cognito", [pool["arn"]])
        for method in range(methods):
            seed.add_method(apigateway, api_id, f"/r{method // 4}/{method}", "GET",
                            authorization="COGNITO_USER_POOLS", authorizer_id=authorizer,
                            scopes=["api/read"] if method % 2 else [])
        for stage in STAGES:
            seed.deploy(apigateway, api_id, stage)


def measure(apis: int, methods: int) -> dict[str, float]:
    with emulated_aws() as session:
        build(session, apis, methods)
        log = CallLog()
        started = time.perf_counter()
        snapshot = collect_account(session, [REGION], call_log=log)
        report = judge(snapshot, None, load_rules())
        elapsed = time.perf_counter() - started
    gateway = sum(count for name, count in log.counts.items() if name.startswith("apigateway:"))
    assert len(report["methods"]) == apis * methods, "the scan lost methods"
    return {"apis": apis, "methods": methods, "calls": log.total, "gateway_calls": gateway,
            "per_api": gateway / apis, "cognito_lambda_calls": log.total - gateway, "seconds": elapsed}


def main() -> int:
    rows = [measure(apis, methods) for apis, methods in SIZES]
    print(f"{'APIs':>5} {'methods/API':>12} {'stages/API':>11} {'AWS calls':>10} {'API GW calls':>13} "
          f"{'per API':>8} {'Cognito+STS':>12} {'wall s':>7}")
    for row in rows:
        print(f"{row['apis']:>5} {row['methods']:>12} {len(STAGES):>11} {row['calls']:>10} {row['gateway_calls']:>13}"
              f" {row['per_api']:>8.1f} {row['cognito_lambda_calls']:>12} {row['seconds']:>7.2f}")
    by_size = {(row["apis"], row["methods"]): row for row in rows}
    ratio = by_size[(10, 60)]["calls"] / by_size[(10, 5)]["calls"]
    worst = max(row["per_api"] for row in rows)
    print(f"\ncalls at 10 APIs, 60 vs 5 methods per API: {ratio:.2f}x (budget 1.25x); "
          f"worst API Gateway calls per API: {worst:.1f} (budget 8)")
    if ratio > 1.25 or worst > 8:
        print("BUDGET EXCEEDED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
