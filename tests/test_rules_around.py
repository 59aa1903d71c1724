"""Around the authorizer (APIGW017-020): gateway responses without CORS headers, API keys no request can have,
custom domains and disabled endpoints, CloudFront in front of the API — each fired, quieted, and undecided when
its read is denied."""

from __future__ import annotations

import json

import pytest

from helpers import ACCOUNT, REGION, RULES, assert_fires, deny, findings, judge_snapshot, method_row, snapshot_with
from scanner.access.matrix import method_cells
from scanner.demo.account import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, CACHING_OPTIMIZED
from scanner.demo.moto_extensions import MANAGED_ORIGIN_REQUEST_POLICIES
from scanner.scan import assess

ALL_VIEWER = next(key for key, spec in MANAGED_ORIGIN_REQUEST_POLICIES.items() if spec["Name"] == "Managed-AllViewer")
ORIGIN = "gatewayresponse.header.Access-Control-Allow-Origin"


@pytest.fixture
def cloudfront(account):
    return account.session.client("cloudfront", region_name="us-east-1")


@pytest.fixture
def v2(account):
    return account.session.client("apigatewayv2", region_name=REGION)


def cors_api(account, *, deploy=True):
    """A Cognito-protected GET /cart whose OPTIONS answers CORS for https://shop.example.com."""
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], name="storefront", methods=(("/cart", "GET", []),), deploy=None)
    account.seed.add_cors_preflight(account.apigateway, api["api_id"], "/cart", "https://shop.example.com")
    if deploy:
        account.seed.deploy(account.apigateway, api["api_id"], "prod")
    return api


# APIGW017: gateway responses without Access-Control-Allow-Origin on an API that answers CORS.

def test_apigw017_fires_when_the_gateway_responses_are_aws_defaults(account):
    """KC "How do I troubleshoot CORS errors from my API Gateway API?": the 4XX/5XX API Gateway sends itself need
    the header too; the console's Enable CORS adds it to DEFAULT_4XX and DEFAULT_5XX."""
    api = cors_api(account)
    report = account.scan()
    [finding] = findings(report, "APIGW017")
    assert "UNAUTHORIZED" in finding["message"] and "'https://shop.example.com'" in finding["message"]
    assert finding["commands"][:2] == [
        f"aws apigateway put-gateway-response --region {REGION} --rest-api-id {api['api_id']} --response-type "
        f"{kind} --response-parameters "
        f"""'{{"{ORIGIN}":"'"'"'https://shop.example.com'"'"'"}}'""" for kind in ("DEFAULT_4XX", "DEFAULT_5XX")]
    assert finding["commands"][2].startswith("aws apigateway create-deployment")
    # The method works for callers with a token: the hidden status makes it a warning, not a failure (the rule's
    # method_verdict: medium, yet no caller is turned away).
    assert_fires(report, "APIGW017", verdict="warn", severity="medium", path="/cart")


def test_apigw017_fires_on_a_customized_response_without_the_header(account):
    """A customized response (UNAUTHORIZED with its own template) does not inherit DEFAULT_4XX's header: it gets
    the header added in place (update-gateway-response), keeping what it has."""
    api = cors_api(account)
    header = {ORIGIN: "'https://shop.example.com'"}
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        account.apigateway.put_gateway_response(restApiId=api["api_id"], responseType=kind, responseParameters=header)
    account.apigateway.put_gateway_response(restApiId=api["api_id"], responseType="UNAUTHORIZED", statusCode="401",
                                            responseTemplates={"application/json": '{"error":"sign in"}'})
    [finding] = findings(account.scan(), "APIGW017")
    assert "gateway responses UNAUTHORIZED lack" in finding["message"]
    assert finding["commands"][0].startswith(f"aws apigateway update-gateway-response --region {REGION} "
                                             f"--rest-api-id {api['api_id']} --response-type UNAUTHORIZED "
                                             "--patch-operations ")


def test_apigw017_quiet_when_the_default_responses_carry_the_header(account):
    api = cors_api(account)
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        account.apigateway.put_gateway_response(restApiId=api["api_id"], responseType=kind,
                                                responseParameters={ORIGIN: "'https://shop.example.com'"})
    report = account.scan()
    assert findings(report, "APIGW017") == [] and report["findings"] == []
    assert method_row(report, "GET", "/cart")["verdict"] == "ok"


