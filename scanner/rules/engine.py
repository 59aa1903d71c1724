"""Judges fact records with rules: each rule's condition over each record (and each `for_each` item)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from ..findings import EVERY_STAGE, LOCATION_FIELDS, MISCONFIGURATION, Finding, Refusal
from ..schema.facts import SERVED_METHODS, Facts
from .loader import RefusalRule, Rule
from .template import Template, render_template
from .template_fix import render_template_fix

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


def evaluate(rules: list[Rule], facts: Facts) -> list[Finding]:
    """Every finding, `outcome` fail (the condition holds) or unknown (it could not be decided, and why). A rule
    that judges a method's configuration also judges what a stage serves where it differs from the live API.

    Each record is read once by every rule of its kind (its context made once); each rule's findings keep the
    order of its records, the order the report sorts ties in."""
    findings: list[Finding] = []
    for kind in dict.fromkeys(rule.applies_to for rule in rules):
        of_kind = [rule for rule in rules if rule.applies_to == kind]
        for record in facts.get(kind, []):
            _judge_record(of_kind, record, findings)
        configuration = [rule for rule in of_kind if rule.reads_configuration]
        for record in facts.get(SERVED_METHODS, []) if configuration else []:
            _judge_record(configuration, record, findings)
    return findings


def _judge_record(rules: list[Rule], record: dict[str, Any], findings: list[Finding]) -> None:
    context = {**record, "item": None}
    for rule in rules:
        if rule.for_each is not None:
            findings.extend(_judge_each(rule, rule.for_each, record, context))
            continue
        try:  # one item (None): judged without a list of items and of findings
            _judge_item(rule, record, None, context, findings)
        except (JMESPathError, TypeError, ValueError) as error:
            findings.append(_not_evaluated(rule, record, error))


def _judge_each(rule: Rule, for_each: ParsedResult, record: dict[str, Any],
                context: dict[str, Any]) -> list[Finding]:
    """A rule with for_each: its findings on each item the expression gives (none when it gives no list)."""
    try:
        found = for_each.search(record)
        findings: list[Finding] = []
        for item in found if isinstance(found, list) else []:
            context["item"] = item
            _judge_item(rule, record, item, context, findings)
        return findings
    except (JMESPathError, TypeError, ValueError) as error:
        return [_not_evaluated(rule, record, error)]
    finally:
        context["item"] = None


def _judge_item(rule: Rule, record: dict[str, Any], item: Any, context: dict[str, Any],
                findings: list[Finding]) -> None:
    """The rule's finding on one item (its context's `item`), if its condition holds or it cannot be decided."""
    if truthy(rule.condition.search(context)):
        findings.append(_finding(rule, record, item, context, "fail"))
    elif rule.unknown is not None:
        reason = rule.unknown.search(context)
        if truthy(reason):
            because = reason if isinstance(reason, str) else "a fact it needs is missing"
            findings.append(_finding(rule, record, item, {**context, "unknown_reason": because}, "unknown"))


def _not_evaluated(rule: Rule, record: dict[str, Any], error: Exception) -> Finding:
    """A rule that cannot be computed on these facts is reported, never a crash and never a silent pass."""
    finding = _finding(rule, record, None, {**record, "item": None}, "unknown")
    return finding.replace(message=f"the rule could not be evaluated on these facts ({error})")


_NO_LOCATION = dict.fromkeys(LOCATION_FIELDS)
_ABSENT = object()


def _finding(rule: Rule, record: dict[str, Any], item: Any, context: dict[str, Any], outcome: str) -> Finding:
    location: dict[str, Any] = _NO_LOCATION.copy()
    for field in _LOCATION_BY_KIND[rule.applies_to]:
        location[field] = record.get(field)
    source = record.get("source")  # where it was written (a template's line; a live stack)
    if isinstance(item, dict):
        location.update({field: item[field] for field in ("stage", "pool_id") if item.get(field) is not None})
        if isinstance(item.get("source"), dict):  # the item is what the fix edits (a template's or Terraform's
            source = item["source"]  # deployment), written elsewhere than its record
    if location["stage"] is None and record.get("serving_stage") is not None:
        location["stage"] = record["serving_stage"]
    if location.get("pool_id") is None and len(record.get("pool_ids") or []) == 1:
        location["pool_id"] = record["pool_ids"][0]
    message = render_template(rule.message, context)
    if outcome == "unknown":
        message = f"Could not be decided: {context.get('unknown_reason')}"
    elif rule.reads_configuration and rule.kind == MISCONFIGURATION and not _item_stage(item):
        message = _stage_aware(message, record)
    # A design finding says whom a method turns away by design: nothing to fix, and no report shows one.
    fix = render_template(rule.fix, context) if rule.kind == MISCONFIGURATION else ""
    commands = []
    if rule.commands and rule.kind == MISCONFIGURATION:  # a design finding has nothing to fix
        was = context.get("each", _ABSENT)
        try:
            for command in rule.commands:
                if command.when is not None and not truthy(command.when.search(context)):
                    continue
                elements = command.for_each.search(context) if command.for_each is not None else [None]
                for each in elements if isinstance(elements, list) else []:
                    context["each"] = each  # the context is the finding's own: `each` set in place, then restored
                    commands.append(render_template(command.template, context, as_shell_words=True))
        finally:
            if was is _ABSENT:
                context.pop("each", None)
            else:
                context["each"] = was
    if isinstance(source, dict) and source.get("file") and rule.kind == MISCONFIGURATION:
        # Judged on a template: the AWS CLI commands would act on deployed resources the template names by logical
        # ID and placeholder; the fix is an edit at the finding's source line, checked again with apigw-scan.
        commands = [command for command in commands if command.startswith("apigw-scan ")]
        fix = render_template_fix(_written_fix(rule, source), context)
    severity = next((level for when, level in rule.severity_when if truthy(when.search(context))), rule.severity)
    return Finding.made(
        rule=rule.id, severity=severity, title=rule.title, outcome=outcome, message=message, fix=fix,
        commands=tuple(commands), remediation=remediation_text(fix, commands), **location, source=source,
        seed=rule.seed, scope=rule.applies_to,
        method_verdict=rule.method_verdict or ("warn" if severity in ("low", "info") else "fail"),
        kind=rule.kind, stages=_stages(rule, record, item),
        refusals=tuple(refusal for entry in rule.refusals
                       if (refusal := _refusal(entry, context, outcome)) is not None),
    )


def _written_fix(rule: Rule, source: dict[str, Any]) -> Template:
    """The fix in the words of the tool the finding's source is written in: a Terraform block (its source has an
    address, from a configuration or from a plan alone) its terraform_fix, a SAM resource its sam_fix, else `fix`."""
    if source.get("address") and rule.terraform_fix is not None:
        return rule.terraform_fix
    if rule.sam_fix is not None and str(source.get("type") or "").startswith("AWS::Serverless::"):
        return rule.sam_fix
    return rule.fix


def _item_stage(item: Any) -> str | None:
    stage = item.get("stage") if isinstance(item, dict) else None
    return stage if isinstance(stage, str) else None


def _stages(rule: Rule, record: dict[str, Any], item: Any) -> frozenset[str | None] | None:
    """Where the finding holds: the stage of its item; for what a method's configuration is, the stages that serve
    it as it is (and, on the method's own record, the live configuration: `None`); else every stage."""
    stage = _item_stage(item)
    if stage is not None:
        return frozenset({stage})
    if rule.reads_configuration and record.get("judged_stages") is not None:
        own = {None} if record.get("serving_stage") is None else set()
        return frozenset({*record["judged_stages"], *own})
    return EVERY_STAGE


def _stage_aware(message: str, record: dict[str, Any]) -> str:
    """A finding about a method's configuration says where it holds when a stage serves something else: on that
    stage (a record of what it serves), or once deployed (the live API's record)."""
    deploy_rule = "HTTP006" if record.get("api_type") == "HTTP" else "APIGW003"
    serving = record.get("serving_stage")
    if serving is not None:
        return f"On stage {serving}, which serves an earlier configuration than the live API ({deploy_rule}): {message}"
    judged, stages = record.get("judged_stages"), record.get("stages")
    if judged is None or stages is None or not record.get("live", True):
        return message
    if not stages:
        return f"Once deployed: {message} No stage serves {record.get('method')} {record.get('path')} yet " \
               f"({deploy_rule})."
    others = [stage for stage in stages if stage not in judged]
    if not others:
        return message
    named = f"stage {others[0]} still serves" if len(others) == 1 else f"stages {', '.join(others)} still serve"
    if not judged:
        return f"Once deployed: {message} For now {named} the earlier configuration ({deploy_rule})."
    return f"{message} This holds on {', '.join(judged)} and once deployed; {named} an earlier configuration " \
           f"({deploy_rule})."


def _refusal(entry: RefusalRule, context: dict[str, Any], outcome: str) -> Refusal | None:
    """A [[refuses]] table on the finding's facts: None when its `when` does not hold. An expression that cannot
    be computed narrows nothing on an undecided finding, and refuses nobody on a decided one."""
    if all(getattr(entry, name) is None for name in _EXPRESSIONS):
        return _unconditional(entry)
    try:
        if entry.when is not None and not truthy(entry.when.search(context)):
            return None
        selected = _listed(entry.select, context)
        callers = None if selected is None else frozenset(
            (str(caller.get("kind")), caller.get("pool_id"), caller.get("client_id"))
            for caller in selected if isinstance(caller, dict))
        clients, pools = _listed(entry.clients, context), _listed(entry.pools, context)
        routes = _listed(entry.through, context)
        through = None if routes is None else frozenset(
            (str(route.get("distribution_id")), str(route.get("behaviour")))
            for route in routes if isinstance(route, dict))
    except (JMESPathError, TypeError, ValueError):
        if outcome != "unknown":
            return None
        callers, clients, pools, through = None, None, None, None
    return Refusal(step=entry.step, status=entry.status, kinds=frozenset(entry.kinds), callers=callers,
                   clients=None if clients is None else frozenset(str(name) for name in clients if name is not None),
                   pools=None if pools is None else frozenset(str(pool) for pool in pools if pool is not None),
                   partial=entry.partial, through=through)


# A [[refuses]] table's expressions (when, select, clients, pools …): its fields that are None when not given.
_EXPRESSIONS = tuple(field.name for field in dataclasses.fields(RefusalRule) if field.default is None)


@lru_cache(maxsize=4096)
def _unconditional(entry: RefusalRule) -> Refusal:
    """The refusal of a [[refuses]] table that reads no fact: the same for every finding of its rule."""
    return Refusal(step=entry.step, status=entry.status, kinds=frozenset(entry.kinds), callers=None, clients=None,
                   pools=None, partial=entry.partial)


def _listed(expression: Any, context: dict[str, Any]) -> list[Any] | None:
    if expression is None:
        return None
    found = expression.search(context)
    if not isinstance(found, list):
        raise TypeError(f"expected a list, got {found!r}")
    return found


def remediation_text(fix: str, commands: list[str]) -> str:
    """The contract's one-string remediation: the fix in words, then each command on its own line."""
    return "\n".join([fix, *commands]) if fix else "\n".join(commands)
