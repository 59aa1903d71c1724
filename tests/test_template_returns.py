"""What `Ref` and `Fn::GetAtt` return for each resource type the template readers resolve, as CloudFormation returns
them (each type's reference page, "Return values":
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-<service>-<type>.html), with the
stand-in IDs the scanner gives the resources it reads before they exist. A value known only once CloudFormation
creates the resource, and any value of a type no schema describes, is unknown: never the logical ID."""

from __future__ import annotations

import pytest

from scanner.arns import unresolved_reason
from scanner.templates.resolve import Resolver

REGION, ACCOUNT = "eu-west-1", "111122223333"

RESOURCES = {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shop"}},
    "Orders": {"Type": "AWS::ApiGateway::Resource", "Properties": {"PathPart": "orders"}},
    "GetOrders": {"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET"}},
    "Auth": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {"Name": "cognito"}},
    "Prod": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "prod"}},
    "Deploy": {"Type": "AWS::ApiGateway::Deployment", "Properties": {}},
    "Denied": {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": {"ResponseType": "ACCESS_DENIED"}},
    "Plan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {}},
    "PlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {}},
    "Key": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {}},
    "Domain": {"Type": "AWS::ApiGateway::DomainName", "Properties": {"DomainName": "api.example.com"}},
    "Mapping": {"Type": "AWS::ApiGateway::BasePathMapping", "Properties": {"DomainName": "api.example.com"}},
    "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "HTTP"}},
    "Route": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"RouteKey": "GET /"}},
    "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {}},
    "Jwt": {"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": {"AuthorizerType": "JWT"}},
    "HttpStage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"StageName": "$default"}},
    "HttpDeploy": {"Type": "AWS::ApiGatewayV2::Deployment", "Properties": {}},
    "HttpDomain": {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": {"DomainName": "http.example.com"}},
    "HttpMapping": {"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": {}},
    "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
    "NewPool": {"Type": "AWS::Cognito::UserPool", "Properties": {"IssuerConfiguration": {"Type": "UPDATED"}}},
    "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"ClientName": "web"}},
    "Unnamed": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {}},
    "Hosted": {"Type": "AWS::Cognito::UserPoolDomain", "Properties": {"Domain": "shop-login"}},
    "Server": {"Type": "AWS::Cognito::UserPoolResourceServer", "Properties": {"Identifier": "orders"}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
    "Named": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": {"Fn::Sub": "${AWS::Region}-check"}}},
    "Allow": {"Type": "AWS::Lambda::Permission", "Properties": {}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "invoker", "Path": "/service/"}},
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    "Custom": {"Type": "Custom::Thing", "Properties": {"Name": "x"}},
}


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver({"Resources": RESOURCES}, {}, REGION, ACCOUNT, "aws")


# (logical ID, what Ref returns; None: unknown until CloudFormation creates it)
REFS = [
    ("Api", "Api"),  # the RestApi ID (stand-in: the logical ID)
    ("Orders", "Orders"),  # the resource ID
    ("GetOrders", None),  # "the method ID, such as mysta-metho-01234b567890example"
    ("Auth", "Auth"),  # the authorizer's ID
    ("Prod", "prod"),  # the stage's name
    ("Deploy", "Deploy"),  # the deployment ID
    ("Denied", None),  # the gateway response's ID
    ("Plan", "Plan"),  # the usage plan ID
    ("PlanKey", None),
    ("Key", "Key"),  # the API key ID
    ("Domain", "api.example.com"),  # the domain name
    ("Mapping", None),
    ("Http", "Http"),  # the API ID
    ("Route", "Route"), ("Integration", "Integration"), ("Jwt", "Jwt"), ("HttpDeploy", "HttpDeploy"),
    ("HttpStage", "$default"),  # the stage's name
    ("HttpDomain", "http.example.com"),  # the domain name
    ("HttpMapping", None),  # the API mapping ID
    ("Pool", f"{REGION}_Pool"),  # the pool ID (stand-in: REGION_LogicalId)
    ("Client", "Client"),  # the app client ID
    ("Hosted", "shop-login"),  # "physicalResourceId, which is Domain"
    ("Server", "orders"),  # the resource server's identifier
    ("Fn", "Fn"),  # the function's name (CloudFormation generates one: the logical ID stands in)
    ("Named", f"{REGION}-check"),  # the name the template gives
    ("Allow", None),
    ("Role", "invoker"),  # the role's name
    ("Bucket", None),  # a name CloudFormation generates for a type the scanner does not read
    ("Custom", None),  # a type no schema describes
]


