"""The command line per docs/interface.md: commands, formats, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import os

import pytest

from helpers import PROJECT, findings, one_line_error, run_cli
from scanner.arguments import build_parser
from scanner.cli import main
from scanner.rules.loader import load_rules


def test_demo_prints_the_table_and_exits_0():
    result = run_cli("demo")
    assert result.returncode == 0, result.stderr
    assert "APIGW001" in result.stdout and "COG006" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 120


def test_demo_fail_on_given_explicitly_decides_the_exit_code(capsys):
    assert main(["demo", "--fail-on", "high", "--quiet"]) == 1
    assert main(["demo", "--fail-on", "never", "--quiet"]) == 0


def test_demo_json_follows_the_contract(capsys):
    assert main(["demo", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "apigw-scan/1" and report["account"] == "123456789012"
    assert report["regions"] == ["eu-west-1"]
    method_fields = {"region", "api_id", "api_name", "api_type", "path", "method", "stages", "authorization",
                     "authorizer", "token", "scopes", "verdict", "findings"}
    finding_fields = {"rule", "severity", "title", "message", "remediation", "region", "api_id", "api_name",
                      "path", "method", "stage", "pool_id", "client_id"}
    assert all(method_fields <= set(row) for row in report["methods"])
    assert all(finding_fields <= set(f) for f in report["findings"])
    assert {row["verdict"] for row in report["methods"]} <= {"ok", "warn", "fail", "unknown"}
    assert {row["token"] for row in report["methods"]} <= {"id", "access", "id-or-access", "lambda", "iam", "none"}
    shipped = {rule.id for rule in load_rules() if rule.kind != "design"}  # the method's design: matrix and token
    # the demo shows every rule but those that judge templates (tests/test_templates.py shows IAC001 and IAC002,
    # tests/test_terraform.py IAC003)
    assert shipped - {"IAC001", "IAC002", "IAC003"} == {f["rule"] for f in report["findings"]}
    unknown = [f for f in report["findings"] if f["outcome"] == "unknown"]
    # The shared pool cannot be read; the legacy policy cannot be evaluated; orders-v2's beta stage lacks the stage
    # variable its authorizer's function is named by; members-bff's route served successful requests today, which
    # contradicts HTTP001's prediction.
    assert {f["rule"] for f in unknown} == {"APIGW005", "APIGW006", "APIGW013", "LAM001", "HTTP001"}
    assert {f["evidence"] for f in report["findings"]} == {"confirmed", "contradicted", "no-traffic", None}
    assert {row["api_type"] for row in report["methods"]} == {"REST", "HTTP"}


def test_output_file(tmp_path, capsys):
    target = tmp_path / "report.json"
    assert main(["demo", "--format", "json", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text())["methods"]


def test_rules_lists_the_catalog(capsys):
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == len(list((PROJECT / "policies").glob("*.toml")))
    assert all(rule["seed"] and rule["title"] for rule in listed)
    by_id = {rule["id"]: rule for rule in listed}
    # where each rule acts and whom it turns away, as its file declares ([[refuses]]); design rules say so
    assert by_id["APIGW002"]["kind"] == "misconfiguration" and by_id["TOK006"]["kind"] == "design"
    refusals = by_id["TOK006"]["refuses"]
    assert {(refusal["step"], refusal["status"]) for refusal in refusals} == {("scopes", 403), ("scopes", 401)}
    assert by_id["COG009"]["refuses"] == []
    assert main(["rules"]) == 0
    assert "APIGW012" in capsys.readouterr().out


def test_unknown_format_is_a_usage_error():
    result = run_cli("scan", "--format", "xml")
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr and "Traceback" not in result.stderr


def test_unknown_region_is_one_line_and_exit_2():
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    result = run_cli("scan", "--region", "mars-north-1", env=env)
    assert result.returncode == 2
    assert one_line_error(result.stderr).startswith("apigw-scan: error: unknown region mars-north-1")


def test_no_credentials_is_one_line_and_exit_2(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(empty), AWS_SHARED_CREDENTIALS_FILE=str(empty), AWS_EC2_METADATA_DISABLED="true",
               AWS_DEFAULT_REGION="eu-west-1", HOME=str(tmp_path))
    result = run_cli("scan", env=env)
    assert result.returncode == 2
    assert "no AWS credentials found" in one_line_error(result.stderr)


def test_missing_region_says_how_to_give_one(account, capsys, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert main(["scan"]) == 2
    assert "pass --region" in capsys.readouterr().err


def test_api_that_does_not_exist_lists_the_apis(account, capsys):
    account.seed.create_rest_api(account.apigateway, "shop")
    assert main(["scan", "--region", "eu-west-1", "--api", "nope"]) == 2
    error = one_line_error(capsys.readouterr().err)
    assert "--api nope: no API" in error and "shop (" in error


def test_stage_that_does_not_exist_lists_the_stages(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    assert main(["scan", "--region", "eu-west-1", "--stage", "qa"]) == 2
    assert "stages: prod" in one_line_error(capsys.readouterr().err)


def test_scan_exit_codes_follow_fail_on(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/me", "GET", [])))
    assert main(["scan", "--region", "eu-west-1", "--format", "json"]) == 0  # APIGW007 is only low
    assert main(["scan", "--region", "eu-west-1", "--fail-on", "low", "--format", "json"]) == 1
    capsys.readouterr()


def test_api_filter_selects_by_name_or_id(account, capsys):
    pool = account.healthy_pool()
    first = account.cognito_api(pool["arn"], name="first")
    account.cognito_api(pool["arn"], name="second")
    for selector in ("first", first["api_id"]):
        assert main(["scan", "--region", "eu-west-1", "--api", selector, "--format", "json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert {row["api_name"] for row in report["methods"]} == {"first"}


def test_snapshot_round_trip_gives_the_same_findings(account, tmp_path, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], deploy=None)
    saved = tmp_path / "snap.json"
    assert main(["scan", "--region", "eu-west-1", "--format", "json", "--save-snapshot", str(saved)]) == 1
    live = json.loads(capsys.readouterr().out)
    assert main(["scan", "--snapshot", str(saved), "--format", "json"]) == 1
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["findings"] == live["findings"] and findings(live, "APIGW004")


def test_half_written_snapshot_is_a_clear_error(tmp_path, capsys):
    broken = tmp_path / "snap.json"
    broken.write_text('{"schema": "apigw-scan-snapshot/1", "rest_apis": [')
    assert main(["scan", "--snapshot", str(broken)]) == 2
    assert "half-written" in one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("command", [["scan", "--help"], ["demo", "--help"], ["rules", "--help"]])
def test_help_exits_0(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main(command)
    assert exited.value.code == 0


def test_every_package_of_the_scanner_is_installed():
    """A non-editable install (pip install ., the Dockerfile) ships only the packages pyproject.toml names."""
    import tomllib

    from helpers import PROJECT

    listed = set(tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(path.parent.relative_to(PROJECT).parts) for path in (PROJECT / "scanner").rglob("*.py")
             if "__pycache__" not in path.parts}
    assert found <= listed, f"pyproject.toml does not ship {sorted(found - listed)}"
    assert all((PROJECT / package.replace(".", "/") / "__init__.py").exists() for package in found)


@pytest.mark.parametrize(("argv", "said"), [
    (["scan", "--format", "jsno"], "invalid choice: 'jsno' (choose from 'table', 'json', 'sarif', 'csv', 'html'); "
                                   "did you mean json? (see apigw-scan scan --help)"),
    (["scna"], "did you mean scan?"),
    (["matrix", "--format", "sarif"], "(choose from 'table', 'json', 'csv')"),
    (["token", "--api", "shop"], "the following arguments are required: --path, --method, TOKEN"),
    (["scan", "--concurrency", "many"], "argument --concurrency: invalid int value: 'many'"),
    (["scan", "--region", "EU WEST"], "argument --region: 'EU WEST' is not a region name; expected one such as "
                                      "eu-west-1 (see"),
    (["matrix", "--region", "eu_west_1"], "expected one such as eu-west-1; did you mean eu-west-1?"),
    (["token", "--region", "eu-west-1;id", "--api", "a", "--path", "/", "--method", "GET", "x"],
     "'eu-west-1;id' is not a region name"),
])
def test_a_bad_argument_is_one_line_that_says_what_was_expected(argv, said, capsys):
    """argparse's errors are one line (the choices, the closest one), not the 20-line usage."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "usage:" not in err and said in err


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "eusc-de-east-1", "mars-north-1"])
def test_a_region_botocore_does_not_list_still_passes_the_argument_check(region):
    """Only a name no region can have is refused: regions newer than botocore must keep working."""
    assert build_parser().parse_args(["scan", "--region", region]).region == [region]


@pytest.mark.parametrize(("argv", "said"), [
    (["scan", "--terraform", "tests/fixtures/terraform/demo/main.tf"],
     "--terraform tests/fixtures/terraform/demo/main.tf: is a file; expected the root module's folder (the one that "
     "holds it: --terraform tests/fixtures/terraform/demo)"),
    (["scan", "--terraform-plan", "tests/fixtures/terraform/plans"],
     "--terraform-plan tests/fixtures/terraform/plans: is a directory; expected the JSON file terraform show -json "
     "PLAN writes"),
])
def test_a_file_for_a_folder_and_a_folder_for_a_file_say_what_was_expected(argv, said, capsys, monkeypatch):
    """A file where a folder belongs (and the other way round) is one line that says what was expected, not "no
    such folder" or the operating system's "Is a directory"."""
    monkeypatch.chdir(PROJECT)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and said in err
