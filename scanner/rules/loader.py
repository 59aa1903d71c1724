"""Loads rule files (TOML, one rule a file) and checks each field — expressions against the declared facts —
naming the file and field at fault."""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from ..errors import UsageError
from ..findings import DESIGN, MISCONFIGURATION
from ..schema.facts import DEPLOYED_FIELDS, KINDS, RECORDS
from .compiled import compile_expression
from .fields import FieldError, Shape, check, fields_named, root_shape, template_logic
from .steps import CALLER_GROUPS, CALLER_KINDS, STATUSES, STEPS
from .template import Template, compile_template

SEVERITIES = ("critical", "high", "medium", "low", "info")
REQUIRED = ("id", "severity", "title", "applies_to", "seed", "condition", "message", "fix")
OPTIONAL = ("for_each", "unknown", "description", "method_verdict", "command", "predicts", "unless_found", "kind",
            "refuses", "severity_when", "sam_fix", "terraform_fix")
_TABLES = ("command", "refuses", "severity_when")  # optional fields that are not strings
RULE_KINDS = (MISCONFIGURATION, DESIGN)
REFUSAL_FIELDS = ("step", "status", "callers", "select", "clients", "pools", "through", "when", "partial")
PREDICTIONS = ("every-request-fails",)
ALIASES = {"scope": "applies_to", "remediation": "fix"}  # the names of rule files written before 0.2
METHOD_VERDICTS = ("fail", "warn", "unknown")
# The built-in rules without a terraform_fix, and why: every other one names the Terraform resource and argument to
# change (a test checks it).
NO_TERRAFORM_FIX = {
    "APIGW003": "what a stage serves against the live API: a configuration has no live API (IAC003 is its cause)",
    "HTTP006": "what an HTTP stage serves against the live routes: a configuration has no live API",
    "IAC001": "a CloudFormation deployment's DependsOn; Terraform orders by references",
    "IAC002": "a CloudFormation deployment's logical ID across template versions",
    "IAC003": "its fix is written for Terraform: the rule judges only aws_api_gateway_deployment",
    "TRF001": "CloudWatch traffic, which a configuration does not have",
    "TOK001": "a design rule whose fix is what the caller sends, no setting of any tool",
    "TOK004": "a design rule whose fix is which token the caller uses, no setting of any tool",
    "TOK005": "a design rule whose fix is which kind of token the caller sends, no setting of any tool",
}
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[0-9]{3}$")


@dataclass(frozen=True)
class Command:
    """A CLI line of a rule's fix; shown when `when` (JMESPath over the facts) holds, always without it; once per
    element of `for_each` (as `each`) when it has one."""

    template: Template
    when: ParsedResult | None
    for_each: ParsedResult | None = None


@dataclass(frozen=True)
class RefusalRule:
    """Whom a rule's finding turns away (a `[[refuses]]` table): at `step` of API Gateway's order, with `status`,
    the callers of `kinds`, narrowed by `select` (an expression yielding entries of the method's `callers`),
    `clients` (app-client IDs or names), `pools` (pool IDs) and `through` (an expression yielding entries of the
    method's `cloudfront_routes`: only callers that come through those behaviours), when `when` holds; `partial`:
    only some of them (which cannot be told: their answer is unknown)."""

    step: str
    status: str
    kinds: tuple[str, ...]
    select: ParsedResult | None = None
    clients: ParsedResult | None = None
    pools: ParsedResult | None = None
    when: ParsedResult | None = None
    partial: bool = False
    through: ParsedResult | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    applies_to: str  # the kind of fact record it judges: method | api | authorizer | pool | client
    seed: str
    condition: ParsedResult
    message: Template
    fix: Template
    commands: tuple[Command, ...]
    for_each: ParsedResult | None
    unknown: ParsedResult | None
    description: str
    path: str  # the rule file
    method_verdict: str | None = None  # what a firing finding makes the methods it concerns; default by severity
    predicts: str | None = None  # every-request-fails: traffic confirms or contradicts the finding
    unless_found: str | None = None  # a severity: the finding stands only when no decided finding that bad explains it
    kind: str = MISCONFIGURATION  # design: who a method turns away by design (matrix and `token`, not the scan)
    refusals: tuple[RefusalRule, ...] = ()
    reads_configuration: bool = False  # a method rule that reads what a deployment carries (authorization, scopes…)
    # (condition, severity): the first that holds gives the finding that severity instead of the rule's
    severity_when: tuple[tuple[ParsedResult, str], ...] = ()
    sam_fix: Template | None = None  # the fix on a SAM template: the SAM property to change
    terraform_fix: Template | None = None  # the fix on a Terraform configuration or plan: the resource and argument


