"""Each Cognito rule (COG001-007) fires on its misconfiguration and stays quiet on a healthy setup."""

from __future__ import annotations

from helpers import ACCOUNT, assert_fires, findings, method_row


def _client(account, pool_id, name, **settings):
    return account.seed.create_client(account.cognito, pool_id, name, **settings)


def test_cog001_fires_on_oauth_without_a_domain(account):
    bare = account.seed.create_pool(account.cognito, "bare")
    client_id = _client(account, bare["id"], "web", **account.seed.web_client_settings([]))
    _client(account, bare["id"], "server", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    report = account.scan()
    finding = assert_fires(report, "COG001", verdict=None, severity="high")  # an app client's: no method row
    assert (finding["pool_id"], finding["client_id"]) == (bare["id"], client_id)
    assert finding["api_id"] is None and finding["path"] is None


def test_cog001_quiet_with_domain(account):
    account.healthy_pool()
    assert findings(account.scan(), "COG001") == []


def test_cog002_fires_on_a_browser_flow_without_callback(account):
    pool = account.healthy_pool()
    settings = account.seed.web_client_settings([])
    del settings["CallbackURLs"]
    client_id = _client(account, pool["id"], "mobile", **settings)
    report = account.scan()
    assert [f["client_id"] for f in findings(report, "COG002")] == [client_id]
    assert_fires(report, "COG002", verdict=None, severity="high")


def test_cog002_quiet_for_client_credentials(account):
    pool = account.healthy_pool()
    _client(account, pool["id"], "machine", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"])
    report = account.scan()
    assert findings(report, "COG002") == [] and findings(report, "COG003") == []


def test_cog003_fires_on_a_browser_flow_without_openid(account):
    pool = account.healthy_pool()
    settings = account.seed.web_client_settings(["api/read"])
    settings["AllowedOAuthScopes"] = ["api/read"]
    client_id = _client(account, pool["id"], "no-openid", **settings)
    report = account.scan()
    finding = assert_fires(report, "COG003", verdict=None, severity="medium")
    assert finding["client_id"] == client_id and "allowed: [api/read]" in finding["message"]


def test_cog004_fires_on_a_secret_with_the_implicit_flow(account):
    pool = account.healthy_pool()
    implicit = account.seed.web_client_settings([])
    implicit["AllowedOAuthFlows"] = ["implicit"]
    secret_id = _client(account, pool["id"], "spa-with-secret", GenerateSecret=True, **implicit)
    _client(account, pool["id"], "spa-public", **implicit)
    _client(account, pool["id"], "backend", GenerateSecret=True, **account.seed.web_client_settings([]))
    report = account.scan()
    assert [f["client_id"] for f in findings(report, "COG004")] == [secret_id]
    assert_fires(report, "COG004", verdict=None, severity="medium")


def test_cog005_fires_on_a_missing_pre_token_trigger(account):
    gone = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:deleted-enricher"
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": gone})
    _client(account, pool["id"], "cli", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", []),))
    report = account.scan()
    # Every token request fails, so the methods that use the pool fail too.
    finding = assert_fires(report, "COG005", verdict="fail", severity="critical", path="/me")
    assert finding["pool_id"] == pool["id"] and "deleted-enricher" in finding["message"]


def test_cog005_unknown_for_a_function_of_another_account(account):
    foreign = "arn:aws:lambda:eu-west-1:999999999999:function:shared-enricher"
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": foreign}})
    report = account.scan()
    assert findings(report, "COG005") == []
    [unknown] = findings(report, "COG005", outcome="unknown")
    assert unknown["pool_id"] == pool["id"] and "999999999999" in unknown["message"]


def test_cog006_fires_on_a_trigger_without_permission(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "enrich")
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": function_arn})
    _client(account, pool["id"], "cli", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", []),))
    report = account.scan()
    finding = assert_fires(report, "COG006", verdict="fail", severity="critical", path="/me")
    assert finding["pool_id"] == pool["id"] and "no resource policy" in finding["message"]


def test_cog006_fires_on_a_permission_for_another_pool(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "enrich")
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": function_arn})
    other = pool["arn"].replace(pool["id"], "eu-west-1_0ther")
    account.seed.allow_cognito(account.lambda_client, "enrich", other, ACCOUNT)
    assert [f["pool_id"] for f in findings(account.scan(), "COG006")] == [pool["id"]]


def test_cog006_quiet_with_permission(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "enrich")
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": function_arn})
    account.seed.allow_cognito(account.lambda_client, "enrich", pool["arn"], ACCOUNT)
    report = account.scan()
    assert findings(report, "COG006") == [] and findings(report, "COG006", "unknown") == []
    assert findings(report, "COG005") == []


def test_cog007_fires_on_a_client_without_sign_in_flow(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    stuck = _client(account, pool["id"], "refresh-only", ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    report = account.scan()
    finding = assert_fires(report, "COG007", verdict=None, severity="low")
    assert finding["client_id"] == stuck and "shop/shop-cognito" in finding["message"]
    assert method_row(report, "GET", "/orders")["verdict"] == "ok"


def test_cog007_fires_when_custom_auth_triggers_lack_allow_custom_auth(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "challenge")
    pool = account.seed.create_pool(account.cognito, "p", lambda_config={
        "DefineAuthChallenge": function_arn, "CreateAuthChallenge": function_arn,
        "VerifyAuthChallengeResponse": function_arn})
    srp_only = _client(account, pool["id"], "srp", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    _client(account, pool["id"], "custom", ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/me", "GET", []),))
    report = account.scan()
    [finding] = findings(report, "COG007")
    assert finding["client_id"] == srp_only and "ALLOW_CUSTOM_AUTH" in finding["message"]


def test_cog007_quiet_when_no_authorizer_uses_the_pool(account):
    pool = account.healthy_pool()
    _client(account, pool["id"], "refresh-only", ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    assert findings(account.scan(), "COG007") == []


def test_cog003_quiet_with_openid_or_without_browser_flows(account):
    pool = account.healthy_pool()
    _client(account, pool["id"], "machine", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"])
    assert findings(account.scan(), "COG003") == []


def test_cog004_quiet_for_public_spas_and_secret_backends(account):
    pool = account.healthy_pool()
    implicit = account.seed.web_client_settings([])
    implicit["AllowedOAuthFlows"] = ["implicit"]
    _client(account, pool["id"], "spa-public", **implicit)
    _client(account, pool["id"], "backend", GenerateSecret=True, **account.seed.web_client_settings([]))
    assert findings(account.scan(), "COG004") == []


def test_cog005_quiet_when_the_function_exists(account):
    function_arn = account.seed.create_function(account.lambda_client, account.iam, "enrich")
    account.seed.create_pool(account.cognito, "p", lambda_config={"PreTokenGeneration": function_arn})
    report = account.scan()
    assert findings(report, "COG005") == [] and findings(report, "COG005", "unknown") == []


def _export_pool(account):
    """A pool with a domain whose resource server defines api/read and api/export; its web client allows read only."""
    pool = account.seed.create_pool(account.cognito, "users", domain="users-domain",
                                    resource_servers={"api": ["read", "export"]})
    _client(account, pool["id"], "web", **account.seed.web_client_settings(["api/read"]))
    return pool


def _switched_off_exporter(account, pool):
    """A machine client whose flow and scope are set but whose OAuth switch was never turned on."""
    return _client(account, pool["id"], "exports", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=False,
                   AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/export"],
                   ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])


def test_cog009_fires(account):
    """AllowedOAuthFlowsUserPoolClient "must have a value of true before you can configure" scopes and flows; "When
    false, only SDK-based API sign-in is permitted" (Amazon Cognito API Reference, UserPoolClientType,
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html)."""
    pool = _export_pool(account)
    exporter = _switched_off_exporter(account, pool)
    account.cognito_api(pool["arn"], methods=(("/exports", "GET", ["api/export"]),))
    report = account.scan()
    assert_fires(report, "COG009", verdict=None, severity="high")  # an app client's finding: no method row lists it
    [client] = findings(report, "COG009")
    assert (client["severity"], client["client_id"], client["pool_id"]) == ("high", exporter, pool["id"])
    assert client["api_id"] is None and client["path"] is None  # reported on the client
    assert "AllowedOAuthFlows [client_credentials], AllowedOAuthScopes [api/export]" in client["message"]
    assert "scopes kept out: [api/export]" in client["message"]
    # The fix reads the client, turns the switch on and keeps every other setting (never the secret).
    describe, update = client["commands"]
    assert ".AllowedOAuthFlowsUserPoolClient = true" in describe and "del(.ClientSecret, .ClientSecretArn" in describe
    assert update.startswith("aws cognito-idp update-user-pool-client") and "client.json" in update
    # The method that needs the scope fails for everyone, and APIGW005 says why: the switch, not a missing scope.
    [method] = findings(report, "APIGW005")
    assert method["severity"] == "critical" and (method["method"], method["path"]) == ("GET", "/exports")
    assert f"app client exports ({exporter}) allows api/export but has AllowedOAuthFlowsUserPoolClient false " \
           "(COG009)" in method["message"]
    assert any(".AllowedOAuthFlowsUserPoolClient = true" in command and exporter in command
               for command in method["commands"])
    assert not any(".AllowedOAuthScopes = " in command for command in method["commands"])  # not "allow the scope"
    row = method_row(report, "GET", "/exports")
    assert row["verdict"] == "fail" and {"APIGW005"} <= set(row["findings"])


def test_cog009_fires_on_flows_alone_and_turns_on_a_flow_for_scopes_alone(account):
    pool = account.healthy_pool()
    flows_only = _client(account, pool["id"], "flows", AllowedOAuthFlows=["code"],
                         CallbackURLs=["https://app.example.com/cb"])
    scopes_only = _client(account, pool["id"], "scopes", GenerateSecret=True, AllowedOAuthScopes=["api/read"])
    by_client = {f["client_id"]: f for f in findings(account.scan(), "COG009")}
    assert set(by_client) == {flows_only, scopes_only}
    assert "--args client_credentials" in by_client[scopes_only]["commands"][0]  # a secret: a machine client


def test_cog009_quiet(account):
    pool = _export_pool(account)
    _client(account, pool["id"], "exports", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/export"])
    _client(account, pool["id"], "sdk-only", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])  # no OAuth at all
    # GetClientToken issues the allowed scopes without the OAuth endpoints: the switch does not matter there.
    _client(account, pool["id"], "client-token", GenerateSecret=True, AllowedOAuthScopes=["api/export"],
            ExplicitAuthFlows=["ALLOW_CLIENT_TOKEN_AUTH"])
    account.cognito_api(pool["arn"], methods=(("/exports", "GET", ["api/export"]),))
    report = account.scan()
    assert findings(report, "COG009") == [] and findings(report, "APIGW005") == []
    assert method_row(report, "GET", "/exports")["verdict"] == "ok"
