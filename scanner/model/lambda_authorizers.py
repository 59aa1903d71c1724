"""Facts of Lambda authorizers (REST TOKEN/REQUEST, HTTP REQUEST): the function, and whether API Gateway may call it."""

from __future__ import annotations

import json
from typing import Any, cast

from ..arns import authorizer_source_arn, function_arn_of, stage_variables_in, unresolved_reason, values_by_stage
from ..schema.facts import AuthorizerFacts, FunctionStatus, LambdaTarget
from .identity_policy import allows, trusts
from .lambda_permissions import INVOKE_ACTION, InvokeDecision, function_decision, function_unknown

APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
_CREDENTIAL_HEADERS = {"authorization"}


def add_lambda_facts(record: AuthorizerFacts, *, partition: str, uri: str | None, credentials: str | None,
                     ttl: Any, functions: dict[str, Any], roles: dict[str, Any],
                     stages: list[dict[str, Any]], policy_response: bool = True) -> None:
    """Fills in the functions (per stage when the URI uses stage variables), whether API Gateway may invoke them,
    and the identity-source facts of a Lambda authorizer record."""
    kind = str(record.type)
    record.source_arn = authorizer_source_arn(partition, record.region, record.account, record.api_id,
                                              record.authorizer_id)
    written = function_arn_of(uri)
    why = unresolved_reason(uri)
    if why is not None:  # a template leaves the function to deployment: undecided
        record.lambda_targets = [LambdaTarget(stage=None, function_arn=None, function_status=None, function_unknown=why,
                                              function_problem=None, invoke=None, invoke_reason=None)]
    elif written:
        record.lambda_targets = [_target(stage, arn, written, uri, credentials, record, functions, roles)
                                 for stage, arn in values_by_stage(written, stages)]
    else:
        record.lambda_targets = [_target(None, None, None, uri, credentials, record, functions, roles)]
    headers = record.identity_headers
    other_headers = [header for header in headers if header.lower() not in _CREDENTIAL_HEADERS]
    caching = isinstance(ttl, int) and ttl > 0 if ttl is not None else kind == "TOKEN"  # REST default TTL is 300
    record.credentials_role = credentials
    record.credentials_role_name = credentials.rsplit("/", 1)[-1] if credentials else None
    found = [target.function_arn for target in record.lambda_targets if target.function_status == "found"]
    if found and credentials:
        record.invoke_policy_document = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": INVOKE_ACTION, "Resource": sorted(set(found))}]}, separators=(",", ":"))
    record.caching = caching
    record.cache_ttl = ttl if isinstance(ttl, int) else 300 if caching else 0
    record.policy_response = policy_response
    record.identity_problem = _identity_problem(kind, headers, other_headers, caching)


def _target(stage: str | None, arn: str | None, written: str | None, uri: str | None, credentials: str | None,
            record: AuthorizerFacts, functions: dict[str, Any], roles: dict[str, Any]) -> LambdaTarget:
    """The function one stage calls: found, missing, foreign, unreadable, malformed — or undecided when the
    stage lacks a stage variable the URI uses (never "missing")."""
    target = LambdaTarget(stage=stage, function_arn=arn or written or uri, function_status=None,
                          function_unknown=None, function_problem=None, invoke=None, invoke_reason=None)
    if written is None:
        target.function_status, target.function_problem = "malformed", "is not a Lambda function URI"
        return target
    if arn is None:
        target.function_unknown = (f"stage {stage} does not define the stage variable(s) "
                                   f"{', '.join(stage_variables_in(written))} that the URI uses")
        return target
    function = functions.get(arn) or {}
    target.function_status = cast(FunctionStatus | None, function.get("status"))
    target.function_unknown = function_unknown(arn, function)
    target.function_problem = {"missing": "does not exist", "malformed": "is not a Lambda function ARN"}.get(
        str(target.function_status))
    decision: InvokeDecision | None = None
    if target.function_status == "found" and credentials:
        decision = role_decision(roles.get(credentials) or {}, credentials, arn)
    elif target.function_status == "found":
        decision = function_decision(function, arn, APIGATEWAY_PRINCIPAL, str(record.source_arn), record.account)
    target.invoke = cast(Any, decision.outcome) if decision else None
    target.invoke_reason = decision.reason if decision else None
    return target


def role_decision(role: dict[str, Any], role_arn: str, function_arn: str) -> InvokeDecision:
    """With authorizerCredentials, API Gateway assumes the role: its trust and permissions decide."""
    status = role.get("status")
    if status == "missing":
        return InvokeDecision("denied", f"the authorizer's role {role_arn} does not exist")
    if status == "outside":
        return InvokeDecision("unknown", f"the role {role_arn} {role.get('message')}")
    if status != "found":
        return InvokeDecision("unknown", f"the role {role_arn} could not be read: {role.get('message') or status}")
    if role.get("trust") is None:
        return InvokeDecision("unknown", f"the trust policy of role {role_arn} could not be read")
    trust = trusts(role.get("trust"), APIGATEWAY_PRINCIPAL)
    if trust.outcome != "allowed":
        return InvokeDecision(trust.outcome, f"role {role_arn}: {trust.reason}")
    permission = allows(role.get("policies") or [], INVOKE_ACTION, function_arn)
    if permission.outcome == "denied" and role.get("message"):
        return InvokeDecision("unknown", f"role {role_arn}: {role['message']}")
    return InvokeDecision(permission.outcome, f"role {role_arn}: {permission.reason}")


def _identity_problem(kind: str, headers: list[str], others: list[str], caching: bool) -> str | None:
    if kind == "TOKEN" and others:
        problem = f"callers must send the token in the {others[0]} header (not Authorization)"
        return problem + (", and results are cached per value of that header" if caching else "")
    if kind == "REQUEST" and caching and headers and not set(h.lower() for h in headers) & _CREDENTIAL_HEADERS:
        return (f"results are cached per {', '.join(headers)}, which carries no credential: one caller's "
                "allow or deny is reused for others with the same value")
    if kind == "REQUEST" and others and not caching:
        return f"callers must send {', '.join(others)}: a request without it gets 401 before the function runs"
    return None


def header_names(identity_sources: list[str] | str | None) -> list[str]:
    """Header names in REST (method.request.header.X, comma-separated) or HTTP ($request.header.X) identity sources."""
    sources = identity_sources if isinstance(identity_sources, list) else str(identity_sources or "").split(",")
    names = []
    for source in sources:
        source = source.strip()
        for prefix in ("method.request.header.", "$request.header."):
            if source.startswith(prefix):
                names.append(source[len(prefix):])
    return names
