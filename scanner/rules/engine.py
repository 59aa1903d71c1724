"""Judges fact records with rules: each rule's condition over each record (and each `for_each` item)."""

from __future__ import annotations

from typing import Any

from jmespath.exceptions import JMESPathError

from ..schema.facts import Facts
from .loader import Rule
from .template import render_template
from .template_fix import render_template_fix

LOCATION_FIELDS = ("account", "region", "api_id", "api_name", "path", "method", "stage", "pool_id", "client_id",
                   "authorizer", "endpoint")
_LOCATION_BY_KIND = {
    "method": ("region", "account", "api_id", "api_name", "path", "method"),
    "api": ("region", "account", "api_id", "api_name"),
    "authorizer": ("region", "account", "api_id", "api_name", "authorizer"),
    "pool": ("region", "account", "pool_id"),
    "client": ("region", "account", "pool_id", "client_id"),
    "endpoint": ("region", "account", "api_id", "api_name", "endpoint"),
}


def truthy(value: Any) -> bool:
    """JMESPath's truth: false, null, empty string, list or object are false; numbers are true."""
    return value not in (None, False, "", [], {}) or (isinstance(value, (int, float)) and not isinstance(value, bool))


def evaluate(rules: list[Rule], facts: Facts) -> list[dict[str, Any]]:
    """Every finding, `outcome` fail (the condition holds) or unknown (it could not be decided, and why)."""
    findings = []
    for rule in rules:
        for record in facts.get(rule.applies_to, []):
            findings.extend(_judge(rule, record))
    return findings


def _judge(rule: Rule, record: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[Any] = [None]
    try:
        if rule.for_each is not None:
            found = rule.for_each.search(record)
            items = found if isinstance(found, list) else []
        findings = []
        for item in items:
            context = {**record, "item": item}
            if truthy(rule.condition.search(context)):
                findings.append(_finding(rule, record, item, context, "fail"))
            elif rule.unknown is not None:
                reason = rule.unknown.search(context)
                if truthy(reason):
                    context["unknown_reason"] = reason if isinstance(reason, str) else "a fact it needs is missing"
                    findings.append(_finding(rule, record, item, context, "unknown"))
        return findings
    except (JMESPathError, TypeError, ValueError) as error:
        # A rule that cannot be computed on these facts is reported, never a crash and never a silent pass.
        context = {**record, "item": None}
        finding = _finding(rule, record, None, context, "unknown")
        finding["message"] = f"the rule could not be evaluated on these facts ({error})"
        return [finding]


def _finding(rule: Rule, record: dict[str, Any], item: Any, context: dict[str, Any], outcome: str) -> dict[str, Any]:
    location = {field: None for field in LOCATION_FIELDS}
    location.update({field: record.get(field) for field in _LOCATION_BY_KIND[rule.applies_to]})
    source = record.get("source")  # where it was written (a template's line; a live stack)
    location["source"] = source
    if isinstance(item, dict):
        location.update({field: item[field] for field in ("stage", "pool_id") if item.get(field) is not None})
        if isinstance(item.get("source"), dict):  # the item is written elsewhere (a template's deployment)
            location["source"] = source = item["source"]
    if location.get("pool_id") is None and len(record.get("pool_ids") or []) == 1:
        location["pool_id"] = record["pool_ids"][0]
    message = render_template(rule.message, context)
    if outcome == "unknown":
        message = f"Could not be decided: {context.get('unknown_reason')}"
    fix = render_template(rule.fix, context)
    commands = []
    for command in rule.commands:
        if command.when is not None and not truthy(command.when.search(context)):
            continue
        elements = command.for_each.search(context) if command.for_each is not None else [None]
        for each in elements if isinstance(elements, list) else []:
            commands.append(render_template(command.template, {**context, "each": each}, as_shell_words=True))
    if isinstance(source, dict) and source.get("file"):
        # Judged on a template: the AWS CLI commands would act on deployed resources the template names by logical
        # ID and placeholder; the fix is an edit at the finding's source line, checked again with apigw-scan.
        commands = [command for command in commands if command.startswith("apigw-scan ")]
        sam = rule.sam_fix is not None and str(source.get("type") or "").startswith("AWS::Serverless::")
        fix = render_template_fix(rule.sam_fix if sam and rule.sam_fix is not None else rule.fix, context)
    return {
        "rule": rule.id, "severity": rule.severity, "title": rule.title, "outcome": outcome,
        "message": message, "fix": fix, "commands": commands, "remediation": remediation_text(fix, commands),
        **location, "seed": rule.seed, "scope": rule.applies_to,
        "method_verdict": rule.method_verdict or ("warn" if rule.severity in ("low", "info") else "fail"),
    }


def remediation_text(fix: str, commands: list[str]) -> str:
    """The contract's one-string remediation: the fix in words, then each command on its own line."""
    return "\n".join([fix, *commands]) if fix else "\n".join(commands)
