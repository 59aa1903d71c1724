"""`make bench`: AWS calls, wall time and memory of scans as accounts grow (moto in-process), budgets checked.

1. Calls grow with APIs and stages, not methods: for 10 APIs, 60 methods per API cost at most 1.25x the calls of
   5 methods per API, and an API costs at most 8 calls.
2. Scale: 1, 10 and 100 APIs of 50 methods: calls, wall time, peak memory (under 300 MB at 100 x 50).
3. Around the authorizer: the reads for gateway responses, usage plans, custom domains and CloudFront cost a
   handful of calls for a region of 40 REST APIs without CORS or API keys (budget 5), one call per API that
   answers CORS, and a few per region with key-required methods.
4. Templates: the time to judge a template of 100 REST APIs x 10 methods (plain CloudFormation, and SAM expanded
   by aws-sam-translator), no AWS call; budget 60 s each.
4b. Terraform: the time to judge 100 REST APIs x 10 methods written as Terraform, every block written out and as one
   local module called with for_each, no AWS call and no terraform binary; budget 120 s each.
5. Faults: the demo account on moto.server with one service (Lambda, Cognito) pointed at a local endpoint that never
   answers, resets connections, answers 500, or answers after 8 s: wall time, calls made and skipped, at the default
   call timeout; budget: a hung service at most 60 s, a failing one at most 30 s, and a SIGTERM leaves a report.
6. Quota pacing: the control plane emulated with 150-300 ms per call and AWS's quotas enforced (10 rps, burst 40
   for API Gateway; GetResources 5 per 2 s; DescribeUserPoolClient 5 per second per pool), answering 429 beyond
   them: 40 and 200 REST APIs x 2 stages, and a pool of 300 app clients; wall time at most 1.3x the time the
   quota allows, no row lost, no error.
7. Concurrency: 20 (account, region) units with 30-80 ms of emulated latency on every call (an event hook here,
   never in the scanner) take at most 0.25x the time of scanning them one after another.
8. Regions side by side (`python bench/run.py regions [in-process] [--against DIR]`): the world of tests/worlds.py,
   8 regions with APIs and the rest of moto's 38 empty, 55 ms on every call, moto.server in a process of its own:
   the busiest region alone, --all-regions one unit at a time and at the default concurrency, in one process; wall,
   calls, the scanner's CPU per call (client creation apart, the emulator's apart), and per region its calls, its
   longest chain of dependent reads, the time its quotas allow and the unit's wall. Budget: --all-regions at most
   0.25x one unit at a time and 2x its busiest region alone. `--against DIR` measures another checkout first (a
   release), the same way; `python bench/run.py concurrency` runs 7 and 8.
9. Report sizes: the demo and an account of 100 APIs x 10 methods (2,000 rows) as table, JSON, SARIF, CSV, HTML:
   bytes and render time; budget: that HTML report under 5 MB and rendered in under 10 s.
10. Judging at organization scale (bench/judging.py; `python bench/run.py judging`): the demo account replicated
   into 5,000 and 50,000 methods, judged as JSON, SARIF, CSV, table and HTML, `merge` of 16 shards, and the HTML
   page's load time in headless Chromium; budgets: 50,000 methods (and the merge) in 15 s and 500 MB, the page ready
   in 3 s.
11. A fleet (bench/fleet.py; `python bench/run.py fleet`): accounts x 3 regions on moto.server with latency and
   quotas, scanned by one process and as 8 shards and a merge: wall time, calls, peak memory.
12. Install (`python bench/run.py install`, not part of `make bench`: it downloads): the installed size of the
   scanner alone (what a cron image or CI gate carries) and with the demo extra, each in a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

import boto3

# BENCH_SCANNER=DIR: the scanner of another checkout (a release to compare with), measured the same way.
sys.path.insert(0, os.environ.get("BENCH_SCANNER") or str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))  # worlds.py, fault_server.py
sys.path.insert(1, str(Path(__file__).resolve().parent))  # the bench's own modules

from fleet import fleet
from judging import judging

from scanner.collect.account import collect_account
from scanner.collect.calls import CallLog
from scanner.demo import emulated_aws, seed
from scanner.rules.loader import load_rules
from scanner.scan import judge

REGION = "eu-west-1"
TERRAFORM_BUDGET = 120  # seconds to judge 100 REST APIs x 10 methods written as Terraform
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
        report = judge(snapshot, None, None, load_rules())
        elapsed = time.perf_counter() - started
    # Per API: what each API costs; the region's reads around its APIs (domains, usage plans) are counted apart.
    region_level = sum(count for name, count in log.counts.items() if name in AROUND)
    rest = sum(count for name, count in log.counts.items() if name.startswith("apigateway:") and name not in AROUND)
    http = sum(count for name, count in log.counts.items() if name.startswith("apigatewayv2:") and name not in AROUND)
    assert len(report["methods"]) == 2 * apis * methods, "the scan lost methods"
    return {"apis": apis, "methods": methods, "calls": log.total, "rest_calls": rest, "per_rest_api": rest / apis,
            "http_calls": http, "per_http_api": http / apis, "region_calls": region_level,
            "other_calls": log.total - rest - http - region_level, "seconds": elapsed}


def call_budget() -> bool:
    rows = [measure(apis, methods) for apis, methods in SIZES]
    print(f"{'REST+HTTP APIs':>14} {'methods/API':>12} {'AWS calls':>10} {'REST calls':>11} {'per REST API':>13} "
          f"{'HTTP calls':>11} {'per HTTP API':>13} {'region':>7} {'Cognito+Lambda+CW+CF+STS':>25} {'wall s':>7}")
    for row in rows:
        print(f"{row['apis']:>6} + {row['apis']:<5} {row['methods']:>12} {row['calls']:>10} {row['rest_calls']:>11} "
              f"{row['per_rest_api']:>13.1f} {row['http_calls']:>11} {row['per_http_api']:>13.1f} "
              f"{row['region_calls']:>7} {row['other_calls']:>25} {row['seconds']:>7.2f}")
    by_size = {(row["apis"], row["methods"]): row for row in rows}
    ratio = by_size[(10, 60)]["calls"] / by_size[(10, 5)]["calls"]
    worst = max(max(row["per_rest_api"], row["per_http_api"]) for row in rows)
    print(f"\ncalls at 10+10 APIs, 60 vs 5 methods per API: {ratio:.2f}x (budget 1.25x); "
          f"worst calls per API: {worst:.1f} (budget 8); REST APIs have {len(STAGES)} stages on separate deployments")
    return ratio <= 1.25 and worst <= 8


def scale_child(apis: int, methods: int) -> None:
    """Run in a process of its own: seeds `apis` REST APIs of `methods` methods, scans, prints JSON figures."""
    with emulated_aws() as session:
        apigateway = session.client("apigateway", region_name=REGION)
        cognito = session.client("cognito-idp", region_name=REGION)
        pool = seed.create_pool(cognito, "users", domain="scale-users", resource_servers={"api": ["read"]})
        seed.create_client(cognito, pool["id"], "web", **seed.web_client_settings(["api/read"]))
        for number in range(apis):
            api_id = seed.create_rest_api(apigateway, f"api-{number}")
            authorizer = seed.add_cognito_authorizer(apigateway, api_id, "cognito", [pool["arn"]])
            for method in range(methods):
                seed.add_method(apigateway, api_id, f"/r{method}", "GET", authorization="COGNITO_USER_POOLS",
                                authorizer_id=authorizer, scopes=["api/read"])
            seed.deploy(apigateway, api_id, "prod")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        log = CallLog()
        started = time.perf_counter()
        report = judge(collect_account(session, [REGION], call_log=log), None, None, load_rules())
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"apis": apis, "methods": len(report["methods"]), "calls": log.total, "seconds": elapsed,
                      "peak_mb": peak / 1024, "grew_mb": (peak - before) / 1024}))


def scale() -> bool:
    print("\nScale (one account, one region, REST APIs of 50 methods; memory is the process's peak, emulator included)")
    print(f"{'APIs':>5} {'methods':>8} {'AWS calls':>10} {'wall s':>7} {'peak MB':>8} {'scan grew MB':>13}")
    rows = []
    for apis in (1, 10, 100):
        output = subprocess.run([sys.executable, __file__, "scale-child", str(apis), "50"], capture_output=True,
                                text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['apis']:>5} {row['methods']:>8} {row['calls']:>10} {row['seconds']:>7.2f} {row['peak_mb']:>8.0f}"
              f" {row['grew_mb']:>13.0f}")
    return rows[-1]["peak_mb"] < 300


# The reads issue 16 added: per region (domains, usage plans), per account (CloudFront), per CORS API (gateway
# responses). "Before" is the scan without them.
AROUND = ("apigateway:GetGatewayResponses", "apigateway:GetUsagePlans", "apigateway:GetUsagePlanKeys",
          "apigateway:GetApiKeys", "apigateway:GetDomainNames", "apigateway:GetBasePathMappings",
          "apigatewayv2:GetDomainNames", "apigatewayv2:GetApiMappings", "apigatewayv2:ListRoutingRules")


def around_child(apis: int, cors: int, keys: int) -> None:
    """`apis` REST APIs in one region, `cors` of them answering CORS and `keys` with a key-required method."""
    with emulated_aws() as session:
        apigateway = session.client("apigateway", region_name=REGION)
        for number in range(apis):
            api_id = seed.create_rest_api(apigateway, f"api-{number}")
            for method in range(5):
                seed.add_method(apigateway, api_id, f"/r{method}", "GET", api_key=number < keys and method == 0)
            if number < cors:
                seed.add_cors_preflight(apigateway, api_id, "/r0", "https://app.example.com")
            seed.deploy(apigateway, api_id, "prod")
            if number < keys:
                seed.create_usage_plan(apigateway, f"plan-{number}", api_id, "prod", key_enabled=True)
        log = CallLog()
        collect_account(session, [REGION], call_log=log)
    added = sum(count for name, count in log.counts.items() if name in AROUND or name.startswith("cloudfront:"))
    print(json.dumps({"apis": apis, "cors": cors, "keys": keys, "calls": log.total, "added": added}))


def around() -> bool:
    print("\nAround the authorizer (one region of REST APIs, 5 methods each, one stage): calls before and after the "
          "reads for gateway responses, usage plans, custom domains and CloudFront")
    print(f"{'APIs':>5} {'CORS':>5} {'key':>4} {'before':>7} {'after':>6} {'added':>6} {'per API before':>15} "
          f"{'after':>6}")
    rows = []
    for apis, cors, keys in ((40, 0, 0), (40, 40, 0), (40, 0, 10)):
        output = subprocess.run([sys.executable, __file__, "around-child", str(apis), str(cors), str(keys)],
                                capture_output=True, text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        rows.append(row)
        before = row["calls"] - row["added"]
        print(f"{apis:>5} {cors:>5} {keys:>4} {before:>7} {row['calls']:>6} {row['added']:>6} "
              f"{before / apis:>15.2f} {row['calls'] / apis:>6.2f}")
    print(f"\n40 REST APIs without CORS or keys: {rows[0]['added']} calls added (budget 5)")
    return rows[0]["added"] <= 5 and rows[1]["added"] <= 5 + 40


def template_of(apis: int, methods: int, sam: bool) -> dict:
    """A healthy template: `apis` REST APIs of `methods` Cognito-authorized methods each, one pool with a domain, a
    resource server and an app client that can obtain the methods' scope."""
    resources: dict = {
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": "users"}},
        "Domain": {"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"UserPoolId": {"Ref": "Pool"},
                                                                           "Domain": "shop-auth"}},
        "Server": {"Type": "AWS::Cognito::UserPoolResourceServer", "Properties": {
            "UserPoolId": {"Ref": "Pool"}, "Identifier": "api", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}},
        "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {
            "UserPoolId": {"Ref": "Pool"}, "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "api/read"], "CallbackURLs": ["https://app.example.com/cb"],
            "SupportedIdentityProviders": ["COGNITO"]}},
    }
    for number in range(apis):
        if sam:
            resources[f"Api{number}"] = {"Type": "AWS::Serverless::Api", "Properties": {
                "StageName": "prod", "Auth": {"DefaultAuthorizer": "Users", "Authorizers": {
                    "Users": {"UserPoolArn": {"Fn::GetAtt": ["Pool", "Arn"]}, "AuthorizationScopes": ["api/read"]}}}}}
            resources[f"Handler{number}"] = {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "InlineCode": "def handler(e, c): pass",
                "Events": {f"Get{method}": {"Type": "Api", "Properties": {
                    "RestApiId": {"Ref": f"Api{number}"}, "Path": f"/items{method}", "Method": "get"}}
                    for method in range(methods)}}}
            continue
        resources[f"Api{number}"] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": f"api-{number}"}}
        resources[f"Users{number}"] = {"Type": "AWS::ApiGateway::Authorizer", "Properties": {
            "RestApiId": {"Ref": f"Api{number}"}, "Name": "users", "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [{"Fn::GetAtt": ["Pool", "Arn"]}]}}
        method_ids = []
        for method in range(methods):
            resources[f"Items{number}x{method}"] = {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "RestApiId": {"Ref": f"Api{number}"}, "PathPart": f"items{method}",
                "ParentId": {"Fn::GetAtt": [f"Api{number}", "RootResourceId"]}}}
            method_ids.append(f"Get{number}x{method}")
            resources[method_ids[-1]] = {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": f"Api{number}"}, "ResourceId": {"Ref": f"Items{number}x{method}"},
                "HttpMethod": "GET", "AuthorizationType": "COGNITO_USER_POOLS",
                "AuthorizerId": {"Ref": f"Users{number}"}, "AuthorizationScopes": ["api/read"],
                "Integration": {"Type": "MOCK"}}}
        resources[f"Deployment{number}"] = {"Type": "AWS::ApiGateway::Deployment", "DependsOn": method_ids,
                                            "Properties": {"RestApiId": {"Ref": f"Api{number}"}}}
        resources[f"Prod{number}"] = {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": {"Ref": f"Api{number}"}, "StageName": "prod",
            "DeploymentId": {"Ref": f"Deployment{number}"}}}
    template: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if sam:
        template["Transform"] = "AWS::Serverless-2016-10-31"
    return template


