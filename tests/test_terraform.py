"""Before apply: `scan --terraform DIR` on public Terraform configurations (tests/fixtures/terraform/SOURCES.md names
each repository, path and commit), the findings on each as published judged below, and mutations that inject the
causes the rules catch, asserting rule, address and line. The tests cannot run `terraform` (no binary, no
provider download): the configurations are read and evaluated by the scanner itself."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import PROJECT, assert_fires, findings, line_of, method_row
from scanner.cli import main
from scanner.rules.loader import NO_TERRAFORM_FIX, load_rules

FIXTURES = PROJECT / "tests" / "fixtures" / "terraform"
SERVERLESS = FIXTURES / "serverless-patterns"


def scan(capsys, folder, *extra):
    assert main(["scan", "--terraform", str(folder), *extra, "--format", "json", "--fail-on", "never"]) == 0
    return json.loads(capsys.readouterr().out)


def mutated(tmp_path, name, file, *changes):
    """A copy of a fixture folder with `changes` (old, new) applied to one of its files."""
    folder = tmp_path / Path(name).name
    shutil.copytree(FIXTURES / name, folder)
    path = folder / file
    text = path.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return folder


def at(finding):
    source = finding["source"] or {}
    return source.get("address"), source.get("line")


def failing(report):
    return sorted({(f["rule"], f["severity"]) for f in report["findings"] if f["outcome"] == "fail"})


# What a fix for CloudFormation, SAM or the AWS API names, never a Terraform one: properties, API fields, CLI calls.
NOT_TERRAFORM = re.compile(r"AWS::|Allowed(OAuth|Flows)|Authoriz(ationScopes|erId|ationType)\b|ProviderARNs|"
                           r"IdentitySource|JwtConfiguration|jwtConfiguration|DependsOn|Auth\.|"
                           r"\b(update|create|put|add|delete)-[a-z-]+|^aws |\naws ")


def assert_terraform_fix(finding, *arguments):
    """The finding's fix names the Terraform resources and arguments given, in `fix` and `remediation`, and nothing
    of another tool: no CloudFormation property, no AWS API field, no AWS CLI command."""
    for text in (finding["fix"], finding["remediation"]):
        for argument in arguments:
            assert argument in text, (argument, text)
        assert not NOT_TERRAFORM.search(text), (NOT_TERRAFORM.search(text), text)
    assert all(command.startswith("apigw-scan ") for command in finding["commands"]), finding["commands"]


# aws-samples/serverless-patterns apigw-lambda-dynamodb-terraform (commit fb7b5d0): an HTTP API, one Lambda route,
# the function's name built from a random_string.

def test_http_api_and_lambda_as_published(capsys):
    report = scan(capsys, SERVERLESS / "apigw-lambda-dynamodb-terraform")
    # Nothing to find: an unauthenticated route alone on its API (HTTP004 needs other protected routes), an
    # auto-deploying $default stage, and a permission for API Gateway.
    assert report["findings"] == []
    row = method_row(report, "POST", "/movies")
    main_tf = SERVERLESS / "apigw-lambda-dynamodb-terraform" / "main.tf"
    assert row["source"] == {"file": str(main_tf), "address": "aws_apigatewayv2_route.post",
                             "line": line_of(main_tf, 'resource "aws_apigatewayv2_route" "post"')}
    assert row["stages"] == ["$default"] and row["verdict"] == "ok"
    assert row["api_name"] == "apigw-http-lambda-randomrandom"  # the random_string stands as a placeholder
    assert any("random_* resources stand for" in note for note in report["notes"])


# aws-samples/serverless-patterns apigw-data-validation-tf (commit fb7b5d0): a REST API whose deployment has no
# triggers (only depends_on).

def test_iac003_fires_high_on_a_published_deployment_without_triggers(capsys):
    report = scan(capsys, SERVERLESS / "apigw-data-validation-tf")
    # True: aws_api_gateway_deployment.api_deployment has only depends_on; a later change to the method or its
    # request validator is applied in place and the Prod stage keeps serving the first deployment.
    assert failing(report) == [("IAC003", "high")]
    finding = assert_fires(report, "IAC003", verdict="fail", severity="high")
    main_tf = SERVERLESS / "apigw-data-validation-tf" / "main.tf"
    assert at(finding) == ("aws_api_gateway_deployment.api_deployment",
                           line_of(main_tf, 'resource "aws_api_gateway_deployment" "api_deployment"'))
    assert "no triggers" in finding["message"] and finding["api_name"] == "validation-api"
    assert "triggers" in finding["fix"] and finding["commands"] == [
        "apigw-scan scan --terraform DIR --api validation-api --fail-on high"]
    assert_terraform_fix(finding, "aws_api_gateway_deployment", "triggers", "create_before_destroy")


def test_iac003_fires_medium_when_triggers_hash_only_ids(capsys):
    """hashicorp/terraform-provider-aws website/docs/r/api_gateway_deployment.html.markdown, "Terraform
    Resources": the provider's own example hashes resource IDs, and its NOTE says this does "not pick up all
    future REST API changes"."""
    report = scan(capsys, FIXTURES / "terraform-provider-aws" / "deployment-docs")
    [_] = findings(report, "IAC003")
    finding = assert_fires(report, "IAC003", verdict="fail", severity="medium")
    main_tf = FIXTURES / "terraform-provider-aws" / "deployment-docs" / "main.tf"
    assert at(finding) == ("aws_api_gateway_deployment.example",
                           line_of(main_tf, 'resource "aws_api_gateway_deployment" "example"'))
    assert "hash only the IDs" in finding["message"] and "aws_api_gateway_method.example" in finding["message"]
    assert "provider's documentation warns" in finding["message"]


def test_iac003_fires_high_when_triggers_name_nothing_of_the_api(capsys, tmp_path):
    folder = mutated(tmp_path, "terraform-provider-aws/deployment-docs", "main.tf", (
        """    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.example.id,
      aws_api_gateway_method.example.id,
      aws_api_gateway_integration.example.id,
    ]))""", '    redeployment = "v1"'))
    report = scan(capsys, folder)
    [_] = findings(report, "IAC003")
    finding = assert_fires(report, "IAC003", verdict="fail", severity="high")
    assert "reference none of the API's methods" in finding["message"]
    assert at(finding) == ("aws_api_gateway_deployment.example",
                           line_of(folder / "main.tf", 'resource "aws_api_gateway_deployment" "example"'))


