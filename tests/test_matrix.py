"""Who can call what: the demo account's access matrix written out by hand, and agreement with `token`.

The outcomes follow API Gateway's documented order: the authorizer first (no token, a token of another pool or
client: 401; a Lambda authorizer that cannot run: 500), then the token's type and scopes (REST Cognito methods
answer 401 — seed 003 "Important: … ID token … access token"; JWT authorizers answer 403 when the scopes do not
match — AWS docs "Control access to HTTP APIs with JWT authorizers": "If the token doesn't contain the scopes,
API Gateway returns 403"), then the resource policy (403 — "How API Gateway resource policies affect
authorization workflow": for Cognito user pools the authorizer runs first), then the usage plan's key (403).
"""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from helpers import RULES, assert_fires
from scanner.access.matrix import served_records
from scanner.cli import main
from scanner.demo import seed as seed_module
from scanner.demo.account import CACHING_OPTIMIZED
from scanner.errors import UsageError
from scanner.findings import FindingIndex
from scanner.method_rows import method_key
from scanner.rules.loader import load_rules
from scanner.scan import assess
from scanner.tokens.answer import answer, token_target
from scanner.tokens.jwks import KeyStore
from scanner.tokens.target import cloudfront_route

P, U = "pass", "unknown"
WEB, MOBILE, SPA = "shop-web", "shop-mobile", "shop-legacy-spa"


def every(outcome, *clients, kinds=("id", "access")):
    return {f"{kind}:{client}": outcome for kind in kinds for client in clients}


# (API, verb, path, stage) -> caller -> outcome, as API Gateway would answer the demo account.
EXPECTED = {
    # Cognito, scope orders/read: access tokens of the clients that may ask for it; ID tokens are the wrong type.
    ("shop", "GET", "/orders", "prod"): {"none": "401", **every("401", WEB, MOBILE, SPA, kinds=("id",)),
                                         f"access:{WEB}": P, f"access:{MOBILE}": P, f"access:{SPA}": "401"},
    # No scopes: ID tokens only (TOK005: an access token to a REST method without scopes).
    ("shop", "GET", "/profile", "prod"): {"none": "401", **every(P, WEB, MOBILE, SPA, kinds=("id",)),
                                          **every("401", WEB, MOBILE, SPA, kinds=("access",))},
    # prod still serves PUT /profile with scope orders/write (the live scope was changed, never deployed).
    ("shop", "PUT", "/profile", "prod"): {"none": "401", **every("401", WEB, MOBILE, SPA, kinds=("id",)),
                                          f"access:{WEB}": P, f"access:{MOBILE}": "401", f"access:{SPA}": "401"},
    # orders/admin is defined nowhere: no token can carry it.
    ("shop", "POST", "/orders", "prod"): {"none": "401", **every("401", WEB, MOBILE, SPA)},
    # Added after the last deployment: prod does not serve it (REST: 403 Missing Authentication Token).
    ("shop", "DELETE", "/orders/{id}", "prod"): {"none": "403", **every("403", WEB, MOBILE, SPA)},
    ("shop", "GET", "/catalog", "prod"): {"none": P},
    # Deleted from the live API, still served by prod, open to everyone.
    ("shop", "GET", "/debug", "prod"): {"none": P},
    # The resource policy denies DELETE /cart: valid ID tokens get 403 (the authorizer ran first).
    ("storefront", "DELETE", "/cart", "prod"): {"none": "401", **every("403", WEB, MOBILE, SPA, kinds=("id",)),
                                                **every("401", WEB, MOBILE, SPA, kinds=("access",))},
    # A Lambda authorizer whose function API Gateway may not invoke: 500; no header: 401 before it runs.
    ("stock", "GET", "/stock", "v1"): {"none": "401", "lambda": "500"},
    # Key required, the stage's only key disabled: 403.
    ("stock", "GET", "/inventory", "v1"): {"none": "403"},
    # JWT authorizer: the scope is missing from an ID token: 403; the access token of an audience client passes.
    ("mobile-bff", "GET", "/orders", "$default"): {"none": "401", f"id:{WEB}": "403", f"access:{WEB}": P},
    ("mobile-bff", "ANY", "$default", "$default"): {"none": "401", f"id:{WEB}": P, f"access:{WEB}": P},
    # An issuer with a trailing slash: no token of the pool matches it.
    ("mobile-bff", "GET", "/legacy/orders", "$default"): {"none": "401", f"id:{WEB}": "401", f"access:{WEB}": "401"},
    # The pool is another account's: which clients exist is unknown.
    ("reviews", "POST", "/reviews", "prod"): {"none": "401", "id:pool eu-west-1_Sh4red01": U,
                                              "access:pool eu-west-1_Sh4red01": U},
    # The stage is throttled to 0.
    ("partners-v2", "GET", "/quotes", "live"): {"none": "429", f"id:{WEB}": "429", f"access:{WEB}": "429"},
    # Stage-variable function, unknown on beta; the function decides on prod.
    ("orders-v2", "GET", "/orders", "beta"): {"none": "401", "lambda": U},
}


