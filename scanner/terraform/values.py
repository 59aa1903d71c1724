"""The values a Terraform expression evaluates to: JSON-like Python values, `Unknown` (what only `apply`, the account or
a missing input decides, with why), and lazily read resource objects."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from ..arns import unresolved

MAX_VALUE_CHARS = 2_000_000  # a string (or a list's total) built larger than this is unknown, never kept


class Unknown:
    """A value Terraform knows only later (or that needs an input not given); `always`: one that differs on every
    apply (timestamp(), uuid())."""

    __slots__ = ("always", "reason")

    def __init__(self, reason: str, always: bool = False) -> None:
        self.reason, self.always = reason, always

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class PartialText(str):
    """A text with unknown parts, the known parts still readable (an OpenAPI body's methods) and the whole unknown to
    anything that needs all of it (a hash). jsonencode writes each unknown leaf as a whole `{{unresolved:…}}`
    string; a templatefile() writes a mark (`unknowns`: mark → why) where it interpolates an unknown value, since
    the template may put it inside a longer string or where a YAML scalar may not hold braces."""

    reason: str
    unknowns: dict[str, str]

    def __new__(cls, text: str, reason: str, unknowns: dict[str, str] | None = None) -> PartialText:
        made = super().__new__(cls, text)
        made.reason, made.unknowns = reason, unknowns or {}
        return made


_MARK = re.compile(r"tfunknown[0-9a-f]{12}x")


def unknown_mark(reason: str) -> str:
    """The mark a template writes for an unknown value: letters and digits only (safe in YAML, JSON and ARNs), the
    same for the same reason."""
    return "tfunknown" + hashlib.sha1(reason.encode(), usedforsecurity=False).hexdigest()[:12] + "x"


def without_marks(value: Any, unknowns: dict[str, str], depth: int = 0) -> Any:
    """A document read from a PartialText with its marks: a string holding a mark is unresolved whole (a URI with an
    unknown ARN in it is unknown, not a URI). A key that holds one (a path the template leaves unknown) makes the
    whole document unknown: EvaluationError."""
    if not unknowns or depth > 64:
        return value
    if isinstance(value, str):
        found = _MARK.search(value)
        return unresolved(unknowns.get(found[0], "a value the template is given is unknown")) if found else value
    if isinstance(value, list):
        return [without_marks(item, unknowns, depth + 1) for item in value]
    if isinstance(value, dict):
        if any(isinstance(key, str) and _MARK.search(key) for key in value):
            raise EvaluationError("a key the template writes from an unknown value")
        return {key: without_marks(item, unknowns, depth + 1) for key, item in value.items()}
    return value


class EvaluationError(Exception):
    """What Terraform itself would refuse (a wrong type, a missing attribute): the value becomes unknown."""


class Lazy:
    """An object whose attributes are evaluated when read (a resource instance, a module's outputs)."""

    def __init__(self, read: Callable[[str], Any], names: Callable[[], list[str]], label: str) -> None:
        self._read, self._names, self.label = read, names, label

    def get(self, name: str) -> Any:
        return self._read(name)

    def names(self) -> list[str]:
        return self._names()


def first_unknown(value: Any, depth: int = 0) -> Unknown | None:
    """The first Unknown inside a value (lists and maps searched), else None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, PartialText):
        return Unknown(value.reason)
    if depth > 64:
        return Unknown("a value nested too deeply")
    if isinstance(value, list):
        for item in value:
            found = first_unknown(item, depth + 1)
            if found is not None:
                return found
    elif isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item, depth + 1)
            if found is not None:
                return found
    elif isinstance(value, Lazy):
        return first_unknown(materialize(value), depth + 1)
    return None


def materialize(value: Any, depth: int = 0) -> Any:
    """The value with every lazy object read whole (for functions that take whole values: jsonencode, merge…)."""
    if depth > 64:
        return Unknown("a value nested too deeply")
    if isinstance(value, Lazy):
        return {name: materialize(value.get(name), depth + 1) for name in value.names()}
    if isinstance(value, list):
        return [materialize(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: materialize(item, depth + 1) for key, item in value.items()}
    return value


def to_snapshot(value: Any, depth: int = 0) -> Any:
    """A value as the snapshot's readers take it: unknowns become the `{{unresolved:…}}` markers they read as
    unknown, numbers that are whole become ints."""
    value = materialize(value) if isinstance(value, Lazy) else value
    if isinstance(value, Unknown):
        return unresolved(value.reason)
    if isinstance(value, PartialText) and value.unknowns:
        return _marked_text(value)
    if depth > 64:
        return unresolved("a value nested too deeply")
    if isinstance(value, list):
        return [to_snapshot(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): to_snapshot(item, depth + 1) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def joined(pieces: list[str]) -> Any:
    """A template's pieces as one text; a PartialText among them makes the whole one, with all their unknown parts."""
    text = check_size("".join(pieces))
    partial = [piece for piece in pieces if isinstance(piece, PartialText)]
    if not partial or not isinstance(text, str):
        return text
    unknowns: dict[str, str] = {}
    for piece in partial:
        unknowns.update(piece.unknowns)
    return PartialText(text, partial[-1].reason, unknowns)


def _marked_text(value: PartialText) -> str:
    """A templatefile()'s text with unknown parts as the readers take it: JSON (a policy) with each string that holds
    an unknown part unresolved; anything else unresolved whole."""
    try:
        cleaned = without_marks(json.loads(value), value.unknowns)
    except (ValueError, RecursionError, EvaluationError):
        return unresolved(value.reason)
    if not isinstance(cleaned, (dict, list)):
        return unresolved(value.reason)
    return json.dumps(cleaned, ensure_ascii=False)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return str(value)


def to_text(value: Any) -> str:
    """A primitive as Terraform converts it to a string (templates, string functions)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if value is None:
        raise EvaluationError("a null value cannot be used as a string")
    raise EvaluationError(f"a {type_name(value)} cannot be used as a string")


def to_number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise EvaluationError("a bool cannot be used as a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise EvaluationError(f"{value[:40]!r} is not a number") from None
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    raise EvaluationError(f"a {type_name(value)} cannot be used as a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise EvaluationError(f"a {type_name(value)} cannot be used as a bool")


def json_text(value: Any) -> str:
    """jsonencode: Terraform writes objects with their keys in order and no spaces; unknown parts as markers (a
    PartialText)."""
    text = json.dumps(_json_ready(to_snapshot(value)), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    found = first_unknown(value)
    return PartialText(text, found.reason) if found is not None else text


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    return value


def check_size(value: str) -> Any:
    return value if len(value) <= MAX_VALUE_CHARS else Unknown(
        f"a string of {len(value):,} characters, longer than the reader keeps")
