"""JMESPath expressions compiled once into Python closures: the answers of jmespath's own interpreter (the same
truth, comparisons, projections and functions), without its per-call setup and per-node dispatch — rules run
over every fact record of an organization."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import jmespath
from jmespath import functions
from jmespath.parser import ParsedResult
from jmespath.visitor import _equals, _Expression, _is_actual_number, _is_comparable

Run = Callable[[Any], Any]
_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}
_FUNCTIONS = functions.Functions()


class CompiledExpression(ParsedResult):  # type: ignore[misc]  # jmespath has no type hints
    """A parsed expression whose `search` runs its compiled closure."""

    def __init__(self, expression: str, parsed: dict[str, Any]) -> None:
        super().__init__(expression, parsed)
        self.run = _compile(parsed)
        self.search = self.run  # options are jmespath's: none is ever given


def compile_expression(text: str) -> CompiledExpression:
    """`text` parsed (jmespath's parser and errors) and compiled."""
    return CompiledExpression(text, jmespath.compile(text).parsed)


def _same(first: Any, second: Any) -> bool:
    """JMESPath's equality: Python's, except that 0 and 1 are not false and true (only a boolean side can make
    them differ)."""
    if type(first) is bool or type(second) is bool:
        return bool(_equals(first, second))
    return bool(first == second)


def is_false(value: Any) -> bool:
    """JMESPath's falsehood: empty string, list or object, null, false (0 is true)."""
    return value == "" or value == [] or value == {} or value is None or value is False


class _Runner:
    """What jmespath's functions call an expression reference with (sort_by, max_by, map …)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def visit(self, _node: Any, value: Any) -> Any:
        return self.run(value)


def _compile(node: dict[str, Any]) -> Run:
    kind = node["type"]
    children = node.get("children") or []
    builder = _BUILDERS.get(kind)
    if builder is None:  # a node this compiler does not know: jmespath's interpreter answers it
        fallback = ParsedResult("", node)
        return lambda value: fallback.search(value)
    return builder(node, [_compile(child) if isinstance(child, dict) else child for child in children])


def _field(node: dict[str, Any], _: list[Any]) -> Run:
    key = node["value"]

    def field(value: Any) -> Any:
        try:
            return value.get(key)
        except AttributeError:
            return None
    return field


def _chain(_: dict[str, Any], steps: list[Run]) -> Run:
    if len(steps) == 2:
        first, second = steps
        return lambda value: second(first(value))

    def chain(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value
    return chain


def _comparator(node: dict[str, Any], sides: list[Run]) -> Run:
    left, right = sides
    name = node["value"]
    if name == "eq":
        return lambda value: _same(left(value), right(value))
    if name == "ne":
        return lambda value: not _same(left(value), right(value))
    compare = _ORDERING[name]

    def ordering(value: Any) -> Any:
        first, second = left(value), right(value)
        if not (_is_comparable(first) and _is_comparable(second)):
            return None
        return compare(first, second)
    return ordering


def _current(_: dict[str, Any], __: list[Any]) -> Run:
    return lambda value: value


def _expref(_: dict[str, Any], children: list[Run]) -> Run:
    reference = _Expression(None, _Runner(children[0]))
    return lambda value: reference


def _function(node: dict[str, Any], arguments: list[Run]) -> Run:
    name = node["value"]
    call = _FUNCTIONS.call_function
    return lambda value: call(name, [argument(value) for argument in arguments])


def _filter_projection(_: dict[str, Any], children: list[Run]) -> Run:
    base, right, condition = children
    return lambda value: _projected(base(value), right, condition)


def _projected(found: Any, right: Run, condition: Run | None = None) -> Any:
    """A projection's answer: `right` of each element of a list that `condition` keeps, nulls left out; null when
    there is no list to project."""
    if not isinstance(found, list):
        return None
    collected = []
    for element in found:
        if condition is None or not is_false(condition(element)):
            current = right(element)
            if current is not None:
                collected.append(current)
    return collected


def _flatten(_: dict[str, Any], children: list[Run]) -> Run:
    base = children[0]

    def flatten(value: Any) -> Any:
        found = base(value)
        if not isinstance(found, list):
            return None
        merged: list[Any] = []
        for element in found:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged
    return flatten


def _index(node: dict[str, Any], _: list[Any]) -> Run:
    position = node["value"]

    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None
    return index


def _slice(_: dict[str, Any], bounds: list[Any]) -> Run:
    cut = slice(*bounds)
    return lambda value: value[cut] if isinstance(value, list) else None


def _literal(node: dict[str, Any], _: list[Any]) -> Run:
    constant = node["value"]
    return lambda value: constant


def _multi_select_dict(node: dict[str, Any], pairs: list[Run]) -> Run:
    keys = [child["value"] for child in node["children"]]

    def selected(value: Any) -> Any:
        if value is None:
            return None
        return {key: pair(value) for key, pair in zip(keys, pairs, strict=True)}
    return selected


def _key_val_pair(_: dict[str, Any], children: list[Run]) -> Run:
    return children[0]


def _multi_select_list(_: dict[str, Any], items: list[Run]) -> Run:
    return lambda value: None if value is None else [item(value) for item in items]


def _or(_: dict[str, Any], sides: list[Run]) -> Run:
    left, right = sides

    def either(value: Any) -> Any:
        matched = left(value)
        return right(value) if is_false(matched) else matched
    return either


def _and(_: dict[str, Any], sides: list[Run]) -> Run:
    left, right = sides

    def both(value: Any) -> Any:
        matched = left(value)
        return matched if is_false(matched) else right(value)
    return both


def _not(_: dict[str, Any], children: list[Run]) -> Run:
    inner = children[0]

    def negated(value: Any) -> Any:
        found = inner(value)
        if _is_actual_number(found) and found == 0:
            return False  # !0 is false: 0 is no special case in JMESPath
        return not found
    return negated


def _projection(_: dict[str, Any], children: list[Run]) -> Run:
    base, right = children
    return lambda value: _projected(base(value), right)


def _value_projection(_: dict[str, Any], children: list[Run]) -> Run:
    base, right = children

    def projected(value: Any) -> Any:
        try:
            found = list(base(value).values())
        except AttributeError:
            return None
        return _projected(found, right)
    return projected


_BUILDERS: dict[str, Callable[[dict[str, Any], list[Any]], Run]] = {
    "field": _field, "subexpression": _chain, "index_expression": _chain, "pipe": _chain,
    "comparator": _comparator, "current": _current, "identity": _current, "expref": _expref,
    "function_expression": _function, "filter_projection": _filter_projection, "flatten": _flatten,
    "index": _index, "slice": _slice, "literal": _literal, "multi_select_dict": _multi_select_dict,
    "key_val_pair": _key_val_pair, "multi_select_list": _multi_select_list, "or_expression": _or,
    "and_expression": _and, "not_expression": _not, "projection": _projection,
    "value_projection": _value_projection,
}
