"""Loads rule files (TOML, one rule a file) and checks each field, naming the file and field at fault."""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from ..errors import UsageError
from .template import compile_template

SEVERITIES = ("critical", "high", "medium", "low", "info")
SCOPES = {"method": "methods", "api": "apis", "authorizer": "authorizers", "pool": "pools", "client": "clients"}
REQUIRED = ("id", "severity", "title", "scope", "seed", "condition", "message", "remediation")
OPTIONAL = ("for_each", "unknown", "description", "method_verdict")
METHOD_VERDICTS = ("fail", "warn", "unknown")
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    scope: str
    seed: str
    condition: ParsedResult
    message: list[Any]
    remediation: list[Any]
    for_each: ParsedResult | None
    unknown: ParsedResult | None
    description: str
    source: str
    method_verdict: str | None = None  # what a firing finding makes the methods it concerns; default by severity

    @property
    def kind(self) -> str:
        """The fact records this rule judges."""
        return SCOPES[self.scope]


def builtin_rules_dir() -> Path:
    """policies/ of the source tree (checkouts, editable installs), else the copy shipped in the package."""
    source_tree = Path(__file__).resolve().parents[2] / "policies"
    if source_tree.is_dir():
        return source_tree
    return Path(str(importlib.resources.files("scanner.builtin_policies")))


def load_rules(extra_dirs: list[str] | None = None) -> list[Rule]:
    """The built-in rules and those of each `--policies` directory; IDs must be unique."""
    rules: dict[str, Rule] = {}
    for directory in [builtin_rules_dir(), *(Path(d) for d in extra_dirs or [])]:
        for rule in load_directory(directory):
            if rule.id in rules:
                raise UsageError(f"{rule.source}: field 'id': rule {rule.id} is already defined in "
                                 f"{rules[rule.id].source}; give it a new ID")
            rules[rule.id] = rule
    return sorted(rules.values(), key=lambda rule: rule.id)


def load_directory(directory: Path) -> list[Rule]:
    if not directory.is_dir():
        raise UsageError(f"--policies {directory}: expected a directory of rule files (*.toml)")
    try:
        files = sorted(directory.glob("*.toml"))
    except OSError as error:
        raise UsageError(f"--policies {directory}: cannot be read ({error.strerror})") from None
    return [load_rule_file(path) for path in files]


def load_rule_file(path: Path) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None
    return parse_rule(data, str(path))


def parse_rule(data: dict[str, Any], source: str) -> Rule:
    """A checked Rule from the fields of one rule file."""
    def fail(field: str, problem: str) -> UsageError:
        return UsageError(f"{source}: field '{field}': {problem}")

    unexpected = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unexpected:
        raise fail(unexpected[0], f"unknown field (expected one of {', '.join(REQUIRED + OPTIONAL)})")
    for field in REQUIRED:
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise fail(field, "missing or empty; expected a string")
    for field in OPTIONAL:
        if field in data and not isinstance(data[field], str):
            raise fail(field, "expected a string")
    if not _RULE_ID.match(data["id"]):
        raise fail("id", f"{data['id']!r} is not a rule ID (expected letters then three digits, e.g. ACME001)")
    if data["severity"] not in SEVERITIES:
        raise fail("severity", f"{data['severity']!r}; expected one of {', '.join(SEVERITIES)}")
    if data.get("method_verdict", "fail") not in METHOD_VERDICTS:
        raise fail("method_verdict", f"{data['method_verdict']!r}; expected one of {', '.join(METHOD_VERDICTS)}")
    if data["scope"] not in SCOPES:
        raise fail("scope", f"{data['scope']!r}; expected one of {', '.join(SCOPES)}")

    def expression(field: str) -> ParsedResult | None:
        if field not in data:
            return None
        try:
            return jmespath.compile(data[field])
        except JMESPathError as error:
            raise fail(field, f"not a valid JMESPath expression ({error})") from None

    def template(field: str) -> list[Any]:
        try:
            return compile_template(data[field])
        except JMESPathError as error:
            raise fail(field, f"a {{placeholder}} is not a valid JMESPath expression ({error})") from None

    condition = expression("condition")
    assert condition is not None
    return Rule(
        id=data["id"], severity=data["severity"], title=data["title"].strip(), scope=data["scope"],
        seed=data["seed"].strip(), condition=condition, message=template("message"),
        remediation=template("remediation"), for_each=expression("for_each"), unknown=expression("unknown"),
        description=str(data.get("description", "")).strip(), source=source,
        method_verdict=data.get("method_verdict"),
    )
