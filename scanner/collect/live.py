"""`token --live`: asks API Gateway's own authorizer test (TestInvokeAuthorizer), the one call not a plain read."""

from __future__ import annotations

from typing import Any

from .calls import CallLog
from .session import Clients


def test_invoke_authorizer(clients: Clients, log: CallLog, region: str, api_id: str, authorizer_id: str,
                           header: str, token: str) -> dict[str, Any]:
    """API Gateway's answer for the token: clientStatus, latency and the claims it saw (never the token)."""
    outcome = log.call(clients.get("apigateway", region), "test_invoke_authorizer", region=region,
                       subject=f"restapi/{api_id}/authorizer/{authorizer_id}", restApiId=api_id,
                       authorizerId=authorizer_id, headers={header: token})
    if not outcome.ok:
        return {"status": outcome.status, "message": outcome.message.replace(token, "<token>")}
    answer = outcome.data
    return {"status": "ok", "client_status": answer.get("clientStatus"), "latency_ms": answer.get("latency"),
            "claims": answer.get("claims") or {}, "principal_id": answer.get("principalId")}
