"""`scan --terraform-plan PLAN.json`: the output of `terraform show -json` (Terraform's documented "JSON Output
Format"), read from two public plans (tests/fixtures/terraform/SOURCES.md): values from planned_values and
resource_changes, after_unknown as unknown, links between resources from the configuration's references, and
IAC003 decided exactly by the plan's actions. A plan written here is marked so, and never the only test of a
behaviour: the same cases are mutations of the public plans."""

from __future__ import annotations

import copy
import json

from helpers import PROJECT, findings, method_row
from scanner.cli import main

FIXTURES = PROJECT / "tests" / "fixtures" / "terraform"
SAM = FIXTURES / "aws-sam-cli" / "terraform-v1-api-simple"
COMPLIANCE = FIXTURES / "plans" / "terraform-compliance-module.json"


def scan(capsys, plan, *extra):
    assert main(["scan", "--terraform-plan", str(plan), *extra, "--format", "json", "--fail-on", "never"]) == 0
    return json.loads(capsys.readouterr().out)


def with_actions(tmp_path, plan, actions):
    """A copy of a public plan as a later apply would plan it: every resource exists (no-op) but those given."""
    data = json.loads(plan.read_text())
    for change in data["resource_changes"]:
        change["change"]["actions"] = actions.get(change["address"], ["no-op"])
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return path


def test_a_module_plan_as_published(capsys):
    """terraform-compliance/cli tests/functional/test_non_created_module_resource_parameter/plan.out.json
    (Terraform 0.15.5): a module creates a REST API, its root method, a deployment and a stage. Its references name
    resources without attributes (older plans do): a method's resource_id on the API is its root resource."""
    report = scan(capsys, COMPLIANCE)
    row = method_row(report, "ANY", "/")
    assert row["source"] == {"file": str(COMPLIANCE),
                             "address": "module.apigw_test_1.aws_api_gateway_method.root_method"}
    assert row["stages"] == ["main"] and row["api_name"] == "cc-testapi"
    assert report["regions"] == ["eu-west-1"]  # the region the plan's ARNs name
    # Quiet: the API, its deployment and stage are all created by this plan (the deployment carries the method);
    # the policy the plan leaves to the provider is not written, so there is none to judge.
    assert report["findings"] == []


def test_iac003_quiet_when_the_plan_creates_the_deployment_with_the_api(capsys):
    """aws/aws-sam-cli terraform-v1-api-simple/custom-plan.json (Terraform 1.4.6): everything is created."""
    report = scan(capsys, SAM / "custom-plan.json")
    assert findings(report, "IAC003") == [] and findings(report, "IAC003", "unknown") == []
    assert sorted((row["method"], row["path"]) for row in report["methods"]) == [("GET", "/hello"), ("POST", "/hello")]


def test_iac003_fires_when_the_plan_changes_a_method_and_keeps_the_deployment(capsys, tmp_path):
    """The SAM CLI's plan as a later apply would plan it: the GET method changes in place, the deployment (whose
    triggers hash IDs) is not replaced. With the configuration given too, the finding points at its block."""
    plan = with_actions(tmp_path, SAM / "custom-plan.json", {
        "aws_api_gateway_method.GetMethod": ["update"], "aws_api_gateway_deployment.MyDemoDeployment": ["no-op"]})
    report = scan(capsys, plan, "--terraform", str(SAM))
    [finding] = findings(report, "IAC003")
    assert (finding["severity"], finding["outcome"]) == ("high", "fail")  # decided by the plan: no medium guess
    assert "the plan changes aws_api_gateway_method.GetMethod (update) and does not replace " \
           "aws_api_gateway_deployment.MyDemoDeployment (no-op)" in finding["message"]
    main_tf = SAM / "main.tf"
    line = next(n for n, text in enumerate(main_tf.read_text().splitlines(), 1)
                if 'resource "aws_api_gateway_deployment" "MyDemoDeployment"' in text)
    assert finding["source"] == {"file": str(main_tf), "address": "aws_api_gateway_deployment.MyDemoDeployment",
                                 "line": line}


