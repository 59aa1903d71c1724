"""IAM-style wildcard matching: `*` is any run of characters (slashes included), `?` is one character."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def _compiled(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(f"^{body}$", re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def wildcard_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """True when `value` matches the IAM wildcard `pattern`. A case-sensitive pattern without `?` is matched piece
    by piece (each policy of an organization names its own ARNs: compiling each into a regular expression would
    cost more than matching it); the others as a regular expression."""
    if case_sensitive and "?" not in pattern and not value.endswith("\n"):  # `$` would match before a last newline
        return _starred_match(pattern.split("*"), value)
    return bool(_compiled(pattern, case_sensitive).match(value))


def _starred_match(pieces: list[str], value: str) -> bool:
    """Whether `value` is pieces[0], then anything, pieces[1], … anything, pieces[-1] (the pattern split at `*`)."""
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 1:
        return value == first
    if len(value) < len(first) + len(last) or not value.startswith(first) or not value.endswith(last):
        return False
    position, end = len(first), len(value) - len(last)
    for piece in pieces[1:-1]:  # each middle piece at its first place: the earliest leaves the most room
        found = value.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def as_list(value: Any) -> list[Any]:
    """A policy element that may be one value or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
