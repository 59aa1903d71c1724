"""Evaluates Terraform expressions (python-hcl2's parse tree) as Terraform would: templates, operators, conditionals,
`for`, splats, indexes and functions. Names are looked up in a scope (variables, locals, resources, modules); what
cannot be known before apply is `Unknown` with the reason, never a guess."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from .functions import FUNCTIONS, Context
from .parse import parse_template
from .values import (
    EvaluationError,
    Lazy,
    PartialText,
    Unknown,
    check_size,
    first_unknown,
    joined,
    materialize,
    to_bool,
    to_number,
    to_text,
    type_name,
    unknown_mark,
)

MAX_DEPTH = 200  # nested expressions (and for-loops over for-loops) deeper than this are unknown
MAX_ITEMS = 100_000  # a for expression, range() or splat that would make more items is unknown
_HEREDOC = re.compile(r"^<<-?([A-Za-z_][\w-]*)\r?\n(?P<body>.*?)\r?\n?[ \t]*\1\s*$", re.S)


class Scope(Protocol):
    """Where names are looked up: `var`, `local`, `module`, `data`, resource types, `path`, `count`, `each`…"""

    context: Context

    def head(self, root: str, names: list[str]) -> tuple[Any, int]:
        """The value `root.names[0]…` names and how many of `names` it consumed."""


class Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.frames: list[dict[str, Any]] = []  # iterator variables of for expressions and dynamic blocks
        self.depth = 0
        self.marks_unknowns = False  # in a templatefile(): unknown values written as marks

    @contextmanager
    def bound(self, names: dict[str, Any]) -> Iterator[None]:
        self.frames.append(names)
        try:
            yield
        finally:
            self.frames.pop()

    def value(self, node: Any) -> Any:
        """The value of an expression node; what Terraform would refuse is Unknown with the reason."""
        try:
            return self.evaluate(node)
        except EvaluationError as error:
            return Unknown(str(error))
        except RecursionError:
            return Unknown("an expression nested too deeply")

    def evaluate(self, node: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise EvaluationError("an expression nested too deeply")
            handler = _HANDLERS.get(type(node).__name__)
            if handler is None:
                raise EvaluationError(f"an expression the reader does not know ({type(node).__name__})")
            return handler(self, node)
        finally:
            self.depth -= 1

    # -- names and traversals --------------------------------------------------------------------------------

    def _traversal(self, node: Any) -> Any:
        root, steps = flatten(node)
        if type(root).__name__ == "IdentifierRule":
            name = str(root.serialize())
            for frame in reversed(self.frames):
                if name in frame:
                    return self.apply(frame[name], steps)
            names = []
            for kind, step in steps:
                if kind != "attr":
                    break
                names.append(step)
            value, consumed = self.scope.head(name, names)
            return self.apply(value, steps[consumed:])
        return self.apply(self.evaluate(root), steps)

    def apply(self, value: Any, steps: list[tuple[str, Any]]) -> Any:
        for position, (kind, step) in enumerate(steps):
            if isinstance(value, Unknown):
                return value
            if kind == "attr":
                value = attribute(value, step)
            elif kind == "index":
                value = index(value, self.evaluate(step) if not isinstance(step, int) else step)
            else:  # a splat: the rest of its own steps on every element
                if value is None:
                    value = []
                elements = value if isinstance(value, list) else [value]
                if len(elements) > MAX_ITEMS:
                    raise EvaluationError("a splat over too many elements")
                value = [self.apply(element, step) for element in elements]
                return self.apply(value, steps[position + 1:])
        return value

    # -- strings and templates -------------------------------------------------------------------------------

    def _string(self, node: Any) -> Any:
        parts = node.string_parts
        if len(parts) == 1 and type(parts[0].content).__name__ == "InterpolationRule":
            return self.evaluate(parts[0].content.expression)  # "${x}" is x itself, not its text (HCL spec)
        return self.template(parts)

    def template(self, parts: list[Any]) -> Any:
        pieces: list[str] = []
        for part in parts:
            content = part.content if type(part).__name__ == "StringPartRule" else part
            kind = type(content).__name__
            if kind == "InterpolationRule":
                found = self.evaluate(content.expression)
                if self.marks_unknowns:
                    found = _marked(found)
                if isinstance(found, Unknown):
                    return found
                pieces.append(to_text(materialize(found)))
            elif kind in ("TemplateIfRule", "TemplateForRule"):
                found = self._template_if(content) if kind == "TemplateIfRule" else self._template_for(content)
                if isinstance(found, Unknown):
                    return found
                pieces.append(found)
            else:
                pieces.append(literal_text(content))
        return joined(pieces)

    def _template_if(self, node: Any) -> Any:
        start, *rest = node.children
        end_at = len(rest) - 1
        else_at = next((i for i, child in enumerate(rest) if type(child).__name__ == "TemplateElseRule"), end_at)
        condition = self.evaluate(start.condition)
        if isinstance(condition, Unknown):
            return condition
        return self.template(rest[:else_at] if to_bool(condition) else rest[else_at + 1:end_at])

    def _template_for(self, node: Any) -> Any:
        start, *body, _end = node.children
        collection = materialize(self.evaluate(start.collection))
        names = [str(start.iterator.serialize())]
        if start.key_iterator is not None:
            names.append(str(start.key_iterator.serialize()))
        pieces = []
        for bound in iterations(collection, names):
            if isinstance(bound, Unknown):
                return bound
            with self.bound(bound):
                found = self.template(body)
            if isinstance(found, Unknown):
                return found
            pieces.append(found)
        return joined(pieces)

    def _heredoc(self, node: Any) -> Any:
        raw = str(node.heredoc.serialize())
        match = _HEREDOC.match(raw)
        if match is None:
            raise EvaluationError("a heredoc the reader cannot read")
        body = match["body"]
        if type(node).__name__ == "HeredocTrimTemplateRule":
            lines = body.split("\n")
            widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
            cut = min(widths, default=0)
            body = "\n".join(line[cut:] for line in lines)
        return self.template_text(body + "\n", "a heredoc")

    def template_file(self, text: str, variables: dict[str, Any], shown: str) -> Any:
        """templatefile(): the file's template sees only the variables given to it; an unknown one is written as a
        mark, so what the template writes around it stays readable (an OpenAPI body with an unknown ARN)."""
        isolated = Evaluator(_Isolated(self.scope.context))
        isolated.marks_unknowns = True
        with isolated.bound(variables):
            return isolated.template_text(text, shown)

    def template_text(self, text: str, shown: str) -> Any:
        """A template given as text (a heredoc's body, a templatefile()'s file) evaluated in this scope."""
        if "${" not in text and "%{" not in text:
            return check_size(text)
        try:
            parsed = parse_template(text, shown)
        except Exception as error:  # noqa: BLE001 - the template's own syntax error: the value is unknown
            raise EvaluationError(f"{shown} is not a template Terraform can read ({str(error)[:160]})") from None
        return self.evaluate(parsed)

    # -- collections, operators, functions -------------------------------------------------------------------

    def _tuple(self, node: Any) -> Any:
        return [self.evaluate(element) for element in node.elements]

    def _object(self, node: Any) -> Any:
        found: dict[str, Any] = {}
        for element in node.elements:
            key = self._key(element.key)
            if isinstance(key, Unknown):
                return key
            found[key] = self.evaluate(element.expression)
        return found

    def _key(self, node: Any) -> Any:
        if type(node).__name__ == "ObjectElemKeyRule":
            inner = node.value
            if type(inner).__name__ == "IdentifierRule":
                return str(inner.serialize())
            if type(inner).__name__ in ("IntLitRule", "FloatLitRule"):
                return to_text(to_number(str(inner.serialize())))
            key = self.evaluate(inner)
        else:
            key = self.evaluate(node.expression)
        return key if isinstance(key, Unknown) else to_text(materialize(key))

    def _conditional(self, node: Any) -> Any:
        condition = self.evaluate(node.condition)
        if isinstance(condition, Unknown):
            return condition
        return self.evaluate(node.if_true if to_bool(condition) else node.if_false)

    def _unary(self, node: Any) -> Any:
        value = self.evaluate(node.expr_term)
        if isinstance(value, Unknown):
            return value
        if node.operator == "!":
            return not to_bool(value)
        return -to_number(value)

    def _binary(self, node: Any) -> Any:
        left = self.evaluate(node.expr_term)
        operator = str(node.binary_term.binary_operator.serialize()).strip()
        right = self.evaluate(node.binary_term.expr_term)
        return binary(operator, left, right)

    def _for(self, node: Any) -> Any:
        intro = node.for_intro
        collection = materialize(self.evaluate(intro.iterable))
        names = [str(intro.first_iterator.serialize())]
        if intro.second_iterator is not None:
            names.append(str(intro.second_iterator.serialize()))
        is_object = type(node).__name__ == "ForObjectExprRule"
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        for bound in iterations(collection, names):
            if isinstance(bound, Unknown):
                return bound
            with self.bound(bound):
                if node.condition is not None:
                    keep = self.evaluate(node.condition.condition_expr)
                    if isinstance(keep, Unknown):
                        return keep
                    if not to_bool(keep):
                        continue
                if not is_object:
                    items.append(self.evaluate(node.value_expr))
                    continue
                key = self.evaluate(node.key_expr)
                if isinstance(key, Unknown):
                    return key
                key = to_text(key)
                value = self.evaluate(node.value_expr)
                if node.ellipsis is not None:
                    mapping.setdefault(key, []).append(value)
                elif key in mapping:
                    raise EvaluationError(f"duplicate key {key[:60]!r} in a for expression (use ... to group)")
                else:
                    mapping[key] = value
        return mapping if is_object else items

    def _call(self, node: Any) -> Any:
        name = "::".join(str(part.serialize()) for part in node.identifiers)
        arguments_node = node.arguments
        nodes = list(arguments_node.arguments) if arguments_node is not None else []
        if name in ("try", "can"):
            return self._try(name, nodes)
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"{name}() is not evaluated by the reader")
        arguments = [self.evaluate(argument) for argument in nodes]
        if arguments_node is not None and arguments_node.has_ellipsis and arguments:
            expanded = materialize(arguments.pop())
            if isinstance(expanded, Unknown):
                return expanded
            if not isinstance(expanded, list):
                raise EvaluationError(f"{name}(...): the expanded argument is not a list")
            arguments += expanded
        return function(self.scope.context, self, arguments)

    def _try(self, name: str, nodes: list[Any]) -> Any:
        for node in nodes:
            try:
                value = self.evaluate(node)
            except EvaluationError:
                continue
            if name == "can":
                return True if first_unknown(value) is None else value
            return value
        if name == "can":
            return False
        raise EvaluationError("try(): no argument could be evaluated")


def _marked(found: Any) -> Any:
    """An interpolated value in a templatefile(): an unknown one as its mark (a PartialText)."""
    if isinstance(found, Unknown) and not found.always:
        mark = unknown_mark(found.reason)
        return PartialText(mark, found.reason, {mark: found.reason})
    return found


class _Isolated:
    def __init__(self, context: Context) -> None:
        self.context = context

    def head(self, root: str, names: list[str]) -> tuple[Any, int]:
        raise EvaluationError(f"{root} is not a variable given to the template")


def flatten(node: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """A traversal (`a.b[0][*].c`) as its root expression and the steps after it."""
    steps: list[tuple[str, Any]] = []
    while True:
        kind = type(node).__name__
        if kind == "ExprTermRule":
            node = node.expression
        elif kind == "GetAttrExprTermRule":
            steps.append(("attr", str(node.get_attr.identifier.serialize())))
            node = node.expr_term
        elif kind == "IndexExprTermRule":
            steps.append(_index_step(node.children[1]))
            node = node.children[0]
        elif kind in ("AttrSplatExprTermRule", "FullSplatExprTermRule"):
            inner = [("attr", str(step.identifier.serialize())) if type(step).__name__ == "GetAttrRule"
                     else _index_step(step) for step in node.attr_splat.get_attrs]
            steps.append(("splat", inner))
            node = node.expr_term
        else:
            break
    steps.reverse()
    return node, steps


def _index_step(node: Any) -> tuple[str, Any]:
    if type(node).__name__ == "ShortIndexRule":
        return ("index", int(str(node.index.serialize())))
    return ("index", node.index_expression)


def attribute(value: Any, name: str) -> Any:
    if isinstance(value, Lazy):
        return value.get(name)
    if isinstance(value, dict):
        if name not in value:
            raise EvaluationError(f"no attribute {name!r}")
        return value[name]
    raise EvaluationError(f"a {type_name(value)} has no attribute {name!r}")


def index(value: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return key
    if isinstance(value, Lazy):
        return value.get(to_text(key))
    if isinstance(value, list):
        position = to_number(key)
        if not isinstance(position, int) and not float(position).is_integer():
            raise EvaluationError("a list index must be a whole number")
        position = int(position)
        if not 0 <= position < len(value):
            raise EvaluationError(f"index {position} out of range (the list has {len(value)} elements)")
        return value[position]
    if isinstance(value, dict):
        text = to_text(key)
        if text not in value:
            raise EvaluationError(f"no key {text[:60]!r}")
        return value[text]
    raise EvaluationError(f"a {type_name(value)} cannot be indexed")


def iterations(collection: Any, names: list[str]) -> Iterator[dict[str, Any] | Unknown]:
    """The bindings of a for expression's iterator names over a list, set or map."""
    if isinstance(collection, Unknown):
        yield collection
        return
    unknown = first_unknown(collection) if isinstance(collection, dict) else None
    if isinstance(collection, list):
        pairs: list[tuple[Any, Any]] = list(enumerate(collection))
    elif isinstance(collection, dict):
        if unknown is not None and any(isinstance(key, Unknown) for key in collection):
            yield unknown
            return
        pairs = sorted(collection.items())
    else:
        raise EvaluationError(f"cannot iterate over a {type_name(collection)}")
    if len(pairs) > MAX_ITEMS:
        raise EvaluationError("a for expression over too many elements")
    for key, value in pairs:
        yield {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}


