"""What `Ref` and `Fn::GetAtt` return for a template's own resources, type by type, before the stack exists.

Which attributes a type has, and which property its `Ref` returns when it has one identifier, come from the resource
schemas cfn-lint ships (the CloudFormation registry's: `primaryIdentifier`, and the read-only properties GetAtt
reads). Where a type's identifier has several parts, `REF_PROPERTY` says which one `Ref` returns, each citing the
type's CloudFormation reference page ("Return values"). The value is then what the template writes (a name it sets),
or the stand-in ID the scanner gives the API Gateway, Cognito, Lambda and IAM resources it reads (an API's logical
ID as its ID, `REGION_LogicalId` as a pool's), or an ARN built from those; anything else is known only once
CloudFormation creates the resource, and a type no schema describes is unknown: never its logical ID.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..arns import unresolved
from ..errors import UsageError
from .load import MISSING_EXTRA

_REFERENCE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-{}.html"

# Types whose identifier has several parts: the one Ref returns (the reference page's "Return values", cited).
REF_PROPERTY: dict[str, tuple[str, str]] = {
    "AWS::ApiGateway::Resource": ("ResourceId", _REFERENCE.format("apigateway-resource")),
    "AWS::ApiGateway::Authorizer": ("AuthorizerId", _REFERENCE.format("apigateway-authorizer")),
    "AWS::ApiGateway::Stage": ("StageName", _REFERENCE.format("apigateway-stage")),
    "AWS::ApiGateway::Deployment": ("DeploymentId", _REFERENCE.format("apigateway-deployment")),
    "AWS::ApiGatewayV2::Route": ("RouteId", _REFERENCE.format("apigatewayv2-route")),
    "AWS::ApiGatewayV2::Integration": ("IntegrationId", _REFERENCE.format("apigatewayv2-integration")),
    "AWS::ApiGatewayV2::Authorizer": ("AuthorizerId", _REFERENCE.format("apigatewayv2-authorizer")),
    "AWS::ApiGatewayV2::Stage": ("StageName", _REFERENCE.format("apigatewayv2-stage")),
    "AWS::ApiGatewayV2::Deployment": ("DeploymentId", _REFERENCE.format("apigatewayv2-deployment")),
    "AWS::ApiGatewayV2::ApiMapping": ("ApiMappingId", _REFERENCE.format("apigatewayv2-apimapping")),
    "AWS::Cognito::UserPoolClient": ("ClientId", _REFERENCE.format("cognito-userpoolclient")),
    "AWS::Cognito::UserPoolDomain": ("Domain", _REFERENCE.format("cognito-userpooldomain")),
    "AWS::Cognito::UserPoolResourceServer": ("Identifier", _REFERENCE.format("cognito-userpoolresourceserver")),
}

# The IDs AWS generates that the scanner stands in for with the logical ID, so that the template's references
# between these resources hold (the snapshot knows each by that ID).
_LOGICAL_STANDS_FOR = {
    ("AWS::ApiGateway::RestApi", "RestApiId"), ("AWS::ApiGateway::Resource", "ResourceId"),
    ("AWS::ApiGateway::Authorizer", "AuthorizerId"), ("AWS::ApiGateway::Deployment", "DeploymentId"),
    ("AWS::ApiGateway::UsagePlan", "Id"), ("AWS::ApiGateway::ApiKey", "APIKeyId"),
    ("AWS::ApiGatewayV2::Api", "ApiId"), ("AWS::ApiGatewayV2::Route", "RouteId"),
    ("AWS::ApiGatewayV2::Integration", "IntegrationId"), ("AWS::ApiGatewayV2::Authorizer", "AuthorizerId"),
    ("AWS::ApiGatewayV2::Deployment", "DeploymentId"), ("AWS::Cognito::UserPoolClient", "ClientId"),
    # Names CloudFormation generates when the template sets none (stack-Logical-RANDOM): the logical ID stands in.
    ("AWS::Lambda::Function", "FunctionName"), ("AWS::IAM::Role", "RoleName"),
}


class Schema:
    """What the registry says of one type: the properties its Ref may return, its GetAtt attributes."""

    def __init__(self, identifiers: list[str], attributes: set[str]) -> None:
        self.identifiers, self.attributes = identifiers, attributes


@lru_cache(maxsize=512)
def schema_of(kind: str) -> Schema | None:
    """The type's schema from cfn-lint's copy of the registry (None for a type it does not know)."""
    try:
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
        from cfnlint.schema.manager import ResourceNotFoundError
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    try:
        found = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind)
    except (ResourceNotFoundError, ValueError, TypeError):
        return None
    identifiers = [str(pointer).rsplit("/", 1)[-1] for pointer in found.schema.get("primaryIdentifier") or []]
    return Schema(identifiers, {str(name) for name in found.get_atts})


class Values:
    """The values a resource's Ref and attributes take, given how the scanner resolves its properties."""

    def __init__(self, logical: str, kind: str, properties: dict[str, Any], resolve: Callable[[Any], Any],
                 scope: tuple[str, str, str]) -> None:
        self.logical, self.kind, self.properties, self.resolve = logical, kind, properties, resolve
        self.partition, self.region, self.account = scope

    def ref(self) -> Any:
        schema = schema_of(self.kind)
        if schema is None:
            return unresolved(f"Ref {self.logical}: {self.kind} is not a type the CloudFormation registry describes "
                              "(its value is known once it is created)")
        named = REF_PROPERTY.get(self.kind)
        if named is not None:
            return self.value(named[0])
        if len(schema.identifiers) == 1:
            return self.value(schema.identifiers[0])
        return unresolved(f"Ref {self.logical}: the ID CloudFormation gives the {self.kind} when it creates it")

    def attribute(self, name: str) -> Any:
        schema = schema_of(self.kind)
        if schema is None:
            return unresolved(f"Fn::GetAtt {self.logical}.{name}: {self.kind} is not a type the CloudFormation "
                              "registry describes")
        if not any(name == known or (not known.isidentifier() and re.fullmatch(known, name))
                   for known in schema.attributes):
            return unresolved(f"Fn::GetAtt {self.logical}.{name}: {self.kind} has no attribute {name}")
        return self.value(name)

    def value(self, name: str) -> Any:
        """A property's value: as the template writes it, a stand-in ID, an ARN built from them, or unknown."""
        if self.kind.startswith("Custom::") or self.kind == "AWS::CloudFormation::CustomResource":
            return unresolved(f"the {name} of {self.logical} is what its custom resource's function returns")
        written = self.resolve(self.properties.get(name)) if name in self.properties else None
        if isinstance(written, (int, float)) and not isinstance(written, bool):
            written = str(written)  # CloudFormation passes a YAML number on as its text
        if isinstance(written, str):
            return written
        if (self.kind, name) in _LOGICAL_STANDS_FOR:
            return self.logical
        derived = _DERIVED.get((self.kind, name))
        if derived is not None:
            return derived(self)
        return unresolved(f"the {name} of {self.logical} ({self.kind}) is known once CloudFormation creates it")

    def text(self, name: str) -> str | None:
        found = self.value(name)
        return found if isinstance(found, str) else None

    @property
    def suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"