def test_apigw017_costs_no_call_for_apis_without_cors(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    report = account.scan()
    assert "apigateway:GetGatewayResponses" not in report["snapshot"]["calls"]
    assert findings(report, "APIGW017") == []


def test_apigw017_undecided_when_the_gateway_responses_cannot_be_read(account):
    cors_api(account)
    deny(account, "apigateway.GetGatewayResponses")
    report = account.scan()
    [unknown] = findings(report, "APIGW017", outcome="unknown")
    assert "GetGatewayResponses" in unknown["message"]
    assert method_row(report, "GET", "/cart")["verdict"] == "unknown"


# APIGW018: an API key no request can have.

def key_api(account, *, source=None):
    api_id = account.seed.create_rest_api(account.apigateway, "partner-feed")
    if source:
        account.apigateway.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/apiKeySource", "value": source}])
    account.seed.add_method(account.apigateway, api_id, "/inventory", "GET", api_key=True)
    account.seed.deploy(account.apigateway, api_id, "v1")
    return api_id


def test_apigw018_fires_when_the_stage_is_in_no_usage_plan(account):
    """Docs "Usage plans and API keys": a key is accepted only through a usage plan of the stage."""
    api_id = key_api(account)
    report = account.scan()
    [finding] = findings(report, "APIGW018")
    assert "stage v1 is in no usage plan" in finding["message"] and finding["stage"] == "v1"
    assert "create-usage-plan --region" in finding["commands"][0] and f"apiId={api_id},stage=v1" in \
        finding["commands"][0]
    assert_fires(report, "APIGW018", verdict="fail", severity="critical", path="/inventory", stage="v1")


def test_apigw018_fires_when_the_plan_holds_only_disabled_keys(account):
    api_id = key_api(account)
    account.seed.create_usage_plan(account.apigateway, "partners", api_id, "v1", key_enabled=False)
    [finding] = findings(account.scan(), "APIGW018")
    assert "hold no enabled API key" in finding["message"]
    assert finding["commands"][0].startswith("aws apigateway update-api-key")


def test_apigw018_fires_when_keys_come_from_an_authorizer_the_method_lacks(account):
    """Docs "Choose an API key source": with AUTHORIZER the key is the usageIdentifierKey a Lambda authorizer
    returns; a method without one gets no key."""
    api_id = key_api(account, source="AUTHORIZER")
    account.seed.create_usage_plan(account.apigateway, "partners", api_id, "v1", key_enabled=True)
    [finding] = findings(account.scan(), "APIGW018")
    assert "apiKeySource AUTHORIZER" in finding["message"]
    assert "path=/apiKeySource,value=HEADER" in finding["commands"][0]


def test_apigw018_quiet_with_an_enabled_key_in_the_stages_plan(account):
    api_id = key_api(account)
    key_value = "aVeryPrivateKeyValue0123456789abcdef"
    plan = account.apigateway.create_usage_plan(name="partners", apiStages=[{"apiId": api_id, "stage": "v1"}])["id"]
    key = account.apigateway.create_api_key(name="acme", enabled=True, value=key_value)["id"]
    account.apigateway.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
    report = account.scan()
    assert findings(report, "APIGW018") == [] and findings(report, "APIGW018", "unknown") == []
    assert method_row(report, "GET", "/inventory")["verdict"] == "ok"
    # Never read a key's value: GetUsagePlanKeys answers it, the snapshot keeps ID, type and name only.
    assert key_value not in json.dumps(report, default=str)


def test_apigw018_costs_no_call_without_key_required_methods(account):
    pool = account.healthy_pool()
    account.cognito_api(pool["arn"])
    calls = account.scan()["snapshot"]["calls"]
    assert not {"apigateway:GetUsagePlans", "apigateway:GetApiKeys"} & set(calls)


def test_apigw018_undecided_when_usage_plans_cannot_be_read(account):
    key_api(account)
    deny(account, "apigateway.GetUsagePlans")
    report = account.scan()
    [unknown] = findings(report, "APIGW018", outcome="unknown")
    assert "GetUsagePlans" in unknown["message"]
    assert method_row(report, "GET", "/inventory")["verdict"] == "unknown"


# APIGW019: no URL reaches the API.

def domain(v2, name):
    v2.create_domain_name(DomainName=name, DomainNameConfigurations=[{
        "CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0f0e0d0c-1111-2222-3333-444455556666",
        "EndpointType": "REGIONAL"}])


def test_apigw019_fires_on_a_domain_without_mapping(account, v2):
    """KC "api-gateway-403-custom-domain": a custom domain without an API mapping answers 403."""
    api_id = account.seed.create_http_api(v2, "hooks")
    account.seed.add_route(v2, api_id, "POST /stripe")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    domain(v2, "hooks.example.com")
    [finding] = findings(account.scan(), "APIGW019")
    assert finding["endpoint"] == "hooks.example.com" and "no API mapping" in finding["message"]
    assert finding["api_id"] is None and "--api-id API_ID --stage STAGE" in finding["commands"][0]


def test_apigw019_fires_when_the_default_endpoint_is_off_and_nothing_maps_the_api(account, v2):
    """Docs "Disable the default endpoint": then only custom domains reach the API."""
    api_id = account.seed.create_http_api(v2, "hooks")
    account.seed.add_route(v2, api_id, "POST /stripe")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    v2.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
    report = account.scan()
    [finding] = findings(report, "APIGW019")
    assert finding["api_id"] == api_id and "default endpoint of API hooks is disabled" in finding["message"]
    assert finding["commands"] == [f"aws apigatewayv2 update-api --region {REGION} --api-id {api_id} "
                                   "--no-disable-execute-api-endpoint"]
    assert_fires(report, "APIGW019", verdict="fail", severity="high", api="hooks")


def test_apigw019_quiet_when_a_domain_maps_the_api(account, v2):
    api_id = account.seed.create_http_api(v2, "hooks")
    account.seed.add_route(v2, api_id, "POST /stripe")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    v2.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
    domain(v2, "hooks.example.com")
    v2.create_api_mapping(DomainName="hooks.example.com", ApiId=api_id, Stage="$default")
    report = account.scan()
    assert findings(report, "APIGW019") == [] and findings(report, "APIGW019", "unknown") == []
    assert method_row(report, "POST", "/stripe")["verdict"] == "ok"


def hand_domain(routes, mode=None, **extra):
    return {REGION: {"complete": True, "apis": ["a1b2c3d4e5"], "names": [
        {"DomainName": "api.example.com", "RoutingMode": mode, **routes, **extra}]}}


REST_API = {"id": "a1b2c3d4e5", "name": "shop", "region": REGION, "resources": [],
            "stages": [{"stageName": "prod", "deploymentId": "d1"}], "authorizers": []}


@pytest.mark.parametrize("routes, said", [
    ({"mappings": [{"ApiId": "zz9zz9zz9z", "Stage": "prod", "ApiMappingKey": "", "ApiMappingId": "m1"}]},
     "API zz9zz9zz9z, which does not exist"),
    ({"mappings": [{"ApiId": "a1b2c3d4e5", "Stage": "v0", "ApiMappingKey": "shop", "ApiMappingId": "m1"}]},
     "/shop → stage v0 of API shop, which has no such stage"),
])
def test_apigw019_fires_on_a_mapping_to_what_no_longer_exists(routes, said):
    report = judge_snapshot(snapshot_with(rest_apis=[REST_API], domains=hand_domain(routes)))
    [finding] = findings(report, "APIGW019")
    assert said in finding["message"]
    assert finding["commands"] == [f"aws apigatewayv2 delete-api-mapping --region {REGION} --domain-name "
                                   "api.example.com --api-mapping-id m1"]


def test_apigw019_quiet_for_a_domain_that_routes_with_rules():
    """A domain in ROUTING_RULE_ONLY mode sends requests by its routing rules (2025): no API mapping is needed."""
    rules = {"rules": [{"ApiId": "a1b2c3d4e5", "Stage": "prod", "RoutingRuleId": "r1"}], "mappings": []}
    report = judge_snapshot(snapshot_with(rest_apis=[REST_API], domains=hand_domain(rules, "ROUTING_RULE_ONLY")))
    assert findings(report, "APIGW019") == [] and findings(report, "APIGW019", "unknown") == []
    unread = judge_snapshot(snapshot_with(rest_apis=[REST_API], domains=hand_domain(
        {"rules": None, "mappings": []}, "ROUTING_RULE_ONLY")))
    [unknown] = findings(unread, "APIGW019", outcome="unknown")
    assert "ListRoutingRules" in unknown["message"]


def test_apigw019_undecided_when_the_domains_cannot_be_read(account, v2):
    api_id = account.seed.create_http_api(v2, "hooks")
    account.seed.add_route(v2, api_id, "POST /stripe")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    v2.update_api(ApiId=api_id, DisableExecuteApiEndpoint=True)
    deny(account, "apigatewayv2.GetDomainNames")
    report = account.scan()
    assert findings(report, "APIGW019") == []
    [unknown] = findings(report, "APIGW019", outcome="unknown")
    assert "could not be read" in unknown["message"]
    assert method_row(report, "POST", "/stripe")["verdict"] == "unknown"


# APIGW020: CloudFront in front of the API.

def behind_cloudfront(account, cloudfront, *, cache_policy, origin_request_policy=None, legacy_headers=None):
    pool = account.healthy_pool()
    api = account.cognito_api(pool["arn"], methods=(("/orders", "GET", ["api/read"]), ("/orders", "POST",
                                                                                       ["api/write"])))
    host = f"{api['api_id']}.execute-api.{REGION}.amazonaws.com"
    if legacy_headers is None:
        account.seed.create_distribution(cloudfront, "shop", host, origin_path="/prod", cache_policy=cache_policy,
                                         origin_request_policy=origin_request_policy)
    else:
        cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "legacy", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "api", "DomainName": host, "OriginPath": "/prod",
                                                  "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                                                         "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "api", "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
                                     "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"},
                                                         "Headers": {"Quantity": len(legacy_headers),
                                                                     "Items": legacy_headers}}}})
    return api


