"""Which CloudFront cache behaviours reach a method, and whether they strip its credentials or forward Host.

CloudFront matches a viewer path against the cache behaviours in order (then the default one) and sends the
request to that behaviour's origin; the origin path is prefixed. It forwards a viewer header only when the cache
policy puts it in the cache key, the origin request policy includes it, or the legacy settings list it — except
Authorization, which it removes from GET and HEAD requests only (KC "cloudfront-authorization-header"; CloudFront
docs "HTTP status code 401" and "How origin request policies and cache policies work together").
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from ..arns import parse_execute_api_host
from ..schema.facts import CloudFrontRoute

ALWAYS_FORWARDS_AUTHORIZATION = ("POST", "PUT", "PATCH", "DELETE")
# Managed origin request policies are known by name: what AWS documents each forwards ("Use managed origin
# request policies") decides, whatever shape their configuration takes in an API answer.
MANAGED_REQUEST_POLICIES = {
    "Managed-AllViewer": ("allViewer", []),
    "Managed-AllViewerExceptHostHeader": ("allExcept", ["host"]),
    "Managed-AllViewerAndCloudFrontHeaders-2022-06": ("allViewerAndWhitelistCloudFront", []),
}
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Entrance:
    """An origin of a distribution that sends requests to one API: its execute-api host, or a custom domain."""

    distribution: dict[str, Any]
    origin: dict[str, Any]
    stage: str | None  # the stage a custom domain's route names; None: the first path segment says it
    base_path: str  # the custom domain route's base path ('' for the root, and for execute-api origins)
    execute_api: bool


class CloudFrontView:
    """The account's distributions, read once, as entrances per API."""

    def __init__(self, cloudfront: dict[str, Any] | None, domains: dict[str, Any]) -> None:
        self.unknown = _unknown(cloudfront)
        self.cloudfront = cloudfront or {}
        self.entrances: dict[tuple[str, str], list[Entrance]] = {}
        routes_by_domain = {str(domain.get("DomainName")).lower(): (region, domain)
                            for region, part in domains.items() for domain in part.get("names") or []}
        for distribution in self.cloudfront.get("distributions") or []:
            for origin in distribution.get("Origins") or []:
                host = str(origin.get("DomainName") or "").lower()
                parsed = parse_execute_api_host(host)
                if parsed:
                    api_id, region = parsed
                    self.entrances.setdefault((region, api_id), []).append(
                        Entrance(distribution, origin, None, "", True))
                elif host in routes_by_domain:
                    region, domain = routes_by_domain[host]
                    for route in (domain.get("mappings") or []) + (domain.get("rules") or []):
                        self.entrances.setdefault((region, str(route.get("ApiId"))), []).append(
                            Entrance(distribution, origin, route.get("Stage"), str(route.get("ApiMappingKey") or ""),
                                     False))

    def routes(self, region: str, api_id: str, api_type: str, path: str, verb: str, stages: list[str],
               credential_headers: list[str], authorization: str) -> list[CloudFrontRoute]:
        """The behaviours whose requests reach the method (VERB path, of that authorization type) on one of its
        stages."""
        found = []
        for entrance in self.entrances.get((region, api_id), []):
            for stage in [entrance.stage] if entrance.stage else stages:
                viewer = _viewer_path(entrance, api_type, stage, path)
                behaviour = _behaviour_for(entrance.distribution, viewer) if viewer is not None else None
                if behaviour is None or behaviour.get("TargetOriginId") != entrance.origin.get("Id"):
                    continue  # that path goes to another origin
                found.append(self._judge(entrance, behaviour, stage, verb, credential_headers, authorization))
        unique = {(r.distribution_id, r.behaviour, r.origin, r.stage): r for r in found}
        return list(unique.values())

    def _judge(self, entrance: Entrance, behaviour: dict[str, Any], stage: str | None, verb: str,
               credential_headers: list[str], authorization: str) -> CloudFrontRoute:
        cache = self.cloudfront.get("cache_policies") or {}
        requests = self.cloudfront.get("origin_request_policies") or {}
        cache_id, request_id = behaviour.get("CachePolicyId"), behaviour.get("OriginRequestPolicyId")
        unread = []
        if cache_id and cache_id not in cache:
            unread.append(f"cache policy {cache_id} (cloudfront:GetCachePolicy)")
        if request_id and request_id not in requests:
            unread.append(f"origin request policy {request_id} (cloudfront:GetOriginRequestPolicy)")
        distribution_id, domain = str(entrance.distribution.get("Id")), entrance.distribution.get("DomainName")
        route = CloudFrontRoute(
            distribution_id=distribution_id, distribution_domain=domain,
            distribution=f"{distribution_id} ({domain})" if domain else distribution_id,
            path_pattern=behaviour.get("PathPattern"), behaviour=behaviour.get("PathPattern") or "default",
            origin=str(entrance.origin.get("DomainName")), stage=stage, dropped_headers=None, host_forwarded=None,
            cache_policy=_policy_name(cache, cache_id) if cache_id else "legacy cache settings",
            origin_request_policy=_policy_name(requests, request_id) if request_id else None,
            credential_dropped_on=None, api_key_dropped=None, problem=None,
            unknown_reason=f"{' and '.join(unread)} could not be read" if unread else None)
        if unread:
            return route

        added = {str(name).lower() for name in entrance.origin.get("CustomHeaders") or []}

        def forwards(header: str) -> bool:
            return header.lower() in added or _forwards(behaviour, cache.get(cache_id or ""),
                                                        requests.get(request_id or ""), header)
        route.dropped_headers = [] if verb == "OPTIONS" else [
            header for header in credential_headers if not forwards(header)
            and not (header.lower() == "authorization" and verb in ALWAYS_FORWARDS_AUTHORIZATION)]
        if route.dropped_headers and behaviour.get("RequestFunctions"):
            # A Lambda@Edge function or CloudFront Function on the request may add the header itself.
            route.unknown_reason = (f"function {behaviour['RequestFunctions'][0]} runs on the behaviour's requests "
                                    f"and may add {', '.join(route.dropped_headers)}")
            route.dropped_headers = None
            return route
        route.host_forwarded = entrance.execute_api and forwards("Host")
        credentials = [header for header in route.dropped_headers if header.lower() != "x-api-key"]
        route.api_key_dropped = len(credentials) < len(route.dropped_headers)
        route.credential_dropped_on = None if not credentials else "GET and HEAD" if verb == "ANY" and [
            header.lower() for header in credentials] == ["authorization"] else "every request"
        problems = []
        if route.dropped_headers:
            reads = " on GET and HEAD requests" if [h.lower() for h in route.dropped_headers] == ["authorization"] \
                else ""
            # No token or identity source: 401 before the authorizer runs; an IAM method unsigned, or no API key: 403.
            answer = "403 (Missing Authentication Token)" if credentials and authorization == "AWS_IAM" else \
                "401" if credentials else "403 (no API key)"
            requests = f"origin request policy {route.origin_request_policy}" if route.origin_request_policy else \
                "no origin request policy"
            problems.append(f"it does not forward {', '.join(route.dropped_headers)}{reads} (cache policy "
                            f"{route.cache_policy}, {requests}): API Gateway answers {answer}")
        if route.host_forwarded:
            problems.append(f"it forwards the viewer's Host header to the execute-api origin (origin request policy "
                            f"{route.origin_request_policy or route.cache_policy}): API Gateway answers every "
                            "request with 403")
        route.problem = "; ".join(problems) or None
        return route