def templates() -> bool:
    print("\nTemplates: apigw-scan scan --template on 100 REST APIs x 10 methods (one process each, no AWS call)")
    print(f"{'kind':<16} {'resources':>9} {'rows':>6} {'findings':>8} {'wall s':>7}")
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for kind, sam in (("CloudFormation", False), ("SAM", True)):
            body = template_of(100, 10, sam)
            path = Path(folder) / f"{kind}.json"
            path.write_text(json.dumps(body))
            started = time.perf_counter()
            finished = subprocess.run([sys.executable, "-m", "scanner", "scan", "--template", str(path),
                                       "--format", "json", "--no-traffic"], capture_output=True, text=True,
                                      env={**os.environ, "AWS_CONFIG_FILE": "/nonexistent",
                                           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
            wall = time.perf_counter() - started
            report = json.loads(finished.stdout) if finished.stdout.strip() else {}
            rows = len(report.get("methods") or [])
            print(f"{kind:<16} {len(body['Resources']):>9} {rows:>6} {len(report.get('findings') or []):>8} "
                  f"{wall:>7.1f}")
            ok = ok and rows >= 1000 and wall <= 60 and not report.get("findings")
            if rows < 1000:
                print(f"  expected 1000 method rows, got {rows}: {finished.stderr.strip()[-400:]}")
    return ok


def terraform_of(apis: int, methods: int, style: str) -> str:
    """The template_of() account as Terraform: every block written out ("blocks"), or one local module called with
    for_each, its methods with for_each ("modules"); healthy, with triggers that hash whole resources."""
    shared = """resource "aws_cognito_user_pool" "pool" {
  name = "users"
}
resource "aws_cognito_user_pool_domain" "domain" {
  domain       = "shop-auth"
  user_pool_id = aws_cognito_user_pool.pool.id
}
resource "aws_cognito_resource_server" "server" {
  user_pool_id = aws_cognito_user_pool.pool.id
  identifier   = "api"
  name         = "api"
  scope {
    scope_name        = "read"
    scope_description = "read"
  }
}
resource "aws_cognito_user_pool_client" "client" {
  user_pool_id                         = aws_cognito_user_pool.pool.id
  name                                 = "web"
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "api/read"]
  callback_urls                        = ["https://app.example.com/cb"]
  supported_identity_providers         = ["COGNITO"]
}
"""
    api = """resource "aws_api_gateway_rest_api" "api{n}" {{
  name = "api-{n}"
}}
resource "aws_api_gateway_authorizer" "users{n}" {{
  name          = "users"
  rest_api_id   = aws_api_gateway_rest_api.api{n}.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = [{pool}]
}}
"""
    method = """resource "aws_api_gateway_resource" "items{n}x{m}" {{
  rest_api_id = aws_api_gateway_rest_api.api{n}.id
  parent_id   = aws_api_gateway_rest_api.api{n}.root_resource_id
  path_part   = "items{m}"
}}
resource "aws_api_gateway_method" "get{n}x{m}" {{
  rest_api_id          = aws_api_gateway_rest_api.api{n}.id
  resource_id          = aws_api_gateway_resource.items{n}x{m}.id
  http_method          = "GET"
  authorization        = "COGNITO_USER_POOLS"
  authorizer_id        = aws_api_gateway_authorizer.users{n}.id
  authorization_scopes = ["api/read"]
}}
resource "aws_api_gateway_integration" "get{n}x{m}" {{
  rest_api_id = aws_api_gateway_rest_api.api{n}.id
  resource_id = aws_api_gateway_resource.items{n}x{m}.id
  http_method = aws_api_gateway_method.get{n}x{m}.http_method
  type        = "MOCK"
}}
"""
    deployment = """resource "aws_api_gateway_deployment" "deployment{n}" {{
  rest_api_id = aws_api_gateway_rest_api.api{n}.id
  triggers = {{
    redeployment = sha1(jsonencode([{whole}]))
  }}
  lifecycle {{
    create_before_destroy = true
  }}
}}
resource "aws_api_gateway_stage" "prod{n}" {{
  rest_api_id   = aws_api_gateway_rest_api.api{n}.id
  deployment_id = aws_api_gateway_deployment.deployment{n}.id
  stage_name    = "prod"
}}
"""
    if style == "blocks":
        parts = [shared]
        for n in range(apis):
            parts.append(api.format(n=n, pool="aws_cognito_user_pool.pool.arn"))
            parts += [method.format(n=n, m=m) for m in range(methods)]
            whole = ", ".join(f"aws_api_gateway_resource.items{n}x{m}, aws_api_gateway_method.get{n}x{m}, "
                              f"aws_api_gateway_integration.get{n}x{m}" for m in range(methods))
            parts.append(deployment.format(n=n, whole=whole + f", aws_api_gateway_authorizer.users{n}"))
        return "\n".join(parts)
    module = """variable "name" {}
variable "pool_arn" {}
variable "paths" {
  type = list(string)
}
resource "aws_api_gateway_rest_api" "api" {
  name = var.name
}
resource "aws_api_gateway_authorizer" "users" {
  name          = "users"
  rest_api_id   = aws_api_gateway_rest_api.api.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = [var.pool_arn]
}
resource "aws_api_gateway_resource" "items" {
  for_each    = toset(var.paths)
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = each.key
}
resource "aws_api_gateway_method" "get" {
  for_each             = aws_api_gateway_resource.items
  rest_api_id          = aws_api_gateway_rest_api.api.id
  resource_id          = each.value.id
  http_method          = "GET"
  authorization        = "COGNITO_USER_POOLS"
  authorizer_id        = aws_api_gateway_authorizer.users.id
  authorization_scopes = ["api/read"]
}
resource "aws_api_gateway_integration" "get" {
  for_each    = aws_api_gateway_method.get
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = each.value.resource_id
  http_method = each.value.http_method
  type        = "MOCK"
}
""" + deployment.format(n="", whole="aws_api_gateway_resource.items, aws_api_gateway_method.get, "
                                     "aws_api_gateway_integration.get, aws_api_gateway_authorizer.users")
    return shared + f"""module "api" {{
  source   = "./api"
  for_each = toset([for n in range({apis}) : tostring(n)])
  name     = "api-${{each.key}}"
  pool_arn = aws_cognito_user_pool.pool.arn
  paths    = [for m in range({methods}) : "items${{m}}"]
}}
""" + "\n#MODULE\n" + module


def terraform() -> bool:
    print("\nTerraform: apigw-scan scan --terraform on 100 REST APIs x 10 methods (one process each, no AWS call, no "
          "terraform binary)")
    print(f"{'style':<16} {'bytes':>9} {'rows':>6} {'findings':>8} {'CPU s':>7} {'wall s':>7}")
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for style in ("blocks", "modules"):
            root = Path(folder) / style
            (root / "api").mkdir(parents=True)
            text = terraform_of(100, 10, style)
            main_text, _, module_text = text.partition("\n#MODULE\n")
            (root / "main.tf").write_text(main_text)
            if module_text:
                (root / "api" / "main.tf").write_text(module_text)
            started, cpu_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            finished = subprocess.run([sys.executable, "-m", "scanner", "scan", "--terraform", str(root),
                                       "--region", REGION, "--format", "json", "--fail-on", "never"],
                                      capture_output=True, text=True,
                                      env={**os.environ, "AWS_CONFIG_FILE": "/nonexistent",
                                           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
            wall = time.perf_counter() - started
            cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu_before  # the scan's own CPU time
            report = json.loads(finished.stdout) if finished.stdout.strip() else {}
            rows = len(report.get("methods") or [])
            print(f"{style:<16} {len(text):>9} {rows:>6} {len(report.get('findings') or []):>8} {cpu:>7.1f} "
                  f"{wall:>7.1f}")
            ok = ok and rows >= 1000 and wall <= TERRAFORM_BUDGET and not report.get("findings")
            if rows < 1000 or report.get("findings"):
                print(f"  expected 1000 method rows and no finding, got {rows}: {finished.stderr.strip()[-400:]} "
                      f"{[f['message'] for f in report.get('findings') or []][:2]}")
    return ok


def fault_matrix() -> bool:
    import signal
    import socket

    from moto.server import ThreadedMotoServer

    from fault_server import ENDPOINT_VARIABLES, FaultServer
    from scanner.demo.account import seed_demo_account
    from scanner.demo.moto_extensions import install

    install()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = {key: os.environ.get(key) for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    seed_demo_account(boto3.Session(region_name=REGION))
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    base_env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                    AWS_DEFAULT_REGION=REGION)

    def scan(env: dict[str, str]) -> tuple[dict, float]:
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "scanner", "scan", "--format", "json", "--quiet"],
                             capture_output=True, text=True, env=env).stdout
        return json.loads(out), time.perf_counter() - started

    print("\nFaults (the demo account on moto.server; one service at a time at a misbehaving endpoint; default "
          "call timeout 10 s)")
    print(f"{'service':<12} {'fault':<18} {'wall s':>7} {'calls':>6} {'skipped':>8} {'errors':>7} {'exit':>5}")
    ok = True
    healthy, wall = scan(base_env)
    print(f"{'-':<12} {'none':<18} {wall:>7.1f} {healthy['calls']:>6} {0:>8} {len(healthy['errors']):>7} {'1':>5}")
    cases = [("lambda", "hang"), ("lambda", "reset"), ("lambda", "500"), ("lambda", "slow"),
             ("cognito-idp", "hang"), ("cognito-idp", "reset"), ("cognito-idp", "500")]
    for service, fault in cases:
        with FaultServer(fault, upstream=endpoint, delay=8.0) as faulty:
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "scanner", "scan", "--format", "json", "--quiet"],
                                    capture_output=True, text=True,
                                    env={**base_env, ENDPOINT_VARIABLES[service]: faulty.url})
            wall = time.perf_counter() - started
        report = json.loads(result.stdout)
        skipped = sum(int(note.split(": ")[-1].split(" call(s) skipped")[0]) for note in report["notes"]
                      if " call(s) skipped" in note)
        label = "answers after 8 s" if fault == "slow" else {"hang": "never answers", "reset": "resets",
                                                              "500": "answers 500"}[fault]
        print(f"{service:<12} {label:<18} {wall:>7.1f} {report['calls']:>6} {skipped:>8} {len(report['errors']):>7} "
              f"{result.returncode:>5}")
        budget = 60 if fault in ("hang", "slow") else 30
        ok = ok and wall <= budget and len(report["methods"]) == len(healthy["methods"])
    with FaultServer("hang") as faulty, tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        process = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--format", "json", "--quiet",
                                    "--output", str(output)], env={**base_env, "AWS_ENDPOINT_URL_LAMBDA": faulty.url},
                                   stderr=subprocess.DEVNULL)
        while faulty.requests == 0 and process.poll() is None:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        signalled = time.perf_counter()
        process.wait(timeout=60)
        stopped = time.perf_counter() - signalled
        written = output.exists() and any(error["operation"] == "Stop"
                                          for error in json.loads(output.read_text())["errors"])
    print(f"SIGTERM while Lambda hangs: stopped in {stopped:.1f} s, exit {process.returncode}, report written: "
          f"{'yes' if written else 'NO'}")
    server.stop()
    os.environ.update({key: value for key, value in saved.items() if value is not None})
    for key in [key for key, value in saved.items() if value is None]:
        os.environ.pop(key, None)
    return ok and written and stopped <= 15


