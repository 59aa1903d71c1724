"""End to end: moto.server on 127.0.0.1, the CLI as a subprocess pointed at it with AWS_ENDPOINT_URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3

from helpers import HANG_GUARD, PROJECT
from scanner.demo import seed


def test_cli_scans_an_account_served_by_moto_server(moto_server):
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-west-1")
    apigateway = session.client("apigateway", endpoint_url=moto_server)
    cognito = session.client("cognito-idp", endpoint_url=moto_server)
    pool = seed.create_pool(cognito, "users", domain="users-e2e", resource_servers={"api": ["read"]})
    seed.create_client(cognito, pool["id"], "web", **seed.web_client_settings(["api/read"]))
    api_id = seed.create_rest_api(apigateway, "shop")
    authorizer = seed.add_cognito_authorizer(apigateway, api_id, "shop-cognito", [pool["arn"]])
    seed.add_method(apigateway, api_id, "/orders", "GET", authorization="COGNITO_USER_POOLS",
                    authorizer_id=authorizer, scopes=["api/read"])
    seed.add_method(apigateway, api_id, "/orders", "POST", authorization="COGNITO_USER_POOLS",
                    authorizer_id=authorizer, scopes=["api/admin"])
    seed.deploy(apigateway, api_id, "prod")
    seed.add_method(apigateway, api_id, "/orders", "DELETE", authorization="COGNITO_USER_POOLS",
                    authorizer_id=authorizer, scopes=["api/read"])
    v2 = session.client("apigatewayv2", endpoint_url=moto_server)
    web = cognito.list_user_pool_clients(UserPoolId=pool["id"])["UserPoolClients"][0]["ClientId"]
    bff = seed.create_http_api(v2, "bff")
    jwt_authorizer = seed.add_jwt_authorizer(v2, bff, "jwt", f"https://cognito-idp.eu-west-1.amazonaws.com/{pool['id']}",
                                             [web, "notaclient"])
    seed.add_route(v2, bff, "GET /me", authorization="JWT", authorizer_id=jwt_authorizer, scopes=["api/read"])
    seed.add_route(v2, bff, "$default", authorization="JWT", authorizer_id=jwt_authorizer)
    v2.create_stage(ApiId=bff, StageName="$default", AutoDeploy=True)

    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=moto_server, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="eu-west-1")
    result = subprocess.run([sys.executable, "-m", "scanner", "scan", "--format", "json"], capture_output=True,
                            text=True, timeout=HANG_GUARD, cwd=PROJECT, env=env)
    assert result.returncode == 1, result.stderr  # critical findings at the default --fail-on high
    report = json.loads(result.stdout)
    rows = {(row["method"], row["path"]): row for row in report["methods"]}
    assert set(rows) == {("GET", "/orders"), ("POST", "/orders"), ("DELETE", "/orders"), ("GET", "/me"),
                         ("ANY", "$default")}
    assert rows[("GET", "/me")]["api_type"] == "HTTP" and rows[("GET", "/me")]["stages"] == ["$default"]
    assert rows[("ANY", "$default")]["token"] == "id-or-access"
    assert rows[("GET", "/me")]["findings"] == ["HTTP002"]
    assert rows[("GET", "/orders")]["verdict"] == "ok" and rows[("GET", "/orders")]["stages"] == ["prod"]
    assert rows[("POST", "/orders")]["findings"] == ["APIGW005", "APIGW006"]
    assert rows[("DELETE", "/orders")]["findings"] == ["APIGW003"] and rows[("DELETE", "/orders")]["stages"] == []
    assert report["errors"] == []
    assert {f["rule"] for f in report["findings"]} == {"APIGW003", "APIGW005", "APIGW006", "HTTP002"}

    table = subprocess.run([sys.executable, "-m", "scanner", "scan", "--api", "shop"], capture_output=True,
                           text=True, timeout=HANG_GUARD, cwd=PROJECT, env=env)
    assert table.returncode == 1 and "APIGW005" in table.stdout and table.stderr == ""

    # In CI (CI=true, no terminal): plain progress lines on standard error, the table at COLUMNS, the HTML beside it.
    html = Path(tempfile.mkdtemp()) / "report.html"
    ci = subprocess.run([sys.executable, "-m", "scanner", "scan", "--html", str(html)], capture_output=True,
                        text=True, timeout=HANG_GUARD, cwd=PROJECT, env={**env, "CI": "true", "COLUMNS": "80"})
    assert ci.returncode == 1, ci.stderr
    assert max(len(line) for line in ci.stdout.split("\n\n")[1].splitlines()) <= 80  # the table
    progress = [line for line in ci.stderr.splitlines() if line.startswith("apigw-scan: ")]
    assert progress and progress[-1].endswith("(done)") and "1/1 account×region" in progress[-1]
    assert "\r" not in ci.stderr and f"HTML report: {html}" in ci.stderr
    assert html.read_text().count('<tr data-account="') == 5


def test_token_minted_by_moto_is_judged_through_the_cli(moto_server):
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-west-1")
    apigateway = session.client("apigateway", endpoint_url=moto_server)
    cognito = session.client("cognito-idp", endpoint_url=moto_server)
    pool = seed.create_pool(cognito, "users", domain="users-token-e2e")
    client_id = seed.create_client(cognito, pool["id"], "cli", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    cognito.admin_create_user(UserPoolId=pool["id"], Username="jane")
    cognito.admin_set_user_password(UserPoolId=pool["id"], Username="jane", Password="Secret-passw0rd!",
                                    Permanent=True)
    tokens = cognito.admin_initiate_auth(UserPoolId=pool["id"], ClientId=client_id,
                                         AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "jane", "PASSWORD": "Secret-passw0rd!"})
    access, identity = tokens["AuthenticationResult"]["AccessToken"], tokens["AuthenticationResult"]["IdToken"]
    api_id = seed.create_rest_api(apigateway, "shop")
    authorizer = seed.add_cognito_authorizer(apigateway, api_id, "shop-cognito", [pool["arn"]])
    seed.add_method(apigateway, api_id, "/me", "GET", authorization="COGNITO_USER_POOLS", authorizer_id=authorizer,
                    scopes=["aws.cognito.signin.user.admin"])
    seed.deploy(apigateway, api_id, "prod")

    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=moto_server, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION="eu-west-1")
    command = [sys.executable, "-m", "scanner", "token", "--api", "shop", "--path", "/me", "--method", "GET",
               "--stage", "prod", "--format", "json", "-"]
    accepted = subprocess.run(command, input=access + "\n", capture_output=True, text=True, timeout=HANG_GUARD,
                              cwd=PROJECT, env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    answer = json.loads(accepted.stdout)
    assert answer["verdict"] == "accepted" and answer["claims"]["token_use"] == "access"
    assert access not in accepted.stdout  # the JWKS came from moto server: {endpoint}/{poolId}/.well-known/jwks.json

    rejected = subprocess.run(command, input=identity, capture_output=True, text=True, timeout=HANG_GUARD, cwd=PROJECT,
                              env=env)
    assert rejected.returncode == 1
    assert [f["rule"] for f in json.loads(rejected.stdout)["findings"]] == ["TOK005"]
