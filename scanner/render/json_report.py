"""The JSON report written as it is read: the document users script against (docs/interface.md), each method row,
finding, chain, error and note on a line of its own, so that no report is ever built whole in memory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from ..spool import SpooledReport, json_text


def write_json(report: SpooledReport, out: TextIO) -> None:
    out.write("{\n")
    for key, value in report.head.items():
        _member(out, key, value)
    if report.method_texts is not None:  # a spool's rows: their JSON text, the verdict written after it
        _member(out, "methods", (_Raw(text) for text in report.method_texts))
    else:
        _member(out, "methods", report.methods)
    if report.finding_texts is not None:  # a spool's findings: their JSON text, copied as it is
        _member(out, "findings", (_Raw(text) for text in report.finding_texts))
    else:
        _member(out, "findings", report.findings)
    _member(out, "errors", report.errors)
    _member(out, "calls", report.calls)
    _member(out, "chains", report.chains)
    tail = list(report.tail().items())
    for number, (key, value) in enumerate(tail):
        _member(out, key, value, last=number == len(tail) - 1)
    out.write("}\n")


def _member(out: TextIO, key: str, value: Any, last: bool = False) -> None:
    end = "\n" if last else ",\n"
    if not isinstance(value, (list, Iterable)) or isinstance(value, (str, dict)):
        out.write(f"  {json.dumps(key)}: {_dumps(value)}{end}")
        return
    out.write(f"  {json.dumps(key)}: [")
    separator = "\n    "
    for item in value:
        out.write(separator)
        out.write(_dumps(item))
        separator = ",\n    "
    out.write(f"\n  ]{end}" if separator != "\n    " else f"]{end}")


class _Raw:
    """A value already written as JSON."""

    def __init__(self, text: bytes | str) -> None:
        self.text = text if isinstance(text, str) else text.decode()


def _dumps(value: Any) -> str:
    return value.text if isinstance(value, _Raw) else json_text(value)