@pytest.mark.parametrize("triggers, why", [
    ("sha1(jsonencode([aws_api_gateway_resource.example, aws_api_gateway_method.example, "
     "aws_api_gateway_integration.example]))", "whole resources"),
    ('filesha1("main.tf")', "the configuration file"),
    ("timestamp()", "a new value every apply"),
])
def test_iac003_quiet_when_triggers_change_with_the_api(capsys, tmp_path, triggers, why):
    folder = mutated(tmp_path, "terraform-provider-aws/deployment-docs", "main.tf", (
        """sha1(jsonencode([
      aws_api_gateway_resource.example.id,
      aws_api_gateway_method.example.id,
      aws_api_gateway_integration.example.id,
    ]))""", triggers))
    report = scan(capsys, folder)
    assert findings(report, "IAC003") == [], why
    if "timestamp" in triggers:
        assert any("replaced on every apply" in note for note in report["notes"])


def test_an_authorization_from_a_variable_without_a_value_is_unknown(capsys, tmp_path):
    """The provider's deployment example, its method's authorization a variable nobody gives: the method is
    unknown with what would decide it, never ok; given, it is judged."""
    folder = mutated(tmp_path, "terraform-provider-aws/deployment-docs", "main.tf",
                     ('  authorization = "NONE"', "  authorization = var.authorization"))
    (folder / "variables.tf").write_text('variable "authorization" {\n  type = string\n}\n')
    row = method_row(scan(capsys, folder, "--api", "example"), "GET", "/example")
    # at best unknown: failing only for the API's IAC003 (its triggers hash IDs), never ok
    assert row["findings"] == ["IAC003"] and row["verdict"] == "fail"
    assert "authorization type is not known" in row["unread"] and "give --var authorization=VALUE" in row["unread"]
    given = method_row(scan(capsys, folder, "--var", "authorization=NONE"), "GET", "/example")
    assert given["unread"] is None and given["authorization"] == "NONE"


def test_an_authorized_method_whose_authorizer_is_not_known_is_unknown(capsys, tmp_path):
    """The provider's deployment example (its triggers made to hash the file, so IAC003 is quiet), its method behind
    Cognito with an authorizer_id from a variable nobody gives: no rule can judge the authorizer, and the method is
    unknown, never ok."""
    text = (FIXTURES / "terraform-provider-aws" / "deployment-docs" / "main.tf").read_text()
    hashed = text[text.index("sha1(jsonencode(["):text.index("]))", text.index("sha1(jsonencode([")) + 3]
    folder = mutated(tmp_path, "terraform-provider-aws/deployment-docs", "main.tf",
                     ('  authorization = "NONE"',
                      '  authorization = "COGNITO_USER_POOLS"\n  authorizer_id = var.authorizer_id'),
                     (hashed, 'filesha1("main.tf")'))
    (folder / "variables.tf").write_text('variable "authorizer_id" {\n  type = string\n}\n')
    report = scan(capsys, folder)
    row = method_row(report, "GET", "/example")
    assert report["findings"] == [] and row["verdict"] == "unknown"
    assert "authorizer" in row["unread"] and "not known" in row["unread"]


def test_iac003_quiet_when_the_triggers_hash_the_openapi_body(capsys):
    """hashicorp/terraform-provider-aws examples/api-gateway-rest-api-openapi: the body is the API, and the
    deployment's triggers hash it."""
    report = scan(capsys, FIXTURES / "terraform-provider-aws" / "api-gateway-rest-api-openapi")
    # Quiet: one unauthenticated method alone on its API, a stage with metrics, a custom domain mapped to it.
    assert report["findings"] == []
    row = method_row(report, "GET", "/path1")
    assert row["stages"] == ["example"] and report["regions"] == ["us-west-2"]  # the provider block's region
    assert row["source"]["address"] == "aws_api_gateway_rest_api.example"  # a body's method: the API's block


def test_iac003_follows_each_value_and_module_outputs(capsys):
    """airbnb/rudolph deployments/ (commit 7a6ebed): the deployment's triggers hash the whole REST API and, through
    module outputs, each integration whole; the methods, resources and the authorizer are left out."""
    report = scan(capsys, FIXTURES / "airbnb-rudolph" / "deployments" / "environments" / "example")
    # True (medium): a change to a method's authorization, in place, changes nothing the triggers hash.
    [finding] = findings(report, "IAC003")
    assert (finding["outcome"], finding["severity"]) == ("fail", "medium")
    assert at(finding)[0] == "module.santa_api.aws_api_gateway_deployment.api_deployment"
    assert "leave out" in finding["message"] and "aws_api_gateway_method.resource_method" in finding["message"]
    assert "aws_api_gateway_integration" not in finding["message"]  # hashed whole, through module outputs
    assert failing(report) == [("IAC003", "medium")]


# airbnb/rudolph: local modules three deep, for_each over modules, tfvars read automatically.

def test_local_modules_as_published(capsys):
    report = scan(capsys, FIXTURES / "airbnb-rudolph" / "deployments" / "environments" / "example")
    paths = sorted((row["method"], row["path"]) for row in report["methods"])
    assert paths == [("GET", "/health"), ("POST", "/eventupload/{machine_id}"), ("POST", "/postflight/{machine_id}"),
                     ("POST", "/preflight/{machine_id}"), ("POST", "/ruledownload/{machine_id}"),
                     ("POST", "/xsrf/{machine_id}")]
    row = method_row(report, "GET", "/health")
    module_file = FIXTURES / "airbnb-rudolph" / "deployments" / "terraform_modules" / "santa_api" / "modules" / \
        "rest_api" / "modules" / "api_resource" / "main.tf"
    assert row["source"]["address"] == ('module.santa_api.module.health_api.module.api_methods["GET"]'
                                        ".aws_api_gateway_method.resource_method")
    assert row["source"]["file"] == str(module_file)
    assert row["source"]["line"] == line_of(module_file, 'resource "aws_api_gateway_method" "resource_method"')
    # config.auto.tfvars.json is read as Terraform reads it: the API's name is built from its prefix.
    assert row["api_name"] == "An account-wide prefix_rudolph" and row["stages"] == ["dev"]
    # The REQUEST authorizer's role (an aws_iam_policy_document in a module) trusts API Gateway and may invoke the
    # authorizer function: LAM002 is decided and quiet.
    assert findings(report, "LAM002") == []


RUDOLPH_API = "deployments/terraform_modules/santa_api"


def test_an_authorizer_role_without_invoke_permission_is_lam002_in_its_module(capsys, tmp_path):
    """airbnb/rudolph, mutated: the REQUEST authorizer's role (authorizer_credentials) loses its inline policy
    that allows lambda:InvokeFunction on the authorizer function; API Gateway then answers every request 500."""
    policy_file = f"{RUDOLPH_API}/modules/lambda/authorizer/iam.tf"
    folder = mutated(tmp_path, "airbnb-rudolph", policy_file, (
        'resource "aws_iam_role_policy" "invocation_policy"', 'resource "null_resource" "invocation_policy"'))
    report = scan(capsys, folder / "deployments" / "environments" / "example")
    [finding] = findings(report, "LAM002")
    assert (finding["outcome"], finding["severity"]) == ("fail", "critical")
    authorizer_file = folder / RUDOLPH_API / "modules" / "lambda" / "authorizer" / "main.tf"
    assert at(finding) == ("module.santa_api.module.rudolph_api_authorizer.aws_api_gateway_authorizer.api_authorizer",
                           line_of(authorizer_file, 'resource "aws_api_gateway_authorizer" "api_authorizer"'))
    assert finding["source"]["file"] == str(authorizer_file)
    assert {row["verdict"] for row in report["methods"]} == {"fail"}