class _QuotaAws:
    """The bench's control plane: latency on every call, and AWS's request-rate quotas enforced with 429s."""

    LIMITS: ClassVar[dict[str, tuple[float, float]]] = {
        "apigateway": (10.0, 40.0), "get-resources": (2.5, 5.0), "clients": (15.0, 15.0)}

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.buckets: dict[str, list[float]] = {}
        self.throttled = 0

    def allowed(self, name: str, rate: float, burst: float) -> bool:
        with self.lock:
            now = time.monotonic()
            tokens, updated = self.buckets.get(name, [burst, now])
            tokens = min(burst, tokens + (now - updated) * rate)
            if tokens < 1:
                self.buckets[name] = [tokens, now]
                self.throttled += 1
                return False
            self.buckets[name] = [tokens - 1, now]
            return True

    def before_send(self, request: object = None, event_name: str = "", **_: object) -> object:
        from botocore.awsrequest import AWSResponse

        time.sleep(random.uniform(0.150, 0.300))
        service, operation = event_name.split(".")[1:3]
        quotas = []
        if service in ("api-gateway", "apigatewayv2"):
            quotas.append(("get-resources", *self.LIMITS["get-resources"]) if operation == "GetResources"
                          else ("apigateway", *self.LIMITS["apigateway"]))
        if operation == "DescribeUserPoolClient":
            pool = json.loads(getattr(request, "body", b"{}") or b"{}").get("UserPoolId", "")
            quotas += [("clients", *self.LIMITS["clients"]), (f"pool/{pool}", 5.0, 5.0)]
        if all(self.allowed(*quota) for quota in quotas):
            return None

        class Raw:
            def __init__(self, data: bytes) -> None:
                self.data = data

            def stream(self, **_: object) -> list[bytes]:
                return [self.data]

        return AWSResponse(getattr(request, "url", ""), 429, {"x-amzn-ErrorType": "TooManyRequestsException"},
                           Raw(b'{"__type": "TooManyRequestsException", "message": "Too Many Requests"}'))


