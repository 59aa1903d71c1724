"""Rule files: every catalog rule ships with its seed and a runnable fix; bad files are named with the bad field."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import PROJECT, SHARED
from scanner.cli import main
from scanner.errors import UsageError
from scanner.rules.engine import evaluate
from scanner.rules.loader import load_rule_file, load_rules

GOOD = '''
id = "ACME001"
severity = "medium"
title = "Methods of API shop must use scopes"
scope = "method"
seed = "team policy"
condition = "api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes"
message = "{method} {path} takes ID tokens"
remediation = "aws apigateway update-method --rest-api-id {api_id}"
'''


def test_every_rest_and_cognito_rule_of_the_catalog_ships():
    shipped = {rule.id: rule for rule in load_rules()}
    catalog = PROJECT.parent / "shared" / "rules.md"
    if not catalog.exists():
        pytest.skip("../shared/rules.md is not beside this clone")
    expected = set(re.findall(r"^\| ((?:APIGW|COG|LAM|HTTP)\d{3}) \| (\w+) \|", catalog.read_text(), re.M))
    assert {rule_id for rule_id, _ in expected} == set(shipped)
    for rule_id, severity in expected:
        assert shipped[rule_id].severity == severity, rule_id


def test_each_rule_has_seed_title_and_a_cli_remediation():
    for rule in load_rules():
        assert re.search(r"\b00[34]\b", rule.seed), rule.id
        text = tomllib.loads(Path(rule.source).read_text())["remediation"]
        assert "aws " in text or "apigw-scan " in text, rule.id
        assert Path(rule.source).name == f"{rule.id}.toml"


def test_custom_rule_directory(tmp_path, capsys):
    (tmp_path / "ACME001.toml").write_text(GOOD)
    rules = load_rules([str(tmp_path)])
    assert "ACME001" in {rule.id for rule in rules}
    facts = {"methods": [{"api_name": "shop", "authorization": "COGNITO_USER_POOLS", "scopes": [], "method": "GET",
                          "path": "/me", "api_id": "a1", "region": "eu-west-1"}]}
    [finding] = [f for f in evaluate(rules, facts) if f["rule"] == "ACME001"]
    assert finding["message"] == "GET /me takes ID tokens" and finding["outcome"] == "fail"
    assert main(["demo", "--policies", str(tmp_path), "--format", "json"]) == 0
    assert '"rule": "ACME001"' in capsys.readouterr().out


@pytest.mark.parametrize("change, field", [
    (("severity = \"medium\"", "severity = \"urgent\""), "severity"),
    (("scope = \"method\"", "scope = \"route\""), "scope"),
    (("condition = \"api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes\"",
      "condition = \"api_name == \""), "condition"),
    (("message = \"{method} {path} takes ID tokens\"", "message = \"{method[} broken\""), "message"),
    (("id = \"ACME001\"", "id = \"acme\""), "id"),
    (("seed = \"team policy\"\n", ""), "seed"),
    (("title", "titel"), "titel"),
])
def test_malformed_rule_names_file_and_field(tmp_path, change, field):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(UsageError) as error:
        load_rule_file(path)
    assert str(path) in str(error.value) and f"field '{field}'" in str(error.value)


def test_invalid_toml_and_duplicate_ids(tmp_path):
    (tmp_path / "a.toml").write_text("id = ")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_rules([str(tmp_path)])
    (tmp_path / "a.toml").write_text(GOOD.replace("ACME001", "APIGW001"))
    with pytest.raises(UsageError, match="already defined"):
        load_rules([str(tmp_path)])


def test_policies_that_is_not_a_directory(tmp_path, capsys):
    assert main(["rules", "--policies", str(tmp_path / "nowhere")]) == 2
    assert "expected a directory of rule files" in capsys.readouterr().err


def test_a_rule_that_fails_on_odd_facts_is_unknown_not_a_crash(tmp_path):
    (tmp_path / "ACME002.toml").write_text(GOOD.replace("ACME001", "ACME002").replace(
        "condition = \"api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes\"",
        "condition = \"length(api_name) > `3`\""))
    rules = [rule for rule in load_rules([str(tmp_path)]) if rule.id == "ACME002"]
    [finding] = evaluate(rules, {"methods": [{"api_name": None}]})
    assert finding["outcome"] == "unknown" and "could not be evaluated" in finding["message"]


def test_shared_folder_is_beside_the_project():
    # The SARIF schema and the catalog are read from ../shared, never copied into the project.
    assert not list(PROJECT.glob("**/sarif-schema*.json"))
    assert SHARED.name == "shared"
