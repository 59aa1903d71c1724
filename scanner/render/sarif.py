"""SARIF 2.1.0: one result per finding, rule metadata from policies/, for GitHub code scanning and other viewers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TextIO

from .. import __version__
from ..findings import MISCONFIGURATION
from ..report import resource_of
from ..rules.loader import Rule
from ..rules.sources import cited
from ..spool import SpooledReport, json_text

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(report: dict[str, Any], rules: list[Rule]) -> dict[str, Any]:
    head = sarif_head(rules)
    index = rule_index(rules)
    run = {**head["runs"][0], "results": [sarif_result(finding, index) for finding in report["findings"]],
           **run_tail(report.get("accounts") or [], report.get("regions") or [], report.get("errors") or [])}
    return {**head, "runs": [run]}


def write_sarif(report: SpooledReport, rules: list[Rule], out: TextIO) -> None:
    """The SARIF log written as the findings are read: one result a line."""
    head = json.dumps(sarif_head(rules), indent=2)  # the run's tool, then the results, then the rest of the run
    opening, _, _ = head.rpartition("\n    }\n  ]\n}")
    out.write(opening + ',\n      "results": [')
    index = rule_index(rules)
    separator = "\n        "
    for finding in report.findings:
        out.write(separator + json_text(sarif_result(finding, index)))
        separator = ",\n        "
    out.write("\n      ],\n" if separator != "\n        " else "],\n")
    tail = run_tail(report.head.get("accounts") or [], report.head.get("regions") or [], report.errors)
    out.write(",\n".join(f"      {json.dumps(key)}: {json.dumps(value, default=str)}" for key, value in tail.items()))
    out.write("\n    }\n  ]\n}\n")


def sarif_head(rules: list[Rule]) -> dict[str, Any]:
    """The log and its run's tool, with the rules a scan can report (a design rule says who a method turns away by
    design: no result of a scan, so no rule of its run either)."""
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apigw-scan", "version": __version__, "informationUri": "https://github.com/apigw-scan",
                "rules": [_rule(rule) for rule in _catalog(rules)],
            }},
            "originalUriBaseIds": {"AWS": {"description": {"text": "Resources of the scanned AWS accounts"}}},
        }],
    }


def _catalog(rules: list[Rule]) -> list[Rule]:
    return sorted((rule for rule in rules if rule.kind == MISCONFIGURATION), key=lambda rule: rule.id)


def rule_index(rules: list[Rule]) -> dict[str, int]:
    return {rule.id: position for position, rule in enumerate(_catalog(rules))}


def run_tail(accounts: list[Any], regions: list[Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's invocation (whether the scan read everything) and properties, after its results."""
    return {"invocations": [_invocation(errors)],
            "properties": {"accounts": accounts, "regions": regions, "errors": errors}}


def sarif_result(finding: Mapping[str, Any], index: dict[str, int]) -> dict[str, Any]:
    """One finding as a SARIF result."""
    resource = resource_of(finding)
    result: dict[str, Any] = {
        "ruleId": finding["rule"],
        "level": LEVEL[finding["severity"]] if finding["outcome"] == "fail" else "none",
        "kind": "fail" if finding["outcome"] == "fail" else "review",
        "message": {"text": f"{finding['message']}\nFix: {finding['remediation']}"},
        "locations": [{
            "physicalLocation": _physical(finding, resource),
            "logicalLocations": [{"fullyQualifiedName": resource, "kind": "resource"}],
        }],
        "partialFingerprints": {"apigwScanFinding/v1": hashlib.sha256(
            f"{finding['rule']}|{resource}|{finding.get('stage')}".encode()).hexdigest()},
        "properties": {key: finding.get(key) for key in ("severity", "outcome", "account", "region", "api_id",
                                                          "stage", "pool_id", "client_id", "baseline",
                                                          "evidence", "requests")
                       if finding.get(key) is not None},
    }
    if finding["rule"] in index:
        result["ruleIndex"] = index[finding["rule"]]
    return result


def _physical(finding: Mapping[str, Any], resource: str) -> dict[str, Any]:
    """A template finding points at its file and line (GitHub code scanning annotates the pull request there);
    an account's at the resource."""
    source = finding.get("source") or {}
    if source.get("file"):
        uri = str(source["file"]).replace("\\", "/")
        return {"artifactLocation": {"uri": uri[2:] if uri.startswith("./") else uri},
                "region": {"startLine": int(source.get("line") or 1)}}
    return {"artifactLocation": {"uri": f"aws/{resource}", "uriBaseId": "AWS"}, "region": {"startLine": 1}}


def _invocation(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the scan read everything: each failed call is a notification, and the run is not successful."""
    return {
        "executionSuccessful": not errors,
        "toolExecutionNotifications": [{
            "level": "error",
            "message": {"text": f"{error.get('service')}:{error.get('operation')} failed in "
                                f"{error.get('region') or 'every region'}"
                                f"{' of account ' + str(error['account']) if error.get('account') else ''}: "
                                f"{error.get('message')}"
                                f"{' (needs ' + str(error['iam_action']) + ')' if error.get('iam_action') else ''}; "
                                "the checks that needed it are unknown"},
            "descriptor": {"id": str(error.get("iam_action") or error.get("operation"))},
        } for error in errors],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    citations = cited(rule.seed)
    link = next((citation["url"] for citation in citations if citation["url"]), None)
    sources = "; ".join(citation["title"] + (f" <{citation['url']}>" if citation["url"] else "")
                        for citation in citations)
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.title},
        **({"helpUri": link} if link else {}),
        "help": {"text": f"{rule.description or rule.title}\nSource: {sources} ({rule.seed})"},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"severity": rule.severity, "security-severity": SECURITY_SEVERITY[rule.severity],
                       "seed": rule.seed, "scope": rule.applies_to, "tags": ["security", "api-gateway", "cognito"]},
    }
