"""Every ARN and URL that ties API Gateway to Cognito, Lambda and IAM: parsed here, once, for collect/ and model/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

REGION_PATTERN = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_POOL_ARN = re.compile(
    rf"^arn:(?P<partition>aws[a-z-]*):cognito-idp:(?P<region>{REGION_PATTERN}):(?P<account>\d{{12}}):"
    r"userpool/(?P<pool_id>[\w-]+_[0-9a-zA-Z]+)$"
)
_FUNCTION_ARN = re.compile(
    rf"^arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>{REGION_PATTERN}):(?P<account>\d{{12}}):"
    r"function:(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?$"
)
_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/"
                       r"(?:[\w+=,.@/-]*/)?(?P<name>[\w+=,.@-]+)$")
_FUNCTION_IN_URI = re.compile(r"/functions/(?P<arn>arn:[^/]+)/invocations$")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
# Cognito issuers: ORIGINAL `https://cognito-idp.REGION.SUFFIX/POOL`, UPDATED `https://issuer-cognito-idp.REGION…`.
_COGNITO_ISSUER = re.compile(rf"^https://(?P<host>issuer-cognito-idp|cognito-idp)\.(?P<region>{REGION_PATTERN})\."
                             r"(?P<suffix>amazonaws\.com(?:\.cn)?)/(?P<pool_id>[\w-]+_[0-9a-zA-Z]+)$")
ISSUER_HOSTS = {"ORIGINAL": "cognito-idp", "UPDATED": "issuer-cognito-idp"}
# Where each partition's services live (botocore's endpoint data says the same; these never change).
DNS_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com",
              "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov", "aws-iso-e": "cloud.adc-e.uk",
              "aws-iso-f": "csp.hci.ic.gov", "aws-eusc": "amazonaws.eu"}
# IAM is global per partition: its calls go to this region.
GLOBAL_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def dns_suffix(partition: str) -> str:
    return DNS_SUFFIX.get(partition, "amazonaws.com")


def partition_of_region(region: str) -> str:
    """The partition a region name belongs to (cn-* is aws-cn, us-gov-* is aws-us-gov, …)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def cognito_issuer(partition: str, region: str, pool_id: str, form: str | None = "ORIGINAL") -> str:
    """The `iss` claim of a pool's tokens: ORIGINAL or UPDATED form (the pool's IssuerConfiguration decides)."""
    host = ISSUER_HOSTS.get(form or "ORIGINAL", "cognito-idp")
    return f"https://{host}.{region}.{dns_suffix(partition)}/{pool_id}"


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
        """The `iss` claim of this pool's tokens in the original form (see `cognito_issuer` for the updated one)."""
        return cognito_issuer(self.partition, self.region, self.pool_id)


def parse_pool_arn(arn: str) -> PoolArn | None:
    """The parts of a Cognito user pool ARN, or None when it is not one.

    A pool ID starts with the region it was created in (eu-west-1_AbC). A multi-Region replica keeps
    the primary's ID in another region, so the ARN's region may differ from the ID's prefix."""
    match = _POOL_ARN.match(arn.strip()) if isinstance(arn, str) else None
    if not match:
        return None
    return PoolArn(**match.groupdict())


def pool_home_region(pool_id: str) -> str:
    """The region a pool was created in (its primary), read from its ID."""
    return pool_id.split("_", 1)[0]


@dataclass(frozen=True)
class CognitoIssuer:
    region: str
    pool_id: str
    form: str  # ORIGINAL | UPDATED
    partition: str


def parse_cognito_issuer(issuer: str | None) -> CognitoIssuer | None:
    """A well-formed Cognito issuer URL's parts (either form), else None."""
    match = _COGNITO_ISSUER.match(issuer or "")
    if not match or not match.group("pool_id").startswith(match.group("region") + "_"):
        return None
    form = "UPDATED" if match.group("host") == "issuer-cognito-idp" else "ORIGINAL"
    region = match.group("region")
    return CognitoIssuer(region, match.group("pool_id"), form, partition_of_region(region))


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
    loose = re.match(r"^https://(?:issuer-)?cognito-idp\.([^.]+)\.amazonaws\.com(?:\.cn)?/(([^_/]+)_\w+)$", text)
    if loose and loose.group(1) != loose.group(3):
        return (f"{text!r} names region {loose.group(1)} but pool {loose.group(2)} lives in {loose.group(3)}: "
                "the tokens' iss will not match")
    return (f"{text!r} is not a Cognito issuer (expected https://cognito-idp.REGION.amazonaws.com/POOL_ID, "
            "or https://issuer-cognito-idp.REGION.amazonaws.com/POOL_ID for pools with the updated issuer)")


def pool_arn_problem(arn: str) -> str:
    """Why `arn` is not a usable user pool ARN, in words."""
    return f"{arn!r} is not a user pool ARN (expected arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID)"


def pool_arn(partition: str, region: str, account: str, pool_id: str) -> str:
    return PoolArn(partition, region, account, pool_id).arn


def parse_function_arn(arn: str | None) -> dict[str, str] | None:
    """partition, region, account, name and qualifier (alias or version, maybe None) of a function ARN."""
    match = _FUNCTION_ARN.match(arn or "")
    return match.groupdict() if match else None


def parse_role_arn(arn: str | None) -> dict[str, str] | None:
    """partition, account and name of an IAM role ARN."""
    match = _ROLE_ARN.match(arn or "")
    return match.groupdict() if match else None


def function_arn_of(authorizer_uri: str | None) -> str | None:
    """The function ARN inside an authorizer URI (…/functions/ARN/invocations), alias or version included.

    It may still hold `${stageVariables.NAME}` references: resolve them per stage."""
    match = _FUNCTION_IN_URI.search(authorizer_uri or "")
    return match.group("arn") if match else None


