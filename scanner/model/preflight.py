"""Which REST methods take browsers' CORS preflights (OPTIONS, or ANY on a resource without OPTIONS), and whether the
API answers CORS at all: OPTIONS methods that return Access-Control-Allow-Origin (SAM's Cors writes those into the
definition), or gateway responses that add it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..cors import ORIGIN_HEADER, cors_origin, gateway_cors_origin
from ..schema.facts import MethodFacts

ALLOWED_HEADERS = "'Authorization,Content-Type,X-Api-Key,X-Amz-Date,X-Amz-Security-Token'"


@dataclass(frozen=True)
class ApiCors:
    """Whether a REST API answers CORS, where, and with which origin; `unknown`: why it cannot be told."""

    answers: bool
    where: str
    origin: str
    unknown: str | None
    options_paths: frozenset[str]


def api_cors(api: dict[str, Any]) -> ApiCors:
    resources = api.get("resources") or []
    options_paths = frozenset(str(r.get("path")) for r in resources if "OPTIONS" in (r.get("methods") or {}))
    from_options = cors_origin(resources)
    if from_options is not None:
        return ApiCors(True, "OPTIONS methods on other resources answer it", from_options, None, options_paths)
    responses = api.get("gateway_responses")
    from_responses = gateway_cors_origin(responses) if isinstance(responses, list) else None
    if from_responses is not None:
        return ApiCors(True, "its gateway responses add Access-Control-Allow-Origin", from_responses, None,
                       options_paths)
    unknown = ("its gateway responses could not be read (apigateway:GET, GetGatewayResponses): whether it answers "
               "CORS in them is unknown") if "gateway_responses" in api and responses is None else None
    return ApiCors(False, "", "'*'", unknown, options_paths)


def add_preflight_facts(record: MethodFacts, cors: ApiCors) -> None:
    """Where browsers' preflights for the method's path end: at an OPTIONS method, or at ANY when the resource has
    no OPTIONS method (API Gateway matches OPTIONS requests to ANY); and what the API answers CORS with."""
    record.api_cors = cors.answers
    record.api_cors_unknown = cors.unknown
    if record.method == "OPTIONS":
        record.catches_preflight = True
        record.preflight_reason = "it is the resource's OPTIONS method"
    elif record.method == "ANY" and record.path not in cors.options_paths:
        record.catches_preflight = True
        record.preflight_reason = ("the resource has no OPTIONS method, so OPTIONS requests reach ANY, and the API "
                                   f"answers CORS elsewhere ({cors.where})")
    else:
        record.catches_preflight = False
    record.preflight_response_parameters = json.dumps({
        ORIGIN_HEADER: cors.origin, "method.response.header.Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'"},
        separators=(",", ":"))
