"""Before it ships: `scan --template` on six public templates (tests/fixtures/templates/SOURCES.md names each
repository, path and commit), the findings on each faithful template judged below, and mutations that inject the
causes each rule catches, asserting rule, method and the line to fix."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from helpers import PROJECT, assert_fires, findings, findings_by_method, line_of, method_row
from scanner.cli import main

FIXTURES = PROJECT / "tests" / "fixtures" / "templates"


def scan(capsys, *paths, extra=()):
    assert main(["scan", *[arg for path in paths for arg in ("--template", str(path))], *extra, "--format", "json",
                 "--fail-on", "never"]) == 0
    return json.loads(capsys.readouterr().out)


def mutated(tmp_path, name, *changes, file="template.yaml"):
    """A copy of a fixture folder with `changes` (old, new) applied to one file."""
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    text = (folder / file).read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    (folder / file).write_text(text)
    return folder / "template.yaml"


def at(finding):
    source = finding["source"] or {}
    return source.get("logical_id"), source.get("line")


# sam-cognito (aws-samples/serverless-patterns amplify_cognito_apigateway_lambda_envvariables): a SAM REST API with
# a Cognito authorizer, CORS, and a preflight left open (AddDefaultAuthorizerToCorsPreflight: false).

def test_sam_cognito_as_published(capsys):
    report = scan(capsys, FIXTURES / "sam-cognito" / "template.yaml")
    # COG001 is right: the implicit-flow client has no domain to sign in at (the template makes no UserPoolDomain).
    # APIGW017 is right: SAM's Cors answers preflights, but the gateway responses (401 included) carry no CORS
    # header — a browser sees a CORS error instead of the 401.
    assert {f["rule"] for f in report["findings"] if f["outcome"] == "fail"} == {"COG001", "APIGW017"}
    row = method_row(report, "GET", "/lambdaExample")
    # The method is where the user wrote it: the function whose Events declare it, never SAM's generated ID.
    assert row["source"]["logical_id"] == "myFunction" and row["source"]["line"] == 52 - 1
    assert row["callers_passing"] == 1  # the ID token of rAmplifyCognitoClient (API sign-in)


def test_sam_default_authorizer_on_the_preflight_is_apigw011(capsys, tmp_path):
    template = mutated(tmp_path, "sam-cognito", ("AddDefaultAuthorizerToCorsPreflight: false",
                                                 "AddDefaultAuthorizerToCorsPreflight: true"))
    [finding] = findings(scan(capsys, template), "APIGW011")
    assert (finding["method"], finding["path"]) == ("OPTIONS", "/lambdaExample")
    assert at(finding) == ("myAPI", line_of(template, "  myAPI:"))


def test_sam_scope_no_client_can_obtain_is_apigw005_on_the_function(capsys, tmp_path):
    template = mutated(tmp_path, "sam-cognito", (
        "            RestApiId:\n              Ref: myAPI",
        "            RestApiId:\n              Ref: myAPI\n"
        "            Auth:\n              Authorizer: MyCognitoAuthorizer\n"
        "              AuthorizationScopes:\n                - orders/read"))
    report = scan(capsys, template)
    [finding] = findings(report, "APIGW005")
    assert (finding["method"], finding["path"]) == ("GET", "/lambdaExample")
    assert at(finding) == ("myFunction", line_of(template, "  myFunction:"))


# cfn-methods (serverless-patterns cognito-restapi): AWS::ApiGateway::Method and Deployment written by hand, the
# pool given as a parameter (outside the template).

def test_cfn_methods_as_published(capsys):
    report = scan(capsys, FIXTURES / "cfn-methods" / "template.yaml")
    # The pool is a parameter without a default: unknown, never "missing".
    assert findings(report, "APIGW001") == [] and findings(report, "APIGW001", "unknown")
    assert "give --parameter CognitoUserPoolArn=VALUE" in findings(report, "APIGW001", "unknown")[0]["message"]
    # APIGW008 is right: the sample reads the token from the authorizationToken header.
    [header] = findings(report, "APIGW008")
    assert at(header) == ("AuthorizersCognitoUserPools", 38)
    assert method_row(report, "GET", "/")["verdict"] == "unknown"
    assert findings(report, "IAC001") == []  # its Deployment depends on the method


def test_iac001_fires_when_the_deployment_does_not_depend_on_the_method(capsys, tmp_path):
    template = mutated(tmp_path, "cfn-methods", ("    DependsOn:\n    - RootMethodGet\n", ""))
    finding = assert_fires(scan(capsys, template), "IAC001", verdict="fail", severity="high")
    assert "deployment Deployment does not wait for method(s) RootMethodGet" in finding["message"]
    # Where the fix goes: the deployment's DependsOn, not the API.
    assert at(finding) == ("Deployment", line_of(template, "  Deployment:"))


def test_iac001_quiet_when_the_deployment_waits_or_the_methods_are_in_its_body(capsys):
    """cfn-methods names its method in DependsOn; SAM and OpenAPI bodies put the methods in the RestApi itself,
    and CDK adds the dependency on its own (and its assembly is judged as it is)."""
    for name in ("cfn-methods", "sam-cognito", "openapi-body", "lambda-authorizer"):
        assert findings(scan(capsys, FIXTURES / name / "template.yaml"), "IAC001") == [], name
    assert findings(scan(capsys, FIXTURES / "cdk-cognito"), "IAC001") == []


def test_iac002_fires_when_a_change_keeps_the_deployment(capsys, tmp_path):
    """Seed 003 "The API is deployed", before it happens: the method changes, the deployment does not."""
    template = mutated(tmp_path, "cfn-methods", ("HttpMethod: GET", "HttpMethod: POST"))
    previous = FIXTURES / "cfn-methods" / "template.yaml"
    report = scan(capsys, template, extra=("--previous", str(previous)))
    finding = assert_fires(report, "IAC002", verdict="fail", severity="critical")
    assert "method RootMethodGet changed" in finding["message"] and "Deployment" in finding["message"]
    assert at(finding) == ("AppApi", line_of(template, "  AppApi:"))
    assert finding["commands"] == [f"apigw-scan scan --template {template} --previous PREVIOUS_TEMPLATE --api "
                                   "cognito-restapi --fail-on critical"]


def test_iac002_quiet_when_the_deployment_changes_with_the_template(capsys, tmp_path):
    """A renamed deployment is a new one; SAM names its deployment after a hash of the API, so any change to
    the API makes a new one; an unchanged template changes nothing."""
    previous = FIXTURES / "cfn-methods" / "template.yaml"
    renamed = mutated(tmp_path / "a", "cfn-methods", ("HttpMethod: GET", "HttpMethod: POST"),
                      ("  Deployment:\n", "  DeploymentV2:\n"), ("!Ref Deployment\n", "!Ref DeploymentV2\n"))
    assert findings(scan(capsys, renamed, extra=("--previous", str(previous))), "IAC002") == []
    assert findings(scan(capsys, previous, extra=("--previous", str(previous))), "IAC002") == []
    sam = mutated(tmp_path / "b", "sam-cognito", ("AddDefaultAuthorizerToCorsPreflight: false",
                                                  "AddDefaultAuthorizerToCorsPreflight: true"))
    report = scan(capsys, sam, extra=("--previous", str(FIXTURES / "sam-cognito" / "template.yaml")))
    assert findings(report, "IAC002") == [] and findings(report, "APIGW011")


HTTP_API = """Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: orders-http, ProtocolType: HTTP}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /orders, AuthorizationType: AWS_IAM}
  Deployment:
    Type: AWS::ApiGatewayV2::Deployment
    DependsOn: Route
    Properties: {ApiId: !Ref Api}
  Prod:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: prod, DeploymentId: !Ref Deployment, AutoDeploy: false}
