"""What the token in hand says for itself on a method: its form, times, signature, issuer, type, client and scopes
(TOK001-TOK008, every failure reported), judged against the method's facts. What else a request meets (the stage,
the resource policy, keys, Lambda functions) is the rules' to say: tokens/answer.py joins the two."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Protocol

from ..model.java_regex import full_match
from .decode import DecodedToken, decode
from .jwks import KeyStore, KeysUnavailable, signature_problem
from .target import TokenTarget


class Recorder(Protocol):
    """Records one check's failure (or, with outcome unknown, why it could not be decided)."""

    def __call__(self, rule: str, expected: Any, actual: Any, message: str, outcome: str = "fail") -> None: ...

CLOCK_SKEW = 60  # seconds of tolerance for iat/nbf in the future
# Where in API Gateway's order (scanner/rules/steps.py) the checks that are no rule act: the authorizer answers 401
# to an expired, not yet valid or badly signed token. TOK001 and TOK004-TOK007 are rules (policies/): their
# [[refuses]] say where they act and what the caller gets.
TOKEN_ONLY_STEPS = {"TOK002": "authorizer", "TOK003": "authorizer", "TOK008": "authorizer"}
SHOWN_CLAIMS = ("token_use", "iss", "aud", "client_id", "scope", "exp", "iat", "nbf", "auth_time",
                "cognito:username", "username", "cognito:groups")
TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")


def diagnose(pasted: str, target: TokenTarget, keys: KeyStore, now: float | None = None) -> dict[str, Any]:
    """{verdict, claims, findings, notes} of the token alone; verdict rejected (a check failed), undecided or
    accepted (as far as the token can tell)."""
    moment = time.time() if now is None else now
    token = decode(pasted)
    findings: list[dict[str, Any]] = []
    notes: list[str] = []

    def fail(rule: str, expected: Any, actual: Any, message: str, outcome: str = "fail") -> None:
        findings.append({"rule": rule, "expected": expected, "actual": actual, "message": message,
                         "outcome": outcome})

    _format(token, target, fail, notes)
    if token.readable:
        _times(token.claims or {}, moment, fail)
    check_claims(token.claims if token.readable else None, target, fail, notes)
    if token.readable and not target.authorizer_unknown and target.authorization in ("COGNITO_USER_POOLS", "JWT"):
        _signature(token, token.claims or {}, target, keys, fail)
    return {"verdict": _verdict(findings, target), "claims": shown_claims(token, moment), "findings": findings,
            "notes": notes}


def check_claims(claims: dict[str, Any] | None, target: TokenTarget, fail: Recorder, notes: list[str]) -> None:
    """What the method (as the target's stage serves it) asks of a token's claims, apart from its form, times and
    signature: authorization type, issuer, token type, scopes, client. `token` runs it on a pasted token; the facts
    of each of the matrix's callers on the claims its token would carry (what the TOK rules read) — one check."""
    if target.authorization == "NONE":
        notes.append("the method takes no token: API Gateway does not look at it")
    elif target.authorization == "AWS_IAM":
        fail("TOK005", "a SigV4-signed request (IAM authorization)", "a bearer token",
             "the method uses IAM authorization: sign the request with AWS credentials instead of sending a token")
    elif claims is not None:
        if target.authorizer_unknown:  # what it trusts is not known: judge nothing that depends on it
            fail("TOK004", "the method's authorizer and the pools it trusts", "could not be read",
                 f"{target.authorizer_unknown}: the token cannot be judged against it", outcome="unknown")
        elif target.authorization == "COGNITO_USER_POOLS":
            _cognito(claims, target, fail)
        elif target.authorization == "JWT":
            _jwt(claims, target, fail)
        else:
            notes.append("a Lambda authorizer decides for this method: only the token's form and times were checked "
                         "(use --live to ask API Gateway)")


def claim_checks(claims: dict[str, Any], target: TokenTarget) -> tuple[list[str], list[str]]:
    """(the checks a token with these claims fails on the target, those that cannot be decided): what the facts
    say of each caller's token."""
    checked: list[tuple[str, str]] = []
    check_claims(claims, target, lambda rule, expected, actual, message, outcome="fail":
                 checked.append((rule, outcome)), [])
    failed = sorted({rule for rule, outcome in checked if outcome == "fail"})
    return failed, sorted({rule for rule, outcome in checked if outcome != "fail"} - set(failed))


def _verdict(findings: list[dict[str, Any]], target: TokenTarget) -> str:
    if any(f["outcome"] == "fail" for f in findings):
        return "rejected"
    if any(f["outcome"] == "unknown" for f in findings) or target.authorization == "CUSTOM":
        return "undecided"
    return "accepted"


def _format(token: DecodedToken, target: TokenTarget, fail: Any, notes: list[str]) -> None:
    problems = list(token.problems)
    if token.bearer:
        _bearer(token, target, problems, notes)
    if problems:
        header = target.identity_header or "Authorization"
        fail("TOK001", f"the bare token in the {header} header", "; ".join(problems),
             "The token as pasted would be rejected: " + "; ".join(problems) + ".")


