"""Remediation never makes things worse: each rule's commands, run by the real AWS CLI against the demo account
on moto.server, make that finding go away and add none.

The AWS CLI (v1, from PyPI: it parses our commands exactly as users' shells and CLIs will) runs each command
through bash, with AWS_ENDPOINT_URL at the emulator; read-edit-write recipes use jq, as AWS's own guides do.
Commands that need the user's choice (the pool that should have been named, a VPC endpoint, a domain prefix)
carry an upper-case placeholder: they are listed here, rule by rule, so a rule that loses its filled-in values
is noticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import pytest

from helpers import HANG_GUARD, RULES
from moto_writes import install as install_writes
from scanner.collect.account import collect_account
from scanner.demo.account import REGION, seed_demo_account
from scanner.scan import judge

AWS_CLI = Path(sys.executable).parent / "aws"
PLACEHOLDER = re.compile(r"\b(POOL_ID|SCOPE|VPCE_ID|CLIENT_ID|RESOURCE_ID|VERB|FUNCTION_ARN|YOUR-UNIQUE-PREFIX|"
                         r"YOUR_APP|POOL_ACCOUNT_PROFILE|REGION|API_ID|STAGE)\b")
# The commands of these rules remove their finding when run as printed.
FIXES = {"APIGW003", "APIGW004", "APIGW005", "APIGW006", "APIGW008", "APIGW009", "APIGW010", "APIGW011",
         "APIGW012", "APIGW017", "APIGW018", "APIGW020", "COG003", "COG005", "COG006", "COG007", "COG008", "COG009",
         "HTTP001", "HTTP002", "HTTP003", "HTTP004", "HTTP005", "HTTP006", "HTTP007", "HTTP008", "LAM002", "LAM004"}
# These need a value only the user knows (the command says which, in upper case).
NEEDS_A_CHOICE = {"APIGW001": {"POOL_ID"}, "APIGW002": {"POOL_ACCOUNT_PROFILE"}, "APIGW007": {"RESOURCE_ID", "VERB",
                  "SCOPE"}, "APIGW015": {"VPCE_ID"}, "COG001": {"YOUR-UNIQUE-PREFIX"}, "COG002": {"YOUR_APP"},
                  "LAM001": {"FUNCTION_ARN"}, "APIGW019": {"API_ID", "STAGE"}}
# These read (APIGW014, APIGW016, LAM003, TRF001), need an edit between their read and their write (APIGW013), or add a
# replacement the user moves to (COG004): run as printed, they change nothing for the worse.
GUIDES = {"APIGW013", "APIGW014", "APIGW016", "COG004", "LAM003", "TRF001"}
# These judge templates, not accounts: their command scans the template again once it is edited (IAC002's names the
# PREVIOUS_TEMPLATE to compare with); tests/test_templates.py fires and quiets each.
TEMPLATES = {"IAC001", "IAC002"}
# Who a method turns away by design: no finding of the report, nothing to fix; their command shows the matrix.
DESIGN = {"TOK001", "TOK004", "TOK005", "TOK006", "TOK007"}


@pytest.fixture
def demo_server(moto_server: str, monkeypatch: pytest.MonkeyPatch):
    if not AWS_CLI.exists() or shutil.which("jq") is None:
        pytest.skip("the AWS CLI (pip install awscli) and jq are needed to run the suggested commands")
    install_writes()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")

    def fresh() -> tuple[dict[str, Any], dict[str, Any]]:
        urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"), timeout=10)
        session = boto3.Session(region_name=REGION)
        seed_demo_account(session)
        return scan(session)

    return fresh, moto_server


def scan(session: boto3.Session) -> tuple[dict[str, Any], dict[str, Any]]:
    snapshot = collect_account(session, [REGION])
    return snapshot, judge(snapshot, None, None, RULES)


def named(finding: dict[str, Any], snapshot: dict[str, Any]) -> tuple[Any, ...]:
    """A finding's identity by names, which survive re-seeding (IDs do not)."""
    pools = {pool["id"]: pool for pool in snapshot["user_pools"]}
    pool = pools.get(finding.get("pool_id") or "") or {}
    clients = {c["ClientId"]: c.get("ClientName") for c in pool.get("clients") or []}
    return (finding["rule"], finding["api_name"], finding["path"], finding["method"], finding["stage"],
            finding["authorizer"], pool.get("name") if finding["scope"] in ("pool", "client") else None,
            clients.get(finding.get("client_id") or ""))


def failing(report: dict[str, Any], snapshot: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {named(f, snapshot) for f in report["findings"] if f["outcome"] == "fail"}


def run_commands(commands: list[str], endpoint: str, folder: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               PATH=f"{AWS_CLI.parent}:{env.get('PATH', '')}", AWS_PAGER="")
    for command in commands:
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=folder,
                              env=env, timeout=HANG_GUARD)
        assert done.returncode == 0, f"{command}\n{done.stderr}"


def test_every_rule_is_classified():
    assert FIXES | set(NEEDS_A_CHOICE) | GUIDES | TEMPLATES | DESIGN == {rule.id for rule in RULES}
    assert not FIXES & set(NEEDS_A_CHOICE) and not FIXES & GUIDES and not TEMPLATES & (FIXES | GUIDES)
    assert {rule.id for rule in RULES if rule.kind == "design"} == DESIGN


def test_commands_that_need_a_choice_say_so_in_upper_case():
    from scanner.demo import demo_report

    placeholders: dict[str, set[str]] = {}
    for finding in demo_report(RULES)["findings"]:
        for command in finding["commands"]:
            placeholders.setdefault(finding["rule"], set()).update(PLACEHOLDER.findall(command))
    assert {rule: words for rule, words in placeholders.items() if words} == NEEDS_A_CHOICE


@pytest.mark.parametrize("rule", sorted(FIXES | GUIDES))
def test_suggested_commands_fix_their_finding_and_break_nothing(rule, demo_server, tmp_path):
    fresh, endpoint = demo_server
    snapshot, report = fresh()
    keys = sorted((named(f, snapshot) for f in report["findings"] if f["outcome"] == "fail" and f["rule"] == rule),
                  key=str)
    assert keys, f"the demo account shows no {rule}"
    for number, key in enumerate(keys):
        if number:
            snapshot, report = fresh()
        before = failing(report, snapshot)
        finding = next(f for f in report["findings"] if f["outcome"] == "fail" and named(f, snapshot) == key)
        folder = tmp_path / str(number)
        folder.mkdir()
        run_commands(finding["commands"], endpoint, folder)
        snapshot, report = scan(boto3.Session(region_name=REGION))
        after = failing(report, snapshot)
        assert not after - before, f"{rule}'s commands added findings: {after - before}"
        if rule in FIXES:
            assert key not in after, f"{rule}'s commands did not fix {key}: {finding['commands']}"
