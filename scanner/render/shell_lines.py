"""Breaks a shell command into lines that still paste as the same command.

Between words a line ends with ` \\` and the next is indented. A word too long for a line is cut inside:
outside quotes with `\\` at the end of the line (the shell removes backslash-newline), inside single quotes by
closing the quote, `\\`, and reopening it at the start of the next line (the shell joins the pieces) — those
continuation lines start at column 0, since an indent there would become part of the word.
"""

from __future__ import annotations

INDENT = " " * 8


def words(command: str) -> list[str]:
    """The command split at the spaces that separate shell words (not those inside quotes)."""
    parts, current, quote = [], "", ""
    escaped = False
    for char in command:
        if escaped:
            current += char
            escaped = False
        elif char == "\\" and quote != "'":
            current += char
            escaped = True
        elif quote:
            current += char
            quote = "" if char == quote else quote
        elif char in "'\"":
            current += char
            quote = char
        elif char == " ":
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def shell_lines(command: str, width: int, first_indent: str = "") -> list[str]:
    """The command as lines of at most `width` characters that a shell reads as `command`."""
    lines: list[str] = []
    current = first_indent
    for word in words(command):
        separator = " " if current.strip() else ""
        if len(current) + len(separator) + len(word) + 2 <= width:  # room kept for a closing " \\"
            current += separator + word
            continue
        if current.strip():
            lines.append(current + " \\")
            current = INDENT
        if len(current) + len(word) + 2 <= width:
            current += word
            continue
        pieces = _cut(word, width - len(current), width)
        lines.append(current + pieces[0])
        lines.extend(pieces[1:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def _cut(word: str, first: int, rest: int) -> list[str]:
    """A long word as pieces of at most the room given: each but the last ends with a continuation; the
    ones after the first start at column 0."""
    pieces: list[str] = []
    room = max(first, 12) - 2  # the piece's end: a backslash, and a closing quote inside single quotes
    current, quote = "", ""
    for position, char in enumerate(word, 1):
        current += char
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        if len(current) < room or quote == '"' or position == len(word):  # never cut inside double quotes (the
            continue  # break would change the word), nor after the last character (nothing continues it)
        if quote == "'":
            pieces.append(current + "'\\")  # close the quote, continue the word, reopen it on the next line
            current = "'"
        else:
            pieces.append(current + "\\")
            current = ""
        room = max(rest, 12) - 2
    pieces.append(current)
    return pieces