@pytest.fixture(scope="module")
def demo():
    from scanner.demo import demo_snapshot

    snapshot = demo_snapshot()
    return snapshot, assess(snapshot, None, None, RULES)


def grid(cells):
    rows = {}
    for cell in cells:
        rows.setdefault((cell.method["api_name"], cell.method["method"], cell.method["path"], cell.stage),
                        {})[cell.caller.label] = cell.outcome
    return rows


def test_the_demo_matrix_is_what_api_gateway_would_answer(demo):
    _, assessed = demo
    rows = grid(assessed.cells)
    assert len(EXPECTED) >= 10
    for key, callers in EXPECTED.items():
        assert rows.get(key) == callers, key


def test_cells_name_the_rules_that_decide_them(demo):
    _, assessed = demo
    by_key = {(c.method["api_name"], c.method["method"], c.method["path"], c.stage, c.caller.label): c
              for c in assessed.cells}
    assert by_key[("storefront", "DELETE", "/cart", "prod", f"id:{WEB}")].rules == ["APIGW013"]
    assert "LAM002" in by_key[("stock", "GET", "/stock", "v1", "lambda")].rules
    # By design (TOK005: an ID token to a method with scopes); APIGW007 is advice about the API, it turns nobody away.
    assert by_key[("shop", "GET", "/orders", "prod", f"id:{WEB}")].rules == ["TOK005"]
    assert by_key[("shop", "POST", "/orders", "prod", f"access:{WEB}")].rules == ["APIGW005", "APIGW006", "TOK006"]
    # prod serves PUT /profile with its earlier scope (orders/write): shop-web may obtain it, shop-mobile not.
    assert by_key[("shop", "PUT", "/profile", "prod", f"access:{WEB}")].outcome == "pass"
    assert by_key[("shop", "PUT", "/profile", "prod", f"access:{MOBILE}")].rules == ["TOK006"]
    assert by_key[("shop", "DELETE", "/orders/{id}", "prod", "none")].rules == ["APIGW003"]
    assert by_key[("partners-v2", "GET", "/quotes", "live", "none")].rules == ["HTTP008"]
    assert by_key[("stock", "GET", "/inventory", "v1", "none")].rules == ["APIGW018"]


