"""Collects the account's CloudFront distributions that send requests to its APIs, and the policies they use."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ..arns import parse_execute_api_host
from .calls import Outcome
from .reader import Reader
from .reads import resolved

# CloudFront is global: one endpoint per partition. GovCloud has none.
PARTITIONS_WITH_CLOUDFRONT = ("aws", "aws-cn")


def list_distributions(reader: Reader) -> Future[Outcome]:
    """Every distribution of the account (read once, as soon as the account is known to have an API)."""
    return reader.paginate("cloudfront", "list_distributions", "DistributionList.Items")


def read_cloudfront(reader: Reader, listed: Outcome, api_ids: set[str], domain_names: set[str]) -> Future[
        dict[str, Any]]:
    """Distributions with an origin at one of `api_ids` (its execute-api host) or at one of the custom
    `domain_names`, each behaviour flattened, and every cache and origin request policy they name (read once per
    policy, however many behaviours share it; AWS-managed ones too, which carry their Managed-… name; side by
    side)."""
    if not listed.ok:
        return resolved({"distributions": None, "cache_policies": {}, "origin_request_policies": {}})
    distributions = []
    for summary in listed.data:
        origins = [_origin(origin) for origin in _items(summary.get("Origins"))]
        if any(_reaches(origin["DomainName"], api_ids, domain_names) for origin in origins):
            distributions.append(_distribution(summary, origins))
    cache_ids = sorted({b["CachePolicyId"] for d in distributions for b in d["behaviours"] if b.get("CachePolicyId")})
    request_ids = sorted({b["OriginRequestPolicyId"] for d in distributions for b in d["behaviours"]
                          if b.get("OriginRequestPolicyId")})
    cache_reads = [reader.call("cloudfront", "get_cache_policy", subject=f"cache-policy/{policy_id}", Id=policy_id)
                   for policy_id in cache_ids]
    request_reads = [reader.call("cloudfront", "get_origin_request_policy",
                                 subject=f"origin-request-policy/{policy_id}", Id=policy_id)
                     for policy_id in request_ids]

    def policies(*got: Outcome) -> dict[str, Any]:
        cache_policies: dict[str, Any] = {}
        for policy_id, found in zip(cache_ids, got[:len(cache_ids)], strict=True):
            if found.ok:
                config = (found.data.get("CachePolicy") or {}).get("CachePolicyConfig") or {}
                headers = (config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}).get("HeadersConfig") or {}
                cache_policies[policy_id] = {"Name": config.get("Name"),
                                             "HeaderBehavior": headers.get("HeaderBehavior"),
                                             "Headers": _items(headers.get("Headers")),
                                             "MaxTTL": config.get("MaxTTL"), "DefaultTTL": config.get("DefaultTTL")}
        request_policies: dict[str, Any] = {}
        for policy_id, found in zip(request_ids, got[len(cache_ids):], strict=True):
            if found.ok:
                config = (found.data.get("OriginRequestPolicy") or {}).get("OriginRequestPolicyConfig") or {}
                headers = config.get("HeadersConfig") or {}
                request_policies[policy_id] = {"Name": config.get("Name"),
                                               "HeaderBehavior": headers.get("HeaderBehavior"),
                                               "Headers": _items(headers.get("Headers"))}
        return {"distributions": distributions, "cache_policies": cache_policies,
                "origin_request_policies": request_policies}

    return reader.reads.then(cache_reads + request_reads, policies)


def _reaches(host: str, api_ids: set[str], domain_names: set[str]) -> bool:
    parsed = parse_execute_api_host(host)
    return (parsed is not None and parsed[0] in api_ids) or host.lower() in domain_names


def _items(wrapper: Any) -> list[Any]:
    """CloudFront's lists come as {Quantity, Items}."""
    return list((wrapper or {}).get("Items") or []) if isinstance(wrapper, dict) else []


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    return {"Id": origin.get("Id"), "DomainName": str(origin.get("DomainName") or "").lower(),
            "OriginPath": origin.get("OriginPath") or "",
            "CustomHeaders": [str(item.get("HeaderName")) for item in _items(origin.get("CustomHeaders"))
                              if isinstance(item, dict) and item.get("HeaderName")]}


def _behaviour(behaviour: dict[str, Any], path_pattern: str | None) -> dict[str, Any]:
    forwarded = behaviour.get("ForwardedValues")
    return {
        "PathPattern": path_pattern, "TargetOriginId": behaviour.get("TargetOriginId"),
        "CachePolicyId": behaviour.get("CachePolicyId") or None,
        "OriginRequestPolicyId": behaviour.get("OriginRequestPolicyId") or None,
        # Legacy cache settings: the headers forwarded (and cached on); null when the behaviour uses policies.
        "ForwardedHeaders": _items(forwarded.get("Headers")) if isinstance(forwarded, dict) and
        not behaviour.get("CachePolicyId") else None,
        "AllowedMethods": _items(behaviour.get("AllowedMethods")),
        "RequestFunctions": [str(item.get("LambdaFunctionARN") or item.get("FunctionARN"))
                             for key in ("LambdaFunctionAssociations", "FunctionAssociations")
                             for item in _items(behaviour.get(key)) if isinstance(item, dict)
                             and item.get("EventType") in ("viewer-request", "origin-request")],
    }


def _distribution(summary: dict[str, Any], origins: list[dict[str, Any]]) -> dict[str, Any]:
    # CloudFront matches the cache behaviours in order, then the default one.
    behaviours = [_behaviour(b, str(b.get("PathPattern"))) for b in _items(summary.get("CacheBehaviors"))]
    behaviours.append(_behaviour(summary.get("DefaultCacheBehavior") or {}, None))
    return {"Id": summary.get("Id"), "DomainName": summary.get("DomainName"),
            "Aliases": _items(summary.get("Aliases")), "Enabled": summary.get("Enabled"),
            "Origins": origins, "behaviours": behaviours}