def test_a_module_deployment_without_triggers_is_iac003_high_at_its_block(capsys, tmp_path):
    """airbnb/rudolph, mutated: the deployment's triggers removed (its depends_on kept, which orders the first
    deployment after the integrations and ties no later change to it)."""
    main_file = f"{RUDOLPH_API}/main.tf"
    text = (FIXTURES / "airbnb-rudolph" / main_file).read_text()
    triggers = text[text.index("  triggers = {"):text.index("  depends_on = [")]
    folder = mutated(tmp_path, "airbnb-rudolph", main_file, (triggers, ""))
    report = scan(capsys, folder / "deployments" / "environments" / "example")
    finding = assert_fires(report, "IAC003", verdict="fail", severity="high")
    assert at(finding) == ("module.santa_api.aws_api_gateway_deployment.api_deployment",
                           line_of(folder / main_file, 'resource "aws_api_gateway_deployment" "api_deployment"'))
    assert "has no triggers" in finding["message"]


# serverless-patterns terraform-apigw-http-lambda: the API Gateway module from the registry, vendored under
# .terraform/modules as terraform init leaves it; the Lambda module deliberately not.

def test_a_fetched_registry_module_is_read(capsys):
    report = scan(capsys, SERVERLESS / "terraform-apigw-http-lambda")
    row = method_row(report, "ANY", "/")
    assert row["source"]["address"] == 'module.api_gateway.aws_apigatewayv2_route.this["ANY /"]'
    assert row["source"]["file"].endswith(".terraform/modules/api_gateway/main.tf")
    assert any("module.lambda_function (terraform-aws-modules/lambda/aws) is not fetched: run terraform init" in note
               for note in report["notes"])
    assert report["findings"] == []


def test_an_unfetched_registry_module_is_unknown_with_a_note(capsys, tmp_path):
    folder = tmp_path / "http-lambda"
    shutil.copytree(SERVERLESS / "terraform-apigw-http-lambda", folder, ignore=shutil.ignore_patterns(".terraform"))
    report = scan(capsys, folder)
    assert report["methods"] == []
    assert any("module.api_gateway (terraform-aws-modules/apigateway-v2/aws) is not fetched: run terraform init"
               in note and "--terraform-plan" in note for note in report["notes"])


# terraform-aws-modules/terraform-aws-apigateway-v2 examples/complete-http (commit c1b61c3, v6.1.0), with the module
# itself (source "../../"): an HTTP API whose OpenAPI body is a templatefile() given an ARN of a module that is not
# fetched, routes from the module's `routes`, and two JWT authorizers on a Cognito pool the configuration creates
# without any app client.
APIGW_V2 = FIXTURES / "terraform-aws-apigateway-v2"


def test_jwt_authorizers_on_a_cognito_pool_as_published(capsys):
    report = scan(capsys, APIGW_V2 / "examples" / "complete-http")
    # All true, as written: the example shows the module's arguments, not a working API.
    # COG008 (critical): pool `this` has no app client, so no caller gets a token for the three JWT routes.
    # HTTP003 (critical): no client of the audience can obtain user.id or user.email (no APIGW006: neither is a
    # custom scope, RESOURCE_SERVER/NAME, that a resource server could define).
    # HTTP002 (high) twice: "example" and "d6a38afd-…" are not app clients of the pool (it has none).
    # HTTP004 (medium): routes without authorization beside protected ones on the same API.
    assert failing(report) == [("COG008", "critical"), ("HTTP002", "high"), ("HTTP003", "critical"),
                               ("HTTP004", "medium")]
    module_main, example_main = APIGW_V2 / "main.tf", APIGW_V2 / "examples" / "complete-http" / "main.tf"
    assert sorted(at(f) for f in findings(report, "HTTP002")) == [
        ("aws_apigatewayv2_authorizer.external",
         line_of(example_main, 'resource "aws_apigatewayv2_authorizer" "external"')),
        ('module.api_gateway.aws_apigatewayv2_authorizer.this["cognito"]',
         line_of(module_main, 'resource "aws_apigatewayv2_authorizer" "this"'))]
    for finding in findings(report, "HTTP002"):
        assert_terraform_fix(finding, "audience of the aws_apigatewayv2_authorizer's jwt_configuration",
                             "aws_cognito_user_pool_client")
    for finding in findings(report, "HTTP004"):
        assert_terraform_fix(finding, "authorization_type and authorizer_id of the aws_apigatewayv2_route")
    route = 'GET /some-route-with-authorizer-and-scope'
    [finding] = findings(report, "HTTP003")
    assert_terraform_fix(finding, "authorization_scopes of the aws_apigatewayv2_route",
                         "allowed_oauth_scopes of an aws_cognito_user_pool_client")
    assert at(finding) == (f'module.api_gateway.aws_apigatewayv2_route.this["{route}"]',
                           line_of(module_main, 'resource "aws_apigatewayv2_route" "this"'))
    row = method_row(report, "GET", "/some-route-with-authorizer-and-scope")
    assert (row["api_name"], row["scopes"], row["pool_ids"]) == ("ex-complete-http", ["user.email", "user.id"],
                                                                ["eu-west-1_this"])  # name from path.cwd
    # The body's method is read though the ARN templatefile() is given is unknown (module.lambda_function is not
    # fetched): the template keeps what it writes around the unknown value.
    assert method_row(report, "GET", "/debug")["stages"] == ["$default"]
    assert not any("route53" in note for note in report["notes"])  # setproduct() is evaluated


def test_a_client_in_the_audience_clears_cog008_and_http002(capsys, tmp_path):
    folder = mutated(tmp_path, "terraform-aws-apigateway-v2", "examples/complete-http/main.tf", (
        'audience = ["d6a38afd-45d6-4874-d1aa-3c5c558aqcc2"]', "audience = [aws_cognito_user_pool_client.web.id]"))
    (folder / "examples" / "complete-http" / "client.tf").write_text(
        'resource "aws_cognito_user_pool_client" "web" {\n  name                = "web"\n'
        '  user_pool_id        = aws_cognito_user_pool.this.id\n'
        '  explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]\n}\n')
    report = scan(capsys, folder / "examples" / "complete-http")
    assert {f["path"] for f in findings(report, "COG008")} == set()
    assert [at(f)[0] for f in findings(report, "HTTP002")] == ["aws_apigatewayv2_authorizer.external"]
    assert method_row(report, "GET", "/some-route-with-authorizer")["verdict"] == "ok"
    assert {f["rule"] for f in report["findings"] if f["path"] == "/some-route-with-authorizer-and-scope"
            and f["outcome"] == "fail"} >= {"HTTP003"}  # the client still cannot obtain the scopes


