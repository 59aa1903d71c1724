"""CSV: one row per method (spreadsheet-friendly), then one row per finding: filter on the `kind` column."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = ("kind", "account", "region", "api_type", "api_id", "api_name", "method", "path", "stages",
           "authorization", "authorizer", "token", "scopes", "policy_decision", "verdict", "rules",
           "severity", "message", "remediation", "pool_id", "client_id")


def render_csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for method in report["methods"]:
        writer.writerow({**{key: _cell(method.get(key)) for key in COLUMNS}, "kind": "method",
                         "rules": " ".join(method.get("findings") or [])})
    for finding in report["findings"]:
        writer.writerow({**{key: _cell(finding.get(key)) for key in COLUMNS}, "kind": "finding",
                         "rules": finding["rule"], "verdict": finding["outcome"]})
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    text = str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