def quota_child(apis: int, clients: int, paced: bool) -> None:
    """One region: `apis` REST APIs x 2 stages, or a pool of `clients` app clients, behind the emulated quotas."""
    import functools

    from scanner.collect import account as account_module
    from scanner.collect.pacing import Pacer
    from scanner.collect.reads import Reads

    with emulated_aws() as session:
        apigateway = session.client("apigateway", region_name=REGION)
        cognito = session.client("cognito-idp", region_name=REGION)
        for number in range(apis):
            api_id = seed.create_rest_api(apigateway, f"api-{number}")
            seed.add_method(apigateway, api_id, "/items", "GET")
            for stage in STAGES:
                seed.deploy(apigateway, api_id, stage)
        if clients:
            pool = seed.create_pool(cognito, "users")
            for number in range(clients):
                cognito.create_user_pool_client(UserPoolId=pool["id"], ClientName=f"client-{number}")
        quota = _QuotaAws()
        session._session.get_component("event_emitter").register_first("before-send", quota.before_send)
        if not paced:  # every read made in turn, as the scanner did before issue 13
            account_module.Reads = functools.partial(Reads, threads=0)
        log = CallLog(pacer=Pacer() if paced else None)
        started = time.perf_counter()
        snapshot = collect_account(session, [REGION], call_log=log, traffic_days=None)
        wall = time.perf_counter() - started
    gateway = sum(count for name, count in log.counts.items() if name.startswith("apigateway"))
    described = log.counts.get("cognito-idp:DescribeUserPoolClient", 0)
    methods = sum(len(resource["methods"]) for api in snapshot["rest_apis"] for resource in api["resources"] or [])
    print(json.dumps({"wall": wall, "calls": log.total, "gateway": gateway, "clients": described,
                      "rows": methods, "errors": len(log.errors), "throttled": quota.throttled,
                      "clients_read": sum(len(p.get("clients") or []) for p in snapshot["user_pools"])}))


