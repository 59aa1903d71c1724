"""The files users hand the scanner and the files it writes: checked before any AWS call, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import UsageError

MAX_DEPTH = 64  # deeper JSON values (a mangled snapshot) are read as TOO_DEEP: unknown, never a crash
# A string where a list or object was: every reader takes it as unreadable (a null could read as "no condition").
TOO_DEEP = "<nested too deeply: not read>"


class OutputClosed(Exception):
    """Standard output was closed by its reader (`| head`): nothing more can be written there."""


def read_json(path: str, option: str, what: str) -> Any:
    """The parsed file; a usage error naming the option and saying what was expected otherwise."""
    with said_as_usage(path, option, what):
        return parse_json(Path(path).read_text(encoding="utf-8"))


@contextlib.contextmanager
def said_as_usage(path: str, option: str, what: str) -> Iterator[None]:
    """A file's problems (missing, a folder, not UTF-8, not JSON, too deep, unreadable) as one-line usage errors
    naming the option and saying what was expected."""
    try:
        yield
    except IsADirectoryError:
        raise UsageError(f"{option} {path}: is a directory; expected {what}") from None
    except FileNotFoundError:
        raise UsageError(f"{option} {path}: no such file") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{option} {path}: not {what} (not UTF-8 text: {error.reason})") from None
    except (ValueError, RecursionError) as error:
        raise UsageError(f"{option} {path}: not {what} ({error})") from None
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot be read ({error.strerror})") from None


def parse_json(text: str) -> Any:
    """The JSON value of `text`, every value nested deeper than MAX_DEPTH read as TOO_DEEP."""
    try:
        value = json.loads(text)  # not JSON: said at once, before any slower reading
    except RecursionError:
        return json.loads(shallow(text))
    return json.loads(shallow(text)) if too_deep(text) else value


_STRUCTURE = frozenset(b'[]{}"')
_NOT_STRUCTURE = bytes(code for code in range(256) if code not in _STRUCTURE)
_LEAF_PAIR = re.compile(rb"\[\]|\{\}")


def too_deep(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether some value of JSON text nests deeper than `max_depth` (or the text is not balanced), at the speed of
    a few passes of C over its bytes: escapes out, strings out, then the innermost pairs of brackets removed once
    per level."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    skeleton = text.encode("utf-8", "surrogatepass")
    if b"\\" in skeleton:
        skeleton = skeleton.replace(b"\\\\", b"")
    skeleton = skeleton.replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    skeleton = b"".join(skeleton.split(b'"')[::2])
    for _ in range(max_depth):
        if not skeleton:
            return False
        skeleton = _LEAF_PAIR.sub(b"", skeleton)
    return bool(skeleton)


def shallow(text: str, max_depth: int = MAX_DEPTH) -> str:
    """JSON text with every value nested deeper than `max_depth` replaced by TOO_DEEP, in one pass without recursion
    (Python's JSON reader recurses, and raises RecursionError on a few thousand nested brackets)."""
    if text.count("[") + text.count("{") <= max_depth:
        return text
    out: list[str] = []
    depth, start, skipping, in_string, escaped = 0, 0, 0, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth and not skipping:
                out.append(text[start:index])
                skipping, start = depth, index
        elif char in "]}":
            if skipping and depth == skipping:
                out.append(json.dumps(TOO_DEEP))
                skipping, start = 0, index + 1
            depth -= 1
    out.append(text[start:] if not skipping else json.dumps(TOO_DEEP))
    return "".join(out)


def check_writable(path: str, option: str) -> None:
    """A file the scan will write can be written: its folder exists and is writable, it is not a folder."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a directory; expected a file to write")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if (target.exists() and not os.access(target, os.W_OK)) or (not target.exists() and not os.access(folder, os.W_OK)):
        raise UsageError(f"{option} {path}: not writable")


@contextlib.contextmanager
def open_output(path: str | None, option: str = "--output") -> Iterator[TextIO]:
    """A text handle to write a report to, piece by piece: standard output, or a temporary file beside `path` that
    replaces it only once the whole report is written (a full disk or a stop never leaves a truncated file in place
    of a good one)."""
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (| head): say nothing more there, and keep Python's exit flush from failing.
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise OutputClosed from None
        return
    target = Path(path)
    try:
        if target.exists() and not stat.S_ISREG(target.stat().st_mode):
            with open(target, "w", encoding="utf-8") as handle:  # a device or a pipe: nothing to rename over
                yield handle
            return
        handle_number, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
        try:
            with os.fdopen(handle_number, "w", encoding="utf-8") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        kept = " (the file as it was is kept)" if target.exists() else ""
        raise UsageError(f"{option} {path}: cannot be written ({error.strerror}){kept}") from None


def write_text(text: str, path: str | None, option: str = "--output") -> None:
    """`text` to standard output, or to `path` whole or not at all: a report is written to a temporary file beside
    it and renamed, so a full disk or a stop never leaves a truncated file in place of a good one."""
    with open_output(path, option) as handle:
        handle.write(text)
