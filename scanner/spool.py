"""A report too big to hold, put together as its parts arrive (judged units, shards read back) and read back in
the report's order.

Method rows, findings, chains and suppressed findings go to a temporary folder as sorted runs of JSON lines (the
order key, a tab, the value); reading the report merges the runs. Only what every row's verdict needs stays in
memory: a compact index of the findings (rule, outcome and place), so that a row's verdict comes from every
finding that bears on it, wherever it was judged (a pool's findings reach the methods of other accounts, as a merge
of reports has it). The report read back is the one the same parts make in memory (report.merge_reports and the
triage): rows, findings and chains counted once, the summary counted again, suppressions and the baseline applied.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, BinaryIO, ClassVar, Protocol

from .findings import Finding, FindingIndex, plain
from .report import (
    ERROR_FIELDS,
    REPORT_SCHEMA,
    ReportPart,
    Tally,
    attach_row,
    chain_key,
    chain_order,
    finding_order,
    gates,
    gating_findings,
    method_order,
    row_verdict,
)
from .templates.placeholders import written_as_template
from .triage import finding_key, suppression_of

_READ = 1 << 16
RUN = 4096  # values a run holds in memory while they are sorted
_HEADER = struct.Struct(">IHI")  # a record: its key's, its note's and its value's lengths


# json.dumps(value, default=str), its encoder made once (json.dumps makes one a call when given `default`).
json_text: Callable[[Any], str] = json.JSONEncoder(default=str).encode


def _dumps(value: Any) -> bytes:
    return json_text(value).encode()


def sort_key(order: tuple[Any, ...]) -> bytes:
    """An order tuple (of strings and whole numbers) as bytes that sort as the tuple does: a number as 8 bytes, big
    end first, offset to be positive; a string as its UTF-8 (which sorts as its code points), its NULs escaped and a
    double NUL after it. Runs merge comparing these bytes, never parsing keys back."""
    parts = []
    for item in order:
        if isinstance(item, int):
            parts.append(b"\x01" + (int(item) + (1 << 63)).to_bytes(8, "big"))
        else:
            parts.append(b"\x02" + str(item).encode("utf-8", "surrogatepass").replace(b"\x00", b"\x00\xff")
                         + b"\x00\x00")
    return b"".join(parts)


Entry = tuple[bytes, bytes, bytes]  # a value's sort key, a short note about it, its JSON text


class _Runs:
    """Sorted runs of records (key, note, value) in one temporary file, read back as one sequence in key order (for
    equal keys, the earlier run first)."""

    def __init__(self, path: str, order: Callable[[Any], tuple[Any, ...]]) -> None:
        self.path = path
        self.order = order
        self.handle: BinaryIO = open(path, "w+b")  # noqa: SIM115  # closed by close()
        self.runs: list[tuple[int, int]] = []  # each run's first byte and its end
        self.count = 0

    def add(self, values: Iterable[Any]) -> None:
        """The values (JSON data), as runs of at most RUN values each."""
        self.add_entries((sort_key(self.order(value)), b"", _dumps(value)) for value in values)

    def add_entries(self, entries: Iterable[Entry]) -> None:
        """Values already keyed and encoded, as runs of at most RUN each."""
        chunk: list[Entry] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) == RUN:
                self._write(chunk)
                chunk = []
        self._write(chunk)

    def _write(self, entries: list[Entry]) -> None:
        if not entries:
            return
        entries.sort(key=itemgetter(0))
        block = bytearray()
        for key, note, value in entries:
            block += _HEADER.pack(len(key), len(note), len(value))
            block += key
            block += note
            block += value
        self.handle.seek(0, os.SEEK_END)
        start = self.handle.tell()
        self.handle.write(block)
        self.runs.append((start, start + len(block)))
        self.count += len(entries)

    def merged(self) -> Iterator[Entry]:
        """Every record, in key order."""
        self.handle.flush()
        return heapq.merge(*(self._run(start, end) for start, end in self.runs), key=itemgetter(0))

    def _run(self, start: int, end: int) -> Iterator[Entry]:
        """A run's records, read a block at a time."""
        descriptor = self.handle.fileno()
        pending = b""
        position = start
        while position < end or pending:
            if position < end:
                read = os.pread(descriptor, min(_READ, end - position), position)
                position += len(read)
                pending += read
            at = 0
            while at + _HEADER.size <= len(pending):
                key, note, value = _HEADER.unpack_from(pending, at)
                size = _HEADER.size + key + note + value
                if at + size > len(pending):
                    break
                body = at + _HEADER.size
                yield (pending[body:body + key], pending[body + key:body + key + note],
                       pending[body + key + note:at + size])
                at += size
            pending = pending[at:]
            if position >= end and pending and at == 0:
                raise ValueError("a spooled run ends in the middle of a record")

    def close(self) -> None:
        self.handle.close()


