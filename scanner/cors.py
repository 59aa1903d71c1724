"""What a REST API answers a browser's CORS preflight: the Access-Control-Allow-Origin its OPTIONS methods send, and
whether it answers CORS at all (its gateway responses too); which ANY methods a preflight reaches."""

from __future__ import annotations

from typing import Any

ORIGIN_HEADER = "method.response.header.Access-Control-Allow-Origin"
# The header as gateway responses (UNAUTHORIZED, DEFAULT_4XX, …) declare it.
GATEWAY_ORIGIN_HEADER = "gatewayresponse.header.Access-Control-Allow-Origin"


def cors_origin(resources: list[dict[str, Any]]) -> str | None:
    """The Access-Control-Allow-Origin value an API's OPTIONS methods answer (None: the API does not answer CORS).

    An OPTIONS method answers CORS when its method responses declare the header (the declaration's value only says
    whether it is required) or its integration responses map it; the first mapped value is the origin (a quoted
    static value such as `'https://app.example.com'`), `'*'` when none is mapped."""
    answers = False
    for resource in resources:
        options = (resource.get("methods") or {}).get("OPTIONS") or {}
        if any(ORIGIN_HEADER in ((response or {}).get("responseParameters") or {})
               for response in (options.get("methodResponses") or {}).values()):
            answers = True
        for response in ((options.get("methodIntegration") or {}).get("integrationResponses") or {}).values():
            value = ((response or {}).get("responseParameters") or {}).get(ORIGIN_HEADER)
            if value:
                return str(value)
    return "'*'" if answers else None


def gateway_cors_origin(responses: list[dict[str, Any]]) -> str | None:
    """The Access-Control-Allow-Origin the API's gateway responses (UNAUTHORIZED, DEFAULT_4XX, …) add, if any does."""
    for response in responses:
        value = ((response or {}).get("responseParameters") or {}).get(GATEWAY_ORIGIN_HEADER)
        if value:
            return str(value)
    return None


def preflight_catchers(resources: list[dict[str, Any]]) -> list[str]:
    """The paths whose ANY method requires authorization while the resource has no OPTIONS method: a browser's
    preflight (OPTIONS, sent without a token) reaches that ANY method and gets 401 or 403."""
    return [str(resource.get("path")) for resource in resources
            if "ANY" in (methods := resource.get("methods") or {}) and "OPTIONS" not in methods
            and (methods["ANY"] or {}).get("authorizationType") not in (None, "NONE")]
