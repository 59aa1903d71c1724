"""How a custom domain's routing mode sends requests: by API mappings, by routing rules, or rules then mappings."""

from __future__ import annotations

# apigatewayv2 says API_MAPPING, apigateway says BASE_PATH_MAPPING; a domain without a mode uses mappings only.
RULE_MODES = ("ROUTING_RULE_ONLY", "ROUTING_RULE_THEN_API_MAPPING", "ROUTING_RULE_THEN_BASE_PATH_MAPPING")


def uses_rules(mode: str | None) -> bool:
    return mode in RULE_MODES


def uses_mappings(mode: str | None) -> bool:
    return mode != "ROUTING_RULE_ONLY"
