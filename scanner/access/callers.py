"""Who may call a method: no token, an ID or access token of each app client that can get one, a
machine-to-machine token, a Lambda-authorized or IAM-signed caller — the claims each token would carry, and which
of `token`'s checks that token fails on the method (facts the rules' [[refuses]] select callers by)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..model.scopes import ADMIN_SCOPE, API_SIGN_IN_FLOWS, CLIENT_TOKEN_FLOWS
from ..schema.facts import REFERENCED_CLIENTS, SERVED_METHODS, CallerFacts, Facts, as_record
from ..tokens.checks import claim_checks
from ..tokens.target import clients_by_pool, make_target

KINDS = ("none", "id", "access", "m2m", "lambda", "iam")
CLAIM_CHECKS = {"issuer": "TOK004", "token_kind": "TOK005", "client": "TOK007", "scopes": "TOK006"}
LAMBDA_DECIDES = "the Lambda authorizer's function decides what it lets through; its code is not read"
IAM_DECIDES = "whether the caller's IAM identity may invoke the method is not read (identity policies of callers)"


@dataclass(frozen=True)
class Caller:
    """One way of calling a method; `claims` is what its token says (None: no token, or not a JWT)."""

    kind: str
    pool_id: str | None = None
    client_id: str | None = None
    client_name: str | None = None
    claims: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    unknown: str | None = field(default=None, compare=False, hash=False)  # why the token cannot be told
    through: tuple[str, str] | None = None  # (distribution ID, behaviour): its request comes through CloudFront
    distribution_domain: str | None = field(default=None, compare=False, hash=False)

    @property
    def label(self) -> str:
        """`none`, `lambda`, `iam`; `id:shop-web` (the client's name, else its ID); `id:pool eu-west-1_AbC` for
        any client of a pool that could not be read (another account…); `… via CloudFront E2EXAMPLE` (and the
        behaviour's path pattern, unless it is the default one) for a request sent through a distribution."""
        if self.kind in ("none", "lambda", "iam"):
            own = self.kind
        else:
            client = self.client_name or self.client_id or (f"pool {self.pool_id}" if self.pool_id else "?")
            own = f"{self.kind}:{client}"
        if self.through is None:
            return own
        distribution, behaviour = self.through
        return f"{own} via CloudFront {distribution}" + ("" if behaviour == "default" else f" {behaviour}")

    def as_json(self) -> dict[str, Any]:
        """The contract's caller object; `through` the CloudFront behaviour its request comes through (else null)."""
        return {"kind": self.kind, "pool_id": self.pool_id, "client_id": self.client_id,
                "client_name": self.client_name, "through": None if self.through is None else {
                    "distribution_id": self.through[0], "distribution_domain": self.distribution_domain,
                    "behaviour": self.through[1]}}

    def via(self, route: dict[str, Any]) -> Caller:
        """This caller sending its request through a CloudFront behaviour (a `cloudfront_routes` entry)."""
        return replace(self, through=(str(route["distribution_id"]), str(route["behaviour"])),
                       distribution_domain=route.get("distribution_domain"))

    @classmethod
    def of(cls, facts: dict[str, Any]) -> Caller:
        """The caller a method record's `callers` entry describes."""
        return cls(facts["kind"], facts.get("pool_id"), facts.get("client_id"), facts.get("client_name"),
                   facts.get("claims"), facts.get("unknown"))


def add_callers(facts: Facts, snapshot: dict[str, Any]) -> None:
    """Each method record's `callers` (the method's own and what a stage serves differently): who may call it,
    what each one's token carries, and which of `token`'s claim checks that token fails there."""
    authorizers = {(a["region"], a["api_id"], a["authorizer_id"]): a for a in facts.get("authorizer", [])}
    clients: dict[str, list[dict[str, Any]]] = {}
    for client in facts.get("client", []) + facts.get(REFERENCED_CLIENTS, []):  # a pool read only for its APIs too
        clients.setdefault(str(client["pool_id"]), []).append(client)
    client_ids = clients_by_pool(snapshot)
    for record in facts.get("method", []) + facts.get(SERVED_METHODS, []):
        authorizer = authorizers.get((record["region"], record["api_id"], record["authorizer_id"]), {})
        target = make_target(record, authorizer, client_ids, None)
        callers = []
        for caller in callers_of(record, authorizer, clients):
            fails, undecided = claim_checks(caller.claims, target) \
                if caller.claims is not None and caller.unknown is None else ([], [])
            callers.append(as_record(CallerFacts(
                kind=caller.kind, label=caller.label, pool_id=caller.pool_id, client_id=caller.client_id,
                client_name=caller.client_name, claims=caller.claims, unknown=caller.unknown,
                token_fails=fails, token_undecided=undecided)))
        record["callers"] = callers
        record["callers_failing"] = {check: [caller for caller in callers if rule in caller["token_fails"]
                                             or rule in caller["token_undecided"]]
                                     for check, rule in CLAIM_CHECKS.items()}


def callers_of(method: dict[str, Any], authorizer: dict[str, Any], clients: dict[str, list[dict[str, Any]]],
               wanted: list[str] | None = None) -> list[Caller]:
    """The callers of a method (fact records): `clients` are the client facts by pool ID; `wanted` (--client)
    keeps the token callers of those clients (by name or ID)."""
    authorization = method["authorization"]
    found = [Caller("none", unknown=LAMBDA_DECIDES if authorization == "CUSTOM" else None)]
    if authorization == "CUSTOM":
        found.append(Caller("lambda", unknown=LAMBDA_DECIDES))
    elif authorization == "AWS_IAM":
        found.append(Caller("iam", unknown=IAM_DECIDES))
    elif authorization == "COGNITO_USER_POOLS":
        for pool in method.get("pools") or []:
            found += _pool_callers(pool, clients, None)
    elif authorization == "JWT":
        for issuer in authorizer.get("jwt_issuers") or []:
            pool = issuer.get("pool")
            if issuer.get("cognito") and pool:  # the pool's clients in the audience; tokens carry the pool's iss
                found += _pool_callers(pool, clients, issuer.get("audience_clients"))
    unique = list(dict.fromkeys(found))
    if wanted:
        unique = [c for c in unique if c.kind in ("none", "lambda", "iam") or c.client_id in wanted
                  or c.client_name in wanted]
    return unique


def _pool_callers(pool: dict[str, Any], clients: dict[str, list[dict[str, Any]]],
                  audience: list[str] | None) -> list[Caller]:
    """The token callers of a pool: each app client that can get a token (of the audience, for JWT)."""
    pool_id = pool.get("pool_id")
    if pool.get("status") != "present":
        if pool.get("status") in ("unreadable", "elsewhere", "unresolved"):
            why = pool.get("reason") or "the pool could not be read"
            return [Caller(kind, pool_id, unknown=why) for kind in ("id", "access")]
        return []  # a pool that does not exist issues no token
    issuer = pool.get("issuer")  # what the pool's tokens carry (its IssuerConfiguration's form)
    callers = []
    for client in clients.get(str(pool_id)) or []:
        if audience is not None and client["client_id"] not in audience:
            continue
        callers += client_callers(client, pool_id, issuer)
    return callers


def client_callers(client: dict[str, Any], pool_id: str | None, issuer: str | None) -> list[Caller]:
    """The tokens one app client can get (client facts): ID and access tokens when it signs users in, and a
    machine-to-machine access token with the client credentials or client-token flows."""
    client_id, name = client["client_id"], client.get("client_name")
    if client.get("unreadable"):
        return [Caller(kind, pool_id, client_id, name, unknown=f"app client {client_id} could not be read")
                for kind in ("id", "access")]
    flows = set(client.get("explicit_auth_flows") or [])
    api_sign_in = bool(flows & API_SIGN_IN_FLOWS)
    browser = bool(client.get("browser_flows")) and client.get("oauth_enabled") and client.get("pool_has_domain")
    allowed = set(client.get("allowed_scopes") or [])
    obtainable = set(client.get("obtainable_scopes") or [])
    oauth_scopes = {scope for scope in obtainable if scope != ADMIN_SCOPE or ADMIN_SCOPE in allowed}
    callers = []
    if api_sign_in or (browser and "openid" in allowed):
        callers.append(Caller("id", pool_id, client_id, name, claims={"iss": issuer, "token_use": "id",
                                                                       "aud": client_id}))
    if api_sign_in or browser:
        scopes = (oauth_scopes if browser else set()) | ({ADMIN_SCOPE} if api_sign_in else set())
        callers.append(Caller("access", pool_id, client_id, name, claims={
            "iss": issuer, "token_use": "access", "client_id": client_id, "scope": " ".join(sorted(scopes))}))
    machine = ("client_credentials" in (client.get("oauth_flows") or []) and client.get("oauth_enabled")
               and client.get("pool_has_domain")) or bool(flows & CLIENT_TOKEN_FLOWS)
    if machine:
        scopes = {scope for scope in oauth_scopes if "/" in scope}  # custom scopes only
        callers.append(Caller("m2m", pool_id, client_id, name, claims={
            "iss": issuer, "token_use": "access", "client_id": client_id, "scope": " ".join(sorted(scopes))}))
    return callers
