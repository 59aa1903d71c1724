"""Hostile configurations and plans: public fixtures with a wrong type anywhere, references to nothing, cycles,
huge or control-laden strings, broken syntax, deep nesting. Each run ends in a report (the value unknown) or one
line on stderr (exit 2), never a traceback; the HTML report never carries a payload raw."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import PROJECT, RULES
from scanner.cli import main
from scanner.errors import UsageError
from scanner.findings import plain
from scanner.render.terminal import render_table
from scanner.scan import judge_snapshots
from scanner.terraform.assemble import TerraformOptions
from scanner.terraform.snapshot import terraform_snapshot

FIXTURES = PROJECT / "tests" / "fixtures" / "terraform"
FILES = [
    ("terraform-provider-aws/deployment-docs", "main.tf"),
    ("yegorski-api-gateway-cognito", "api_gateway.tf"),
    ("yegorski-api-gateway-cognito", "cognito.tf"),
    ("serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "apigateway.tf"),
    ("serverless-patterns/apigw-http-api-waf-cloudfront-terraform", "authorizer.tf"),
    ("terraform-provider-aws/api-gateway-rest-api-openapi", "rest-api.tf"),
]
PAYLOAD = "<script>alert(1)</script>\u001b[31m"
ODD_VALUES = [
    "5", "true", "null", "{ a = 1 }", "[1, [2, [3]]]", '"${var.nope}"', '"' + "A" * 5000 + '"',
    "aws_cognito_user_pool.nope.arn", "local.nope", "module.nope.out", "data.aws_x.y.z", f'"{PAYLOAD}"',
    'tonumber("x")', "1 / 0", 'file("/etc/passwd")', "self.x", "[for x in 5 : x]", "sha1(timestamp())",
    '{ for k, v in "s" : k => v }', "upper([])", "each.value", "count.index", "jsondecode(\"{\")",
    "[" * 60 + "]" * 60, 'templatefile("nowhere.tpl", {})', "provider::aws::arn_parse(\"x\")", '"%{ if 3 }x%{ endif }"',
    'regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")', "range(1000000)", "-(\"x\")",
    "aws_api_gateway_rest_api.example[7].id", 'lookup({}, "k")', '"${[1]}"', "merge(1, 2)", "<<EOT\n${5}\nEOT",
]


def run(args):
    """(exit code, stderr) of one scan through the command line; stdout is a whole report when the exit says so."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    if code in (0, 1):
        json.loads(out.getvalue())
    return code, err.getvalue()


def judged(**given):
    """What the command line does for --terraform (DIR or PLAN), without reloading the rules every time: the
    report, or the one-line UsageError the command line prints (exit 2). Anything else is a traceback."""
    try:
        snapshot = terraform_snapshot(TerraformOptions(**given))
    except UsageError as error:
        assert len(str(error).strip().splitlines()) == 1, str(error)
        return None
    report = judge_snapshots([snapshot], None, None, RULES)
    json.dumps(plain(report))
    render_table(plain(report))
    return report


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(FILES), changes=st.lists(st.tuples(st.integers(0, 400), st.sampled_from(ODD_VALUES)),
                                                      min_size=1, max_size=3))
def test_odd_values_anywhere_are_unknown_or_one_line(tmp_path_factory, file, changes):
    folder = tmp_path_factory.mktemp("tf") / "configuration"
    shutil.copytree(FIXTURES / file[0], folder)
    path = folder / file[1]
    lines = path.read_text().splitlines()
    assignments = [index for index, line in enumerate(lines) if " = " in line and not line.strip().startswith("#")]
    for position, value in changes:
        if assignments:
            index = assignments[position % len(assignments)]
            lines[index] = lines[index].split(" = ", 1)[0] + " = " + value
    path.write_text("\n".join(lines) + "\n")
    judged(folder=str(folder))


@pytest.mark.parametrize("value", ["{ a = 1 }", "[1, [2]]", "true", "5", '"5"'])
def test_every_argument_of_the_wrong_type_is_unknown_or_left_out(tmp_path, value):
    """Each argument of terraform-provider-aws' deployment example set to a value of the wrong type: Terraform
    refuses it; the reader gives a report (seen once as a crash: a stage name that was an object)."""
    shutil.copytree(FIXTURES / "terraform-provider-aws/deployment-docs", tmp_path / "configuration")
    path = tmp_path / "configuration" / "main.tf"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.split(" = ", 1)[0] + " = " + value if " = " in line and "#" not in line
                              and not line.rstrip().endswith(("{", "(", "[")) else line for line in lines) + "\n")
    assert judged(folder=str(tmp_path / "configuration")) is not None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(FILES), cut=st.integers(0, 5000), junk=st.sampled_from(
    ["", "}", "{", '"', "${", "%{", "<<EOF", "\x00", "resource", "= = =", "\\", "\r\n\r\n", "\ufeff"]))
def test_broken_syntax_is_one_line(tmp_path_factory, file, cut, junk):
    folder = tmp_path_factory.mktemp("tf") / "configuration"
    shutil.copytree(FIXTURES / file[0], folder)
    path = folder / file[1]
    text = path.read_text()
    path.write_text(text[:cut % (len(text) + 1)] + junk + text[cut % (len(text) + 1):])
    judged(folder=str(folder))


def test_deep_nesting_and_cycles_are_unknown(tmp_path):
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n  deep = ' + "[" * 300 + "]" * 300 + '\n}\n'
        'resource "aws_api_gateway_rest_api" "api" {\n  name = local.a\n  policy = local.deep\n}\n'
        'resource "aws_api_gateway_resource" "r" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n'
        '  parent_id = aws_api_gateway_resource.r.id\n  path_part = "x"\n}\n')
    code, err = run(["scan", "--terraform", str(tmp_path), "--format", "json", "--fail-on", "never"])
    assert "Traceback" not in err and (code == 0 or len(err.strip().splitlines()) == 1), err


def test_a_payload_in_a_name_never_reaches_the_html_raw(tmp_path):
    (tmp_path / "main.tf").write_text(
        f'resource "aws_api_gateway_rest_api" "api" {{\n  name = "{PAYLOAD}"\n}}\n'
        'resource "aws_api_gateway_resource" "r" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n'
        '  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n  path_part = "x"\n}\n'
        'resource "aws_api_gateway_method" "m" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n'
        '  resource_id = aws_api_gateway_resource.r.id\n  http_method = "GET"\n  authorization = "NONE"\n}\n')
    html = tmp_path / "report.html"
    code, err = run(["scan", "--terraform", str(tmp_path), "--format", "json", "--html", str(html),
                     "--fail-on", "never"])
    assert code == 0, err
    assert "<script>alert(1)" not in html.read_text() and "\u001b" not in html.read_text()


PLAN = FIXTURES / "aws-sam-cli" / "terraform-v1-api-simple" / "custom-plan.json"
ODD_JSON = [None, 5, "x" * 5000, [], {}, [[[]]], {"a": {"b": None}}, True, PAYLOAD, -1.5]


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


PLAN_PATHS = list(_paths(json.loads(PLAN.read_text())))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(PLAN_PATHS), st.sampled_from(ODD_JSON)), min_size=1, max_size=4))
def test_a_plan_with_odd_values_anywhere_is_unknown_or_one_line(tmp_path_factory, changes):
    data = json.loads(PLAN.read_text())
    for path, value in changes:
        target = data
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the path
    plan = tmp_path_factory.mktemp("plan") / "plan.json"
    plan.write_text(json.dumps(data))
    judged(plan=str(plan))