def quota() -> bool:
    print("\nQuota pacing (one region; 150-300 ms per call; AWS's quotas enforced with 429s)")
    print(f"{'workload':<28} {'mode':<22} {'calls':>6} {'bound s':>8} {'wall s':>7} {'ratio':>6} {'429s':>5} "
          f"{'rows':>5} {'errors':>6}")
    ok = True
    for label, apis, clients, paced in (("40 REST APIs x 2 stages", 40, 0, False),
                                        ("40 REST APIs x 2 stages", 40, 0, True),
                                        ("200 REST APIs x 2 stages", 200, 0, True),
                                        ("a pool of 300 app clients", 0, 300, True)):
        output = subprocess.run([sys.executable, __file__, "quota-child", str(apis), str(clients),
                                 "paced" if paced else "serial"], capture_output=True, text=True, check=True).stdout
        row = json.loads(output.strip().splitlines()[-1])
        # What the quota allows: API Gateway calls at 10 a second, or client descriptions at 5 a second per pool.
        bound = row["gateway"] / 10 if apis else row["clients"] / 5
        ratio = row["wall"] / bound
        mode = ("paced, 8 reads at once" if apis else "paced, 4 clients at once") if paced else "one call at a time"
        print(f"{label:<28} {mode:<22} {row['calls']:>6} {bound:>8.1f} {row['wall']:>7.1f} {ratio:>6.2f} "
              f"{row['throttled']:>5} {row['rows'] if apis else row['clients_read']:>5} {row['errors']:>6}")
        expected = apis if apis else clients
        lost = (row["rows"] if apis else row["clients_read"]) != expected
        if paced:
            ok = ok and ratio <= 1.3 and not lost and row["errors"] == 0
    return ok


