"""Rule files: the catalog ships, every expression is checked against the declared facts at load, bad files are
named with the bad field, fixes carry runnable commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import PROJECT, SHARED, shared_file
from scanner.cli import main
from scanner.errors import UsageError
from scanner.rules.engine import evaluate
from scanner.rules.loader import load_rule_file, load_rules

GOOD = '''
id = "ACME001"
severity = "medium"
title = "Methods of API shop must use scopes"
applies_to = "method"
seed = "team policy"
condition = "api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes"
message = "{method} {path} takes ID tokens"
fix = "Add a scope to the method."

[[command]]
run = "aws apigateway update-method --rest-api-id {api_id} --http-method {method}"

[[command]]
when = "api_type == 'HTTP'"
run = "aws apigatewayv2 get-api --api-id {api_id}"
'''
# A rule file written for 0.1: `scope` and one `remediation` string. Users' files keep working.
OLD_FORMAT = '''
id = "ACME009"
severity = "low"
title = "Old-style rule"
scope = "method"
seed = "team policy"
condition = "api_name == 'shop'"
message = "{method} {path}: {api_type == 'REST' && 'rest' || 'http'}"
remediation = "Protect it: aws apigateway get-method --rest-api-id {api_id}"
'''
FIX = 'fix = "Add a scope to the method."'
REFUSES = "\n\n[[refuses]]\n{}\n"
METHOD = {"api_name": "shop", "authorization": "COGNITO_USER_POOLS", "scopes": [], "method": "GET", "path": "/me",
          "api_id": "a1", "region": "eu-west-1", "api_type": "REST"}


def catalog_rows() -> list[tuple[str, str, bool, str]]:
    """(ID, severity, planned, source) of each rule in ../shared/rules.md."""
    text = shared_file("rules.md").read_text()
    rows = re.findall(r"^\| ((?:APIGW|COG|LAM|HTTP|IAC|TRF)\d{3}) \| (\w+)( \(planned\))? \|.*\| ([^|]*) \|$",
                      text, re.M)
    # The token checks have no severity column: those that ship as rules say who a method turns away by design
    # (kind = "design"), at severity info; the others (form, times, signature) are `token`'s alone.
    tokens = re.findall(r"^\| (TOK\d{3}) \|.*\| ([^|]*) \|$", text, re.M)
    return [(rule_id, severity, bool(planned), source) for rule_id, severity, planned, source in rows] + [
        (rule_id, "info", True, source) for rule_id, source in tokens]


def test_every_rule_of_the_catalog_ships_and_is_held_to_its_row():
    shipped = {rule.id: rule for rule in load_rules()}
    rows = catalog_rows()
    assert {rule_id for rule_id, _, planned, _ in rows if not planned} <= set(shipped)  # done rules all ship
    assert set(shipped) <= {rule_id for rule_id, _, _, _ in rows}  # nothing ships that the catalog lacks
    for rule_id, severity, _planned, _source in rows:
        if rule_id in shipped:  # a planned rule may be absent; once shipped it matches its row like every other
            assert shipped[rule_id].severity == severity, rule_id


def test_each_rule_cites_the_source_of_its_catalog_row():
    """A rule that encodes a seed article names the article's number (a file of ../shared/seeds/); a rule from
    another AWS source (Knowledge Center, docs) cites it by title, as its catalog row does."""
    shipped = {rule.id: rule for rule in load_rules()}
    seeds = {path.name[:3] for path in (SHARED / "seeds").glob("[0-9][0-9][0-9]_*")}
    for rule_id, _severity, _planned, source in catalog_rows():
        if rule_id not in shipped:
            continue
        cited = shipped[rule_id].seed
        if re.match(r"\d{3}\b", source):
            assert cited[:3] in seeds, f"{rule_id} cites {cited!r}, not a seed article"
        else:
            titles = re.findall(r'"([^"]+)"', cited)
            assert titles and titles[0] in source, f"{rule_id} cites {cited!r}; its catalog row: {source!r}"


def test_each_rule_cites_its_source_and_fixes_with_a_command():
    for rule in load_rules():
        assert rule.seed and rule.title and rule.fix, rule.id
        assert rule.commands, f"{rule.id} has no command"
        assert all(re.match(r"(aws|apigw-scan|jq) ", str(command.template[0])) for command in rule.commands), rule.id
        assert Path(rule.path).name == f"{rule.id}.toml"


def test_custom_rule_directory(tmp_path, capsys):
    (tmp_path / "ACME001.toml").write_text(GOOD)
    rules = load_rules([str(tmp_path)])
    assert "ACME001" in {rule.id for rule in rules}
    [finding] = [f for f in evaluate(rules, {"method": [METHOD]}) if f["rule"] == "ACME001"]
    assert finding["message"] == "GET /me takes ID tokens" and finding["outcome"] == "fail"
    assert finding["fix"] == "Add a scope to the method."
    assert finding["commands"] == ["aws apigateway update-method --rest-api-id a1 --http-method GET"]  # when: HTTP
    assert finding["remediation"] == "Add a scope to the method.\naws apigateway update-method --rest-api-id a1 " \
                                     "--http-method GET"
    assert main(["demo", "--policies", str(tmp_path), "--format", "json"]) == 0
    assert '"rule": "ACME001"' in capsys.readouterr().out


def test_old_rule_files_still_load(tmp_path):
    """Users' rule files of 0.1 (scope, remediation, logic in a placeholder) keep working."""
    (tmp_path / "ACME009.toml").write_text(OLD_FORMAT)
    [rule] = [r for r in load_rules([str(tmp_path)]) if r.id == "ACME009"]
    [finding] = evaluate([rule], {"method": [METHOD]})
    assert finding["message"] == "GET /me: rest"
    assert finding["fix"] == "Protect it." and finding["commands"] == ["aws apigateway get-method --rest-api-id a1"]