def test_iac003_quiet_when_the_plan_replaces_the_deployment(capsys, tmp_path):
    plan = with_actions(tmp_path, SAM / "custom-plan.json", {
        "aws_api_gateway_method.GetMethod": ["update"],
        "aws_api_gateway_deployment.MyDemoDeployment": ["create", "delete"]})
    assert findings(scan(capsys, plan), "IAC003") == []


# A plan written here by the documented format (not a public one): an existing API whose authorizer's pool
# changes in place, the deployment untouched. prior_state holds what is deployed; IDs the plan knows are real ones.
WRITTEN = {
    "format_version": "1.2", "terraform_version": "1.9.0",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_api_gateway_rest_api.api", "mode": "managed", "type": "aws_api_gateway_rest_api",
         "name": "api", "values": {
             "id": "a1b2c3d4e5", "name": "orders", "root_resource_id": "r00tr00t01", "policy": "",
             "execution_arn": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"}},
        {"address": "aws_api_gateway_resource.orders", "mode": "managed", "type": "aws_api_gateway_resource",
         "name": "orders", "values": {"id": "res001", "rest_api_id": "a1b2c3d4e5", "parent_id": "r00tr00t01",
                                      "path_part": "orders"}},
        {"address": "aws_api_gateway_authorizer.cognito", "mode": "managed", "type": "aws_api_gateway_authorizer",
         "name": "cognito", "values": {"id": "auth01", "rest_api_id": "a1b2c3d4e5", "name": "cognito",
                                       "type": "COGNITO_USER_POOLS", "identity_source":
                                       "method.request.header.Authorization"}},
        {"address": "aws_api_gateway_method.get", "mode": "managed", "type": "aws_api_gateway_method", "name": "get",
         "values": {"id": "m001", "rest_api_id": "a1b2c3d4e5", "resource_id": "res001", "http_method": "GET",
                    "authorization": "COGNITO_USER_POOLS", "authorizer_id": "auth01",
                    "authorization_scopes": ["orders/read"]}},
        {"address": "aws_api_gateway_deployment.d", "mode": "managed", "type": "aws_api_gateway_deployment",
         "name": "d", "values": {"id": "dep001", "rest_api_id": "a1b2c3d4e5", "triggers": None}},
        {"address": "aws_api_gateway_stage.prod", "mode": "managed", "type": "aws_api_gateway_stage", "name": "prod",
         "values": {"id": "ags-a1b2c3d4e5-prod", "rest_api_id": "a1b2c3d4e5", "deployment_id": "dep001",
                    "stage_name": "prod"}},
    ]}},
    "resource_changes": [
        {"address": "aws_api_gateway_authorizer.cognito", "mode": "managed", "type": "aws_api_gateway_authorizer",
         "name": "cognito", "change": {
             "actions": ["update"],
             "before": {"provider_arns": ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_OldP00l01"]},
             "after": {"provider_arns": [None]}, "after_unknown": {"provider_arns": [True]}}},
        {"address": "aws_api_gateway_deployment.d", "mode": "managed", "type": "aws_api_gateway_deployment",
         "name": "d", "change": {"actions": ["no-op"], "before": {}, "after": {}, "after_unknown": {}}},
    ],
    "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": []}}},
}


def test_iac003_fires_from_a_plan_written_here_with_real_ids(capsys, tmp_path):
    """Written here (the documented format; not a public plan): the authorizer's provider_arns change in place,
    which the new pool's ARN makes unknown until apply; the deployment is kept."""
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(WRITTEN))
    report = scan(capsys, plan)
    row = method_row(report, "GET", "/orders")
    assert row["api_id"] == "a1b2c3d4e5" and row["stages"] == ["prod"]  # the IDs the plan knows are the real ones
    [finding] = findings(report, "IAC003")
    # What changes is read from the change's before and after (prior state against plan): the argument to check.
    assert "the plan changes aws_api_gateway_authorizer.cognito (update: provider_arns)" in finding["message"]
    assert findings(report, "APIGW001") == []  # the new pool is unknown until apply: never "missing"


