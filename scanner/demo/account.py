"""The demo account: a small shop with healthy methods and each documented misconfiguration."""

from __future__ import annotations

from typing import Any

import boto3

from . import seed

ACCOUNT = "123456789012"
REGION = "eu-west-1"
# CloudFront's managed policies (the same IDs in every account).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def seed_demo_account(session: boto3.Session, region: str = REGION) -> dict[str, Any]:
    """Creates the example resources; returns their IDs by name."""
    apigateway = session.client("apigateway", region_name=region)
    apigatewayv2 = session.client("apigatewayv2", region_name=region)
    cognito = session.client("cognito-idp", region_name=region)
    lambda_client = session.client("lambda", region_name=region)
    iam = session.client("iam", region_name=region)
    cloudfront = session.client("cloudfront", region_name="us-east-1")
    cloudwatch = session.client("cloudwatch", region_name=region)

    customers = seed.create_pool(cognito, "shop-customers", domain="shop-demo",
                                 resource_servers={"orders": ["read", "write", "export"]})
    web = seed.create_client(cognito, customers["id"], "shop-web",
                             **seed.web_client_settings(["orders/read", "orders/write"]))
    seed.create_client(cognito, customers["id"], "shop-mobile", AllowedOAuthFlowsUserPoolClient=True,
                       AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "orders/read"],
                       SupportedIdentityProviders=["COGNITO"], ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    # Its secret is kept in Secrets Manager (the console's default): Cognito describes it by ClientSecretArn.
    seed.create_client(cognito, customers["id"], "shop-legacy-spa", GenerateSecret=True,
                       PublishSecretsInAWSSecretsManager=True,
                       AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["implicit"],
                       AllowedOAuthScopes=["email"], CallbackURLs=["https://old.example.com/"],
                       SupportedIdentityProviders=["COGNITO"], ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    seed.create_client(cognito, customers["id"], "shop-batch", ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    # The nightly export's machine client: its flow and scope are set, but OAuth itself was never switched on.
    seed.create_client(cognito, customers["id"], "shop-exports", GenerateSecret=True,
                       AllowedOAuthFlowsUserPoolClient=False, AllowedOAuthFlows=["client_credentials"],
                       AllowedOAuthScopes=["orders/export"], ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])

    enrich = seed.create_function(lambda_client, iam, "partners-enrich-claims")
    partners = seed.create_pool(cognito, "partners", lambda_config={"PreTokenGeneration": enrich})
    seed.create_client(cognito, partners["id"], "partner-portal",
                       **seed.web_client_settings([], callback="https://partners.example.com/cb"))

    gone = f"arn:aws:lambda:{region}:{ACCOUNT}:function:loyalty-claims-v1"
    loyalty = seed.create_pool(cognito, "loyalty", domain="loyalty-demo", lambda_config={"PreTokenGeneration": gone})
    seed.create_client(cognito, loyalty["id"], "loyalty-web",
                       **seed.web_client_settings([], callback="https://loyalty.example.com/cb"))

    shop = seed.create_rest_api(apigateway, "shop")
    shop_auth = seed.add_cognito_authorizer(apigateway, shop, "shop-cognito", [customers["arn"]])
    protected: dict[str, Any] = {"authorization": "COGNITO_USER_POOLS", "authorizer_id": shop_auth}
    seed.add_method(apigateway, shop, "/orders", "GET", **protected, scopes=["orders/read"])
    seed.add_method(apigateway, shop, "/orders", "POST", **protected, scopes=["orders/admin"])
    seed.add_method(apigateway, shop, "/orders", "OPTIONS", **protected)
    seed.add_method(apigateway, shop, "/profile", "GET", **protected)
    seed.add_method(apigateway, shop, "/catalog", "GET")
    seed.add_method(apigateway, shop, "/exports", "GET", **protected, scopes=["orders/export"])
    profile_put = seed.add_method(apigateway, shop, "/profile", "PUT", **protected, scopes=["orders/write"])
    debug = seed.add_method(apigateway, shop, "/debug", "GET")
    seed.deploy(apigateway, shop, "prod")
    # Deleted from the live API after the deployment: prod still serves it, with no authorization at all.
    apigateway.delete_method(restApiId=shop, resourceId=debug, httpMethod="GET")
    # Changed after the deployment and never deployed: prod still serves the old configuration.
    seed.add_method(apigateway, shop, "/orders/{id}", "DELETE", **protected, scopes=["orders/write"])
    apigateway.update_method(restApiId=shop, resourceId=profile_put, httpMethod="PUT", patchOperations=[
        {"op": "replace", "path": "/authorizationScopes", "value": "profile/write"}])

    deleted_pool = f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{region}_Del3ted0"
    # "Conditions" is a typo: the statement says nothing the evaluator (or IAM) understands.
    admin = seed.create_rest_api(apigateway, "legacy-admin", policy={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Conditions": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    admin_auth = seed.add_cognito_authorizer(apigateway, admin, "admin-cognito", [deleted_pool], header="X-Auth-Token")
    seed.add_method(apigateway, admin, "/users", "GET", authorization="COGNITO_USER_POOLS", authorizer_id=admin_auth)
    seed.deploy(apigateway, admin, "v1")
    # Its callers keep trying: every request of the last day was refused (the deleted pool confirms it).
    seed.detailed_metrics(apigateway, admin, "v1")
    seed.record_requests(cloudwatch, "REST", "legacy-admin", "v1", "GET", "/users", requests=48, client_errors=48)

    partner_api = seed.create_rest_api(apigateway, "partner-api", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Sid": "PartnerNetworksOnly", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]})
    partner_auth = seed.add_cognito_authorizer(apigateway, partner_api, "partner-cognito", [partners["arn"]],
                                               validation="^web-[a-z0-9]+$")
    seed.add_method(apigateway, partner_api, "/quotes", "GET", authorization="COGNITO_USER_POOLS",
                    authorizer_id=partner_auth)
    seed.deploy(apigateway, partner_api, "live")

    # A pool shared from the identity team's account: readable only with their credentials.
    shared_pool = f"arn:aws:cognito-idp:{region}:210987654321:userpool/{region}_Sh4red01"
    # Only reads were meant to be public, and the write was forgotten.
    reviews = seed.create_rest_api(apigateway, "reviews", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/GET/*"}]})
    reviews_auth = seed.add_cognito_authorizer(apigateway, reviews, "identity-team", [shared_pool])
    seed.add_method(apigateway, reviews, "/reviews", "POST", authorization="COGNITO_USER_POOLS",
                    authorizer_id=reviews_auth, scopes=["reviews/write"])
    seed.deploy(apigateway, reviews, "prod")

    reports = seed.create_rest_api(apigateway, "internal-reports", endpoint="PRIVATE")
    seed.add_cognito_authorizer(apigateway, reports, "reports-cognito", [customers["arn"]])
    seed.add_method(apigateway, reports, "/daily", "GET", authorization="AWS_IAM")
    # A Lambda-authorized REST API: one function never allowed for API Gateway, one deleted.
    stock_check = seed.create_function(lambda_client, iam, "stock-token-check")
    stock = seed.create_rest_api(apigateway, "stock")
    token_check = seed.add_lambda_authorizer(apigateway, stock, "stock-token", stock_check, header="X-Partner-Key")
    gone_check = seed.add_lambda_authorizer(
        apigateway, stock, "price-request", f"arn:aws:lambda:{region}:{ACCOUNT}:function:price-check:live",
        kind="REQUEST", ttl=0)
    seed.add_method(apigateway, stock, "/stock", "GET", authorization="CUSTOM", authorizer_id=token_check)
    # The token authorizer caches its answer for 300 s (the default) and guards two methods.
    seed.add_method(apigateway, stock, "/stock/{sku}", "GET", authorization="CUSTOM", authorizer_id=token_check)
    seed.add_method(apigateway, stock, "/prices", "GET", authorization="CUSTOM", authorizer_id=gone_check)
    # Partners pull the inventory with an API key; the only key of the stage's usage plan was disabled.
    seed.add_method(apigateway, stock, "/inventory", "GET", api_key=True)
    seed.deploy(apigateway, stock, "v1")
    seed.create_usage_plan(apigateway, "stock-partners", stock, "v1", key_enabled=False)

    # The mobile backend on an HTTP API with JWT authorizers.
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{customers['id']}"
    bff = seed.create_http_api(apigatewayv2, "mobile-bff")
    bff_jwt = seed.add_jwt_authorizer(apigatewayv2, bff, "bff-jwt", issuer, [web, "7f3kq0retiredclient01"])
    legacy_jwt = seed.add_jwt_authorizer(apigatewayv2, bff, "legacy-jwt", issuer + "/", [web])
    seed.add_route(apigatewayv2, bff, "GET /orders", authorization="JWT", authorizer_id=bff_jwt, scopes=["orders/read"])
    seed.add_route(apigatewayv2, bff, "POST /refunds", authorization="JWT", authorizer_id=bff_jwt,
                   scopes=["refunds/write"])
    seed.add_route(apigatewayv2, bff, "GET /legacy/orders", authorization="JWT", authorizer_id=legacy_jwt)
    seed.add_route(apigatewayv2, bff, "GET /status")
    seed.add_route(apigatewayv2, bff, "$default", authorization="JWT", authorizer_id=bff_jwt)
    apigatewayv2.create_stage(ApiId=bff, StageName="$default", AutoDeploy=True)
    # The web shop calls it too: CORS is on, and the authorized $default route takes the preflights.
    apigatewayv2.update_api(ApiId=bff, CorsConfiguration={"AllowOrigins": ["https://shop.example.com"],
                                                          "AllowHeaders": ["authorization"]})
    hooks = seed.create_http_api(apigatewayv2, "webhooks")
    seed.add_route(apigatewayv2, hooks, "POST /stripe")
    # Meant to be reached at hooks.shop.example.com only: the default endpoint is off, the mapping never made.
    apigatewayv2.update_api(ApiId=hooks, DisableExecuteApiEndpoint=True)
    apigatewayv2.create_domain_name(DomainName="hooks.shop.example.com", DomainNameConfigurations=[{
        "CertificateArn": f"arn:aws:acm:{region}:{ACCOUNT}:certificate/0f0e0d0c-1111-2222-3333-444455556666",
        "EndpointType": "REGIONAL"}])

    # A modern pool: its tokens carry the updated issuer (https://issuer-cognito-idp.REGION…, IssuerConfiguration).
    members = seed.create_pool(cognito, "members", domain="members-demo", resource_servers={"members": ["read"]},
                               issuer="UPDATED")
    members_app = seed.create_client(cognito, members["id"], "members-app",
                                     **seed.web_client_settings(["members/read"], callback="https://members.example.com/cb"))
    updated_issuer = f"https://issuer-cognito-idp.{region}.amazonaws.com/{members['id']}"
    # A REST API with a JWT authorizer that trusts the updated issuer: healthy. Its method takes the members' ID
    # tokens (aud: the app client): whether a REST JWT authorizer takes a Cognito access token, which has no aud,
    # AWS's documents do not settle.
    members_api = seed.create_rest_api(apigateway, "members")
    members_jwt = seed.add_rest_jwt_authorizer(apigateway, members_api, "members-jwt",
                                               [(updated_issuer, [members_app])])
    seed.add_method(apigateway, members_api, "/me", "GET", authorization="JWT", authorizer_id=members_jwt)
    seed.deploy(apigateway, members_api, "prod")
    # Healthy by its configuration, yet every request of the window failed with 5xx: a cause no rule knows.
    seed.detailed_metrics(apigateway, members_api, "prod")
    seed.record_requests(cloudwatch, "REST", "members", "prod", "GET", "/me", requests=35, server_errors=35,
                         hours_ago=30)
    # Served at members.example.com, and through CloudFront set up as AWS recommends for an API origin.
    apigateway.create_domain_name(
        domainName="members.example.com", endpointConfiguration={"types": ["REGIONAL"]},
        regionalCertificateArn=f"arn:aws:acm:{region}:{ACCOUNT}:certificate/1a2b3c4d-1111-2222-3333-444455556666")
    apigateway.create_base_path_mapping(domainName="members.example.com", restApiId=members_api, stage="prod")
    seed.create_distribution(cloudfront, "members", f"{members_api}.execute-api.{region}.amazonaws.com",
                             origin_path="/prod", cache_policy=CACHING_DISABLED,
                             origin_request_policy=ALL_VIEWER_EXCEPT_HOST)
    # Its mobile backend still names the original issuer form: no token of the pool matches it.
    members_bff = seed.create_http_api(apigatewayv2, "members-bff")
    stale_jwt = seed.add_jwt_authorizer(apigatewayv2, members_bff, "members-jwt",
                                        f"https://cognito-idp.{region}.amazonaws.com/{members['id']}", [members_app])
    seed.add_route(apigatewayv2, members_bff, "GET /me", authorization="JWT", authorizer_id=stale_jwt,
                   scopes=["members/read"])
    apigatewayv2.create_stage(ApiId=members_bff, StageName="$default", AutoDeploy=True,
                              DefaultRouteSettings={"DetailedMetricsEnabled": True})
    # Yet its route served successful requests today: traffic contradicts that prediction, which then stands as
    # undecided, never as a critical.
    seed.record_requests(cloudwatch, "HTTP", members_bff, "$default", "GET", "/me", requests=60, client_errors=3)

    # A kiosk pool nobody can get a token from: it has no app client.
    kiosk_pool = seed.create_pool(cognito, "kiosk")
    kiosk = seed.create_rest_api(apigateway, "kiosk")
    kiosk_auth = seed.add_cognito_authorizer(apigateway, kiosk, "kiosk-cognito", [kiosk_pool["arn"]])
    seed.add_method(apigateway, kiosk, "/status", "GET", authorization="COGNITO_USER_POOLS", authorizer_id=kiosk_auth)
    seed.deploy(apigateway, kiosk, "prod")

    # A Lambda authorizer whose function is a stage variable: prod names it, beta does not.
    orders_auth = seed.create_function(lambda_client, iam, "orders-token-check")
    orders = seed.create_rest_api(apigateway, "orders-v2")
    staged = seed.add_lambda_authorizer(apigateway, orders, "orders-token",
                                        orders_auth.rsplit(":", 1)[0] + ":${stageVariables.authorizer}")
    seed.allow_apigateway(lambda_client, "orders-token-check",
                          f"arn:aws:execute-api:{region}:{ACCOUNT}:{orders}/authorizers/{staged}")
    seed.add_method(apigateway, orders, "/orders", "GET", authorization="CUSTOM", authorizer_id=staged)
    apigateway.create_deployment(restApiId=orders, stageName="prod", variables={"authorizer": "orders-token-check"})
    seed.deploy(apigateway, orders, "beta")

    # An HTTP API whose stage is deployed by hand: a route changed and one deleted since its deployment.
    partners_v2 = seed.create_http_api(apigatewayv2, "partners-v2")
    partners_jwt = seed.add_jwt_authorizer(apigatewayv2, partners_v2, "partners-jwt",
                                           f"https://cognito-idp.{region}.amazonaws.com/{customers['id']}", [web])
    seed.add_route(apigatewayv2, partners_v2, "GET /quotes", authorization="JWT", authorizer_id=partners_jwt,
                   scopes=["orders/read"])
    internal = seed.add_route(apigatewayv2, partners_v2, "GET /internal")
    # Infrastructure code turned on detailed metrics and wrote 0 for the limits it left out.
    apigatewayv2.create_stage(ApiId=partners_v2, StageName="live", AutoDeploy=False, DefaultRouteSettings={
        "DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 0, "ThrottlingRateLimit": 0.0})
    apigatewayv2.create_deployment(ApiId=partners_v2, StageName="live")
    apigatewayv2.delete_route(ApiId=partners_v2, RouteId=internal)
    seed.add_route(apigatewayv2, partners_v2, "POST /quotes", authorization="JWT", authorizer_id=partners_jwt,
                   scopes=["orders/write"])

    # The storefront answers CORS for the web shop behind CloudFront: its 401s carry no CORS header, and the
    # distribution caches with the managed CachingOptimized policy, which drops Authorization from GET requests.
    # Its resource policy still denies emptying a cart, from a freeze nobody lifted.
    storefront = seed.create_rest_api(apigateway, "storefront", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Sid": "CartFreeze", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*/DELETE/cart"}]})
    storefront_auth = seed.add_cognito_authorizer(apigateway, storefront, "storefront-cognito", [customers["arn"]])
    seed.add_method(apigateway, storefront, "/cart", "GET", authorization="COGNITO_USER_POOLS",
                    authorizer_id=storefront_auth)
    seed.add_method(apigateway, storefront, "/cart", "DELETE", authorization="COGNITO_USER_POOLS",
                    authorizer_id=storefront_auth)
    seed.add_cors_preflight(apigateway, storefront, "/cart", "https://shop.example.com")
    # Everything else goes to a protected catch-all with no OPTIONS of its own: the browser's preflight for
    # /wishlist reaches ANY /{proxy+} without a token, and gets 401.
    seed.add_method(apigateway, storefront, "/{proxy+}", "ANY", authorization="COGNITO_USER_POOLS",
                    authorizer_id=storefront_auth)
    seed.deploy(apigateway, storefront, "prod")
    seed.create_distribution(cloudfront, "storefront", f"{storefront}.execute-api.{region}.amazonaws.com",
                             origin_path="/prod", cache_policy=CACHING_OPTIMIZED)
    return {"pools": {"shop-customers": customers, "partners": partners, "loyalty": loyalty, "members": members,
                      "kiosk": kiosk_pool},
            "apis": {"shop": shop, "legacy-admin": admin, "partner-api": partner_api, "reviews": reviews,
                     "internal-reports": reports, "stock": stock, "mobile-bff": bff, "webhooks": hooks,
                     "members": members_api, "members-bff": members_bff, "kiosk": kiosk, "orders-v2": orders,
                     "partners-v2": partners_v2, "storefront": storefront}}
