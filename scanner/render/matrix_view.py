"""The access matrix as a table (one grid per API: methods down, callers across), as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from typing import Any

from tabulate import tabulate

from ..access.matrix import MATRIX_SCHEMA
from .csv_report import csv_cell
from .escape import escaped
from .terminal import incomplete_banner
from .width import DEFAULT_WIDTH as WIDTH

KIND_ORDER = {"none": 0, "lambda": 1, "iam": 2, "id": 3, "access": 4, "m2m": 5}
PLAIN = {"pass": "ok", "unknown": "?"}
SYMBOLS = {"pass": "✓", "unknown": "?"}


def matrix_document(cells: list[dict[str, Any]], blocked: list[dict[str, Any]], report: dict[str, Any]) -> \
        dict[str, Any]:
    """The matrix's JSON (`apigw-scan-matrix/1`)."""
    return {"schema": MATRIX_SCHEMA, "cells": cells, "blocked": blocked, "errors": report.get("errors") or [],
            "notes": report.get("notes") or []}


def render_matrix_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str) + "\n"


CSV_COLUMNS = ("account", "region", "api_type", "api_id", "api_name", "method", "path", "stage", "caller",
               "caller_kind", "pool_id", "client_id", "client_name", "outcome", "rules", "why")


def render_matrix_csv(document: dict[str, Any]) -> str:
    """One row per cell (method × stage × caller)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for cell in document["cells"]:
        caller = cell["caller"]
        writer.writerow({key: csv_cell(value) for key, value in {
            **{key: cell.get(key) for key in CSV_COLUMNS}, "caller": cell["label"], "caller_kind": caller["kind"],
            "pool_id": caller["pool_id"], "client_id": caller["client_id"], "client_name": caller["client_name"],
            "rules": " ".join(cell["rules"])}.items()})
    return buffer.getvalue()


def render_matrix_table(document: dict[str, Any], unicode: bool = True) -> str:
    """Per API, one line per method and stage, one column per caller; a kind's per-client columns collapse into
    one ("id: all clients") when every method answers those clients alike."""
    document = escaped(document)  # names and reasons from AWS reach the screen escaped
    symbols = SYMBOLS if unicode else PLAIN
    parts = [incomplete_banner(document)]
    by_api: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for cell in document["cells"]:
        by_api.setdefault((cell["account"], cell["region"], cell["api_name"], cell["api_id"]), []).append(cell)
    for (account, region, name, api_id), cells in sorted(by_api.items(), key=lambda item: str(item[0])):
        parts.append(f"{name} ({api_id}, {region}, account {account})\n" + _grid(cells, symbols))
    legend = (f"{symbols['pass']} = API Gateway lets the caller through; 401/403/404/429/500 = what it answers; "
              f"{symbols['unknown']} = could not be decided (the JSON says why); blank = not a caller of that "
              "method. id:/access:/m2m: = an ID, access or machine-to-machine token of that app client.")
    parts.append("\n".join(textwrap.wrap(legend, WIDTH)))
    for entry in document["blocked"]:
        parts.append("\n".join(textwrap.wrap(f"NO CALLER: {entry['api_name']} {entry['message']}", WIDTH,
                                             subsequent_indent="  ")))
    return "\n\n".join(part for part in parts if part) + "\n"


def _grid(cells: list[dict[str, Any]], symbols: dict[str, str]) -> str:
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for cell in cells:
        shown = symbols.get(cell["outcome"], cell["outcome"])
        rows.setdefault((cell["path"], cell["method"], cell["stage"] or "-"), {})[cell["label"]] = shown
    labels = sorted({label for row in rows.values() for label in row},
                    key=lambda label: (KIND_ORDER.get(label.split(":", 1)[0], 9), label))
    columns: list[tuple[str, list[str]]] = []
    for kind in ("none", "lambda", "iam", "id", "access", "m2m"):
        of_kind = [label for label in labels if label.split(":", 1)[0] == kind]
        if not of_kind:
            continue
        alike = len(of_kind) > 1 and all((len({row.get(label) for label in of_kind if label in row}) <= 1
                                         and all(label in row for label in of_kind)) or
                                         not any(label in row for label in of_kind) for row in rows.values())
        columns += [(f"{kind}: all clients", of_kind)] if alike else [(label, [label]) for label in of_kind]
    table = []
    for (path, verb, stage), row in sorted(rows.items()):
        table.append([verb, path, stage] + [row.get(members[0], "") for _, members in columns])
    return str(tabulate(table, headers=["Method", "Path", "Stage", *[title for title, _ in columns]],
                        tablefmt="simple", disable_numparse=True))