# yegorski/terraform-aws-api-gateway-cognito (commit 1ea74bc, Terraform 0.11 syntax): a REST API with a Cognito
# authorizer, a method that requires the resource server's scope, and a client_credentials client.

def yegorski(capsys, folder=None):
    return scan(capsys, folder or FIXTURES / "yegorski-api-gateway-cognito", "--var", "domain_name=example.com",
                "--var", "name=hello", "--region", "us-east-1")


def test_cognito_rest_api_as_published(capsys):
    report = yegorski(capsys)
    # True (high): the deployment makes the production stage itself, with no triggers.
    assert failing(report) == [("IAC003", "high")]
    row = method_row(report, "GET", "/hello_world")
    # ["${...scope_identifiers}"] is the list itself, as Terraform 0.11 read it.
    assert row["scopes"] == ["https://api.example.com/all"] and row["authorization"] == "COGNITO_USER_POOLS"
    assert row["callers_passing"] == 1  # the client_credentials client obtains the scope
    assert row["stages"] == ["production"]


def test_a_variable_without_a_value_leaves_the_scope_undecided(capsys):
    report = scan(capsys, FIXTURES / "yegorski-api-gateway-cognito")
    [finding] = findings(report, "APIGW005", "unknown")
    assert "give --var domain_name=VALUE" in finding["message"]
    assert findings(report, "APIGW005") == findings(report, "APIGW006") == []  # never a false "not defined"


def test_scope_no_client_can_obtain_is_apigw005_and_apigw006_at_the_method(capsys, tmp_path):
    folder = mutated(tmp_path, "yegorski-api-gateway-cognito", "api_gateway.tf", (
        'authorization_scopes = ["${aws_cognito_resource_server.resource_server.scope_identifiers}"]',
        'authorization_scopes = ["https://api.${var.domain_name}/admin"]'))
    report = yegorski(capsys, folder)
    for rule, severity in (("APIGW005", "critical"), ("APIGW006", "high")):
        [finding] = findings(report, rule)
        assert (finding["outcome"], finding["severity"]) == ("fail", severity)
        assert at(finding) == ("aws_api_gateway_method.hello_world",
                               line_of(folder / "api_gateway.tf", 'resource "aws_api_gateway_method" "hello_world"'))
    assert method_row(report, "GET", "/hello_world")["verdict"] == "fail"
    assert_terraform_fix(findings(report, "APIGW005")[0], "authorization_scopes of the aws_api_gateway_method",
                         "allowed_oauth_scopes of an aws_cognito_user_pool_client",
                         "allowed_oauth_flows_user_pool_client = true", "aws_cognito_resource_server")
    assert_terraform_fix(findings(report, "APIGW006")[0], "scope block (scope_name, scope_description) of the "
                         "aws_cognito_resource_server whose identifier is https://api.example.com",
                         "authorization_scopes of its aws_api_gateway_method")


def test_wrong_pool_is_cog008_on_the_method(capsys, tmp_path):
    """The authorizer names another pool of the configuration, one that has no app client."""
    folder = mutated(tmp_path, "yegorski-api-gateway-cognito", "api_gateway.tf", (
        'provider_arns = ["${aws_cognito_user_pool.user_pool.arn}"]',
        'provider_arns = ["${aws_cognito_user_pool.other.arn}"]'))
    (folder / "other.tf").write_text('resource "aws_cognito_user_pool" "other" {\n  name = "other"\n}\n')
    report = yegorski(capsys, folder)
    [finding] = [f for f in findings(report, "COG008") if f["method"] == "GET"]
    assert (finding["outcome"], finding["severity"]) == ("fail", "critical")
    assert finding["pool_id"] == "us-east-1_other"
    assert_terraform_fix(finding, "aws_cognito_user_pool_client", "explicit_auth_flows", "ALLOW_USER_SRP_AUTH")
    assert at(finding) == ("aws_api_gateway_method.hello_world",
                           line_of(folder / "api_gateway.tf", 'resource "aws_api_gateway_method" "hello_world"'))


def test_options_behind_the_authorizer_is_apigw011(capsys, tmp_path):
    folder = mutated(tmp_path, "yegorski-api-gateway-cognito", "api_gateway.tf", ("# /hello_world endpoint", """
resource "aws_api_gateway_method" "hello_world_options" {
  rest_api_id   = "${aws_api_gateway_rest_api.api.id}"
  resource_id   = "${aws_api_gateway_resource.hello_world.id}"
  http_method   = "OPTIONS"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = "${aws_api_gateway_authorizer.authorizer.id}"
}
# /hello_world endpoint"""))
    report = yegorski(capsys, folder)
    [finding] = findings(report, "APIGW011")
    assert (finding["outcome"], finding["severity"], finding["method"]) == ("fail", "high", "OPTIONS")
    assert at(finding) == ("aws_api_gateway_method.hello_world_options", line_of(
        folder / "api_gateway.tf", 'resource "aws_api_gateway_method" "hello_world_options"'))
    assert_terraform_fix(finding, 'authorization = "NONE" on the OPTIONS aws_api_gateway_method',
                         "aws_api_gateway_integration of type MOCK")


# aws/aws-sam-cli tests/integration/testdata/start_api/terraform/v1-lambda-authorizer (commit fe8f8db): REST
# methods behind a TOKEN and a REQUEST Lambda authorizer, invoked with a role.

def test_lambda_authorizers_as_published(capsys):
    report = scan(capsys, FIXTURES / "aws-sam-cli" / "v1-lambda-authorizer")
    # True: authorizer_credentials is the function's own execution role, whose trust policy names only
    # lambda.amazonaws.com: API Gateway cannot assume it, every request gets 500 (LAM002, both authorizers).
    # True: the API has no stage (the SAM CLI runs it locally); LAM003 (low): the header callers send.
    assert failing(report) == [("APIGW004", "high"), ("LAM002", "critical"), ("LAM003", "low")]
    main_tf = FIXTURES / "aws-sam-cli" / "v1-lambda-authorizer" / "main.tf"
    assert {at(f) for f in findings(report, "LAM002")} == {
        ("aws_api_gateway_authorizer.header_authorizer",
         line_of(main_tf, 'resource "aws_api_gateway_authorizer" "header_authorizer"')),
        ("aws_api_gateway_authorizer.request_authorizer",
         line_of(main_tf, 'resource "aws_api_gateway_authorizer" "request_authorizer"'))}
    for finding in findings(report, "LAM002"):  # the authorizers assume a role: its trust policy is the fix
        assert_terraform_fix(finding, "aws_lambda_permission", 'principal = "apigateway.amazonaws.com"',
                             "source_arn", "authorizer_credentials", "assume_role_policy")
    [apigw004] = findings(report, "APIGW004")
    assert_terraform_fix(apigw004, "aws_api_gateway_deployment", "aws_api_gateway_stage", "deployment_id")
    for finding in findings(report, "LAM003"):
        assert_terraform_fix(finding, "identity_source of the aws_api_gateway_authorizer")