def test_plan_values_known_only_after_apply_are_unknown(capsys, tmp_path):
    data = copy.deepcopy(WRITTEN)
    data["planned_values"]["root_module"]["resources"][3]["values"].pop("authorization_scopes")
    data["resource_changes"].append({"address": "aws_api_gateway_method.get", "mode": "managed",
                                     "type": "aws_api_gateway_method", "name": "get", "change": {
                                         "actions": ["update"], "after_unknown": {"authorization_scopes": True}}})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    report = scan(capsys, plan)
    assert [f["outcome"] for f in report["findings"] if f["rule"] in ("APIGW005", "APIGW006")] in ([], ["unknown"],
                                                                                                 ["unknown", "unknown"])


def test_a_plan_that_is_not_json_is_one_line(capsys, tmp_path):
    for content, said in ((b"\x00\x01binary plan", "not JSON (give the output of terraform show -json PLAN"),
                          (b'{"resources": []}', "not the JSON of a plan")):
        plan = tmp_path / "plan"
        plan.write_bytes(content)
        assert main(["scan", "--terraform-plan", str(plan)]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
    assert main(["scan", "--terraform-plan", str(tmp_path / "nowhere.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_plan_alone_needs_no_hcl_reader(capsys, monkeypatch):
    """A plan is JSON: without python-hcl2 (the terraform extra) --terraform-plan still reads it; only --terraform
    DIR asks for the extra."""
    import sys

    monkeypatch.setitem(sys.modules, "hcl2", None)
    report = scan(capsys, COMPLIANCE)
    assert method_row(report, "ANY", "/")["api_name"] == "cc-testapi"
    assert main(["scan", "--terraform-plan", str(COMPLIANCE), "--terraform", str(SAM)]) == 2
    assert "pip install 'apigw-scan[terraform]'" in capsys.readouterr().err


def test_an_authorization_known_only_after_apply_leaves_the_method_unknown(capsys, tmp_path):
    """The SAM CLI's public plan, mutated: GET /hello's authorization is known only after apply. The method is
    unknown (never ok), the table shows `?` and says why, and no other method counts it as protected."""
    data = json.loads((SAM / "custom-plan.json").read_text())
    for resource in data["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_api_gateway_method.GetMethod":
            del resource["values"]["authorization"]
    for change in data["resource_changes"]:
        if change["address"] == "aws_api_gateway_method.GetMethod":
            del change["change"]["after"]["authorization"]
            change["change"]["after_unknown"]["authorization"] = True
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    report = scan(capsys, plan)
    row = method_row(report, "GET", "/hello")
    assert row["verdict"] == "unknown"
    assert "aws_api_gateway_method.GetMethod.authorization is known only after apply" in row["unread"]
    assert method_row(report, "POST", "/hello")["verdict"] == "ok"  # no APIGW010: nothing else is known protected
    assert main(["scan", "--terraform-plan", str(plan), "--color", "never"]) == 0
    table = " ".join(capsys.readouterr().out.split())
    assert "unknown ? GET /hello ?" in table.replace("MyDemoAPI ", "")
    assert "unknown: MyDemoAPI GET /hello: the method's authorization type is not known" in table


def test_a_finding_from_a_plan_alone_names_the_terraform_argument(capsys, tmp_path):
    """The SAM CLI's public plan, mutated: its POST method becomes an OPTIONS method behind IAM authorization. The
    finding points at the method's address in the plan (no configuration given), and its fix names the Terraform
    argument to change, not the SAM or CloudFormation property nor an AWS CLI call."""
    data = json.loads((SAM / "custom-plan.json").read_text())
    values = [resource["values"] for resource in data["planned_values"]["root_module"]["resources"]
              if resource["address"] == "aws_api_gateway_method.PostMethod"]
    values += [change["change"]["after"] for change in data["resource_changes"]
               if change["address"] == "aws_api_gateway_method.PostMethod"]
    for value in values:
        value.update(http_method="OPTIONS", authorization="AWS_IAM")
    for resource in data["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_api_gateway_method.PostMethod":
            resource["expressions"]["http_method"] = {"constant_value": "OPTIONS"}
            resource["expressions"]["authorization"] = {"constant_value": "AWS_IAM"}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    [finding] = findings(scan(capsys, plan), "APIGW011")
    assert (finding["outcome"], finding["severity"], finding["method"]) == ("fail", "high", "OPTIONS")
    assert finding["source"]["file"] == str(plan)
    assert finding["source"]["address"] == "aws_api_gateway_method.PostMethod"
    assert 'authorization = "NONE" on the OPTIONS aws_api_gateway_method' in finding["fix"]
    assert "AddDefaultAuthorizerToCorsPreflight" not in finding["remediation"]
    assert all(command.startswith("apigw-scan ") for command in finding["commands"])


# Written here (the documented format; not a public plan; the configuration case is the public
# aws-sam-cli/v2-lambda-authorizer in test_terraform.py): an HTTP API whose route changes in place.
def http_plan(auto_deploy: bool, deployment_actions: list[str]) -> dict:
    api = "h1t2t3p4a5"
    resources = [
        ("aws_apigatewayv2_api.api", {"id": api, "name": "orders-http", "protocol_type": "HTTP",
                                      "api_endpoint": f"https://{api}.execute-api.eu-west-1.amazonaws.com"}),
        ("aws_apigatewayv2_route.get", {"id": "rt0001", "api_id": api, "route_key": "GET /orders",
                                        "authorization_type": "NONE"}),
        ("aws_apigatewayv2_deployment.d", {"id": "dep001", "api_id": api, "triggers": None}),
        ("aws_apigatewayv2_stage.prod", {"id": "prod", "api_id": api, "name": "prod", "deployment_id": "dep001",
                                         "auto_deploy": auto_deploy}),
    ]
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [
            {"address": address, "mode": "managed", "type": address.split(".")[0], "name": address.split(".")[1],
             "values": values} for address, values in resources]}},
        "resource_changes": [
            {"address": "aws_apigatewayv2_route.get", "mode": "managed", "type": "aws_apigatewayv2_route",
             "name": "get", "change": {"actions": ["update"], "before": {"authorization_type": "JWT"},
                                       "after": {"authorization_type": "NONE"}, "after_unknown": {}}},
            {"address": "aws_apigatewayv2_deployment.d", "mode": "managed", "type": "aws_apigatewayv2_deployment",
             "name": "d", "change": {"actions": deployment_actions, "before": {}, "after": {}, "after_unknown": {}}},
        ],
    }


def test_iac003_fires_from_a_plan_that_keeps_an_http_deployment(capsys, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(http_plan(False, ["no-op"])))
    [finding] = findings(scan(capsys, plan), "IAC003")
    assert (finding["severity"], finding["outcome"]) == ("high", "fail")
    assert "the plan changes aws_apigatewayv2_route.get (update: authorization_type) and does not replace " \
           "aws_apigatewayv2_deployment.d (no-op)" in finding["message"]


def test_iac003_quiet_from_a_plan_when_the_http_stage_deploys_itself_or_the_deployment_is_replaced(capsys, tmp_path):
    for auto_deploy, actions in ((True, ["no-op"]), (False, ["create", "delete"])):
        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps(http_plan(auto_deploy, actions)))
        assert findings(scan(capsys, plan), "IAC003") == [], (auto_deploy, actions)


def test_a_plan_given_with_another_configuration_says_so(capsys):
    """--terraform-plan of one configuration with --terraform of another: the plan is still judged, and a note says
    which of its resources the configuration does not write (their findings point at the plan); with its own
    configuration, no such note."""
    other = FIXTURES / "yegorski-api-gateway-cognito"
    report = scan(capsys, SAM / "custom-plan.json", "--terraform", str(other))
    [note] = [note for note in report["notes"] if "is the plan made from this configuration?" in note]
    assert f"--terraform {other} does not write 15 of the plan's 15 resource(s)" in note
    assert method_row(report, "GET", "/hello")["source"]["file"] == str(SAM / "custom-plan.json")
    report = scan(capsys, SAM / "custom-plan.json", "--terraform", str(SAM))
    assert not [note for note in report["notes"] if "is the plan made from" in note]
