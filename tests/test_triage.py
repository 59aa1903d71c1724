"""Cron audits: a baseline marks findings new, unchanged or fixed; suppressions hide accepted ones until they expire."""

from __future__ import annotations

import datetime
import json

from helpers import REGION, seed_small_shop
from scanner.cli import main


def test_baseline_marks_new_and_fixed_and_fails_only_on_new(account, tmp_path, capsys):
    api_id = seed_small_shop(account.session, REGION, "shop")
    assert main(["scan", "--region", REGION, "--format", "json", "--output", str(tmp_path / "before.json")]) == 1
    # The broken method is fixed, a new one breaks.
    resources = {r["path"]: r["id"] for r in account.apigateway.get_resources(restApiId=api_id)["items"]}
    account.apigateway.update_method(restApiId=api_id, resourceId=resources["/b"], httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationScopes", "value": "api/read"}])
    account.seed.deploy(account.apigateway, api_id, "prod")
    assert main(["scan", "--region", REGION, "--format", "json", "--baseline", str(tmp_path / "before.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["fixed"]] == ["APIGW005", "APIGW006"]
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}  # COG002 of the stuck client remains
    account.seed.add_method(account.apigateway, api_id, "/c", "GET", authorization="COGNITO_USER_POOLS",
                            authorizer_id=account.apigateway.get_authorizers(restApiId=api_id)["items"][0]["id"],
                            scopes=["api/nope"])
    account.seed.deploy(account.apigateway, api_id, "prod")
    assert main(["scan", "--region", REGION, "--baseline", str(tmp_path / "before.json")]) == 1
    out = capsys.readouterr().out
    assert "NEW" in out and "new since the baseline" in out


def test_suppressions_hide_until_they_expire(account, tmp_path, capsys):
    seed_small_shop(account.session, REGION, "shop")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    ignore = tmp_path / "ignore.toml"
    ignore.write_text(f'''
[[suppress]]
rule = "APIGW00[56]"
resource = "*/shop/GET/b"
reason = "retired next sprint"
expires = {tomorrow.isoformat()}

[[suppress]]
rule = "COG*"
resource = "*/pool/*"
reason = "old exception"
expires = 2020-01-01
'''.replace("APIGW00[56]", "APIGW00?"))
    assert main(["scan", "--region", REGION, "--format", "json", "--ignore", str(ignore)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert sorted(f["rule"] for f in report["suppressed"]) == ["APIGW005", "APIGW006"]
    assert {f["rule"] for f in report["findings"]} == {"COG002"}  # the expired suppression hides nothing
    assert report["summary"]["suppressed"] == 2 and any("expired on 2020-01-01" in n for n in report["notes"])
    row = next(m for m in report["methods"] if m["path"] == "/b")
    assert row["findings"] == [] and row["verdict"] == "ok"
    ignore.write_text("[[suppress]]\nrule = 'X'\n")
    assert main(["scan", "--region", REGION, "--ignore", str(ignore)]) == 2
    assert "field 'resource' is missing" in capsys.readouterr().err
