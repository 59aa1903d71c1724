"""Each REST rule (APIGW001-012) fires on its misconfiguration and stays quiet on a healthy setup."""

from __future__ import annotations

from helpers import ACCOUNT, REGION, assert_fires, findings, method_row, rule_ids


def test_healthy_account_has_no_finding(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/orders", "POST", ["api/write"])))
    report = account.scan()
    assert report["findings"] == []
    assert report["errors"] == []
    row = method_row(report, "GET", "/orders")
    assert row["verdict"] == "ok"
    assert row["token"] == "access"
    assert row["stages"] == ["prod"]
    assert row["authorization"] == "COGNITO_USER_POOLS"
    assert row["scopes"] == ["api/read"]


def test_apigw001_fires_on_a_deleted_pool(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    account.cognito.delete_user_pool(UserPoolId=pool["id"])
    report = account.scan()
    finding = assert_fires(report, "APIGW001", verdict="fail", severity="critical", method="GET", path="/orders")
    assert finding["api_id"] == api["api_id"] and finding["pool_id"] == pool["id"]
    assert "no user pool" in finding["message"]


def test_apigw001_fires_on_malformed_and_wrong_region_pools(account):
    pool = account.healthy_pool()
    wrong_region = pool["arn"].replace(f":{REGION}:", ":eu-central-1:")
    account.cognito_api(wrong_region, name="wrong-region")
    account.cognito_api("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/not a pool", name="typo")
    report = account.scan()
    by_api = {f["api_name"]: f for f in findings(report, "APIGW001")}
    # The pool was created in eu-west-1: eu-central-1 could hold a multi-Region replica, and does not (looked up).
    assert set(by_api) == {"wrong-region", "typo"}
    assert "is not a user pool ARN" in by_api["typo"]["message"]
    assert "was created in eu-west-1, and eu-central-1 has no replica of it" in by_api["wrong-region"]["message"]


def test_apigw001_fires_only_for_the_missing_pool_of_another_region(account):
    other = account.session.client("cognito-idp", region_name="us-east-1")
    remote = account.seed.create_pool(other, "remote")
    ghost = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_Gh0st"
    account.cognito_api(remote["arn"], name="remote-ok", methods=(("/a", "GET", []),))
    account.cognito_api(ghost, name="remote-ghost", methods=(("/a", "GET", []),))
    report = account.scan()
    assert [f["api_name"] for f in findings(report, "APIGW001")] == ["remote-ghost"]
    assert findings(report, "APIGW002") == []


def test_apigw001_fires_only_on_the_stage_that_lacks_the_variable(account):
    pool = account.healthy_pool()
    templated = pool["arn"].replace(pool["id"], "${stageVariables.poolId}")
    api = account.cognito_api(templated, deploy=None)
    account.apigateway.create_deployment(restApiId=api["api_id"], stageName="prod", variables={"poolId": pool["id"]})
    account.apigateway.create_deployment(restApiId=api["api_id"], stageName="dev")
    report = account.scan()
    [finding] = findings(report, "APIGW001")
    assert finding["stage"] == "dev" and "does not define the stage variable" in finding["message"]


def test_apigw002_fires_on_a_pool_in_another_account(account):
    foreign = "arn:aws:cognito-idp:eu-west-1:999999999999:userpool/eu-west-1_Fore1gn"
    account.cognito_api(foreign)
    report = account.scan()
    [finding] = findings(report, "APIGW002")
    assert "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Fore1gn" in finding["message"]
    # Low, and the undecided scopes make the method unknown (never a pass).
    assert_fires(report, "APIGW002", verdict="unknown", severity="low", path="/orders")
    # The scopes cannot be judged without the pool: unknown, never a silent pass.
    assert findings(report, "APIGW005", outcome="unknown")
    assert findings(report, "APIGW001") == []


def test_apigw003_fires_on_changes_not_deployed(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/items", "GET", [])))
    resources = {r["path"]: r["id"] for r in account.apigateway.get_resources(restApiId=api["api_id"])["items"]}
    account.apigateway.update_method(restApiId=api["api_id"], resourceId=resources["/orders"], httpMethod="GET",
                                     patchOperations=[{"op": "add", "path": "/authorizationScopes",
                                                       "value": "api/write"}])
    account.seed.add_method(account.apigateway, api["api_id"], "/orders", "DELETE",
                            authorization="COGNITO_USER_POOLS", authorizer_id=api["authorizer_id"],
                            scopes=["api/write"])
    account.apigateway.update_method(restApiId=api["api_id"], resourceId=resources["/items"], httpMethod="GET",
                                     patchOperations=[{"op": "replace", "path": "/authorizationType",
                                                       "value": "AWS_IAM"}])
    report = account.scan()
    by_method = {(f["method"], f["path"]): f for f in findings(report, "APIGW003")}
    assert set(by_method) == {("GET", "/orders"), ("DELETE", "/orders"), ("GET", "/items")}
    assert "scopes: stage prod serves [api/read], the live API has [api/read, api/write]" in \
        by_method[("GET", "/orders")]["message"]
    assert "not deployed to stage prod" in by_method[("DELETE", "/orders")]["message"]
    assert "authorization type: stage prod serves COGNITO_USER_POOLS, the live API has AWS_IAM" in \
        by_method[("GET", "/items")]["message"]
    assert all(f["stage"] == "prod" for f in by_method.values())
    assert method_row(report, "DELETE", "/orders")["stages"] == []
    assert_fires(report, "APIGW003", verdict="fail", severity="high", method="DELETE", path="/orders")


def test_apigw003_quiet_after_redeploy_and_per_stage(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    account.seed.deploy(account.apigateway, api["api_id"], "dev")  # dev gets the same config as prod
    account.seed.add_method(account.apigateway, api["api_id"], "/new", "GET",
                            authorization="COGNITO_USER_POOLS", authorizer_id=api["authorizer_id"],
                            scopes=["api/read"])
    account.seed.deploy(account.apigateway, api["api_id"], "dev")  # only dev is redeployed
    report = account.scan()
    assert [(f["stage"], f["path"]) for f in findings(report, "APIGW003")] == [("prod", "/new")]
    assert method_row(report, "GET", "/new")["stages"] == ["dev"]
    assert findings(account.scan(stage="dev"), "APIGW003") == []


def test_apigw003_fires_when_the_authorizer_pool_changed(account):
    pool = account.healthy_pool()
    other = account.healthy_pool("other")
    api = account.cognito_api(pool["arn"])
    account.apigateway.update_authorizer(restApiId=api["api_id"], authorizerId=api["authorizer_id"], patchOperations=[
        {"op": "remove", "path": "/providerARNs", "value": pool["arn"]},
        {"op": "add", "path": "/providerARNs", "value": other["arn"]}])
    report = account.scan()
    [finding] = findings(report, "APIGW003")
    assert f"authorizer's user pools: stage prod serves [{pool['arn']}], the live API has [{other['arn']}]" in \
        finding["message"]


def test_apigw004_fires_with_no_stage(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], deploy=None)
    report = account.scan()
    finding = assert_fires(report, "APIGW004", verdict="fail", severity="high")
    assert finding["path"] is None and finding["method"] is None


def test_apigw005_fires_on_a_scope_no_client_can_obtain(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/admin", "GET", ["api/admin"])))
    report = account.scan()
    assert [f["path"] for f in findings(report, "APIGW005")] == ["/admin"]
    finding = assert_fires(report, "APIGW005", verdict="fail", severity="critical", path="/admin")
    assert finding["pool_id"] == pool["id"]


def test_apigw005_fires_without_oauth_or_a_domain(account):
    no_domain = account.seed.create_pool(account.cognito, "nodomain", resource_servers={"api": ["read"]})
    account.seed.create_client(account.cognito, no_domain["id"], "web",
                               **account.seed.web_client_settings(["api/read"]))
    switched_off = account.seed.create_pool(account.cognito, "off", domain="off-domain",
                                            resource_servers={"api": ["read"]})
    settings = account.seed.web_client_settings(["api/read"])
    settings["AllowedOAuthFlowsUserPoolClient"] = False
    account.seed.create_client(account.cognito, switched_off["id"], "web", **settings)
    account.cognito_api(no_domain["arn"], name="a")
    account.cognito_api(switched_off["arn"], name="b")
    report = account.scan()
    assert sorted(f["api_name"] for f in findings(report, "APIGW005")) == ["a", "b"]


def test_apigw005_quiet_for_admin_scope_from_api_sign_in(account):
    pool = account.seed.create_pool(account.cognito, "api-only")
    account.seed.create_client(account.cognito, pool["id"], "cli", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", ["aws.cognito.signin.user.admin"]),))
    assert findings(account.scan(), "APIGW005") == []


def test_apigw006_fires_on_an_undefined_custom_scope(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/x", "GET", ["billing/read"]),
                                              ("/y", "GET", ["email"])))
    report = account.scan()
    [finding] = findings(report, "APIGW006")
    assert finding["path"] == "/x" and "billing/read" in finding["message"]
    assert_fires(report, "APIGW006", verdict="fail", severity="high", path="/x")


def test_apigw007_fires_on_mixed_token_types(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/me", "GET", []),
                                              ("/orders", "OPTIONS", [])))
    report = account.scan()
    finding = assert_fires(report, "APIGW007", verdict="warn", severity="low", path="/me")
    assert "GET /me" in finding["message"] and "OPTIONS" not in finding["message"]
    assert method_row(report, "GET", "/me")["token"] == "id"


def test_apigw008_fires_on_a_token_in_another_header(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], name="x-header", header="X-Token")
    account.cognito_api(pool["arn"], name="lowercase", header="authorization")
    report = account.scan()
    assert [f["api_name"] for f in findings(report, "APIGW008")] == ["x-header"]
    assert_fires(report, "APIGW008", verdict="warn", severity="low", api="x-header")


def test_apigw009_fires_on_expressions_that_reject_tokens(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], name="nomatch", methods=(("/a", "GET", []),), validation="^web-.*$")
    account.cognito_api(pool["arn"], name="match", methods=(("/a", "GET", []),), validation=pool["client_id"])
    account.cognito_api(pool["arn"], name="scoped", methods=(("/a", "GET", ["api/read"]),),
                        validation=pool["client_id"])
    account.cognito_api(pool["arn"], name="invalid", methods=(("/a", "GET", []),), validation="([")
    report = account.scan()
    by_api = {f["api_name"]: f["message"] for f in findings(report, "APIGW009")}
    assert set(by_api) == {"nomatch", "scoped", "invalid"}
    assert "matches none" in by_api["nomatch"]
    assert "carry no aud" in by_api["scoped"]
    assert "not a valid regular expression" in by_api["invalid"]
    assert_fires(report, "APIGW009", verdict="fail", severity="high", api="nomatch")


def test_apigw010_fires_on_an_open_method_beside_protected_ones(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    for path, verb, key in (("/public", "GET", False), ("/keyed", "GET", True), ("/orders", "OPTIONS", False)):
        account.seed.add_method(account.apigateway, api["api_id"], path, verb, api_key=key)
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    open_api = account.seed.create_rest_api(account.apigateway, "all-public")
    account.seed.add_method(account.apigateway, open_api, "/p", "GET")
    account.seed.deploy(account.apigateway, open_api, "prod")
    report = account.scan()
    assert [(f["api_name"], f["path"]) for f in findings(report, "APIGW010")] == [("shop", "/public")]
    assert_fires(report, "APIGW010", verdict="fail", severity="medium", api="shop", path="/public")


def test_apigw011_fires_on_a_preflight_with_an_authorizer(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/orders", "OPTIONS", [])))
    account.seed.add_method(account.apigateway, api["api_id"], "/open", "OPTIONS")
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    report = account.scan()
    assert [(f["method"], f["path"]) for f in findings(report, "APIGW011")] == [("OPTIONS", "/orders")]
    assert_fires(report, "APIGW011", verdict="fail", severity="high", method="OPTIONS", path="/orders")


def test_apigw012_fires_on_an_unused_authorizer(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    account.seed.add_cognito_authorizer(account.apigateway, api["api_id"], "spare", [pool["arn"]])
    report = account.scan()
    finding = assert_fires(report, "APIGW012", verdict=None, severity="info")  # an authorizer no method uses
    assert finding["authorizer"] == "spare"
    assert rule_ids(report) == {"APIGW012"}
    assert method_row(report, "GET", "/orders")["verdict"] == "ok"


def test_apigw001_quiet_on_a_pool_that_exists(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    assert findings(account.scan(), "APIGW001") == []


def test_apigw002_quiet_for_the_accounts_own_pools(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    report = account.scan()
    assert findings(report, "APIGW002") == [] and findings(report, "APIGW005", outcome="unknown") == []


def test_apigw004_quiet_once_deployed(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], deploy="prod")
    assert findings(account.scan(), "APIGW004") == []


def test_apigw006_quiet_for_defined_and_builtin_scopes(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/y", "GET", ["email"])))
    assert findings(account.scan(), "APIGW006") == []


def test_apigw007_quiet_when_every_method_takes_the_same_token(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/orders", "POST", ["api/write"]),
                                              ("/orders", "OPTIONS", [])))
    assert findings(account.scan(), "APIGW007") == []


def test_apigw008_quiet_for_the_authorization_header_in_any_case(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], name="lowercase", header="authorization")
    account.cognito_api(pool["arn"], name="canonical", header="Authorization")
    assert findings(account.scan(), "APIGW008") == []


def test_apigw009_quiet_when_the_expression_matches_a_client(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"], name="match", methods=(("/a", "GET", []),), validation=pool["client_id"])
    assert findings(account.scan(), "APIGW009") == []


def test_apigw010_quiet_for_keyed_preflight_and_all_public_apis(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    for path, verb, key in (("/keyed", "GET", True), ("/orders", "OPTIONS", False)):
        account.seed.add_method(account.apigateway, api["api_id"], path, verb, api_key=key)
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    open_api = account.seed.create_rest_api(account.apigateway, "all-public")
    account.seed.add_method(account.apigateway, open_api, "/p", "GET")
    account.seed.deploy(account.apigateway, open_api, "prod")
    assert findings(account.scan(), "APIGW010") == []


def test_apigw011_quiet_for_an_open_preflight(account):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"])
    account.seed.add_method(account.apigateway, api["api_id"], "/orders", "OPTIONS")
    account.seed.deploy(account.apigateway, api["api_id"], "prod")
    assert findings(account.scan(), "APIGW011") == []


def test_apigw012_quiet_when_every_authorizer_is_used(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    assert findings(account.scan(), "APIGW012") == []


def deployed_then_changed(account, deployed, live):
    """PUT /profile deployed to prod with scope `deployed`, then changed to `live` and never deployed again."""
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/profile", "PUT", [deployed]),))
    resources = {r["path"]: r["id"] for r in account.apigateway.get_resources(restApiId=api["api_id"])["items"]}
    account.apigateway.update_method(restApiId=api["api_id"], resourceId=resources["/profile"], httpMethod="PUT",
                                     patchOperations=[{"op": "replace", "path": "/authorizationScopes",
                                                       "value": live}])
    return account.assess()


def test_a_finding_about_an_undeployed_change_says_so_and_prod_is_judged_as_it_serves(account):
    """Issue 27: the live scope was changed to one no client can obtain, and never deployed. The scan says
    APIGW005 holds once deployed and that prod still serves the earlier configuration (APIGW003); the matrix and
    `token` answer what prod serves today: the client that may obtain the earlier scope passes."""
    assessed = deployed_then_changed(account, deployed="api/write", live="api/admin")
    report = assessed.report
    finding = assert_fires(report, "APIGW005", verdict="fail", severity="critical", path="/profile")
    assert finding["stage"] is None and finding["evidence"] is None
    assert finding["message"].startswith("Once deployed: PUT /profile requires one of the scopes [api/admin]")
    assert finding["message"].endswith("For now stage prod still serves the earlier configuration (APIGW003).")
    assert [f["stage"] for f in findings(report, "APIGW003")] == ["prod"]
    outcomes = {cell.caller.label: cell.outcome for cell in assessed.cells if cell.method["path"] == "/profile"}
    assert outcomes["access:users-web"] == "pass" and outcomes["id:users-web"] == "401"


def test_a_finding_about_what_a_stage_still_serves_names_the_stage(account):
    """The reverse: the live API was fixed, prod still serves the scope no client can obtain. The finding is
    prod's, and says so; prod's callers get 401 from it."""
    assessed = deployed_then_changed(account, deployed="api/admin", live="api/write")
    finding = assert_fires(assessed.report, "APIGW005", verdict="fail", severity="critical", path="/profile",
                           stage="prod")
    assert finding["message"].startswith("On stage prod, which serves an earlier configuration than the live API "
                                         "(APIGW003): PUT /profile requires one of the scopes [api/admin]")
    cell = next(cell for cell in assessed.cells if cell.caller.label == "access:users-web")
    assert (cell.outcome, cell.rules) == ("401", ["APIGW005", "APIGW006", "TOK006"])
