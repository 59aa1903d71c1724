"""The demo account written as Terraform (tests/fixtures/terraform/demo/main.tf) is judged as the live account is:
per method the same rules, drift rules aside — what a stage serves against the live API (APIGW003, APIGW004,
HTTP006) and traffic (TRF001), which no configuration holds, as the CloudFormation equivalence test leaves them.
No `terraform` binary runs: the configuration is read and evaluated by the scanner itself."""

from __future__ import annotations

import json

from helpers import PROJECT, RULES, findings_by_method
from scanner.cli import main

DEMO = PROJECT / "tests" / "fixtures" / "terraform" / "demo"
# What a configuration cannot hold (drift and traffic), set aside with the reason:
ONLY_LIVE = {
    "APIGW003": "a stage serving other than the live API: deployments made by hand after apply",
    "APIGW004": "an API without a stage: the demo left internal-reports undeployed, which the live scan calls drift",
    "HTTP006": "an HTTP stage whose deployment lags its routes: same, for HTTP APIs",
    "TRF001": "CloudWatch traffic, which a configuration does not have",
}


def judged(report):
    """{(api, method, path): {rule: (outcome, message)}}, the rules above set aside."""
    return findings_by_method(report, ONLY_LIVE)


def seeded(session, matrix=False):
    """The live demo account as a scan without traffic judges it (or, with `matrix`, its access matrix's cells as
    JSON, with the report), and the IDs the configuration takes as variables (the members pool, created with the
    updated issuer outside Terraform, and its app client)."""
    from scanner.collect.account import collect_account
    from scanner.demo.account import REGION, seed_demo_account
    from scanner.scan import judge, matrix_of

    created = seed_demo_account(session)
    members = created["pools"]["members"]["id"]
    clients = session.client("cognito-idp", region_name=REGION).list_user_pool_clients(UserPoolId=members)
    app = next(client["ClientId"] for client in clients["UserPoolClients"] if client["ClientName"] == "members-app")
    snapshot = {**collect_account(session, [REGION]), "traffic": {}}
    live = judge(snapshot, None, None, RULES)
    variables = ["--var", f"members_pool_id={members}", "--var", f"members_app_client_id={app}"]
    if matrix:
        cells = [cell.as_json() for cell in matrix_of([snapshot], None, None, RULES, None)[0]]
        return live, cells, variables
    return live, variables


def scan(capsys, *extra):
    assert main(["scan", "--terraform", str(DEMO), *extra, "--format", "json", "--fail-on", "never"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_configuration_is_judged_as_the_demo_account_or_left_undecided(capsys, account):
    """Offline, per method: the same rules; where the configuration cannot know (a pool, a function or a domain
    it does not create, the members pool it reads with a data source) the rule is undecided and says what to give,
    never ok and never a different failure."""
    live_report, variables = seeded(account.session)
    live = judged(live_report)
    report = scan(capsys, *variables, "--account", "123456789012")
    terraform = judged(report)
    assert report["calls"] == 0
    assert live.keys() <= terraform.keys() and sum(map(len, live.values())) >= 40
    undecided = []
    for key in terraform.keys() | live.keys():
        rules, found_rules = live.get(key, {}), terraform[key]
        assert rules.keys() <= found_rules.keys(), (key, sorted(rules), sorted(found_rules))
        for rule, (found, message) in found_rules.items():
            outcome = rules.get(rule, ("quiet",))[0]
            if found != outcome:
                # Where the members pool (read with a data source) decides, the configuration alone cannot.
                assert found == "unknown" and outcome in ("fail", "warn", "quiet"), (key, rule, found, outcome)
                assert "--resolve" in message or "could not be read" in message or "not read" in message, message
                undecided.append(rule)
    # The deleted pool, the missing authorizer and trigger functions, the domain outside the configuration, and
    # the members pool read with a data source (its issuer form, resource servers and clients are the account's):
    assert sorted(set(undecided)) == ["APIGW001", "APIGW006", "APIGW019", "COG005", "HTTP001", "HTTP002", "HTTP003",
                                      "LAM001"], " ".join(sorted(set(undecided)))


def test_the_demo_configuration_with_resolve_is_judged_as_the_demo_account(capsys, account):
    """--resolve reads what the configuration names from the account (read-only): then only the custom domain,
    which another configuration may map to the API, stays undecided."""
    live_report, variables = seeded(account.session)
    live = judged(live_report)
    report = scan(capsys, *variables, "--resolve", "--region", "eu-west-1")
    terraform = judged(report)
    differing = {(key, rule): (terraform[key][rule][0], outcome) for key, rules in live.items()
                 for rule, (outcome, _) in rules.items() if terraform.get(key, {}).get(rule, (None,))[0] != outcome}
    assert differing == {(("webhooks", None, None), "APIGW019"): ("unknown", "fail")}
    assert terraform.keys() == live.keys()
    assert report["calls"] > 0


def test_the_demo_configuration_gives_the_live_access_matrix(capsys, account):
    """The matrix is the rules' findings projected on each caller (issue 27): the configuration with --resolve gives
    every method x stage x caller of the live account the same answer and the same rules, drift aside (the methods
    whose stage serves other than the live API: APIGW003, HTTP006, and those deleted after their deployment), and
    but for the custom domain only the account knows. The members pool, which the configuration reads with a data
    source, has its app clients as callers (read with --resolve, not audited by the client rules)."""
    live_report, live_cells, variables = seeded(account.session, matrix=True)
    assert main(["matrix", "--terraform", str(DEMO), *variables, "--resolve", "--region", "eu-west-1",
                 "--format", "json"]) in (0, 1)
    cells = json.loads(capsys.readouterr().out)["cells"]

    def key(cell):
        """A caller sent through CloudFront by the distribution's place, not its name: AWS gives the account's
        distribution its ID, the configuration knows it by its address (aws_cloudfront_distribution.storefront)."""
        label = cell["label"].split(" via CloudFront ")[0] + (" via CloudFront" if cell["caller"]["through"] else "")
        return cell["api_name"], cell["method"], cell["path"], cell["stage"], label
    drifted = {(f["api_name"], f["method"], f["path"]) for f in live_report["findings"]
               if f["rule"] in ("APIGW003", "HTTP006") and f["outcome"] == "fail"}
    live = {key(cell): cell for cell in live_cells if key(cell)[:3] not in drifted}
    terraform = {key(cell): cell for cell in cells if key(cell)[:3] not in drifted}
    assert live.keys() == terraform.keys() and len(live) >= 90
    differing = {name: (terraform[name]["outcome"], live[name]["outcome"]) for name in live
                 if (live[name]["outcome"], live[name]["rules"]) != (terraform[name]["outcome"],
                                                                     terraform[name]["rules"])}
    assert differing == {("webhooks", "POST", "/stripe", None, "none"): ("unknown", "403")}
    assert terraform[("members", "GET", "/me", "prod", "id:members-app")]["outcome"] == "pass"