def test_lam002_quiet_when_the_role_trusts_api_gateway(capsys, tmp_path):
    folder = mutated(tmp_path, "aws-sam-cli/v1-lambda-authorizer", "main.tf", (
        '"Service": "lambda.amazonaws.com"', '"Service": ["lambda.amazonaws.com", "apigateway.amazonaws.com"]'))
    (folder / "invoke.tf").write_text("""resource "aws_iam_role_policy" "invoke" {
  role   = aws_iam_role.invocation_role.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = aws_lambda_function.authorizer.arn }]
  })
}
""")
    assert findings(scan(capsys, folder), "LAM002") == []


# aws/aws-sam-cli tests/integration/testdata/start_api/terraform/v2-lambda-authorizer (commit fe8f8db): HTTP API
# routes behind two Lambda authorizers, served by a stage with auto_deploy left off (the provider's default) and an
# aws_apigatewayv2_deployment that only depends_on the routes.

V2_AUTHORIZER = "aws-sam-cli/v2-lambda-authorizer"


def test_iac003_fires_high_on_an_http_api_deployment_without_triggers(capsys):
    """True: aws_apigatewayv2_deployment.example has no triggers, and its stage does not deploy automatically
    (auto_deploy defaults to false): a later change to a route or authorizer is applied in place and the stage keeps
    serving the first deployment. API Gateway: "If you don't enable automatic deployments, you must create a
    deployment after each change" (Developer Guide, "Working with stages for HTTP APIs"); Terraform AWS provider docs
    "aws_apigatewayv2_deployment": triggers forces a new deployment."""
    report = scan(capsys, FIXTURES / V2_AUTHORIZER)
    [_] = findings(report, "IAC003")
    finding = assert_fires(report, "IAC003", verdict="fail", severity="high", method="GET", path="/hello")
    main_tf = FIXTURES / V2_AUTHORIZER / "main.tf"
    assert at(finding) == ("aws_apigatewayv2_deployment.example",
                           line_of(main_tf, 'resource "aws_apigatewayv2_deployment" "example"'))
    assert "has no triggers: terraform apply changes its routes, integrations and authorizers in place" \
        in finding["message"]
    assert_terraform_fix(finding, "aws_apigatewayv2_deployment", "triggers", "auto_deploy = true")


@pytest.mark.parametrize("change, why", [
    (('  deployment_id = aws_apigatewayv2_deployment.example.id', '  auto_deploy = true'), "the stage deploys itself"),
    (('  api_id      = aws_apigatewayv2_api.my_api.id\n  depends_on',
      '  api_id      = aws_apigatewayv2_api.my_api.id\n  triggers = { redeployment = sha1(jsonencode([\n'
      '    aws_apigatewayv2_route.get_hello, aws_apigatewayv2_route.get_hello_request,\n'
      '    aws_apigatewayv2_integration.integration, aws_apigatewayv2_authorizer.get_hello,\n'
      '    aws_apigatewayv2_authorizer.get_hello_request])) }\n  depends_on'), "triggers hash the whole resources"),
])
def test_iac003_quiet_on_an_http_api_that_deploys_its_changes(capsys, tmp_path, change, why):
    folder = mutated(tmp_path, V2_AUTHORIZER, "main.tf", change)
    assert findings(scan(capsys, folder), "IAC003") == [], why


def test_iac003_medium_when_http_triggers_hash_only_route_ids(capsys, tmp_path):
    folder = mutated(tmp_path, V2_AUTHORIZER, "main.tf", (
        '  api_id      = aws_apigatewayv2_api.my_api.id\n  depends_on',
        '  api_id      = aws_apigatewayv2_api.my_api.id\n  triggers = { redeployment = sha1(jsonencode([\n'
        '    aws_apigatewayv2_route.get_hello.id, aws_apigatewayv2_route.get_hello_request.id])) }\n  depends_on'))
    [finding] = findings(scan(capsys, folder), "IAC003")
    assert finding["severity"] == "medium" and "hash only the IDs" in finding["message"]
    assert "a route's authorization_type or authorization_scopes" in finding["message"]


def test_iac003_undecided_when_the_http_stage_may_deploy_by_itself(capsys, tmp_path):
    """auto_deploy from a variable nobody gives: the stage may deploy every change itself, so IAC003 is unknown with
    what would decide it, never a high."""
    folder = mutated(tmp_path, V2_AUTHORIZER, "main.tf", (
        '  deployment_id = aws_apigatewayv2_deployment.example.id',
        '  deployment_id = aws_apigatewayv2_deployment.example.id\n  auto_deploy = var.auto_deploy'))
    (folder / "variables.tf").write_text('variable "auto_deploy" {\n  type = bool\n}\n')
    report = scan(capsys, folder)
    assert findings(report, "IAC003") == []
    [finding] = findings(report, "IAC003", "unknown")
    assert "auto_deploy of aws_apigatewayv2_stage.example is not known" in finding["message"]
    assert "give --var auto_deploy=VALUE" in finding["message"]
    # A second stage on the same deployment with auto_deploy left off serves it for sure, whatever the first does.
    with (folder / "main.tf").open("a") as main_tf:
        main_tf.write('resource "aws_apigatewayv2_stage" "second" {\n  api_id = aws_apigatewayv2_api.my_api.id\n'
                      '  deployment_id = aws_apigatewayv2_deployment.example.id\n  name = "second"\n}\n')
    report = scan(capsys, folder)
    assert findings(report, "IAC003", "unknown") == []
    assert [finding["severity"] for finding in findings(report, "IAC003")] == ["high"]


# serverless-patterns apigw-http-api-waf-cloudfront-terraform: an HTTP API behind CloudFront, a REQUEST authorizer
# that checks the header CloudFront adds to every origin request.

def test_http_api_behind_cloudfront_as_published(capsys):
    report = scan(capsys, SERVERLESS / "apigw-http-api-waf-cloudfront-terraform")
    # True (HTTP007): the CORS configuration answers browsers, and the authorized `ANY /` route catches the
    # preflight of `/` (the API is meant to be reached through CloudFront, so this costs only cross-origin calls).
    # APIGW020 stays quiet: the header the authorizer reads (x-origin-verify) is the origin's custom header, which
    # CloudFront adds to every request it sends the API, even though the behaviour does not forward it.
    assert failing(report) == [("HTTP007", "high"), ("LAM003", "low")]
    assert findings(report, "APIGW020") == []