def test_placeholders_in_commands_are_shell_words():
    """A value from AWS can never run as shell code in a suggested command."""
    rules = [r for r in load_rules() if r.id == "APIGW012"]
    record = {"api_id": "x; rm -rf ~", "region": "eu-west-1", "authorizer_id": "$(reboot)", "methods_using": 0,
              "authorizer": "a", "type": "TOKEN", "api_name": "n"}
    [finding] = evaluate(rules, {"authorizer": [record]})
    assert finding["commands"] == ["aws apigateway delete-authorizer --region eu-west-1 --rest-api-id "
                                   "'x; rm -rf ~' --authorizer-id '$(reboot)'"]


@pytest.mark.parametrize("change, field, said", [
    (("severity = \"medium\"", "severity = \"urgent\""), "severity", "urgent"),
    (("applies_to = \"method\"", "applies_to = \"route\""), "applies_to", "route"),
    (("condition = \"api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes\"",
      "condition = \"api_name == \""), "condition", "not a valid JMESPath"),
    (("message = \"{method} {path} takes ID tokens\"", "message = \"{method[} broken\""), "message", "placeholder"),
    (("id = \"ACME001\"", "id = \"acme\""), "id", "not a rule ID"),
    (("seed = \"team policy\"\n", ""), "seed", "missing"),
    (("title", "titel"), "titel", "unknown field"),
    # Typos in fact names are load errors with the closest known name, in every expression.
    (("&& !scopes", "&& !scops"), "condition", "did you mean `scopes`"),
    (("{method} {path}", "{method} {pth}"), "message", "did you mean `path`"),
    (("--http-method {method}", "--http-method {methd}"), "command[1].run", "did you mean `method`"),
    (("when = \"api_type == 'HTTP'\"", "when = \"api_typ == 'HTTP'\""), "command[2].when", "did you mean `api_type`"),
    # A bare null is a field name to JMESPath: the rule would work only by accident.
    (("&& !scopes", "&& authorizer != null"), "condition", "literal"),
    (("&& !scopes", "&& item.stage"), "condition", "for_each"),
    (("&& !scopes", "&& pools[0].statuss"), "condition", "did you mean `status`"),
    (("&& !scopes", "&& stage_comparison[?stag == 'prod']"), "condition", "did you mean `stage`"),
    (("applies_to = \"method\"", "applies_to = \"method\"\nfor_each = \"api_name\""), "for_each", "not a list"),
    # `!` binds tighter than `.`: `!pools.status` is `(!pools).status`, null whatever the facts say.
    (("&& !scopes", "&& !pools.status"), "condition", "binds tighter"),
    (("&& !scopes", "&& !(pools[0].status)"), None, None),
    (("seed = \"team policy\"", "source = 'docs \"Gateway response types\"'"), None, None),
    (("seed = \"team policy\"", "seed = \"a\"\nsource = \"b\""), "source", "another name"),
    # Whom a finding turns away: the step, the status and the callers are checked, the expressions too.
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 401\ncallers = "token"\nclients = "[\'web\']"')), None,
     None),
    ((FIX, FIX + REFUSES.format('step = "somewhere"\nstatus = 401')), "refuses[1].step", "expected one of endpoint"),
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 402')), "refuses[1].status", "expected one of 401"),
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 401\ncallers = ["robot"]')), "refuses[1].callers",
     "a list of caller kinds"),
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 401\nselect = "callers[?kynd == \'id\']"')),
     "refuses[1].select", "did you mean `kind`"),
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 401\npools = "api_name"')), "refuses[1].pools",
     "is not a list"),
    ((FIX, FIX + REFUSES.format('step = "scopes"\nstatus = 401\nwho = "all"')), "refuses[1].who", "unknown key"),
    # `through`: the CloudFront behaviours (entries of cloudfront_routes) whose callers it turns away.
    ((FIX, FIX + REFUSES.format('step = "endpoint"\nstatus = 403\nthrough = "cloudfront_routes[?host_forwarded]"')),
     None, None),
    ((FIX, FIX + REFUSES.format('step = "endpoint"\nstatus = 403\nthrough = "api_name"')), "refuses[1].through",
     "is not a list"),
    ((FIX, FIX + REFUSES.format('step = "endpoint"\nstatus = 403\nthrough = "cloudfront_routes[?host_forwardd]"')),
     "refuses[1].through", "did you mean `host_forwarded`"),
    (("id = \"ACME001\"", "id = \"ACME001\"\nkind = \"design\""), "severity", "severity \"info\""),
    (("id = \"ACME001\"", "id = \"ACME001\"\nkind = \"taste\""), "kind", "expected one of misconfiguration"),
])
def test_malformed_rule_names_file_and_field(tmp_path, change, field, said):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(*change))
    if field is None:  # the well-formed neighbour of a mistake loads
        assert load_rule_file(path).id == "ACME001"
        return
    with pytest.raises(UsageError) as error:
        load_rule_file(path)
    assert str(path) in str(error.value) and f"field '{field}'" in str(error.value), error.value
    assert said in str(error.value)


