"""Account scale: accounts, regions, shards and merge, SARIF and CSV, baselines and suppressions, progress."""

from __future__ import annotations

import csv
import datetime
import io
import json

import boto3
import pytest

from conftest import ACCOUNT, PROJECT, REGION
from scanner.cli import main
from scanner.collect.fleet import parse_shard
from scanner.errors import UsageError
from scanner.render.progress import Progress
from scanner.rules.loader import load_rules
from scanner.scan import FleetOptions, scan_fleet

SCHEMA = PROJECT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
OTHER_REGION = "us-east-1"


def _account_session(account, account_id):
    credentials = account.session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/audit", RoleSessionName="seed")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


def _seed(session, region, name, broken_scope=True):
    from scanner.demo import seed

    cognito = session.client("cognito-idp", region_name=region)
    apigateway = session.client("apigateway", region_name=region)
    pool = seed.create_pool(cognito, f"{name}-users", domain=f"{name}-{region}", resource_servers={"api": ["read"]})
    seed.create_client(cognito, pool["id"], "web", **seed.web_client_settings(["api/read"]))
    seed.create_client(cognito, pool["id"], "stuck", AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                       AllowedOAuthScopes=["openid"], SupportedIdentityProviders=["COGNITO"])
    api_id = seed.create_rest_api(apigateway, name)
    authorizer = seed.add_cognito_authorizer(apigateway, api_id, "c", [pool["arn"]])
    seed.add_method(apigateway, api_id, "/a", "GET", authorization="COGNITO_USER_POOLS", authorizer_id=authorizer,
                    scopes=["api/read"])
    if broken_scope:
        seed.add_method(apigateway, api_id, "/b", "GET", authorization="COGNITO_USER_POOLS",
                        authorizer_id=authorizer, scopes=["api/admin"])
    seed.deploy(apigateway, api_id, "prod")
    return api_id


@pytest.fixture
def fleet(account):
    """Two accounts (the caller's and one more) with APIs in two regions each."""
    other = account.session.client("organizations", region_name="us-east-1")
    other.create_organization(FeatureSet="ALL")
    second = other.create_account(AccountName="b", Email="b@example.com")["CreateAccountStatus"]["AccountId"]
    for region in (REGION, OTHER_REGION):
        _seed(account.session, region, f"home-{region}")
        _seed(_account_session(account, second), region, f"away-{region}")
    return {"account": account, "second": second}


def _scan(fleet, **options):
    defaults = {"regions": [REGION, OTHER_REGION], "accounts": f"{ACCOUNT},{fleet['second']}", "role_name": "audit"}
    return scan_fleet(fleet["account"].session, FleetOptions(**{**defaults, **options}), None, None, load_rules())[1]


def _identity(report):
    methods = sorted(json.dumps({k: v for k, v in m.items()}, sort_keys=True) for m in report["methods"])
    found = sorted(json.dumps(f, sort_keys=True) for f in report["findings"])
    return methods, found


def test_accounts_and_regions_each_row_carries_its_account(fleet):
    report = _scan(fleet)
    assert report["accounts"] == sorted([ACCOUNT, fleet["second"]]) and report["account"] is None
    assert {(m["account"], m["region"]) for m in report["methods"]} == {
        (a, r) for a in (ACCOUNT, fleet["second"]) for r in (REGION, OTHER_REGION)}
    assert all(f["account"] for f in report["findings"])
    assert {f["rule"] for f in report["findings"]} >= {"APIGW005", "COG002"}


def test_organization_accounts(fleet):
    report = scan_fleet(fleet["account"].session, FleetOptions(regions=[REGION], organization=True,
                                                               role_name="audit"), None, None, load_rules())[1]
    assert report["accounts"] == sorted([ACCOUNT, fleet["second"]])


def test_one_account_failing_never_stops_the_others(fleet):
    def refuse(params, **_):
        if fleet["second"] in params.get("RoleArn", ""):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no trust"}}, "AssumeRole")

    fleet["account"].session._session.register("before-parameter-build.sts.AssumeRole", refuse)
    report = _scan(fleet)
    assert {m["account"] for m in report["methods"]} == {ACCOUNT}
    [error] = [e for e in report["errors"] if e["operation"] == "AssumeRole"]
    assert error["account"] == fleet["second"] and error["iam_action"] == "sts:AssumeRole"


