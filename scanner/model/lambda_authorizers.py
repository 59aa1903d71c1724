"""Facts of Lambda authorizers (REST TOKEN/REQUEST, HTTP REQUEST): the function, and whether API Gateway may call it."""

from __future__ import annotations

import re
from typing import Any

from .identity_policy import allows, trusts
from .lambda_permissions import INVOKE_ACTION, Decision, function_decision, function_unknown

APIGATEWAY_PRINCIPAL = "apigateway.amazonaws.com"
_FUNCTION_IN_URI = re.compile(r"/functions/(?P<arn>arn:[^/]+)/invocations$")
_CREDENTIAL_HEADERS = {"authorization"}


def function_arn_of(authorizer_uri: str | None) -> str | None:
    """The function ARN inside an authorizer URI (…/functions/ARN/invocations), alias or version included."""
    match = _FUNCTION_IN_URI.search(authorizer_uri or "")
    return match.group("arn") if match else None


def authorizer_source_arn(partition: str, region: str, account: str, api_id: str, authorizer_id: str) -> str:
    """The SourceArn API Gateway presents when it invokes an authorizer's function."""
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer_id}"


def lambda_authorizer_facts(*, api: dict[str, Any], authorizer_id: str, partition: str, uri: str | None,
                            credentials: str | None, headers: list[str], ttl: Any, kind: str,
                            functions: dict[str, Any], roles: dict[str, Any]) -> dict[str, Any]:
    """Function status (found, missing, foreign, unreadable, malformed), invoke decision and identity-source facts.

    `api` is the API's fact base (account, region, api_id)."""
    account = str(api["account"])
    source_arn = authorizer_source_arn(partition, str(api["region"]), account, str(api["api_id"]), authorizer_id)
    arn = function_arn_of(uri)
    function = (functions.get(arn) or {}) if arn else {}
    status = function.get("status") if arn else "malformed"
    decision: Decision | None = None
    if status == "found" and credentials:
        decision = role_decision(roles.get(credentials) or {}, credentials, str(arn))
    elif status == "found":
        decision = function_decision(function, str(arn), APIGATEWAY_PRINCIPAL, source_arn, account)
    other_headers = [header for header in headers if header.lower() not in _CREDENTIAL_HEADERS]
    caching = isinstance(ttl, int) and ttl > 0 if ttl is not None else kind == "TOKEN"  # REST default TTL is 300
    return {
        "function_arn": arn or uri,
        "function_status": status,
        "function_unknown": function_unknown(arn, function) if arn else None,
        "credentials_role": credentials,
        "credentials_role_name": credentials.rsplit("/", 1)[-1] if credentials else None,
        "invoke": decision.outcome if decision else None,
        "invoke_reason": decision.reason if decision else None,
        "source_arn": source_arn,
        "identity_headers": headers,
        "caching": caching,
        "identity_problem": _identity_problem(kind, headers, other_headers, caching),
    }


def role_decision(role: dict[str, Any], role_arn: str, function_arn: str) -> Decision:
    """With authorizerCredentials, API Gateway assumes the role: its trust and permissions decide."""
    status = role.get("status")
    if status == "missing":
        return Decision("denied", f"the authorizer's role {role_arn} does not exist")
    if status != "found":
        return Decision("unknown", f"the role {role_arn} could not be read: {role.get('message') or status}")
    trust = trusts(role.get("trust"), APIGATEWAY_PRINCIPAL)
    if trust.outcome != "allowed":
        return Decision(trust.outcome, f"role {role_arn}: {trust.reason}")
    permission = allows(role.get("policies") or [], INVOKE_ACTION, function_arn)
    if permission.outcome == "denied" and role.get("message"):
        return Decision("unknown", f"role {role_arn}: {role['message']}")
    return Decision(permission.outcome, f"role {role_arn}: {permission.reason}")


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
