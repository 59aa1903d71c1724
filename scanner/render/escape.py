"""The one boundary where text from AWS, tokens and files meets a screen, a spreadsheet or a browser.

Names, policy conditions, claims and error messages are other people's text. Before a text renderer
(table, `token`, CSV, rule listing, error line) lays anything out, the whole report passes through
`escaped()`: every control character (C0, DEL, C1 — ESC, BEL, CR, backspace…), every bidirectional
override or isolate, and the Unicode line separators are written as visible `\\x1b`, `\\u202e` escapes,
so no value can move the cursor, recolour the terminal, rewrite a line or reorder what is read.
JSON and SARIF keep the exact values (JSON escapes them itself).
"""

from __future__ import annotations

import html
import re
from typing import Any

from ..arns import readable

# C0 (tab and newline included: a value on one line stays on one line), DEL, C1; bidi embeddings,
# overrides and isolates, LRM/RLM/ALM, and the line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_BESIDE_NEWLINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_text(text: str, keep_newlines: bool = False) -> str:
    """`text` with every unsafe character written as a visible escape (newlines kept where a cell may hold
    several lines, as in CSV)."""
    if keep_newlines:
        if _UNSAFE_BESIDE_NEWLINES.search(text) is None:  # most cells: nothing to escape
            return text
        return "\n".join(_UNSAFE.sub(_visible, line) for line in text.split("\n"))
    return _UNSAFE.sub(_visible, text)


def html_text(value: Any) -> str:
    """A value as HTML text or attribute content: a part a template leaves to deployment written as `[unknown:
    why]`, unsafe characters made visible, then markup escaped."""
    return html.escape(escape_text(readable("" if value is None else str(value))), quote=True)


def escaped(value: Any) -> Any:
    """A copy of a report (or any JSON-like value) with every string escaped, keys included."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, dict):
        return {escaped(key): escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [escaped(item) for item in value]
    return value