"""


def test_iac002_fires_when_an_http_route_changes_and_its_deployment_does_not(capsys, tmp_path):
    """An HTTP API stage with AutoDeploy off serves the AWS::ApiGatewayV2::Deployment it names, which CloudFormation
    replaces only when its logical ID or properties change ("AWS::ApiGatewayV2::Deployment", CloudFormation User
    Guide; API Gateway Developer Guide, "Working with stages for HTTP APIs": without automatic deployments, a
    deployment is needed after each change). The route loses its IAM authorization; the stage keeps the old one."""
    previous = tmp_path / "deployed.yaml"
    previous.write_text(HTTP_API)
    template = tmp_path / "template.yaml"
    template.write_text(HTTP_API.replace("AuthorizationType: AWS_IAM", "AuthorizationType: NONE"))
    report = scan(capsys, template, extra=("--previous", str(previous)))
    finding = assert_fires(report, "IAC002", verdict="fail", severity="critical")
    assert "route Route changed" in finding["message"] and "Deployment" in finding["message"]
    assert at(finding) == ("Api", line_of(template, "  Api:"))


def test_iac002_quiet_on_an_http_api_that_deploys_its_changes(capsys, tmp_path):
    """The same change with a stage that deploys automatically, or with a deployment whose properties change (a new
    Description makes CloudFormation create a new deployment): quiet."""
    previous = tmp_path / "deployed.yaml"
    previous.write_text(HTTP_API)
    changed = HTTP_API.replace("AuthorizationType: AWS_IAM", "AuthorizationType: NONE")
    for text in (changed.replace("AutoDeploy: false", "AutoDeploy: true"),
                 changed.replace("Properties: {ApiId: !Ref Api}", "Properties: {ApiId: !Ref Api, Description: v2}")):
        template = tmp_path / "template.yaml"
        template.write_text(text)
        assert findings(scan(capsys, template, extra=("--previous", str(previous))), "IAC002") == [], text


def test_pool_given_by_parameter_and_resolved_with_the_account(capsys, account):
    """--resolve reads what the template names but does not create, with the scan's collectors (read-only)."""
    pool = account.healthy_pool()
    report = scan(capsys, FIXTURES / "cfn-methods" / "template.yaml",
                  extra=("--parameter", f"CognitoUserPoolArn={pool['arn']}", "--resolve", "--region", "eu-west-1"))
    assert findings(report, "APIGW001", "unknown") == [] and findings(report, "APIGW001") == []
    assert report["calls"] > 0