def test_a_typo_in_a_users_rule_stops_the_scan_with_one_line(tmp_path, capsys):
    (tmp_path / "ACME003.toml").write_text(GOOD.replace("ACME001", "ACME003").replace(
        "condition = \"api_name == 'shop' && authorization == 'COGNITO_USER_POOLS' && !scopes\"",
        "condition = \"identity_hedaer == 'X-Token'\"").replace('applies_to = "method"', 'applies_to = "authorizer"')
        .replace("{method} {path} takes ID tokens", "x").replace("--http-method {method}", ""))
    assert main(["rules", "--policies", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "did you mean `identity_header`" in err and len(err.strip().splitlines()) == 1


def test_builtin_rules_compute_nothing_in_placeholders(tmp_path):
    import tomllib

    from scanner.rules.loader import parse_rule
    data = tomllib.loads(OLD_FORMAT.replace("scope =", "applies_to =").replace("remediation =", "fix ="))
    with pytest.raises(UsageError, match="field 'refuses': missing: declare whom a finding turns away"):
        parse_rule(data, "policies/ACME009.toml", strict=True)
    with pytest.raises(UsageError, match="placeholders only read facts"):
        parse_rule({**data, "refuses": []}, "policies/ACME009.toml", strict=True)


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
    [finding] = evaluate(rules, {"method": [{"api_name": None}]})
    assert finding["outcome"] == "unknown" and "could not be evaluated" in finding["message"]


def test_shared_folder_is_beside_the_project():
    # The SARIF schema and the catalog are read from ../shared, never copied into the project.
    assert not list(PROJECT.glob("**/sarif-schema*.json"))
    assert SHARED.name == "shared"


def test_every_rule_has_a_test_that_fires_it_and_one_that_keeps_it_quiet():
    """ScoutSuite finds a rule's test by the rule's name: so do we, for every policies/*.toml. And a fire test must
    assert what the rule does to a method — its verdict and severity, through helpers.assert_fires with the rule's
    ID, `verdict=` and `severity=` — not only that a finding exists."""
    import ast

    functions = [node for path in (PROJECT / "tests").glob("test_*.py")
                 for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)]
    names = {node.name for node in functions}
    effects = {(function.name, call.args[1].value) for function in functions for call in ast.walk(function)
               if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "assert_fires"
               and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant)
               and {"verdict", "severity"} <= {keyword.arg for keyword in call.keywords}}
    for path in sorted((PROJECT / "policies").glob("*.toml")):
        rule = path.stem.lower()
        assert any(name.startswith(f"test_{rule}_fires") for name in names), f"no test_{rule}_fires…"
        assert any(name.startswith(f"test_{rule}_quiet") for name in names), f"no test_{rule}_quiet…"
        assert any(name.startswith(f"test_{rule}_fires") and asserted == path.stem for name, asserted in effects), \
            f"no test_{rule}_fires… asserts the verdict and severity (assert_fires(report, {path.stem!r}, verdict=…, " \
            "severity=…))"


