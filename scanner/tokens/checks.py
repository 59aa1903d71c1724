"""What the token in hand says for itself on a method: its form, times, signature, issuer, type, client and scopes
(TOK001-TOK008, every failure reported), judged against the method's facts. What else a request meets (the stage,
the resource policy, keys, Lambda functions) is the rules' to say: tokens/answer.py joins the two."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Protocol

from ..model.java_regex import full_match
from ..model.jwt_authorizers import HTTP_JWT_ALGORITHMS, REST_ACCESS_TOKEN_AUD
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
        _audience_form(token.claims or {}, fail)
        _times(token.claims or {}, moment, fail)
    check_claims(token.claims if token.readable else None, target, fail, notes)
    if token.readable and not target.authorizer_unknown and target.authorization in ("COGNITO_USER_POOLS", "JWT"):
        _signature(token, token.claims or {}, target, keys, fail)
    return {"verdict": _verdict(findings, target), "claims": shown_claims(token, moment), "findings": findings,
            "notes": notes}


def check_claims(claims: dict[str, Any] | None, target: TokenTarget, fail: Recorder, notes: list[str],
                 complete: bool = True) -> None:
    """What the method (as the target's stage serves it) asks of a token's claims, apart from its form, times and
    signature: authorization type, issuer, token type, scopes, client. `token` runs it on a pasted token; the facts
    of each of the matrix's callers on the claims its token would carry (what the TOK rules read) — one check.
    `complete` false: the claims are only those known of a caller's tokens (a claim they lack may still be there)."""
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
            _jwt(claims, target, fail, complete)
        else:
            notes.append("a Lambda authorizer decides for this method: only the token's form and times were checked "
                         "(use --live to ask API Gateway)")


def claim_checks(claims: dict[str, Any], target: TokenTarget) -> tuple[list[str], list[str]]:
    """(the checks a token with these claims fails on the target, those that cannot be decided): what the facts
    say of each caller's token."""
    checked: list[tuple[str, str]] = []
    check_claims(claims, target, lambda rule, expected, actual, message, outcome="fail":
                 checked.append((rule, outcome)), [], complete=False)
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


def audience_values(claims: dict[str, Any]) -> list[str] | None:
    """The aud claim as a list: "c1" and ["c1"] alike ([] without aud); None when it is neither a string nor a list
    of strings (RFC 7519, 4.1.3: "an array of case-sensitive strings, each containing a StringOrURI value")."""
    audience = claims.get("aud")
    if audience is None:
        return []
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list) and all(isinstance(value, str) for value in audience):
        return list(audience)
    return None


def _audience_form(claims: dict[str, Any], fail: Recorder) -> None:
    """An aud that is not a string or a list of strings makes the token malformed (TOK001): it is not a JWT as RFC
    7519 defines one, whatever the authorizer trusts, and no audience or app client can be compared with it."""
    if audience_values(claims) is None:
        fail("TOK001", "aud: a string, or a list of strings (RFC 7519, 4.1.3)", repr(claims.get("aud"))[:200],
             "the token's aud claim is neither a string nor a list of strings: it is not a well-formed JWT, so "
             "its audience cannot match")


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


def _jwt(claims: dict[str, Any], target: TokenTarget, fail: Recorder, complete: bool = True) -> None:
    """A JWT authorizer: iss exactly one of its issuers; aud (or, with none, client_id on HTTP APIs) in that issuer's
    audience; that issuer's additional claims (REST APIs); a scope of the method in scope/scp. token_use is not looked
    at (AWS, "Troubleshooting HTTP API JWT authorizers")."""
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
    listed = f"the authorizer's audience ({', '.join(audiences or []) or 'empty'})"
    values = audience_values(claims)
    if values is None:
        pass  # a malformed aud (TOK001)
    elif "aud" not in claims:
        if target.method.get("api_type") == "REST":
            fail("TOK007", f"an aud in {listed}", f"no aud (client_id {claims.get('client_id')!r})",
                 REST_ACCESS_TOKEN_AUD, outcome="unknown")
        elif claims.get("client_id") not in (audiences or []):  # HTTP APIs: client_id when there is no aud
            fail("TOK007", f"client_id in {listed}", claims.get("client_id"),
                 f"the token has no aud, so the JWT authorizer compares client_id {claims.get('client_id')!r} with "
                 "the audience it lists, and it is not in it")
    elif not set(values) & set(audiences or []):
        fail("TOK007", f"aud in {listed}", claims.get("aud"),
             f"the JWT authorizer lets through only the audience it lists; aud {values!r} is not in it")
    for rule in (match or {}).get("additional_claims") or []:
        _additional_claim(claims, rule, fail, complete)


