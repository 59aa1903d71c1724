"""Terraform's built-in functions (those configurations of APIs, pools and functions use), evaluated as Terraform
does. Files are read only inside the configuration's folder; values that change on every apply (timestamp(),
uuid()) are unknown and marked so."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .values import (
    EvaluationError,
    Unknown,
    check_size,
    first_unknown,
    json_text,
    materialize,
    to_bool,
    to_number,
    to_text,
    type_name,
)

MAX_FILE_BYTES = 4_000_000
MAX_REGEX_INPUT = 20_000
REGEX_SECONDS = 0.5


@dataclass
class Context:
    """Where relative paths start (the folder Terraform runs in) and the folders files may be read from."""

    root: Path
    readable: list[Path] = field(default_factory=list)


Function = Callable[[Context, Any, list[Any]], Any]
FUNCTIONS: dict[str, Function] = {}


def _register(name: str, *, strict: bool = True, arity: tuple[int, int] | None = None) -> Callable[[Any], Any]:
    """`strict`: an unknown argument makes the result unknown (most functions); `arity`: (least, most)."""
    def wrap(implementation: Callable[..., Any]) -> Callable[..., Any]:
        def call(context: Context, evaluator: Any, arguments: list[Any]) -> Any:
            arguments = [materialize(argument) for argument in arguments]
            if arity and not arity[0] <= len(arguments) <= arity[1]:
                raise EvaluationError(f"{name}() takes {arity[0]}"
                                      f"{'' if arity[0] == arity[1] else f' to {arity[1]}'} arguments")
            if strict:
                for argument in arguments:
                    found = first_unknown(argument)
                    if found is not None:
                        return found
            return implementation(context, evaluator, *arguments)
        FUNCTIONS[name] = call
        return implementation
    return wrap


def _simple(name: str, arity: tuple[int, int], body: Callable[..., Any]) -> None:
    _register(name, arity=arity)(lambda _context, _evaluator, *arguments: body(*arguments))


# -- strings -------------------------------------------------------------------------------------------------

_ONE: dict[str, Callable[..., Any]] = {
    "lower": lambda text: to_text(text).lower(),
    "upper": lambda text: to_text(text).upper(),
    "title": lambda text: re.sub(r"\b(\w)", lambda m: m[1].upper(), to_text(text)),
    "trimspace": lambda text: to_text(text).strip(),
    "chomp": lambda text: re.sub(r"(\r?\n)+$", "", to_text(text)),
    "strrev": lambda text: to_text(text)[::-1],
    "tostring": lambda value: None if value is None else to_text(value),
    "tonumber": lambda value: None if value is None else to_number(value),
    "tobool": lambda value: None if value is None else to_bool(value),
    "urlencode": lambda text: urllib.parse.quote(to_text(text), safe=""),
    "base64encode": lambda text: base64.b64encode(to_text(text).encode()).decode(),
    "md5": lambda text: hashlib.md5(to_text(text).encode(), usedforsecurity=False).hexdigest(),
    "sha1": lambda text: hashlib.sha1(to_text(text).encode(), usedforsecurity=False).hexdigest(),
    "sha256": lambda text: hashlib.sha256(to_text(text).encode()).hexdigest(),
    "sha512": lambda text: hashlib.sha512(to_text(text).encode()).hexdigest(),
    "base64sha256": lambda text: base64.b64encode(hashlib.sha256(to_text(text).encode()).digest()).decode(),
    "base64sha512": lambda text: base64.b64encode(hashlib.sha512(to_text(text).encode()).digest()).decode(),
    "abs": lambda number: abs(to_number(number)),
    "ceil": lambda number: math.ceil(to_number(number)),
    "floor": lambda number: math.floor(to_number(number)),
    "signum": lambda number: (to_number(number) > 0) - (to_number(number) < 0),
    "basename": lambda text: Path(to_text(text)).name,
    "dirname": lambda text: str(Path(to_text(text)).parent),
    "sensitive": lambda value: value,
    "nonsensitive": lambda value: value,
    "type": lambda value: type_name(value),
}
_TWO: dict[str, Callable[..., Any]] = {
    "trim": lambda text, characters: to_text(text).strip(to_text(characters)),
    "trimprefix": lambda text, prefix: to_text(text).removeprefix(to_text(prefix)),
    "trimsuffix": lambda text, suffix: to_text(text).removesuffix(to_text(suffix)),
    "startswith": lambda text, prefix: to_text(text).startswith(to_text(prefix)),
    "endswith": lambda text, suffix: to_text(text).endswith(to_text(suffix)),
    "strcontains": lambda text, part: to_text(part) in to_text(text),
    "split": lambda separator, text: to_text(text).split(to_text(separator)) if to_text(separator) else
    list(to_text(text)),
    "pow": lambda base, exponent: to_number(base) ** to_number(exponent),
    "parseint": lambda text, base: int(to_text(text), int(to_number(base))),
    "indent": lambda spaces, text: to_text(text).replace("\n", "\n" + " " * int(to_number(spaces))),
}
for _name, _body in _ONE.items():
    _simple(_name, (1, 1), _body)
for _name, _body in _TWO.items():
    _simple(_name, (2, 2), _body)


@_register("jsonencode", strict=False, arity=(1, 1))
def _jsonencode(_context: Context, _evaluator: Any, value: Any) -> Any:
    return value if isinstance(value, Unknown) else check_size(json_text(value))


@_register("join", arity=(2, 99))
def _join(_context: Context, _evaluator: Any, separator: Any, *lists: Any) -> Any:
    items = [item for listed in lists for item in _list(listed, "join")]
    return check_size(to_text(separator).join(to_text(item) for item in items))


@_register("replace", arity=(3, 3))
def _replace(_context: Context, _evaluator: Any, text: Any, search: Any, replacement: Any) -> Any:
    text, search, replacement = to_text(text), to_text(search), to_text(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        pattern = _regex(search[1:-1], text)
        return check_size(_bounded(lambda: pattern.sub(re.sub(r"\$(\d+)", r"\\\1", replacement), text,
                                                       timeout=REGEX_SECONDS)))
    return check_size(text.replace(search, replacement))


@_register("substr", arity=(3, 3))
def _substr(_context: Context, _evaluator: Any, text: Any, offset: Any, length: Any) -> str:
    whole, start, count = to_text(text), int(to_number(offset)), int(to_number(length))
    start = start if start >= 0 else max(len(whole) + start, 0)
    return whole[start:] if count < 0 else whole[start:start + count]


def _regex(pattern: str, text: str) -> Any:
    """Terraform's regular expressions are RE2's, which never backtrack; these are matched with a time limit, so
    a pattern that would take forever (`(a+)+$`) is unknown instead."""
    if len(text) > MAX_REGEX_INPUT or len(pattern) > 1000:
        raise EvaluationError("a regular expression over a text too long to match safely")
    try:
        import regex  # python-hcl2 depends on it; it matches with a timeout
    except ImportError:
        raise EvaluationError("regular expressions need the terraform extra: pip install 'apigw-scan[terraform]'") \
            from None
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError) as error:
        raise EvaluationError(f"not a regular expression ({error})") from None


def _bounded(match: Callable[[], Any]) -> Any:
    try:
        return match()
    except TimeoutError:
        raise EvaluationError("a regular expression too slow to match (RE2, which Terraform uses, would not "
                              "backtrack)") from None


@_register("regex", arity=(2, 2))
def _regex_function(_context: Context, _evaluator: Any, pattern: Any, text: Any) -> Any:
    compiled = _regex(to_text(pattern), to_text(text))
    found = _bounded(lambda: compiled.search(to_text(text), timeout=REGEX_SECONDS))
    if found is None:
        raise EvaluationError("regex(): no match")
    if compiled.groupindex:
        return found.groupdict()
    return list(found.groups()) if compiled.groups else found[0]


@_register("regexall", arity=(2, 2))
def _regexall(_context: Context, _evaluator: Any, pattern: Any, text: Any) -> Any:
    compiled = _regex(to_text(pattern), to_text(text))
    return _bounded(lambda: [list(m.groups()) if compiled.groups else m[0]
                             for m in compiled.finditer(to_text(text), timeout=REGEX_SECONDS)])


_FORMAT_VERB = re.compile(r"%(?:%|([-+# 0]*)(\d*)(?:\.(\d+))?([sdvqtf]))")


@_register("format", arity=(1, 99))
def _format(_context: Context, _evaluator: Any, template: Any, *arguments: Any) -> Any:
    return _formatted(to_text(template), list(arguments))


def _formatted(template: str, arguments: list[Any]) -> Any:
    remaining = iter(arguments)

    def verb(found: re.Match[str]) -> str:
        if found[0] == "%%":
            return "%"
        try:
            value = next(remaining)
        except StopIteration:
            raise EvaluationError("format(): not enough arguments") from None
        kind = found[4]
        if kind == "d":
            text = str(int(to_number(value)))
        elif kind == "f":
            text = f"{float(to_number(value)):.{int(found[3] or 6)}f}"
        elif kind == "q":
            text = json.dumps(to_text(value))
        elif kind == "t":
            text = "true" if to_bool(value) else "false"
        elif kind == "v" and not isinstance(value, (str, int, float, bool)):
            text = json_text(value)
        else:
            text = to_text(value)
        width = int(found[2] or 0)
        return text.ljust(width) if "-" in (found[1] or "") else text.rjust(width)
    return check_size(_FORMAT_VERB.sub(verb, template))


@_register("formatlist", arity=(1, 99))
def _formatlist(_context: Context, _evaluator: Any, template: Any, *arguments: Any) -> list[Any]:
    lengths = {len(argument) for argument in arguments if isinstance(argument, list)}
    if len(lengths) > 1:
        raise EvaluationError("formatlist(): the lists have different lengths")
    count = lengths.pop() if lengths else 1
    return [_formatted(to_text(template), [argument[i] if isinstance(argument, list) else argument
                                           for argument in arguments]) for i in range(count)]


# -- collections ---------------------------------------------------------------------------------------------

def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise EvaluationError(f"{name}(): expected a list, got a {type_name(value)}")
    return value


def _map(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EvaluationError(f"{name}(): expected a map or object, got a {type_name(value)}")
    return value


@_register("length", strict=False, arity=(1, 1))
def _length(_context: Context, _evaluator: Any, value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (list, dict)):
        return len(value)
    found = first_unknown(value)
    return found if found is not None else len(to_text(value))


@_register("concat", strict=False, arity=(0, 99))
def _concat(_context: Context, _evaluator: Any, *lists: Any) -> Any:
    found = next((listed for listed in lists if isinstance(listed, Unknown)), None)
    return found or [item for listed in lists for item in _list(listed, "concat")]


@_register("merge", strict=False, arity=(0, 99))
def _merge(_context: Context, _evaluator: Any, *maps: Any) -> Any:
    merged: dict[str, Any] = {}
    for value in maps:
        if isinstance(value, Unknown):
            return value
        if value is not None:
            merged.update(_map(value, "merge"))
    return merged


@_register("flatten", strict=False, arity=(1, 1))
def _flatten(_context: Context, _evaluator: Any, value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    flat: list[Any] = []

    def walk(items: Any, depth: int) -> None:
        if depth > 64:
            raise EvaluationError("flatten(): nested too deeply")
        for item in _list(items, "flatten"):
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                flat.append(item)
    walk(value, 0)
    return flat


for _name in ("tolist", "toset"):
    @_register(_name, strict=False, arity=(1, 1))
    def _to_list(_context: Context, _evaluator: Any, value: Any, _name: str = _name) -> Any:
        if isinstance(value, Unknown) or value is None:
            return value
        items = _list(value, _name)
        if _name == "toset":
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = sorted(unique, key=json_text) if first_unknown(unique) is None else unique
        return items


@_register("tomap", strict=False, arity=(1, 1))
def _tomap(_context: Context, _evaluator: Any, value: Any) -> Any:
    return value if isinstance(value, Unknown) or value is None else _map(value, "tomap")


@_register("keys", arity=(1, 1))
def _keys(_context: Context, _evaluator: Any, value: Any) -> list[str]:
    return sorted(_map(value, "keys"))


@_register("values", strict=False, arity=(1, 1))
def _values(_context: Context, _evaluator: Any, value: Any) -> Any:
    return value if isinstance(value, Unknown) else [item for _key, item in sorted(_map(value, "values").items())]


@_register("lookup", strict=False, arity=(2, 3))
def _lookup(_context: Context, _evaluator: Any, value: Any, key: Any, *default: Any) -> Any:
    for given in (value, key):
        if isinstance(given, Unknown):
            return given
    found = _map(value, "lookup")
    text = to_text(key)
    if text in found:
        return found[text]
    if default:
        return default[0]
    raise EvaluationError(f"lookup(): no key {text[:60]!r} and no default")


@_register("element", strict=False, arity=(2, 2))
def _element(_context: Context, _evaluator: Any, value: Any, position: Any) -> Any:
    for given in (value, position):
        if isinstance(given, Unknown):
            return given
    items = _list(value, "element")
    if not items:
        raise EvaluationError("element(): the list is empty")
    return items[int(to_number(position)) % len(items)]


@_register("contains", arity=(2, 2))
def _contains(_context: Context, _evaluator: Any, value: Any, item: Any) -> bool:
    return item in _list(value, "contains")


@_register("index", arity=(2, 2))
def _index(_context: Context, _evaluator: Any, value: Any, item: Any) -> int:
    items = _list(value, "index")
    if item not in items:
        raise EvaluationError("index(): the value is not in the list")
    return items.index(item)


@_register("distinct", arity=(1, 1))
def _distinct(_context: Context, _evaluator: Any, value: Any) -> list[Any]:
    unique: list[Any] = []
    for item in _list(value, "distinct"):
        if item not in unique:
            unique.append(item)
    return unique


@_register("compact", arity=(1, 1))
def _compact(_context: Context, _evaluator: Any, value: Any) -> list[Any]:
    return [item for item in _list(value, "compact") if item not in (None, "")]


@_register("coalesce", strict=False, arity=(1, 99))
def _coalesce(_context: Context, _evaluator: Any, *values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if value not in (None, ""):
            return value
    raise EvaluationError("coalesce(): every argument is null or empty")


@_register("coalescelist", strict=False, arity=(1, 99))
def _coalescelist(_context: Context, _evaluator: Any, *values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if _list(value, "coalescelist"):
            return value
    raise EvaluationError("coalescelist(): every list is empty")


@_register("one", strict=False, arity=(1, 1))
def _one(_context: Context, _evaluator: Any, value: Any) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    items = _list(value, "one")
    if len(items) > 1:
        raise EvaluationError("one(): the list has more than one element")
    return items[0] if items else None


@_register("range", arity=(1, 3))
def _range(_context: Context, _evaluator: Any, *bounds: Any) -> list[Any]:
    numbers = [to_number(bound) for bound in bounds]
    start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers[0], numbers[1], 1) if \
        len(numbers) == 2 else tuple(numbers)
    if step == 0 or abs((stop - start) / step) > 100_000:
        raise EvaluationError("range(): too many elements")
    found, current = [], start
    while (step > 0 and current < stop) or (step < 0 and current > stop):
        found.append(current)
        current += step
    return found


@_register("reverse", arity=(1, 1))
def _reverse(_context: Context, _evaluator: Any, value: Any) -> list[Any]:
    return list(reversed(_list(value, "reverse")))


@_register("sort", arity=(1, 1))
def _sort(_context: Context, _evaluator: Any, value: Any) -> list[str]:
    return sorted(to_text(item) for item in _list(value, "sort"))


@_register("slice", arity=(3, 3))
def _slice(_context: Context, _evaluator: Any, value: Any, start: Any, end: Any) -> list[Any]:
    return _list(value, "slice")[int(to_number(start)):int(to_number(end))]


@_register("zipmap", arity=(2, 2))
def _zipmap(_context: Context, _evaluator: Any, keys: Any, values: Any) -> dict[str, Any]:
    keys, values = _list(keys, "zipmap"), _list(values, "zipmap")
    if len(keys) != len(values):
        raise EvaluationError("zipmap(): the lists have different lengths")
    return {to_text(key): value for key, value in zip(keys, values, strict=True)}


@_register("chunklist", arity=(2, 2))
def _chunklist(_context: Context, _evaluator: Any, value: Any, size: Any) -> list[Any]:
    items, count = _list(value, "chunklist"), int(to_number(size))
    return [items] if count <= 0 else [items[i:i + count] for i in range(0, len(items), count)]


@_register("setproduct", arity=(1, 99))
def _setproduct(_context: Context, _evaluator: Any, *sets: Any) -> list[Any]:
    combined: list[list[Any]] = [[]]
    for found in sets:
        combined = [[*done, item] for done in combined for item in _list(found, "setproduct")]
        if len(combined) > 10_000:
            raise EvaluationError("setproduct(): more than 10,000 elements")
    return combined


for _name, _combine in {"setunion": lambda a, b: a + [x for x in b if x not in a],
                        "setintersection": lambda a, b: [x for x in a if x in b],
                        "setsubtract": lambda a, b: [x for x in a if x not in b]}.items():
    @_register(_name, arity=(1, 99))
    def _set_operation(_context: Context, _evaluator: Any, first: Any, *others: Any, _name: str = _name,
                       _combine: Callable[[list[Any], list[Any]], list[Any]] = _combine) -> list[Any]:
        result = _list(first, _name)
        for other in others:
            result = _combine(result, _list(other, _name))
        return result


_REDUCERS: dict[str, Callable[..., Any]] = {"max": max, "min": min, "sum": sum}
for _name, _reduce in _REDUCERS.items():
    @_register(_name, arity=(1, 99))
    def _numbers(_context: Context, _evaluator: Any, *values: Any, _name: str = _name,
                 _reduce: Callable[..., Any] = _reduce) -> Any:
        items = _list(values[0], _name) if _name == "sum" else list(values)
        if not items:
            raise EvaluationError(f"{_name}(): no values")
        return _reduce(to_number(item) for item in items)


@_register("alltrue", arity=(1, 1))
def _alltrue(_context: Context, _evaluator: Any, value: Any) -> bool:
    return all(to_bool(item) for item in _list(value, "alltrue"))


@_register("anytrue", arity=(1, 1))
def _anytrue(_context: Context, _evaluator: Any, value: Any) -> bool:
    return any(to_bool(item) for item in _list(value, "anytrue"))


@_register("transpose", arity=(1, 1))
def _transpose(_context: Context, _evaluator: Any, value: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, items in sorted(_map(value, "transpose").items()):
        for item in _list(items, "transpose"):
            found.setdefault(to_text(item), []).append(key)
    return found


# -- encodings -----------------------------------------------------------------------------------------------

@_register("jsondecode", arity=(1, 1))
def _jsondecode(_context: Context, _evaluator: Any, text: Any) -> Any:
    try:
        return json.loads(to_text(text))
    except (ValueError, RecursionError) as error:
        raise EvaluationError(f"jsondecode(): not JSON ({str(error)[:80]})") from None


@_register("yamldecode", arity=(1, 1))
def _yamldecode(_context: Context, _evaluator: Any, text: Any) -> Any:
    return decode_yaml(to_text(text))


def decode_yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError:
        return Unknown("YAML is read with PyYAML: pip install 'apigw-scan[terraform]'")
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        raise EvaluationError(f"yamldecode(): not YAML ({str(error).splitlines()[0][:80]})") from None


@_register("base64decode", arity=(1, 1))
def _base64decode(_context: Context, _evaluator: Any, text: Any) -> str:
    try:
        return base64.b64decode(to_text(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvaluationError("base64decode(): not base64 of UTF-8 text") from None


# -- time and identity: known only at apply, and different every time ----------------------------------------

for _name in ("timestamp", "plantimestamp", "uuid", "bcrypt"):
    _register(_name, strict=False, arity=(0, 2))(
        lambda _context, _evaluator, *_arguments, _name=_name: Unknown(
            f"{_name}() gives a new value on every apply", always=True))
for _name in ("formatdate", "timeadd", "timecmp", "uuidv5", "cidrsubnet", "cidrhost", "cidrnetmask", "cidrsubnets"):
    _register(_name, arity=(0, 99))(
        lambda _context, _evaluator, *_arguments, _name=_name: Unknown(f"{_name}() is not evaluated by the reader"))


# -- files: only inside the configuration's folder -----------------------------------------------------------

def readable_path(context: Context, text: Any) -> Path | Unknown:
    """The file a function names, or Unknown when it lies outside the folders the configuration is read from."""
    given = Path(to_text(text))
    path = (given if given.is_absolute() else context.root / given).resolve()
    if not any(path == folder or folder in path.parents for folder in context.readable or [context.root.resolve()]):
        return Unknown(f"{to_text(text)[:120]} is outside the configuration's folder: not read")
    return path


def read_bytes(context: Context, text: Any) -> bytes | Unknown:
    path = readable_path(context, text)
    if isinstance(path, Unknown):
        return path
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Unknown(f"{to_text(text)[:120]} is larger than the reader reads")
        return path.read_bytes()
    except OSError as error:
        raise EvaluationError(f"{to_text(text)[:120]}: cannot be read ({error.strerror})") from None


def _file_text(context: Context, text: Any) -> Any:
    content = read_bytes(context, text)
    if isinstance(content, Unknown):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise EvaluationError(f"{to_text(text)[:120]} is not UTF-8 text") from None


_register("file", arity=(1, 1))(lambda context, _evaluator, path: _file_text(context, path))
_register("fileexists", arity=(1, 1))(
    lambda context, _evaluator, path: isinstance(p := readable_path(context, path), Path) and p.is_file())
_register("abspath", arity=(1, 1))(lambda context, _evaluator, path: str((context.root / to_text(path)).resolve()))
_register("pathexpand", arity=(1, 1))(lambda _context, _evaluator, path: Unknown("pathexpand() reads $HOME"))

for _name, _digest in {"filemd5": lambda b: hashlib.md5(b, usedforsecurity=False).hexdigest(),
                       "filesha1": lambda b: hashlib.sha1(b, usedforsecurity=False).hexdigest(),
                       "filesha256": lambda b: hashlib.sha256(b).hexdigest(),
                       "filesha512": lambda b: hashlib.sha512(b).hexdigest(),
                       "filebase64sha256": lambda b: base64.b64encode(hashlib.sha256(b).digest()).decode(),
                       "filebase64sha512": lambda b: base64.b64encode(hashlib.sha512(b).digest()).decode(),
                       "filebase64": lambda b: base64.b64encode(b).decode()}.items():
    @_register(_name, arity=(1, 1))
    def _file_digest(context: Context, _evaluator: Any, path: Any,
                     _digest: Callable[[bytes], str] = _digest) -> Any:
        content = read_bytes(context, path)
        return content if isinstance(content, Unknown) else _digest(content)


@_register("fileset", arity=(2, 2))
def _fileset(context: Context, _evaluator: Any, folder: Any, pattern: Any) -> Any:
    base = readable_path(context, folder)
    if isinstance(base, Unknown):
        return base
    if not base.is_dir():
        return []
    try:
        found = sorted(str(path.relative_to(base)) for path in base.glob(to_text(pattern)) if path.is_file())
    except (OSError, ValueError) as error:
        raise EvaluationError(f"fileset(): {error}") from None
    return found[:10_000]


@_register("templatefile", strict=False, arity=(2, 2))
def _templatefile(context: Context, evaluator: Any, path: Any, variables: Any) -> Any:
    """The variables may hold unknown values: the template writes them as marks (Evaluator.template_file)."""
    found = first_unknown(path) or (variables if isinstance(variables, Unknown) else None)
    text = found or _file_text(context, path)
    if isinstance(text, Unknown):
        return text
    return evaluator.template_file(text, _map(variables, "templatefile"), to_text(path))


@_register("templatestring", strict=False, arity=(2, 2))
def _templatestring(_context: Context, evaluator: Any, text: Any, variables: Any) -> Any:
    found = first_unknown(text) or (variables if isinstance(variables, Unknown) else None)
    if found is not None:
        return found
    return evaluator.template_file(to_text(text), _map(variables, "templatestring"), "templatestring()")