def literal_text(content: Any) -> str:
    """A template's literal characters, escapes processed (`$${` and `%%{` stand for `${` and `%{`)."""
    name = getattr(content, "lark_name", lambda: "")()
    text = str(getattr(content, "value", "") or "")
    if name == "ESCAPED_INTERPOLATION":
        return text[1:]
    if name == "ESCAPED_DIRECTIVE":
        return text[1:]
    if name == "STRING_CHARS":
        return unescape(text)
    return text


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)


def unescape(text: str) -> str:
    def replace(found: re.Match[str]) -> str:
        code = found[1] or found[2]
        if code:
            point = int(code, 16)
            return chr(point) if point <= 0x10FFFF and not 0xD800 <= point < 0xE000 else found[0]
        return _ESCAPES.get(found[3], found[0])
    return _ESCAPE.sub(replace, text)


def binary(operator: str, left: Any, right: Any) -> Any:
    """HCL's arithmetic, comparison and logic operators."""
    if operator in ("&&", "||"):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            known = [to_bool(v) for v in (left, right) if not isinstance(v, Unknown)]
            if operator == "&&" and False in known:
                return False
            if operator == "||" and True in known:
                return True
            return left if isinstance(left, Unknown) else right
        return to_bool(left) and to_bool(right) if operator == "&&" else to_bool(left) or to_bool(right)
    for side in (left, right):
        found = first_unknown(side)
        if found is not None:
            return found
    if operator in ("==", "!="):
        same = _equal(materialize(left), materialize(right))
        return same if operator == "==" else not same
    a, b = to_number(left), to_number(right)
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator in ("/", "%"):
        if b == 0:
            raise EvaluationError("division by zero")
        if operator == "/":
            result = a / b
            return int(result) if float(result).is_integer() and isinstance(a, int) and isinstance(b, int) \
                and a % b == 0 else result
        return a - b * int(a / b)
    comparisons = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}
    if operator in comparisons:
        return comparisons[operator]
    raise EvaluationError(f"operator {operator!r}")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return float(left) == float(right)
    return type_name(left) == type_name(right) and bool(left == right)


