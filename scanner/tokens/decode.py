"""Takes a pasted token apart without trusting it: what was pasted around it, its header and its claims (TOK001)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


@dataclass
class DecodedToken:
    """The token as it would be sent once cleaned, and what was wrong with the text as pasted."""

    cleaned: str
    header: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # TOK001 reasons
    bearer: bool = False

    @property
    def readable(self) -> bool:
        return self.header is not None and self.claims is not None


def decode(pasted: str) -> DecodedToken:
    """Strip what users paste around tokens (and say so), then read the three base64url parts."""
    problems: list[str] = []
    text = pasted
    if text != text.strip():
        problems.append("whitespace or a line break surrounds the token: send it exactly, with nothing around it")
        text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        problems.append("the token is wrapped in quotes: send it without them")
        text = text[1:-1].strip()
    bearer = False
    if text.lower().startswith("bearer "):
        bearer = True
        text = text[7:].strip()
    if re.search(r"\s", text):
        problems.append("the token contains spaces or line breaks (often added when it was copied): remove them")
        text = re.sub(r"\s+", "", text)
    token = DecodedToken(cleaned=text, problems=problems, bearer=bearer)
    parts = text.split(".")
    if len(parts) != 3:
        token.problems.append(f"a JWT has three parts separated by dots; this has {len(parts)}")
        return token
    token.header = _json_part(parts[0], "header", token.problems)
    token.claims = _json_part(parts[1], "payload", token.problems)
    if not parts[2] or not _BASE64URL.match(parts[2]):
        token.problems.append("the signature part is empty or not base64url")
    return token


def _json_part(part: str, name: str, problems: list[str]) -> dict[str, Any] | None:
    if not part or not _BASE64URL.match(part):
        problems.append(f"the {name} part is not base64url")
        return None
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        problems.append(f"the {name} part does not decode to JSON")
        return None
    if not isinstance(value, dict):
        problems.append(f"the {name} part is JSON but not an object")
        return None
    return value
