"""What tests share: the emulated account's helpers, finding filters, and snapshots written by hand."""

from __future__ import annotations

import copy
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from scanner.collect.account import collect_account
from scanner.collect.calls import READS_BY_VERB, CallLog, iam_action
from scanner.demo import seed as seed_module
from scanner.model.wildcards import wildcard_match
from scanner.rules.loader import load_rules
from scanner.scan import Assessment, assess, judge

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PROJECT = Path(__file__).resolve().parents[1]
# Seconds after which a subprocess that has not ended fails its test: a guard against a hang, never a measure of
# speed (this suite runs on machines loaded by other work; speed is measured by `make bench`).
HANG_GUARD = 600
SHARED = PROJECT.parent / "shared"


def in_ci() -> bool:
    """CI sets CI (CI=true): GitHub Actions, GitLab, most runners, and this project's .ci/run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def shared_file(relative: str) -> Path:
    """A file of ../shared/ (the SARIF schema, the rule catalog), which is read there and never copied into the
    project. CI lays shared/ beside its clone, so there a missing file fails the test; a user's own clone may lack
    it, and there the test is skipped with the reason, which pytest's summary prints (-ra): never a silent pass."""
    path = SHARED / relative
    if not path.exists():
        why = f"../shared/{relative} is not beside this clone ({path})"
        if in_ci():
            pytest.fail(f"{why}: CI lays shared/ beside the clone, so this check must run there")
        pytest.skip(f"{why}: not checked in this clone")
    return path
RULES = load_rules()

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
    if not operation.startswith(READ_PREFIXES) and operation not in LIVE_ONLY | READS_BY_VERB:
        return f"{service}:{operation} is not a Get/List/Describe"
    if (service, operation) == ("sts", "GetCallerIdentity"):
        return None  # needs no permission
    action = iam_action(service, operation)
    if not any(wildcard_match(allowed, action, case_sensitive=False) for allowed in SHIPPED_ACTIONS):
        return f"{service}:{operation} needs {action}, which policies/iam/ does not grant"
    return None


def record_operation(service: str, model: Any, **_: Any) -> None:
    RECORDED.add((service, model.name))
    problem = operation_allowed(service, model.name)
    if problem:
        VIOLATIONS.append(problem)


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
        report = judge(snapshot, api_filter, stage, RULES)
        report["snapshot"] = snapshot
        return report

    def assess(self, stage: str | None = None, policies: list[Any] | None = None) -> Assessment:
        """The report, the access matrix and every finding (the design rules' too) of the emulated account."""
        snapshot = collect_account(self.session, [REGION], None)
        return assess(snapshot, None, stage, policies or RULES)

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


def deleted_pool_api(account: Account, methods: tuple[tuple[str, str, list[str]], ...]) -> dict[str, str]:
    """A REST API `shop` (deployed to prod, with detailed metrics) whose Cognito authorizer names a deleted pool:
    APIGW001, a prediction that every request fails, on each method."""
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"].replace(pool["id"], f"{REGION}_Gone1"), methods=methods)
    seed_module.detailed_metrics(account.apigateway, api["api_id"], "prod")
    return api


def deny(account: Account, service_event: str) -> None:
    """Every call matching `service_event` (e.g. cognito-idp.ListUserPoolClients) answers AccessDenied."""
    def refuse(model: Any, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, model.name)
    account.session._session.register(f"before-call.{service_event}", refuse)


def findings(report: dict[str, Any], rule: str, outcome: str = "fail") -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule and f["outcome"] == outcome]


def assert_fires(judged: Any, rule: str, *, verdict: str | None, severity: str, method: str | None = None,
                 path: str | None = None, api: str | None = None, stage: str | None = None) -> Any:
    """The rule's decided finding (on that method, API or stage when given) and what it does to a method's verdict:
    it has `severity`, and every method row it bears on has `verdict` and lists it (verdict None: no method row
    lists it — a pool's or an app client's finding). `judged` is a report, or an Assessment (design rules: their
    findings are the matrix's and `token`'s, never the report's, and leave the rows' verdict as it is: `verdict`).
    tests/test_rule_files.py checks that each rule's fire test calls this with the rule's ID."""
    report = judged.report if hasattr(judged, "report") else judged
    every = judged.judgement.findings if hasattr(judged, "judgement") else report["findings"]

    def here(entry: Any, whole: bool = False) -> bool:
        """At the place asked for; with `whole`, a finding about the whole API, authorizer or pool is there too."""
        return all(wanted is None or entry.get(key) == wanted or (whole and entry.get(key) is None)
                   for key, wanted in (("method", method), ("path", path), ("api_name", api), ("stage", stage)))

    chosen = [f for f in every if f["rule"] == rule and f["outcome"] == "fail" and here(f, whole=True)]
    assert chosen, f"{rule} did not fire there: {sorted({(f['rule'], f['outcome']) for f in every})}"
    assert {f["severity"] for f in chosen} == {severity}, [f["severity"] for f in chosen]
    design = getattr(chosen[0], "kind", "misconfiguration") == "design"
    rows = [row for row in report["methods"] if (rule in row["findings"] or design) and here(
        {**row, "stage": stage if stage in (row.get("stages") or []) else None})]
    if verdict is None:
        assert not any(rule in row["findings"] for row in report["methods"]), f"{rule} is on a method row"
    else:
        assert rows, f"no method row {'of' if design else 'lists'} {rule}"
        assert {row["verdict"] for row in rows} == {verdict}, [(r["method"], r["path"], r["verdict"]) for r in rows]
        if design:
            assert not any(rule in row["findings"] for row in report["methods"])
            assert not any(f["rule"] == rule for f in report["findings"])
    return chosen[0]


