"""Shared fixtures: an emulated AWS account (moto plus the deployment behaviour AWS has) and scan helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.demo import emulated_aws
from scanner.demo import seed as seed_module
from scanner.rules.loader import load_rules
from scanner.scan import judge

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"

# No test may reach a real account, whatever the developer's shell holds.
for _name in [n for n in os.environ if n.startswith("AWS_")]:
    os.environ.pop(_name)
os.environ["AWS_DEFAULT_REGION"] = REGION


class Account:
    """Clients of the emulated account and a `scan()` that runs the scanner over it."""

    def __init__(self, session: boto3.Session) -> None:
        self.session = session
        self.apigateway = session.client("apigateway", region_name=REGION)
        self.cognito = session.client("cognito-idp", region_name=REGION)
        self.lambda_client = session.client("lambda", region_name=REGION)
        self.iam = session.client("iam", region_name=REGION)
        self.seed = seed_module

    def scan(self, regions: list[str] | None = None, api_filter: list[str] | None = None,
             stage: str | None = None, call_log: CallLog | None = None) -> dict[str, Any]:
        snapshot = collect_account(self.session, regions or [REGION], api_filter, call_log=call_log)
        report = judge(snapshot, stage, load_rules())
        report["snapshot"] = snapshot
        return report

    # Building blocks most tests share.
    def healthy_pool(self, name: str = "users", scopes: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
        pool = seed_module.create_pool(self.cognito, name, domain=f"{name}-domain",
                                       resource_servers={"api": list(scopes)})
        pool["client_id"] = seed_module.create_client(
            self.cognito, pool["id"], f"{name}-web", **seed_module.web_client_settings([f"api/{s}" for s in scopes]))
        return pool

    def cognito_api(self, pool_arn: str, name: str = "shop", methods: tuple[tuple[str, str, list[str]], ...] = (
            ("/orders", "GET", ["api/read"]),), deploy: str | None = "prod", **authorizer: Any) -> dict[str, str]:
        api_id = seed_module.create_rest_api(self.apigateway, name)
        authorizer_id = seed_module.add_cognito_authorizer(self.apigateway, api_id, f"{name}-cognito", [pool_arn],
                                                           **authorizer)
        for path, verb, scopes in methods:
            seed_module.add_method(self.apigateway, api_id, path, verb, authorization="COGNITO_USER_POOLS",
                                   authorizer_id=authorizer_id, scopes=scopes)
        if deploy:
            seed_module.deploy(self.apigateway, api_id, deploy)
        return {"api_id": api_id, "authorizer_id": authorizer_id}


@pytest.fixture
def account() -> Iterator[Account]:
    with emulated_aws() as session:
        yield Account(session)


def findings(report: dict[str, Any], rule: str, outcome: str = "fail") -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule and f["outcome"] == outcome]


def rule_ids(report: dict[str, Any], outcome: str = "fail") -> set[str]:
    return {f["rule"] for f in report["findings"] if f["outcome"] == outcome}


def method_row(report: dict[str, Any], verb: str, path: str, api_name: str | None = None) -> dict[str, Any]:
    rows = [m for m in report["methods"] if m["method"] == verb and m["path"] == path
            and (api_name is None or m["api_name"] == api_name)]
    assert len(rows) == 1, rows
    return rows[0]