def matrix_cells(assessed, verb, path="/orders"):
    """The matrix's cells of one method: caller label -> (outcome, rules), and the distribution in front of it."""
    cells = [cell for cell in assessed.cells if (cell.method["method"], cell.method["path"]) == (verb, path)]
    distributions = {cell.caller.through[0] for cell in cells if cell.caller.through}
    return {cell.caller.label: (cell.outcome, cell.rules) for cell in cells}, distributions


def test_apigw020_fires_when_the_cache_policy_drops_authorization_from_reads(account, cloudfront):
    """KC "cloudfront-authorization-header": CloudFront removes Authorization from GET and HEAD requests unless
    the cache policy includes it (managed CachingOptimized does not); POST keeps it. The matrix says what the
    scan says: the access token that passes at the API gets 401 through the distribution (KC
    "api-gateway-401-error-lambda-authorizer", seed 003: no token, 401), on GET only."""
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_OPTIMIZED)
    assessed = account.assess()
    report = assessed.report
    [finding] = findings(report, "APIGW020")
    assert (finding["method"], finding["path"]) == ("GET", "/orders")
    assert "does not forward Authorization on GET and HEAD" in finding["message"]
    assert "Managed-CachingOptimized" in finding["message"] and finding["stage"] == "prod"
    assert_fires(report, "APIGW020", verdict="fail", severity="high", method="GET", path="/orders")
    assert method_row(report, "POST", "/orders")["verdict"] == "ok"
    reads, [distribution] = matrix_cells(assessed, "GET")
    assert reads["access:users-web"] == ("pass", [])
    assert reads[f"access:users-web via CloudFront {distribution}"] == ("401", ["APIGW020"])
    assert not any("via" in label for label in reads if label.startswith(("none", "id:")))  # refused directly
    writes, _ = matrix_cells(assessed, "POST")
    assert writes[f"access:users-web via CloudFront {distribution}"] == ("pass", [])
    # Counted once, as the caller of the API it is: the scan's rows count callers, not their ways in.
    assert method_row(report, "GET", "/orders")["callers_passing"] == 1


