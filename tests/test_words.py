"""What the rules' texts say where a value is empty or could not be told: words that say so, never `[none]` or a
`(none)` standing for something unknown (found walking the README's commands as a new user would)."""

from __future__ import annotations

import json
import re

import pytest

from helpers import PROJECT
from scanner.cli import main

_EMPTY_SHOWN = re.compile(r"\[none\]|\(none\)|\(none are\)")


def texts(report: dict, *fields: str) -> list[str]:
    return [str(entry.get(field)) for entry in report.get("findings", report.get("cells", [])) for field in fields]


def run_json(capsys, *argv: str) -> dict:
    main([*argv, "--format", "json"])
    return json.loads(capsys.readouterr().out)


def test_a_caller_whose_id_token_carries_no_scope_is_told_in_words(capsys):
    """TOK006 on an ID token (no scope claim): "their scope claim: none", not "its tokens carry [none]"."""
    matrix = run_json(capsys, "demo", "--matrix")
    why = {(cell["api_name"], cell["method"], cell["path"], cell["label"]): cell["why"] for cell in matrix["cells"]}
    assert why["mobile-bff", "GET", "/orders", "id:shop-web"] == (
        "id:shop-web: its tokens carry none of the scopes GET /orders requires (orders/read); their scope claim: none.")
    assert not [text for text in texts(matrix, "why") if _EMPTY_SHOWN.search(text)]


def test_scopes_no_client_can_obtain_are_said_in_words(capsys, monkeypatch):
    """HTTP003 where the audience's clients can obtain no scope at all: "the scopes they can obtain: none"."""
    monkeypatch.chdir(PROJECT)
    report = run_json(capsys, "scan", "--terraform", "tests/fixtures/terraform/terraform-aws-apigateway-v2/examples/"
                      "complete-http")
    http003 = [finding["message"] for finding in report["findings"] if finding["rule"] == "HTTP003"]
    assert http003 and all("the scopes they can obtain: none)" in message for message in http003)
    assert not [text for text in texts(report, "message", "fix") if _EMPTY_SHOWN.search(text)]


@pytest.mark.parametrize("source", [
    ("--template", "tests/fixtures/templates/http-jwt/template.yaml"),
    ("--terraform", "tests/fixtures/terraform/demo"),
])
def test_an_issuer_or_audience_that_cannot_be_told_is_never_none(capsys, monkeypatch, source):
    """HTTP001's fix when the pool's issuer cannot be told names the form to fill in, not "(none)"; HTTP002's fix
    never says "(none are)" of an audience that could not be judged."""
    monkeypatch.chdir(PROJECT)
    report = run_json(capsys, "scan", *source)
    http001 = [finding["fix"] for finding in report["findings"] if finding["rule"] == "HTTP001"]
    assert any("(https://cognito-idp.REGION.amazonaws.com/POOL_ID)" in fix for fix in http001)
    assert not [text for text in texts(report, "message", "fix") if _EMPTY_SHOWN.search(text)]


def test_the_demo_says_nothing_is_none(capsys):
    """Every message and fix of the demo, live."""
    report = run_json(capsys, "demo")
    assert not [text for text in texts(report, "message", "fix") if _EMPTY_SHOWN.search(text)]


def test_a_template_report_merged_keeps_its_verdicts(capsys, monkeypatch, tmp_path):
    """A template's findings leave out the placeholder account its rows carry: `merge` (of that one report) still
    gives each row the verdict the scan gave it, not `ok` with no rules."""
    monkeypatch.chdir(PROJECT)
    scanned = run_json(capsys, "scan", "--terraform", "tests/fixtures/terraform/yegorski-api-gateway-cognito")
    assert scanned["findings"] and all(finding["account"] is None for finding in scanned["findings"])
    report = tmp_path / "report.json"
    report.write_text(json.dumps(scanned))
    merged = run_json(capsys, "merge", str(report))
    verdicts = {(row["method"], row["path"]): (row["verdict"], row["findings"], row["undecided"])
                for row in scanned["methods"]}
    assert verdicts == {("GET", "/hello_world"): ("fail", ["APIGW005", "IAC003"], ["APIGW005"])}
    assert {(row["method"], row["path"]): (row["verdict"], row["findings"], row["undecided"])
            for row in merged["methods"]} == verdicts
    assert merged["summary"]["verdicts"] == scanned["summary"]["verdicts"]


def test_a_question_mark_in_the_table_is_explained_where_it_shows(capsys, monkeypatch):
    """`?` for an authorizer and scopes a configuration leaves to apply: the legend says what it means; the demo at
    120 columns, whose only such `?` is in the hidden Policy column, gets no such line."""
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("COLUMNS", "100")
    main(["scan", "--terraform", "tests/fixtures/terraform/yegorski-api-gateway-cognito", "--details", "none"])
    out = " ".join(capsys.readouterr().out.split())
    assert "COGNITO access ? ? IAC003" in out
    assert "(? elsewhere = not known: a value the template or configuration leaves to deployment" in out
    monkeypatch.setenv("COLUMNS", "120")
    main(["demo", "--details", "none"])
    assert "? elsewhere" not in capsys.readouterr().out


