"""A variable's type constraint applied to its value, as Terraform converts it: numbers and bools given as text
become numbers and bools, and an object type's optional() attributes left out take their default (or null).
Modules of the registry lean on that: `v.route_response` of a route that sets none is null, not an error."""

from __future__ import annotations

from typing import Any

from .evaluate import Evaluator
from .values import EvaluationError, Unknown, to_bool, to_number, to_text

MAX_DEPTH = 32


def conform(value: Any, constraint: Any, evaluator: Evaluator, depth: int = 0) -> Any:
    """`value` converted to the type `constraint` (a type expression as parsed); what does not convert is left as
    it is (Terraform would refuse it; the reader reads it as written)."""
    if value is None or isinstance(value, Unknown) or depth > MAX_DEPTH:
        return value
    node = _unwrap(constraint)
    kind = type(node).__name__
    try:
        if kind == "IdentifierRule":
            return _primitive(value, str(node.serialize()))
        if kind != "FunctionCallRule":
            return value
        name = "::".join(str(part.serialize()) for part in node.identifiers)
        arguments = list(node.arguments.arguments) if node.arguments is not None else []
        if name in ("list", "set") and arguments and isinstance(value, list):
            return [conform(item, arguments[0], evaluator, depth + 1) for item in value]
        if name == "map" and arguments and isinstance(value, dict):
            return {key: conform(item, arguments[0], evaluator, depth + 1) for key, item in value.items()}
        if name == "tuple" and arguments and isinstance(value, list):
            kinds = getattr(_unwrap(arguments[0]), "elements", None) or []
            return [conform(item, kinds[index], evaluator, depth + 1) if index < len(kinds) else item
                    for index, item in enumerate(value)]
        if name == "object" and arguments and isinstance(value, dict):
            return _object(value, _unwrap(arguments[0]), evaluator, depth)
    except EvaluationError:
        return value
    return value


def _object(value: dict[str, Any], shape: Any, evaluator: Evaluator, depth: int) -> dict[str, Any]:
    if type(shape).__name__ != "ObjectRule":
        return value
    found = dict(value)
    for element in shape.elements:
        key = element.key
        inner = getattr(key, "value", None) or getattr(key, "expression", None)
        name = str(inner.serialize()).strip('"') if inner is not None else ""
        attribute = _unwrap(element.expression)
        optional = type(attribute).__name__ == "FunctionCallRule" and \
            "::".join(str(part.serialize()) for part in attribute.identifiers) == "optional"
        if optional:
            arguments = list(attribute.arguments.arguments) if attribute.arguments is not None else []
            kind = arguments[0] if arguments else None
            if name not in found or found[name] is None:
                found[name] = evaluator.value(arguments[1]) if len(arguments) > 1 else None
            if kind is not None:
                found[name] = conform(found[name], kind, evaluator, depth + 1)
        elif name in found:
            found[name] = conform(found[name], element.expression, evaluator, depth + 1)
    return found


def _primitive(value: Any, kind: str) -> Any:
    if kind == "string" and isinstance(value, (int, float, bool)):
        return to_text(value)
    if kind == "number" and isinstance(value, str):
        return to_number(value)
    if kind == "bool" and isinstance(value, str):
        return to_bool(value)
    return value


def _unwrap(node: Any) -> Any:
    while type(node).__name__ == "ExprTermRule":
        node = node.expression
    return node