def authorizer_source_arn(partition: str, region: str, account: str, api_id: str, authorizer_id: str) -> str:
    """The SourceArn API Gateway presents when it invokes an authorizer's function."""
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer_id}"


def stage_variables_in(text: str | None) -> list[str]:
    """Names of the `${stageVariables.NAME}` references in `text`."""
    return _STAGE_VARIABLE.findall(text or "")


def resolve_stage_variables(text: str, variables: dict[str, str]) -> str | None:
    """`text` with each `${stageVariables.NAME}` replaced from `variables`; None when one is undefined."""
    missing = [name for name in stage_variables_in(text) if name not in variables]
    if missing:
        return None
    return _STAGE_VARIABLE.sub(lambda match: variables[match.group(1)], text)


def stage_variable_sets(api: dict[str, Any]) -> list[dict[str, Any]]:
    """Each stage of an API as {stageName, variables}: REST stages, their canaries (stage variables overridden,
    named "STAGE (canary)"), and HTTP stages."""
    sets = []
    for stage in api.get("stages") or []:
        name = stage.get("stageName") or stage.get("StageName")
        variables = stage.get("variables") or stage.get("StageVariables") or {}
        sets.append({"stageName": str(name), "variables": variables})
        canary = stage.get("canarySettings") or {}
        if canary.get("deploymentId"):
            sets.append({"stageName": f"{name} (canary)",
                         "variables": {**variables, **(canary.get("stageVariableOverrides") or {})}})
    return sets


def values_by_stage(text: str | None, sets: list[dict[str, Any]]) -> list[tuple[str | None, str | None]]:
    """(stage, `text` resolved there) — stage None when `text` uses no stage variable; value None where the stage
    lacks a variable it uses. The same value on several stages is listed once."""
    if not stage_variables_in(text):
        return [(None, text)]
    found: dict[str | None, str | None] = {}
    for stage in sets:
        found.setdefault(str(stage["stageName"]), resolve_stage_variables(str(text), stage["variables"]))
    return list(found.items())


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


def referenced_pools(api: dict[str, Any], account: str) -> list[PoolArn]:
    """Pools a REST API's Cognito authorizers name, and pools an HTTP API's JWT issuers name (same account)."""
    pools = []
    for authorizer in api.get("authorizers") or []:
        for _raw, _stage, resolved in provider_arns_by_stage(authorizer, api.get("stages") or []):
            parsed = parse_pool_arn(resolved) if resolved else None
            if parsed:
                pools.append(parsed)
        issuer = parse_cognito_issuer((authorizer.get("JwtConfiguration") or {}).get("Issuer"))
        if issuer:
            pools.append(PoolArn(issuer.partition, issuer.region, account, issuer.pool_id))
    return pools


_EXECUTE_API_HOST = re.compile(rf"^(?P<api>[a-z0-9]{{10}})\.execute-api\.(?P<region>{REGION_PATTERN})\.amazonaws\.com"
                               r"(?:\.cn)?\.?$")


def parse_execute_api_host(host: str | None) -> tuple[str, str] | None:
    """(API ID, region) of an API's default endpoint host (abc123defg.execute-api.eu-west-1.amazonaws.com)."""
    found = _EXECUTE_API_HOST.match(str(host or "").lower())
    return (found["api"], found["region"]) if found else None


# What a template leaves to deploy time and the scanner cannot tell (an imported value, a parameter without a
# value): written in its place — the whole value, or the part of a text (a `!Sub`) it stands for — and read by the
# facts as "undecided", never as a value. The reason is kept free of braces, quotes and backslashes, so that a
# marker inside a JSON document (a resource policy written with `!Sub`) leaves it valid JSON.
_UNRESOLVED = re.compile(r"\{\{unresolved:(?P<why>[^{}]*)\}\}")
_NOT_IN_REASON = str.maketrans({"{": "(", "}": ")", '"': "'", "\\": "/", **{chr(code): " " for code in range(32)},
                                "\x7f": " "})


def unresolved(why: str) -> str:
    reason = " ".join(why.translate(_NOT_IN_REASON).split())
    return "{{unresolved:" + (reason if len(reason) <= 300 else reason[:299] + "…") + "}}"


def readable(text: str) -> str:
    """The text with each unresolved part written as what it is: `[unknown: why]`."""
    return _UNRESOLVED.sub(lambda found: f"[unknown: {found['why']}]", text)


def unresolved_reason(text: Any) -> str | None:
    """Why a value (or a part of it) could not be resolved from a template, or None when it is a value."""
    found = _UNRESOLVED.search(text) if isinstance(text, str) else None
    return found["why"] if found else None


_UNRESOLVED_PART = re.compile(r"\{\{unresolved:(?P<why>.*?)\}\}", re.S)


def unresolved_part(text: Any) -> str | None:
    """Why part of a value (a !Sub with one unresolved variable) could not be resolved, or None."""
    found = _UNRESOLVED_PART.search(text) if isinstance(text, str) else None
    return found["why"] if found else None


def issuer_shape_problem(text: Any) -> str | None:
    """Why an issuer whose pool is not known cannot match any token's iss whatever the pool: a trailing slash, or not
    https (the parts a template leaves to deployment do not change that)."""
    if not isinstance(text, str):
        return None
    shown = _UNRESOLVED_PART.sub("…", text)
    if shown.endswith("/"):
        return f"{shown!r} ends with a slash: tokens carry the issuer without one, whatever the pool"
    if not shown.startswith(("https://", "…")):
        return f"{shown!r} is not https: issuers are https URLs, whatever the pool"
    return None
