"""Mutated real templates never crash: the committed public templates (tests/fixtures/templates/SOURCES.md) with one
to three structural mutations — a number where a map belongs, a bad intrinsic function, a name that is a map, a
5,000-character string, an HTML/ANSI payload, a long AWS::Include path — each scanned as a user would. Every run
ends in a report (JSON that parses) or a one-line error (exit 2); the HTML report never carries the payload raw.

Before issue 28, 7 of 240 such runs on public templates ended in a traceback: AttributeError on `Properties: -1`,
TypeError "unhashable type: 'dict'" where a name belongs, OSError on a long AWS::Include path."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.cli import main
from scanner.templates.load import load_templates, plain

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
TEMPLATES = ["cfn-methods/template.yaml", "sam-cognito/template.yaml", "lambda-authorizer/template.yaml",
             "http-jwt/template.yaml", "openapi-body/template.yaml", "apigw-usage-plans/template.yaml",
             "apigw-private-lambda/template.yaml", "apigw-http-api-lambda/template.yml",
             "cdk-cognito/CognitoUserPoolsAuthorizerInteg.template.json"]
PAYLOAD = '<script>alert("apigw")</script>\x1b[31mred\x1b[0m'
MUTANTS = [
    -1, 3.5, True, None, "x" * 5000, PAYLOAD, [PAYLOAD, 1, None], {"a": PAYLOAD},
    {"Ref": {"not": "a name"}}, {"Fn::GetAtt": 5}, {"Fn::GetAtt": ["Api", {"Attr": 1}]}, {"Fn::Sub": [1, 2, 3]},
    {"Fn::Sub": "${" + PAYLOAD + "}"}, {"Fn::If": "no"}, {"Fn::Join": "x"}, {"Fn::Select": ["a", 5]},
    {"Fn::FindInMap": [1]}, {"Fn::Split": [1, 2]}, {"Fn::ImportValue": {"a": 1}}, {"Condition": ["x"]},
    {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "deep/" * 2000 + "api.yaml"}}},
]


def _bodies() -> dict[str, dict]:
    return {name: plain(load_templates([str(FIXTURES / name)])[0].body) for name in TEMPLATES}


BODIES = _bodies()


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


@st.composite
def mutated(draw):
    """(fixture name, its body with 1-3 mutations)."""
    name = draw(st.sampled_from(TEMPLATES))
    body = json.loads(json.dumps(BODIES[name], default=str))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([path for path in _paths(body) if path]))
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        mutant = copy.deepcopy(draw(st.sampled_from(MUTANTS)))  # a later mutation may land inside it
        if isinstance(parent, dict) and draw(st.booleans()):
            parent[draw(st.sampled_from([PAYLOAD, "k" * 5000, str(path[-1])]))] = mutant  # a hostile key
        else:
            parent[path[-1]] = mutant
    return name, body


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(case=mutated())
def test_a_mutated_public_template_is_a_report_or_one_line_never_a_traceback(case, tmp_path_factory, capsys):
    name, body = case
    folder = tmp_path_factory.mktemp("mutant")
    for sibling in (FIXTURES / name).parent.iterdir():  # what the template includes (openapi-body's api.yaml)
        if sibling.is_file():
            shutil.copy(sibling, folder / sibling.name)
    template = folder / (Path(name).stem + ".json")
    template.write_text(json.dumps(body, default=str))
    html = folder / "report.html"
    code = main(["scan", "--template", str(template), "--format", "json", "--fail-on", "never", "--html", str(html)])
    out, err = capsys.readouterr()
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("apigw-scan: error: "), err[:2000]
        assert "\x1b" not in lines[0]  # the payload's escape is shown escaped, never sent to the terminal
        return
    assert code == 0, err[:2000]
    report = json.loads(out)
    assert isinstance(report["findings"], list) and "Traceback" not in err
    page = html.read_text()
    assert "<script>alert(" not in page and "\x1b[" not in page