def _literal(_: Evaluator, node: Any) -> Any:
    return node.serialize()


def _number(_: Evaluator, node: Any) -> Any:
    return to_number(str(node.serialize()))


_HANDLERS: dict[str, Any] = {
    "ExprTermRule": lambda ev, node: ev.evaluate(node.expression),
    "GetAttrExprTermRule": Evaluator._traversal,
    "IndexExprTermRule": Evaluator._traversal,
    "AttrSplatExprTermRule": Evaluator._traversal,
    "FullSplatExprTermRule": Evaluator._traversal,
    "IdentifierRule": Evaluator._traversal,
    "LiteralValueRule": _literal,
    "IntLitRule": _number,
    "FloatLitRule": _number,
    "StringRule": Evaluator._string,
    "TemplateStringRule": lambda ev, node: unescape(node.inner_value),
    "HeredocTemplateRule": Evaluator._heredoc,
    "HeredocTrimTemplateRule": Evaluator._heredoc,
    "TupleRule": Evaluator._tuple,
    "ObjectRule": Evaluator._object,
    "ConditionalRule": Evaluator._conditional,
    "UnaryOpRule": Evaluator._unary,
    "BinaryOpRule": Evaluator._binary,
    "ForTupleExprRule": Evaluator._for,
    "ForObjectExprRule": Evaluator._for,
    "FunctionCallRule": Evaluator._call,
}