@pytest.mark.parametrize("logical, expected", REFS, ids=[logical for logical, _ in REFS])
def test_ref_returns_what_cloudformation_returns(resolver, logical, expected):
    value = resolver.resolve({"Ref": logical})
    if expected is None:
        assert unresolved_reason(value), value
        assert logical != value
    else:
        assert value == expected


# (logical ID, attribute, value; None: unknown until CloudFormation creates it)
ATTRIBUTES = [
    ("Api", "RootResourceId", "Api-root"), ("Api", "RestApiId", "Api"),
    ("Auth", "AuthorizerId", "Auth"), ("Deploy", "DeploymentId", "Deploy"), ("Orders", "ResourceId", "Orders"),
    ("Domain", "DomainNameArn", f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com"),
    ("Domain", "RegionalDomainName", None), ("Domain", "DistributionDomainName", None),
    ("Http", "ApiId", "Http"), ("Http", "ApiEndpoint", f"https://Http.execute-api.{REGION}.amazonaws.com"),
    ("Http", "ExecuteApiArn", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:Http"),
    ("Jwt", "AuthorizerId", "Jwt"), ("Route", "RouteId", "Route"), ("HttpDomain", "RegionalDomainName", None),
    ("Pool", "UserPoolId", f"{REGION}_Pool"),
    ("Pool", "Arn", f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{REGION}_Pool"),
    ("Pool", "ProviderName", f"cognito-idp.{REGION}.amazonaws.com/{REGION}_Pool"),
    ("Pool", "ProviderURL", f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Pool"),
    ("NewPool", "ProviderURL", f"https://issuer-cognito-idp.{REGION}.amazonaws.com/{REGION}_NewPool"),
    ("Client", "ClientId", "Client"), ("Client", "Name", "web"), ("Unnamed", "Name", None),
    ("Client", "ClientSecret", None),
    ("Fn", "Arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Fn"),
    ("Named", "Arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{REGION}-check"),
    ("Role", "Arn", f"arn:aws:iam::{ACCOUNT}:role/service/invoker"), ("Role", "RoleId", None),
    ("Bucket", "Arn", None),
]


@pytest.mark.parametrize("logical, attribute, expected", ATTRIBUTES,
                         ids=[f"{logical}.{attribute}" for logical, attribute, _ in ATTRIBUTES])
def test_getatt_returns_what_cloudformation_returns(resolver, logical, attribute, expected):
    value = resolver.resolve({"Fn::GetAtt": [logical, attribute]})
    if expected is None:
        assert unresolved_reason(value), value
    else:
        assert value == expected


@pytest.mark.parametrize("logical, attribute", [("Api", "Arn"), ("Pool", "Nope"), ("Custom", "Name"),
                                                 ("Missing", "Arn")])
def test_an_attribute_the_type_does_not_have_is_unknown_never_a_made_up_value(resolver, logical, attribute):
    """Before, an attribute ending in Id came back as "Logical.AttributeId": a value no resource has."""
    value = resolver.resolve({"Fn::GetAtt": f"{logical}.{attribute}"})
    assert unresolved_reason(value), value


def test_a_resource_that_refers_to_itself_is_unknown_not_a_recursion():
    body = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function",
                                 "Properties": {"FunctionName": {"Fn::Sub": "${Fn}-x"}}}}}
    value = Resolver(body, {}, REGION, ACCOUNT, "aws").resolve({"Ref": "Fn"})
    assert unresolved_reason(value) and "refers to itself" in unresolved_reason(value)


def test_a_sub_with_one_unresolved_part_is_unknown_in_that_part_only():
    body = {"Parameters": {"Stage": {"Type": "String"}}, "Resources": RESOURCES}
    value = Resolver(body, {}, REGION, ACCOUNT, "aws").resolve(
        {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Http}/${Stage}/GET/"})
    assert value.startswith(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:Http/") and value.endswith("/GET/")
    assert unresolved_reason(value) == "parameter Stage has no value (give --parameter Stage=VALUE)"


def test_a_comma_delimited_list_parameter_is_a_list():
    """Ref of a CommaDelimitedList parameter returns a list (CloudFormation "Parameters" syntax); Fn::Join makes it a
    text again."""
    body = {"Parameters": {"Scopes": {"Type": "CommaDelimitedList", "Default": "orders/read,orders/write"}},
            "Resources": {}}
    resolver = Resolver(body, {}, REGION, ACCOUNT, "aws")
    assert resolver.resolve({"Ref": "Scopes"}) == ["orders/read", "orders/write"]
    assert resolver.resolve({"Fn::Join": [" ", {"Ref": "Scopes"}]}) == "orders/read orders/write"
