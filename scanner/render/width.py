"""How wide text is on a terminal (CJK and emoji take two cells), and fitting text to a width without breaking it."""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from typing import TextIO

ELLIPSIS = "…"
DEFAULT_WIDTH = 120  # a file, a pipe, or a terminal that does not say
NARROWEST = 60  # below this no table is readable: it is laid out for 60 and the terminal wraps


_STYLE = re.compile(r"\x1b\[[0-9;]*m")  # the renderers' own colours (text from AWS is escaped before it gets here)


def cells(text: str) -> int:
    """Terminal cells `text` takes: East Asian wide and full-width characters two, combining marks, zero-width
    joiners and colour codes none."""
    return sum(_char_cells(char) for char in _STYLE.sub("", text))


def _char_cells(char: str) -> int:
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0e\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def pad(text: str, width: int) -> str:
    """`text` followed by the spaces that make it `width` cells wide."""
    return text + " " * max(0, width - cells(text))


def shorten(text: str, width: int) -> str:
    """`text` if it fits in `width` cells, else its start and `…` (the full value is in the detail)."""
    if cells(text) <= width:
        return text
    kept, used = "", 0
    for char in text:
        if used + _char_cells(char) > width - 1:
            break
        kept, used = kept + char, used + _char_cells(char)
    return kept + ELLIPSIS


def shorten_middle(text: str, width: int) -> str:
    """`text` if it fits, else its start, `…` and its end: a path keeps the resource people recognise it by."""
    if cells(text) <= width:
        return text
    if width < 5:
        return shorten(text, width)
    tail_width = (width - 1) // 2
    tail, used = "", 0
    for char in reversed(text):
        if used + _char_cells(char) > tail_width:
            break
        tail, used = char + tail, used + _char_cells(char)
    return shorten(text, width - used)[:-1] + ELLIPSIS + tail


def wrap(text: str, width: int, indent: str = "", later_indent: str | None = None) -> list[str]:
    """Lines of at most `width` cells, broken only between words: a word longer than a line (an ARN, a URL, a
    command) stands alone on its line, whole, so it still copies as one value."""
    later = indent if later_indent is None else later_indent
    lines: list[str] = []
    line = ""
    for word in text.split():
        prefix = later if lines else indent
        candidate = f"{line} {word}" if line else word
        if line and cells(prefix + candidate) > width:
            lines.append(prefix + line)
            line = word
        else:
            line = candidate
    if line or not lines:
        lines.append((later if lines else indent) + line)
    return lines


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is a terminal (a closed or odd stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def terminal_width(stream: TextIO | None = None, to_file: bool = False) -> int:
    """Columns to lay out for: COLUMNS when set, the terminal's width when writing to one, else 120."""
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return max(NARROWEST, int(given))
    if to_file:
        return DEFAULT_WIDTH
    if is_terminal(stream or sys.stdout):
        return max(NARROWEST, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    return DEFAULT_WIDTH
