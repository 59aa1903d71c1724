"""The HTML report of a scan too big for a page of markup (more than MOST_ROWS methods): the same sections, its
data in the page compactly and drawn by the page's script — the method table a page at a time with its filters
and search over every row, the findings by cause likewise, each API's chain drawn when asked for.

The data is JSON, compressed (gzip) and written in base64 inside the page: a report of 50,000 methods stays a file
of tens of megabytes that a browser opens in seconds, offline, under the same Content-Security-Policy (the data is
never run). Every text in it is escaped for the screen first (escape_text: control and bidirectional characters
made visible); the script writes it as text, never as markup. The chains are data in a block of their own, unpacked
and drawn (the small report's picture and tree) the first time one is asked for.
"""

from __future__ import annotations

import base64
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any, TextIO

from .. import __version__
from ..findings import FindingIndex
from ..report import chain_order, gates, method_order
from ..rules.loader import Rule
from ..spool import SpooledReport
from .chain_picture import chain_model
from .details import new_words, source_words, where
from .escape import escaped
from .escape import html_text as _text
from .groups import cause_of, place_of, row_severity
from .html_report import (
    asset,
    content_policy,
    errors_section,
    header_section,
    incomplete_section,
    near,
    notes_section,
    summary_section,
    why_section,
)
from .table import auth_short, traffic_cell
from .words import legend_notes

MOST_PLACES = 200  # places a cause lists in the page (the JSON report has every finding)
MOST_MESSAGES = 3
MOST_COMMAND_BLOCKS = 5  # places whose fix commands a cause shows
MOST_CHAIN_METHODS = 40
_ROW_FIELDS = ("severity", "doubt", "verdict", "account", "region", "api_name", "api_id", "stages", "method", "path",
               "auth", "authorizer", "token", "scopes", "policy", "traffic", "callers", "rules")


