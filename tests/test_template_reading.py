"""Templates read as CloudFormation and SAM define them (issue 28): one minimal template, written here, for each
way public templates were misread, asserting the rule, outcome, severity and the line the finding points at.

AWS pages each test follows are named in its docstring; the corpus run that found each class is bench/corpus.py
(bench/corpus-review.md judges its findings)."""

from __future__ import annotations

import gc
import json
import textwrap
from pathlib import Path

import pytest

from helpers import findings, method_row
from scanner.cli import main

SAM = "Transform: AWS::Serverless-2016-10-31\n"


def write(folder: Path, text: str, name: str = "template.yaml") -> Path:
    """The template, its indentation as written here taken off (after SAM's Transform line, when it has one)."""
    path = folder / name
    transform = SAM if text.startswith(SAM) else ""
    path.write_text(transform + textwrap.dedent(text[len(transform):]).lstrip())
    return path


def scan(capsys, *paths, extra=()):
    code = main(["scan", *[arg for path in paths for arg in ("--template", str(path))], *extra, "--format", "json",
                 "--fail-on", "never"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def refused(capsys, path) -> str:
    assert main(["scan", "--template", str(path)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("apigw-scan: error: "), lines
    return lines[0]


def line(path: Path, text: str) -> int:
    return next(number for number, written in enumerate(path.read_text().splitlines(), 1) if text in written)


def at(finding):
    return finding["source"]["logical_id"], finding["source"]["line"]


def rest_api(api: str = "{Name: shop}", method: str = "AuthorizationType: NONE", stage: str = "prod",
             more: str = "") -> str:
    """A REST API with one GET method on / and a deployment that waits for it, then `more` resources (written flush
    left, two spaces a level)."""
    return f"""
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {api}
  Get:
    Type: AWS::ApiGateway::Method
    Properties: {{RestApiId: !Ref Api, ResourceId: !GetAtt Api.RootResourceId, HttpMethod: GET, {method}}}
  Deploy:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Get
    Properties: {{RestApiId: !Ref Api, StageName: {stage}}}
{more}"""


def sam_api(properties: str, event: str = "Api", more: str = "") -> str:
    """A SAM API (properties written six spaces in) and a function whose event serves GET /orders on it."""
    kind, reference = ("Api", "RestApiId") if event == "Api" else ("HttpApi", "ApiId")
    return SAM + f"""
Resources:
  Api:
    Type: AWS::Serverless::{kind}
    Properties:
{properties}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: x
      Events:
        Get: {{Type: {event}, Properties: {{{reference}: !Ref Api, Path: /orders, Method: get}}}}
{more}"""


# -- Ref of a custom domain is its name -------------------------------------------------------------------------

DOMAIN = rest_api(more="""
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties: {DomainName: api.example.com, RegionalCertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/x}
  Mapping:
    Type: AWS::ApiGateway::BasePathMapping
    Properties: {DomainName: !Ref Domain, RestApiId: !Ref Api, Stage: prod}
""")


def test_a_mapping_that_refs_its_domain_maps_that_domain(capsys, tmp_path):
    """Ref of AWS::ApiGateway::DomainName returns the domain name (CloudFormation reference, "Return values"): the
    base-path mapping that names it with !Ref maps it. Before, the Ref gave the logical ID: a false APIGW019."""
    report = scan(capsys, write(tmp_path, DOMAIN))
    assert findings(report, "APIGW019") == [] and findings(report, "APIGW019", "unknown") == []


def test_a_domain_that_maps_nothing_is_still_apigw019_at_the_domain(capsys, tmp_path):
    path = write(tmp_path, DOMAIN.split("  Mapping:")[0])
    [finding] = findings(scan(capsys, path), "APIGW019")
    assert (finding["severity"], finding["outcome"]) == ("high", "fail")
    assert "api.example.com: it has no API mapping" in finding["message"]
    assert at(finding) == ("Domain", line(path, "  Domain:"))


def test_sam_domain_maps_its_api(capsys, tmp_path):
    """SAM's Domain property makes the domain and its mapping, which names it with Ref."""
    path = write(tmp_path, sam_api("""      StageName: prod
      Domain: {DomainName: api.example.com, CertificateArn: arn:aws:acm:eu-west-1:111122223333:certificate/x}"""))
    report = scan(capsys, path)
    assert findings(report, "APIGW019") == [] and findings(report, "APIGW019", "unknown") == []


# -- Quick create ---------------------------------------------------------------------------------------------------

def test_quick_create_makes_an_auto_deploying_default_stage(capsys, tmp_path):
    """AWS::ApiGatewayV2::Api with Target: "quick create" makes the $default route, its integration and a $default
    stage that deploys automatically (CreateApi, Target). Before: a false HTTP005 ("no stage")."""
    path = write(tmp_path, """
    Resources:
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties:
          Name: quick
          ProtocolType: HTTP
          Target: !Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:handler
    """)
    report = scan(capsys, path)
    assert findings(report, "HTTP005") == []
    row = method_row(report, "ANY", "$default")
    assert row["stages"] == ["$default"] and row["source"]["line"] == line(path, "  Api:")


def test_an_http_api_without_target_or_stage_is_still_http005(capsys, tmp_path):
    path = write(tmp_path, """
    Resources:
      Api:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: bare, ProtocolType: HTTP}
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Api, RouteKey: GET /}
    """)
    [finding] = findings(scan(capsys, path), "HTTP005")
    assert (finding["severity"], finding["outcome"]) == ("high", "fail")
    assert at(finding) == ("Api", line(path, "  Api:"))


# -- SAM's implicit Stage stage -------------------------------------------------------------------------------------

def keyed_api(extra: str = "") -> str:
    return sam_api("""      StageName: prod
      Auth:
        ApiKeyRequired: true
        UsagePlan: {CreateUsagePlan: PER_API}""" + extra)


def test_a_finding_only_on_sams_implicit_stage_is_one_low_finding(capsys, tmp_path):
    """SAM's PER_API usage plan covers the stage the user named (prod); the Stage stage SAM's generated deployment
    makes is in no plan. A request to /Stage/orders does get 403, but no caller is given that URL: one finding, low
    (rules.md's exception), saying SAM made the stage and OpenApiVersion removes it; prod is judged as usual."""
    path = write(tmp_path, keyed_api())
    report = scan(capsys, path)
    [finding] = [f for f in report["findings"] if f["rule"] == "APIGW018"]
    assert (finding["severity"], finding["outcome"], finding["stage"], finding["method"]) == ("low", "fail", "Stage",
                                                                                            None)
    assert "which SAM created" in finding["message"] and "no caller is given its URL" in finding["message"]
    assert "GET /orders" in finding["message"] and "OpenApiVersion" in finding["fix"]
    assert at(finding) == ("Api", line(path, "  Api:"))
    assert method_row(report, "GET", "/orders")["verdict"] == "ok"
    assert main(["scan", "--template", str(path), "--format", "json"]) == 0  # the gate (--fail-on high) passes
    capsys.readouterr()


def test_with_openapi_version_there_is_no_implicit_stage(capsys, tmp_path):
    report = scan(capsys, write(tmp_path, keyed_api("\n      OpenApiVersion: '3.0.1'")))
    assert report["findings"] == [] and method_row(report, "GET", "/orders")["stages"] == ["prod"]


def test_a_stage_the_user_names_stage_is_judged_as_usual(capsys, tmp_path):
    """Recognised by how it is made, never by its name: a plain CloudFormation stage called Stage, in no usage plan,
    is a critical APIGW018 like any other stage."""
    path = write(tmp_path, rest_api(method="AuthorizationType: NONE, ApiKeyRequired: true", stage="Stage", more="""
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties: {ApiStages: []}
"""))
    [finding] = findings(scan(capsys, path), "APIGW018")
    assert (finding["severity"], finding["stage"], finding["method"]) == ("critical", "Stage", "GET")
    assert at(finding) == ("Get", line(path, "  Get:"))


# -- Unknown in part ------------------------------------------------------------------------------------------------

def policy_api(statements: str, authorization: str = "NONE") -> str:
    policy = '{"Version": "2012-10-17", "Statement": [' + statements + "]}"
    written = policy.replace("'", "''")
    return "Parameters:\n  Vpce: {Type: String}" + rest_api(api=f"{{Name: shop, Policy: !Sub '{written}'}}",
                                                             method=f"AuthorizationType: {authorization}")


ALLOW_FROM_VPCE = ('{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", '
                   '"Resource": "execute-api:/${Vpce}/*"}')
DENY_ALL = '{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/*"}'
ALLOW_IF_VPCE = ('{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*", '
                 '"Condition": {"StringEquals": {"aws:SourceVpce": "${Vpce}"}}}')


def test_an_unconditional_deny_decides_whatever_the_placeholder(capsys, tmp_path):
    """A !Sub policy with a parameter that has no value is still JSON: the statements that do not name it decide. An
    unconditional Deny of */* for everyone is 403 whatever the other statement says. Before: "not valid JSON", a
    false APIGW016 and a missed APIGW013."""
    path = write(tmp_path, policy_api(f"{ALLOW_FROM_VPCE}, {DENY_ALL}"))
    report = scan(capsys, path)
    [finding] = findings(report, "APIGW013")
    assert (finding["severity"], finding["method"], finding["stage"]) == ("critical", "GET", "prod")
    assert at(finding) == ("Get", line(path, "  Get:"))
    assert findings(report, "APIGW016") == []


def test_a_statement_that_names_the_placeholder_is_unknown(capsys, tmp_path):
    path = write(tmp_path, policy_api(ALLOW_FROM_VPCE))
    report = scan(capsys, path)
    [finding] = findings(report, "APIGW013", "unknown")
    assert finding["severity"] == "critical" and "give --parameter Vpce=VALUE" in finding["message"]
    assert findings(report, "APIGW013") == [] and findings(report, "APIGW016") == []


def test_a_pool_given_by_a_parameter_without_a_value_is_an_unknown_pool(capsys, tmp_path):
    """A Cognito authorizer whose ProviderARNs is a parameter without a value: the method's pool_ids is null (not
    known), never the text "None", and the pool's rules are undecided with the parameter to give."""
    path = write(tmp_path, "Parameters:\n  PoolArn: {Type: String}" + rest_api(
        method="AuthorizationType: COGNITO_USER_POOLS, AuthorizerId: !Ref Auth, AuthorizationScopes: [orders/read]",
        more="""
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties: {RestApiId: !Ref Api, Name: cog, Type: COGNITO_USER_POOLS, ProviderARNs: [!Ref PoolArn],
                 IdentitySource: method.request.header.Authorization}
"""))
    report = scan(capsys, path)
    row = method_row(report, "GET", "/")
    assert (row["pool_ids"], row["verdict"]) == (None, "unknown")
    [finding] = findings(report, "APIGW001", "unknown")
    assert finding["severity"] == "critical" and "give --parameter PoolArn=VALUE" in finding["message"]
    assert findings(report, "APIGW001") == [] and findings(report, "APIGW005") == []


@pytest.mark.parametrize("account, pool_rule", [(None, None), ("123456789012", None), ("999999999999", "APIGW002")])
def test_a_pool_the_template_does_not_create_needs_resolve(capsys, tmp_path, account, pool_rule):
    """A pool named by a literal ARN, not created by the template: what needs the pool says "give --resolve", never
    that the pool is in another account than the scan's (without --account the template's account is not known).
    With --account, a pool in another account is APIGW002 (low) as in a live scan."""
    arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"
    path = write(tmp_path, rest_api(
        method="AuthorizationType: COGNITO_USER_POOLS, AuthorizerId: !Ref Auth, AuthorizationScopes: [orders/read]",
        more=f"""
  Auth:
    Type: AWS::ApiGateway::Authorizer
    Properties: {{RestApiId: !Ref Api, Name: cog, Type: COGNITO_USER_POOLS, ProviderARNs: [{arn}],
                 IdentitySource: method.request.header.Authorization}}
"""))
    report = scan(capsys, path, extra=("--account", account, "--region", "us-east-1") if account else ())
    [finding] = findings(report, "APIGW005", "unknown")
    assert finding["severity"] == "critical"
    if pool_rule is None:
        assert "not created by the template: give --resolve" in finding["message"]
        assert findings(report, "APIGW002") == []
    else:
        [elsewhere] = findings(report, pool_rule)
        assert elsewhere["severity"] == "low" and "the pool is in account 123456789012" in elsewhere["message"]
    assert "${AWS::AccountId}" not in json.dumps(report["findings"])
    assert method_row(report, "GET", "/")["pool_ids"] == ["us-east-1_AbCdEf123"]


def test_a_placeholder_inside_a_condition_keeps_the_statement_conditional(capsys, tmp_path):
    """The condition's value is unknown, not what the statement covers: a conditional Allow (APIGW014, low)."""
    path = write(tmp_path, policy_api(ALLOW_IF_VPCE))
    [finding] = findings(scan(capsys, path), "APIGW014")
    assert finding["severity"] == "low" and "[unknown: parameter Vpce has no value" in finding["message"]
    assert "{{unresolved" not in finding["message"]


def test_an_iam_method_is_not_refused_by_a_policy_that_names_one_role(capsys, tmp_path):
    """AWS_IAM: a caller of the API's own account whose IAM policy allows execute-api:Invoke passes a resource policy
    that does not name it (docs "How API Gateway resource policies affect authorization workflow", IAM
    authentication and resource policy). Only an unconditional Deny refuses every caller."""
    allow_role = ('{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:role/reader"}, '
                  '"Action": "execute-api:Invoke", "Resource": "execute-api:/*"}')
    text = policy_api(allow_role, "AWS_IAM")
    assert findings(scan(capsys, write(tmp_path, text)), "APIGW013") == []
    denied = write(tmp_path, policy_api(f"{allow_role}, {DENY_ALL}", "AWS_IAM"), "deny.yaml")
    [finding] = findings(scan(capsys, denied), "APIGW013")
    assert finding["severity"] == "critical"


# -- Templates CloudFormation deploys are read -----------------------------------------------------------------------

def test_duplicate_keys_are_read_last_wins_with_a_note(capsys, tmp_path):
    """CloudFormation deploys such templates and documents no rule for them: read as YAML loaders read them."""
    path = write(tmp_path, """
    Resources:
      Http:
        Type: AWS::ApiGatewayV2::Api
        Properties: {Name: first, ProtocolType: HTTP}
      Stage:
        Type: AWS::ApiGatewayV2::Stage
        Properties:
          ApiId: !Ref Http
          StageName: $default
          AutoDeploy: false
          AutoDeploy: true
      Route:
        Type: AWS::ApiGatewayV2::Route
        Properties: {ApiId: !Ref Http, RouteKey: GET /}
    """)
    report = scan(capsys, path)
    first, second = (number for number, text in enumerate(path.read_text().splitlines(), 1) if "AutoDeploy" in text)
    assert any(f"'AutoDeploy' at lines {first} and {second}" in note and "observed behaviour" in note
               for note in report["notes"])
    assert findings(report, "HTTP005") == []  # the last value: the stage deploys automatically


def test_broken_yaml_and_no_resources_are_refused_in_one_line(capsys, tmp_path):
    assert "not a template CloudFormation can read" in refused(capsys, write(tmp_path, "Resources:\n  A: [b\n"))
    assert "it has no Resources" in refused(capsys, write(tmp_path, "Outputs: {}\n", "empty.yaml"))


def test_a_serverless_framework_service_is_refused_with_the_command_that_makes_a_template(capsys, tmp_path):
    path = write(tmp_path, """
    service: shop
    provider: {name: aws, runtime: python3.12}
    functions:
      hello: {handler: handler.hello, events: [{httpApi: {path: /, method: get}}]}
    resources:
      Resources:
        Extra: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: extra, ProtocolType: HTTP}}
    """, "serverless.yml")
    said = refused(capsys, path)
    assert "`sls package`" in said and ".serverless/cloudformation-template-update-stack.json" in said


def test_serverless_resources_without_the_transform_get_a_note(capsys, tmp_path):
    report = scan(capsys, write(tmp_path, keyed_api().replace(SAM, "")))
    assert any("no `Transform: AWS::Serverless-2016-10-31`" in note for note in report["notes"])


def test_a_sam_api_whose_definition_is_in_s3_is_unknown_and_the_rest_is_judged(capsys, tmp_path):
    """SAM cannot add Auth to a DefinitionBody included from S3 ("Unable to add Auth configuration…"), which
    CloudFormation deploys (it includes the file first): that API's methods are unknown, with a note; the pool beside
    it is still judged (COG001: OAuth flows, no domain)."""
    path = write(tmp_path, SAM + """
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          DefinitionBody:
            Fn::Transform:
              Name: AWS::Include
              Parameters: {Location: s3://bucket/openapi.yaml}
          Auth:
            DefaultAuthorizer: Pool
            Authorizers:
              Pool: {UserPoolArn: !GetAtt Users.Arn}
      Users:
        Type: AWS::Cognito::UserPool
      Web:
        Type: AWS::Cognito::UserPoolClient
        Properties:
          UserPoolId: !Ref Users
          AllowedOAuthFlowsUserPoolClient: true
          AllowedOAuthFlows: [code]
          AllowedOAuthScopes: [openid]
          CallbackURLs: [https://example.com/]
          SupportedIdentityProviders: [COGNITO]
    """)
    report = scan(capsys, path)
    assert any("s3://bucket/openapi.yaml" in note and "its methods are unknown" in note for note in report["notes"])
    assert report["methods"] == []
    [cog001] = findings(report, "COG001")
    assert cog001["severity"] == "high" and at(cog001) == ("Web", line(path, "  Web:"))


# -- Nested stacks ----------------------------------------------------------------------------------------------------

CHILD = """
Resources:
  Users:
    Type: AWS::Cognito::UserPool
  Web:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Users, ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}
Outputs:
  Issuer:
    Value: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${Users}${Slash}
  ClientId:
    Value: !Ref Web
Parameters:
  Slash: {Type: String, Default: ""}
"""

PARENT = """
Resources:
  Auth:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: CHILD_URL
      Parameters: {Slash: "/"}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: orders, ProtocolType: HTTP}
  Jwt:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      Name: jwt
      AuthorizerType: JWT
      IdentitySource: [$request.header.Authorization]
      JwtConfiguration:
        Issuer: !GetAtt Auth.Outputs.Issuer
        Audience: [!GetAtt Auth.Outputs.ClientId]
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /orders, AuthorizationType: JWT, AuthorizerId: !Ref Jwt}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default, AutoDeploy: true}
"""


def test_a_nested_stacks_outputs_come_from_its_template_given_too(capsys, tmp_path):
    """Fn::GetAtt Auth.Outputs.Issuer is the child's output, resolved with the parameters the parent passes: here
    the parent's Slash "/" gives the issuer a trailing slash, which no Cognito token carries (HTTP001)."""
    child = write(tmp_path, CHILD, "auth.yaml")
    parent = write(tmp_path, PARENT.replace("CHILD_URL", "./auth.yaml"))
    report = scan(capsys, parent, child, extra=("--region", "eu-west-1"))
    [finding] = findings(report, "HTTP001")
    assert (finding["severity"], finding["outcome"]) == ("critical", "fail") and "slash" in finding["message"]
    assert at(finding) == ("Jwt", line(parent, "  Jwt:"))
    assert findings(report, "HTTP002") == []  # the audience is the child's app client: known now
    assert any("nested stack Auth is" in note and "outputs are read from it" in note for note in report["notes"])


def test_without_the_child_the_note_says_what_to_give(capsys, tmp_path):
    write(tmp_path, CHILD, "auth.yaml")
    parent = write(tmp_path, PARENT.replace("CHILD_URL", "./auth.yaml"))
    report = scan(capsys, parent)
    [finding] = findings(report, "HTTP001", "unknown")
    assert f"--template {tmp_path / 'auth.yaml'}" in finding["message"]
    assert any(f"give it with --template {tmp_path / 'auth.yaml'} too" in note for note in report["notes"])


def test_a_child_in_s3_is_found_by_its_file_name_when_given(capsys, tmp_path):
    child = write(tmp_path, CHILD, "auth.yaml")
    parent = write(tmp_path, PARENT.replace("CHILD_URL", "https://s3.amazonaws.com/bucket/auth.yaml"))
    assert findings(scan(capsys, parent, child, extra=("--region", "eu-west-1")), "HTTP001")
    report = scan(capsys, parent)
    assert any("download it and give it with --template too" in note for note in report["notes"])


# -- The finding points where the fix goes -------------------------------------------------------------------------

def test_sam_fixes_name_the_sam_property(capsys, tmp_path):
    path = write(tmp_path, sam_api("""      StageName: prod
      OpenApiVersion: '3.0.1'
      Cors: {AllowOrigin: "'https://example.com'"}
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token: {FunctionArn: !GetAtt Check.Arn}""", more="""
  Check:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, InlineCode: x}
"""))
    [finding] = findings(scan(capsys, path), "APIGW011")
    assert (finding["severity"], finding["method"]) == ("high", "OPTIONS")
    assert "Auth.AddDefaultAuthorizerToCorsPreflight: false" in finding["fix"]
    assert "aws_api_gateway" not in finding["fix"]  # a SAM resource: never the Terraform words
    assert at(finding) == ("Api", line(path, "  Api:"))


def test_cloudformation_fixes_keep_the_rules_own_words(capsys, tmp_path):
    """A plain CloudFormation method: the rule's `fix` (without what it says of the commands), neither its sam_fix
    nor its terraform_fix, and only apigw-scan lines for commands."""
    template = rest_api(method="AuthorizationType: AWS_IAM").replace("HttpMethod: GET", "HttpMethod: OPTIONS")
    path = write(tmp_path, template)
    [finding] = findings(scan(capsys, path), "APIGW011")
    assert (finding["severity"], finding["method"]) == ("high", "OPTIONS")
    assert finding["fix"].startswith("Let the preflight through without authorization, then redeploy")
    assert "MOCK integration" in finding["fix"] and "aws_api_gateway" not in finding["remediation"]
    assert "On the SAM template" not in finding["fix"]
    assert all(command.startswith("apigw-scan ") for command in finding["commands"])
    assert at(finding) == ("Get", line(path, "  Get:"))


def test_no_template_finding_names_the_placeholder_account_or_a_live_call(capsys, tmp_path):
    """What the template names but does not create says "give --resolve" (a function by ARN here); no text shows
    the stand-ins 000000000000 / xx-template-1, which the template writes as ${AWS::AccountId} / ${AWS::Region}."""
    path = write(tmp_path, rest_api(method="AuthorizationType: CUSTOM, AuthorizerId: !Ref Check", more="""
  Check:
    Type: AWS::ApiGateway::Authorizer
    Properties:
      RestApiId: !Ref Api
      Name: check
      Type: TOKEN
      IdentitySource: method.request.header.Authorization
      AuthorizerUri: !Sub
        - arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations
        - Function: !Sub arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:elsewhere
"""))
    report = scan(capsys, path)
    [lam001] = findings(report, "LAM001", "unknown")
    assert "give --resolve" in lam001["message"] and "${AWS::AccountId}" in lam001["message"]
    for finding in report["findings"]:
        text = json.dumps([finding[key] for key in ("title", "message", "fix", "remediation", "commands")])
        assert "000000000000" not in text and "xx-template-1" not in text and "GetFunctionConfiguration" not in text
        assert finding["account"] is None


def test_the_sam_translators_metrics_line_never_reaches_stderr(capsys):
    """aws-sam-translator warns "There are unpublished metrics" when its metrics object is collected unpublished."""
    fixture = Path(__file__).parent / "fixtures" / "templates" / "sam-cognito" / "template.yaml"
    assert main(["scan", "--template", str(fixture), "--format", "json", "--fail-on", "never"]) == 0
    gc.collect()
    assert "unpublished metrics" not in capsys.readouterr().err


@pytest.mark.parametrize("role, trusted", [("FunctionInvokeRole: !GetAtt Invoker.Arn", "apigateway.amazonaws.com"),
                                           ("FunctionInvokeRole: !GetAtt Invoker.Arn", "lambda.amazonaws.com"),
                                           ("", "apigateway.amazonaws.com")])
def test_an_http_lambda_authorizer_with_a_role_is_not_lam002(capsys, tmp_path, role, trusted):
    """SAM writes FunctionInvokeRole into the OpenAPI body (authorizerCredentials): API Gateway assumes the role,
    read from the template like the collector reads one (trust policy, inline policies). A role that does not trust
    apigateway.amazonaws.com, or no role and no EnableFunctionDefaultPermissions (SAM then grants no permission):
    LAM002 is right."""
    path = write(tmp_path, sam_api(f"""      Auth:
        DefaultAuthorizer: Check
        Authorizers:
          Check:
            FunctionArn: !GetAtt Check.Arn
            {role}
            AuthorizerPayloadFormatVersion: '2.0'
            Identity: {{Headers: [Authorization]}}""", "HttpApi", f"""
  Invoker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{Effect: Allow, Principal: {{Service: {trusted}}}, Action: sts:AssumeRole}}]
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Statement: [{{Effect: Allow, Action: lambda:InvokeFunction, Resource: !GetAtt Check.Arn}}]
  Check:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python3.12, Handler: app.handler, InlineCode: x}}
"""))
    report = scan(capsys, path)
    if role and trusted == "apigateway.amazonaws.com":
        assert findings(report, "LAM002") == [] and findings(report, "LAM002", "unknown") == []
    else:
        [finding] = findings(report, "LAM002")
        assert finding["severity"] == "critical" and at(finding) == ("Api", line(path, "  Api:"))


# -- The public templates the corpus run misread, as published (SOURCES.md), judged -------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "templates"


def test_public_templates_that_were_misread_are_read(capsys):
    """apigw-usage-plans: the PER_API plan covers the Prod stage; only SAM's implicit Stage is in no plan (one low
    APIGW018; before, two criticals). apigw-private-lambda: the VPC endpoint is a parameter without a value inside
    the Allow's condition (APIGW014, the condition printed; before, the same with the raw placeholder).
    apigw-edge-custom-domain: SAM's Domain maps its domain by Ref (before, a false APIGW019). sam-webapp-cognito:
    duplicate keys, read with a note (before, refused). apigw-http-api-lambda: quick create (before, a false
    HTTP005)."""
    usage = scan(capsys, FIXTURES / "apigw-usage-plans" / "template.yaml")
    assert [(f["rule"], f["severity"], f["stage"]) for f in usage["findings"]] == [("APIGW018", "low", "Stage")]
    private = scan(capsys, FIXTURES / "apigw-private-lambda" / "template.yaml")
    [condition] = private["findings"]
    assert (condition["rule"], condition["severity"], condition["stage"]) == ("APIGW014", "low", "Prod")
    assert "[unknown: parameter VpcEndpoint has no value" in condition["message"]
    assert scan(capsys, FIXTURES / "apigw-edge-custom-domain" / "template.yaml")["findings"] == []
    webapp = scan(capsys, FIXTURES / "sam-webapp-cognito" / "template.yaml")
    assert any("duplicate mapping keys ('Name' at lines 25 and 29)" in note for note in webapp["notes"])
    assert scan(capsys, FIXTURES / "apigw-http-api-lambda" / "template.yml")["findings"] == []
