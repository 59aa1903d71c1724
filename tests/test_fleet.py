"""Account scale: accounts, regions, shards and merge, progress."""

from __future__ import annotations

import io
import json

import boto3
import pytest

from helpers import ACCOUNT, REGION, seed_small_shop
from scanner.cli import main
from scanner.collect.fleet import parse_shard
from scanner.errors import UsageError
from scanner.findings import plain
from scanner.render.progress import Progress
from scanner.rules.loader import load_rules
from scanner.scan import FleetOptions, scan_fleet

OTHER_REGION = "us-east-1"


def _account_session(account, account_id):
    credentials = account.session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/audit", RoleSessionName="seed")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=REGION)


@pytest.fixture
def fleet(account):
    """Two accounts (the caller's and one more) with APIs in two regions each."""
    other = account.session.client("organizations", region_name="us-east-1")
    other.create_organization(FeatureSet="ALL")
    second = other.create_account(AccountName="b", Email="b@example.com")["CreateAccountStatus"]["AccountId"]
    for region in (REGION, OTHER_REGION):
        seed_small_shop(account.session, region, f"home-{region}")
        seed_small_shop(_account_session(account, second), region, f"away-{region}")
    return {"account": account, "second": second}


def _scan(fleet, **options):
    defaults = {"regions": [REGION, OTHER_REGION], "accounts": f"{ACCOUNT},{fleet['second']}", "role_name": "audit"}
    return scan_fleet(fleet["account"].session, FleetOptions(**{**defaults, **options}), None, None, load_rules())[1]


def _identity(report):
    methods = sorted(json.dumps({k: v for k, v in m.items()}, sort_keys=True) for m in report["methods"])
    found = sorted(json.dumps(plain(f), sort_keys=True) for f in report["findings"])
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
        path.write_text(json.dumps(plain(shard)))
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
    seed_small_shop(account.session, "ap-southeast-2", "far")
    report = scan_fleet(account.session, FleetOptions(all_regions=True, concurrency=16), None, None,
                        load_rules())[1]
    assert len(report["regions"]) > 20 and "ap-southeast-2" in report["regions"]
    assert {m["region"] for m in report["methods"]} == {"ap-southeast-2"}
    assert report["errors"] == []


def test_progress_only_on_a_terminal(account, capsys):
    seed_small_shop(account.session, REGION, "shop")
    stream = io.StringIO()
    progress = Progress(stream=stream, enabled=True)
    scan_fleet(account.session, FleetOptions(regions=[REGION]), None, None, load_rules(), progress)
    assert "1/1 account×region" in stream.getvalue() and "APIs 1" in stream.getvalue()
    assert main(["scan", "--region", REGION]) == 1
    assert "account×region" not in capsys.readouterr().err  # not a terminal: nothing