def _unknown(cloudfront: dict[str, Any] | None) -> str | None:
    if cloudfront is None:
        return "CloudFront was not read (a snapshot of an earlier apigw-scan): the distributions in front of the API " \
               "are unknown"
    if cloudfront.get("distributions") is None:
        return "CloudFront's distributions could not be listed (cloudfront:ListDistributions)"
    return None


def _viewer_path(entrance: Entrance, api_type: str, stage: str | None, path: str) -> str | None:
    """The path a viewer requests for the method on `stage` through this origin; None when none can reach it."""
    resource = "/x" if path == "$default" else _PATH_PARAMETER.sub("x", path)
    if entrance.execute_api:
        full = resource if api_type == "HTTP" and stage == "$default" else f"/{stage}{resource}"
    else:
        full = (f"/{entrance.base_path}" if entrance.base_path else "") + resource
    origin_path = str(entrance.origin.get("OriginPath") or "").rstrip("/")
    if origin_path and not (full == origin_path or full.startswith(origin_path + "/")):
        return None
    return full[len(origin_path):] or "/"


def _behaviour_for(distribution: dict[str, Any], viewer_path: str) -> dict[str, Any] | None:
    behaviour: dict[str, Any]
    for behaviour in distribution.get("behaviours") or []:
        pattern = behaviour.get("PathPattern")
        if pattern is None:
            return behaviour  # the default behaviour comes last
        pattern = pattern if pattern.startswith("/") else "/" + pattern
        if fnmatch.fnmatchcase(viewer_path, pattern):
            return behaviour
    return None


def _forwards(behaviour: dict[str, Any], cache_policy: dict[str, Any] | None,
              request_policy: dict[str, Any] | None, header: str) -> bool:
    name = header.lower()
    legacy = behaviour.get("ForwardedHeaders")
    if not behaviour.get("CachePolicyId"):
        return any(h == "*" or h.lower() == name for h in legacy or [])
    if cache_policy and cache_policy.get("HeaderBehavior") == "whitelist" and \
            name in {h.lower() for h in cache_policy.get("Headers") or []}:
        return True  # every header of the cache key goes to the origin
    if not request_policy:
        return False
    behavior, headers = MANAGED_REQUEST_POLICIES.get(str(request_policy.get("Name")), (
        request_policy.get("HeaderBehavior"), request_policy.get("Headers") or []))
    listed = {h.lower() for h in headers}
    return {"whitelist": name in listed, "allViewer": True, "allViewerAndWhitelistCloudFront": True,
            "allExcept": name not in listed}.get(str(behavior), False)


def _policy_name(policies: dict[str, Any], policy_id: str) -> str:
    return str((policies.get(policy_id) or {}).get("Name") or policy_id)