def test_scan_rows_count_the_callers_that_pass(demo):
    _, assessed = demo
    rows = {(m["api_name"], m["method"], m["path"]): m["callers_passing"] for m in assessed.report["methods"]}
    assert rows[("shop", "GET", "/orders")] == 2 and rows[("shop", "GET", "/profile")] == 3
    assert rows[("shop", "POST", "/orders")] == 0  # no caller: a cron job can alert on it
    assert rows[("reviews", "POST", "/reviews")] is None  # none passes, but the pool could not be read
    assert rows[("members-bff", "GET", "/me")] is None  # traffic shows successes the configuration denies


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    """Signs a token with the claims a caller's token would carry, and the key store that verifies it."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    keys_file = tmp_path_factory.mktemp("jwks") / "jwks.json"
    keys_file.write_text(json.dumps({"keys": [{**public, "kid": "k", "alg": "RS256", "use": "sig"}]}))
    now = int(time.time())

    def sign(claims):
        return jwt.encode({**claims, "exp": now + 3600, "iat": now - 10}, private, algorithm="RS256",
                          headers={"kid": "k"})
    return sign, KeyStore(override=str(keys_file))


def holding(assessed, cell):
    """The findings that hold where the cell's caller calls: the method's (as its stage serves it), on its stage."""
    key = (*(cell.method[name] for name in ("account", "region", "api_id", "path", "method")), cell.stage)
    record = served_records(assessed.judgement.facts).get(key, cell.method)
    return [finding for finding in assessed.judgement.index.of_method(record) if finding.applies_at(cell.stage)]


def agree(assessed, signer, rules=RULES):
    """The three views of every demo method × stage × caller tell one story (issue 27, "Agreement tests"):
    - a cell that passes has no decided finding that holds there and turns that caller away;
    - a cell that answers 401/403/404/429/500 has at least one such finding, carrying that status;
    - `token` with a signed token of that caller answers the same status and names the same rules;
    - the method's verdict in the scan is the documented rule applied to the findings that bear on it, and a
      misconfiguration that turns a caller away is among them.
    The cells include the callers sent through a CloudFront distribution; `token` is then asked with the
    distribution (--via-cloudfront). Returns how many cells `token` was compared on."""
    sign, keys = signer
    judged = assessed.judgement
    rows = {method_key(row): row for row in assessed.report["methods"]}
    compared = 0
    for cell in assessed.cells:
        here = holding(assessed, cell)
        stopping = [(finding, refusal) for finding in here for refusal in finding.refusals
                    if refusal.refuses(cell.caller) and finding.outcome == "fail" and not refusal.partial]
        where = (cell.method["api_name"], cell.method["method"], cell.method["path"], cell.stage, cell.caller.label)
        if cell.outcome == "pass":
            assert not stopping, (where, [finding.rule for finding, _ in stopping])
        elif cell.outcome != "unknown":
            assert any(refusal.status == cell.outcome for _, refusal in stopping), (where, cell.outcome)
            assert set(cell.rules) <= {finding.rule for finding, _ in stopping}, (where, cell.rules)
        row = rows[method_key(cell.method)]
        for finding, _ in stopping:
            if finding.kind == "misconfiguration":
                assert finding.rule in row["findings"], (where, finding.rule)
        if cell.caller.kind == "lambda" or (cell.caller.claims is not None and cell.caller.unknown is None):
            claims = cell.caller.claims or {"sub": "caller-of-a-lambda-authorizer"}
            through = cell.caller.through
            target = token_target(judged, cell.method["api_id"], cell.method["path"], cell.method["method"],
                                  cell.stage, through[0] if through else None)
            said = answer(sign(claims), judged, target, keys, rules)
            assert (said["status"], said["rules"]) == (cell.outcome, cell.rules), (where, said["findings"])
            compared += 1
    index = FindingIndex(assessed.report["findings"])
    for row in assessed.report["methods"]:
        attached = index.of_method(row)
        assert row["verdict"] == documented_verdict(attached, row), (row["method"], row["path"])
    return compared


def documented_verdict(findings, row):
    """docs/interface.md: fail when a decided finding's effect is fail (medium or worse unless its rule says
    otherwise), else unknown when one is undecided (or the rule says unknown, or the method was not all read),
    else warn when one's effect is warn (low and info unless its rule says otherwise), else ok."""
    effects = {finding["method_verdict"] if finding["outcome"] == "fail" else "unknown" for finding in findings}
    verdict = next((name for name in ("fail", "unknown", "warn") if name in effects), "ok")
    return "unknown" if row.get("unread") and verdict in ("ok", "warn") else verdict


def test_the_matrix_the_scan_and_token_agree_on_every_demo_cell(demo, signer):
    _, assessed = demo
    assert agree(assessed, signer) >= 40
    # The callers sent through CloudFront are among the cells agreed on: refused (APIGW020), passing (a
    # distribution set up as AWS recommends) and undecided.
    through = [cell for cell in assessed.cells if cell.caller.through]
    assert {cell.outcome for cell in through} == {"pass", "401", "unknown"}
    assert {cell.outcome for cell in through if "APIGW020" in cell.rules} == {"401", "unknown"}