# openapi-body (serverless-patterns apigw-ddb-openapi-crud): SAM DefinitionBody from a local AWS::Include.

def test_openapi_body_as_published(capsys):
    report = scan(capsys, FIXTURES / "openapi-body" / "template.yaml")
    # Five DynamoDB-backed methods, no authorization anywhere: nothing to refuse, nothing to report.
    assert report["findings"] == []
    assert {(m["method"], m["path"]) for m in report["methods"]} == {
        ("GET", "/"), ("POST", "/"), ("GET", "/{id}"), ("PUT", "/{id}"), ("DELETE", "/{id}")}
    assert {m["source"]["logical_id"] for m in report["methods"]} == {"CrudAPI"}


def test_openapi_policy_that_denies_everyone_is_apigw013(capsys, tmp_path):
    policy = ('x-amazon-apigateway-policy:\n  Version: "2012-10-17"\n  Statement:\n  - Effect: Deny\n'
              '    Principal: "*"\n    Action: execute-api:Invoke\n    Resource: execute-api:/*\n')
    template = mutated(tmp_path, "openapi-body", ('openapi: "3.0.1"\n', 'openapi: "3.0.1"\n' + policy),
                       file="api.yaml")
    report = scan(capsys, template)
    assert {(f["method"], f["path"]) for f in findings(report, "APIGW013")} >= {("GET", "/"), ("DELETE", "/{id}")}
    assert {at(f) for f in findings(report, "APIGW013")} == {("CrudAPI", line_of(template, "  CrudAPI:"))}


# http-jwt (serverless-patterns cognito-httpapi): SAM HttpApi with a JWT authorizer whose issuer comes from a
# nested stack.

