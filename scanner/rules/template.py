"""Message and remediation templates: `{expression}` is a JMESPath expression over the finding's facts."""

from __future__ import annotations

import re
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


def compile_template(text: str) -> list[str | ParsedResult]:
    """Literal parts and compiled expressions; raises jmespath's ParseError on a bad expression."""
    parts: list[str | ParsedResult] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position:match.start()])
        if match.group(0) in ("{{", "}}"):
            parts.append(match.group(0)[0])
        else:
            parts.append(jmespath.compile(match.group(1).strip()))
        position = match.end()
    parts.append(text[position:])
    return [part for part in parts if part != ""]


def render_template(parts: list[str | ParsedResult], context: dict[str, Any]) -> str:
    return "".join(part if isinstance(part, str) else _search(part, context) for part in parts)


def _search(expression: ParsedResult, context: dict[str, Any]) -> str:
    try:
        return shown(expression.search(context))
    except JMESPathError:
        return "?"


def shown(value: Any) -> str:
    """A fact value as words: lists joined by commas, nothing as `none`."""
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    return str(value)
