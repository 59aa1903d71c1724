"""Parsing the ARNs that tie API Gateway to Cognito and Lambda, and resolving stage variables in them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_POOL_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):cognito-idp:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):(?P<account>\d{12}):"
    r"userpool/(?P<pool_id>[\w-]+_[0-9a-zA-Z]+)$"
)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class PoolArn:
    partition: str
    region: str
    account: str
    pool_id: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:cognito-idp:{self.region}:{self.account}:userpool/{self.pool_id}"

    @property
    def issuer(self) -> str:
        """The `iss` claim of this pool's tokens."""
        suffix = ".amazonaws.com.cn" if self.partition == "aws-cn" else ".amazonaws.com"
        return f"https://cognito-idp.{self.region}{suffix}/{self.pool_id}"


def parse_pool_arn(arn: str) -> PoolArn | None:
    """The parts of a Cognito user pool ARN, or None when it is not one."""
    match = _POOL_ARN.match(arn.strip()) if isinstance(arn, str) else None
    if not match:
        return None
    pool = PoolArn(**match.groupdict())
    # A pool ID starts with the region it lives in: eu-west-1_AbC lives in eu-west-1.
    if not pool.pool_id.startswith(pool.region + "_"):
        return None
    return pool


_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?/"
                             r"(?P<pool_id>[\w-]+_[0-9a-zA-Z]+)$")


def parse_cognito_issuer(issuer: str | None) -> tuple[str, str] | None:
    """(region, pool ID) of a well-formed Cognito issuer URL, else None."""
    match = _COGNITO_ISSUER.match(issuer or "")
    if not match or not match.group("pool_id").startswith(match.group("region") + "_"):
        return None
    return match.group("region"), match.group("pool_id")


def cognito_issuer_problem(issuer: str | None) -> str | None:
    """Why a Cognito-looking issuer URL cannot match the tokens' iss (None for a good one or a non-Cognito issuer)."""
    text = issuer or ""
    if "cognito-idp" not in text:
        return None if text else "the issuer is empty"
    if parse_cognito_issuer(text):
        return None
    if text.endswith("/"):
        return f"{text!r} ends with a slash: tokens carry the issuer without one"
    if text.startswith("http://"):
        return f"{text!r} is http: Cognito issuers are https"
    loose = re.match(r"^https://cognito-idp\.([^.]+)\.amazonaws\.com(?:\.cn)?/(([^_/]+)_\w+)$", text)
    if loose and loose.group(1) != loose.group(3):
        return (f"{text!r} names region {loose.group(1)} but pool {loose.group(2)} lives in {loose.group(3)}: "
                "the tokens' iss will not match")
    return f"{text!r} is not a Cognito issuer (expected https://cognito-idp.REGION.amazonaws.com/POOL_ID)"


def pool_arn_problem(arn: str) -> str:
    """Why `arn` is not a usable user pool ARN, in words."""
    loose = re.match(r"^arn:[^:]+:cognito-idp:([^:]+):[^:]*:userpool/(([^_/]+)_.+)$", arn or "")
    if loose and loose.group(3) != loose.group(1):
        return (f"the ARN names region {loose.group(1)} but pool {loose.group(2)} lives in {loose.group(3)} "
                f"(wrong region)")
    return f"{arn!r} is not a user pool ARN (expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID)"


def pool_arn(partition: str, region: str, account: str, pool_id: str) -> str:
    return PoolArn(partition, region, account, pool_id).arn


def stage_variables_in(text: str) -> list[str]:
    """Names of the `${stageVariables.NAME}` references in `text`."""
    return _STAGE_VARIABLE.findall(text or "")


def resolve_stage_variables(text: str, variables: dict[str, str]) -> str | None:
    """`text` with each `${stageVariables.NAME}` replaced from `variables`; None when one is undefined."""
    missing = [name for name in stage_variables_in(text) if name not in variables]
    if missing:
        return None
    return _STAGE_VARIABLE.sub(lambda match: variables[match.group(1)], text)



def provider_arns_by_stage(authorizer: dict[str, Any],
                           stages: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None]]:
    """(as written, stage, pool ARN) for each pool an authorizer names: stage None for a plain ARN; ARN None
    where a stage lacks a variable the ARN uses (`${stageVariables.NAME}`)."""
    triples: list[tuple[str, str | None, str | None]] = []
    for raw in authorizer.get("providerARNs") or []:
        if not isinstance(raw, str):
            continue
        if not stage_variables_in(raw):
            triples.append((raw, None, raw))
            continue
        for stage in stages:
            variables = stage.get("variables") or {}
            triples.append((raw, str(stage.get("stageName")), resolve_stage_variables(raw, variables)))
    return triples
