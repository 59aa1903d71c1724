"""Colour on a terminal: severities and verdicts in the colours scanners use, only where the reader sees them."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .width import is_terminal

COLOUR_CHOICES = ("auto", "always", "never")
_STYLES = {
    "critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2",
    "fail": "31", "unknown": "35", "warn": "33", "ok": "32",
    "heading": "1", "dim": "2", "incomplete": "1;37;41",
}


def wants_colour(choice: str, stream: TextIO | None = None, to_file: bool = False) -> bool:
    """--color: `always` and `never` decide; `auto` colours a terminal unless NO_COLOR is set (no-color.org) or
    TERM is dumb, and never a file."""
    if choice in ("always", "never"):
        return choice == "always"
    if to_file or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream or sys.stdout)


class Palette:
    """Wraps text in ANSI styles, or leaves it alone. Styles are added after the layout: they take no cells."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        code = _STYLES.get(style or "")
        if not self.enabled or not code or not text:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"
