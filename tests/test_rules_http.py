"""HTTP APIs with JWT authorizers (HTTP001-005), each fired and quieted."""

from __future__ import annotations

import pytest

from helpers import REGION, assert_fires, findings, method_row, rule_ids


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def issuer_of(pool):
    return f"https://cognito-idp.{REGION}.amazonaws.com/{pool['id']}"


def http_api(account, v2, pool, *, issuer=None, audience=None, routes=(("GET /orders", ["api/read"]),),
             stage="$default", auto_deploy=True, name="bff"):
    api_id = account.seed.create_http_api(v2, name)
    authorizer = account.seed.add_jwt_authorizer(v2, api_id, "jwt", issuer or issuer_of(pool),
                                                 audience if audience is not None else [pool["client_id"]])
    for key, scopes in routes:
        account.seed.add_route(v2, api_id, key, authorization="JWT", authorizer_id=authorizer, scopes=scopes)
    if stage:
        v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=auto_deploy)
    return api_id


def test_healthy_http_api_has_no_finding(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("$default", [])))
    report = account.scan()
    assert report["findings"] == [] and report["errors"] == []
    row = method_row(report, "GET", "/orders")
    assert (row["api_type"], row["api_id"], row["token"], row["stages"]) == ("HTTP", api_id, "access", ["$default"])
    default = method_row(report, "ANY", "$default")
    assert default["token"] == "id-or-access" and default["verdict"] == "ok"


@pytest.mark.parametrize("issuer, words", [
    ("{issuer}/", "ends with a slash"),
    ("{issuer_http}", "is http"),
    ("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}", "names region us-east-1"),
    (f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Gone1", "no user pool"),
])
def test_http001_fires_on_an_issuer_no_token_matches(account, v2, issuer, words):
    pool = account.healthy_pool()
    text = issuer.format(issuer=issuer_of(pool), issuer_http=issuer_of(pool).replace("https", "http"),
                         pool_id=pool["id"])
    http_api(account, v2, pool, issuer=text)
    report = account.scan()
    finding = assert_fires(report, "HTTP001", verdict="fail", severity="critical", path="/orders")
    assert words in finding["message"]


def test_http001_quiet_for_other_identity_providers(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, issuer="https://example.eu.auth0.com/", audience=["api"], routes=(("GET /x", []),))
    assert rule_ids(account.scan()) == set()


def test_http002_fires_on_an_audience_of_strangers(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, audience=[pool["client_id"], "retiredclient123"], name="stranger")
    http_api(account, v2, pool, audience=[], name="empty")
    report = account.scan()
    by_api = {f["api_name"]: f["message"] for f in findings(report, "HTTP002")}
    assert set(by_api) == {"stranger", "empty"}
    assert "retiredclient123 is not" in by_api["stranger"] and "empty" in by_api["empty"]
    assert_fires(report, "HTTP002", verdict="fail", severity="high", api="stranger", path="/orders")


def test_http003_fires_on_a_scope_no_client_in_the_audience_can_obtain(account, v2):
    pool = account.seed.create_pool(account.cognito, "users", domain="users-d",
                                    resource_servers={"api": ["read", "write"]})
    pool["client_id"] = account.seed.create_client(account.cognito, pool["id"], "web",
                                                   **account.seed.web_client_settings(["api/read"]))
    account.seed.create_client(account.cognito, pool["id"], "admin", **account.seed.web_client_settings(["api/write"]))
    http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("POST /orders", ["api/write"])))
    report = account.scan()
    # api/write exists and `other` may obtain it, but `other` is not in the audience.
    assert [(f["method"], f["path"]) for f in findings(report, "HTTP003")] == [("POST", "/orders")]
    assert_fires(report, "HTTP003", verdict="fail", severity="critical", method="POST", path="/orders")


def test_http004_fires_on_an_open_route_beside_protected_ones(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool)
    account.seed.add_route(v2, api_id, "GET /public")
    account.seed.add_route(v2, api_id, "OPTIONS /orders")
    report = account.scan()
    assert [f["path"] for f in findings(report, "HTTP004")] == ["/public"]
    assert_fires(report, "HTTP004", verdict="fail", severity="medium", path="/public")
    assert findings(report, "APIGW010") == []


def test_http005_fires_without_a_serving_stage(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, stage=None, name="no-stage")
    http_api(account, v2, pool, stage="manual", auto_deploy=False, name="never-deployed")
    http_api(account, v2, pool, stage="$default", auto_deploy=True, name="fine")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "HTTP005")) == ["never-deployed", "no-stage"]
    assert_fires(report, "HTTP005", verdict="fail", severity="high", api="no-stage")
    assert findings(report, "APIGW004") == []


def test_http001_quiet_for_the_pools_own_issuer(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool)
    assert findings(account.scan(), "HTTP001") == []


def test_http002_quiet_when_the_audience_is_the_pools_clients(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, audience=[pool["client_id"]])
    assert findings(account.scan(), "HTTP002") == []