class Bearing(Mapping[str, Any]):
    """What a row's verdict needs of a finding: its rule, outcome, what it makes of a method, and its place."""

    __slots__ = ("_found",)
    FIELDS = ("rule", "outcome", "method_verdict", "severity", "scope", "account", "region", "api_id", "path",
              "method", "authorizer", "pool_id", "client_id")
    _POSITION: ClassVar[dict[str, int]] = {name: position for position, name in enumerate(FIELDS)}

    def __init__(self, found: tuple[Any, ...]) -> None:
        self._found = found

    @classmethod
    def of(cls, finding: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(finding.get(name) for name in cls.FIELDS)

    def __getitem__(self, key: str) -> Any:
        return self._found[self._POSITION[key]]

    def get(self, key: str, default: Any = None) -> Any:  # Mapping's own goes through __getitem__ and KeyError
        position = self._POSITION.get(key)
        return default if position is None else self._found[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self.FIELDS)

    def __len__(self) -> int:
        return len(self.FIELDS)


@dataclass
class Triage:
    """Suppressions (the active ones) and a baseline's finding keys, applied to each finding as it arrives."""

    suppressions: list[dict[str, Any]] | None = None
    baseline: dict[tuple[Any, ...], Any] | None = None  # finding key -> the baseline's finding


@dataclass
class SpooledReport:
    """The report read back: the head (schema … notes), then rows, findings, errors, calls, chains, and what is
    counted while those are read (`tail`: summary, suppressed, fixed). Rows and findings are read once, in order."""

    head: dict[str, Any]
    methods: Iterator[dict[str, Any]]
    findings: Iterator[dict[str, Any]]
    errors: list[dict[str, Any]]
    calls: int
    chains: Iterator[dict[str, Any]]
    tail: Callable[[], dict[str, Any]]
    gating: Callable[[], int]  # findings at or above --fail-on (after the findings were read)
    severities: dict[str, str]  # each rule's severity, as its findings (suppressed ones too) give it
    count: int  # method rows
    index: FindingIndex[Any]  # what each finding bears on (rule, outcome, severity and place)
    again: Callable[[], SpooledReport]  # the same report, read again from the start
    finding_texts: Iterator[bytes] | None = None  # the findings as their JSON text (read these, or `findings`)
    method_texts: Iterator[str] | None = None  # the rows as their JSON text, verdicts written (these, or `methods`)


@dataclass
class EncodedPart:
    """A judged unit's part of the report made ready for a spool (in a worker process, or in place): each row,
    kept finding, suppressed finding and chain as its order key and JSON text; what each kept finding bears on;
    with a baseline, the keys of all its findings."""

    account: Any
    rows: list[Entry]
    findings: list[Entry]
    bearings: list[tuple[Any, ...]]
    hidden: list[Entry]
    finding_keys: list[tuple[Any, ...]]
    chains: list[Entry]
    notes: list[str]
    sizes: dict[str, int]
    severities: dict[str, str] = field(default_factory=dict)  # each kept finding's rule: its severity (the last)
    hidden_severities: dict[str, str] = field(default_factory=dict)  # the same of the suppressed findings


def encode_part(account: Any, part: ReportPart, triage: Triage) -> EncodedPart:
    """A unit's part of the report, its findings triaged (suppressions, then the baseline's marks)."""
    rows = [(sort_key(method_order(row)), row_note(row), _dumps(row)) for row in part.methods]
    encoded = EncodedPart(account, rows, [], [], [], [], [_chain_entry(chain) for chain in part.chains], part.notes,
                          part.sizes)
    for finding in part.findings:
        value = finding.as_json()
        bearing = Bearing.of(value)  # where it bears, as the rows are keyed (before placeholders are written out)
        value = written_as_template(value, part.written_as)
        verdict = _triaged(value, triage)
        if triage.baseline is not None:
            encoded.finding_keys.append(finding_key(value))
        entry = _finding_entry(value)
        if verdict == "hidden":
            encoded.hidden.append(entry)
            encoded.hidden_severities[str(value["rule"])] = str(value["severity"])
        else:
            encoded.findings.append(entry)
            encoded.bearings.append(bearing)
            encoded.severities[str(value["rule"])] = str(value["severity"])
    return encoded


_ROW_NOTE = ("account", "region", "api_id", "path", "method", "authorizer", "pool_ids", "unread", "traffic")


def row_note(row: Mapping[str, Any]) -> bytes:
    """What a method row's verdict (FindingIndex.of_method, attach_row) and the summary (Tally.method) read of it,
    beside its text: the JSON report copies the text and writes the verdict after it, never parsing the row."""
    return _dumps([row.get(key) for key in _ROW_NOTE])


def _row_text(note: bytes, text: bytes, index: FindingIndex[Any], tally: Tally) -> str | None:
    """A row's JSON text with its verdict, rule IDs and undecided rule IDs written last, as attach_row adds them
    to the parsed row (None: a row without a note, or without fields, which is parsed)."""
    if not note or not text.endswith(b"}") or text == b"{}":
        return None
    view = dict(zip(_ROW_NOTE, json.loads(note), strict=True))
    judged, rules, undecided = row_verdict(index.of_method(view), view["unread"])
    view["verdict"] = judged
    tally.method(view)
    return (f"{text[:-1].decode()}, \"verdict\": {json_text(judged)}, \"findings\": {json_text(rules)}, "
            f"\"undecided\": {json_text(undecided)}}}")


def _chain_entry(chain: dict[str, Any]) -> Entry:
    """A chain's record: its note is what tells it from another API's chain (chain_key)."""
    return sort_key(chain_order(chain)), sort_key(chain_key(chain)), _dumps(chain)


def _finding_entry(finding: dict[str, Any]) -> Entry:
    return sort_key(finding_order(finding)), finding_note(finding), _dumps(finding)


def finding_note(finding: Mapping[str, Any]) -> bytes:
    """What the summary and the exit status count of a finding, beside its text: rule, severity, outcome, and its
    baseline mark when it has one."""
    return _dumps([finding["rule"], finding["severity"], finding["outcome"], *(
        [finding["baseline"]] if "baseline" in finding else [])])


def _noted(note: bytes) -> dict[str, Any]:
    rule, severity, outcome, *mark = json.loads(note)
    counted: dict[str, Any] = {"rule": rule, "severity": severity, "outcome": outcome}
    if mark:
        counted["baseline"] = mark[0]
    return counted


def _triaged(value: dict[str, Any], triage: Triage) -> str:
    """Marks a finding as the triage has it: `hidden` (suppressed: why, in `suppressed_by`), else `kept` (with a
    baseline, marked new or unchanged)."""
    suppressed_by = suppression_of(value, triage.suppressions) if triage.suppressions else None
    if suppressed_by is not None:
        value["suppressed_by"] = suppressed_by
        return "hidden"
    if triage.baseline is not None:
        value["baseline"] = "unchanged" if finding_key(value) in triage.baseline else "new"
    return "kept"


class PartSink(Protocol):
    """Where an account's judged units go: a spool, or a worker's collector."""

    def add_account(self, snapshot: Mapping[str, Any]) -> None: ...
    def add_part(self, account_id: Any, part: ReportPart) -> None: ...


@dataclass
class _Account:
    notes: list[str] = field(default_factory=list)
    part_notes: list[str] = field(default_factory=list)


class ReportSpool:
    """Collects a report's parts in a temporary folder (TMPDIR) and reads the whole report back in order."""

    def __init__(self, triage: Triage | None = None, fail_on: str = "never") -> None:
        self.folder = tempfile.mkdtemp(prefix="apigw-scan-")
        self.methods = _Runs(os.path.join(self.folder, "methods"), method_order)
        self.findings = _Runs(os.path.join(self.folder, "findings"), finding_order)
        self.suppressed = _Runs(os.path.join(self.folder, "suppressed"), finding_order)
        self.chains = _Runs(os.path.join(self.folder, "chains"), chain_order)
        self.index: FindingIndex[Bearing] = FindingIndex([])
        self.triage = triage or Triage()
        self.fail_on = fail_on
        self.accounts: dict[Any, _Account] = {}
        self.account_ids: set[str] = set()
        self.regions: set[str] = set()
        self.notes: list[str] = []  # the inputs' own (the reports a merge reads)
        self.scan_notes: list[str] = []  # the scan's or the merge's, after the accounts'
        self.triage_notes: list[str] = []  # expired suppressions, last
        self.errors: list[dict[str, Any]] = []
        self.calls = 0
        self.sizes = dict.fromkeys(("apis", "pools", "clients"), 0)
        self.row_keys: set[bytes] = set()
        self.repeated_rows = 0
        self.finding_digests: set[bytes] | None = None  # with inputs that may repeat findings (a merge)
        self.chain_keys: set[bytes] = set()
        self.now: set[tuple[Any, ...]] = set()  # finding keys (for the baseline's fixed findings)
        self.lists: dict[str, list[Any]] = {}  # suppressed and fixed lists carried by inputs (a merge)
        self.severity_kept: dict[str, str] = {}
        self.severity_hidden: dict[str, str] = {}

    # What judged units add.
    def add_account(self, snapshot: Mapping[str, Any], errors: Iterable[Mapping[str, Any]] | None = None) -> None:
        """An account's snapshot: its account, regions, notes, errors and calls (its units come with add_part)."""
        account = self._account(snapshot.get("account"))
        account.notes += list(snapshot.get("notes") or [])
        if snapshot.get("account"):
            self.add_account_id(str(snapshot["account"]))
        self.regions.update(snapshot.get("regions") or [])
        self.add_errors(snapshot.get("errors") if errors is None else errors)
        self.calls += sum((snapshot.get("calls") or {}).values())

    def add_errors(self, errors: Iterable[Mapping[str, Any]] | None) -> None:
        self.errors += [{key: error.get(key) for key in ERROR_FIELDS} for error in errors or []]

    def add_part(self, account_id: Any, part: ReportPart) -> None:
        """One judged unit of an account (its rows, findings, chains, notes and sizes)."""
        self.add_encoded(encode_part(account_id, part, self.triage))

    def add_encoded(self, part: EncodedPart) -> None:
        """One judged unit of an account, encoded (encode_part)."""
        self._account(part.account).part_notes += part.notes
        for name, size in part.sizes.items():
            self.sizes[name] = self.sizes.get(name, 0) + size
        self.methods.add_entries(entry for entry in part.rows if self._first_row(entry[0]))
        self.severity_kept.update(part.severities)
        self.severity_hidden.update(part.hidden_severities)
        self.findings.add_entries(part.findings)
        for bearing in part.bearings:
            self.index.add(Bearing(bearing))
        self.suppressed.add_entries(part.hidden)
        self.now.update(part.finding_keys)
        self.chains.add_entries(entry for entry in part.chains if self._first_chain(entry[1]))

    # What any input adds (units, or the reports a merge reads).
    def add_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        self.methods.add(row for row in rows if self._first_row(sort_key(method_order(row))))

    def _first_row(self, order: bytes) -> bool:
        key = hashlib.blake2b(order, digest_size=16).digest()
        if key in self.row_keys:
            self.repeated_rows += 1  # an overlapping input's: the first is kept
            return False
        self.row_keys.add(key)
        return True

    def _first_chain(self, key: bytes) -> bool:
        if key in self.chain_keys:
            return False
        self.chain_keys.add(key)
        return True

    def add_findings(self, findings: Iterable[Mapping[str, Any]], account: Any = None) -> None:
        """`account`: the account of the report they come from, where a finding leaves its own out (a template's
        findings never name the placeholder account its rows carry): their verdicts are keyed as the rows are."""
        hidden: list[Entry] = []
        self.findings.add_entries(self._kept(findings, hidden, account))
        self.suppressed.add_entries(hidden)

    def _kept(self, findings: Iterable[Mapping[str, Any]], hidden: list[Entry], account: Any) -> Iterator[Entry]:
        """The findings the report keeps (each once, triage applied); the suppressed ones go to `hidden`."""
        for finding in findings:
            value = finding.as_json() if isinstance(finding, Finding) else dict(finding)
            if self.finding_digests is not None:
                digest = hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(),
                                         digest_size=16).digest()
                if digest in self.finding_digests:
                    continue
                self.finding_digests.add(digest)
            if self.triage.baseline is not None:
                self.now.add(finding_key(value))
            if _triaged(value, self.triage) == "hidden":
                self.severity_hidden[value["rule"]] = value["severity"]
                hidden.append(_finding_entry(value))
                continue
            self.severity_kept[value["rule"]] = value["severity"]
            place = value if value.get("account") is not None or account is None else {**value, "account": account}
            self.index.add(Bearing(Bearing.of(place)))
            yield _finding_entry(value)

    def add_chains(self, chains: Iterable[dict[str, Any]]) -> None:
        self.chains.add_entries(entry for entry in map(_chain_entry, chains) if self._first_chain(entry[1]))

    def _account(self, account_id: Any) -> _Account:
        if account_id not in self.accounts:
            self.accounts[account_id] = _Account()
        return self.accounts[account_id]

    def add_account_id(self, account: str) -> None:
        self.account_ids.add(account)

    # The report read back.
    def report(self) -> SpooledReport:
        """The report, read back in order (once)."""
        accounts = sorted(self.account_ids)
        notes = list(self.notes)
        for account in self.accounts.values():
            notes += account.notes + sorted(account.part_notes)
        notes += self.scan_notes
        if self.repeated_rows:
            notes.append(f"{self.repeated_rows} method row(s) appear in more than one input (overlapping shards?): "
                         "counted once")
        notes += self.triage_notes
        tally = Tally(self.sizes)
        counted = {"gating": 0, "new": 0, "marked": 0}

        def methods() -> Iterator[dict[str, Any]]:
            for _, _, text in self.methods.merged():
                row = json.loads(text)
                attach_row(row, self.index.of_method(row))
                tally.method(row)
                yield row

        def method_texts() -> Iterator[str]:
            for _, note, text in self.methods.merged():
                written = _row_text(note, text, self.index, tally)
                if written is None:
                    row = json.loads(text)
                    attach_row(row, self.index.of_method(row))
                    tally.method(row)
                    written = json_text(row)
                yield written

        def count(finding: dict[str, Any]) -> None:
            tally.finding(finding)
            counted["gating"] += gates(finding, self.fail_on)
            counted["marked"] += "baseline" in finding
            counted["new"] += finding.get("baseline") == "new"

        def findings() -> Iterator[dict[str, Any]]:
            for _, _, text in self.findings.merged():
                finding = json.loads(text)
                count(finding)
                yield finding

        def finding_texts() -> Iterator[bytes]:
            for _, note, text in self.findings.merged():
                count(_noted(note))
                yield text

        def tail() -> dict[str, Any]:
            summary = tally.summary()
            lists: dict[str, Any] = {}
            if "suppressed" in self.lists or self.triage.suppressions is not None:
                lists["suppressed"] = self.lists.get("suppressed", []) + [json.loads(text) for _, _, text in
                                                                          self.suppressed.merged()]
            if self.triage.baseline is not None:
                lists["fixed"] = [finding.as_json() if isinstance(finding, Finding) else dict(finding)
                                  for key, finding in self.triage.baseline.items() if key not in self.now]
            elif "fixed" in self.lists:
                lists["fixed"] = self.lists["fixed"]
            if self.triage.suppressions is not None or self.triage.baseline is not None:
                # The summary counted again after the triage, as report.recount counts it.
                summary["suppressed"] = len(lists.get("suppressed") or [])
                summary["new"] = counted["new"] if counted["marked"] or "fixed" in lists else None
            return {"summary": summary, **lists}

        head = {"schema": REPORT_SCHEMA, "account": accounts[0] if len(accounts) == 1 else None,
                "accounts": accounts, "regions": sorted(self.regions), "notes": notes}
        severities = {str(item["rule"]): str(item["severity"]) for item in self.lists.get("suppressed", [])
                      if isinstance(item, Mapping) and item.get("rule") and item.get("severity")}
        severities.update({**self.severity_hidden, **self.severity_kept})
        return SpooledReport(head, methods(), findings(), self.errors, self.calls,
                             (json.loads(text) for _, _, text in self.chains.merged()), tail,
                             lambda: counted["gating"], severities, self.methods.count, self.index, self.report,
                             finding_texts(), method_texts())

    def close(self) -> None:
        for runs in (self.methods, self.findings, self.suppressed, self.chains):
            runs.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReportSpool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def held(report: dict[str, Any], fail_on: str = "never") -> SpooledReport:
    """A report held in memory (findings as their JSON objects), read as a spooled one is."""
    if any(isinstance(finding, Finding) for finding in report.get("findings") or []):
        report = dict(plain(report))
    tail: dict[str, Any] = {key: report[key] for key in ("summary", "suppressed", "fixed") if key in report}
    return SpooledReport(
        {key: report.get(key) for key in ("schema", "account", "accounts", "regions", "notes")},
        iter(report.get("methods") or []), iter(report.get("findings") or []), list(report.get("errors") or []),
        int(report.get("calls") or 0), iter(report.get("chains") or []), lambda: tail,
        lambda: len(gating_findings(report, fail_on)) if "findings" in report else 0,
        {str(finding["rule"]): str(finding["severity"]) for finding in [*(report.get("suppressed") or []),
                                                                         *(report.get("findings") or [])]
         if isinstance(finding, dict) and finding.get("rule") and finding.get("severity")},
        len(report.get("methods") or []), FindingIndex(report.get("findings") or []), lambda: held(report, fail_on))


def materialized(report: SpooledReport) -> dict[str, Any]:
    """A spooled report read whole into memory (a report small enough to hold)."""
    whole: dict[str, Any] = dict(report.head)
    whole["methods"] = list(report.methods)
    whole["findings"] = list(report.findings)
    whole["errors"] = report.errors
    whole["calls"] = report.calls
    whole["chains"] = list(report.chains)
    whole.update(report.tail())
    return whole
