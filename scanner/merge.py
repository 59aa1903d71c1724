"""`merge`: the JSON reports of shards or accounts read one row at a time into a spool, each file's shape checked
as triage.load_report checks a whole one; the spool puts them together as report.merge_reports does (a file given
twice counted once, rows and findings in several inputs counted once, verdicts and the summary counted again)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .errors import UsageError
from .findings import Finding
from .json_stream import members_of
from .report import REPORT_SCHEMA
from .spool import ReportSpool
from .triage import LISTS, check_finding, check_method, finding_key, report_error, typed

_STREAMED = frozenset({"methods", "findings", "chains", "suppressed", "fixed"})
_OPTION = "merge"


def merge_into(spool: ReportSpool, paths: list[str]) -> None:
    """Every report of `paths` into `spool`."""
    spool.finding_digests = set()
    seen: set[bytes] = set()
    repeated = 0
    for path in paths:
        digest = _file_digest(path)
        if digest in seen:
            repeated += 1
            continue
        seen.add(digest)
        _read_into(spool, path)
    if repeated:
        spool.scan_notes.append(f"{repeated} input report(s) repeat another one: each is counted once")


def _file_digest(path: str) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return path.encode()  # said by the reading that follows
    return digest.digest()


def _read_into(spool: ReportSpool, path: str) -> None:
    found: dict[str, Any] = {}
    for key, value in members_of(path, _OPTION, "a JSON report", _STREAMED):
        if isinstance(value, Iterator):
            _stream_into(spool, path, key, value, found.get("account"))
            found[key] = []
        else:
            if key in LISTS and not isinstance(value, list):
                raise report_error(path, _OPTION, key, "a list")
            found[key] = value
            if key in _STREAMED and isinstance(value, list):
                _stream_into(spool, path, key, iter(value), found.get("account"))
    if found.get("schema") != REPORT_SCHEMA:
        raise UsageError(f"{_OPTION} {path}: expected a report written by `apigw-scan scan --format json` "
                         f"(schema {REPORT_SCHEMA})")
    accounts = [account for account in found.get("accounts") or [found.get("account")] if account]
    for account in accounts:
        spool.add_account_id(str(account))
    spool.regions.update(found.get("regions") or [])
    spool.notes += found.get("notes") or []
    spool.add_errors(found.get("errors") or [])
    spool.calls += int(found.get("calls") or 0)
    summary = found.get("summary") or {}
    for name in ("apis", "pools", "clients"):
        spool.sizes[name] += summary.get(name, 0)


def _stream_into(spool: ReportSpool, path: str, key: str, elements: Iterator[Any], account: Any) -> None:
    """One streamed list of a report into the spool; `account` is the report's (null when it covers several)."""
    if key == "methods":
        spool.add_rows(_checked_rows(elements, path))
    elif key == "findings":
        spool.add_findings(_checked_findings(elements, path), account if isinstance(account, str) else None)
    elif key == "chains":
        spool.add_chains(chain for chain in elements if isinstance(chain, dict))
    else:  # suppressed, fixed: carried as they are
        listed = [typed(item) for item in elements]
        spool.lists.setdefault(key, []).extend(item.as_json() if isinstance(item, Finding) else item
                                               for item in listed)
        if key == "suppressed" and spool.triage.baseline is not None:
            spool.now.update(finding_key(item) for item in listed if isinstance(item, Mapping))


def _checked_rows(rows: Iterable[Any], path: str) -> Iterator[dict[str, Any]]:
    for number, row in enumerate(rows):
        check_method(row, number, path, _OPTION)
        yield row


def _checked_findings(findings: Iterable[Any], path: str) -> Iterator[Any]:
    for number, finding in enumerate(findings):
        check_finding(finding, number, path, _OPTION)
        yield typed(finding)
