"""Message, fix and command templates: `{path}` reads a fact (a JMESPath field path) into the text."""

from __future__ import annotations

import re
import shlex
from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from .compiled import compile_expression

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
Template = list[str | ParsedResult]


def compile_template(text: str) -> Template:
    """Literal parts and compiled expressions; raises jmespath's ParseError on a bad expression."""
    parts: Template = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position:match.start()])
        if match.group(0) in ("{{", "}}"):
            parts.append(match.group(0)[0])
        else:
            parts.append(compile_expression(match.group(1).strip()))
        position = match.end()
    parts.append(text[position:])
    return [part for part in parts if part != ""]


def render_template(parts: Template, context: dict[str, Any], as_shell_words: bool = False) -> str:
    """The text with each placeholder's value: as words, or (`shell`, for commands) as shell words — quoted
    where needed, a list as several words — so a value from AWS can never run as shell code."""
    if len(parts) == 1 and type(parts[0]) is str:  # a text without placeholders (most fixes)
        return parts[0]
    words = shell_words if as_shell_words else shown
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
            continue
        try:
            value = part.search(context)
        except JMESPathError:
            pieces.append("?")
            continue
        pieces.append(words(value))
    return "".join(pieces)


def shell_words(value: Any) -> str:
    """A fact value as shell words: a list as one quoted word per item, nothing as an empty word."""
    if value is None:
        return "''"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(shell_words(item) for item in value) or "''"
    return shlex.quote(str(value))


def shown(value: Any) -> str:
    """A fact value as words: nothing as `none`; a list joined by commas, or by semicolons when its items hold
    commas themselves (phrases)."""
    if type(value) is str:
        return value or "none"
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        items = [shown(item) for item in value]
        return ("; " if any("," in item for item in items) else ", ").join(items)
    return str(value)
