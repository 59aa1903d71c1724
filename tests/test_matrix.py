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

from helpers import RULES
from scanner.cli import main
from scanner.model.facts import build_facts
from scanner.model.normalize import normalize_snapshot
from scanner.report import method_row
from scanner.scan import assess, select
from scanner.tokens.checks import diagnose
from scanner.tokens.jwks import KeyStore
from scanner.tokens.target import find_target

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
    # Added after the last deployment: no stage serves it (REST: 403 Missing Authentication Token).
    ("shop", "DELETE", "/orders/{id}", None): {"none": "403", **every("403", WEB, MOBILE, SPA)},
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
    assert by_key[("shop", "GET", "/orders", "prod", f"id:{WEB}")].rules == ["TOK005", "APIGW007"]
    assert by_key[("shop", "POST", "/orders", "prod", f"access:{WEB}")].rules == ["TOK006", "APIGW005", "APIGW006"]
    assert by_key[("partners-v2", "GET", "/quotes", "live", "none")].rules == ["HTTP008"]
    assert by_key[("stock", "GET", "/inventory", "v1", "none")].rules == ["APIGW018"]


def test_scan_rows_count_the_callers_that_pass(demo):
    _, assessed = demo
    rows = {(m["api_name"], m["method"], m["path"]): m["callers_passing"] for m in assessed.report["methods"]}
    assert rows[("shop", "GET", "/orders")] == 2 and rows[("shop", "GET", "/profile")] == 3
    assert rows[("shop", "POST", "/orders")] == 0  # no caller: a cron job can alert on it
    assert rows[("reviews", "POST", "/reviews")] is None  # none passes, but the pool could not be read
    assert rows[("members-bff", "GET", "/me")] is None  # traffic shows successes the configuration denies


def test_the_matrix_agrees_with_token(demo, tmp_path):
    """For every token caller of every Cognito or JWT method the demo serves: a token with the caller's claims,
    signed, judged by `token` on that stage, says what the matrix cell says. The cells the matrix decides from
    more than the token (throttling, API keys, a pre-token trigger, traffic) are left out."""
    snapshot, assessed = demo
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    keys_file = tmp_path / "jwks.json"
    keys_file.write_text(json.dumps({"keys": [{**public, "kid": "k", "alg": "RS256", "use": "sig"}]}))
    keys = KeyStore(override=str(keys_file))
    shaped = select(normalize_snapshot(snapshot), None, None)
    facts = build_facts(shaped)
    now = int(time.time())
    compared = 0
    for cell in assessed.cells:
        if cell.caller.claims is None or cell.stage is None or cell.why.startswith("contradicted by traffic") or \
                set(cell.rules) & {"HTTP008", "APIGW018", "APIGW019", "COG005", "COG006"}:
            continue
        token = jwt.encode({**cell.caller.claims, "exp": now + 3600, "iat": now - 10}, private, algorithm="RS256",
                           headers={"kid": "k"})
        target = find_target(facts, shaped, method_row, cell.method["api_id"], cell.method["path"],
                             cell.method["method"], cell.stage)
        verdict = diagnose(token, target, keys)["verdict"]
        expected = {"pass": "accepted", "unknown": "undecided"}.get(cell.outcome, "rejected")
        assert verdict == expected, (cell.as_json(), diagnose(token, target, keys)["findings"])
        compared += 1
    assert compared >= 30


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
    assert set(cell["caller"]) == {"kind", "pool_id", "client_id", "client_name"}
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