def _additional_claim(claims: dict[str, Any], rule: dict[str, Any], fail: Recorder, complete: bool = True) -> None:
    """One additional claim rule of the matching issuer (apigateway model, JwtAdditionalClaim): "When true, the token
    must contain the claim"; "When a value is specified, the claim must match it exactly, and the match is
    case-sensitive"; the format is SINGLE_STRING."""
    name, expected = rule["name"], list(rule.get("expected_values") or [])
    wanted = f"claim {name}" + (f" equal to one of [{', '.join(expected)}]" if expected else "")
    if name not in claims:
        if rule.get("required") and complete:
            fail("TOK007", wanted, "absent", f"the JWT authorizer requires claim {name}, which the token lacks")
        elif rule.get("required"):  # a caller's tokens as far as they are known: custom claims may be there
            fail("TOK007", wanted, "not known", f"the JWT authorizer requires claim {name}; whether this client's "
                 "tokens carry it (a custom attribute, a pre-token-generation trigger) is not known", outcome="unknown")
        return
    value = claims[name]
    if not isinstance(value, str):
        outcome = "fail" if expected else "unknown"  # a list or number cannot equal a string; without values: doubt
        fail("TOK007", f"{wanted}, a single string (SINGLE_STRING)", repr(value)[:200],
             f"the authorizer expects claim {name} as a single string, and the token carries {type(value).__name__}"
             + ("" if expected else ": whether API Gateway then rejects it is not documented"), outcome=outcome)
    elif expected and value not in expected:
        fail("TOK007", wanted, value, f"the JWT authorizer requires claim {name} to be one of [{', '.join(expected)}] "
             f"exactly (case-sensitive); the token's is {value!r}")


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
    audiences = audience_values(claims)
    if audiences is None and claim == "aud":
        return  # a malformed aud (TOK001): nothing to compare
    values = (audiences or []) if claim == "aud" else [client]
    issuer_pools = [p for p in target.pools if p.get("issuer") == claims.get("iss")] or target.pools
    known = [p["client_ids"] for p in issuer_pools if p.get("client_ids") is not None]
    if known and not {value for value in values if isinstance(value, str)} & {c for ids in known for c in ids}:
        fail("TOK007", f"{claim} naming an app client of pool {', '.join(p['pool_id'] or '?' for p in issuer_pools)}",
             client, f"{claim} {client!r} is not an app client of the authorizer's pool")
    elif not known and issuer_pools:
        fail("TOK007", f"{claim} naming an app client of the pool", client,
             "the pool's app clients could not be read: the client was not checked", outcome="unknown")
    expression = target.validation_expression
    if expression:
        audience = claims.get("aud")
        results = [full_match(expression, value) for value in audiences or []]
        matched = True if True in results else None if None in results else False
        if matched is None:
            fail("TOK007", f"aud matching the token validation expression {expression!r}", audience,
                 "the expression uses Java regular-expression syntax the scanner cannot evaluate", outcome="unknown")
        elif not matched:
            fail("TOK007", f"aud matching the token validation expression {expression!r}", audience,
                 "the authorizer's identityValidationExpression does not match the token's aud"
                 + (" (access tokens carry no aud)" if token_use == "access" else ""))


# The algorithms an authorizer may accept: Cognito signs with RS256; a REST API JWT authorizer accepts its
# defaultAlgorithms, chosen among RS256-512 and ES256-512 (apigateway model: JwtSigningAlgorithm); HTTP APIs' JWT
# authorizers take RSA keys only (HTTP_JWT_ALGORITHMS).
COGNITO_ALGORITHMS = ("RS256",)
REST_JWT_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")


def _signature(token: DecodedToken, claims: dict[str, Any], target: TokenTarget, keys: KeyStore,
               fail: Recorder) -> None:
    header = token.header or {}
    if target.authorization == "JWT":
        rest = target.method.get("api_type") == "REST"
        algorithms = tuple(target.jwt_algorithms) if target.jwt_algorithms is not None else \
            REST_JWT_ALGORITHMS if rest else HTTP_JWT_ALGORITHMS
        trusted = target.jwt_issuers or []
        sources = [(item["issuer"], item.get("pool_id")) for item in trusted if item["issuer"] == claims.get("iss")]
    else:
        algorithms = COGNITO_ALGORITHMS
        pools = [p for p in target.pools if p.get("issuer") == claims.get("iss")] or target.pools
        sources = [(p["issuer"], p["pool_id"]) for p in pools if p.get("issuer")]
    if header.get("alg") not in algorithms:
        fail("TOK008", f"alg {' or '.join(algorithms)}", header.get("alg"),
             f"the authorizer verifies {', '.join(algorithms) or 'no'} signatures only")
        return
    if target.authorization == "JWT" and target.jwt_algorithms is None and target.method.get("api_type") == "REST":
        fail("TOK008", "an alg among the authorizer's defaultAlgorithms", header.get("alg"),
             "the authorizer's defaultAlgorithms could not be read: whether it accepts this alg is unknown",
             outcome="unknown")
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
