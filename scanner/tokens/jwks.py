"""Where a pool's signing keys are, fetching them (cached per issuer, refetched only for an unknown kid), verifying."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from ..errors import UsageError

FETCH_TIMEOUT = 10
MAX_DOCUMENT = 1 << 20  # a key set or discovery document is a few kB: read no more than 1 MB


def jwks_url(issuer: str, pool_id: str) -> str:
    """`{issuer}/.well-known/jwks.json`; with an emulator endpoint configured, `{endpoint}/{poolId}/...`."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_COGNITO_IDP") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return f"{endpoint.rstrip('/')}/{pool_id}/.well-known/jwks.json"
    return f"{issuer}/.well-known/jwks.json"


@dataclass
class KeyStore:
    """JSON Web Keys per issuer. `override` (--jwks URL or file) replaces every issuer's location."""

    override: str | None = None
    fetches: list[str] = field(default_factory=list)
    _keys: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        remote = bool(self.override) and str(self.override).startswith(("http://", "https://"))
        if self.override and not remote and not Path(self.override).is_file():
            raise UsageError(f"--jwks {self.override}: expected an http(s) URL or a JWKS file")

    def key(self, issuer: str, pool_id: str | None, kid: str) -> dict[str, Any] | None:
        """The JWK with this kid; fetched on first use of the issuer, and again only for a kid not yet known.
        A Cognito pool's keys are at {issuer}/.well-known/jwks.json; another identity provider's are where its
        OpenID Connect discovery document ({issuer}/.well-known/openid-configuration) says (jwks_uri)."""
        known = self._keys.get(issuer)
        if known is None or kid not in known:
            location = self.override or (jwks_url(issuer, pool_id) if pool_id else self._discovered(issuer))
            self._keys[issuer] = self._load(location)
        return self._keys[issuer].get(kid)

    def _discovered(self, issuer: str) -> str:
        document = self._document(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        location = document.get("jwks_uri") if isinstance(document, dict) else None
        scheme = issuer.split("://", 1)[0] + "://"  # https for every issuer API Gateway accepts
        if not isinstance(location, str) or not location.startswith(scheme):
            raise KeysUnavailable(f"the discovery document of {issuer} names no {scheme} jwks_uri")
        return location

    def _document(self, source: str) -> Any:
        self.fetches.append(source)
        try:
            if source.startswith(("http://", "https://")):
                with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 (http(s) only)
                    return json.loads(response.read(MAX_DOCUMENT).decode("utf-8"))
            return json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, urllib.error.URLError, ValueError, UnicodeDecodeError, RecursionError) as error:
            raise KeysUnavailable(f"the keys could not be read from {source}: {error}") from None

    def _load(self, source: str) -> dict[str, dict[str, Any]]:
        document = self._document(source)
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise KeysUnavailable(f"{source} is not a JWKS document (no keys list)")
        return {str(key.get("kid")): key for key in keys if isinstance(key, dict)}


class KeysUnavailable(Exception):
    """The JWKS could not be fetched or read: the signature check is undecided."""


def signature_problem(token: str, jwk: dict[str, Any], algorithm: str = "RS256") -> str | None:
    """Why the signature does not verify with this key and algorithm, or None when it does."""
    try:
        key = jwt.PyJWK(jwk, algorithm=algorithm)
        jwt.decode(token, key, algorithms=[algorithm], options={
            "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
            "verify_iss": False, "verify_sub": False, "verify_jti": False, "require": []})
    except jwt.InvalidSignatureError:
        return "the signature does not match the pool's key"
    except (jwt.PyJWKError, jwt.InvalidKeyError) as error:
        return f"the pool's key cannot be used: {error}"
    except jwt.InvalidTokenError as error:
        return f"the token cannot be verified: {error}"
    return None