def _bearer(token: DecodedToken, target: TokenTarget, problems: list[str], notes: list[str]) -> None:
    """Cognito and JWT authorizers strip a `Bearer ` prefix; a Lambda TOKEN authorizer gets the header as sent."""
    if target.authorization != "CUSTOM":
        notes.append("the 'Bearer ' prefix is fine here: the authorizer reads the token after it")
        return
    expression = target.validation_expression
    matched = True if expression is None else full_match(expression, "Bearer " + token.cleaned)
    if matched is None:
        notes.append(f"the validation expression {expression!r} uses Java syntax the scanner cannot evaluate: "
                     "whether the 'Bearer ' prefix passes it is unknown")
    elif matched:
        notes.append("the Lambda authorizer receives the header with its 'Bearer ' prefix: the function must strip it")
    else:
        problems.append(f"the value starts with 'Bearer ', which the authorizer's token validation expression "
                        f"{expression!r} does not match: API Gateway answers 401 before the function runs")


def _times(claims: dict[str, Any], moment: float, fail: Recorder) -> None:
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)):
        fail("TOK002", "an exp claim (seconds since 1970)", repr(exp), "the token has no usable exp claim")
    elif exp <= moment:
        fail("TOK002", f"exp after now ({_utc(moment)})", f"{_utc(exp)} ({relative(exp, moment)})",
             f"the token expired {relative(exp, moment)}, at {_utc(exp)}: get a new one (or refresh it)")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if isinstance(value, (int, float)) and value > moment + CLOCK_SKEW:
            fail("TOK003", f"{name} not after now ({_utc(moment)}, {CLOCK_SKEW} s of skew allowed)",
                 f"{_utc(value)} ({relative(value, moment)})",
                 f"the token is not valid yet ({name} is {relative(value, moment)}): check the clock of what issued it")


def _cognito(claims: dict[str, Any], target: TokenTarget, fail: Recorder) -> None:
    """A COGNITO_USER_POOLS authorizer: issuer among its pools, ID or access token by the method's scopes, the
    client an app client of the pool, the validation expression against aud."""
    issuers = [p["issuer"] for p in target.pools if p.get("issuer")]
    issuer = claims.get("iss")
    if issuers and issuer not in issuers:
        fail("TOK004", " or ".join(issuers), issuer,
             "the token was issued by another user pool than the authorizer's (check region, pool ID and the "
             "pool's issuer form)")
    token_use = claims.get("token_use")
    wanted = "access" if target.scopes else "id"
    why = (f"the method requires scopes ({', '.join(target.scopes)})" if target.scopes
           else "the method requires no scopes, so the authorizer takes ID tokens")
    if token_use != wanted:
        fail("TOK005", wanted, token_use, f"{why}; this is {'an' if token_use in ('id', 'access') else 'a'} "
             f"{token_use or 'unknown'} token")
    if token_use == "access" and target.scopes:
        _scopes(claims, target, fail)
    _client(claims, token_use, target, fail)


def _jwt(claims: dict[str, Any], target: TokenTarget, fail: Recorder) -> None:
    """A JWT authorizer: iss exactly one of its issuers; aud (or, with none, client_id) in that issuer's audience;
    a scope of the method in scope/scp. token_use is not looked at (AWS, "Troubleshooting HTTP API JWT
    authorizers")."""
    trusted = target.jwt_issuers or []
    issuer = claims.get("iss")
    match = next((item for item in trusted if item["issuer"] == issuer), None)
    if match is None:
        fail("TOK004", " or ".join(item["issuer"] for item in trusted), issuer,
             "the token's iss is none of the issuers the JWT authorizer trusts (it compares them exactly: a "
             "trailing slash, the region or the issuer form matter)")
    if target.scopes:
        _scopes(claims, target, fail)
    audiences = (match or {}).get("audiences") if match else sorted({a for item in trusted for a in item["audiences"]})
    audience = claims.get("aud")
    if audience is None:
        if target.method.get("api_type") == "REST":
            fail("TOK007", f"an aud in the authorizer's audience ({', '.join(audiences or []) or 'empty'})",
                 f"no aud (client_id {claims.get('client_id')!r})",
                 "REST API JWT authorizers check the token's aud; whether they fall back to client_id, as HTTP APIs "
                 "do, is not documented", outcome="unknown")
            return
        values, claim = [claims.get("client_id")], "client_id"
    else:
        values, claim = (audience if isinstance(audience, list) else [audience]), "aud"
    if not any(isinstance(value, str) and value in (audiences or []) for value in values):
        fail("TOK007", f"{claim} in the authorizer's audience ({', '.join(audiences or []) or 'empty'})",
             audience if claim == "aud" else claims.get("client_id"),
             f"the JWT authorizer lets through only the audience it lists; {claim} {values!r} is not in it")