def through_cloudfront(assessed, api):
    """(verb, path, label) -> cell of the callers sent through the CloudFront distribution in front of `api`."""
    return {(c.method["method"], c.method["path"], c.caller.label.split(" via ")[0]): c for c in assessed.cells
            if c.method["api_name"] == api and c.caller.through}


def test_callers_through_cloudfront_are_what_apigw020_decides(demo, signer):
    """The demo's storefront sits behind a distribution caching with managed CachingOptimized, which drops
    Authorization from GET requests: the ID tokens that pass at the API get 401 through it on GET /cart (APIGW020,
    the finding the scan fails the method on), the ANY catch-all is undecided (only its GET and HEAD requests
    lose the token), OPTIONS passes; the callers the API itself refuses get no second column. The members API
    sits behind a distribution set up as AWS recommends: its callers pass through it as they pass at the API.
    `token --via-cloudfront` (the distribution's ID or domain) answers the same."""
    _, assessed = demo
    storefront = through_cloudfront(assessed, "storefront")
    for client in (WEB, MOBILE, SPA):
        cell = storefront[("GET", "/cart", f"id:{client}")]
        assert (cell.outcome, cell.rules) == ("401", ["APIGW020"])
        assert (storefront[("ANY", "/{proxy+}", f"id:{client}")].outcome) == "unknown"
    assert storefront[("OPTIONS", "/cart", "none")].outcome == "pass"
    assert not any(verb == "DELETE" or (label.startswith(("access:", "none")) and verb != "OPTIONS")
                   for verb, _, label in storefront)
    assert_fires(assessed.report, "APIGW020", verdict="fail", severity="high", method="GET", path="/cart")
    members = through_cloudfront(assessed, "members")
    assert members[("GET", "/me", "id:members-app")].outcome == "pass"
    assert members[("GET", "/me", "access:members-app")].outcome == "unknown"  # as at the API: TOK007 undecided
    sign, keys = signer
    cell = storefront[("GET", "/cart", f"id:{WEB}")]
    domain = cell.caller.distribution_domain
    target = token_target(assessed.judgement, "storefront", "/cart", "GET", None, domain.upper())
    said = answer(sign(cell.caller.claims), assessed.judgement, target, keys, RULES)
    assert (said["status"], said["rules"], said["stage"]) == ("401", ["APIGW020"], "prod")
    assert said["caller"]["through"]["distribution_id"] == cell.caller.through[0]
    direct = token_target(assessed.judgement, "storefront", "/cart", "GET", "prod")
    said = answer(sign(cell.caller.claims), assessed.judgement, direct, keys, RULES)
    assert said["verdict"] == "accepted" and said["caller"]["through"] is None
    assert any(f"{cell.caller.through[0]} ({domain}) also send requests" in note and "--via-cloudfront" in note
               for note in said["notes"])


ACME020 = """
id = "ACME020"
severity = "high"
title = "The members API's distribution has a web ACL that blocks every request"
applies_to = "method"
seed = "team policy 9"
condition = "api_name == 'members' && length(cloudfront_routes || `[]`) > `0`"
message = "{method} {path}: the web ACL of the distribution in front of it blocks every request (403)."
fix = "Ask the edge team."
command = "apigw-scan matrix --api members"

[[refuses]]
step = "endpoint"
status = 403
callers = "all"
through = "cloudfront_routes"
"""


def test_a_users_rule_that_refuses_callers_through_cloudfront(demo, signer, tmp_path):
    """A rule given with --policies that turns away only the callers coming through the members API's
    distribution: the scan fails the method, the matrix's cells through the distribution answer 403 while the
    same callers still pass at the API, and `token --via-cloudfront` says the same; every cell still agrees."""
    snapshot, _ = demo
    (tmp_path / "ACME020.toml").write_text(ACME020)
    rules = load_rules([str(tmp_path)])
    assessed = assess(snapshot, None, None, rules)
    assert_fires(assessed.report, "ACME020", verdict="fail", severity="high", method="GET", path="/me",
                 api="members")
    members = through_cloudfront(assessed, "members")
    cell = members[("GET", "/me", "id:members-app")]
    assert (cell.outcome, cell.rules) == ("403", ["ACME020"])
    direct = next(c for c in assessed.cells if c.method is cell.method and c.caller.label == "id:members-app")
    assert direct.outcome == "pass"
    sign, keys = signer
    target = token_target(assessed.judgement, "members", "/me", "GET", None, cell.caller.through[0])
    said = answer(sign(cell.caller.claims), assessed.judgement, target, keys, rules)
    assert (said["status"], said["rules"]) == ("403", ["ACME020"])
    assert agree(assessed, signer, rules) >= 40


