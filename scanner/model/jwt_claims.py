"""What a REST API JWT authorizer's additional claim rules ask of one issuer's tokens, and whether a Cognito pool's
tokens can meet them (apigateway model, JwtAdditionalClaim: "When true, the token must contain the claim"; "When a
value is specified, the claim must match it exactly, and the match is case-sensitive")."""

from __future__ import annotations

from typing import Any

from ..schema.facts import ClaimRule, JwtIssuer
from .lookups import PoolView

# Claims every Cognito ID and access token carries ("Understanding the ID token", "Understanding the access token").
ALWAYS_CARRIED = frozenset({"sub", "iss", "token_use", "auth_time", "exp", "iat", "jti", "origin_jti"})


def claim_rules(raw: Any) -> list[ClaimRule]:
    """The rules as AWS returns them (additionalClaims), unreadable entries left out."""
    rules = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("claimName"), str):
            rules.append(ClaimRule(name=entry["claimName"], required=bool(entry.get("required")),
                                   expected_values=[str(v) for v in entry.get("expectedValues") or []
                                                    if isinstance(v, str)],
                                   format=entry.get("format") if isinstance(entry.get("format"), str) else None))
    return rules


def judge_claims(item: JwtIssuer, view: PoolView | None) -> None:
    """Fills claims_problem (no token of the Cognito pool can meet the rules) and claims_unknown (whether they do
    depends on what configuration does not show: user attributes, a pre-token-generation trigger)."""
    if not item.cognito or not item.additional_claims:
        return
    problems, unknown = [], []
    for rule in item.additional_claims:
        expected = set(rule.expected_values)
        if rule.name == "token_use" and expected and not expected & {"id", "access"}:
            problems.append(f"claim token_use must be one of [{', '.join(sorted(expected))}], but Cognito tokens "
                            "carry id or access")
        elif rule.name == "client_id" and rule.required and expected and view is not None \
                and view.client_ids is not None and not expected & set(view.client_ids):
            problems.append(f"claim client_id must be one of [{', '.join(sorted(expected))}], none of which is an "
                            f"app client of pool {view.pool_id} (and ID tokens carry no client_id)")
        elif rule.name == "token_use" or (rule.name in ALWAYS_CARRIED and not expected):
            continue  # carried by every token (token_use: id or access, each a token some client gets)
        elif rule.required or expected:
            wanted = f" equal to one of [{', '.join(sorted(expected))}]" if expected else ""
            unknown.append(f"claim {rule.name}{wanted}{' (required)' if rule.required else ''}")
    item.claims_problem = "; ".join(problems) or None
    if unknown and not problems:
        pool = view.pool_id if view is not None else "the pool"
        item.claims_unknown = (f"the authorizer requires {', '.join(unknown)} of {pool}'s tokens: whether they carry "
                               "it (a user attribute, a pre-token-generation trigger) cannot be read from "
                               "configuration")