def builtin_rules_dir() -> Path:
    """policies/ of the source tree (checkouts, editable installs), else the copy shipped in the package."""
    source_tree = Path(__file__).resolve().parents[2] / "policies"
    if source_tree.is_dir():
        return source_tree
    return Path(str(importlib.resources.files("scanner.builtin_policies")))


def load_rules(extra_dirs: list[str] | None = None) -> list[Rule]:
    """The built-in rules and those of each `--policies` directory; IDs must be unique."""
    rules: dict[str, Rule] = {}
    builtin = builtin_rules_dir()
    for directory in [builtin, *(Path(d) for d in extra_dirs or [])]:
        for rule in load_directory(directory, strict=directory == builtin):
            if rule.id in rules:
                raise UsageError(f"{rule.path}: field 'id': rule {rule.id} is already defined in "
                                 f"{rules[rule.id].path}; give it a new ID")
            rules[rule.id] = rule
    return sorted(rules.values(), key=lambda rule: rule.id)


def load_directory(directory: Path, strict: bool = False) -> list[Rule]:
    if not directory.is_dir():
        raise UsageError(f"--policies {directory}: expected a directory of rule files (*.toml)")
    try:
        files = sorted(directory.glob("*.toml"))
    except OSError as error:
        raise UsageError(f"--policies {directory}: cannot be read ({error.strerror})") from None
    return [load_rule_file(path, strict) for path in files]


def load_rule_file(path: Path, strict: bool = False) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None
    return parse_rule(data, str(path), strict)