def test_the_rule_writers_guide_lists_the_declared_fields(capsys):
    """policies/README.md carries the fields as `rules --fields --format markdown` prints them."""
    from scanner.rules.guide import GENERATED_END, GENERATED_START

    guide = (PROJECT / "policies" / "README.md").read_text()
    generated = guide[guide.index(GENERATED_START):guide.index(GENERATED_END) + len(GENERATED_END)] + "\n"
    assert main(["rules", "--fields", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == generated, "regenerate it: make guide"
    assert main(["rules", "--fields", "method"]) == 0
    out = capsys.readouterr().out
    assert "obtainable_required_scopes" in out and "authorizer records" not in out
    assert main(["rules", "--fields", "methods"]) == 2
    assert "expected one of method" in capsys.readouterr().err


def test_severity_when_gives_a_finding_another_severity(tmp_path):
    """[[severity_when]]: the first `when` that holds gives the finding its severity (IAC003 lowers itself to
    medium when a deployment's triggers hash only IDs); a table without `when` or with an unknown severity is a
    load error naming the field."""
    text = GOOD.replace("[[command]]", '[[severity_when]]\nwhen = "api_key_required"\nseverity = "low"\n\n'
                                       '[[command]]', 1)
    (tmp_path / "ACME001.toml").write_text(text)
    [rule] = [r for r in load_rules([str(tmp_path)]) if r.id == "ACME001"]
    [plain] = evaluate([rule], {"method": [METHOD]})
    [lowered] = evaluate([rule], {"method": [{**METHOD, "api_key_required": True}]})
    assert (plain["severity"], lowered["severity"]) == ("medium", "low")
    assert lowered["method_verdict"] == "warn"
    for broken, field in (('severity = "lowest"', "severity_when[1].severity"), ('when = "api_key_requird"',
                                                                                  "severity_when[1].when")):
        (tmp_path / "ACME001.toml").write_text(text.replace('severity = "low"' if "lowest" in broken else
                                                            'when = "api_key_required"', broken))
        with pytest.raises(UsageError, match=re.escape(f"field '{field}'")):
            load_rule_file(tmp_path / "ACME001.toml")



def test_severity_when_leaves_whom_a_finding_turns_away(tmp_path):
    """The judge's [[refuses]] and [[severity_when]] are independent: a finding given another severity turns away
    the same callers with the same status (the matrix and `token` read its refusals, not its severity); a design
    rule, whose findings are info by definition, may not change its severity."""
    refusing = GOOD.replace("[[command]]", '[[refuses]]\nstep = "scopes"\nstatus = 401\ncallers = "token"\n\n'
                                           '[[severity_when]]\nwhen = "api_key_required"\nseverity = "low"\n\n'
                                           '[[command]]', 1)
    (tmp_path / "ACME001.toml").write_text(refusing)
    [rule] = [r for r in load_rules([str(tmp_path)]) if r.id == "ACME001"]
    [plain] = evaluate([rule], {"method": [METHOD]})
    [lowered] = evaluate([rule], {"method": [{**METHOD, "api_key_required": True}]})
    assert (plain.severity, lowered.severity) == ("medium", "low")
    assert plain.refusals == lowered.refusals and [r.status for r in lowered.refusals] == ["401"]
    design = refusing.replace('severity = "medium"', 'severity = "info"\nkind = "design"', 1)
    (tmp_path / "ACME001.toml").write_text(design)
    with pytest.raises(UsageError, match=re.escape("field 'severity_when'")):
        load_rule_file(tmp_path / "ACME001.toml")