def _latency(**_: object) -> None:
    time.sleep(random.uniform(0.030, 0.080))


def concurrency() -> bool:
    """20 units: 4 accounts x 5 regions, one API each, every call slowed by 30-80 ms."""
    from scanner.scan import FleetOptions, scan_fleet

    regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2"]
    original_init = boto3.Session.__init__

    def slowed_init(self: boto3.Session, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        self._session.register("before-send", _latency)  # every session, assumed roles included

    print("\nConcurrency (20 account x region units, one API each, 30-80 ms emulated latency per call)")
    print(f"{'units':>6} {'concurrency':>12} {'AWS calls':>10} {'wall s':>7}")
    with emulated_aws() as session:
        organizations = session.client("organizations", region_name="us-east-1")
        organizations.create_organization(FeatureSet="ALL")
        accounts = ["123456789012"] + [organizations.create_account(AccountName=f"a{n}", Email=f"a{n}@example.com")
                                       ["CreateAccountStatus"]["AccountId"] for n in range(3)]
        for account in accounts:
            member = session if account == "123456789012" else _assumed(session, account)
            for region in regions:
                apigateway = member.client("apigateway", region_name=region)
                api_id = seed.create_rest_api(apigateway, f"api-{region}")
                seed.add_method(apigateway, api_id, "/x", "GET")
                seed.deploy(apigateway, api_id, "prod")
        # The emulator's own CPU time (and botocore's), which no concurrency hides under one GIL: the same scans
        # without latency. Against AWS it is a few milliseconds a call; under moto about 12.
        floors = {}
        for workers in (1, 16):
            options = FleetOptions(regions=regions, accounts=",".join(accounts), role_name="audit",
                                   concurrency=workers)
            started = time.perf_counter()
            scan_fleet(session, options, None, None, load_rules())
            floors[workers] = time.perf_counter() - started
        boto3.Session.__init__ = slowed_init  # type: ignore[method-assign]
        session._session.register("before-send", _latency)
        timings = {}
        try:
            started = time.perf_counter()
            _, one = scan_fleet(session, FleetOptions(regions=regions[:1]), None, None, load_rules())
            print(f"{1:>6} {1:>12} {one['calls']:>10} {time.perf_counter() - started:>7.2f}")
            for workers in (1, 20, 16):
                options = FleetOptions(regions=regions, accounts=",".join(accounts), role_name="audit",
                                       concurrency=workers)
                started = time.perf_counter()
                _, report = scan_fleet(session, options, None, None, load_rules())
                timings[workers] = time.perf_counter() - started
                assert len(report["methods"]) == 20, "the scan lost units"
                print(f"{20:>6} {workers:>12} {report['calls']:>10} {timings[workers]:>7.2f}")
        finally:
            boto3.Session.__init__ = original_init  # type: ignore[method-assign]
    print(f"peak memory of the process (emulator and 20 seeded units included): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    ratio = timings[16] / timings[1]
    waits = (timings[16] - floors[16]) / (timings[1] - floors[1])
    print(f"\n20 units at the default concurrency (16) take {ratio:.2f}x the sequential time (at 20: "
          f"{timings[20] / timings[1]:.2f}x). Without the latency the same scans take {floors[1]:.2f} s one after "
          f"another and {floors[16]:.2f} s at 16: the emulator's and botocore's CPU time, under one GIL, which no "
          f"concurrency hides (against AWS a few ms a call). The waits overlap to {waits:.2f}x (budget 0.25x).")
    return waits <= 0.25


LATENCY = 0.055  # seconds added to every call in the regions scenario (the measure)


def moto_server(port: int) -> None:
    """Run in a process of its own: moto.server (with what the demo teaches it) on 127.0.0.1:`port` until stdin
    closes — the emulator's CPU time on its own core and GIL, as AWS's is not the scanner's."""
    import logging

    from moto.server import ThreadedMotoServer

    from scanner.demo.moto_extensions import install

    install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


def _process_cpu(pid: int) -> float:
    """The CPU seconds (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def regions_child(in_process: bool) -> None:
    """Run in a process of its own (`BENCH_SCANNER=DIR` measures another checkout's scanner the same way): the world
    of tests/worlds.py (8 regions with APIs, the busiest with 3 REST APIs; moto lists 38 regions, the others empty)
    with 55 ms added to every call; the busiest region alone, --all-regions one unit at a time, and --all-regions at
    the default concurrency, one after another against the same emulator. The emulator is moto.server in a process
    of its own, as AWS is (`in_process`: moto in this process, its CPU time under the scanner's GIL). Prints JSON
    figures: wall, calls, the scanner process's CPU time during collection and during the whole scan (the
    emulator's apart), its client creation's, and per region the calls, the longest chain of reads, the time the
    request-rate quotas allow, and the unit's wall time."""
    import socket
    import threading
    from collections import Counter
    from contextlib import nullcontext

    from scanner import scan as scan_module
    from scanner.collect import fleet, pacing
    from scanner.scan import FleetOptions, scan_fleet
    from worlds import BUSY, seed_regions

    def bucket_of(service: str, operation: str, region: str) -> tuple[str, str]:
        if hasattr(pacing, "bucket_of"):
            return pacing.bucket_of(service, operation, region)
        # A release before it: the same mapping, from its private parts.
        return "global" if service in pacing._GLOBAL else region, pacing._quota_name(service, operation)

    rates = pacing.DEFAULT_RATES
    lock = threading.Lock()
    spent = {"emulator": 0.0, "clients": 0.0, "collect": 0.0, "collect_wall": 0.0, "made": 0}
    calls: Counter[tuple[str, str]] = Counter()  # per (region, quota bucket)

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:
                    spent[name] += time.thread_time() - started
                    spent["made"] += name == "clients"
        return wrapper

    def collect_fleet(*args, **kwargs):
        cpu, started = time.process_time(), time.perf_counter()
        try:
            return original_collect(*args, **kwargs)
        finally:
            spent["collect"] += time.process_time() - cpu
            spent["collect_wall"] += time.perf_counter() - started

    def count(model: object = None, context: object = None, **_: object) -> None:
        bucket = bucket_of(model.service_model.service_name, model.name, context.get("client_region") or "")
        with lock:
            calls[bucket] += 1

    original_collect = scan_module.collect_fleet
    scan_module.collect_fleet = collect_fleet
    boto3.Session.client = timed("clients", boto3.Session.client)
    collectors: list = []
    units: dict[str, float] = {}

    class Recorded(fleet.AccountCollector):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            collectors.append(self)

        def region(self, region: str) -> dict:
            started = time.perf_counter()
            try:
                return super().region(region)
            finally:
                units[region] = time.perf_counter() - started

    fleet.AccountCollector = Recorded
    rules = load_rules()
    rows = {}
    server = None
    if in_process:
        from moto.core.botocore_stubber import BotocoreStubber

        BotocoreStubber.__call__ = timed("emulator", BotocoreStubber.__call__)
        emulator = emulated_aws()
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([sys.executable, __file__, "moto-server", str(port)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        server.stdout.readline()
        os.environ.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="test",
                          AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION)
        emulator = nullcontext(boto3.Session(region_name=REGION))
    with emulator as session:
        seed_regions(session, BUSY)
        scan_fleet(session, FleetOptions(all_regions=True), None, None, rules)  # the emulator's regions warmed up
        session._session.register("before-send", lambda **_: time.sleep(LATENCY))
        session._session.register("before-call", count)
        for label, options in (("busiest", FleetOptions(regions=[BUSY[0]])),
                               ("serial", FleetOptions(all_regions=True, concurrency=1)),
                               ("all", FleetOptions(all_regions=True))):
            collectors.clear()
            units.clear()
            calls.clear()
            for name in spent:
                spent[name] = 0.0
            server_cpu = _process_cpu(server.pid) if server else 0.0
            cpu, started = time.process_time(), time.perf_counter()
            _, report = scan_fleet(session, options, None, None, rules)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            if server:
                spent["emulator"] = _process_cpu(server.pid) - server_cpu
            paths = {region: {"seconds": path.seconds, "reads": path.reads} for collector in collectors
                     for region, path in getattr(getattr(collector, "reads", None), "critical", {}).items()}
            regions = {region for region, _ in calls}
            rows[label] = {
                "wall": wall, "calls": report["calls"], "cpu": cpu, "methods": len(report["methods"]), **spent,
                "paths": paths, "units": dict(units),
                "region_calls": {region: sum(n for (where, _), n in calls.items() if where == region)
                                 for region in regions},
                "quota_bound": {region: max([max(0.0, n - rates[quota][1]) / rates[quota][0]
                                             for (where, quota), n in calls.items()
                                             if where == region and quota in rates], default=0.0)
                                for region in regions}}
    if server:
        server.stdin.close()
        server.wait(timeout=30)
    print(json.dumps(rows))


def _regions_rows(in_process: bool, scanner: str | None) -> dict:
    env = {**os.environ, **({"BENCH_SCANNER": scanner} if scanner else {})}
    output = subprocess.run([sys.executable, __file__, "regions-child", *(["in-process"] if in_process else [])],
                            capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def regions(in_process: bool = False, against: str | None = None) -> bool:
    """`--all-regions` against the busiest region alone and against one unit at a time, under 55 ms a call
    (`against`: a checkout of another release, measured first, the same way, in the same run)."""
    where = "moto in the scanner's process" if in_process else "moto.server in a process of its own"
    print(f"\nRegions: 8 with APIs (the busiest with 3 REST APIs), the rest of moto's 38 empty; {LATENCY * 1000:.0f} "
          f"ms emulated latency per call; {where}. CPU: the scanner process's per call while collecting (client "
          "creation included, and apart), and for the whole scan (judging included); the emulator's apart")
    print(f"{'scanner':<8} {'scan':<40} {'calls':>6} {'wall s':>7} {'collect s':>10} {'CPU/call ms':>12} "
          f"{'clients':>8} {'scan CPU s':>11} {'emulator':>9}")
    labels = {"busiest": "--region eu-west-1 (the busiest alone)", "serial": "--all-regions --concurrency 1",
              "all": "--all-regions (concurrency 16)"}
    runs = ([("before", _regions_rows(in_process, against))] if against else []) + \
        [("this", _regions_rows(in_process, None))]
    for name, rows in runs:
        for key, label in labels.items():
            row = rows[key]
            calls = row["calls"]
            collect = row["collect"] - (row["emulator"] if in_process else 0.0)
            print(f"{name:<8} {label:<40} {calls:>6} {row['wall']:>7.2f} {row['collect_wall']:>10.2f} "
                  f"{collect / calls * 1000:>12.2f} {row['clients'] / calls * 1000:>8.2f} {row['cpu']:>11.2f} "
                  f"{row['emulator'] / calls * 1000:>9.2f}")
    rows = runs[-1][1]
    every = rows["all"]
    if every["paths"]:
        print(f"\n--all-regions, per region      {'calls':>6} {'longest chain of reads':>23} {'reads':>6} "
              f"{'quota allows':>13} {'unit wall':>10}")
        for region, path in sorted(every["paths"].items(), key=lambda item: -item[1]["seconds"])[:12]:
            unit = every["units"].get(region)
            print(f"  {region:<28} {every['region_calls'].get(region, 0):>6} {path['seconds']:>21.2f} s "
                  f"{path['reads']:>6} {every['quota_bound'].get(region, 0.0):>11.2f} s "
                  f"{'' if unit is None else f'{unit:8.2f} s':>10}")
    print()
    for name, found in runs:
        everywhere = found["all"]
        per_call = (everywhere["collect"] - (everywhere["emulator"] if in_process else 0.0)) / everywhere["calls"]
        print(f"{name}: --all-regions takes {everywhere['wall'] / found['serial']['wall']:.2f}x the time of one unit "
              f"at a time (budget 0.25x) and {everywhere['wall'] / found['busiest']['wall']:.2f}x the time of its "
              f"busiest region alone (budget 2x); the scanner's CPU per call while collecting "
              f"{per_call * 1000:.2f} ms, over the whole scan {everywhere['cpu'] / everywhere['calls'] * 1000:.2f} ms")
    return every["wall"] / rows["serial"]["wall"] <= 0.25 and every["wall"] / rows["busiest"]["wall"] <= 2


def report_sizes() -> bool:
    from scanner.demo import demo_report
    from scanner.render.formats import render
    from scanner.render.terminal import View

    rules = load_rules()
    with emulated_aws() as session:
        build(session, 100, 10)
        large = judge(collect_account(session, [REGION]), None, None, rules)
    print("\n9. report sizes")
    print(f"{'report':<22}{'format':<8}{'bytes':>12}{'seconds':>9}")
    ok = True
    for name, report in (("demo", demo_report(rules)), (f"{len(large['methods'])} methods", large)):
        for output_format in ("table", "json", "sarif", "csv", "html"):
            started = time.perf_counter()
            text = render(report, output_format, rules, View(fail_on="high"))
            elapsed = time.perf_counter() - started
            print(f"{name:<22}{output_format:<8}{len(text.encode()):>12,}{elapsed:>9.2f}")
            if output_format == "html" and report is large:
                ok = ok and len(text.encode()) < 5_000_000 and elapsed < 10
    return ok


def install_sizes() -> bool:
    print("\n10. installed size (a fresh virtual environment each; site-packages)")
    root = Path(__file__).resolve().parents[1]
    for label, target in (("apigw-scan", str(root)), ("apigw-scan[demo]", f"{root}[demo]")):
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([sys.executable, "-m", "venv", folder], check=True)
            python = str(Path(folder) / "bin" / "python")
            subprocess.run([python, "-m", "pip", "install", "--quiet", target], check=True)
            packages = len(subprocess.run([python, "-m", "pip", "list", "--format", "json"], check=True,
                                          capture_output=True, text=True).stdout.split('"name"')) - 1
            size = sum(path.stat().st_size for path in Path(folder, "lib").rglob("*") if path.is_file())
            print(f"{label:<20} {size / 1e6:8.1f} MB  {packages} packages (pip included)")
    return True


def _assumed(session: boto3.Session, account: str) -> boto3.Session:
    credentials = session.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/audit",
                                                    RoleSessionName="bench")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


def main() -> int:
    if sys.argv[1:2] == ["scale-child"]:
        scale_child(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    if sys.argv[1:2] == ["around-child"]:
        around_child(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return 0
    if sys.argv[1:2] == ["around"]:
        return 0 if around() else 1
    if sys.argv[1:2] == ["templates"]:
        return 0 if templates() else 1
    if sys.argv[1:2] == ["terraform"]:
        return 0 if terraform() else 1
    if sys.argv[1:2] == ["faults"]:
        return 0 if fault_matrix() else 1
    if sys.argv[1:2] == ["quota-child"]:
        quota_child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "paced")
        return 0
    if sys.argv[1:2] == ["quota"]:
        return 0 if quota() else 1
    if sys.argv[1:2] == ["moto-server"]:
        moto_server(int(sys.argv[2]))
        return 0
    if sys.argv[1:2] == ["regions-child"]:
        regions_child(sys.argv[2:3] == ["in-process"])
        return 0
    if sys.argv[1:2] == ["regions"]:  # [in-process] [--against DIR]
        against = sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None
        return 0 if regions("in-process" in sys.argv, against) else 1
    if sys.argv[1:2] == ["concurrency"]:
        return 0 if concurrency() and regions() else 1
    if sys.argv[1:2] == ["reports"]:
        return 0 if report_sizes() else 1
    if sys.argv[1:2] == ["install"]:
        return 0 if install_sizes() else 1
    if sys.argv[1:2] == ["judging"]:
        return 0 if judging() else 1
    if sys.argv[1:2] == ["fleet"]:
        return 0 if fleet() else 1
    results = {"call budget": call_budget(), "scale": scale(), "around the authorizer": around(),
               "templates": templates(), "terraform": terraform(), "faults": fault_matrix(), "quota pacing": quota(),
               "concurrency": concurrency(), "regions": regions(), "report sizes": report_sizes(), "judging": judging(),
               "fleet": fleet()}
    failed = [name for name, ok in results.items() if not ok]
    if failed:
        print(f"BUDGET EXCEEDED: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\nall budgets hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
