"""The access matrix as a table (one grid per API: methods down, callers across), as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tabulate import tabulate

from ..access.matrix import MATRIX_SCHEMA
from .csv_report import csv_cell
from .escape import escaped
from .terminal import incomplete_banner
from .width import DEFAULT_WIDTH, cells, wrap

KIND_ORDER = {"none": 0, "lambda": 1, "iam": 2, "id": 3, "access": 4, "m2m": 5}
PLAIN = {"pass": "ok", "unknown": "?"}
SYMBOLS = {"pass": "✓", "unknown": "?"}
VIA = " via CloudFront "  # in a caller's label: its request comes through that distribution


def matrix_document(cells: list[dict[str, Any]], blocked: list[dict[str, Any]], report: dict[str, Any]) -> \
        dict[str, Any]:
    """The matrix's JSON (`apigw-scan-matrix/1`); the blocked methods in the order of their API and path."""
    return {"schema": MATRIX_SCHEMA, "cells": cells, "blocked": sorted(blocked, key=_method_order),
            "errors": report.get("errors") or [], "notes": report.get("notes") or []}


def _method_order(entry: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(entry.get(key) or "") for key in ("account", "region", "api_name", "api_id", "path", "method"))


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


def render_matrix_table(document: dict[str, Any], unicode: bool = True, width: int = DEFAULT_WIDTH) -> str:
    """Per API, one line per method and stage, one column per caller (more tables side by side when the callers
    do not fit in `width`); a kind's per-client columns collapse into one ("id: all clients") when every method
    answers those clients alike. Then the legend, and the methods no caller gets through."""
    document = escaped(document)  # names and reasons from AWS reach the screen escaped
    symbols = SYMBOLS if unicode else PLAIN
    parts = [incomplete_banner(document, width)]
    by_api: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for cell in document["cells"]:
        by_api.setdefault((cell["account"], cell["region"], cell["api_name"], cell["api_id"]), []).append(cell)
    for (account, region, name, api_id), of_api in sorted(by_api.items(), key=lambda item: str(item[0])):
        parts.append("\n".join(wrap(f"{name} ({api_id}, {region}, account {account})", width))
                     + "\n" + _grid(of_api, symbols, width))
    legend = (f"{symbols['pass']} = API Gateway lets the caller through; 401/403/404/429/500 = what it answers; "
              f"{symbols['unknown']} = could not be decided (the JSON says why); blank = not a caller of that "
              "method. id:/access:/m2m: = an ID, access or machine-to-machine token of that app client; "
              "id:pool POOL_ID = of any client of a pool that could not be read (another account…)."
              + (" Stage - = no stage serves the method: no URL reaches it." if any(
                  cell["stage"] is None for cell in document["cells"]) else "")
              + _distributions(document["cells"]))
    parts.append("\n".join(wrap(legend, width)))
    if document["blocked"]:
        parts.append(_blocked(document, width))
    return "\n\n".join(part for part in parts if part) + "\n"


def _distributions(cells: list[dict[str, Any]]) -> str:
    """The legend's words for callers sent through CloudFront: what `via CloudFront DIST` means, and each
    distribution's domain."""
    throughs = [through for cell in cells if (through := cell["caller"].get("through"))]
    if not throughs:
        return ""
    domains = sorted({(through["distribution_id"], through["distribution_domain"]) for through in throughs
                      if through.get("distribution_domain")})  # a configuration's distribution has none yet
    return (" … via CloudFront DIST = that caller's request sent through the CloudFront distribution DIST (and the "
            "behaviour's path pattern, unless it is the default one), for the callers API Gateway itself does not "
            "turn away" + (": " + ", ".join(f"{distribution} is {domain}" for distribution, domain in domains)
                           if domains else "") + ".")


def _blocked(document: dict[str, Any], width: int) -> str:
    """The methods no caller gets through (matrix exits 1), each with what its callers get."""
    outcomes: dict[tuple[str, ...], dict[str, list[str]]] = {}
    for cell in document["cells"]:
        at = f" on {cell['stage']}" if cell.get("stage") else ""
        outcomes.setdefault(_method_order(cell), {}).setdefault(f"{cell['outcome']}{at}", []).append(cell["label"])
    lines = wrap(f"No caller gets through {len(document['blocked'])} method(s) (matrix exits 1):", width)
    for entry in document["blocked"]:
        answers = outcomes.get(_method_order(entry), {})
        said = "; ".join(f"{answer} for every caller" if len(answers) == 1 else
                         f"{answer} for {', '.join(sorted(set(labels), key=_label_order))}"
                         for answer, labels in sorted(answers.items()))
        lines += wrap(f"{entry['api_name']} {entry['method']} {entry['path']}: {said or '-'}", width, "  ", "    ")
    return "\n".join(lines)


def _label_order(label: str) -> tuple[int, str]:
    return KIND_ORDER.get(_kind_of(label), 9), label


def _kind_of(label: str) -> str:
    """The caller kind a label names: `access` of `access:shop-web`, `none` of `none via CloudFront E2EXAMPLE`."""
    return label.split(":", 1)[0].split(" ", 1)[0]


def _through_of(label: str) -> str:
    """What a label says after its caller: ` via CloudFront E2EXAMPLE` (else nothing)."""
    return label[label.index(VIA):] if VIA in label else ""


def _grid(of_api: list[dict[str, Any]], symbols: dict[str, str], width: int) -> str:
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for cell in of_api:
        shown = symbols.get(cell["outcome"], cell["outcome"])
        rows.setdefault((cell["path"], cell["method"], cell["stage"] or "-"), {})[cell["label"]] = shown
    labels = sorted({label for row in rows.values() for label in row}, key=_label_order)
    columns: list[tuple[str, list[str]]] = []
    # The callers that reach the API itself, then those sending their requests through each CloudFront behaviour.
    for through in sorted({_through_of(label) for label in labels}):
        for kind in ("none", "lambda", "iam", "id", "access", "m2m"):
            of_kind = [label for label in labels if _kind_of(label) == kind and _through_of(label) == through]
            if not of_kind:
                continue
            alike = len(of_kind) > 1 and all((len({row.get(label) for label in of_kind if label in row}) <= 1
                                             and all(label in row for label in of_kind)) or
                                             not any(label in row for label in of_kind) for row in rows.values())
            columns += [(f"{kind}: all clients{through}", of_kind)] if alike else [(label, [label])
                                                                                   for label in of_kind]
    ordered = sorted(rows.items())
    keys = [[verb, path, stage] for (path, verb, stage), _ in ordered]
    values = [[row.get(members[0], "") for _, members in columns] for _, row in ordered]
    base = sum(_column_width(title, keys, index) for index, title in enumerate(("Method", "Path", "Stage")))
    tables: list[str] = []
    start = 0
    while start < len(columns) or not tables:
        end, used = start, base
        while end < len(columns) and (end == start or
                                      used + _column_width(columns[end][0], values, end) - 2 <= width):
            used += _column_width(columns[end][0], values, end)
            end += 1
        table = [key + value[start:end] for key, value in zip(keys, values, strict=True)]
        tables.append(str(tabulate(table, headers=["Method", "Path", "Stage", *[t for t, _ in columns[start:end]]],
                                   tablefmt="simple", disable_numparse=True)))
        start = end
    return "\n\n".join(tables)


def _column_width(title: str, values: list[list[str]], index: int) -> int:
    """A column's width in tabulate's simple format (its widest value; a heading gets two more cells), and the two
    spaces before the next column."""
    return max([cells(title) + 2, *(cells(row[index]) for row in values)]) + 2