def test_missing_lambda_permission_is_lam002_at_the_authorizer(capsys, tmp_path):
    folder = mutated(tmp_path, "serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "authorizer.tf",
                     ('resource "aws_lambda_permission" "http_api_auth_lambda_permission"',
                      'resource "null_resource" "http_api_auth_lambda_permission"'))
    [finding] = findings(scan(capsys, folder), "LAM002")
    assert (finding["outcome"], finding["severity"]) == ("fail", "critical")
    assert at(finding) == ("aws_apigatewayv2_authorizer.http_api_auth_authorizer", line_of(
        folder / "authorizer.tf", 'resource "aws_apigatewayv2_authorizer" "http_api_auth_authorizer"'))
    assert_terraform_fix(finding, 'an aws_lambda_permission with action = "lambda:InvokeFunction"',
                         'principal = "apigateway.amazonaws.com"', "source_arn", "/authorizers/*")


def test_the_permission_lam002_fix_describes_clears_it(capsys, tmp_path):
    """The terraform_fix followed to the letter: a permission for apigateway.amazonaws.com whose source_arn is the
    API's execution_arn followed by /authorizers/* lets API Gateway invoke the authorizer."""
    folder = mutated(tmp_path, "serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "authorizer.tf",
                     ('source_arn    = "${aws_apigatewayv2_api.http_api.execution_arn}/*/*"',
                      'source_arn    = "${aws_apigatewayv2_api.http_api.execution_arn}/authorizers/*"'))
    assert findings(scan(capsys, folder), "LAM002") == []


def test_cloudfront_that_drops_the_credential_header_is_apigw020(capsys, tmp_path):
    """The authorizer reads a header CloudFront neither forwards nor adds: undecided while a Lambda@Edge function
    runs on the origin requests (it may add it), a failure without it."""
    folder = mutated(tmp_path, "serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "authorizer.tf",
                     ('identity_sources                  = ["$request.header.x-origin-verify"]',
                      'identity_sources                  = ["$request.header.authorization-token"]'))
    [finding] = findings(scan(capsys, folder), "APIGW020", "unknown")
    assert "http-edge-lambda" in finding["message"] and "may add authorization-token" in finding["message"]
    cloudfront = folder / "cloudfront.tf"
    text = cloudfront.read_text()
    start = text.index("    lambda_function_association {")
    cloudfront.write_text(text[:start] + text[text.index("    }\n", start) + len("    }\n"):])
    [finding] = findings(scan(capsys, folder), "APIGW020")
    assert (finding["outcome"], finding["severity"]) == ("fail", "high")
    assert "does not forward authorization-token" in finding["message"]
    # The distribution is named by its address (its domain is known once created); no text says "none".
    assert "through CloudFront distribution aws_cloudfront_distribution.http_api_distribution (behaviour default" \
        in finding["message"] and "none" not in finding["message"]
    assert "(cache policy legacy cache settings, no origin request policy)" in finding["message"]
    assert at(finding)[0] == "aws_apigatewayv2_route.http_api_route"
    assert_terraform_fix(finding, "aws_cloudfront_distribution", "cache_policy_id", "origin_request_policy_id",
                         "Managed-AllViewerExceptHostHeader")


# What every Terraform scan promises.

