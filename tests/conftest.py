"""Shared fixtures: an emulated AWS account (moto plus the deployment behaviour AWS has) and scan helpers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import pytest

from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog, iam_action
from scanner.collect.session import Clients
from scanner.demo import emulated_aws
from scanner.demo import seed as seed_module
from scanner.model.wildcards import wildcard_match
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


# Every AWS operation the scanner makes anywhere in the suite is recorded here and checked against
# the shipped IAM policy: the evidence for "the scanner never changes your account".
RECORDED: set[tuple[str, str]] = set()
VIOLATIONS: list[str] = []
READ_PREFIXES = ("Get", "List", "Describe")
# Neither changes an account: `token --live` asks API Gateway's authorizer test; a fleet scan assumes its audit role.
LIVE_ONLY = {"TestInvokeAuthorizer", "AssumeRole"}
SHIPPED_ACTIONS = [action for path in sorted((PROJECT / "policies" / "iam").glob("*.json"))
                   for statement in json.loads(path.read_text())["Statement"]
                   for action in ([statement["Action"]] if isinstance(statement["Action"], str)
                                  else statement["Action"])]


def operation_allowed(service: str, operation: str) -> str | None:
    """Why the operation breaks the read-only promise, or None."""
    if not operation.startswith(READ_PREFIXES) and operation not in LIVE_ONLY:
        return f"{service}:{operation} is not a Get/List/Describe"
    if (service, operation) == ("sts", "GetCallerIdentity"):
        return None  # needs no permission
    action = iam_action(service, operation)
    if not any(wildcard_match(allowed, action, case_sensitive=False) for allowed in SHIPPED_ACTIONS):
        return f"{service}:{operation} needs {action}, which policies/iam/ does not grant"
    return None


def _record(service: str, model: Any, **_: Any) -> None:
    RECORDED.add((service, model.name))
    problem = operation_allowed(service, model.name)
    if problem:
        VIOLATIONS.append(problem)


@pytest.fixture(autouse=True)
def scanner_calls_are_read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = Clients.get

    def get(self: Clients, service: str, region: str, *args: Any) -> Any:
        client = original(self, service, region, *args)
        if not getattr(client, "_read_only_recorder", False):
            client.meta.events.register("before-call", partial(_record, service))
            client._read_only_recorder = True
        return client

    monkeypatch.setattr(Clients, "get", get)
    VIOLATIONS.clear()
    yield
    assert not VIOLATIONS, f"the scanner made calls outside its read-only policy: {VIOLATIONS}"


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