def test_http003_quiet_when_a_client_in_the_audience_can_obtain_the_scope(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("POST /orders", ["api/write"])))
    assert findings(account.scan(), "HTTP003") == []


def test_http004_quiet_for_preflight_and_all_public_apis(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool)
    account.seed.add_route(v2, api_id, "OPTIONS /orders")
    public = account.seed.create_http_api(v2, "public")
    account.seed.add_route(v2, public, "GET /p")
    v2.create_stage(ApiId=public, StageName="$default", AutoDeploy=True)
    assert findings(account.scan(), "HTTP004") == []


def test_http005_quiet_with_an_auto_deployed_stage(account, v2):
    pool = account.healthy_pool()
    http_api(account, v2, pool, stage="$default", auto_deploy=True, name="fine")
    assert findings(account.scan(), "HTTP005") == []


def cors(v2, api_id, origins=("https://shop.example.com",)):
    v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": list(origins), "AllowHeaders": ["authorization"]})


@pytest.mark.parametrize("route_key, preflight", [("$default", "OPTIONS /{proxy+}"),
                                                  ("ANY /{proxy+}", "OPTIONS /{proxy+}"),
                                                  ("ANY /orders", "OPTIONS /orders")])
def test_http007_fires_when_an_authorized_catch_all_takes_the_preflight(account, v2, route_key, preflight):
    """Docs "Configuring CORS for an HTTP API": $default (and an ANY route) catches OPTIONS requests; with
    authorization the browser's preflight, sent without a token, gets 401."""
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=((route_key, []),))
    cors(v2, api_id)
    report = account.scan()
    finding = assert_fires(report, "HTTP007", verdict="fail", severity="high",
                           method=route_key.split(" ")[0] if " " in route_key else "ANY", path=route_key.split(" ")[-1])
    assert "catches the CORS preflight" in finding["message"]
    assert f"--route-key '{preflight}' --authorization-type NONE" in finding["commands"][0]


def test_http007_fires_on_an_options_route_that_requires_a_token(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("OPTIONS /orders", []), ("GET /orders", ["api/read"])))
    cors(v2, api_id)
    [finding] = findings(account.scan(), "HTTP007")
    assert finding["method"] == "OPTIONS" and "update-route" in finding["commands"][0]


def test_http007_quiet_with_an_open_options_route_or_without_cors(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("$default", []), ("GET /orders", ["api/read"])))
    assert findings(account.scan(), "HTTP007") == []  # no CORS configuration: API Gateway answers no preflight
    cors(v2, api_id)
    account.seed.add_route(v2, api_id, "OPTIONS /{proxy+}")
    report = account.scan()
    assert findings(report, "HTTP007") == [] and report["findings"] == []


def test_http008_fires_when_the_stage_throttles_to_zero(account, v2):
    """Docs "Throttle requests to your HTTP APIs": a rate or burst of 0 lets nothing through, 429."""
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("POST /orders", ["api/write"])),
                      stage=None)
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, DefaultRouteSettings={
        "DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 0, "ThrottlingRateLimit": 0.0})
    report = account.scan()
    assert {(f["method"], f["stage"]) for f in findings(report, "HTTP008")} == {("GET", "prod"), ("POST", "prod")}
    [command] = findings(report, "HTTP008")[0]["commands"]
    assert command == (f"aws apigatewayv2 update-stage --region {REGION} --api-id {api_id} --stage-name prod "
                       "--default-route-settings '{\"DetailedMetricsEnabled\":true,\"ThrottlingBurstLimit\":5000,"
                       "\"ThrottlingRateLimit\":10000}'")
    assert_fires(report, "HTTP008", verdict="fail", severity="critical", method="GET", path="/orders", stage="prod")


def test_http008_fires_on_a_routes_own_zero_and_names_it(account, v2):
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]), ("POST /orders", ["api/write"])),
                      stage=None)
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, RouteSettings={
        "POST /orders": {"ThrottlingBurstLimit": 0}})
    [finding] = findings(account.scan(), "HTTP008")
    assert finding["method"] == "POST" and "the stage's RouteSettings" in finding["message"]
    assert finding["commands"] == [f"aws apigatewayv2 delete-route-settings --region {REGION} --api-id {api_id} "
                                   "--stage-name prod --route-key 'POST /orders'"]


def test_http008_quiet_when_limits_are_unset_or_a_route_lifts_them(account, v2):
    """An unset limit is the account's quota, not 0; a route's own limit overrides the stage's 0."""
    pool = account.healthy_pool()
    api_id = http_api(account, v2, pool, routes=(("GET /orders", ["api/read"]),), stage=None)
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True,
                    DefaultRouteSettings={"DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 0,
                                          "ThrottlingRateLimit": 0.0},
                    RouteSettings={"GET /orders": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0}})
    v2.create_stage(ApiId=api_id, StageName="beta", AutoDeploy=True,
                    DefaultRouteSettings={"DetailedMetricsEnabled": True})
    report = account.scan()
    assert findings(report, "HTTP008") == [] and report["findings"] == []