class _Packed:
    """JSON text compressed as it is written, and its base64 written to `out` as it comes."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.squeeze = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip: what the browser's DecompressionStream reads
        self.pending = b""

    def write(self, text: str) -> None:
        self._emit(self.squeeze.compress(text.encode("utf-8")))

    def _emit(self, data: bytes, last: bool = False) -> None:
        data = self.pending + data
        cut = len(data) if last else len(data) - len(data) % 3
        self.out.write(base64.b64encode(data[:cut]).decode("ascii"))
        self.pending = data[cut:]

    def close(self) -> None:
        self._emit(self.squeeze.flush(), last=True)


def write_big_html(report: SpooledReport, rules: list[Rule], fail_on: str | None, out: TextIO) -> None:
    """The page: its packed data first (read once, as the report is read), then the sections that need the summary,
    then the script that draws the rest."""
    style, script = asset("report.css"), asset("report_controls.js") + asset("report_big.js")
    out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              f'<meta http-equiv="Content-Security-Policy" content="{content_policy(style, script)}">\n'
              '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
              f"<title>apigw-scan report</title>\n<style>{style}</style>\n</head>\n<body>\n")
    severities = report.severities
    packed_data, gate = _data(report, {rule.id: rule for rule in rules}, severities, fail_on, out)
    out.write('<script type="application/octet-stream" id="chain-data">')
    _chains(report, out)
    out.write("</script>\n")
    whole = {**report.head, "errors": report.errors, "calls": report.calls, "methods": [], "findings": [],
             **report.tail(), "gate": gate}
    sections = [header_section(whole), incomplete_section(whole), summary_section(whole, fail_on),
                _methods_section(whole, packed_data), _chains_section(), _findings_section(),
                errors_section(whole), notes_section(whole)]
    out.write(sections[0] + "\n<main>\n" + "\n".join(section for section in sections[1:] if section)
              + "\n</main>\n"
              f'<footer>apigw-scan {_text(__version__)}: read-only audit of API Gateway authorization. Schema '
              f"{_text(report.head.get('schema'))}.</footer>\n<script>{script}</script>\n</body>\n</html>\n")


def _data(report: SpooledReport, rules: dict[str, Rule], severities: dict[str, str], fail_on: str | None,
          out: TextIO) -> tuple[dict[str, Any], dict[str, int]]:
    """The report's data block: the rows, then the causes; returns what the sections after it need to know of it
    (the filters' values, the legend) and the findings at or above --fail-on."""
    out.write('<script type="application/octet-stream" id="report-data">')
    packed = _Packed(out)
    packed.write('{"columns":' + json.dumps(_ROW_FIELDS) + ',"methods":[')
    seen: dict[str, set[str]] = {"account": set(), "region": set(), "rule": set(), "verdict": set()}
    legend_rows: list[dict[str, Any]] = []  # a row with undecided rules, a row with traffic: what the legend says
    count = 0
    for row in report.methods:
        packed.write(("," if count else "") + _dumps(_row(row, severities)))
        count += 1
        for name, key in (("account", "account"), ("region", "region"), ("verdict", "verdict")):
            seen[name].add(str(row.get(key) or ""))
        seen["rule"].update(row.get("findings") or [])
        if (row.get("undecided") and not any(r.get("undecided") for r in legend_rows)) or \
                (row.get("traffic") and not any(r.get("traffic") for r in legend_rows)):
            legend_rows.append(row)
    packed.write('],"causes":[')
    causes: dict[tuple[Any, ...], _Cause] = {}
    gate = {"gating": 0, "marked": 0, "findings": 0, "decided": 0}
    for finding in report.findings:
        gate["gating"] += gates(finding, fail_on or "never")
        gate["marked"] += "baseline" in finding
        gate["findings"] += 1
        gate["decided"] += finding["outcome"] == "fail"
        cause = cause_of(finding)
        if cause not in causes:
            causes[cause] = _Cause(finding, len(report.head.get("accounts") or []) > 1)
        causes[cause].add(finding)
    for number, gathered in enumerate(causes.values()):
        packed.write(("," if number else "") + _dumps(gathered.data()))
    cited = sorted({cause.rule for cause in causes.values()})
    packed.write('],"why":' + _dumps({rule: why_section(rules.get(rule), str(causes_seed(causes, rule)))
                                      for rule in cited}))
    filters = {name: sorted(values - {""}) for name, values in seen.items()}
    packed.write(',"filters":' + _dumps(escaped(filters)) + "}")
    packed.close()
    out.write("</script>\n")
    return {"filters": filters, "legend": legend_notes({"methods": legend_rows}), "count": count}, gate


def causes_seed(causes: dict[tuple[Any, ...], _Cause], rule: str) -> str:
    return next(cause.seed for cause in causes.values() if cause.rule == rule)


def _dumps(value: Any) -> str:
    # Inside a script element: no "</script" or "<!--" can appear in JSON that has no "<".
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def _row(row: dict[str, Any], severities: dict[str, str]) -> list[Any]:
    severity, doubt = row_severity(row, severities)
    undecided = set(row.get("undecided") or [])
    values = [severity or "none", 1 if doubt else 0, row["verdict"], row.get("account"), row.get("region"),
              row.get("api_name"), row.get("api_id"),
              "?" if row.get("stages") is None else ", ".join(row["stages"]) or "-",
              row["method"], row["path"], auth_short(row) + (" + API key" if row.get("api_key_required") else ""),
              row.get("authorizer") or "-", row.get("token"), ", ".join(row.get("scopes") or []) or "-",
              row.get("policy_decision") or "-", traffic_cell(row.get("traffic")),
              "?" if row.get("callers_passing") is None else row["callers_passing"],
              [[rule, 1 if rule in undecided else 0] for rule in row.get("findings") or []]]
    return list(escaped(values))


class _Cause:
    """What the page shows of one cause (its findings: one rule, outcome and API or pool), gathered as its findings
    go by: its first finding's words and fix, its places, a few of its messages and commands."""

    def __init__(self, first: dict[str, Any], several: bool) -> None:
        self.rule = str(first["rule"])
        self.seed = first.get("seed") or ""
        self.head = {"rule": self.rule, "severity": first["severity"], "outcome": first["outcome"],
                     "title": first.get("title") or "", "where": where(first, False, several),
                     "source": source_words(first.get("source")) or "",
                     "fix": first.get("fix") if first.get("fix") is not None else first.get("remediation") or "",
                     "account": first.get("account") or "", "region": first.get("region") or "",
                     "api": first.get("api_name") or "", "pool": first.get("pool_id") or ""}
        self.places: dict[str, None] = {}
        self.messages: dict[str, None] = {}
        self.commands: list[tuple[str, list[str]]] = []
        self.shown_commands: set[str] = set()
        self.with_commands = 0
        self.members = 0
        self.new = 0

    def add(self, finding: dict[str, Any]) -> None:
        self.members += 1
        self.new += finding.get("baseline") == "new"
        place = place_of(finding)
        if place:
            self.places.setdefault(place, None)
        self.messages.setdefault(str(finding.get("message") or ""), None)
        if finding.get("commands"):
            self.with_commands += 1
            fresh = [command for command in finding["commands"] if command not in self.shown_commands]
            if fresh and len(self.commands) < MOST_COMMAND_BLOCKS:
                self.shown_commands.update(fresh)
                self.commands.append((place, fresh))

    def data(self) -> dict[str, Any]:
        places = list(self.places)
        messages = list(self.messages)
        label = self.head["severity"].upper() if self.head["outcome"] == "fail" else "UNDECIDED"
        searchable = " ".join([self.rule, self.head["api"], self.head["pool"], *places, self.head["title"]]).lower()
        data: dict[str, Any] = escaped({**self.head, "label": label, "new": new_words(self.new, self.members),
                        "places": places[:MOST_PLACES], "more_places": max(0, len(places) - MOST_PLACES),
                        "messages": messages[:MOST_MESSAGES], "more_messages": max(0, len(messages) - MOST_MESSAGES),
                        "commands": [[place if self.with_commands > 1 else "", commands]
                                     for place, commands in self.commands],
                        "more_commands": max(0, self.with_commands - len(self.commands)), "text": searchable})
        return data


def _chains(report: SpooledReport, out: TextIO) -> None:
    """Each API's chain as data for the page to draw (chain_picture.chain_model: what the small report draws),
    packed in a block of its own that the page unpacks the first time a chain is drawn, and the list of chains
    (caption, API, account, region) in a small block after it. The chains' rows are read again beside the chains,
    both in the order of account, region and API."""
    listing = io.StringIO()
    names, pictures = _Packed(listing), _Packed(out)
    names.write("[")
    pictures.write("[")
    again = report.again()
    index: FindingIndex[Any] = report.index
    rows = _by_api(again.methods)
    pending = next(rows, None)
    several = len(report.head.get("accounts") or []) > 1
    for number, chain in enumerate(report.chains):
        order = chain_order(chain)
        while pending is not None and pending[0] < order:
            pending = next(rows, None)
        methods = pending[1] if pending is not None and pending[0] == order else []
        drawn = {authorizer["name"] for authorizer in chain["authorizers"]}
        others = sum(1 for row in methods if row.get("authorizer") not in drawn)
        caption = (f"{chain.get('api_name')} ({chain['api_id']}, {chain.get('api_type')}, {chain['region']}"
                   + (f", account {chain.get('account')}" if several else "") + ")")
        model = escaped(chain_model(chain, methods, near(index, chain)))
        model["others"] = others
        separator = "," if number else ""
        pictures.write(separator + _dumps(model))
        names.write(separator + _dumps(escaped([caption, str(chain.get("api_name")), str(chain.get("account")),
                                                str(chain.get("region"))])))
    pictures.write("]")
    pictures.close()
    names.write("]")
    names.close()
    out.write('</script>\n<script type="application/octet-stream" id="chain-list">' + listing.getvalue())


def _by_api(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[tuple[str, ...], list[dict[str, Any]]]]:
    """Rows in the report's order, one API's at a time (the first MOST_CHAIN_METHODS with an authorizer, and the
    count of the others: what a chain draws)."""
    current: tuple[str, ...] | None = None
    kept: list[dict[str, Any]] = []
    for row in rows:
        key = method_order(row)[:4]
        if key != current:
            if current is not None:
                yield current, kept
            current, kept = key, []
        kept.append(row)
    if current is not None:
        yield current, kept


def _methods_section(report: dict[str, Any], data: dict[str, Any]) -> str:
    filters = data["filters"]

    def options(name: str, label: str, values: list[str]) -> str:
        choices = "".join(f'<option value="{_text(value)}">{_text(value)}</option>' for value in values)
        return (f'<label>{_text(label)}<select name="{name}" id="filter-{name}"><option value="">all</option>'
                f"{choices}</select></label>")
    severities = ["critical", "high", "medium", "low", "info", "none"]
    form = ('<form id="filters" role="search">'
            + (options("account", "Account", filters["account"]) if len(filters["account"]) > 1 else "")
            + (options("region", "Region", filters["region"]) if len(filters["region"]) > 1 else "")
            + options("verdict", "Verdict", [v for v in ("fail", "unknown", "warn", "ok") if v in filters["verdict"]])
            + options("severity", "Severity", severities) + options("rule", "Rule", filters["rule"])
            + '<label>Search<input name="q" id="filter-q" type="search" placeholder="API, path, name, scope…">'
            '</label><button type="button" id="reset">Reset</button>'
            f'<output id="shown">{data["count"]} of {data["count"]} methods</output></form>')
    return ('<section id="methods"><h2>Methods, worst first</h2>' + form
            + '<table id="method-table"><thead><tr></tr></thead><tbody></tbody></table>'
            + '<p id="no-match" class="muted" hidden>No method matches these filters.</p>'
            + '<nav class="pager" id="method-pager"></nav>'
            + "".join(f'<p class="muted table-legend">{_text(note)}</p>' for note in data["legend"])
            + "</section>")


def _chains_section() -> str:
    return ('<section id="chains"><h2>Each API\'s chain</h2><p class="muted">Each API with an authorizer: methods → '
            "authorizers → user pools → app clients. Draw one to see where it breaks (a red link: a failed critical "
            "or high finding turns callers away there). The filters above choose which are listed.</p>"
            '<div id="chain-list"></div><nav class="pager" id="chain-pager"></nav></section>')


def _findings_section() -> str:
    return ('<section id="findings"><h2 id="findings-title">Findings by cause</h2><div id="cause-list"></div>'
            '<nav class="pager" id="cause-pager"></nav></section>')
