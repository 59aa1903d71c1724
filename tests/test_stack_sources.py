"""Live findings point at their stack: the `aws:cloudformation:*` tags that GetRestApis (`tags`), GetApis (`Tags`)
and DescribeUserPool (`UserPoolTags`) return name the stack and logical ID of the API or pool; one
ListStackResources per stack names the rest (methods, routes, authorizers, app clients), matched by physical ID —
what `Ref` returns, or the CloudFormation registry's compound identifier joined with "|" (AWS::ApiGateway::Method:
RestApiId|ResourceId|HttpMethod). Answers are AWS-shaped and validated against botocore's models
(tests/aws_shaped.py); sources: the apigateway, apigatewayv2, cognito-idp and cloudformation service models, and
AWS's "Resource tag" page of the CloudFormation user guide (the aws:cloudformation:stack-name, stack-id and
logical-id tags it adds)."""

from __future__ import annotations

from aws_shaped import ACCOUNT, AwsError, ShapedAws, cognito_pool
from helpers import RULES, findings
from scanner.collect.account import collect_account
from scanner.scan import judge

REGION = "eu-west-1"
POOL = "eu-west-1_AbCdEf123"
CLIENT = "5p1e0abcdefghij0klmnopq1rs"
API = "a1b2c3d4e5"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/shop-prod/4f1b7e30-8a1c-11ef-9d3c-0a1b2c3d4e5f"
WEB = {"ClientName": "web", "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
       "AllowedOAuthScopes": ["openid", "api/read"], "CallbackURLs": ["https://app.example.com/cb"],
       "SupportedIdentityProviders": ["COGNITO"], "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}
SERVERS = [{"UserPoolId": POOL, "Identifier": "api", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}]


def tags(logical_id: str) -> dict[str, str]:
    return {"aws:cloudformation:stack-name": "shop-prod", "aws:cloudformation:stack-id": STACK_ID,
            "aws:cloudformation:logical-id": logical_id}


def stack_resource(logical_id: str, physical_id: str, resource_type: str) -> dict:
    return {"LogicalResourceId": logical_id, "PhysicalResourceId": physical_id, "ResourceType": resource_type,
            "LastUpdatedTimestamp": "2026-11-30T10:00:00Z", "ResourceStatus": "UPDATE_COMPLETE"}


def shop(aws: ShapedAws, **pool: str | dict) -> None:
    """A REST API of stack shop-prod whose GET /orders asks for a scope no app client of its pool allows."""
    cognito_pool(aws, POOL, {CLIENT: WEB}, servers=SERVERS, UserPoolTags=tags("UserPool"), **pool)
    aws.on("apigateway", "GetRestApis", {"items": [{"id": API, "name": "shop", "tags": tags("ShopApi"),
                                                     "endpointConfiguration": {"types": ["REGIONAL"]}}]})
    aws.on("apigateway", "GetResources", {"items": [
        {"id": "res001x", "path": "/orders", "resourceMethods": {"GET": {
            "httpMethod": "GET", "authorizationType": "COGNITO_USER_POOLS", "authorizerId": "auth01",
            "authorizationScopes": ["api/write"]}}}]})
    aws.on("apigateway", "GetAuthorizers", {"items": [{
        "id": "auth01", "name": "cognito", "type": "COGNITO_USER_POOLS",
        "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}"],
        "identitySource": "method.request.header.Authorization"}]})
    aws.on("apigateway", "GetStages", {"item": []})


def test_findings_of_a_live_scan_name_the_stack_and_logical_id_that_created_the_resource():
    aws = ShapedAws()
    shop(aws)  # the pool has no domain: COG001 on its code-flow client
    aws.on("cloudformation", "ListStackResources", {"StackResourceSummaries": [
        stack_resource("ShopApi", API, "AWS::ApiGateway::RestApi"),
        stack_resource("OrdersGet", f"{API}|res001x|GET", "AWS::ApiGateway::Method"),
        stack_resource("ShopAuthorizer", "auth01", "AWS::ApiGateway::Authorizer"),
        stack_resource("UserPool", POOL, "AWS::Cognito::UserPool"),
        stack_resource("WebClient", CLIENT, "AWS::Cognito::UserPoolClient"),
        stack_resource("OrdersFunction", "shop-prod-OrdersFunction-1X2Y3Z", "AWS::Lambda::Function")]})
    snapshot = collect_account(aws.session(), [REGION])
    [user_pool], [api] = snapshot["user_pools"], snapshot["rest_apis"]
    assert user_pool["source"] == {"stack": "shop-prod", "logical_id": "UserPool"}
    assert api["authorizers"][0]["source"] == {"stack": "shop-prod", "logical_id": "ShopAuthorizer"}
    report = judge(snapshot, None, None, RULES)
    [listing] = [call for call in aws.calls if call[1] == "ListStackResources"]
    assert listing[3] == {"StackName": STACK_ID}  # once for the stack the API and the pool share, by its ID
    [row] = report["methods"]
    assert row["source"] == {"stack": "shop-prod", "logical_id": "OrdersGet"}
    scope_findings = [finding for finding in report["findings"] if finding.get("path") == "/orders"]
    assert scope_findings and all(finding["source"] == {"stack": "shop-prod", "logical_id": "OrdersGet"}
                                  for finding in scope_findings)
    [client_finding] = findings(report, "COG001")
    assert client_finding["source"] == {"stack": "shop-prod", "logical_id": "WebClient"}
    assert all("stack shop-prod" not in note for note in report["notes"])


def test_a_stack_that_cannot_be_read_leaves_the_methods_on_their_api_with_a_note():
    aws = ShapedAws()
    shop(aws, Domain="shop-auth")
    aws.on("cloudformation", "ListStackResources", AwsError("AccessDenied", "not authorized to perform: "
                                                           "cloudformation:ListStackResources", 403))
    report = judge(collect_account(aws.session(), [REGION]), None, None, RULES)
    [row] = report["methods"]
    assert row["source"] == {"stack": "shop-prod", "logical_id": "ShopApi"}  # the API's own tags still say it
    assert any("stack shop-prod could not be read" in note for note in report["notes"])
    assert any(error["operation"] == "ListStackResources" and error["iam_action"] ==
               "cloudformation:ListStackResources" for error in report["errors"])


def test_resources_created_outside_cloudformation_carry_no_source_and_cost_no_call():
    aws = ShapedAws()
    shop(aws, Domain="shop-auth")
    aws.on("apigateway", "GetRestApis", {"items": [{"id": API, "name": "shop"}]})
    aws.on("cognito-idp", "DescribeUserPool", {"UserPool": {"Id": POOL, "Name": "users", "Domain": "shop-auth"}})
    report = judge(collect_account(aws.session(), [REGION]), None, None, RULES)
    assert [row["source"] for row in report["methods"]] == [None]
    assert all(finding["source"] is None for finding in report["findings"])
    assert "ListStackResources" not in {call[1] for call in aws.calls}
