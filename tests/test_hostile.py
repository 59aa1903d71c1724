"""Hostile input, broken configuration, doubt: the CLI as a user (or an attacker) runs it, one case at a time.

Each case asserts the exit code, that no traceback is printed, that no raw control character reaches the
screen, that files are left as they were when something fails, and — where an input file is wrong — that
no AWS call was made (AWS_ENDPOINT_URL points at a local endpoint that records what it gets).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ACCOUNT, HANG_GUARD, POOL_ARN, REGION, cli_env, one_line_error, run_cli, snapshot_with
from scanner.render.escape import _UNSAFE, _visible, escape_text

RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x08", "\u202e", "\u2066", "\x9b", "\u2028")
EVIL = "\x1b[2J\x1b[31mpwned\x07\r\u202etxt.exe\x9b"


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        for control in RAW_CONTROLS:
            assert control not in text, f"raw {control!r} reached the screen"


def hostile_snapshot() -> dict:
    """Names, paths, a policy condition, a pool and a client that carry terminal escapes and bidi overrides."""
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Sid": f"Deny{EVIL}", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*", "Condition": {"NotIpAddress": {"aws:SourceIp": f"10.0.0.0/8{EVIL}"}}}]}
    return snapshot_with(
        rest_apis=[{
            "region": REGION, "id": "abcde12345", "name": f"shop{EVIL}", "policy": json.dumps(policy),
            "resources": [{"id": "r1", "path": f"/orders{EVIL}", "methods": {
                "GET": {"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "au1",
                        "authorizationScopes": [f"api/read{EVIL}"]},
                "POST": {"authorizationType": "NONE"}}}],
            "authorizers": [{"id": "au1", "name": f"cognito{EVIL}", "type": "COGNITO_USER_POOLS",
                             "providerARNs": [POOL_ARN], "identitySource": f"method.request.header.X-{EVIL}"}],
            "stages": [{"stageName": "prod", "deploymentId": "d1"}],
            "deployments": {"d1": {"id": "d1", "summary": {f"/orders{EVIL}": {
                "GET": {"authorizationType": "NONE"}}}}},
        }],
        user_pools=[{"region": REGION, "id": POOL_ARN.rsplit("/", 1)[1], "arn": POOL_ARN, "status": "ok",
                     "name": f"pool{EVIL}", "domain": None, "lambda_config": {},
                     "clients": [{"ClientId": f"client{EVIL}", "ClientName": f"web{EVIL}",
                                  "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                                  "AllowedOAuthScopes": [f"x{EVIL}"]}],
                     "resource_servers": []}],
        errors=[{"region": REGION, "service": "lambda", "operation": "GetPolicy", "iam_action": "lambda:GetPolicy",
                 "message": f"AccessDenied{EVIL}"}],
    )


@pytest.fixture
def hostile(tmp_path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_snapshot()))
    return path


# Output cannot be forged.

@pytest.mark.parametrize("output_format", ["table", "csv"])
def test_text_outputs_escape_every_control_character(hostile, output_format):
    result = run_cli("scan", "--snapshot", str(hostile), "--format", output_format)
    assert result.returncode == 2  # the snapshot records a failed call: incomplete
    assert_clean(result.stdout, result.stderr)
    assert "shop\\x1b[2J\\x1b[31mpwned\\x07\\x0d\\u202etxt.exe\\x9b" in result.stdout  # visible, not obeyed


def test_json_and_sarif_keep_the_exact_values(hostile):
    report = json.loads(run_cli("scan", "--snapshot", str(hostile), "--format", "json").stdout)
    assert {row["api_name"] for row in report["methods"]} == {f"shop{EVIL}"}
    sarif = json.loads(run_cli("scan", "--snapshot", str(hostile), "--format", "sarif").stdout)
    assert any(EVIL in result["message"]["text"] for result in sarif["runs"][0]["results"])


def test_error_messages_and_rule_listings_are_escaped(hostile, tmp_path):
    result = run_cli("scan", "--snapshot", str(hostile), "--api", f"nope{EVIL}")
    assert result.returncode == 2 and "nope\\x1b" in one_line_error(result.stderr)
    assert_clean(result.stderr)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ACME001.toml").write_text(
        f'id = "ACME001"\nseverity = "low"\ntitle = {json.dumps("t" + EVIL)}\napplies_to = "api"\n'
        f'seed = {json.dumps("s" + EVIL)}\ncondition = "api_name"\nmessage = "m"\nfix = "f"\n')
    listing = run_cli("rules", "--policies", str(rules))
    assert listing.returncode == 0 and "t\\x1b[2J" in listing.stdout
    assert_clean(listing.stdout, listing.stderr)


def test_token_claims_and_header_are_escaped():
    from scanner.render.token_table import render_token

    result = {"verdict": "rejected", "stage": None, "notes": [f"n{EVIL}"], "errors": [], "live": None,
              "method": {"method": "GET", "path": f"/x{EVIL}", "api_name": f"a{EVIL}", "api_id": "i", "region": REGION,
                         "token": "id", "authorizer": f"z{EVIL}", "scopes": []},
              "claims": {"iss": f"https://evil{EVIL}", "header": {"kid": f"k{EVIL}"}},
              "findings": [{"rule": "TOK004", "expected": "e", "actual": f"https://evil{EVIL}",
                            "message": f"m{EVIL}", "outcome": "fail"}]}
    text = render_token(result)
    assert_clean(text)
    assert "https://evil\\x1b[2J" in text and "k\\x1b" in text


def test_csv_formula_guard_covers_tab_and_carriage_return():
    from scanner.render.csv_report import render_csv

    text = render_csv({"methods": [{"api_name": name, "findings": []} for name in
                                   ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")], "findings": []})
    cells = [row["api_name"] for row in csv.DictReader(io.StringIO(text))]
    assert cells == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\\x09=1", "'\\x0d=1"]


# Every user mistake is one line and exit 2, before any AWS call.

CONFIGS = {
    "credential_process fails": ("[default]\ncredential_process = /bin/false\n", {}, "credential_process failed"),
    "credential_process prints no JSON": ("[default]\ncredential_process = /bin/echo nope\n", {},
                                          "did not print JSON credentials"),
    "partial credentials": ("[default]\naws_access_key_id = AKIAEXAMPLE\n", {}, "Partial credentials"),
    "source_profile missing": ("[profile x]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = gone\n",
                               {"AWS_PROFILE": "x"}, 'source_profile "gone"'),
    "malformed config with env credentials": ("[default\nregion = eu-west-1\n",
                                              {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
                                              "AWS config file cannot be read"),
    "SSO not logged in": ("[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n"
                          "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                          "sso_region = eu-west-1\n",
                          {"AWS_PROFILE": "s"}, "aws sso login --profile s"),
}


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_broken_aws_configuration_is_one_line_and_no_call(case, tmp_path, aws_recorder):
    text, extra, words = CONFIGS[case]
    config = tmp_path / "config"
    config.write_text(text)
    env = cli_env(AWS_CONFIG_FILE=str(config), HOME=str(tmp_path), AWS_ENDPOINT_URL=aws_recorder.url,
                  AWS_EC2_METADATA_DISABLED="true", **extra)
    result = run_cli("scan", "--region", REGION, env=env)
    assert result.returncode == 2
    assert words in one_line_error(result.stderr)
    assert aws_recorder.requests == [] or (case == "SSO not logged in" and not any(
        "GetCallerIdentity" in request for request in aws_recorder.requests))


def test_an_endpoint_that_answers_html_is_named(tmp_path):
    import http.server
    import threading

    class Html(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>\x1b[31mPlease log in to the proxy</body></html>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_cli("scan", "--region", REGION,
                         env=cli_env(f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
    assert result.returncode == 2
    assert "answered something that is not AWS" in one_line_error(result.stderr)
    assert_clean(result.stderr)


def report_file(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "report.json"
    report = {"schema": "apigw-scan/1", "account": ACCOUNT, "regions": [REGION], "methods": [], "findings": [],
              "errors": []}
    report.update(changes)
    path.write_text(json.dumps(report))
    return path


@pytest.mark.parametrize("make_args, words", [
    (lambda tmp: ["--ignore", str(tmp / "missing.toml")], "--ignore"),
    (lambda tmp: ["--baseline", str(tmp / "missing.json")], "no such file"),
    (lambda tmp: ["--output", str(tmp / "no" / "folder" / "r.json")], "does not exist"),
    (lambda tmp: ["--output", str(tmp)], "is a directory"),
    (lambda tmp: ["--save-snapshot", str(tmp / "no" / "s.json")], "does not exist"),
    (lambda tmp: ["--accounts", str(tmp / "accounts.txt"), "--role-name", "audit"], "no such file"),
    (lambda tmp: ["--ignore", str(_write(tmp / "i.toml", "suppress = [1, 2]\n"))], "suppression 1: expected a"),
    (lambda tmp: ["--baseline", str(report_file(tmp, findings=[{"rule": ["APIGW001"], "severity": "high"}]))],
     "findings[0].rule"),
    (lambda tmp: ["--baseline", str(_write(tmp / "deep.json", "[" * 100000 + "]" * 100000))], "expected a report"),
    (lambda tmp: ["--stage", ""], "expected a stage name"),
    (lambda tmp: ["--all-regions", "--region", REGION], "give one"),
    (lambda tmp: ["--role-name", "audit"], "does nothing without --accounts"),
])
def test_wrong_file_options_are_one_line_before_any_call(make_args, words, tmp_path, aws_recorder):
    result = run_cli("scan", *make_args(tmp_path), env=cli_env(aws_recorder.url))
    assert result.returncode == 2
    assert words in one_line_error(result.stderr)
    assert aws_recorder.requests == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_snapshot_options_mean_what_they_say(hostile, tmp_path, aws_recorder):
    refused = run_cli("scan", "--snapshot", str(hostile), "--region", "us-east-1", env=cli_env(aws_recorder.url))
    assert refused.returncode == 2 and "does not apply to --snapshot" in one_line_error(refused.stderr)
    saved = tmp_path / "again.json"
    result = run_cli("scan", "--snapshot", str(hostile), "--save-snapshot", str(saved), "--format", "json",
                     env=cli_env(aws_recorder.url))
    report = json.loads(result.stdout)
    assert report["calls"] == 0 and aws_recorder.requests == []
    assert json.loads(saved.read_text())["schema"] == "apigw-scan-snapshot/1"  # honoured, not ignored


def test_deeply_nested_json_is_unknown_never_a_recursion_error(tmp_path):
    snapshot = snapshot_with(rest_apis=[{"region": REGION, "id": "a1", "name": "deep", "policy": "x",
                                         "resources": [], "stages": [], "deployments": {}}])
    text = json.dumps(snapshot).replace('"policy": "x"', '"policy": "' + "[" * 50000 + "]" * 50000 + '"')
    text = text.replace('"deployments": {}', '"deployments": ' + "{\"a\": " * 5000 + "1" + "}" * 5000)
    path = _write(tmp_path / "deep.json", text)
    result = run_cli("scan", "--snapshot", str(path), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    from scanner.model.resource_policy import PolicyError, parse_policy

    with pytest.raises(PolicyError, match="nested too deeply"):
        parse_policy("[" * 100000 + "]" * 100000)


# Writing the report.

def test_a_full_disk_is_one_line(hostile):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = run_cli("scan", "--snapshot", str(hostile), "--output", "/dev/full")
    assert result.returncode == 2 and "No space left on device" in one_line_error(result.stderr)


def test_a_failed_write_leaves_the_previous_report_whole(tmp_path, monkeypatch):
    from scanner import files
    from scanner.errors import UsageError

    target = tmp_path / "report.json"
    target.write_text("the good report of yesterday")

    def fsync(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", fsync)
    with pytest.raises(UsageError, match=r"No space left on device.*kept"):
        files.write_text("x" * 100000, str(target))
    assert target.read_text() == "the good report of yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind


def test_a_closed_pipe_is_one_line(hostile):
    import subprocess
    import sys

    command = f"{sys.executable} -m scanner scan --snapshot {hostile} --format json | head -c 10 > /dev/null"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                            timeout=HANG_GUARD, env=cli_env())
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.stderr.strip() == "" or "standard output was closed" in one_line_error(result.stderr)


def test_the_report_is_written_even_when_saving_the_snapshot_fails(hostile, tmp_path, monkeypatch, capsys):
    from scanner import run
    from scanner.cli import main
    from scanner.errors import UsageError

    def disk_full(snapshots, path):
        raise UsageError(f"--save-snapshot {path}: cannot be written (No space left on device)")

    monkeypatch.setattr(run, "save_snapshot", disk_full)
    output = tmp_path / "report.json"
    assert main(["scan", "--snapshot", str(hostile), "--format", "json", "--output", str(output),
                 "--save-snapshot", str(tmp_path / "s.json")]) == 2
    assert json.loads(output.read_text())["schema"] == "apigw-scan/1"
    assert "No space left on device" in one_line_error(capsys.readouterr().err)


# Doubt is unknown.

def test_incomplete_scans_say_so_first_and_in_every_format(hostile):
    table = run_cli("scan", "--snapshot", str(hostile)).stdout
    assert table.splitlines()[0].startswith("INCOMPLETE: 1 call(s) failed (lambda:GetPolicy)")
    rows = list(csv.DictReader(io.StringIO(run_cli("scan", "--snapshot", str(hostile), "--format", "csv").stdout)))
    [error] = [row for row in rows if row["kind"] == "error"]
    assert "GetPolicy failed" in error["message"] and error["remediation"] == "grant lambda:GetPolicy"
    sarif = json.loads(run_cli("scan", "--snapshot", str(hostile), "--format", "sarif").stdout)
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "lambda:GetPolicy" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def _token(claims: dict) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2ln"


def test_token_is_undecided_when_the_authorizer_could_not_be_read():
    from scanner.model.facts import build_facts
    from scanner.model.normalize import normalize_snapshot
    from scanner.tokens.checks import diagnose
    from scanner.tokens.jwks import KeyStore
    from scanner.tokens.target import authorizer_of, clients_by_pool, find_method, make_target

    snapshot = normalize_snapshot(snapshot_with(http_apis=[{
        "region": REGION, "id": "h1", "name": "bff", "authorizers": None,
        "routes": [{"RouteId": "r1", "RouteKey": "GET /me", "AuthorizationType": "JWT", "AuthorizerId": "j1"}],
        "stages": [{"StageName": "$default", "AutoDeploy": True}]}]))
    facts = build_facts(snapshot)
    method = find_method(facts, "bff", "/me", "GET", None)
    target = make_target(method, authorizer_of(facts, method), clients_by_pool(snapshot), None)
    import time

    token = _token({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X", "token_use": "id",
                    "aud": "c", "exp": time.time() + 600})
    result = diagnose(token, target, KeyStore())
    assert result["verdict"] == "undecided"
    assert next(f["rule"] for f in result["findings"] if f["outcome"] == "unknown") == "TOK004"


# Options mean what they say.

def test_stage_scans_the_apis_that_have_it_and_notes_the_others(tmp_path):
    def api(api_id, stages):
        return {"region": REGION, "id": api_id, "name": api_id, "resources": [{"id": "r", "path": "/x", "methods": {
            "GET": {"authorizationType": "NONE"}}}], "authorizers": [],
                "stages": [{"stageName": name, "deploymentId": "d"} for name in stages],
                "deployments": {"d": {"id": "d", "summary": {"/x": {"GET": {"authorizationType": "NONE"}}}}}}

    path = _write(tmp_path / "s.json", json.dumps(snapshot_with(rest_apis=[api("withprod", ["prod", "dev"]),
                                                                           api("devonly", ["dev"])])))
    report = json.loads(run_cli("scan", "--snapshot", str(path), "--stage", "prod", "--format", "json").stdout)
    assert [row["api_name"] for row in report["methods"]] == ["withprod"]
    assert not [f for f in report["findings"] if f["rule"] in ("APIGW003", "APIGW004")]  # never "not deployed"
    assert any("devonly" in note and "has no stage prod" in note for note in report["notes"])
    only = json.loads(run_cli("scan", "--snapshot", str(path), "--api", "devonly", "--format", "json").stdout)
    assert [row["api_name"] for row in only["methods"]] == ["devonly"]
    missing = run_cli("scan", "--snapshot", str(path), "--stage", "qa")
    assert missing.returncode == 2 and "no scanned API has that stage" in one_line_error(missing.stderr)


def test_the_contracts_own_example_merges(tmp_path):
    """The interface's JSON example (docs/interface.md): findings without outcome, scope or method_verdict."""
    example = {"schema": "apigw-scan/1", "account": "123456789012", "regions": ["eu-west-1"], "methods": [
        {"region": "eu-west-1", "api_id": "a1b2c3", "api_name": "shop", "api_type": "REST", "path": "/orders",
         "method": "GET", "stages": ["prod"], "authorization": "COGNITO_USER_POOLS", "authorizer": "shop-cognito",
         "token": "access", "scopes": ["orders/read"], "verdict": "ok", "findings": []}],
        "findings": [{"rule": "APIGW005", "severity": "critical", "title": "…", "message": "…", "remediation": "…",
                      "region": "eu-west-1", "api_id": "a1b2c3", "api_name": "shop", "path": "/orders",
                      "method": "POST", "stage": None, "pool_id": "eu-west-1_AbC", "client_id": None}],
        "errors": [{"region": "eu-west-1", "service": "lambda", "operation": "GetPolicy", "message": "AccessDenied …"}]}
    path = _write(tmp_path / "example.json", json.dumps(example))
    result = run_cli("merge", str(path), str(path), "--format", "json")
    assert result.returncode == 2, result.stderr  # the example records a failed call
    merged = json.loads(result.stdout)
    assert merged["summary"]["methods"] == 1 and len(merged["findings"]) == 1
    assert any("repeat another one" in note for note in merged["notes"])
    assert merged["findings"][0]["outcome"] == "fail" and merged["findings"][0]["scope"] == "method"