def test_apigw020_fires_on_every_method_when_host_reaches_the_execute_api_origin(account, cloudfront):
    """Managed AllViewer forwards the viewer's Host: execute-api finds no API by that name, 403 (KC
    "configure-cloudfront-to-forward-headers": "otherwise, you get a 403 error") — for every caller sent through
    the distribution, at the endpoint, before any token is read."""
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_DISABLED, origin_request_policy=ALL_VIEWER)
    assessed = account.assess()
    report = assessed.report
    assert {(f["method"], "Host header" in f["message"]) for f in findings(report, "APIGW020")} == {
        ("GET", True), ("POST", True)}
    assert_fires(report, "APIGW020", verdict="fail", severity="high", method="POST", path="/orders")
    for verb in ("GET", "POST"):
        cells, [distribution] = matrix_cells(assessed, verb)
        assert cells[f"access:users-web via CloudFront {distribution}"] == ("403", ["APIGW020"])
        assert cells["access:users-web"] == ("pass", [])
    record = next(m for m in assessed.judgement.facts["method"] if m["method"] == "GET")
    assert {outcome.step for cell, outcome in method_cells(record, {}, assessed.judgement.index)
            if cell.caller.through} == {"endpoint"}


def test_apigw020_quiet_with_the_setup_aws_recommends_for_api_origins(account, cloudfront):
    """Managed CachingDisabled and AllViewerExceptHostHeader: the callers that pass at the API pass through the
    distribution too."""
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_DISABLED, origin_request_policy=ALL_VIEWER_EXCEPT_HOST)
    assessed = account.assess()
    report = assessed.report
    assert findings(report, "APIGW020") == [] and findings(report, "APIGW020", "unknown") == []
    assert {m["verdict"] for m in report["methods"]} == {"ok"}
    for verb in ("GET", "POST"):
        cells, [distribution] = matrix_cells(assessed, verb)
        assert cells[f"access:users-web via CloudFront {distribution}"] == ("pass", [])


