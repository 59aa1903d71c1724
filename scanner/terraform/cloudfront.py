"""CloudFront distributions the configuration writes, with the cache and origin request policies they name (its
own, and AWS's managed ones), in the shape the CloudFront collector records: APIGW020 judges them unchanged."""

from __future__ import annotations

from typing import Any

from ..arns import unresolved_reason
from .cloudfront_managed import MANAGED_CACHE_POLICIES, MANAGED_REQUEST_POLICIES
from .shapes import Written


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and not unresolved_reason(value) else None


def _headers(config: dict[str, Any]) -> dict[str, Any]:
    headers = (config.get("headers") or [{}])[0] if isinstance(config.get("headers"), list) else {}
    return {"HeaderBehavior": config.get("header_behavior"),
            "Headers": list((headers or {}).get("items") or [])}


def _first(value: Any) -> dict[str, Any]:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _behaviour(block: dict[str, Any], pattern: str | None) -> dict[str, Any]:
    forwarded = _first(block.get("forwarded_values"))
    return {"PathPattern": pattern, "TargetOriginId": block.get("target_origin_id"),
            "CachePolicyId": _text(block.get("cache_policy_id")),
            "OriginRequestPolicyId": _text(block.get("origin_request_policy_id")),
            "ForwardedHeaders": list(forwarded.get("headers") or []) if forwarded and not block.get(
                "cache_policy_id") else None,
            "AllowedMethods": list(block.get("allowed_methods") or []),
            "RequestFunctions": [str(association.get("lambda_arn") or association.get("function_arn"))
                                 for key in ("lambda_function_association", "function_association")
                                 for association in block.get(key) or [] if isinstance(association, dict)
                                 and association.get("event_type") in ("viewer-request", "origin-request")]}


def _behaviours(distribution: dict[str, Any]) -> list[dict[str, Any]]:
    return list(distribution["behaviours"])


def cloudfront(items: list[Written]) -> dict[str, Any]:
    distributions: list[dict[str, Any]] = []
    cache_policies: dict[str, Any] = {}
    request_policies: dict[str, Any] = {}
    for item in items:
        if item.type == "aws_cloudfront_distribution":
            origins = [{"Id": origin.get("origin_id"), "DomainName": str(origin.get("domain_name") or "").lower(),
                        "OriginPath": _text(origin.get("origin_path")) or "",
                        "CustomHeaders": [str(header.get("name")) for header in origin.get("custom_header") or []
                                          if isinstance(header, dict) and header.get("name")]}
                       for origin in item.blocks("origin")]
            behaviours = [_behaviour(block, block.get("path_pattern"))
                          for block in item.blocks("ordered_cache_behavior")]
            behaviours.append(_behaviour(item.block("default_cache_behavior"), None))
            distributions.append({"Id": item.logical, "DomainName": None, "Aliases": item.get("aliases") or [],
                                  "Enabled": item.get("enabled") is not False, "Origins": origins,
                                  "behaviours": behaviours})
        elif item.type == "aws_cloudfront_cache_policy":
            parameters = item.block("parameters_in_cache_key_and_forwarded_to_origin")
            headers = _headers(_first(parameters.get("headers_config")))
            cache_policies[item.logical] = {"Name": item.get("name"), **headers, "MaxTTL": item.get("max_ttl"),
                                            "DefaultTTL": item.get("default_ttl")}
        elif item.type == "aws_cloudfront_origin_request_policy":
            request_policies[item.logical] = {"Name": item.get("name"), **_headers(item.block("headers_config"))}
    named = {behaviour.get(key) for distribution in distributions for behaviour in _behaviours(distribution)
             for key in ("CachePolicyId", "OriginRequestPolicyId")}
    cache_policies.update({key: value for key, value in MANAGED_CACHE_POLICIES.items() if key in named})
    request_policies.update({key: value for key, value in MANAGED_REQUEST_POLICIES.items() if key in named})
    return {"distributions": distributions, "cache_policies": cache_policies,
            "origin_request_policies": request_policies}