def test_via_cloudfront_names_the_distributions_that_reach_the_method(demo):
    _, assessed = demo
    members = next(c for c in assessed.cells if c.method["api_name"] == "members" and c.caller.through)
    with pytest.raises(UsageError) as raised:
        token_target(assessed.judgement, "storefront", "/cart", "GET", None, members.caller.through[0])
    assert "no such CloudFront distribution sends requests to GET /cart" in str(raised.value)
    assert "those that do:" in str(raised.value) and ".cloudfront.net" in str(raised.value)
    with pytest.raises(UsageError, match="none does"):
        token_target(assessed.judgement, "shop", "/orders", "GET", None, "E2EXAMPLE")
    with pytest.raises(UsageError, match="no such stage"):
        token_target(assessed.judgement, "members", "/me", "GET", "beta", members.caller.through[0])


def test_via_cloudfront_picks_the_stage_the_distribution_reaches():
    """A distribution with a behaviour per stage: --stage chooses; without it, a usage error names them."""
    routes = [{"distribution_id": "E2EXAMPLE", "distribution_domain": "d1.cloudfront.net", "behaviour": f"/{stage}/*",
               "stage": stage} for stage in ("prod", "beta")] + [
        {"distribution_id": "E3OTHER", "distribution_domain": "d2.cloudfront.net", "behaviour": "default",
         "stage": "prod"}]
    method = {"method": "GET", "path": "/orders", "cloudfront_routes": routes}
    assert cloudfront_route(method, "E2EXAMPLE", "beta")["behaviour"] == "/beta/*"
    assert cloudfront_route(method, "d2.cloudfront.net", None)["distribution_id"] == "E3OTHER"
    with pytest.raises(UsageError, match="on stages beta, prod: give --stage"):
        cloudfront_route(method, "E2EXAMPLE", None)
    with pytest.raises(UsageError, match="sends no request to GET /orders on stage beta"):
        cloudfront_route(method, "E3OTHER", "beta")
    with pytest.raises(UsageError, match="cloudfront:ListDistributions"):
        cloudfront_route({**method, "cloudfront_routes": None, "cloudfront_unknown": "CloudFront's distributions "
                          "could not be listed (cloudfront:ListDistributions)"}, "E2EXAMPLE", None)


ACME010 = """
id = "ACME010"
severity = "high"
title = "shop-mobile may not call GET /orders of shop"
applies_to = "method"
seed = "team policy 7"
condition = "api_name == 'shop' && path == '/orders' && method == 'GET'"
message = "{method} {path}: shop-mobile is refused (the resource policy's MobileReadOnly statement)."
fix = "Ask the shop team."
command = "apigw-scan matrix --api shop"

[[refuses]]
step = "resource_policy"
status = 403
callers = "token"
clients = "['shop-mobile']"
"""


def test_a_users_rule_that_blocks_one_client_changes_scan_matrix_and_token_together(demo, signer, tmp_path):
    """A rule given with --policies that turns away one app client on one method: the scan reports it (and the
    method fails), the matrix's cells of that client answer 403, and `token` with that client's token too — the
    other clients still pass. The agreement holds for every cell with the rule as without it."""
    snapshot, _ = demo
    (tmp_path / "ACME010.toml").write_text(ACME010)
    rules = load_rules([str(tmp_path)])
    assessed = assess(snapshot, None, None, rules)
    assert_fires(assessed.report, "ACME010", verdict="fail", severity="high", method="GET", path="/orders")
    grid_now = grid(assessed.cells)[("shop", "GET", "/orders", "prod")]
    assert grid_now["access:shop-mobile"] == "403" and grid_now["access:shop-web"] == "pass"
    cell = next(c for c in assessed.cells if (c.method["path"], c.method["method"], c.caller.label) ==
                ("/orders", "GET", "access:shop-mobile") and c.method["api_name"] == "shop")
    assert cell.rules == ["ACME010"]
    sign, keys = signer
    target = token_target(assessed.judgement, cell.method["api_id"], "/orders", "GET", "prod")
    said = answer(sign(cell.caller.claims), assessed.judgement, target, keys, rules)
    assert (said["verdict"], said["status"], said["rules"]) == ("rejected", "403", ["ACME010"])
    web = next(c for c in assessed.cells if c.caller.label == "access:shop-web" and c.method is cell.method)
    assert answer(sign(web.caller.claims), assessed.judgement, target, keys, rules)["verdict"] == "accepted"
    assert agree(assessed, signer, rules) >= 40


