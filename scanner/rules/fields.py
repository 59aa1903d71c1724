"""Checks a rule's JMESPath expressions against the declared fact records: an unknown field is a load error.

JMESPath answers null for a field that does not exist, so a typo (`functon_status`) would make a rule
that never fires. Each expression is walked here with the shape of the record it will read (the
record's fields, `item` for `for_each`, nested records and lists), and every field name is looked up.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from ..schema.facts import fields_of

_LITERAL_NAMES = {"null", "true", "false"}


@dataclass(frozen=True)
class Shape:
    """What an expression's value is: a record (its fields known), a list of something, a map, or anything."""

    kind: Literal["record", "list", "map", "scalar", "any", "null"]
    fields: dict[str, Any] | None = None  # record: name -> Shape-producing type
    element: Shape | None = None  # list and map: the items' shape
    name: str = ""  # what it is, for messages

    @staticmethod
    def of(hint: Any, name: str = "") -> Shape:
        """The shape of a declared field's Python type."""
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            return Shape.of(options[0], name) if len(options) == 1 else Shape("any", name=name)
        if origin is typing.Annotated:
            return Shape.of(typing.get_args(hint)[0], name)
        if origin is list:
            return Shape("list", element=Shape.of(typing.get_args(hint)[0], name), name=name)
        if origin is dict:
            return Shape("map", element=Shape.of(typing.get_args(hint)[1], name), name=name)
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            return record_shape(hint)
        if hint is Any:
            return Shape("any", name=name)
        return Shape("scalar", name=name)


ANY = Shape("any")
SCALAR = Shape("scalar")


def record_shape(record_class: type[Any], extra: dict[str, Shape] | None = None) -> Shape:
    fields: dict[str, Any] = {info.name: info.type for info in fields_of(record_class)}
    fields.update(extra or {})
    label = re.sub(r"(?<!^)(?=[A-Z])", " ", record_class.__name__.removesuffix("Facts")).lower()
    return Shape("record", fields=fields, name=label)


def root_shape(record_class: type[Any], item: Shape | None, template: bool = False,
               each: Shape | None = None) -> Shape:
    """What a rule's expressions read: the record's fields, `item` (with for_each), in messages `unknown_reason`,
    and in a command with its own for_each, `each`."""
    extra = {"item": item or Shape("null", name="item"), "each": each or Shape("null", name="each")}
    if template:
        extra["unknown_reason"] = SCALAR
    return record_shape(record_class, extra)


class FieldError(ValueError):
    """An expression names a field the record does not have."""


def check(parsed: dict[str, Any], shape: Shape) -> Shape:
    """The shape of what `parsed` (a JMESPath AST) yields on `shape`; raises FieldError at the first unknown field."""
    kind = parsed["type"]
    children = parsed.get("children") or []
    if kind == "field":
        return _field(shape, str(parsed["value"]))
    if kind == "subexpression" and children[0]["type"] == "not_expression":
        raise FieldError("`!` binds tighter than `.`: `!item.field` reads as `(!item).field`, always null; "
                         "write `!(item.field)`")
    if kind in ("subexpression", "pipe"):
        return check(children[1], check(children[0], shape))
    if kind == "index_expression":
        left = check(children[0], shape)
        return left.element or ANY if left.kind == "list" else ANY
    if kind == "projection":
        left = check(children[0], shape)
        element = left.element if left.kind == "list" and left.element else ANY
        return Shape("list", element=check(children[1], element))
    if kind == "value_projection":
        left = check(children[0], shape)
        element = left.element if left.kind == "map" and left.element else ANY
        return Shape("list", element=check(children[1], element))
    if kind == "filter_projection":
        left = check(children[0], shape)
        element = left.element if left.kind == "list" and left.element else ANY
        check(children[2], element)
        return Shape("list", element=check(children[1], element))
    if kind == "flatten":
        left = check(children[0], shape)
        if left.kind == "list" and left.element and left.element.kind == "list":
            return left.element
        return left
    if kind in ("current", "identity"):
        return shape
    if kind == "function_expression":
        return _function(str(parsed["value"]), children, shape)
    if kind == "expref":
        return ANY  # checked where the function applies it
    elements = [check(child, shape) for child in children]  # comparators, and/or/not, multi-selects, literals…
    if kind == "multi_select_list":
        return Shape("list", element=elements[0] if len(elements) == 1 else ANY)
    return ANY if kind in ("or_expression", "multi_select_dict") else SCALAR


def _field(shape: Shape, name: str) -> Shape:
    if shape.kind == "record" and shape.fields is not None:
        if name in shape.fields:
            value = shape.fields[name]
            return value if isinstance(value, Shape) else Shape.of(value, name)
        raise FieldError(_unknown_field(shape, name))
    if shape.kind == "null":
        raise FieldError(f"`{shape.name}.{name}`: `{shape.name}` is only set when the rule (for `item`) or the "
                         "command (for `each`) has for_each")
    if shape.kind in ("scalar", "list") and shape.name:
        what = "a list" if shape.kind == "list" else "a single value"
        raise FieldError(f"`{shape.name}` is {what}, it has no field `{name}`")
    return ANY


def _unknown_field(shape: Shape, name: str) -> str:
    if name in _LITERAL_NAMES:
        return (f"bare `{name}` is read by JMESPath as a field name, not a value: write it as a literal, "
                f"`{name}` in backticks (e.g. item.defined == `{name}`)")
    known = sorted(shape.fields or {})
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    article = "an" if shape.name[:1] in "aeiou" else "a"
    return (f"unknown field `{name}`: {article} {shape.name} record has no such field{hint} (see `apigw-scan rules "
            "--fields`)")


def _function(name: str, children: list[dict[str, Any]], shape: Shape) -> Shape:
    arguments = [check(child, shape) if child["type"] != "expref" else None for child in children]
    if name in ("sort_by", "max_by", "min_by", "map") and len(children) == 2:
        listed_index, reference_index = (1, 0) if name == "map" else (0, 1)
        listed = arguments[listed_index]
        element = listed.element if listed and listed.kind == "list" and listed.element else ANY
        if children[reference_index]["type"] == "expref":
            mapped = check(children[reference_index]["children"][0], element)
            return Shape("list", element=mapped) if name == "map" else (element if "_by" in name else listed or ANY)
    if name in ("sort", "reverse") and arguments and arguments[0]:
        return arguments[0]
    if name in ("keys",):
        return Shape("list", element=SCALAR)
    if name == "values" and arguments and arguments[0] and arguments[0].kind == "map":
        return Shape("list", element=arguments[0].element)
    if name in ("merge", "not_null"):
        return ANY
    return SCALAR


# Placeholders in messages and fixes read facts; they may not compute (no comparisons, logic or functions).
_PLACEHOLDER_NODES = {"field", "subexpression", "index_expression", "index", "projection", "flatten", "current",
                      "identity", "slice"}


def template_logic(parsed: dict[str, Any]) -> str | None:
    """The first computing construct in a placeholder (&&, ||, ==, a function…), or None for a plain field path."""
    if parsed["type"] not in _PLACEHOLDER_NODES:
        return str(parsed["type"]).replace("_", " ")
    for child in parsed.get("children") or []:
        found = template_logic(child)
        if found:
            return found
    return None


def fields_named(parsed: dict[str, Any]) -> set[str]:
    """Every field name a JMESPath AST reads, at any depth."""
    names = {str(parsed["value"])} if parsed["type"] == "field" else set()
    for child in parsed.get("children") or []:
        if isinstance(child, dict):
            names |= fields_named(child)
    return names
