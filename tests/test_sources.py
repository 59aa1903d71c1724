"""Every rule cites the AWS article it comes from by its title (and address, where the Knowledge Center has one), so
`rules`, SARIF and the HTML report point to a source a user of the clone can open (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.render.sarif import render_sarif
from scanner.rules.loader import load_rules
from scanner.rules.sources import articles, cited

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def test_every_builtin_rule_resolves_to_titled_sources():
    for rule in load_rules():
        citations = cited(rule.seed)
        assert citations, rule.id
        assert all(citation["kind"] in ("article", "docs") for citation in citations), (rule.id, citations)
        for citation in citations:
            assert citation["title"] and not citation["title"].startswith(("003", "004")), rule.id
            if citation["kind"] == "article":
                assert citation["url"].startswith("https://repost.aws/knowledge-center/"), rule.id


def test_a_seed_article_citation_keeps_its_passage():
    [citation] = cited('003 "The API is deployed"')
    assert citation["title"].startswith('How do I troubleshoot "401 Unauthorized" errors')
    assert citation["passages"] == ["The API is deployed"]
    two = cited('003 "Important: x"; 004 "the OAuth Scopes option is misconfigured"')
    assert [c["url"].rsplit("/", 1)[1] for c in two] == ["api-gateway-cognito-401-unauthorized",
                                                       "cognito-api-gateway-integrations"]
    assert cited("my own team's runbook")[0]["kind"] == "note"  # a user's rule may cite anything
    [terraform] = cited('Terraform docs "aws_api_gateway_deployment"')
    assert terraform["title"] == "Terraform AWS provider documentation: aws_api_gateway_deployment"


def test_catalog_titles_are_the_first_lines_of_the_seed_articles():
    """The two seed articles the scanner was written from, as the repository's sources hold them (skipped in a
    clone without them)."""
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not beside this clone")
    for name, path in (("003", "003_4009802cb89422c7.txt"), ("004", "004_85609b7c407f8fb5.txt")):
        first_line = (SEEDS / path).read_text(encoding="utf-8").splitlines()[0].strip()
        assert articles()[name]["title"] == first_line


def test_rules_lists_titles_and_json_carries_the_sources(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "Source (AWS article)" in out and "How do I troubleshoot" in out and '003 "' not in out
    assert main(["rules", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    first = next(entry for entry in entries if entry["id"] == "APIGW001")
    assert first["seed"].startswith("003")
    assert first["sources"][0]["url"].endswith("api-gateway-cognito-401-unauthorized")


def test_sarif_rules_link_to_their_article():
    rules = load_rules()
    report = {"findings": [], "errors": [], "methods": [], "summary": {}, "notes": []}
    driver = render_sarif(report, rules)["runs"][0]["tool"]["driver"]
    apigw001 = next(rule for rule in driver["rules"] if rule["id"] == "APIGW001")
    assert apigw001["helpUri"] == "https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized"


def test_the_catalog_in_docs_is_the_one_rules_prints(capsys):
    """docs/rules.md is `apigw-scan rules --format markdown`: each rule with its articles linked."""
    assert main(["rules", "--format", "markdown"]) == 0
    printed = capsys.readouterr().out
    assert (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8") == printed, \
        "regenerate it: make guide"
    assert printed.count("\n| ") == len(load_rules()) + 2 and "](https://repost.aws/knowledge-center/" in printed