def test_a_users_rule_through_the_command_line(account, tmp_path, capsys, signer):
    """The same with the commands a user runs: scan, matrix and token, each given --policies."""
    pool = account.healthy_pool()
    reader = account.seed.create_client(account.cognito, pool["id"], "shop-mobile",
                                        **account.seed.web_client_settings(["api/read"]))
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    (tmp_path / "ACME010.toml").write_text(ACME010)
    common = ["--region", "eu-west-1", "--policies", str(tmp_path)]
    assert main(["scan", *common, "--format", "json", "--no-traffic"]) == 1
    [finding] = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "ACME010"]
    assert (finding["path"], finding["severity"]) == ("/orders", "high")
    assert main(["matrix", *common, "--format", "json", "--no-traffic"]) == 0
    cells = json.loads(capsys.readouterr().out)["cells"]
    outcomes = {cell["label"]: (cell["outcome"], cell["rules"]) for cell in cells}
    assert outcomes["access:shop-mobile"] == ("403", ["ACME010"]) and outcomes["access:users-web"] == ("pass", [])
    sign, _ = signer
    issuer = f"https://cognito-idp.eu-west-1.amazonaws.com/{pool['id']}"
    token = sign({"iss": issuer, "token_use": "access", "client_id": reader, "scope": "api/read"})
    jwks = str(signer[1].override)
    assert main(["token", "--api", "shop", "--path", "/orders", "--method", "GET", "--stage", "prod", *common,
                 "--jwks", jwks, "--format", "json", token]) == 1
    said = json.loads(capsys.readouterr().out)
    assert (said["status"], said["rules"]) == ("403", ["ACME010"])
    assert main(["token", "--api", "shop", "--path", "/orders", "--method", "GET", "--stage", "prod",
                 "--region", "eu-west-1", "--jwks", jwks, "--format", "json", token]) == 0  # without the rule