def test_apigw020_quiet_when_legacy_settings_forward_authorization(account, cloudfront):
    behind_cloudfront(account, cloudfront, cache_policy=None, legacy_headers=["Authorization"])
    assessed = account.assess()
    assert findings(assessed.report, "APIGW020") == []
    cells, [distribution] = matrix_cells(assessed, "GET")
    assert cells[f"access:users-web via CloudFront {distribution}"] == ("pass", [])


def test_apigw020_fires_when_legacy_settings_forward_every_header(account, cloudfront):
    behind_cloudfront(account, cloudfront, cache_policy=None, legacy_headers=["*"])
    assert {f["method"] for f in findings(account.scan(), "APIGW020")} == {"GET", "POST"}


# A hand-written API whose stage serves the API as it is (the matrix's cells then turn on what CloudFront does).
DEPLOYED_API = {**REST_API, "stages": [{"stageName": "prod", "deploymentId": "d1", "serves_live": True}]}


def test_apigw020_follows_path_patterns_and_custom_domains():
    """The first behaviour whose pattern matches the viewer path decides; a custom-domain origin reaches the APIs
    its mappings name (base path included)."""
    api = {**DEPLOYED_API, "resources": [{"id": "r1", "path": "/orders", "methods": {
        "GET": {"authorizationType": "AWS_IAM"}}}]}
    domains = hand_domain({"mappings": [{"ApiId": "a1b2c3d4e5", "Stage": "prod", "ApiMappingKey": "shop"}]})
    distribution = {"Id": "E2EXAMPLE", "DomainName": "d1.cloudfront.net", "Origins": [
        {"Id": "site", "DomainName": "site.s3.amazonaws.com", "OriginPath": ""},
        {"Id": "api", "DomainName": "api.example.com", "OriginPath": ""}], "behaviours": [
        {"PathPattern": "/shop/*", "TargetOriginId": "api", "CachePolicyId": CACHING_OPTIMIZED},
        {"PathPattern": None, "TargetOriginId": "site", "CachePolicyId": CACHING_OPTIMIZED}]}
    cloudfront = {"distributions": [distribution], "cache_policies": {CACHING_OPTIMIZED: {
        "Name": "Managed-CachingOptimized", "HeaderBehavior": "none", "Headers": []}}, "origin_request_policies": {}}
    assessed = assess(snapshot_with(rest_apis=[api], domains=domains, cloudfront=cloudfront), None, None, RULES)
    [finding] = findings(assessed.report, "APIGW020")
    assert "behaviour /shop/*" in finding["message"]
    # An IAM-signed request without its Authorization header: 403 Missing Authentication Token (KC
    # "api-gateway-authentication-token-errors"); what the caller's identity may do is not read, at the API itself.
    cells, _ = matrix_cells(assessed, "GET")
    assert cells == {"none": ("403", ["TOK001"]), "iam": ("unknown", []),
                     "iam via CloudFront E2EXAMPLE /shop/*": ("403", ["APIGW020"])}
    distribution["behaviours"][0]["PathPattern"] = "/static/*"  # /shop/orders now goes to the site origin
    assert findings(judge_snapshot(snapshot_with(rest_apis=[api], domains=domains, cloudfront=cloudfront)),
                    "APIGW020") == []


