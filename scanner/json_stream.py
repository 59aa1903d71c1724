"""JSON files read a piece at a time: the members of a file's top-level object in turn, and the big arrays among
them (a report's rows and findings, a snapshots file's accounts) one element at a time, so that no file is ever
held whole. Each value is read as files.parse_json reads a whole file: a value nested too deeply is TOO_DEEP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from .files import MAX_DEPTH, said_as_usage, shallow, too_deep

CHUNK = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Stream:
    """A JSON text read through a buffer that holds what is being parsed, never the whole text."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.buffer = ""
        self.position = 0
        self.done = False

    def more(self, at_least: int = CHUNK) -> bool:
        """Reads on (at least `at_least` characters, unless the text ends); False at its end."""
        if self.done:
            return False
        if self.position > CHUNK:
            self.buffer, self.position = self.buffer[self.position:], 0
        read = self.handle.read(max(at_least, CHUNK))
        if not read:
            self.done = True
            return False
        self.buffer += read
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self.position = _SPACE.match(self.buffer, self.position).end()  # type: ignore[union-attr]
            if self.position < len(self.buffer) or not self.more():
                return self.buffer[self.position:self.position + 1]

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            raise json.JSONDecodeError(f"Expecting '{expected}'", self.buffer, self.position)
        self.position += 1

    def value(self, depth: int = 0) -> Any:
        """The value that starts here; `depth`: how deep in the document it is (its nesting counts from there)."""
        self.peek()
        while True:
            start = self.position
            try:
                value, end = _DECODER.raw_decode(self.buffer, start)
            except json.JSONDecodeError:
                if self.more(len(self.buffer) - start):  # the value goes on past the buffer
                    continue
                raise
            except RecursionError:
                return self._deep(depth)
            if end == len(self.buffer) and self.more():  # a number may go on past the buffer
                continue
            break
        self.position = end
        if not isinstance(value, (dict, list)):
            return value
        text = self.buffer[start:end]
        return json.loads(shallow(text, MAX_DEPTH - depth)) if too_deep(text, MAX_DEPTH - depth) else value

    def _deep(self, depth: int) -> Any:
        """A value too deep for the parser: its extent found without recursion, read with the deep parts left out."""
        while self.more(len(self.buffer)):
            pass
        start = self.position
        level, index, in_string, escaped = 0, start, False, False
        for index in range(start, len(self.buffer)):
            char = self.buffer[index]
            if in_string:
                escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
            elif char == '"':
                in_string = True
            elif char in "[{":
                level += 1
            elif char in "]}":
                level -= 1
                if level == 0:
                    break
        self.position = index + 1
        return json.loads(shallow(self.buffer[start:self.position], MAX_DEPTH - depth))

    def elements(self) -> Iterator[Any]:
        """The elements of the array that starts here."""
        self.take("[")
        if self.peek() == "]":
            self.position += 1
            return
        while True:
            yield self.value(2)
            if self.peek() == ",":
                self.position += 1
                continue
            self.take("]")
            return


def read_members(handle: TextIO, streamed: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """(key, value) for each member of the top-level object, in the file's order; the value of a key in `streamed`
    that is an array is an iterator over its elements, to read before the next member (what is left of it is
    skipped). Raises ValueError on text that is not a JSON object."""
    stream = _Stream(handle)
    stream.take("{")
    if stream.peek() == "}":
        stream.position += 1
    else:
        while True:
            key = stream.value()
            if not isinstance(key, str):
                raise json.JSONDecodeError("Expecting a property name", stream.buffer, stream.position)
            stream.take(":")
            if key in streamed and stream.peek() == "[":
                elements = stream.elements()
                yield key, elements
                for _ in elements:
                    pass
            else:
                yield key, stream.value(1)
            if stream.peek() == ",":
                stream.position += 1
                continue
            stream.take("}")
            break
    if stream.peek():
        raise json.JSONDecodeError("Extra data", stream.buffer, stream.position)


def members_of(path: str, option: str, what: str, streamed: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """read_members of a file, its problems said as usage errors naming the option and what was expected."""
    with said_as_usage(path, option, what), open(path, encoding="utf-8") as handle:
        yield from read_members(handle, streamed)
