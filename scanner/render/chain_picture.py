"""Each API's chain drawn: methods → authorizers → user pools → app clients (with the scopes each can obtain), as an
SVG picture for wide screens and as a tree that wraps on a phone, both from the same links. A link is red only
where a failed critical or high finding breaks it (callers are turned away), dashed where such a check is
undecided, dotted where only lower findings stand; each names its rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..arns import readable
from .escape import html_text as escape
from .width import shorten

COLUMN_X = (0, 270, 540, 810)
NODE_WIDTH = 230
GAP = 10
MOST_METHODS = 40  # per picture; the table lists every method
MOST_CLIENTS = 30
BREAKING = ("critical", "high")  # a failed finding of these severities turns callers away: the link is broken
_HEIGHTS = {"method": 34, "authorizer": 40, "pool": 44, "client": 50}
_KINDS = ("method", "authorizer", "pool", "client")
# A pool that is not present: what the picture says of it, and how it is drawn.
POOL_STATUS = {"missing": ("not found", "missing"), "malformed": ("malformed ARN", "missing"),
               "elsewhere": ("elsewhere: another account, or a region not scanned", "elsewhere"),
               "unreadable": ("could not be read", "elsewhere"),
               "unresolved": ("stage variable undefined", "elsewhere")}


@dataclass
class _Node:
    kind: str
    key: str
    label: str
    sub: str
    title: str
    classes: list[str]
    y: int = 0

    @property
    def x(self) -> int:
        return COLUMN_X[_KINDS.index(self.kind)]

    @property
    def height(self) -> int:
        return _HEIGHTS[self.kind]

    def svg(self) -> str:
        label = shorten(readable(self.label), 29)  # a part left to deployment as words before it is cut
        sub = shorten(readable(self.sub), 34)
        return (f'<g class="node {self.kind} {" ".join(self.classes)}" data-key="{escape(self.key)}">'
                f"<title>{escape(self.title)}</title>"
                f'<rect x="{self.x}" y="{self.y}" width="{NODE_WIDTH}" height="{self.height}" rx="6"></rect>'
                f'<text x="{self.x + 8}" y="{self.y + 15}">{escape(label)}</text>'
                + (f'<text class="sub" x="{self.x + 8}" y="{self.y + 30}">{escape(sub)}</text>' if sub else "")
                + "</g>")

    def item(self) -> str:
        """The node as the tree's line: its name, then what it is or needs."""
        return (f'<span class="node {self.kind} {" ".join(self.classes)}" title="{escape(self.title)}">'
                f"{escape(self.label)}" + (f' <span class="sub">{escape(self.sub)}</span>' if self.sub else "")
                + "</span>")


@dataclass
class _Link:
    source: _Node
    target: _Node
    state: str  # broken | doubt | notice | "" (no finding)
    rules: list[str]
    title: str


@dataclass
class _Judged:
    """The findings on one node or link: failed critical/high, undecided critical/high, and the lower ones."""

    breaking: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return "broken" if self.breaking else "doubt" if self.undecided else "notice" if self.lower else ""

    @property
    def rules(self) -> list[str]:
        return self.breaking or self.undecided or self.lower

    def words(self) -> str:
        parts = [f"{', '.join(self.breaking)} failed: callers are turned away" if self.breaking else "",
                 f"{', '.join(self.undecided)} undecided" if self.undecided else "",
                 f"{', '.join(self.lower)}: lower findings, callers still get through" if self.lower else ""]
        return "; ".join(part for part in parts if part) or "no finding"


def _judged(findings: list[dict[str, Any]], **match: Any) -> _Judged:
    """The findings matching every field given, sorted into what breaks, what is undecided and what is lower."""
    chosen = [f for f in findings if all(f.get(key) == value for key, value in match.items())]
    breaking = {f["rule"] for f in chosen if f["outcome"] == "fail" and f["severity"] in BREAKING}
    undecided = {f["rule"] for f in chosen if f["outcome"] != "fail" and f["severity"] in BREAKING} - breaking
    lower = {f["rule"] for f in chosen} - breaking - undecided
    return _Judged(sorted(breaking), sorted(undecided), sorted(lower))


def chain_picture(chain: dict[str, Any], methods: list[dict[str, Any]], mine: list[dict[str, Any]]) -> str:
    """One API's chain: the SVG picture (wide screens) and the tree (narrow ones). `methods` are the API's method
    rows, `mine` the findings that can bear on it (its API's, and its pools' and their clients': FindingIndex says
    which)."""
    nodes, links, hidden_methods = _chain(chain, methods, mine)
    return _svg(chain, nodes, links, hidden_methods) + _tree(nodes, links, hidden_methods)