def test_http_jwt_as_published(capsys):
    report = scan(capsys, FIXTURES / "http-jwt" / "template.yaml")
    # The issuer and audience are outputs of the nested AuthStack: undecided, never a failure.
    assert {f["outcome"] for f in report["findings"]} == {"unknown"}
    assert method_row(report, "GET", "/")["verdict"] == "unknown"
    assert any("AuthStack" in note for note in report["notes"])


def test_http_jwt_issuer_with_a_slash_is_http001(capsys, tmp_path):
    template = mutated(tmp_path, "http-jwt", (
        "issuer: !GetAtt AuthStack.Outputs.Issuer",
        "issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${AWS::Region}_Pool1/"))
    [finding] = findings(scan(capsys, template, extra=("--region", "eu-west-1")), "HTTP001")
    assert "ends with a slash" in finding["message"]
    assert at(finding) == ("AppApi", line_of(template, "  AppApi:"))


# lambda-authorizer (serverless-patterns apigw-lambda-authorizer): a TOKEN authorizer and its permission.

def test_lambda_authorizer_as_published(capsys):
    report = scan(capsys, FIXTURES / "lambda-authorizer" / "template.yaml")
    # LAM003 is right (a hint): callers send the token in authorizationToken. The permission names the
    # authorizer's source ARN, so API Gateway may invoke the function: no LAM002.
    assert {f["rule"] for f in report["findings"]} == {"LAM003"}


def test_lambda_authorizer_without_its_permission_is_lam002(capsys, tmp_path):
    template = mutated(tmp_path, "lambda-authorizer", (
        "/authorizers/${AuthorizersLambdaToken}", "/authorizers/wrong-id"))
    [finding] = findings(scan(capsys, template), "LAM002")
    assert finding["authorizer"] == "LambdaAuthorizerToken"
    assert at(finding) == ("AuthorizersLambdaToken", line_of(template, "  AuthorizersLambdaToken:"))


# cdk-cognito (aws/aws-cdk integ.cognito-authorizer snapshot): a cloud assembly folder with its manifest.

def test_cdk_cloud_assembly_as_published(capsys):
    report = scan(capsys, FIXTURES / "cdk-cognito")
    # COG008 is right: the integ stack's pool has no app client, so no caller can get a token for ANY /.
    assert {f["rule"] for f in report["findings"]} == {"COG008"}
    row = method_row(report, "ANY", "/")
    assert row["source"]["construct"] == "/CognitoUserPoolsAuthorizerInteg/myrestapi/Default/ANY/Resource"
    assert row["source"]["file"].endswith("CognitoUserPoolsAuthorizerInteg.template.json")


def test_cdk_scope_without_a_resource_server_is_apigw006(capsys, tmp_path):
    folder = tmp_path / "cdk"
    shutil.copytree(FIXTURES / "cdk-cognito", folder)
    path = folder / "CognitoUserPoolsAuthorizerInteg.template.json"
    template = json.loads(path.read_text())
    template["Resources"]["myrestapiANY94B0497F"]["Properties"]["AuthorizationScopes"] = ["api/read"]
    template["Resources"]["Client"] = {"Type": "AWS::Cognito::UserPoolClient",
                                       "Properties": {"UserPoolId": {"Ref": "UserPool6BA7E5F2"}}}
    path.write_text(json.dumps(template, indent=1))
    report = scan(capsys, folder)
    assert findings(report, "COG008") == []
    [finding] = findings(report, "APIGW006")
    assert at(finding)[0] == "myrestapiANY94B0497F" and finding["source"]["line"] > 1


# What every template scan promises.