def test_matrix_command_json_and_filters(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/me", "GET", [])))
    assert main(["matrix", "--region", "eu-west-1", "--format", "json", "--no-traffic"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "apigw-scan-matrix/1"
    labels = {(cell["path"], cell["label"]): cell["outcome"] for cell in document["cells"]}
    assert labels[("/orders", "access:users-web")] == "pass" and labels[("/me", "id:users-web")] == "pass"
    assert labels[("/orders", "none")] == "401"
    cell = document["cells"][0]
    assert set(cell) >= {"account", "region", "api_id", "api_name", "api_type", "path", "method", "stage", "caller",
                         "outcome", "rules", "why"}
    assert set(cell["caller"]) == {"kind", "pool_id", "client_id", "client_name", "through"}
    assert cell["caller"]["through"] is None  # no CloudFront distribution in front of the API
    assert main(["matrix", "--region", "eu-west-1", "--client", "nobody", "--no-traffic"]) == 2
    assert "--client nobody" in capsys.readouterr().err


def test_matrix_table_and_csv(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    assert main(["matrix", "--region", "eu-west-1", "--color", "never", "--no-traffic"]) == 0
    table = capsys.readouterr().out
    assert "access:users-web" in table and " ok" in table and "✓" not in table
    assert main(["matrix", "--region", "eu-west-1", "--color", "always", "--no-traffic"]) == 0
    assert "✓" in capsys.readouterr().out
    assert main(["matrix", "--region", "eu-west-1", "--format", "csv", "--no-traffic"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("account,region,api_type") and len(lines) == 1 + 3  # none, id, access


def test_a_method_no_caller_passes_is_named_with_the_callers_tried(account, capsys):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/admin", "GET", ["api/admin"]),))  # a scope no client may ask for
    assert main(["matrix", "--region", "eu-west-1", "--format", "json", "--no-traffic"]) == 1
    [entry] = json.loads(capsys.readouterr().out)["blocked"]
    assert entry["path"] == "/admin" and entry["callers"] == ["access:users-web", "id:users-web", "none"]
    assert "APIGW005" in entry["rules"]


def test_a_pool_of_a_region_not_scanned_gives_its_clients_as_callers(account, capsys):
    """A pool in us-east-1 behind an API in eu-west-1, scanned in eu-west-1 alone: the pool is read to judge the
    API (audited by its own region's scan, so no client rule reports its clients here), and its app clients are the
    method's callers — without them the method would seem to turn every caller away."""
    cognito = account.session.client("cognito-idp", region_name="us-east-1")
    pool = seed_module.create_pool(cognito, "remote", domain="remote-domain", resource_servers={"api": ["read"]})
    seed_module.create_client(cognito, pool["id"], "remote-web", **seed_module.web_client_settings(["api/read"]))
    seed_module.create_client(cognito, pool["id"], "remote-stuck")  # no flow: COG-worthy, but not audited here
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    assert main(["matrix", "--region", "eu-west-1", "--format", "json", "--no-traffic"]) == 0
    document = json.loads(capsys.readouterr().out)
    labels = {cell["label"]: cell["outcome"] for cell in document["cells"]}
    assert labels["access:remote-web"] == "pass" and labels["none"] == "401" and not document["blocked"]
    assert main(["scan", "--region", "eu-west-1", "--format", "json", "--no-traffic", "--fail-on", "never"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not [f for f in report["findings"] if f["rule"].startswith("COG")]
    assert {row["callers_passing"] for row in report["methods"]} == {1}


def test_matrix_and_token_through_cloudfront_on_the_command_line(account, capsys, signer):
    """`matrix` writes the callers sent through a distribution (their `through` in the JSON, their column in the
    table, the distribution's domain in the legend); `token --via-cloudfront` answers for a token sent through it,
    by the distribution's ID or domain, on the stage it reaches."""
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]),))
    cloudfront = account.session.client("cloudfront", region_name="us-east-1")
    distribution = account.seed.create_distribution(
        cloudfront, "shop", f"{api['api_id']}.execute-api.eu-west-1.amazonaws.com", origin_path="/prod",
        cache_policy=CACHING_OPTIMIZED)
    domain = cloudfront.get_distribution(Id=distribution)["Distribution"]["DomainName"]
    common = ["--region", "eu-west-1", "--no-traffic"]
    assert main(["matrix", *common, "--format", "json"]) == 0
    cells = {cell["label"]: cell for cell in json.loads(capsys.readouterr().out)["cells"]}
    through = cells[f"access:users-web via CloudFront {distribution}"]
    assert (through["outcome"], through["rules"]) == ("401", ["APIGW020"])
    assert through["caller"]["through"] == {"distribution_id": distribution, "distribution_domain": domain,
                                            "behaviour": "default"}
    assert main(["matrix", *common, "--color", "never"]) == 0
    table = capsys.readouterr().out
    assert f"access:users-web via CloudFront {distribution}" in table and domain in table.replace("\n", " ")
    sign, keys = signer
    issuer = f"https://cognito-idp.eu-west-1.amazonaws.com/{pool['id']}"
    token = sign({"iss": issuer, "token_use": "access", "client_id": pool["client_id"], "scope": "api/read"})
    asked = ["token", "--api", "shop", "--path", "/orders", "--method", "GET", "--region", "eu-west-1", "--jwks",
             str(keys.override), "--format", "json"]
    assert main([*asked, "--via-cloudfront", domain, token]) == 1
    said = json.loads(capsys.readouterr().out)
    assert (said["status"], said["rules"], said["stage"]) == ("401", ["APIGW020"], "prod")
    assert main([*asked[:-2], "--via-cloudfront", distribution, token]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first == (f"GET /orders of shop ({api['api_id']}, eu-west-1), stage prod, through CloudFront {distribution} "
                     f"({domain}): REJECTED (401: APIGW020)")
    assert main([*asked, "--stage", "prod", token]) == 0