def test_terraform_scans_call_no_aws_and_need_no_credentials(tmp_path, monkeypatch, capsys):
    """No AWS configuration at all, and no call: a request would fail here. No terraform binary either."""
    for name in list(__import__("os").environ):
        if name.startswith(("AWS_", "TF_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no terraform on the path
    import boto3.session
    import botocore.credentials
    import botocore.endpoint

    def refuse(*_, **__):
        raise AssertionError("a Terraform scan made an AWS call, opened a session or looked for credentials")
    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", refuse)
    monkeypatch.setattr(botocore.credentials.CredentialResolver, "load_credentials", refuse)
    monkeypatch.setattr(boto3.session.Session, "__init__", refuse)
    for folder in (SERVERLESS / "apigw-http-api-waf-cloudfront-terraform", FIXTURES / "yegorski-api-gateway-cognito",
                   FIXTURES / "airbnb-rudolph" / "deployments" / "environments" / "example"):
        assert scan(capsys, folder)["calls"] == 0
    plan = FIXTURES / "aws-sam-cli" / "terraform-v1-api-simple"
    assert main(["scan", "--terraform-plan", str(plan / "custom-plan.json"), "--terraform", str(plan),
                 "--format", "sarif", "--fail-on", "never"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"]


def test_results_are_the_same_run_to_run_and_carry_no_uuid(capsys):
    folder = FIXTURES / "airbnb-rudolph" / "deployments" / "environments" / "example"
    first, second = scan(capsys, folder), scan(capsys, folder)
    assert first["findings"] == second["findings"] and first["methods"] == second["methods"]
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                         json.dumps(first["findings"]) + json.dumps(first["methods"]))


def test_sarif_points_at_the_configuration_line(capsys):
    folder = SERVERLESS / "apigw-data-validation-tf"
    assert main(["scan", "--terraform", str(folder), "--format", "sarif", "--fail-on", "never"]) == 0
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert result["ruleId"] == "IAC003"
    assert location["artifactLocation"]["uri"] == str(folder / "main.tf")
    assert location["region"]["startLine"] == line_of(folder / "main.tf",
                                                      'resource "aws_api_gateway_deployment" "api_deployment"')


def test_the_table_shows_file_and_line(capsys):
    folder = SERVERLESS / "apigw-data-validation-tf"
    assert main(["scan", "--terraform", str(folder), "--color", "never"]) == 1
    out = capsys.readouterr().out
    line = line_of(folder / "main.tf", 'resource "aws_api_gateway_deployment" "api_deployment"')
    # at 80 columns the address may wrap onto its own line; the file:line is never broken
    assert f"at {folder / 'main.tf'}:{line} (aws_api_gateway_deployment.api_deployment)" in " ".join(out.split())
    assert f"{folder / 'main.tf'}:{line}" in out


def test_terraform_findings_fix_in_words_without_aws_commands(capsys, tmp_path):
    folder = mutated(tmp_path, "yegorski-api-gateway-cognito", "api_gateway.tf", (
        'authorization_scopes = ["${aws_cognito_resource_server.resource_server.scope_identifiers}"]',
        'authorization_scopes = ["https://api.${var.domain_name}/admin"]'))
    reports = [yegorski(capsys, folder)] + [scan(capsys, FIXTURES / name) for name in (
        "aws-sam-cli/v1-lambda-authorizer", "terraform-aws-apigateway-v2/examples/complete-http",
        "serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "serverless-patterns/apigw-data-validation-tf")]
    rules = {rule.id: rule for rule in load_rules()}
    seen = set()
    for finding in (finding for report in reports for finding in report["findings"]):
        assert finding["source"]["address"]
        # every rule with a terraform_fix shows it: it names the resource type to change (aws_…)
        assert_terraform_fix(finding, *(["aws_"] if rules[finding["rule"]].terraform_fix is not None else []))
        assert finding["rule"] not in NO_TERRAFORM_FIX or finding["rule"] == "IAC003", finding["rule"]
        seen.add(finding["rule"])
    assert seen >= {"APIGW004", "APIGW005", "APIGW006", "COG008", "HTTP002", "HTTP003", "HTTP004", "HTTP007",
                    "IAC003", "LAM002", "LAM003"}
    [iac] = findings(reports[0], "IAC003")
    assert "triggers" in iac["fix"] and "create_before_destroy" in iac["fix"]


def test_every_rule_a_configuration_can_fire_has_a_terraform_fix():
    """A finding on a Terraform block shows the rule's terraform_fix: every built-in rule has one, naming resource
    types the Terraform reader reads (the provider's names) and nothing of another tool, except the rules
    NO_TERRAFORM_FIX lists with the reason a configuration never fires them (or, IAC003, that its fix is already
    Terraform's)."""
    read_types = set(re.findall(r'"(aws_[a-z0-9_]+)"', "".join(
        path.read_text() for path in (PROJECT / "scanner" / "terraform").glob("*.py"))))
    rules = {rule.id: rule for rule in load_rules()}
    assert set(NO_TERRAFORM_FIX) <= set(rules) and all(reason for reason in NO_TERRAFORM_FIX.values())
    for rule in rules.values():
        if rule.id in NO_TERRAFORM_FIX:
            assert rule.terraform_fix is None, f"{rule.id} is in NO_TERRAFORM_FIX but has a terraform_fix"
            continue
        assert rule.terraform_fix is not None, f"{rule.path}: write its terraform_fix (or list it in NO_TERRAFORM_FIX)"
        words = "".join(part for part in rule.terraform_fix if isinstance(part, str))
        named = set(re.findall(r"\baws_[a-z0-9_]+", words))
        assert named and named <= read_types, (rule.id, named - read_types)
        assert not NOT_TERRAFORM.search(words), (rule.id, NOT_TERRAFORM.search(words))
        assert not re.search(r"\b(below|commands?|recipe)\b", words), rule.id  # the words a template fix cuts
    iac003 = "".join(part for part in rules["IAC003"].fix if isinstance(part, str))
    assert "aws_api_gateway_deployment" in iac003 and "triggers" in iac003


@pytest.mark.parametrize("args, said", [
    (["--terraform", "nowhere"], "no such folder"),
    (["--var", "x=1"], "--var applies to --terraform"),
    (["--var-file", "x.tfvars"], "--var-file applies to --terraform"),
    (["--terraform", "FOLDER", "--var", "novalue"], "expected NAME=VALUE"),
    (["--terraform", "FOLDER", "--var", "undeclared=1"], "declares no variable 'undeclared'"),
    (["--terraform", "FOLDER", "--var-file", "nowhere.tfvars"], "--var-file nowhere.tfvars: no such file"),
    (["--terraform", "FOLDER", "--template", "x.yaml"], "--template does not apply to --terraform"),
    (["--terraform", "FOLDER", "--org"], "--org does not apply to --terraform"),
    (["--terraform", "FOLDER", "--profile", "p"], "--profile does nothing with --terraform unless --resolve"),
    (["--terraform-plan", "PLAN", "--var", "x=1"], "a plan already holds the values"),
])
def test_terraform_options_are_checked(args, said, capsys, tmp_path):
    (tmp_path / "plan.json").write_text("{}")
    args = [str(FIXTURES / "yegorski-api-gateway-cognito") if arg == "FOLDER" else
            str(tmp_path / "plan.json") if arg == "PLAN" else arg for arg in args]
    assert main(["scan", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err, err


def test_a_folder_without_terraform_is_one_line(capsys, tmp_path):
    (tmp_path / "notes.md").write_text("nothing")
    assert main(["scan", "--terraform", str(tmp_path)]) == 2
    assert "no Terraform resources or modules" in capsys.readouterr().err


def test_a_file_hcl_cannot_read_names_its_line(capsys, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_api_gateway_rest_api" "api" {\n  name = \n}\n')
    assert main(["scan", "--terraform", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--terraform {tmp_path / 'main.tf'}: not HCL Terraform can read at line" in err and "Traceback" not in err


def test_without_the_terraform_extra_the_error_names_it(capsys, monkeypatch):
    """python-hcl2 is the `terraform` extra: --terraform asks for it by name."""
    import sys

    monkeypatch.setitem(sys.modules, "hcl2", None)
    assert main(["scan", "--terraform", str(SERVERLESS / "apigw-data-validation-tf")]) == 2
    assert "pip install 'apigw-scan[terraform]'" in capsys.readouterr().err


# Variables, tfvars, count, for_each, locals and functions, on a configuration written here.

CONFIGURATION = """
variable "stage" {
  type    = string
  default = "dev"
}
variable "scopes" {
  type    = list(string)
  default = ["orders/read"]
}
variable "protected" {
  type    = bool
  default = true
}
locals {
  paths = toset(["orders", "profile"])
  name  = format("%s-%s", "shop", var.stage)
}
resource "aws_cognito_user_pool" "pool" {
  name = local.name
}
resource "aws_cognito_resource_server" "orders" {
  user_pool_id = aws_cognito_user_pool.pool.id
  identifier   = "orders"
  name         = "orders"
  scope {
    scope_name        = "read"
    scope_description = "read"
  }
}
resource "aws_cognito_user_pool_client" "web" {
  user_pool_id                         = aws_cognito_user_pool.pool.id
  name                                 = "web"
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = concat(["openid"], aws_cognito_resource_server.orders.scope_identifiers)
  callback_urls                        = ["https://example.com/cb"]
}
resource "aws_cognito_user_pool_domain" "domain" {
  domain       = "shop-${var.stage}"
  user_pool_id = aws_cognito_user_pool.pool.id
}
resource "aws_api_gateway_rest_api" "api" {
  name = local.name
}
resource "aws_api_gateway_authorizer" "cognito" {
  name          = "cognito"
  rest_api_id   = aws_api_gateway_rest_api.api.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = [aws_cognito_user_pool.pool.arn]
}
resource "aws_api_gateway_resource" "path" {
  for_each    = local.paths
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = each.key
}
resource "aws_api_gateway_method" "get" {
  count                = length(var.scopes) > 0 ? 2 : 0
  rest_api_id          = aws_api_gateway_rest_api.api.id
  resource_id          = [for p in sort(tolist(local.paths)) : aws_api_gateway_resource.path[p].id][count.index]
  http_method          = "GET"
  authorization        = var.protected ? "COGNITO_USER_POOLS" : "NONE"
  authorizer_id        = var.protected ? aws_api_gateway_authorizer.cognito.id : null
  authorization_scopes = var.protected ? var.scopes : null
}
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers = {
    redeployment = sha1(jsonencode([aws_api_gateway_method.get, aws_api_gateway_resource.path,
                                    aws_api_gateway_authorizer.cognito]))
  }
  lifecycle {
    create_before_destroy = true
  }
}
resource "aws_api_gateway_stage" "s" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.d.id
  stage_name    = var.stage
}
"""


def written_here(tmp_path, extra=""):
    folder = tmp_path / "written"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text(CONFIGURATION + extra)
    return folder


def test_variables_locals_count_and_for_each(capsys, tmp_path):
    report = scan(capsys, written_here(tmp_path))
    rows = {(row["method"], row["path"]): row for row in report["methods"]}
    assert sorted(rows) == [("GET", "/orders"), ("GET", "/profile")]
    assert {row["source"]["address"] for row in rows.values()} == {"aws_api_gateway_method.get[0]",
                                                                   "aws_api_gateway_method.get[1]"}
    assert all(row["stages"] == ["dev"] and row["api_name"] == "shop-dev" for row in rows.values())
    assert all(row["verdict"] == "ok" for row in rows.values()), failing(report)


def test_var_var_file_and_tfvars_in_terraforms_order(capsys, tmp_path):
    folder = written_here(tmp_path)
    (folder / "terraform.tfvars").write_text('stage = "qa"\n')
    assert {row["api_name"] for row in scan(capsys, folder)["methods"]} == {"shop-qa"}
    (tmp_path / "prod.tfvars").write_text('stage = "prod"\nscopes = ["orders/admin"]\n')
    report = scan(capsys, folder, "--var-file", str(tmp_path / "prod.tfvars"))
    assert {row["stages"][0] for row in report["methods"]} == {"prod"}
    assert {f["rule"] for f in report["findings"] if f["outcome"] == "fail"} >= {"APIGW005", "APIGW006"}
    report = scan(capsys, folder, "--var-file", str(tmp_path / "prod.tfvars"), "--var", "stage=live",
                  "--var", 'scopes=["orders/read"]', "--var", "protected=false")
    assert {(row["stages"][0], row["authorization"]) for row in report["methods"]} == {("live", "NONE")}


def test_a_variable_without_a_value_is_unknown_with_the_option_to_give(capsys, tmp_path):
    folder = written_here(tmp_path, 'variable "owner" {\n  type = string\n}\n'
                                    'resource "aws_api_gateway_rest_api" "other" {\n  name = var.owner\n}\n')
    report = scan(capsys, folder)
    assert "other" not in {row["api_name"] for row in report["methods"]}  # no method: nothing to fail
    assert main(["scan", "--terraform", str(folder), "--format", "json", "--fail-on", "never",
                 "--var", "owner=team"]) == 0


def test_count_that_depends_on_apply_leaves_the_block_unjudged_with_a_note(capsys, tmp_path):
    folder = written_here(tmp_path, 'resource "random_id" "r" {\n  byte_length = 4\n}\n'
                                    'data "aws_ssm_parameter" "n" {\n  name = "n"\n}\n'
                                    'resource "aws_api_gateway_resource" "extra" {\n'
                                    '  count       = tonumber(data.aws_ssm_parameter.n.value)\n'
                                    '  rest_api_id = aws_api_gateway_rest_api.api.id\n'
                                    '  parent_id   = aws_api_gateway_rest_api.api.root_resource_id\n'
                                    '  path_part   = "extra"\n}\n')
    report = scan(capsys, folder)
    assert any(note.startswith("aws_api_gateway_resource.extra: count is unknown") and "give --resolve" in note
               for note in report["notes"])


def test_files_outside_the_configuration_are_never_read(capsys, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t-value")
    folder = written_here(tmp_path, f'resource "aws_api_gateway_rest_api" "leak" {{\n  name = file("{secret}")\n}}\n'
                                    'resource "aws_api_gateway_resource" "leak" {\n'
                                    '  rest_api_id = aws_api_gateway_rest_api.leak.id\n'
                                    '  parent_id   = aws_api_gateway_rest_api.leak.root_resource_id\n'
                                    '  path_part   = "x"\n}\n'
                                    'resource "aws_api_gateway_method" "leak" {\n'
                                    '  rest_api_id   = aws_api_gateway_rest_api.leak.id\n'
                                    '  resource_id   = aws_api_gateway_resource.leak.id\n'
                                    '  http_method   = "GET"\n  authorization = "NONE"\n}\n')
    assert main(["scan", "--terraform", str(folder), "--format", "json", "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "s3cr3t-value" not in out


TEMPLATED = {
    "main.tf": """
variable "account" {
  type = string
}

variable "prefix" {
  type = string
}

resource "aws_api_gateway_rest_api" "api" {
  name   = "marked"
  body   = templatefile("${path.module}/api.yaml", { arn = "arn:aws:lambda:eu-west-1:${var.account}:function:f" })
  policy = templatefile("${path.module}/policy.json", { account = var.account })
}

resource "aws_api_gateway_rest_api" "keyed" {
  name = "keyed"
  body = templatefile("${path.module}/keyed.yaml", { prefix = var.prefix })
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers    = { body = sha1(aws_api_gateway_rest_api.api.body) }
}

resource "aws_api_gateway_stage" "api" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"
}
""",
    "api.yaml": """openapi: "3.0.1"
info: {title: marked, version: "1"}
paths:
  /orders:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${arn}/invocations
""",
    "keyed.yaml": 'openapi: "3.0.1"\ninfo: {title: keyed, version: "1"}\npaths:\n  /${prefix}/items:\n    get: {}\n',
    "policy.json": """{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
  {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
   "Condition": {"StringNotEquals": {"aws:SourceAccount": "${account}"}}}]}
""",
}


def test_templatefile_given_unknown_values_keeps_what_it_writes_around_them(capsys, tmp_path):
    """Written here: an unknown value given to templatefile() leaves the body's methods readable and the policy's
    condition unknown (never a known value with an unknown piece in it); a path built from it leaves the body
    unknown with a note."""
    for name, text in TEMPLATED.items():
        (tmp_path / name).write_text(text)
    report = scan(capsys, tmp_path)
    row = method_row(report, "GET", "/orders")
    assert row["api_name"] == "marked" and row["policy_decision"] == "conditional"
    assert "keyed" not in {row["api_name"] for row in report["methods"]}
    assert any(note.startswith("aws_api_gateway_rest_api.keyed: its OpenAPI body could not be read (var.prefix")
               for note in report["notes"])
    assert "tfunknown" not in json.dumps(report)
    report = scan(capsys, tmp_path, "--var", "account=123456789012", "--var", "prefix=v1")
    assert method_row(report, "GET", "/v1/items")["api_name"] == "keyed"