def test_accounts_need_a_role_and_valid_ids(fleet):
    with pytest.raises(UsageError, match="--role-name"):
        _scan(fleet, role_name=None)
    with pytest.raises(UsageError, match="not an account ID"):
        _scan(fleet, accounts="12345")


def test_shards_merge_into_the_single_run(fleet, tmp_path, capsys):
    single = _scan(fleet)
    paths = []
    for index in range(3):
        shard = _scan(fleet, shard=f"{index}/3")
        path = tmp_path / f"shard-{index}.json"
        path.write_text(json.dumps(shard))
        paths.append(str(path))
    assert main(["merge", *paths, "--format", "json"]) == 1
    merged = json.loads(capsys.readouterr().out)
    assert _identity(merged) == _identity(single)
    assert merged["summary"]["verdicts"] == single["summary"]["verdicts"]
    assert main(["merge", *paths, "--fail-on", "never", "--format", "table"]) == 0


def test_shard_parsing():
    assert parse_shard("auto/4", {"JOB_COMPLETION_INDEX": "2"}).index == 2
    assert parse_shard("auto/4", {"AWS_BATCH_JOB_ARRAY_INDEX": "3"}).index == 3
    assert parse_shard("0/1").keeps(5)
    for bad in ("4/4", "-1/2", "a/b", "auto/2"):
        with pytest.raises(UsageError):
            parse_shard(bad, {})


def test_all_regions_scans_every_enabled_region(account):
    _seed(account.session, "ap-southeast-2", "far")
    report = scan_fleet(account.session, FleetOptions(all_regions=True, concurrency=16), None, None,
                        load_rules())[1]
    assert len(report["regions"]) > 20 and "ap-southeast-2" in report["regions"]
    assert {m["region"] for m in report["methods"]} == {"ap-southeast-2"}
    assert report["errors"] == []


def _demo_formats():
    """One demo report, rendered in every format (the demo account's IDs change from run to run)."""
    from scanner.cli import render
    from scanner.demo import demo_report

    rules = load_rules()
    report = demo_report(rules)
    return {output_format: render(report, output_format, rules) for output_format in ("json", "sarif", "csv")}


def test_sarif_is_valid_and_all_formats_carry_the_same_findings():
    outputs = _demo_formats()
    report, sarif = json.loads(outputs["json"]), json.loads(outputs["sarif"])
    if SCHEMA.exists():
        import jsonschema

        jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    [run] = sarif["runs"]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {r.id for r in load_rules()}
    from scanner.triage import resource_of

    in_json = sorted((f["rule"], resource_of(f), f.get("stage") or "") for f in report["findings"])
    in_sarif = sorted((r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                       r["properties"].get("stage") or "") for r in run["results"])
    assert in_json == in_sarif
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert len([r for r in rows if r["kind"] == "method"]) == len(report["methods"])
    in_csv = sorted((r["rules"], r["message"]) for r in rows if r["kind"] == "finding")
    assert in_csv == sorted((f["rule"], f["message"]) for f in report["findings"])


def test_sarif_schema_is_read_from_shared():
    if not SCHEMA.exists():
        pytest.skip("../shared/schemas/ is not beside this clone: the SARIF output is not validated")
    assert json.loads(SCHEMA.read_text())["title"].startswith("Static Analysis Results Format")


def test_csv_defuses_spreadsheet_formulas():
    from scanner.render.csv_report import render_csv

    text = render_csv({"methods": [{"api_name": "=HYPERLINK(1)", "findings": []}], "findings": []})
    assert "'=HYPERLINK(1)" in text


def test_baseline_marks_new_and_fixed_and_fails_only_on_new(account, tmp_path, capsys):
    api_id = _seed(account.session, REGION, "shop")
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
    _seed(account.session, REGION, "shop")
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


def test_progress_only_on_a_terminal(account, capsys):
    _seed(account.session, REGION, "shop")
    stream = io.StringIO()
    progress = Progress(stream=stream, enabled=True)
    scan_fleet(account.session, FleetOptions(regions=[REGION]), None, None, load_rules(), progress)
    assert "1/1 account×region" in stream.getvalue() and "APIs 1" in stream.getvalue()
    assert main(["scan", "--region", REGION]) == 1
    assert "account×region" not in capsys.readouterr().err  # not a terminal: nothing