def rule_ids(report: dict[str, Any], outcome: str = "fail") -> set[str]:
    return {f["rule"] for f in report["findings"] if f["outcome"] == outcome}


def method_row(report: dict[str, Any], verb: str, path: str, api_name: str | None = None) -> dict[str, Any]:
    rows = [m for m in report["methods"] if m["method"] == verb and m["path"] == path
            and (api_name is None or m["api_name"] == api_name)]
    assert len(rows) == 1, rows
    return rows[0]


POOL_ARN = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_Hand1"


def snapshot_with(**parts: Any) -> dict[str, Any]:
    """A small snapshot written by hand (what AWS would have answered), for what the emulator cannot produce:
    the parts given (rest_apis, http_apis, user_pools, functions, …) over an empty, complete account."""
    snapshot: dict[str, Any] = {
        "schema": "apigw-scan-snapshot/1", "account": ACCOUNT, "partition": "aws", "regions": [REGION],
        "rest_apis": [], "http_apis": [], "apis_listed": [], "user_pools": [],
        "pool_listings": {REGION: {"complete": True}}, "pool_lookups": {}, "functions": {}, "roles": {},
        "notes": [], "errors": [], "calls": {}, "usage": {}, "domains": {},
        "cloudfront": {"distributions": [], "cache_policies": {}, "origin_request_policies": {}},
    }
    snapshot.update(copy.deepcopy(parts))
    return snapshot


def judge_snapshot(snapshot: dict[str, Any], stage: str | None = None) -> dict[str, Any]:
    """The report the scanner gives for a snapshot."""
    return judge(snapshot, None, stage, RULES)


def allow(resource: str | None = None, **extra: Any) -> dict[str, Any]:
    """A resource-policy statement that allows execute-api:Invoke to everyone (on `resource`)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke"}
    if resource is not None:
        statement["Resource"] = resource
    statement.update(extra)
    return statement


def seed_small_shop(session: Any, region: str, name: str, broken_scope: bool = True) -> str:
    """A pool with a healthy and a stuck client, and a REST API with a method (and one whose scope no client has)."""
    cognito = session.client("cognito-idp", region_name=region)
    apigateway = session.client("apigateway", region_name=region)
    pool = seed_module.create_pool(cognito, f"{name}-users", domain=f"{name}-{region}",
                                   resource_servers={"api": ["read"]})
    seed_module.create_client(cognito, pool["id"], "web", **seed_module.web_client_settings(["api/read"]))
    seed_module.create_client(cognito, pool["id"], "stuck", AllowedOAuthFlowsUserPoolClient=True,
                              AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
                              SupportedIdentityProviders=["COGNITO"])
    api_id = seed_module.create_rest_api(apigateway, name)
    authorizer = seed_module.add_cognito_authorizer(apigateway, api_id, "c", [pool["arn"]])
    seed_module.add_method(apigateway, api_id, "/a", "GET", authorization="COGNITO_USER_POOLS",
                           authorizer_id=authorizer, scopes=["api/read"])
    if broken_scope:
        seed_module.add_method(apigateway, api_id, "/b", "GET", authorization="COGNITO_USER_POOLS",
                               authorizer_id=authorizer, scopes=["api/admin"])
    seed_module.deploy(apigateway, api_id, "prod")
    return api_id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RequestRecorder:
    """A local HTTP endpoint that records the requests it gets and answers 500 to each."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.requests.append(f"{self.command} {self.path} {self.headers.get('X-Amz-Target', '')}")
                self.send_response(500)
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def cli_env(endpoint: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess: no AWS settings of the developer's shell; `endpoint` as AWS."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    if endpoint:
        env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = HANG_GUARD) -> subprocess.CompletedProcess[str]:
    """`python -m scanner ARGS` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, input=stdin,
                          timeout=timeout, cwd=PROJECT, env=env if env is not None else cli_env())


def one_line_error(stderr: str) -> str:
    """The one line a usage error prints (asserting it is one line, with no traceback)."""
    lines = [line for line in stderr.strip().splitlines() if line]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]