def parse_rule(data: dict[str, Any], source: str, strict: bool = False) -> Rule:
    """A checked Rule from the fields of one rule file. `strict` (the built-in rules): placeholders may only read
    facts, never compute, and the old field names are refused."""
    def fail(field: str, problem: str) -> UsageError:
        return UsageError(f"{source}: field '{field}': {problem}")

    data = dict(data)
    if "source" in data:  # rules that encode no seed article cite their AWS source by title: either name
        if "seed" in data:
            raise fail("source", "another name of 'seed': write one of them")
        data["seed"] = data.pop("source")
    for old, new in ALIASES.items():
        if old in data:
            if strict or new in data:
                raise fail(old, f"the old name of '{new}': write {new} (and only {new})")
            data[new] = data.pop(old)
    legacy_remediation = "fix" in data and "command" not in data and isinstance(data["fix"], str)
    unexpected = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unexpected:
        raise fail(unexpected[0], f"unknown field (expected one of {', '.join(REQUIRED + OPTIONAL)})")
    for field in REQUIRED:
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise fail(field, "missing or empty; expected a string")
    for field in OPTIONAL:
        if field in data and field not in _TABLES and not isinstance(data[field], str):
            raise fail(field, "expected a string")
    if not _RULE_ID.match(data["id"]):
        raise fail("id", f"{data['id']!r} is not a rule ID (expected letters then three digits, e.g. ACME001)")
    if data["severity"] not in SEVERITIES:
        raise fail("severity", f"{data['severity']!r}; expected one of {', '.join(SEVERITIES)}")
    if data.get("method_verdict", "fail") not in METHOD_VERDICTS:
        raise fail("method_verdict", f"{data['method_verdict']!r}; expected one of {', '.join(METHOD_VERDICTS)}")
    if data.get("predicts", PREDICTIONS[0]) not in PREDICTIONS:
        raise fail("predicts", f"{data['predicts']!r}; expected {', '.join(PREDICTIONS)}")
    if data.get("unless_found", SEVERITIES[0]) not in SEVERITIES:
        raise fail("unless_found", f"{data['unless_found']!r}; expected one of {', '.join(SEVERITIES)}")
    if data.get("kind", MISCONFIGURATION) not in RULE_KINDS:
        raise fail("kind", f"{data['kind']!r}; expected one of {', '.join(RULE_KINDS)}")
    if data.get("kind") == DESIGN and data["severity"] != "info":
        raise fail("severity", "a design rule says who a method turns away by design, not a problem: severity "
                               "\"info\"")
    if strict and "refuses" not in data:
        raise fail("refuses", "missing: declare whom a finding turns away ([[refuses]] tables with step, status and "
                              "callers), or `refuses = []` when it turns nobody away")
    if data["applies_to"] not in KINDS:
        raise fail("applies_to", f"{data['applies_to']!r}; expected one of {', '.join(KINDS)}")
    record_class = RECORDS[data["applies_to"]]

    def expression(field: str, text: str, shape: Shape) -> tuple[ParsedResult, Shape]:
        try:
            parsed = compile_expression(text)
        except JMESPathError as error:
            raise fail(field, f"not a valid JMESPath expression ({error})") from None
        try:
            return parsed, check(parsed.parsed, shape)
        except FieldError as error:
            raise fail(field, str(error)) from None

    for_each, item = None, None
    if "for_each" in data:
        for_each, listed = expression("for_each", data["for_each"], root_shape(record_class, None))
        if listed.kind not in ("list", "any"):
            raise fail("for_each", f"{data['for_each']!r} is not a list of the record")
        item = listed.element if listed.kind == "list" else None
    shape = root_shape(record_class, item)
    condition, _ = expression("condition", data["condition"], shape)
    unknown = expression("unknown", data["unknown"], shape)[0] if "unknown" in data else None
    refusals = tuple(_refusal(f"refuses[{number}]", entry, expression, shape, fail)
                     for number, entry in enumerate(_refusal_entries(data.get("refuses"), fail), 1))
    if data.get("kind") == DESIGN and not refusals:
        raise fail("refuses", "a design rule says whom a method turns away: give it [[refuses]]")
    judged = [parsed.parsed for parsed in (condition, unknown, for_each) if parsed is not None]
    reads_configuration = data["applies_to"] == "method" and bool(
        set().union(*(fields_named(tree) for tree in judged)) & set(DEPLOYED_FIELDS))

    def template(field: str, text: str, each: Shape | None = None) -> Template:
        try:
            compiled = compile_template(text)
        except JMESPathError as error:
            raise fail(field, f"a {{placeholder}} is not a valid JMESPath expression ({error})") from None
        for part in compiled:
            if isinstance(part, str):
                continue
            try:
                check(part.parsed, root_shape(record_class, item, template=True, each=each))
            except FieldError as error:
                raise fail(field, str(error)) from None
            logic = template_logic(part.parsed)
            if strict and logic:
                raise fail(field, f"a placeholder computes ({logic}): placeholders only read facts; put the logic "
                                  "in a fact, or guard a command with `when`")
        return compiled

    fix_text, command_entries = data["fix"], data.get("command")
    if legacy_remediation:
        fix_text, command_entries = _split_legacy(data["fix"])
    commands = []
    for number, entry in enumerate(_command_entries(command_entries, fail), 1):
        field = "command" if number == 1 and isinstance(command_entries, str) else f"command[{number}]"
        when = expression(f"{field}.when", entry["when"], shape)[0] if "when" in entry else None
        each_list, each = None, None
        if "for_each" in entry:
            each_list, listed = expression(f"{field}.for_each", entry["for_each"], shape)
            each = listed.element if listed.kind == "list" else None
        commands.append(Command(template(f"{field}.run", entry["run"], each), when, each_list))
    severity_when = []
    for number, entry in enumerate(data.get("severity_when") or [], 1):
        field = f"severity_when[{number}]"
        if not isinstance(entry, dict) or set(entry) != {"when", "severity"} or not isinstance(entry["when"], str):
            raise fail(field, "expected a table with when (a JMESPath expression) and severity")
        if entry["severity"] not in SEVERITIES:
            raise fail(f"{field}.severity", f"{entry['severity']!r}; expected one of {', '.join(SEVERITIES)}")
        severity_when.append((expression(f"{field}.when", entry["when"], shape)[0], str(entry["severity"])))
    if "severity_when" in data and not isinstance(data["severity_when"], list):
        raise fail("severity_when", "expected [[severity_when]] tables with when and severity")
    if data.get("kind") == DESIGN and severity_when:
        raise fail("severity_when", "a design rule's findings are info: it has no [[severity_when]]")
    return Rule(
        id=data["id"], severity=data["severity"], title=data["title"].strip(), applies_to=data["applies_to"],
        seed=data["seed"].strip(), condition=condition, message=template("message", data["message"]),
        fix=template("fix", fix_text.strip()), commands=tuple(commands), for_each=for_each, unknown=unknown,
        description=str(data.get("description", "")).strip(), path=source, method_verdict=data.get("method_verdict"),
        predicts=data.get("predicts"), unless_found=data.get("unless_found"),
        kind=data.get("kind", MISCONFIGURATION), refusals=refusals, reads_configuration=reads_configuration,
        severity_when=tuple(severity_when),
        sam_fix=template("sam_fix", data["sam_fix"].strip()) if "sam_fix" in data else None,
        terraform_fix=template("terraform_fix", data["terraform_fix"].strip()) if "terraform_fix" in data else None,
    )


