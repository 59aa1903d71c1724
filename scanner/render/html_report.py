"""The HTML report: one self-contained file (inline CSS and script, no network) with the summary, the method table
with filters and search, each API's chain drawn, and every finding with why it matters and its fix commands.

Names are other people's text: every value passes `escape_text` (control and bidirectional characters made visible)
and then HTML escaping; the Content-Security-Policy admits only this file's own style and script (by hash), so even
a value that slipped through could not run.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources
from typing import Any

from .. import __version__
from ..findings import FindingIndex
from ..rules.loader import SEVERITIES, Rule
from ..rules.sources import cited
from .chain_picture import chain_picture
from .details import new_mark, source_words, where
from .escape import html_text as _text
from .groups import group_findings, place_of, row_severity, rows_by_severity, severities_of
from .table import auth_short, traffic_cell
from .words import exit_words, findings_tally, legend_notes, stand_in_words, summary_extras


@functools.cache
def asset(name: str) -> str:
    return resources.files("scanner.render").joinpath(name).read_text(encoding="utf-8")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def content_policy(style: str, script: str) -> str:
    """Only the page's own style and script (by hash) may apply; nothing is loaded, nothing else runs."""
    return (f"default-src 'none'; style-src {_hash(style)}; script-src {_hash(script)}; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def render_html(report: dict[str, Any], rules: list[Rule], fail_on: str | None = None) -> str:
    style, script = asset("report.css"), asset("report_controls.js") + asset("report.js")
    policy = content_policy(style, script)
    title = f"apigw-scan report: {report['summary']['methods']} method(s), {findings_tally(report['findings'])}"
    sections = [header_section(report), incomplete_section(report), summary_section(report, fail_on),
                _methods(report), _chains(report), _findings(report, {rule.id: rule for rule in rules}),
                errors_section(report), notes_section(report)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_text(title)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            + "\n".join(section for section in sections[:1] if section)
            + "\n<main>\n" + "\n".join(section for section in sections[1:] if section) + "\n</main>\n"
            f'<footer>apigw-scan {_text(__version__)}: read-only audit of API Gateway authorization. Schema '
            f"{_text(report.get('schema'))}.</footer>\n<script>{script}</script>\n</body>\n</html>\n")


MOST_ACCOUNTS = 10  # named in the header; an organization's are in the Account filter


def header_section(report: dict[str, Any]) -> str:
    accounts = report.get("accounts") or []
    regions = report.get("regions") or []
    scope = " · ".join(part for part in (
        f"account{'s' if len(accounts) > 1 else ''} {', '.join(map(stand_in_words, accounts[:MOST_ACCOUNTS]))}"
        + (f" and {len(accounts) - MOST_ACCOUNTS} more (the Account filter lists them)"
           if len(accounts) > MOST_ACCOUNTS else "") if accounts else "",
        f"region{'s' if len(regions) > 1 else ''} {', '.join(map(stand_in_words, regions))}" if regions else "",
        f"{report.get('calls') or 0} AWS call(s)") if part)
    return (f'<header><h1>apigw-scan report</h1><p class="scope">{_text(scope)}</p>'
            '<nav><a href="#summary">Summary</a><a href="#methods">Methods</a><a href="#chains">Chains</a>'
            '<a href="#findings">Findings</a>'
            + ('<a href="#errors">Could not read</a>' if report.get("errors") else "")
            + ('<a href="#notes">Notes</a>' if report.get("notes") else "") + "</nav></header>")


def incomplete_section(report: dict[str, Any]) -> str:
    errors = report.get("errors") or []
    if not errors:
        return ""
    return (f'<section class="incomplete" id="incomplete">INCOMPLETE: {len(errors)} call(s) failed; the checks that '
            'needed them are unknown, never passed. <a href="#errors">What could not be read</a></section>')


def _pill(text: Any, kind: str) -> str:
    return f'<span class="pill {_text(kind)}">{_text(text)}</span>'


def summary_section(report: dict[str, Any], fail_on: str | None) -> str:
    summary = report["summary"]
    verdicts = "".join(_pill(f"{count} {name}", f"verdict-{name}") for name, count in summary["verdicts"].items()
                       if count) or "none"
    findings = "".join(_pill(f"{summary['findings'][name]} {name}", f"sev-{name}") for name in SEVERITIES
                       if summary["findings"].get(name)) or "none"
    cards = [("APIs", summary.get("apis", 0), ""), ("Methods", summary["methods"], ""),
             ("Verdicts", "", verdicts), ("Findings", "", findings + "".join(
                 f'<div class="muted">{_text(text)}</div>' for text, _ in summary_extras(summary))),
             ("Exit status", "", _text(exit_words(report, fail_on)))]
    return ('<section id="summary"><h2>Summary</h2><div class="cards">' + "".join(
        f'<div class="card"><div class="label">{_text(label)}</div>'
        + (f'<div class="figure">{_text(figure)}</div>' if figure != "" else "") + f"<div>{body}</div></div>"
        for label, figure, body in cards) + "</div></section>")


def _options(name: str, label: str, values: list[str]) -> str:
    choices = "".join(f'<option value="{_text(value)}">{_text(value)}</option>' for value in values)
    return (f'<label>{_text(label)}<select name="{name}" id="filter-{name}"><option value="">all</option>{choices}'
            "</select></label>")


def _methods(report: dict[str, Any]) -> str:
    rows = rows_by_severity(report)
    severity_of = severities_of(report)
    several = len(report.get("accounts") or []) > 1
    regions = len({row.get("region") for row in rows}) > 1

    def distinct(key: str) -> list[str]:
        return sorted({str(row.get(key) or "") for row in rows} - {""})
    rules = sorted({rule for row in rows for rule in row.get("findings") or []})
    filters = ('<form id="filters" role="search">'
               + (_options("account", "Account", distinct("account")) if several else "")
               + (_options("region", "Region", distinct("region")) if regions else "")
               + _options("api", "API", distinct("api_name"))
               + _options("verdict", "Verdict", [v for v in ("fail", "unknown", "warn", "ok")
                                                  if any(row["verdict"] == v for row in rows)])
               + _options("severity", "Severity", [*SEVERITIES, "none"]) + _options("rule", "Rule", rules)
               + '<label>Search<input name="q" id="filter-q" type="search" placeholder="path, name, scope…">'
               '</label><button type="button" id="reset">Reset</button>'
               f'<output id="shown">{len(rows)} of {len(rows)} methods</output></form>')
    headers = ["Severity", "Verdict", *(["Account"] if several else []), *(["Region"] if regions else []), "API",
               "Stages", "Method", "Path",
               "Auth", "Authorizer", "Token", "Scopes", "Policy", "Traffic", "Callers passing", "Rules"]
    body = []
    for row in rows:
        severity, doubt = row_severity(row, severity_of)
        undecided = set(row.get("undecided") or [])
        rule_links = " ".join(
            f'<a href="#rule-{_text(rule)}">{_text(rule)}{"?" if rule in undecided else ""}</a>'
            for rule in row.get("findings") or [])
        searchable = " ".join(str(part) for part in (
            row.get("api_name"), row.get("api_id"), row.get("method"), row.get("path"), row.get("authorizer"),
            *(row.get("scopes") or []), *(row.get("findings") or []), *(row.get("stages") or []))).lower()
        cells = [_pill(f"{severity}{'?' if doubt else ''}" if severity else "-", f"sev-{severity or 'none'}"),
                 _pill(row["verdict"], f"verdict-{row['verdict']}"),
                 *([_text(row.get("account"))] if several else []), *([_text(row.get("region"))] if regions else []),
                 _text(row.get("api_name")) + f' <span class="muted mono">{_text(row.get("api_id"))}</span>',
                 "?" if row.get("stages") is None else _text(", ".join(row["stages"]) or "-"),
                 _text(row["method"]), _text(row["path"]),
                 _text(auth_short(row))
                 + (" + API key" if row.get("api_key_required") else ""),
                 _text(row.get("authorizer") or "-"), _text(row.get("token")),
                 _text(", ".join(row.get("scopes") or []) or "-"), _text(row.get("policy_decision") or "-"),
                 _text(traffic_cell(row.get("traffic"))),
                 "?" if row.get("callers_passing") is None else _text(row["callers_passing"]),
                 f'<span class="rules">{rule_links or "-"}</span>']
        classes = ["path" if header == "Path" else "" for header in headers]
        attributes = {"account": row.get("account"), "region": row.get("region"), "api": row.get("api_name"),
                      "verdict": row["verdict"], "severity": severity or "none",
                      "rules": " ".join(row.get("findings") or []), "text": searchable}
        body.append("<tr " + " ".join(f'data-{key}="{_text(value)}"' for key, value in attributes.items()) + ">"
                    + "".join(f'<td class="{css}">{cell}</td>' if css else f"<td>{cell}</td>"
                              for css, cell in zip(classes, cells, strict=True)) + "</tr>")
    return ('<section id="methods"><h2>Methods, worst first</h2>' + filters
            + '<table id="method-table"><thead><tr>' + "".join(f"<th>{_text(h)}</th>" for h in headers)
            + "</tr></thead><tbody>" + "\n".join(body) + "</tbody></table>"
            + '<p id="no-match" class="muted" hidden>No method matches these filters.</p>'
            + "".join(f'<p class="muted table-legend">{_text(note)}</p>' for note in legend_notes(report))
            + "</section>")


def _chains(report: dict[str, Any]) -> str:
    chains = report.get("chains") or []
    intro = ('<p class="legend"><span><span class="swatch broken"></span>broken: a failed critical or high finding '
             "turns callers away here</span><span><span class=\"swatch doubt\"></span>undecided: such a check could "
             "not be decided</span><span><span class=\"swatch notice\"></span>only lower findings (medium, low, "
             "info): callers still get through</span><span><span class=\"swatch fine\"></span>no finding</span>"
             "<span><span class=\"box missing\"></span>user pool not found</span><span><span class=\"box "
             "elsewhere\"></span>user pool elsewhere (another account or a region not scanned) or not read</span>"
             " Hover or tap a link or a box for its rules and names in full.</p>")
    if not chains:
        return ('<section id="chains"><h2>Each API\'s chain</h2><p class="muted">No API with an authorizer was '
                "scanned.</p></section>")
    figures = []
    index = FindingIndex(report["findings"])
    by_api: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = {}
    for row in report["methods"]:
        by_api.setdefault((row.get("account"), row.get("region"), row.get("api_id")), []).append(row)
    for chain in chains:
        methods = by_api.get((chain.get("account"), chain["region"], chain["api_id"]), [])
        others = sum(1 for row in methods if row.get("authorizer") not in
                     {authorizer["name"] for authorizer in chain["authorizers"]})
        caption = (f"{chain.get('api_name')} ({chain['api_id']}, {chain.get('api_type')}, {chain['region']}"
                   + (f", account {chain.get('account')}" if len(report.get("accounts") or []) > 1 else "") + ")")
        figures.append(f'<figure class="chain" data-api="{_text(chain.get("api_name"))}"><figcaption>'
                       f"{_text(caption)}</figcaption>{chain_picture(chain, methods, near(index, chain))}"
                       + (f'<p class="muted">{others} method(s) of this API use no authorizer drawn here.</p>'
                          if others else "") + "</figure>")
    return '<section id="chains"><h2>Each API\'s chain</h2>' + intro + "\n".join(figures) + "</section>"


def near(index: FindingIndex[Any], chain: dict[str, Any]) -> list[Any]:
    """The findings a chain's picture can show: its API's, and its pools' and their app clients'."""
    return index.of_api(chain.get("account"), chain["region"], chain["api_id"]) + [
        finding for pool in chain["pools"] for finding in index.of_pool(pool["pool_id"], with_clients=True)]


def why_section(rule: Rule | None, seed: str) -> str:
    citations = cited(seed)
    parts = [f"<p>{_text(rule.description)}</p>"] if rule is not None and rule.description else []
    for citation in citations:
        link = (f'<a href="{_text(citation["url"])}" rel="noreferrer">{_text(citation["title"])}</a>'
                if citation.get("url") else _text(citation["title"]))
        parts.append(f"<p>Source: {link}</p>" + "".join(f"<blockquote>{_text(passage)}</blockquote>"
                                                        for passage in citation["passages"] if passage))
    return "<details><summary>Why it matters</summary>" + "".join(parts) + "</details>" if parts else ""


def _findings(report: dict[str, Any], rules: dict[str, Rule]) -> str:
    groups = group_findings(report["findings"])
    if not groups:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    anchored: set[str] = set()
    articles = []
    for number, group in enumerate(groups):
        first = group.first
        label = first["severity"].upper() if group.outcome == "fail" else "UNDECIDED"
        anchor = "" if group.rule in anchored else f' id="rule-{_text(group.rule)}"'
        anchored.add(group.rule)
        places = group.places()
        commands = _commands(group.members)
        fix = first.get("fix") if first.get("fix") is not None else first.get("remediation")
        at = source_words(first.get("source"))
        searchable = " ".join(str(part) for part in (group.rule, first.get("api_name"), first.get("pool_id"),
                                                      *places, group.title)).lower()
        attributes = {"account": first.get("account"), "region": first.get("region"),
                      "api": first.get("api_name") or "", "severity": group.severity, "rules": group.rule,
                      "text": searchable}
        articles.append(
            f'<article class="finding sev-{_text(group.severity)}"{anchor} data-group="{number}" '
            + " ".join(f'data-{key}="{_text(value)}"' for key, value in attributes.items()) + ">"
            f"<h3>{_pill(label, f'sev-{group.severity}')} {_text(group.rule)}: {_text(group.title)}"
            f"{_text(new_mark(group.members))}</h3>"
            f'<p class="where">{_text(where(first, False, len(report.get("accounts") or []) > 1))}'
            + (f" · on {len(places)}: {_text(', '.join(places))}" if places else "") + "</p>"
            + (f'<p class="muted">written at {_text(at)}</p>' if at else "")
            + "".join(f"<p>{_text(message)}</p>" for message in group.messages())
            + why_section(rules.get(group.rule), str(first.get("seed") or ""))
            + (f"<p><strong>Fix:</strong> {_text(fix)}</p>" if fix else "")
            + commands + "</article>")
    return (f'<section id="findings"><h2>Findings by cause ({len(groups)} cause(s), '
            f'{_text(findings_tally(report["findings"]))})</h2>' + "\n".join(articles) + "</section>")


def _commands(members: list[dict[str, Any]]) -> str:
    """Each member's fix commands with a copy button, under the place they fix when the group has several."""
    with_commands = [member for member in members if member.get("commands")]
    shown: set[str] = set()
    parts = []
    for member in with_commands:
        fresh = [command for command in member["commands"] if command not in shown]
        shown.update(fresh)
        if not fresh:
            continue
        if len(with_commands) > 1 and place_of(member):
            parts.append(f'<p class="muted">For {_text(place_of(member))}:</p>')
        parts += [f'<div class="command"><pre><code>{_text(command)}</code></pre>'
                  '<button type="button" class="copy">Copy</button></div>' for command in fresh]
    return "".join(parts)


def errors_section(report: dict[str, Any]) -> str:
    errors = report.get("errors") or []
    if not errors:
        return ""
    rows = "".join(f"<tr><td>{_text(error.get('account') or '-')}</td><td>{_text(error.get('region') or '-')}</td>"
                   f"<td>{_text(error.get('service'))}:{_text(error.get('operation'))}</td>"
                   f"<td class=\"mono\">{_text(error.get('iam_action') or '-')}</td><td>{_text(error.get('message'))}"
                   "</td></tr>" for error in errors)
    return ('<section id="errors"><h2>Could not read</h2><p>The checks that needed these are unknown, never passed.'
            "</p><table><thead><tr><th>Account</th><th>Region</th><th>Call</th><th>Needs</th><th>Message</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></section>")


def notes_section(report: dict[str, Any]) -> str:
    notes = report.get("notes") or []
    if not notes:
        return ""
    return '<section id="notes"><h2>Notes</h2><ul>' + "".join(f"<li>{_text(note)}</li>" for note in notes) + \
        "</ul></section>"
