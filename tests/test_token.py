"""`apigw-scan token`: every TOK rule on real RSA-signed tokens, exact rule IDs and exit codes; never a traceback."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import REGION, RULES
from scanner.cli import main
from scanner.errors import UsageError
from scanner.tokens.checks import diagnose
from scanner.tokens.command import token_report
from scanner.tokens.jwks import KeyStore
from scanner.tokens.target import TokenTarget

KID = "test-key"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks_document(private=PRIVATE, kid=KID):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {"keys": [{**public, "kid": kid, "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def jwks_file(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_document()))
    return str(path)


def sign(claims, private=PRIVATE, kid=KID):
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def shop(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/me", "GET", [])))
    strict = account.cognito_api(pool["arn"], name="strict", methods=(("/me", "GET", []),),
                                 validation="^never-[0-9]+$")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}"
    return {"pool": pool, "api": api, "strict": strict, "issuer": issuer, "account": account}


def access_claims(shop, **overrides):
    now = int(time.time())
    claims = {"iss": shop["issuer"], "token_use": "access", "client_id": shop["pool"]["client_id"],
              "scope": "openid api/read", "exp": now + 3600, "iat": now - 10, "auth_time": now - 10,
              "username": "jane", "sub": "s-1"}
    claims.update(overrides)
    return claims


def id_claims(shop, **overrides):
    now = int(time.time())
    claims = {"iss": shop["issuer"], "token_use": "id", "aud": shop["pool"]["client_id"], "exp": now + 3600,
              "iat": now - 10, "auth_time": now - 10, "cognito:username": "jane", "sub": "s-1"}
    claims.update(overrides)
    return claims


def check(shop, token, path="/orders", api="shop", jwks=None, stage=None):
    return token_report(shop["account"].session, [REGION], api, path, "GET", stage, token, jwks, False, RULES)


def rules_of(result):
    return sorted({f["rule"] for f in result["findings"]})


def test_valid_access_token_with_the_scope(shop, jwks_file):
    result = check(shop, sign(access_claims(shop)), jwks=jwks_file)
    assert result["verdict"] == "accepted" and result["findings"] == []
    assert result["claims"]["token_use"] == "access" and result["claims"]["exp"]["relative"].startswith("in ")


def test_valid_id_token_on_a_method_without_scopes(shop, jwks_file):
    assert check(shop, sign(id_claims(shop)), path="/me", jwks=jwks_file)["verdict"] == "accepted"


@pytest.mark.parametrize("case, path, expected", [
    ("expired", "/orders", ["TOK002"]),
    ("not-yet-valid", "/orders", ["TOK003"]),
    ("other-pool", "/orders", ["TOK004", "TOK007"]),
    ("id-to-scoped", "/orders", ["TOK005"]),
    ("access-to-unscoped", "/me", ["TOK005"]),
    ("scope-missing", "/orders", ["TOK006"]),
    ("client-not-in-pool", "/orders", ["TOK007"]),
    ("bad-signature", "/orders", ["TOK008"]),
    ("unknown-kid", "/orders", ["TOK008"]),
    ("not-rs256", "/orders", ["TOK008"]),
])
def test_each_reason(shop, jwks_file, case, path, expected):
    now = int(time.time())
    tokens = {
        "expired": lambda: sign(access_claims(shop, exp=now - 300, iat=now - 4000)),
        "not-yet-valid": lambda: sign(access_claims(shop, iat=now + 3600, exp=now + 7200)),
        "other-pool": lambda: sign(access_claims(shop, iss=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Zz9",
                                                 client_id="someoneelse")),
        "id-to-scoped": lambda: sign(id_claims(shop)),
        "access-to-unscoped": lambda: sign(access_claims(shop)),
        "scope-missing": lambda: sign(access_claims(shop, scope="openid email")),
        "client-not-in-pool": lambda: sign(access_claims(shop, client_id="3rdpartyclient")),
        "bad-signature": lambda: sign(access_claims(shop), private=OTHER_PRIVATE),
        "unknown-kid": lambda: sign(access_claims(shop), kid="rotated-key"),
        "not-rs256": lambda: jwt.encode(access_claims(shop), "secret-of-32-bytes-at-least-0123456", algorithm="HS256",
                                        headers={"kid": KID}),
    }
    result = check(shop, tokens[case](), path=path, jwks=jwks_file)
    assert rules_of(result) == expected
    assert result["verdict"] == "rejected"
    assert all(f["expected"] is not None and f["message"] for f in result["findings"])


def test_validation_expression_does_not_match_aud(shop, jwks_file):
    result = check(shop, sign(id_claims(shop)), path="/me", api="strict", jwks=jwks_file)
    # The token's own check (TOK007) and the rule that says the expression matches no app client (APIGW009), at
    # the same step: what the matrix names for this caller.
    assert rules_of(result) == ["APIGW009", "TOK007"] and (result["status"], result["rules"]) == (
        "401", ["APIGW009", "TOK007"])
    assert "never-" in result["findings"][0]["expected"]


def test_every_reason_at_once(shop, jwks_file):
    now = int(time.time())
    token = sign(id_claims(shop, exp=now - 60, aud="stranger"), private=OTHER_PRIVATE)
    result = check(shop, " Bearer " + token + "\n", jwks=jwks_file)
    assert rules_of(result) == ["TOK001", "TOK002", "TOK005", "TOK007", "TOK008"]


@pytest.mark.parametrize("mangle", [
    lambda t: t[:40] + " " + t[40:],
    lambda t: t[:40] + "\n" + t[40:],
    lambda t: f'"{t}"',
    lambda t: t + "\n",
])
def test_pasting_accidents_are_reported_not_fixed(shop, jwks_file, mangle):
    result = check(shop, mangle(sign(access_claims(shop))), jwks=jwks_file)
    assert rules_of(result) == ["TOK001"] and result["verdict"] == "rejected"


def test_bearer_prefix_is_fine_for_cognito_authorizers(shop, jwks_file):
    result = check(shop, "Bearer " + sign(access_claims(shop)), jwks=jwks_file)
    assert result["verdict"] == "accepted" and any("Bearer" in note for note in result["notes"])


def test_bearer_prefix_against_a_lambda_token_authorizer(account, jwks_file):
    function = account.seed.create_function(account.lambda_client, account.iam, "auth")
    api_id = account.seed.create_rest_api(account.apigateway, "lam")
    strict = account.apigateway.create_authorizer(
        restApiId=api_id, name="strict", type="TOKEN", identitySource="method.request.header.Authorization",
        identityValidationExpression=r"^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*$",
        authorizerUri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function}/invocations")["id"]
    loose = account.seed.add_lambda_authorizer(account.apigateway, api_id, "loose", function)
    for path, authorizer in (("/strict", strict), ("/loose", loose)):
        account.seed.add_method(account.apigateway, api_id, path, "GET", authorization="CUSTOM",
                                authorizer_id=authorizer)
    account.seed.deploy(account.apigateway, api_id, "prod")
    shop = {"pool": {"client_id": "c"}, "issuer": "https://example", "account": account}
    token = "Bearer " + sign(access_claims(shop))
    strict_result = check({**shop}, token, path="/strict", api="lam", jwks=jwks_file)
    # The prefix is refused first (401); LAM002 (API Gateway may not invoke the function) is another reason why.
    assert rules_of(strict_result) == ["LAM002", "TOK001"] and strict_result["rules"] == ["TOK001"]
    assert strict_result["status"] == "401" and "validation expression" in strict_result["findings"][0]["actual"]
    loose_result = check({**shop}, token, path="/loose", api="lam", jwks=jwks_file)
    assert any("must strip it" in n for n in loose_result["notes"])
    # The token passes the expression; API Gateway may not invoke the function (LAM002): 500, as the matrix says.
    assert (loose_result["verdict"], loose_result["status"], loose_result["rules"]) == ("rejected", "500", ["LAM002"])


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.eyJ4Ijox.", "....", "\x00\xff"])
def test_garbage_is_tok001(shop, jwks_file, garbage):
    result = check(shop, garbage, jwks=jwks_file)
    assert rules_of(result) == ["TOK001"] and set(result["claims"]) <= {"header"}


def test_keys_fetched_once_per_issuer_and_again_only_for_an_unknown_kid(jwks_file):
    keys = KeyStore(override=jwks_file)
    assert keys.key("iss-a", "pool", KID) is not None
    assert keys.key("iss-a", "pool", KID) is not None
    assert len(keys.fetches) == 1
    assert keys.key("iss-a", "pool", "rotated") is None
    assert len(keys.fetches) == 2


def test_unreachable_keys_make_the_signature_undecided(shop):
    result = check(shop, sign(access_claims(shop)), jwks="http://127.0.0.1:9/jwks.json")
    [finding] = result["findings"]
    assert (finding["rule"], finding["outcome"]) == ("TOK008", "unknown")
    assert result["verdict"] == "undecided"


def test_stage_serves_the_old_scopes(shop, jwks_file):
    account, api = shop["account"], shop["api"]
    resources = {r["path"]: r["id"] for r in account.apigateway.get_resources(restApiId=api["api_id"])["items"]}
    account.apigateway.update_method(restApiId=api["api_id"], resourceId=resources["/orders"], httpMethod="GET",
                                     patchOperations=[{"op": "replace", "path": "/authorizationScopes",
                                                       "value": "api/write"}])
    token = sign(access_claims(shop, scope="api/read"))
    assert rules_of(check(shop, token, jwks=jwks_file)) == ["TOK006"]  # the live API wants api/write
    assert check(shop, token, jwks=jwks_file, stage="prod")["verdict"] == "accepted"  # prod still serves api/read


def test_resource_policy_refuses_a_perfect_token(account, jwks_file):
    pool = account.healthy_pool()
    api_id = account.seed.create_rest_api(account.apigateway, "walled", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/dev/*"}]})
    authorizer = account.seed.add_cognito_authorizer(account.apigateway, api_id, "c", [pool["arn"]])
    account.seed.add_method(account.apigateway, api_id, "/orders", "GET", authorization="COGNITO_USER_POOLS",
                            authorizer_id=authorizer, scopes=["api/read"])
    account.seed.deploy(account.apigateway, api_id, "prod")
    shop = {"pool": pool, "issuer": f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}", "account": account}
    result = check(shop, sign(access_claims(shop)), api="walled", jwks=jwks_file, stage="prod")
    assert rules_of(result) == ["APIGW013"] and result["verdict"] == "rejected"
    assert (result["status"], result["step"], result["rules"]) == ("403", "resource_policy", ["APIGW013"])
    # No stage named: the live configuration, with what every stage serving the method adds — prod, its only one.
    assert check(shop, sign(access_claims(shop)), api="walled", jwks=jwks_file)["rules"] == ["APIGW013"]


def test_unknown_method_lists_the_methods(shop, capsys):
    with pytest.raises(UsageError, match=r"its methods: GET /me, GET /orders"):
        check(shop, "x.y.z", path="/nope")
    assert main(["token", "--api", "shop", "--path", "/nope", "--method", "GET", "--region", REGION, "x.y.z"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_exit_codes_and_the_token_never_printed(shop, jwks_file, capsys, monkeypatch):
    good, bad = sign(access_claims(shop)), sign(id_claims(shop))
    base = ["token", "--api", "shop", "--path", "/orders", "--method", "get", "--region", REGION, "--jwks", jwks_file]
    assert main([*base, good]) == 0
    assert main([*base, "--format", "json", bad]) == 1
    out = capsys.readouterr().out
    assert good not in out and bad not in out and bad.split(".")[2] not in out
    assert json.loads(out[out.index("{\n"):])["verdict"] == "rejected"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(good + "\n"))
    assert main([*base, "-"]) == 0  # the newline a pipe adds is not the user's
    assert main([*base, "--jwks", "/nonexistent/jwks.json", good]) == 2


def test_table_output(shop, jwks_file, capsys):
    now = int(time.time())
    assert main(["token", "--api", "shop", "--path", "/orders", "--method", "GET", "--region", REGION,
                 "--jwks", jwks_file, sign(id_claims(shop, exp=now - 120))]) == 1
    out = capsys.readouterr().out
    assert "GET /orders of shop" in out and "REJECTED" in out
    assert "TOK002" in out and "TOK005" in out and "2 minutes ago" in out
    assert max(len(line) for line in out.splitlines()) <= 120


_TARGET = TokenTarget(method={"api_type": "REST", "method": "GET", "path": "/x", "api_name": "a", "api_id": "a",
                         "region": REGION, "token": "access", "scopes": ["s"], "authorizer": "c"},
                 stage=None, authorization="COGNITO_USER_POOLS", scopes=["s"], authorizer_id="c",
                 identity_header="Authorization", validation_expression=None,
                 pools=[{"pool_id": f"{REGION}_A", "arn": "arn", "issuer": "https://i", "status": "present",
                         "client_ids": ["c1"]}])


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                      st.lists(st.text(alphabet="abcXYZ019-_=+/ ", max_size=30), min_size=1, max_size=5).map(".".join)))
def test_any_string_gets_a_clean_tok001_verdict(tmp_path_factory, text):
    jwks = tmp_path_factory.getbasetemp() / "jwks-property.json"
    if not jwks.exists():
        jwks.write_text(json.dumps(jwks_document()))
    result = diagnose(text, _TARGET, KeyStore(override=str(jwks)))
    assert result["verdict"] == "rejected"
    assert "TOK001" in {f["rule"] for f in result["findings"]}
    json.dumps(result)


def test_live_asks_api_gateway_and_never_echoes_the_token(shop, jwks_file):
    token = sign(access_claims(shop))
    result = token_report(shop["account"].session, [REGION], "shop", "/orders", "GET", None, token, jwks_file, True,
                          RULES)
    # moto does not implement TestInvokeAuthorizer: the call is recorded as failed, and the diagnosis stands.
    assert result["live"]["status"] == "failed"
    assert [(e["operation"], e["iam_action"]) for e in result["errors"]] == [
        ("TestInvokeAuthorizer", "apigateway:POST")]
    assert result["verdict"] == "accepted"
    assert token not in json.dumps(result)


def test_http_api_jwt_route(account, jwks_file):
    pool = account.healthy_pool()
    v2 = account.session.client("apigatewayv2", region_name=REGION)
    api_id = account.seed.create_http_api(v2, "bff")
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}"
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", issuer, [pool["client_id"]])
    account.seed.add_route(v2, api_id, "GET /orders", authorization="JWT", authorizer_id=authorizer,
                           scopes=["api/read"])
    account.seed.add_route(v2, api_id, "$default", authorization="JWT", authorizer_id=authorizer)
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    v2.create_stage(ApiId=api_id, StageName="manual", AutoDeploy=False)
    shop = {"pool": pool, "issuer": issuer, "account": account}

    def run(token, path, stage=None):
        return token_report(account.session, [REGION], "bff", path, "ANY" if path == "$default" else "GET", stage,
                            token, jwks_file, False, RULES)

    assert run(sign(access_claims(shop)), "/orders")["verdict"] == "accepted"
    assert run("Bearer " + sign(access_claims(shop)), "/orders", "$default")["verdict"] == "accepted"  # stripped
    assert run(sign(id_claims(shop)), "$default")["verdict"] == "accepted"  # no scopes: ID tokens pass too
    # A JWT authorizer does not look at token_use: an ID token fails because it carries no scope (AWS,
    # "Troubleshooting HTTP API JWT authorizers": aud when present, else client_id; scope or scp).
    assert rules_of(run(sign(id_claims(shop)), "/orders")) == ["TOK006"]
    assert run(sign({**access_claims(shop), "token_use": "id"}), "/orders")["verdict"] == "accepted"
    listed = run(sign({**id_claims(shop), "aud": ["someone-else", pool["client_id"]]}), "$default")
    assert listed["verdict"] == "accepted"  # a list aud (RFC 7519) matches when one entry does
    odd = run(sign({**id_claims(shop), "aud": ["someone-else", pool["client_id"], 7]}), "$default")
    assert odd["verdict"] == "rejected" and rules_of(odd) == ["TOK001"]  # not an array of strings: malformed
    assert rules_of(run(sign(id_claims(shop, aud="stranger")), "$default")) == ["TOK007"]
    # Stage manual serves no deployment: HTTP006 turns every caller away there, 404 (HTTP APIs answer Not Found).
    manual = run(sign(access_claims(shop)), "/orders", "manual")
    assert (rules_of(manual), manual["status"], manual["rules"]) == (["HTTP006"], "404", ["HTTP006"])
    with pytest.raises(UsageError, match="no scanned API has that stage"):
        run(sign(access_claims(shop)), "/orders", "qa")


def test_an_aud_list_on_an_id_token(shop, jwks_file):
    """RFC 7519, 4.1.3: "In the general case, the "aud" value is an array of case-sensitive strings, each containing a
    StringOrURI value. In the special case when the JWT has one audience, the "aud" value MAY be a single
    case-sensitive string" (https://www.rfc-editor.org/rfc/rfc7519#section-4.1.3). ["c1"] is judged like "c1"; an aud
    holding anything but strings is not a well-formed JWT (TOK001): no audience or app client can be compared with it,
    and the fix is in what issued the token, not in the authorizer (which TOK007 would point at)."""
    client = shop["pool"]["client_id"]
    single = check(shop, sign(id_claims(shop, aud=client)), path="/me", jwks=jwks_file)
    listed = check(shop, sign(id_claims(shop, aud=[client])), path="/me", jwks=jwks_file)
    assert single["verdict"] == listed["verdict"] == "accepted" and listed["findings"] == []
    stranger = check(shop, sign(id_claims(shop, aud=["3rdpartyclient"])), path="/me", jwks=jwks_file)
    assert stranger["verdict"] == "rejected" and rules_of(stranger) == ["TOK007"]
    for odd in ([client, 7], [{"client": client}], [[client]], 42, {"aud": client}):
        result = check(shop, sign(id_claims(shop, aud=odd)), path="/me", jwks=jwks_file)
        assert result["verdict"] == "rejected" and rules_of(result) == ["TOK001"], odd
        assert result["findings"][0]["expected"].startswith("aud: a string, or a list of strings")
    # The validation expression is matched against the list's entries too (the strict API's never matches).
    strict = check(shop, sign(id_claims(shop, aud=[client])), path="/me", api="strict", jwks=jwks_file)
    # The token's own check (TOK007) and the rule that says the expression matches no app client (APIGW009).
    assert rules_of(strict) == ["APIGW009", "TOK007"]
    assert any("identityValidationExpression" in f["message"] for f in strict["findings"] if f["rule"] == "TOK007")
