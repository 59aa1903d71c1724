"""The per-method table: one line per method, worst first, columns fitted to the terminal's width.

Nothing is broken across lines: a name, ID, ARN or path too wide for its column is shortened with `…` (the detail,
JSON and HTML report carry it whole), lists collapse (`prod +2`, `3 stages`), and at narrow widths the columns
people need least give way first (the table says which were hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..arns import unresolved_reason
from .colour import Palette
from .groups import row_severity, rows_by_severity, severities_of, severity_rank
from .width import cells, pad, shorten, shorten_middle

GAP = 2
AUTH_SHORT = {"COGNITO_USER_POOLS": "COGNITO", "AWS_IAM": "IAM", "CUSTOM": "LAMBDA", "NONE": "NONE", "JWT": "JWT"}
_TOKEN_SHORT = {"id-or-access": "id/access"}  # the token a JWT method takes
# The resource policy's decision for the method, in a word.
_POLICY_SHORT = {"allow": "allow", "deny": "DENY", "implicit-deny": "no-allow", "conditional": "cond",
                 "no-policy": "-", "unknown": "?"}


def traffic_cell(traffic: dict[str, Any] | None) -> str:
    """Requests and error share, compact: `1.2k 3%`; `~` when the figures are the stage's (or API's) totals."""
    if not traffic:
        return "-"
    requests = int(traffic["requests"])
    shown = f"{requests / 1_000_000:.1f}M" if requests >= 1_000_000 else f"{requests / 1000:.1f}k" \
        if requests >= 1000 else str(requests)
    share = f" {round(100 * (traffic['4xx'] + traffic['5xx']) / requests)}%" if requests else ""
    return ("" if traffic["scope"] == "method" else "~") + shown + share


@dataclass(frozen=True)
class Cell:
    """A value and how it gives way when its column is narrow."""

    text: str
    items: tuple[str, ...] = ()  # a list: collapses to `first +N`, then `N nouns`
    noun: str = ""
    style: str | None = None
    middle: bool = False  # shortened in the middle (paths)

    def at(self, width: int) -> str:
        if cells(self.text) <= width:
            return self.text
        if len(self.items) > 1:
            for collapsed in (f"{self.items[0]} +{len(self.items) - 1}", f"{len(self.items)} {self.noun}s"):
                if cells(collapsed) <= width:
                    return collapsed
        return shorten_middle(self.text, width) if self.middle else shorten(self.text, width)


def list_cell(items: list[str], noun: str, separator: str = ", ", empty: str = "-") -> Cell:
    return Cell(separator.join(items) or empty, tuple(items), noun)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Cell]
    narrowest: int  # cells it may shrink to when nothing else can give way
    weight: float = 1.0  # how readily it shrinks (0: never)
    drop: int | None = None  # when width runs out, lower numbers are hidden first (None: always shown)
    optional: bool = False  # hidden when every row has nothing to say (`-`)
    comfortable: int = 0  # cells it keeps until the hideable columns are hidden

    def floor(self, hard: bool) -> int:
        return max(self.narrowest if hard else max(self.narrowest, self.comfortable), cells(self.header))


def _severity(row: dict[str, Any], severity_of: dict[str, str]) -> Cell:
    severity, doubt = row_severity(row, severity_of)
    return Cell(f"{severity}{'?' if doubt else ''}" if severity else "-", style=severity)


def _rules(row: dict[str, Any], severity_of: dict[str, str]) -> Cell:
    undecided = set(row.get("undecided") or [])
    rules = sorted(row.get("findings") or [], key=lambda rule: (rule in undecided,
                                                                severity_rank(severity_of.get(rule)), rule))
    return list_cell([rule + ("?" if rule in undecided else "") for rule in rules], "rule", " ")


def known(value: Any) -> str:
    """A value as the table shows it: `?` for one a template or Terraform configuration leaves to deployment (the
    JSON and the detail say why)."""
    return "?" if unresolved_reason(value) else str(value)


def auth_short(row: dict[str, Any]) -> str:
    """The method's authorization type in a word: COGNITO, JWT, LAMBDA, IAM, NONE."""
    return known(AUTH_SHORT.get(row["authorization"], row["authorization"]))


def _auth(row: dict[str, Any]) -> Cell:
    """The authorization type and, where it is a JWT, the token it takes: `COGNITO access`, `JWT id/access`."""
    auth = auth_short(row) + ("+KEY" if row.get("api_key_required") else "")
    token = str(_TOKEN_SHORT.get(row["token"], row["token"]))
    return Cell(f"{auth} {token}" if token in ("id", "access", "id/access") else auth)