def test_a_suppressed_finding_is_not_fixed(tmp_path):
    finding = {"rule": "APIGW010", "severity": "medium", "region": REGION, "api_id": "a1", "api_name": "shop",
               "path": "/x", "method": "GET", "account": ACCOUNT}
    baseline = report_file(tmp_path, findings=[finding])
    current = _write(tmp_path / "now.json", json.dumps({"schema": "apigw-scan/1", "account": ACCOUNT,
                                                        "regions": [REGION], "methods": [], "findings": [finding],
                                                        "errors": []}))
    ignore = _write(tmp_path / "i.toml", '[[suppress]]\nrule = "APIGW010"\nresource = "*"\nreason = "public"\n')
    merged = json.loads(run_cli("merge", str(current), "--baseline", str(baseline), "--ignore", str(ignore),
                                "--format", "json").stdout)
    assert merged["fixed"] == [] and [f["rule"] for f in merged["suppressed"]] == ["APIGW010"]


def test_an_empty_shard_says_so(account):
    from scanner.rules.loader import load_rules
    from scanner.scan import FleetOptions, scan_fleet

    report = scan_fleet(account.session, FleetOptions(regions=[REGION], shard="1/2"), None, None, load_rules())[1]
    assert any("shard 1/2 holds none of the 1" in note for note in report["notes"])


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab \n\r\t\x00\x1f\x7f\x9f\u200e\u2028\u2066é", max_size=12))
def test_a_csv_cell_with_nothing_to_escape_is_kept_and_any_other_escaped_line_by_line(text):
    """escape_text's shortcut for cells with nothing to escape but newlines gives what escaping each line does."""
    expected = "\n".join(_UNSAFE.sub(_visible, line) for line in text.split("\n"))
    assert escape_text(text, keep_newlines=True) == expected
