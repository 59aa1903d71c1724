"""The method a token is meant for, as the chosen stage serves it: authorizer, pools, scopes, policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..model.policy_facts import DECISION_ORDER


@dataclass
class TokenTarget:
    method: dict[str, Any]  # the method's report row (contract fields)
    stage: str | None
    authorization: str
    scopes: list[str]
    authorizer_id: str | None
    identity_header: str | None
    validation_expression: str | None
    pools: list[dict[str, Any]] = field(default_factory=list)  # {pool_id, arn, issuer, status, client_ids}
    policy: dict[str, Any] | None = None  # {decision, conditions, statements, reason}
    not_deployed: str | None = None
    # JWT authorizers: {issuer, audiences, pool_id, additional_claims} they trust, and the algorithms they accept
    # (None: not read).
    jwt_issuers: list[dict[str, Any]] | None = None
    jwt_algorithms: list[str] | None = None
    unread: str | None = None  # what of the method's authorizer could not be read: the verdict cannot be accepted

    @property
    def authorizer_unknown(self) -> str | None:
        """Why the checks cannot know what the authorizer accepts (then the verdict is at best undecided)."""
        if self.unread:
            return self.unread
        if (self.authorization == "COGNITO_USER_POOLS" and not self.pools) or \
                (self.authorization == "JWT" and not self.jwt_issuers):
            return "the method's authorizer names no user pool or issuer the scanner could read"
        return None


def find_target(facts: dict[str, list[dict[str, Any]]], snapshot: dict[str, Any], row_of: Any, api: str, path: str,
                verb: str, stage: str | None) -> TokenTarget:
    """The method `verb path` of API `api` (name or ID); a usage error listing the API's methods if absent."""
    methods = [m for m in facts["method"] if api in (m["api_id"], m["api_name"])]
    if not methods:
        raise UsageError(f"--api {api}: no such API was found")
    wanted = [m for m in methods if m["path"] == path and m["method"] == verb.upper()]
    if not wanted:
        listing = ", ".join(f"{m['method']} {m['path']}" for m in methods)
        raise UsageError(f"{verb.upper()} {path} is not a method of API {api} (its methods: {listing})")
    method = wanted[0]
    authorizer = next((a for a in facts["authorizer"] if a["api_id"] == method["api_id"]
                       and a["authorizer_id"] == method["authorizer_id"]), {})
    return make_target(method, authorizer, clients_by_pool(snapshot), row_of(method), stage)


def clients_by_pool(snapshot: dict[str, Any]) -> dict[str, list[str] | None]:
    """Each read pool's app-client IDs by pool ARN (None when they could not be listed)."""
    return {pool.get("arn"): [c.get("ClientId") for c in pool.get("clients") or []]
            if pool.get("clients") is not None else None for pool in snapshot.get("user_pools") or []}


def make_target(method: dict[str, Any], authorizer: dict[str, Any], clients_by_arn: dict[str, list[str] | None],
                row: dict[str, Any], stage: str | None) -> TokenTarget:
    """The method (a fact record) as `stage` serves it, with its authorizer's record: what a token meets."""
    target = TokenTarget(
        method=row, stage=stage, authorization=method["authorization"], scopes=list(method["scopes"]),
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
    if stage is not None:
        _apply_stage(target, method, stage)
    else:
        target.policy = _worst_policy(method)
    return target


def _apply_stage(target: TokenTarget, method: dict[str, Any], stage: str) -> None:
    """What the stage serves wins over the live configuration: that is what the request meets."""
    if method["api_type"] == "HTTP":
        if method["stages"] is not None and stage not in method["stages"]:
            target.not_deployed = f"stage {stage} does not serve {method['route_key']} (no deployment, no auto-deploy)"
        return
    entry = next((e for e in method["stage_comparison"] if e["stage"] == stage), None)
    if entry is None:
        raise UsageError(f"--stage {stage}: API {method['api_name']} has no such stage "
                         f"(stages: {', '.join(e['stage'] for e in method['stage_comparison']) or 'none'})")
    if entry.get("served") is False and entry.get("unknown_reason") is None:
        target.not_deployed = (entry["differences"] or [f"{method['method']} {method['path']} is not deployed"])[0]
    elif entry.get("served") and entry.get("unknown_reason") and not target.unread:
        target.unread = entry["unknown_reason"]  # what the stage requires beyond the authorization type is unknown
    deployed = entry.get("deployed") or {}
    if "authorization" in deployed:
        target.authorization = deployed["authorization"]
    if "scopes" in deployed:
        target.scopes = list(deployed["scopes"])
    target.policy = next((p for p in method.get("policy_by_stage") or [] if p["stage"] == stage), None)


def _worst_policy(method: dict[str, Any]) -> dict[str, Any] | None:
    entries = method.get("policy_by_stage") or []
    return min(entries, key=lambda e: DECISION_ORDER.index(e["decision"])) if entries else None