@pytest.mark.parametrize("view", [["--format", "csv"], ["--format", "html"], ["--details", "all"]])
def test_a_name_left_to_apply_is_never_shown_as_the_internal_marker(capsys, monkeypatch, view):
    """An authorizer named from a variable without a value: CSV cells, the HTML page (its table and chain picture)
    and the terminal's detail say `[unknown: why]`, never `{{unresolved:…}}` (JSON keeps the value as read)."""
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("COLUMNS", "100")
    outputs = []
    for folder in ("yegorski-api-gateway-cognito", "airbnb-rudolph/deployments/terraform_modules/santa_api"):
        main(["scan", "--terraform", f"tests/fixtures/terraform/{folder}", *view])
        outputs.append(capsys.readouterr().out)
    assert not [out for out in outputs if "{{unresolved" in out]
    assert "[unknown: var.prefix has no value" in outputs[1]


@pytest.mark.parametrize("argv", [["rules"], ["rules", "--fields"]])
def test_the_rule_catalog_and_its_fields_fit_80_columns(capsys, monkeypatch, argv):
    """`rules` was laid out 122 cells wide and `rules --fields` let meanings run to 130, whatever COLUMNS said:
    at 80 columns only a single name longer than its column may overflow."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(argv) == 0
    over = [line for line in capsys.readouterr().out.splitlines()  # a long last word is a name that cannot break
            if len(line) > 80 and (len(line) - len(line.split()[-1]) > 80 or len(line.split()[-1]) < 20)]
    assert not over, over[:3]


def test_a_rest_jwt_authorizer_fix_names_where_terraform_writes_it(capsys, monkeypatch):
    """The demo's REST API `members` declares its JWT authorizer in the OpenAPI body of an aws_api_gateway_rest_api:
    HTTP001's and HTTP002's fixes name that, not only the HTTP API's aws_apigatewayv2_authorizer."""
    monkeypatch.chdir(PROJECT)
    report = run_json(capsys, "scan", "--terraform", "tests/fixtures/terraform/demo")
    fixes = [finding["fix"] for finding in report["findings"]
             if finding["rule"] in ("HTTP001", "HTTP002") and finding["api_name"] == "members"]
    assert len(fixes) == 2
    assert all("x-amazon-apigateway-authorizer gives in the OpenAPI body of its aws_api_gateway_rest_api" in fix
               for fix in fixes)


def test_the_chain_picture_says_a_missing_pool_has_no_name_to_read(capsys):
    """A pool that does not exist is "not found", not "(name not read)"; a client without a scope "can obtain: no
    scope", not "can obtain: no scope obtainable"."""
    main(["demo", "--format", "html"])
    page = capsys.readouterr().out
    assert "<title>user pool eu-west-1_Del3ted0: not found: no user pool eu-west-1_Del3ted0 in eu-west-1;" in page
    assert "name not read" not in page and "no scope obtainable" not in page
    assert "can obtain: no scope</title>" in page


def test_a_template_scan_never_shows_the_stand_in_account_as_scanned(capsys, monkeypatch):
    """Without --account and --region a template is judged with stand-ins: the summary and the HTML header say so
    (as the findings write them, ${AWS::AccountId}), not "Scanned 1 account(s) (000000000000)"."""
    monkeypatch.chdir(PROJECT)
    template = "tests/fixtures/templates/sam-cognito/template.yaml"
    main(["scan", "--template", template, "--details", "none"])
    out = " ".join(capsys.readouterr().out.split())
    assert "1 account(s) (${AWS::AccountId}, a stand-in: --account names the account)" in out
    main(["scan", "--template", template, "--format", "html"])
    page = capsys.readouterr().out
    shown = re.sub(r"<[^>]*>", " ", page)  # the page's text, not the attributes its filters key on
    assert "000000000000" not in shown and "region ${AWS::Region}, a stand-in" in shown
    main(["scan", "--template", template, "--account", "111111111111", "--details", "none"])
    assert "1 account(s) (111111111111)" in capsys.readouterr().out


def test_a_template_findings_headers_write_the_stand_in_region_as_the_template_does(capsys, monkeypatch):
    """The detail's header line names the region (and a pool ID built from it) as the finding's own text does."""
    monkeypatch.chdir(PROJECT)
    main(["scan", "--template", "tests/fixtures/templates/sam-cognito/template.yaml", "--details", "all"])
    headers = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("HIGH ", "MEDIUM "))]
    assert headers and not [line for line in headers if "xx-template-1" in line]
    assert "pool ${AWS::Region}_rUserPool  client rAmplifyCognitoClient  ${AWS::Region}" in headers[0]


@pytest.mark.parametrize(("template", "said"), [
    ("tests/fixtures/templates/cdk-cognito/manifest.json",
     "it is a CDK cloud assembly's manifest: give its folder (--template tests/fixtures/templates/cdk-cognito)"),
    ("tests/fixtures/templates/openapi-body/api.yaml",
     "it is an OpenAPI definition: give the template whose API includes it"),
])
def test_a_file_that_is_no_template_says_what_to_give_instead(capsys, monkeypatch, template, said):
    """A CDK manifest or an OpenAPI file given to --template: one line saying what it is and what to give."""
    monkeypatch.chdir(PROJECT)
    assert main(["scan", "--template", template]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "not a CloudFormation template (it has no Resources); " + said in err


def test_the_matrix_legend_says_what_a_stage_of_dash_means(capsys):
    """internal-reports has no stage and webhooks' route none that serves it: their rows' Stage is `-`, which the
    legend explains."""
    main(["demo", "--matrix"])
    out = " ".join(capsys.readouterr().out.split())
    assert "GET /daily - 403 403" in out
    assert "Stage - = no stage serves the method: no URL reaches it." in out