def chain_model(chain: dict[str, Any], methods: list[dict[str, Any]], mine: list[Any]) -> dict[str, Any]:
    """The same chain as data for a page's script to draw when asked (the big report): its nodes (kind, label,
    sub, both shortened as the picture shows them, title, classes), its links (source and target node, state,
    rules, title), and how many methods were left out. Texts are raw: the script writes them as text."""
    nodes, links, hidden_methods = _chain(chain, methods, mine)
    position = {id(node): number for number, node in enumerate(nodes.values())}
    return {"nodes": [[node.kind, node.label, node.sub, shorten(node.label, 29), shorten(node.sub, 34), node.title,
                       " ".join(node.classes)] for node in nodes.values()],
            "links": [[position[id(link.source)], position[id(link.target)], link.state, " ".join(link.rules),
                       link.title] for link in links],
            "more": max(0, hidden_methods), "api": chain["api_id"], "name": chain.get("api_name")}


def _chain(chain: dict[str, Any], methods: list[dict[str, Any]], mine: list[dict[str, Any]]) \
        -> tuple[dict[tuple[str, str], _Node], list[_Link], int]:
    """The nodes (by kind and key), the links between them with what the findings say of each, and how many
    methods were left out."""
    names = {authorizer["name"] for authorizer in chain["authorizers"]}
    shown_methods = [m for m in methods if m.get("authorizer") in names]
    hidden_methods = len(shown_methods) - MOST_METHODS
    shown_methods = shown_methods[:MOST_METHODS]
    entries = {entry.get("pool_id"): entry for authorizer in chain["authorizers"] for entry in authorizer["pools"]}
    nodes: dict[tuple[str, str], _Node] = {}
    for method in shown_methods:
        name = f"{method['method']} {method['path']}"
        scopes = ", ".join(method.get("scopes") or []) or f"{method.get('token')} token"
        nodes[("method", name)] = _Node("method", name, name, f"needs {scopes}",
                                        f"{name}: verdict {method['verdict']}; needs {scopes}",
                                        [f"verdict-{method['verdict']}"])
    for authorizer in chain["authorizers"]:
        judged = _judged(mine, api_id=chain["api_id"], authorizer=authorizer["name"], scope="authorizer",
                         pool_id=None)
        nodes[("authorizer", str(authorizer["name"]))] = _Node(
            "authorizer", str(authorizer["name"]), str(authorizer["name"]), str(authorizer.get("type") or ""),
            f"authorizer {authorizer['name']} ({authorizer.get('type')}): {judged.words()}", _classes(judged))
    for pool in chain["pools"]:
        judged = _judged(mine, pool_id=pool["pool_id"], scope="pool")
        status_words, style = POOL_STATUS.get(pool["status"], (str(pool["status"]), "elsewhere"))
        entry = entries.get(pool["pool_id"]) or {}
        arn_account = str(entry.get("arn") or "").split(":")[4:5]
        if pool["status"] == "elsewhere" and arn_account and arn_account[0] != chain.get("account"):
            status_words = f"elsewhere: account {arn_account[0]}"
        present = pool["status"] == "present"
        sub = str(pool["pool_id"]) if present and pool.get("pool_name") else status_words if not present else \
            "not read" if not pool["read"] else ""
        reason = entry.get("reason") or ""
        named = f" ({pool['pool_name']})" if pool.get("pool_name") else " (name not read)" if present else ""
        nodes[("pool", str(pool["pool_id"]))] = _Node(
            "pool", str(pool["pool_id"]), str(pool.get("pool_name") or pool["pool_id"]), sub,
            f"user pool {pool['pool_id']}{named}: "
            + (f"{status_words}{': ' + reason if reason else ''}; " if not present else "") + judged.words(),
            _classes(judged) + ([] if present else [style]) + ([] if pool["read"] else ["unread"]))
        for client in pool["clients"][:MOST_CLIENTS]:
            scopes = client.get("obtainable_scopes")
            can = "not read" if scopes is None else ", ".join(scopes) or "no scope"
            nodes[("client", f"{pool['pool_id']}/{client['client_id']}")] = _Node(
                "client", str(client["client_id"]), str(client.get("client_name") or client["client_id"]), can,
                f"app client {client.get('client_name') or ''} ({client['client_id']}); can obtain: {can}", [])
    links = []

    def link(source: _Node, target: _Node, judged: _Judged, why: str) -> None:
        links.append(_Link(source, target, judged.state, judged.rules, f"{why}: {judged.words()}"))

    for method in shown_methods:
        target = nodes.get(("authorizer", str(method.get("authorizer"))))
        if target is not None:
            link(nodes[("method", f"{method['method']} {method['path']}")], target,
                 _judged(mine, api_id=chain["api_id"], method=method["method"], path=method["path"], scope="method"),
                 f"{method['method']} {method['path']} → {method['authorizer']}")
    for authorizer in chain["authorizers"]:
        for entry in authorizer["pools"]:
            target = nodes.get(("pool", str(entry.get("pool_id"))))
            if target is not None:
                link(nodes[("authorizer", str(authorizer["name"]))], target,
                     _judged(mine, api_id=chain["api_id"], authorizer=authorizer["name"], pool_id=entry["pool_id"],
                             scope="authorizer"), f"{authorizer['name']} → pool {entry['pool_id']}")
    for pool in chain["pools"]:
        for client in pool["clients"][:MOST_CLIENTS]:
            link(nodes[("pool", str(pool["pool_id"]))], nodes[("client", f"{pool['pool_id']}/{client['client_id']}")],
                 _judged(mine, pool_id=pool["pool_id"], client_id=client["client_id"]),
                 f"pool {pool['pool_id']} → client {client['client_id']}")
    return nodes, links, hidden_methods


