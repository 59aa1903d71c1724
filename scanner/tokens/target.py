"""What a token meets on a method: the method's record for the stage (what the stage serves), its authorizer, the
pools and issuers it trusts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..schema.facts import SERVED_METHODS


@dataclass
class TokenTarget:
    method: dict[str, Any]  # the method's fact record (what the stage serves)
    stage: str | None
    authorization: str
    scopes: list[str]
    authorizer_id: str | None
    identity_header: str | None
    validation_expression: str | None
    pools: list[dict[str, Any]] = field(default_factory=list)  # {pool_id, arn, issuer, status, client_ids}
    # JWT authorizers: {issuer, audiences, pool_id, additional_claims} they trust, and the algorithms they accept
    # (None: not read).
    jwt_issuers: list[dict[str, Any]] | None = None
    jwt_algorithms: list[str] | None = None
    unread: str | None = None  # what of the method's authorizer could not be read: the verdict cannot be accepted
    through: dict[str, Any] | None = None  # the CloudFront behaviour the token is sent through (cloudfront_routes)
    cloudfront: list[dict[str, Any]] = field(default_factory=list)  # the behaviours that reach the method there

    @property
    def authorizer_unknown(self) -> str | None:
        """Why the checks cannot know what the authorizer accepts (then the verdict is at best undecided)."""
        if self.unread:
            return self.unread
        if (self.authorization == "COGNITO_USER_POOLS" and not self.pools) or \
                (self.authorization == "JWT" and not self.jwt_issuers):
            return "the method's authorizer names no user pool or issuer the scanner could read"
        return None


def find_method(facts: dict[str, list[dict[str, Any]]], api: str, path: str, verb: str,
                stage: str | None) -> dict[str, Any]:
    """The record of method `verb path` of API `api` (name or ID) as `stage` serves it (None: the live API); a usage
    error listing the API's methods, or its stages, when there is no such method or stage."""
    methods = [m for m in facts["method"] if api in (m["api_id"], m["api_name"])]
    if not methods:
        raise UsageError(f"--api {api}: no such API was found")
    wanted = [m for m in methods if m["path"] == path and m["method"] == verb.upper()]
    if not wanted:
        listing = ", ".join(f"{m['method']} {m['path']}" for m in methods)
        raise UsageError(f"{verb.upper()} {path} is not a method of API {api} (its methods: {listing})")
    method = wanted[0]
    if stage is None:
        return method
    if method["api_type"] == "REST" and stage not in method["api_stages"]:
        raise UsageError(f"--stage {stage}: API {method['api_name']} has no such stage "
                         f"(stages: {', '.join(method['api_stages']) or 'none'})")
    served = [record for record in facts.get(SERVED_METHODS, []) if record["serving_stage"] == stage
              and (record["api_id"], record["path"], record["method"]) == (method["api_id"], path, method["method"])]
    return served[0] if served else method


def authorizer_of(facts: dict[str, list[dict[str, Any]]], method: dict[str, Any]) -> dict[str, Any]:
    return next((a for a in facts["authorizer"] if a["api_id"] == method["api_id"]
                 and a["authorizer_id"] == method["authorizer_id"]), {})


def clients_by_pool(snapshot: dict[str, Any]) -> dict[str, list[str] | None]:
    """Each read pool's app-client IDs by pool ARN (None when they could not be listed)."""
    return {pool.get("arn"): [c.get("ClientId") for c in pool.get("clients") or []]
            if pool.get("clients") is not None else None for pool in snapshot.get("user_pools") or []}


def make_target(method: dict[str, Any], authorizer: dict[str, Any], clients_by_arn: dict[str, list[str] | None],
                stage: str | None) -> TokenTarget:
    """What a token meets on a method (its fact record: what the stage serves) behind its authorizer's record."""
    return TokenTarget(
        method=method, stage=stage, authorization=method["authorization"], scopes=list(method["scopes"]),
        authorizer_id=method["authorizer_id"], identity_header=authorizer.get("identity_header"),
        validation_expression=authorizer.get("validation_expression"),
        pools=[{**pool, "client_ids": clients_by_arn.get(pool["arn"])} for pool in method["pools"]
               if stage is None or pool.get("stage") in (None, stage)],
        jwt_issuers=[{"issuer": item["issuer"], "audiences": item["audiences"],
                      "pool_id": (item.get("pool") or {}).get("pool_id"),
                      "additional_claims": item.get("additional_claims") or []}
                     for item in authorizer.get("jwt_issuers") or [] if item.get("issuer")]
        if authorizer.get("type") == "JWT" else None,
        jwt_algorithms=authorizer.get("jwt_algorithms"),
        unread=method.get("unread"),
    )


def cloudfront_route(method: dict[str, Any], distribution: str, stage: str | None) -> dict[str, Any]:
    """The CloudFront behaviour of `distribution` (its ID or domain) that sends the method's requests to `stage`
    (None: the one stage it reaches); a usage error saying which distributions reach the method when it is not
    one of them, and which stages when it reaches several and none was named."""
    if method.get("cloudfront_routes") is None:
        why = method.get("cloudfront_unknown") or "CloudFront was not read"
        raise UsageError(f"--via-cloudfront {distribution}: {why}")
    routes = method["cloudfront_routes"]
    wanted = [route for route in routes if distribution.lower() in (
        str(route["distribution_id"]).lower(), str(route.get("distribution_domain") or "").lower())]
    verb_path = f"{method['method']} {method['path']}"
    if not wanted:
        reaching = sorted({f"{route['distribution_id']} ({route.get('distribution_domain')})" for route in routes})
        raise UsageError(f"--via-cloudfront {distribution}: no such CloudFront distribution sends requests to "
                         f"{verb_path} (" + (f"those that do: {', '.join(reaching)}" if reaching else "none does")
                         + ")")
    stages = sorted({str(route["stage"]) for route in wanted})
    if stage is None and len(stages) > 1:
        raise UsageError(f"--via-cloudfront {distribution} sends requests to {verb_path} on stages "
                         f"{', '.join(stages)}: give --stage")
    on_stage = [route for route in wanted if stage is None or route["stage"] == stage]
    if not on_stage:
        raise UsageError(f"--via-cloudfront {distribution} sends no request to {verb_path} on stage {stage} (it "
                         f"reaches {', '.join(stages)})")
    return min(on_stage, key=lambda route: (str(route["distribution_id"]), str(route["behaviour"])))