def columns(report: dict[str, Any]) -> list[Column]:
    severity_of = severities_of(report)
    shown = [
        Column("Severity", lambda row: _severity(row, severity_of), 8, 0),
        Column("Verdict", lambda row: Cell(str(row["verdict"]), style=str(row["verdict"])), 7, 0),
        Column("API", lambda row: Cell(str(row["api_name"])), 6, 1.5, comfortable=14),
        Column("Stages", lambda row: Cell("?") if row["stages"] is None else list_cell(
            [known(stage) for stage in row["stages"]], "stage"),
               8, 1.0, drop=3, comfortable=10),
        Column("Method", lambda row: Cell(known(row["method"])), 7, 0),
        Column("Path", lambda row: Cell(str(row["path"]), middle=True), 10, 0.6, comfortable=18),
        Column("Auth", _auth, 7, 0.5, drop=5, comfortable=14),
        Column("Authorizer", lambda row: Cell(known(row["authorizer"] or "-")), 8, 1.5, drop=7, comfortable=14),
        Column("Scopes", lambda row: list_cell([known(scope) for scope in row["scopes"] or []], "scope"), 8, 1.0,
               drop=6,
               comfortable=14),
        Column("Policy", lambda row: Cell(_POLICY_SHORT.get(row.get("policy_decision") or "", "-")), 8, 0, drop=1,
               optional=True),
        Column("Traffic", lambda row: Cell(traffic_cell(row.get("traffic"))), 7, 0, drop=2, optional=True),
        Column("Rules", lambda row: _rules(row, severity_of), 11, 2.0),
    ]
    if len(report.get("accounts") or []) > 1:
        shown.insert(2, Column("Account", lambda row: Cell(str(row.get("account") or "-")), 12, 0, drop=8))
    return shown


@dataclass
class Layout:
    columns: list[Column]
    widths: list[int]
    hidden: list[str]


def fit(all_columns: list[Column], grid: list[list[Cell]], width: int) -> Layout:
    """Natural widths; then the shrinkable columns narrowed to comfortable widths (widest slack first); then the
    hideable columns hidden one by one; only then narrowed to their least. Optional columns with nothing to say are
    left out from the start."""
    index = [i for i, column in enumerate(all_columns)
             if not (column.optional and all(row[i].text == "-" for row in grid))]
    dropped: list[str] = []
    while True:
        widths = [max([cells(all_columns[i].header), *(cells(row[i].text) for row in grid)]) for i in index]
        _narrow(widths, [all_columns[i] for i in index], width, hard=False)
        droppable = [(all_columns[i].drop or 0, k) for k, i in enumerate(index) if all_columns[i].drop is not None]
        if _total(widths) <= width or not droppable:
            _narrow(widths, [all_columns[i] for i in index], width, hard=True)
            return Layout([all_columns[i] for i in index], widths, dropped)
        gone = min(droppable)[1]
        dropped.append(all_columns[index[gone]].header)
        del index[gone]


def _narrow(widths: list[int], shown: list[Column], width: int, hard: bool) -> None:
    while _total(widths) > width:
        slack, k = max(((widths[k] - column.floor(hard)) * column.weight, k) for k, column in enumerate(shown))
        if slack <= 0:
            return
        widths[k] -= 1


def _total(widths: list[int]) -> int:
    return sum(widths) + GAP * (len(widths) - 1)


def methods_table(report: dict[str, Any], width: int, paint: Palette) -> tuple[list[str], list[str]]:
    """The table's lines (worst first) and the names of the columns hidden for width."""
    rows = rows_by_severity(report)
    all_columns = columns(report)
    grid = [[column.value(row) for column in all_columns] for row in rows]
    layout = fit(all_columns, grid, width)
    positions = [all_columns.index(column) for column in layout.columns]

    def line(texts: list[str], styles: list[str | None]) -> str:
        padded = [paint(pad(text, size) if k < len(texts) - 1 else text, style)
                  for k, (text, size, style) in enumerate(zip(texts, layout.widths, styles, strict=True))]
        return (" " * GAP).join(padded).rstrip()

    lines = [line([column.header for column in layout.columns], ["heading"] * len(layout.columns)),
             line(["-" * size for size in layout.widths], [None] * len(layout.columns))]
    for cells_of_row in grid:
        chosen = [cells_of_row[i] for i in positions]
        lines.append(line([cell.at(size) for cell, size in zip(chosen, layout.widths, strict=True)],
                          [cell.style for cell in chosen]))
    return lines, layout.hidden