def test_template_scans_call_no_aws_and_need_no_credentials(tmp_path, monkeypatch, capsys):
    """No AWS configuration at all (no credentials, no region, no config file), and no call: a request would
    meet the recorder the other tests use and fail here."""
    for name in list(__import__("os").environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    import botocore.endpoint

    def refuse(*_, **__):
        raise AssertionError("a template scan made an AWS call")
    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request", refuse)
    for name in ("sam-cognito", "cfn-methods", "openapi-body", "http-jwt", "lambda-authorizer"):
        scan(capsys, FIXTURES / name / "template.yaml")
    scan(capsys, FIXTURES / "cdk-cognito")


def test_sarif_points_at_the_template_line(capsys, tmp_path):
    template = mutated(tmp_path, "cfn-methods", ("    DependsOn:\n    - RootMethodGet\n", ""))
    assert main(["scan", "--template", str(template), "--format", "sarif", "--fail-on", "never"]) == 0
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    [result] = [r for r in results if r["ruleId"] == "IAC001"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(template)
    assert location["region"]["startLine"] == line_of(template, "  Deployment:")


@pytest.mark.parametrize("args, said", [
    (["--template", "nope.yaml"], "no such file"),
    (["--template", "x.yaml", "--org"], "does not apply to --template"),
    (["--previous", "x.yaml"], "applies to --template"),
    (["--template", "x.yaml", "--parameter", "novalue"], None),
])
def test_template_options_are_checked(args, said, capsys, tmp_path):
    if said is None:  # a parameter without '=' is refused once the template is found
        template = tmp_path / "x.yaml"
        shutil.copy(FIXTURES / "lambda-authorizer" / "template.yaml", template)
        args = ["--template", str(template), "--parameter", "novalue"]
        said = "expected KEY=VALUE"
    assert main(["scan", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_file_that_is_not_a_template_is_one_line(capsys, tmp_path):
    path = tmp_path / "notes.yaml"
    path.write_text("just: [a, list\n")
    assert main(["scan", "--template", str(path)]) == 2
    assert "not a template CloudFormation can read" in capsys.readouterr().err


# The demo account written as a template (tests/fixtures/templates/demo/template.yaml) is judged as the account is.

# Rules that look at what only the live account has, set aside with the reason:
ONLY_LIVE = {
    "APIGW003": "deployments made by hand after the stack: a template's stage serves the template's deployment",
    "HTTP006": "a stage whose deployment lags its routes: same, for HTTP APIs",
    "TRF001": "CloudWatch traffic, which a template does not have",
    "APIGW020": "CloudFront distributions, which these templates do not declare (README: Known limits)",
}


def judged(report):
    """{(api, method, path): {rule: (outcome, message)}}, the rules above set aside."""
    return findings_by_method(report, ONLY_LIVE)


def demo_account_judged(session):
    """The demo account as a scan without traffic judges it (traffic is a template's blind spot, judged apart)."""
    from helpers import RULES
    from scanner.collect.account import collect_account
    from scanner.demo.account import REGION, seed_demo_account
    from scanner.scan import judge

    seed_demo_account(session)
    return judge({**collect_account(session, [REGION]), "traffic": {}}, None, None, RULES)


def test_the_demo_template_is_judged_as_the_demo_account_or_left_undecided(capsys, account):
    """Offline, per method: the same rules; where the template cannot know (a pool, a function or a domain it does
    not create) the rule is undecided and says what to give, never ok and never a different failure."""
    live = judged(demo_account_judged(account.session))
    template = judged(scan(capsys, FIXTURES / "demo" / "template.yaml", extra=("--region", "eu-west-1",
                                                                            "--account", "123456789012")))
    assert template.keys() == live.keys() and sum(map(len, live.values())) >= 40
    undecided = []
    for key, rules in live.items():
        assert rules.keys() == template[key].keys(), key
        for rule, (outcome, _) in rules.items():
            found, message = template[key][rule]
            if found != outcome:
                assert found == "unknown" and outcome in ("fail", "warn"), (key, rule, found, outcome)
                # What decides it: --resolve (the account has it), or the deployment itself; never a live call's
                # "could not be read (apigateway:GET …)", which no template scan makes.
                assert "give --resolve" in message or "once it is deployed" in message, message
                assert not re.search(r"\b(apigateway|lambda|cognito-idp|iam):[A-Z]", message), message
                undecided.append(rule)
    # The deleted pool, the missing authorizer and trigger functions, and the domains outside the template:
    assert sorted(undecided) == ["APIGW001", "APIGW019", "COG005", "LAM001"]


def test_the_demo_template_with_resolve_is_judged_as_the_demo_account(capsys, account):
    """--resolve reads what the template names from the account: then only the custom domains, which another
    stack may map to this API, stay undecided."""
    live = judged(demo_account_judged(account.session))
    report = scan(capsys, FIXTURES / "demo" / "template.yaml", extra=("--resolve", "--region", "eu-west-1"))
    template = judged(report)
    differing = {(key, rule): (template[key][rule][0], outcome) for key, rules in live.items()
                 for rule, (outcome, _) in rules.items() if template.get(key, {}).get(rule, (None,))[0] != outcome}
    assert differing == {(("webhooks", None, None), "APIGW019"): ("unknown", "fail")}
    assert template.keys() == live.keys()
    assert report["calls"] > 0


def test_without_the_templates_extra_the_error_names_it(capsys, monkeypatch):
    """cfn-lint and aws-sam-translator are the `templates` extra: --template asks for it by name."""
    import sys

    for module in ("cfnlint.decode", "cfnlint.decode.cfn_yaml", "samtranslator.translator.translator"):
        monkeypatch.setitem(sys.modules, module, None)
    assert main(["scan", "--template", str(FIXTURES / "cfn-methods" / "template.yaml")]) == 2
    assert "pip install 'apigw-scan[templates]'" in capsys.readouterr().err


def test_template_findings_carry_no_aws_commands_and_their_fix_does_not_mention_them(capsys, tmp_path):
    """The AWS CLI commands would act on deployed resources that a template names by logical ID and placeholder:
    a template finding keeps only apigw-scan commands, and its fix reads whole without them."""
    import re

    from helpers import RULES
    from scanner.rules.template_fix import render_template_fix

    for rule in RULES:
        words = render_template_fix(rule.fix, {})
        assert words and not re.search(r"\b(below|commands?|recipe)\b", words, re.I), (rule.id, words)
        assert words.endswith("."), (rule.id, words)
    template = mutated(tmp_path, "cfn-methods", ("    DependsOn:\n    - RootMethodGet\n", ""))
    report = scan(capsys, template, FIXTURES / "sam-cognito" / "template.yaml")
    assert {f["rule"] for f in report["findings"] if f["outcome"] == "fail"} >= {"COG001", "IAC001", "APIGW008"}
    for finding in report["findings"]:
        assert all(command.startswith("apigw-scan ") for command in finding["commands"]), finding["commands"]
    [cog001] = findings(report, "COG001")
    assert cog001["fix"] == "Give the pool a domain (a prefix unique in the region)." and cog001["commands"] == []


def test_nested_stacks_are_named_and_templates_are_judged_together(capsys, tmp_path):
    """CloudFormation's AWS::CloudFormation::Stack is another template (TemplateURL): one that is not given (here not
    even on disk) is said in a note. Several templates given together are one report."""
    parent = tmp_path / "parent.yaml"
    parent.write_text("Resources:\n  Auth:\n    Type: AWS::CloudFormation::Stack\n"
                      "    Properties:\n      TemplateURL: ./auth.yaml\n")
    report = scan(capsys, parent, FIXTURES / "http-jwt" / "template.yaml",
                  FIXTURES / "sam-cognito" / "template.yaml")
    assert any("nested stack Auth names ./auth.yaml, which is not there" in note for note in report["notes"])
    files = {row["source"]["file"] for row in report["methods"]}
    assert files == {str(FIXTURES / "http-jwt" / "template.yaml"), str(FIXTURES / "sam-cognito" / "template.yaml")}
    assert {row["api_type"] for row in report["methods"]} == {"REST", "HTTP"}


def test_two_templates_that_name_an_api_alike_are_judged_apart(capsys):
    """Before deployment an API is known by its logical ID: two templates whose APIs share one would mix their
    methods and findings in one report, so the run stops with one line (exit 2) that says what to do."""
    code = main(["scan", "--template", str(FIXTURES / "http-jwt" / "template.yaml"),
                 "--template", str(FIXTURES / "cfn-methods" / "template.yaml")])
    error = capsys.readouterr().err
    assert code == 2 and "Traceback" not in error
    assert "the API or user pool AppApi is also defined in" in error and "separate runs" in error
