"""Reads a Terraform module's `.tf` files with python-hcl2 (the `terraform` extra) into blocks that keep their file,
line and raw expressions; a file HCL cannot read is one line naming it and where."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError

MISSING_EXTRA = "--terraform needs the Terraform reader: pip install 'apigw-scan[terraform]' (python-hcl2)"
MAX_FILE_BYTES = 4_000_000  # a configuration file larger than this is refused, never parsed for minutes
MAX_TEMPLATE_BYTES = 1_000_000  # heredocs and templatefile() contents read as templates
_NO_LINE = 0


@dataclass
class Attribute:
    """`name = expression`: the expression as python-hcl2 parsed it (evaluated later, or read for references)."""

    name: str
    expression: Any
    line: int


@dataclass
class Block:
    """`kind "label" … { body }` with where it was written."""

    kind: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    file: str = ""
    line: int = _NO_LINE

    def children(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]


def _hcl() -> Any:
    try:
        import hcl2
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    return hcl2


def read_module(folder: Path, display: Callable[[Path], str]) -> list[Block]:
    """Every top-level block of the `.tf` files of one module folder, files in name order (as Terraform reads them);
    `display` names a file as the user knows it."""
    try:
        files = sorted(path for path in folder.iterdir() if path.suffix == ".tf" and path.is_file())
    except OSError as error:
        raise UsageError(f"--terraform {display(folder)}: cannot be read ({error.strerror})") from None
    blocks: list[Block] = []
    for path in files:
        blocks += read_file(path, display(path))
    return blocks


def _read_text(path: Path, shown: str) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(f"{shown}: larger than {MAX_FILE_BYTES // 1_000_000} MB, not read")
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{shown}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{shown}: not UTF-8 text, as Terraform requires") from None


def read_file(path: Path, shown: str) -> list[Block]:
    text = _read_text(path, f"--terraform {shown}")
    return [_block(child, shown) for child in _body_children(parse_text(text, shown)) if _is_block(child)]


_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\r?$)", re.M)


def parse_text(text: str, shown: str) -> Any:
    """The StartRule of HCL text; a syntax error is one line with the file, line and column. Blanks at the end of
    lines are dropped first: Terraform accepts a heredoc's closing marker followed by spaces, python-hcl2 does not
    (lines keep their numbers; only trailing blanks inside heredocs are lost)."""
    hcl2 = _hcl()
    try:
        return hcl2.parses(_TRAILING_BLANKS.sub("", text))
    except RecursionError:
        raise UsageError(f"--terraform {shown}: nested too deeply to read") from None
    except Exception as error:  # noqa: BLE001 - lark's and python-hcl2's errors share no base class
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        where = f" at line {line}, column {column}" if isinstance(line, int) and line > 0 else ""
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UsageError(f"--terraform {shown}: not HCL Terraform can read{where} ({first[:200]})") from None


def parse_template(text: str, shown: str) -> Any:
    """A template's text (a heredoc's, or a templatefile()'s) parsed as a quoted HCL template: the StringRule."""
    if len(text) > MAX_TEMPLATE_BYTES:
        raise UsageError(f"{shown}: a template larger than {MAX_TEMPLATE_BYTES // 1_000_000} MB is not read")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    start = parse_text(f'template = "{escaped}"\n', shown)
    [attribute] = [child for child in _body_children(start) if _kind(child) == "AttributeRule"]
    return attribute.expression


def parse_expression(text: str, shown: str) -> Any:
    """One HCL expression (a --var value of a complex type)."""
    start = parse_text(f"value = {text}\n", shown)
    found = [child for child in _body_children(start) if _kind(child) == "AttributeRule"]
    if len(found) != 1:
        raise UsageError(f"{shown}: expected one HCL value")
    return found[0].expression


def read_attributes(path: Path, shown: str) -> dict[str, Attribute]:
    """The attributes of a .tfvars file (blocks are not allowed there)."""
    text = _read_text(path, shown)
    found = {}
    for child in _body_children(parse_text(text, shown)):
        if _is_block(child):
            raise UsageError(f"{shown}: a variables file holds NAME = VALUE lines, not blocks")
        if _kind(child) == "AttributeRule":
            found[str(child.identifier.serialize())] = Attribute(str(child.identifier.serialize()), child.expression,
                                                                 line_of(child))
    return found


def line_of(node: Any) -> int:
    meta = getattr(node, "_meta", None)
    line = getattr(meta, "line", None)
    return line if isinstance(line, int) else _NO_LINE


def _kind(node: Any) -> str:
    return type(node).__name__


def _is_block(node: Any) -> bool:
    return _kind(node) == "BlockRule"


def _body_children(start: Any) -> list[Any]:
    body = getattr(start, "body", None)
    return list(getattr(body, "children", []) or [])


def label_text(label: Any) -> str:
    """A block label: an identifier, or a quoted string (its characters, without the quotes)."""
    if _kind(label) == "IdentifierRule":
        return str(label.serialize())
    parts = getattr(label, "string_parts", None) or []
    return "".join(str(part.serialize()) for part in parts)


def _block(node: Any, shown: str) -> Block:
    labels = [label_text(label) for label in node.labels]
    block = Block(kind=labels[0], labels=tuple(labels[1:]), file=shown, line=line_of(node))
    for child in node.body.children:
        if _kind(child) == "AttributeRule":
            name = str(child.identifier.serialize())
            block.attributes[name] = Attribute(name, child.expression, line_of(child))
        elif _is_block(child):
            block.blocks.append(_block(child, shown))
    return block