def test_apigw020_managed_policies_are_judged_by_name():
    """Managed-AllViewerExceptHostHeader never forwards Host, whatever shape its configuration is answered in."""
    api = {**REST_API, "resources": [{"id": "r1", "path": "/orders", "methods": {"POST": {"authorizationType":
                                                                                          "AWS_IAM"}}}]}
    distribution = {"Id": "E2EXAMPLE", "Origins": [{"Id": "api", "DomainName":
                                                    f"a1b2c3d4e5.execute-api.{REGION}.amazonaws.com",
                                                    "OriginPath": "/prod"}],
                    "behaviours": [{"PathPattern": None, "TargetOriginId": "api", "CachePolicyId": CACHING_DISABLED,
                                    "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST}]}
    cloudfront = {"distributions": [distribution], "cache_policies": {CACHING_DISABLED: {
        "Name": "Managed-CachingDisabled", "HeaderBehavior": "none"}}, "origin_request_policies": {
        ALL_VIEWER_EXCEPT_HOST: {"Name": "Managed-AllViewerExceptHostHeader", "HeaderBehavior": "allViewer"}}}
    report = judge_snapshot(snapshot_with(rest_apis=[api], cloudfront=cloudfront))
    assert findings(report, "APIGW020") == [] and findings(report, "APIGW020", "unknown") == []


def test_apigw020_undecided_when_cloudfront_cannot_be_read(account, cloudfront):
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_OPTIMIZED)
    deny(account, "cloudfront.ListDistributions")
    report = account.scan()
    assert findings(report, "APIGW020") == []
    assert {m["verdict"] for m in report["methods"]} == {"unknown"}
    assert all("cloudfront:ListDistributions" in m["unread"] for m in report["methods"])


def test_apigw020_undecided_when_a_policy_cannot_be_read(account, cloudfront):
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_OPTIMIZED)
    deny(account, "cloudfront.GetCachePolicy")
    assessed = account.assess()
    report = assessed.report
    assert {f["method"] for f in findings(report, "APIGW020", outcome="unknown")} == {"GET", "POST"}
    assert "cloudfront:GetCachePolicy" in findings(report, "APIGW020", outcome="unknown")[0]["message"]
    for verb in ("GET", "POST"):  # the behaviour could not be judged: its callers' answer is unknown, never a pass
        cells, [distribution] = matrix_cells(assessed, verb)
        assert cells[f"access:users-web via CloudFront {distribution}"] == ("unknown", ["APIGW020"])
        assert cells["access:users-web"] == ("pass", [])


def test_apigw020_any_methods_and_api_keys_through_cloudfront():
    """An ANY method loses Authorization on its GET and HEAD requests only: which verb a caller sends cannot be
    told, so its cell through the distribution is unknown, while the scan fails it. A method that requires an
    API key gets 403 without x-api-key ("Choose an API key source"), for every caller sent through it."""
    api = {**DEPLOYED_API, "resources": [
        {"id": "r1", "path": "/{proxy+}", "methods": {"ANY": {"authorizationType": "AWS_IAM"}}},
        {"id": "r2", "path": "/public", "methods": {"GET": {"authorizationType": "NONE", "apiKeyRequired": True}}}]}
    distribution = {"Id": "E2EXAMPLE", "DomainName": "d1.cloudfront.net", "Origins": [
        {"Id": "api", "DomainName": f"a1b2c3d4e5.execute-api.{REGION}.amazonaws.com", "OriginPath": "/prod"}],
        "behaviours": [{"PathPattern": None, "TargetOriginId": "api", "CachePolicyId": CACHING_OPTIMIZED}]}
    cloudfront = {"distributions": [distribution], "cache_policies": {CACHING_OPTIMIZED: {
        "Name": "Managed-CachingOptimized", "HeaderBehavior": "none", "Headers": []}}, "origin_request_policies": {}}
    assessed = assess(snapshot_with(rest_apis=[api], cloudfront=cloudfront), None, None, RULES)
    assert_fires(assessed.report, "APIGW020", verdict="fail", severity="high", method="ANY", path="/{proxy+}")
    cells, _ = matrix_cells(assessed, "ANY", "/{proxy+}")
    assert cells["iam via CloudFront E2EXAMPLE"] == ("unknown", ["APIGW020"])
    keyed = {cell.caller.label: cell for cell in assessed.cells if cell.method["path"] == "/public"}
    assert keyed["none via CloudFront E2EXAMPLE"].outcome == "403"
    assert keyed["none via CloudFront E2EXAMPLE"].rules == ["APIGW020"]
    assert keyed["none via CloudFront E2EXAMPLE"].caller.as_json()["through"] == {
        "distribution_id": "E2EXAMPLE", "distribution_domain": "d1.cloudfront.net", "behaviour": "default"}


def test_cloudfront_is_read_once_per_account(account, cloudfront):
    behind_cloudfront(account, cloudfront, cache_policy=CACHING_OPTIMIZED)
    calls = account.scan(regions=[REGION, "us-east-1"])["snapshot"]["calls"]
    assert calls["cloudfront:ListDistributions"] == 1 and calls["cloudfront:GetCachePolicy"] == 1