def _classes(judged: _Judged) -> list[str]:
    return [judged.state] if judged.state else []


def _svg(chain: dict[str, Any], nodes: dict[tuple[str, str], _Node], links: list[_Link], hidden_methods: int) -> str:
    """The picture: four columns, each column's nodes stacked from the top, links as curves between them."""
    tops = {kind: 22 for kind in _HEIGHTS}
    for (kind, _), node in nodes.items():
        node.y = tops[kind]
        tops[kind] += node.height + GAP
    paths = []
    for link in links:
        x1, y1 = link.source.x + NODE_WIDTH, link.source.y + link.source.height / 2
        x2, y2 = link.target.x, link.target.y + link.target.height / 2
        paths.append(f'<path class="link {link.state}" data-rules="{escape(" ".join(link.rules))}" '
                     f'd="M{x1:.0f},{y1:.0f} C{x1 + 20:.0f},{y1:.0f} {x2 - 20:.0f},{y2:.0f} {x2:.0f},{y2:.0f}">'
                     f"<title>{escape(link.title)}</title></path>")
    height = max([node.y + node.height for node in nodes.values()] or [40])
    headings = "".join(f'<text class="heading" x="{x}" y="12">{name}</text>' for x, name in
                       zip(COLUMN_X, ("Methods", "Authorizers", "User pools", "App clients (obtainable scopes)"),
                           strict=True))
    more = (f'<text class="more" x="0" y="{height + 18}">+{hidden_methods} more methods (the table lists '
            "them)</text>" if hidden_methods > 0 else "")
    extra = 24 if hidden_methods > 0 else 6
    return (f'<svg class="chain-picture" role="img" viewBox="0 0 {COLUMN_X[-1] + NODE_WIDTH + 2} {height + extra}" '
            f'data-api="{escape(chain["api_id"])}" aria-label="chain of API {escape(chain.get("api_name"))}">'
            f"{headings}{''.join(paths)}{''.join(node.svg() for node in nodes.values())}{more}</svg>")


def _tree(nodes: dict[tuple[str, str], _Node], links: list[_Link], hidden_methods: int) -> str:
    """The same chain as a tree that wraps: each authorizer with the methods that use it, then its pools, each with
    its clients; every line's left rule is the link to its parent, coloured as in the picture."""
    children: dict[int, list[_Link]] = {}
    into: dict[int, list[_Link]] = {}
    for link in links:
        children.setdefault(id(link.source), []).append(link)
        into.setdefault(id(link.target), []).append(link)

    def line(link: _Link, shown: _Node, below: str = "") -> str:
        """A node under its parent (`below`: its own lines); the line's left rule is the link between them."""
        rules = f' <span class="rules">{escape(" ".join(link.rules))}</span>' if link.rules else ""
        return (f'<li class="link {link.state}" data-rules="{escape(" ".join(link.rules))}" '
                f'title="{escape(link.title)}">{shown.item()}{rules}'
                + (f'<ul class="clients">{below}</ul>' if below else "") + "</li>")

    parts = []
    for node in (node for (kind, _), node in nodes.items() if kind == "authorizer"):
        callers = "".join(line(link, link.source) for link in into.get(id(node), []))
        pools = "".join(line(link, link.target, "".join(line(client, client.target) for client in
                                                         children.get(id(link.target), [])))
                        for link in children.get(id(node), []))
        parts.append(f"<li>{node.item()}" + (f'<ul class="callers">{callers}</ul>' if callers else "")
                     + (f'<ul class="pools">{pools}</ul>' if pools else "") + "</li>")
    more = (f'<p class="muted">+{hidden_methods} more methods (the table lists them)</p>' if hidden_methods > 0
            else "")
    return f'<ul class="chain-tree">{"".join(parts)}</ul>{more}'
