"""Trust: read-only by proof, no secret in any output, partial failures told, bad input survived."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from helpers import ACCOUNT, HANG_GUARD, PROJECT, RECORDED, REGION, findings, operation_allowed
from scanner.cli import main
from scanner.demo import seed
from scanner.errors import UsageError
from scanner.report import exit_code

EXPECTED_OPERATIONS = {
    ("sts", "GetCallerIdentity"),
    ("apigateway", "GetRestApis"), ("apigateway", "GetResources"), ("apigateway", "GetAuthorizers"),
    ("apigateway", "GetStages"), ("apigateway", "GetDeployment"), ("apigateway", "GetExport"),
    ("apigatewayv2", "GetApis"), ("apigatewayv2", "GetRoutes"), ("apigatewayv2", "GetAuthorizers"),
    ("apigatewayv2", "GetStages"),
    ("cognito-idp", "ListUserPools"), ("cognito-idp", "DescribeUserPool"), ("cognito-idp", "ListUserPoolClients"),
    ("cognito-idp", "DescribeUserPoolClient"), ("cognito-idp", "ListResourceServers"),
    ("lambda", "GetPolicy"), ("lambda", "GetFunctionConfiguration"),
}


def test_the_demo_scan_makes_only_the_calls_the_shipped_policy_allows(capsys):
    assert main(["demo", "--format", "json"]) == 0
    capsys.readouterr()
    assert EXPECTED_OPERATIONS <= RECORDED
    assert [problem for service, operation in sorted(RECORDED) if (problem := operation_allowed(service, operation))] \
        == []


def test_a_write_would_be_caught():
    assert "not a Get/List/Describe" in operation_allowed("apigateway", "CreateDeployment")
    assert "does not grant" in operation_allowed("cognito-idp", "GetUser")


def test_iam_policy_command_prints_the_shipped_policy(capsys):
    assert main(["iam-policy"]) == 0
    policy = json.loads(capsys.readouterr().out)
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "apigateway:GET" in actions and not any(a.endswith(("*", "POST", "PUT", "DELETE", "PATCH")) for a in actions)
    assert main(["iam-policy", "--live"]) == 0
    assert "apigateway:POST" in capsys.readouterr().out


SECRET_CLIENTS = ("confidential-a", "confidential-b")


def test_client_secrets_reach_no_output(account, tmp_path, capsys):
    pool = account.healthy_pool()
    secrets = []
    for name in SECRET_CLIENTS:
        client_id = account.seed.create_client(account.cognito, pool["id"], name, GenerateSecret=True,
                                               **account.seed.web_client_settings([]))
        secrets.append(account.cognito.describe_user_pool_client(UserPoolId=pool["id"], ClientId=client_id)
                       ["UserPoolClient"]["ClientSecret"])
    account.cognito_api(pool["arn"])
    snapshot = tmp_path / "snapshot.json"
    outputs = []
    for output_format in ("table", "json", "sarif", "csv"):
        main(["scan", "--region", REGION, "--format", output_format, "--save-snapshot", str(snapshot)])
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
    outputs.append(snapshot.read_text())
    assert all(len(secret) > 20 for secret in secrets)
    for text in outputs:
        for secret in secrets:
            assert secret not in text
    assert '"HasClientSecret": true' in snapshot.read_text()


@pytest.mark.parametrize("service_event, operation", [
    ("cognito-idp", "ListUserPools"), ("lambda", "GetPolicy"), ("apigatewayv2", "GetApis"),
    ("api-gateway", "GetRestApis"), ("sts", None),
])
def test_access_denied_on_each_service_in_turn(account, capsys, service_event, operation):
    from botocore.exceptions import ClientError

    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    function = seed.create_function(account.lambda_client, account.iam, "enrich")
    account.cognito.update_user_pool(UserPoolId=pool["id"], LambdaConfig={"PreTokenGeneration": function})

    def refuse(model, **_):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, model.name)

    account.session._session.register(f"before-call.{service_event}", refuse)
    if operation is None:  # the identity itself refused: nothing can be scanned, said in one line
        with pytest.raises(UsageError, match="credentials were refused"):
            account.scan()
        return
    report = account.scan()
    assert exit_code(report, "high") == 2
    assert operation in {e["operation"] for e in report["errors"]}
    assert all(e["iam_action"] for e in report["errors"])
    if service_event != "api-gateway":
        assert report["methods"], "what could be judged is still reported"


def test_unreachable_endpoint_is_reported_once_and_not_fatal(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION=REGION,
               AWS_ENDPOINT_URL="http://127.0.0.1:9")
    result = subprocess.run([sys.executable, "-m", "scanner", "scan", "--format", "json"], capture_output=True,
                            text=True, timeout=HANG_GUARD, cwd=PROJECT, env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot reach AWS STS" in result.stderr


def test_region_unreachable_for_one_service_is_recorded(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    from botocore.exceptions import EndpointConnectionError

    def unreachable(model, **_):
        raise EndpointConnectionError(endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com")

    account.session._session.register("before-call.cognito-idp", unreachable)
    report = account.scan()
    assert exit_code(report, "high") == 2
    cognito_errors = [e for e in report["errors"] if e["service"] == "cognito-idp"]
    assert len(cognito_errors) == 1 and "Could not connect" in cognito_errors[0]["message"]
    assert findings(report, "APIGW001", "unknown")


def test_pool_in_another_partition(account):
    account.cognito_api("arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Abc1")
    account.cognito_api("arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_Abc1",
                        name="gov")
    report = account.scan()
    by_api = {f["api_name"]: f["message"] for f in findings(report, "APIGW002")}
    assert set(by_api) == {"gov", "shop"}
    assert "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Abc1" in by_api["shop"]
    assert "aws-us-gov" in by_api["gov"]


def test_unicode_and_very_long_names_and_paths(account, capsys):
    pool = account.healthy_pool()
    name = "商店-Ünïcødé-" + "x" * 200  # API Gateway allows any name; path parts are ASCII only
    api = account.cognito_api(pool["arn"], name=name, methods=(("/books/" + "a" * 300 + "/{id}", "GET", []),))
    assert api
    for output_format in ("table", "json"):
        assert main(["scan", "--region", REGION, "--format", output_format]) in (0, 1)
    out = capsys.readouterr().out
    assert "商店" in out
    table_lines = [line for line in out.splitlines() if line and not line.startswith("{")]
    assert table_lines


def test_empty_account(account, capsys):
    assert main(["scan", "--region", REGION]) == 0
    out = capsys.readouterr().out
    assert "No API methods found." in out and "No findings." in out


def test_unreadable_policies_dir(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root reads any directory: make the listing fail as it would for another user
        original = type(locked).glob

        def refuse(self, pattern):
            if self == locked:
                raise PermissionError(13, "Permission denied")
            return original(self, pattern)

        monkeypatch.setattr(type(locked), "glob", refuse)
    locked.chmod(0)
    try:
        assert main(["rules", "--policies", str(locked)]) == 2
        assert "cannot be read (Permission denied)" in capsys.readouterr().err
    finally:
        locked.chmod(stat.S_IRWXU)


def test_unreadable_rule_file(tmp_path, capsys):
    (tmp_path / "ACME001.toml").write_bytes(b"\xff\xfe not utf-8")
    assert main(["rules", "--policies", str(tmp_path)]) == 2
    assert "ACME001.toml" in capsys.readouterr().err


def test_thousand_apis_offline(tmp_path, capsys):
    """1,000 APIs judged from a snapshot: complete, and quick enough to be a test of correctness, not speed."""
    apis = [{"region": REGION, "id": f"api{n:04d}", "name": f"api-{n}", "policy": None, "endpoint_types": ["REGIONAL"],
             "resources": [{"id": f"r{n}", "path": "/x", "methods": {"GET": {"authorizationType": "NONE"}}}],
             "authorizers": [], "stages": [{"stageName": "prod", "deploymentId": "d", "variables": {}}],
             "deployments": {"d": {"summary": {"/x": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}},
                                   "export": None}}} for n in range(1000)]
    snapshot = {"schema": "apigw-scan-snapshot/1", "account": ACCOUNT, "partition": "aws", "regions": [REGION],
                "rest_apis": apis, "http_apis": [], "user_pools": [], "pool_listings": {REGION: {"complete": True}},
                "functions": {}, "errors": []}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(snapshot))
    assert main(["scan", "--snapshot", str(path), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["methods"]) == 1000