def pool_stand_in(region: str, logical: str) -> str:
    """The pool ID the scanner gives a template's own user pool (Cognito's are REGION_random)."""
    return f"{region}_{logical}"


def _pool_id(values: Values) -> str:
    return pool_stand_in(values.region, values.logical)


def _issuer_host(values: Values) -> str:
    form = values.resolve((values.properties.get("IssuerConfiguration") or {}).get("Type")) \
        if isinstance(values.properties.get("IssuerConfiguration"), dict) else None
    return f"{'issuer-cognito-idp' if form == 'UPDATED' else 'cognito-idp'}.{values.region}.{values.suffix}"


def role_arn(partition: str, account: str, name: Any, path: Any) -> str:
    """An IAM role's ARN: its path (Path, /service/) between role/ and its name."""
    prefix = path.strip("/") + "/" if isinstance(path, str) and path.strip("/") else ""
    return f"arn:{partition}:iam::{account}:role/{prefix}{name}"


def _role_arn(values: Values) -> str:
    return role_arn(values.partition, values.account, values.value("RoleName"),
                    values.resolve(values.properties.get("Path")))


def _domain_arn(values: Values) -> Any:
    name = values.value("DomainName")
    return f"arn:{values.partition}:apigateway:{values.region}::/domainnames/{name}"


_DERIVED: dict[tuple[str, str], Callable[[Values], Any]] = {
    ("AWS::ApiGateway::RestApi", "RootResourceId"): lambda values: f"{values.logical}-root",
    ("AWS::ApiGatewayV2::Api", "ApiEndpoint"): lambda values:
        f"https://{values.logical}.execute-api.{values.region}.{values.suffix}",
    ("AWS::ApiGatewayV2::Api", "ExecuteApiArn"): lambda values:
        f"arn:{values.partition}:execute-api:{values.region}:{values.account}:{values.logical}",
    ("AWS::ApiGateway::DomainName", "DomainNameArn"): _domain_arn,
    ("AWS::ApiGatewayV2::DomainName", "DomainNameArn"): _domain_arn,
    ("AWS::Cognito::UserPool", "UserPoolId"): _pool_id,
    ("AWS::Cognito::UserPool", "Arn"): lambda values:
        f"arn:{values.partition}:cognito-idp:{values.region}:{values.account}:userpool/{_pool_id(values)}",
    ("AWS::Cognito::UserPool", "ProviderName"): lambda values: f"{_issuer_host(values)}/{_pool_id(values)}",
    ("AWS::Cognito::UserPool", "ProviderURL"): lambda values: f"https://{_issuer_host(values)}/{_pool_id(values)}",
    ("AWS::Cognito::UserPoolClient", "Name"): lambda values: values.text("ClientName") or unresolved(
        f"the Name of {values.logical} (AWS::Cognito::UserPoolClient) is known once CloudFormation creates it"),
    ("AWS::Lambda::Function", "Arn"): lambda values:
        f"arn:{values.partition}:lambda:{values.region}:{values.account}:function:{values.value('FunctionName')}",
    ("AWS::IAM::Role", "Arn"): _role_arn,
}