def _scopes(claims: dict[str, Any], target: TokenTarget, fail: Recorder) -> None:
    granted = claims.get("scope") if claims.get("scope") is not None else claims.get("scp")
    names = granted.split() if isinstance(granted, str) else [s for s in granted or [] if isinstance(s, str)] \
        if isinstance(granted, list) else []
    if not set(names) & set(target.scopes):
        fail("TOK006", f"one of: {', '.join(target.scopes)}", " ".join(names) or "no scope",
             "the token carries none of the scopes the method requires: ask for one of them "
             "(the app client must allow it)")


def _client(claims: dict[str, Any], token_use: Any, target: TokenTarget, fail: Recorder) -> None:
    claim = "client_id" if token_use == "access" else "aud"
    client = claims.get(claim)
    issuer_pools = [p for p in target.pools if p.get("issuer") == claims.get("iss")] or target.pools
    known = [p["client_ids"] for p in issuer_pools if p.get("client_ids") is not None]
    if known and client not in {c for ids in known for c in ids}:
        fail("TOK007", f"{claim} naming an app client of pool {', '.join(p['pool_id'] or '?' for p in issuer_pools)}",
             client, f"{claim} {client!r} is not an app client of the authorizer's pool")
    elif not known and issuer_pools:
        fail("TOK007", f"{claim} naming an app client of the pool", client,
             "the pool's app clients could not be read: the client was not checked", outcome="unknown")
    expression = target.validation_expression
    if expression:
        audience = claims.get("aud")
        matched = full_match(expression, audience) if isinstance(audience, str) else False
        if matched is None:
            fail("TOK007", f"aud matching the token validation expression {expression!r}", audience,
                 "the expression uses Java regular-expression syntax the scanner cannot evaluate", outcome="unknown")
        elif not matched:
            fail("TOK007", f"aud matching the token validation expression {expression!r}", audience,
                 "the authorizer's identityValidationExpression does not match the token's aud"
                 + (" (access tokens carry no aud)" if token_use == "access" else ""))


# The algorithms each authorizer accepts: Cognito signs with RS256; HTTP API JWT authorizers take RSA keys only;
# REST API JWT authorizers list RS256-512 and ES256-512 (apigateway model: JwtSigningAlgorithm).
ALGORITHMS = {"COGNITO_USER_POOLS": ("RS256",), "HTTP": ("RS256", "RS384", "RS512"),
              "REST": ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")}


def _signature(token: DecodedToken, claims: dict[str, Any], target: TokenTarget, keys: KeyStore,
               fail: Recorder) -> None:
    header = token.header or {}
    if target.authorization == "JWT":
        algorithms = ALGORITHMS[str(target.method.get("api_type") or "HTTP")]
        trusted = target.jwt_issuers or []
        sources = [(item["issuer"], item.get("pool_id")) for item in trusted if item["issuer"] == claims.get("iss")]
    else:
        algorithms = ALGORITHMS["COGNITO_USER_POOLS"]
        pools = [p for p in target.pools if p.get("issuer") == claims.get("iss")] or target.pools
        sources = [(p["issuer"], p["pool_id"]) for p in pools if p.get("issuer")]
    if header.get("alg") not in algorithms:
        fail("TOK008", f"alg {' or '.join(algorithms)}", header.get("alg"),
             f"the authorizer verifies {', '.join(algorithms)} signatures only")
        return
    if not sources:
        return
    kid = header.get("kid")
    problems, undecided = [], []
    for issuer, pool_id in sources:
        try:
            jwk = keys.key(issuer, pool_id, str(kid))
        except KeysUnavailable as error:
            undecided.append(str(error))
            continue
        if jwk is None:
            problems.append(f"no key with kid {kid!r} in the keys of {pool_id or issuer}")
            continue
        problem = signature_problem(token.cleaned, jwk, str(header.get("alg")))
        if problem is None:
            return
        problems.append(problem)
    if problems:
        fail("TOK008", f"a signature by a key of {', '.join(str(pool_id or issuer) for issuer, pool_id in sources)}",
             "; ".join(problems), "the signature does not verify: " + "; ".join(problems))
    elif undecided:
        fail("TOK008", "a verifiable signature", "keys unavailable", "; ".join(undecided), outcome="unknown")


def shown_claims(token: DecodedToken, moment: float) -> dict[str, Any]:
    """The claims that matter, times in UTC and relative; never the token or its signature."""
    claims = token.claims or {}
    shown: dict[str, Any] = {}
    for name in SHOWN_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if name in TIME_CLAIMS and isinstance(value, (int, float)):
            value = {"epoch": value, "utc": _utc(value), "relative": relative(value, moment)}
        shown[name] = value
    if token.header:
        shown["header"] = {key: token.header[key] for key in ("alg", "kid", "typ") if key in token.header}
    return shown


def _utc(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{epoch} (out of range)"


def relative(epoch: float, moment: float) -> str:
    seconds = int(epoch - moment)
    size = abs(seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if size >= length or unit == "second":
            count = size // length
            text = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {text}" if seconds > 0 else f"{text} ago"
    return "now"
