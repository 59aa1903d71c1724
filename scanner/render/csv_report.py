"""CSV: one row per method (spreadsheet-friendly), then one per finding, then one per failed call: filter on `kind`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

from ..arns import readable
from .escape import escape_text

# What makes a spreadsheet read a cell as a formula (OWASP: "CSV injection"), tab and carriage return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = ("kind", "account", "region", "api_type", "api_id", "api_name", "method", "path", "stages",
           "authorization", "authorizer", "token", "scopes", "policy_decision", "verdict", "rules",
           "severity", "message", "remediation", "pool_id", "client_id",
           # added after 1.0 (new columns go last): what callers got, and what it says of a finding
           "requests", "failed_requests", "traffic_scope", "evidence")


def render_csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    write_csv(report["methods"], report["findings"], report.get("errors") or [], buffer)
    return buffer.getvalue()


def write_csv(methods: Iterable[dict[str, Any]], findings: Iterable[dict[str, Any]],
              errors: Iterable[dict[str, Any]], out: TextIO) -> None:
    """The rows written as they are read: methods, then findings, then failed calls."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for method in methods:
        traffic = method.get("traffic") or {}
        writer.writerow({**{key: csv_cell(method.get(key)) for key in COLUMNS}, "kind": "method",
                         "rules": " ".join(method.get("findings") or []), "requests": csv_cell(traffic.get("requests")),
                         "failed_requests": csv_cell(traffic["4xx"] + traffic["5xx"] if traffic else None),
                         "traffic_scope": csv_cell(traffic.get("scope"))})
    for finding in findings:
        writer.writerow({**{key: csv_cell(finding.get(key)) for key in COLUMNS}, "kind": "finding",
                         "rules": finding["rule"], "verdict": finding["outcome"]})
    for error in errors:  # a scan that could not read everything says so in every format
        writer.writerow({**{key: csv_cell(error.get(key)) for key in COLUMNS}, "kind": "error", "verdict": "unknown",
                         "message": csv_cell(f"{error.get('service')}:{error.get('operation')} failed: "
                                          f"{error.get('message')}"),
                         "remediation": csv_cell(f"grant {error['iam_action']}" if error.get("iam_action")
                                                 else "run the scan again with more time")})


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = readable("; ".join(str(item) for item in value) if isinstance(value, list) else str(value))
    # A cell a spreadsheet would run as a formula is written as text; control characters are made visible.
    return escape_text("'" + text if text[:1] in FORMULA_STARTS else text, keep_newlines=True)
