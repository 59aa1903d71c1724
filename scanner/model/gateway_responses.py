"""Which of a CORS-answering REST API's gateway responses (401, 403, 429, 500 …) lack Access-Control-Allow-Origin."""

from __future__ import annotations

import json
from typing import Any

from ..cors import GATEWAY_ORIGIN_HEADER, cors_origin
from ..schema.facts import ApiFacts

# The gateway responses a request refused before its integration can get, with the class whose DEFAULT_ response a
# type inherits while it is not customized (AWS docs, "Gateway response types"). Order: how often callers meet them.
REFUSALS = {
    "UNAUTHORIZED": "DEFAULT_4XX", "ACCESS_DENIED": "DEFAULT_4XX", "MISSING_AUTHENTICATION_TOKEN": "DEFAULT_4XX",
    "EXPIRED_TOKEN": "DEFAULT_4XX", "INVALID_SIGNATURE": "DEFAULT_4XX", "INVALID_API_KEY": "DEFAULT_4XX",
    "THROTTLED": "DEFAULT_4XX", "QUOTA_EXCEEDED": "DEFAULT_4XX", "WAF_FILTERED": "DEFAULT_4XX",
    "AUTHORIZER_FAILURE": "DEFAULT_5XX", "AUTHORIZER_CONFIGURATION_ERROR": "DEFAULT_5XX",
    "DEFAULT_4XX": "DEFAULT_4XX", "DEFAULT_5XX": "DEFAULT_5XX",
}


def add_gateway_response_facts(record: ApiFacts, api: dict[str, Any]) -> None:
    """Fills the API's CORS facts: the origin its OPTIONS methods answer, and the gateway responses without it."""
    resources = api.get("resources")
    origin = cors_origin(resources) if resources is not None else None
    record.cors_origin = origin
    if origin is None:
        return
    responses = api.get("gateway_responses")
    if responses is None:
        record.gateway_responses_unknown = ("the API's gateway responses could not be read (apigateway:GET, "
                                            "GetGatewayResponses)")
        return
    by_type = {str(response.get("responseType")): response for response in responses}

    def customized(response_type: str) -> bool:
        response = by_type.get(response_type)
        return response is not None and response.get("defaultResponse") is not True

    def answers_origin(response_type: str) -> bool:
        # A type still at AWS's default answers what its class's DEFAULT_4XX/5XX answers (customized or not).
        source = response_type if customized(response_type) else REFUSALS[response_type]
        parameters = (by_type.get(source) or {}).get("responseParameters") or {} if customized(source) else {}
        return GATEWAY_ORIGIN_HEADER in parameters
    missing = [response_type for response_type in REFUSALS if not answers_origin(response_type)]
    record.gateway_responses_without_cors = missing
    # The fix: each customized response that lacks the header gets it; the others inherit it from their class.
    to_fix = sorted({t if customized(t) else REFUSALS[t] for t in missing})
    record.cors_responses_to_patch = [t for t in to_fix if customized(t)]
    record.cors_responses_to_put = [t for t in to_fix if not customized(t)]
    record.cors_response_parameters = json.dumps({GATEWAY_ORIGIN_HEADER: origin}, separators=(",", ":"))
    record.cors_header_patch = json.dumps([{"op": "add", "path": f"/responseParameters/{GATEWAY_ORIGIN_HEADER}",
                                            "value": origin}], separators=(",", ":"))
