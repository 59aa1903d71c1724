"""A fake AWS that answers the scanner from AWS-shaped fixtures, for what moto does not emulate.

Every answer is checked against botocore's service model (the output shape of the operation, as botocore's
Stubber does), so a fixture can only say what AWS can say. Fixtures use real ID shapes: 10-character API IDs,
`eu-west-1_AbCdEf123` pools, 26-character client IDs. List operations not given answer with nothing; any other
operation without a fixture fails the test, so each test names every call it expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.validate import validate_parameters

ACCOUNT = "123456789012"
Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
_EMPTY = {("apigateway", "GetRestApis"): {"items": []}, ("apigatewayv2", "GetApis"): {"Items": []},
          ("cognito-idp", "ListUserPools"): {"UserPools": []}, ("apigateway", "GetDomainNames"): {"items": []},
          ("apigatewayv2", "GetDomainNames"): {"Items": []}, ("apigateway", "GetUsagePlans"): {"items": []},
          ("apigateway", "GetApiKeys"): {"items": []},
          ("cloudfront", "ListDistributions"): {"DistributionList": {"Marker": "", "MaxItems": 100,
                                                                     "IsTruncated": False, "Quantity": 0}}}


@dataclass
class AwsError:
    """An error answer: AccessDenied, NotFound, Throttling…"""

    code: str
    message: str = ""
    status: int = 400


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.raw = None
        self.content = b""


@dataclass
class ShapedAws:
    account: str = ACCOUNT
    answers: dict[tuple[str, str], Answer | AwsError] = field(default_factory=dict)
    calls: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    def on(self, service: str, operation: str, answer: Answer | AwsError) -> ShapedAws:
        self.answers[(service, operation)] = answer
        return self

    def session(self, region: str = "eu-west-1") -> boto3.Session:
        session = boto3.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="shaped",
                                region_name=region)
        session._session.register("before-parameter-build", self._keep_parameters)
        session._session.register("before-call", self._answer)
        return session

    @staticmethod
    def _keep_parameters(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["shaped_parameters"] = dict(params)  # before-call sees the serialized request, not these

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        service, operation = model.service_model.service_name, model.name
        region = str(context.get("client_region"))
        params = context.get("shaped_parameters") or {}
        self.calls.append((service, operation, region, params))
        answer = self.answers.get((service, operation))
        if answer is None and (service, operation) == ("sts", "GetCallerIdentity"):
            answer = {"Account": self.account, "Arn": f"arn:aws:iam::{self.account}:user/auditor",
                      "UserId": "AIDAEXAMPLEAUDITOR01"}
        if answer is None:
            answer = _EMPTY.get((service, operation))
        if answer is None:
            raise AssertionError(f"no fixture for {service}:{operation} {params}")
        if callable(answer):
            answer = answer({**params, "__region": region})
        if isinstance(answer, AwsError):
            return _Http(answer.status), {"Error": {"Code": answer.code, "Message": answer.message},
                                          "ResponseMetadata": {"HTTPStatusCode": answer.status}}
        if model.output_shape is not None:
            validate_parameters(answer, model.output_shape)  # only what AWS can answer
        return _Http(200), {**answer, "ResponseMetadata": {"HTTPStatusCode": 200}}


def pool_id(region: str = "eu-west-1", suffix: str = "AbCdEf123") -> str:
    return f"{region}_{suffix}"


def user_pool(pool: str, region: str = "eu-west-1", **settings: Any) -> dict[str, Any]:
    """A DescribeUserPool answer."""
    return {"UserPool": {"Id": pool, "Name": settings.pop("Name", "users"),
                         "Arn": f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{pool}", **settings}}


def app_client(pool: str, client_id: str, **settings: Any) -> dict[str, Any]:
    """A DescribeUserPoolClient answer."""
    return {"UserPoolClient": {"UserPoolId": pool, "ClientId": client_id, "ClientName": settings.pop("ClientName",
                                                                                                   "web"),
                               **settings}}


def cognito_pool(aws: ShapedAws, pool: str, clients: dict[str, dict[str, Any]], region: str = "eu-west-1",
                 servers: list[dict[str, Any]] | None = None, **settings: Any) -> None:
    """Fixtures for one pool in its region: listed, described, its clients and resource servers."""
    aws.on("cognito-idp", "ListUserPools", lambda p: {"UserPools": [{"Id": pool, "Name": "users"}]}
           if p["__region"] == region else {"UserPools": []})
    aws.on("cognito-idp", "DescribeUserPool", user_pool(pool, region, **settings))
    aws.on("cognito-idp", "ListUserPoolClients", {"UserPoolClients": [
        {"ClientId": client_id, "UserPoolId": pool, "ClientName": settings_.get("ClientName", "web")}
        for client_id, settings_ in clients.items()]})
    aws.on("cognito-idp", "DescribeUserPoolClient", lambda p: app_client(pool, p["ClientId"], **dict(
        clients[p["ClientId"]])))
    aws.on("cognito-idp", "ListResourceServers", {"ResourceServers": servers or []})