def _refusal_entries(value: Any, fail: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise fail("refuses", "expected [[refuses]] tables (step, status, callers…), or refuses = []")
    return value


def _refusal(field: str, entry: dict[str, Any], expression: Any, shape: Shape, fail: Any) -> RefusalRule:
    """One [[refuses]] table, checked: its step, status and callers, its expressions against the facts."""
    extra = sorted(set(entry) - set(REFUSAL_FIELDS))
    if extra:
        raise fail(f"{field}.{extra[0]}", f"unknown key (expected {', '.join(REFUSAL_FIELDS)})")
    if entry.get("step") not in STEPS:
        raise fail(f"{field}.step", f"{entry.get('step')!r}; expected one of {', '.join(STEPS)} (API Gateway's "
                                    "order: see policies/README.md)")
    status = str(entry.get("status"))
    if status not in STATUSES:
        raise fail(f"{field}.status", f"{entry.get('status')!r}; expected one of {', '.join(STATUSES)}")
    callers = entry.get("callers", "all")
    kinds = CALLER_GROUPS.get(callers) if isinstance(callers, str) else None
    if kinds is None:
        listed = [callers] if isinstance(callers, str) else callers
        if not isinstance(listed, list) or not listed or any(kind not in CALLER_KINDS for kind in listed):
            raise fail(f"{field}.callers", f"{callers!r}; expected all, token, or a list of caller kinds "
                                           f"({', '.join(CALLER_KINDS)})")
        kinds = tuple(listed)
    if not isinstance(entry.get("partial", False), bool):
        raise fail(f"{field}.partial", "expected true or false")
    parsed: dict[str, ParsedResult | None] = {}
    for key in ("select", "clients", "pools", "through", "when"):
        text = entry.get(key)
        if text is None:
            parsed[key] = None
            continue
        if not isinstance(text, str):
            raise fail(f"{field}.{key}", "expected a JMESPath expression (a string)")
        parsed[key], yielded = expression(f"{field}.{key}", text, shape)
        if key != "when" and yielded.kind not in ("list", "any"):
            raise fail(f"{field}.{key}", f"{text!r} is not a list")
    return RefusalRule(step=entry["step"], status=status, kinds=kinds, select=parsed["select"],
                       clients=parsed["clients"], pools=parsed["pools"], when=parsed["when"],
                       partial=bool(entry.get("partial", False)), through=parsed["through"])


def _command_entries(value: Any, fail: Any) -> list[dict[str, str]]:
    """`command` as written: a string, a list of strings, or [[command]] tables with `run` and optional `when`."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"run": value}]
    if not isinstance(value, list):
        raise fail("command", "expected a string, a list of strings, or [[command]] tables with run (and when)")
    entries = []
    for number, entry in enumerate(value, 1):
        if isinstance(entry, str):
            entry = {"run": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("run"), str) or not entry["run"].strip():
            raise fail(f"command[{number}]", "expected a string, or a table with run = \"aws …\"")
        extra = sorted(set(entry) - {"run", "when", "for_each"})
        if extra:
            raise fail(f"command[{number}]", f"unknown key {extra[0]!r} (expected run, when and for_each)")
        for key in ("when", "for_each"):
            if key in entry and not isinstance(entry[key], str):
                raise fail(f"command[{number}].{key}", "expected a JMESPath expression (a string)")
        entries.append(entry)
    return entries


def _split_legacy(remediation: str) -> tuple[str, list[str]]:
    """A rule file of before 0.2 wrote its fix and command in one `remediation`: "words: aws …"."""
    if remediation.startswith(("aws ", "apigw-scan ")):
        return "", [remediation]
    for marker in (": aws ", ": apigw-scan "):
        if marker in remediation:
            prose, command = remediation.split(marker, 1)
            return prose + ".", [marker[2:] + command]
    return remediation, []
