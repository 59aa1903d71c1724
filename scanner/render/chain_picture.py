"""Each API's chain as an SVG picture: methods → authorizers → user pools → app clients (with the scopes each can
obtain); a link a failed finding breaks is drawn red (dashed amber when undecided) and names its rules."""

from __future__ import annotations

from typing import Any

from .escape import html_text as escape
from .width import shorten

COLUMN_X = (0, 270, 540, 810)
NODE_WIDTH = 230
GAP = 10
MOST_METHODS = 40  # per picture; the table lists every method
MOST_CLIENTS = 30
_HEIGHTS = {"method": 34, "authorizer": 40, "pool": 44, "client": 50}


class _Node:
    def __init__(self, kind: str, key: str, label: str, sub: str, title: str, classes: list[str]) -> None:
        self.kind, self.key, self.label, self.sub, self.title, self.classes = kind, key, label, sub, title, classes
        self.y = 0

    @property
    def x(self) -> int:
        return COLUMN_X[("method", "authorizer", "pool", "client").index(self.kind)]

    @property
    def height(self) -> int:
        return _HEIGHTS[self.kind]

    def svg(self) -> str:
        label = shorten(self.label, 29)
        sub = shorten(self.sub, 34)
        return (f'<g class="node {self.kind} {" ".join(self.classes)}" data-key="{escape(self.key)}">'
                f"<title>{escape(self.title)}</title>"
                f'<rect x="{self.x}" y="{self.y}" width="{NODE_WIDTH}" height="{self.height}" rx="6"></rect>'
                f'<text x="{self.x + 8}" y="{self.y + 15}">{escape(label)}</text>'
                + (f'<text class="sub" x="{self.x + 8}" y="{self.y + 30}">{escape(sub)}</text>' if sub else "")
                + "</g>")


def _failing(findings: list[dict[str, Any]], **match: Any) -> tuple[list[str], list[str]]:
    """Rules of the findings matching every field given: (failed, undecided)."""
    chosen = [f for f in findings if all(f.get(key) == value for key, value in match.items())]
    failed = sorted({f["rule"] for f in chosen if f["outcome"] == "fail"})
    undecided = sorted({f["rule"] for f in chosen if f["outcome"] != "fail"} - set(failed))
    return failed, undecided


def _state(failed: list[str], undecided: list[str]) -> list[str]:
    return ["broken"] if failed else ["doubt"] if undecided else []


def chain_picture(chain: dict[str, Any], methods: list[dict[str, Any]], mine: list[dict[str, Any]]) -> str:
    """The SVG of one API's chain. `methods` are the API's method rows, `mine` the findings that can bear on it
    (its API's, and its pools' and their clients': FindingIndex says which)."""
    names = {authorizer["name"] for authorizer in chain["authorizers"]}
    shown_methods = [m for m in methods if m.get("authorizer") in names]
    hidden_methods = len(shown_methods) - MOST_METHODS
    shown_methods = shown_methods[:MOST_METHODS]
    nodes: dict[tuple[str, str], _Node] = {}
    links: list[str] = []

    def link(source: _Node, target: _Node, failed: list[str], undecided: list[str], why: str) -> None:
        x1, y1 = source.x + NODE_WIDTH, source.y + source.height / 2
        x2, y2 = target.x, target.y + target.height / 2
        rules = " ".join(failed or undecided)
        title = f"{why}: " + (", ".join(failed) + " failed" if failed else ", ".join(undecided) + " undecided"
                              if undecided else "no finding")
        links.append(f'<path class="link {" ".join(_state(failed, undecided))}" data-rules="{escape(rules)}" '
                     f'd="M{x1:.0f},{y1:.0f} C{x1 + 20:.0f},{y1:.0f} {x2 - 20:.0f},{y2:.0f} {x2:.0f},{y2:.0f}">'
                     f"<title>{escape(title)}</title></path>")

    for method in shown_methods:
        scopes = ", ".join(method.get("scopes") or []) or f"{method.get('token')} token"
        nodes[("method", f"{method['method']} {method['path']}")] = _Node(
            "method", f"{method['method']} {method['path']}", f"{method['method']} {method['path']}",
            f"needs {scopes}", f"{method['method']} {method['path']}: verdict {method['verdict']}; needs {scopes}",
            [f"verdict-{method['verdict']}"])
    for authorizer in chain["authorizers"]:
        failed, undecided = _failing(mine, api_id=chain["api_id"], authorizer=authorizer["name"], scope="authorizer",
                                     pool_id=None)
        nodes[("authorizer", str(authorizer["name"]))] = _Node(
            "authorizer", str(authorizer["name"]), str(authorizer["name"]), str(authorizer.get("type") or ""),
            f"authorizer {authorizer['name']} ({authorizer.get('type')})"
            + (f": {', '.join(failed + undecided)}" if failed or undecided else ""), _state(failed, undecided))
    for pool in chain["pools"]:
        failed, undecided = _failing(mine, pool_id=pool["pool_id"], scope="pool")
        missing = pool["status"] != "present"
        name = pool.get("pool_name") or ("not found" if missing else "not read" if not pool["read"] else "")
        nodes[("pool", str(pool["pool_id"]))] = _Node(
            "pool", str(pool["pool_id"]), str(name or pool["pool_id"]), str(pool["pool_id"]),
            f"user pool {pool['pool_id']} ({name or 'unnamed'}), status {pool['status']}"
            + (f": {', '.join(failed + undecided)}" if failed or undecided else ""),
            _state(failed, undecided) + (["missing"] if missing else []) + ([] if pool["read"] else ["unread"]))
        for client in pool["clients"][:MOST_CLIENTS]:
            scopes = client.get("obtainable_scopes")
            sub = "not read" if scopes is None else ", ".join(scopes) or "no scope obtainable"
            nodes[("client", f"{pool['pool_id']}/{client['client_id']}")] = _Node(
                "client", str(client["client_id"]), str(client.get("client_name") or client["client_id"]), sub,
                f"app client {client.get('client_name')} ({client['client_id']}); can obtain: {sub}", [])
    _place(nodes)
    for method in shown_methods:
        source = nodes[("method", f"{method['method']} {method['path']}")]
        target = nodes.get(("authorizer", str(method.get("authorizer"))))
        if target is not None:
            failed, undecided = _failing(mine, api_id=chain["api_id"], method=method["method"], path=method["path"],
                                         scope="method")
            link(source, target, failed, undecided, f"{method['method']} {method['path']} → {method['authorizer']}")
    for authorizer in chain["authorizers"]:
        source = nodes[("authorizer", str(authorizer["name"]))]
        for entry in authorizer["pools"]:
            target = nodes.get(("pool", str(entry.get("pool_id"))))
            if target is None:
                continue
            failed, undecided = _failing(mine, api_id=chain["api_id"], authorizer=authorizer["name"],
                                         pool_id=entry["pool_id"], scope="authorizer")
            link(source, target, failed, undecided, f"{authorizer['name']} → pool {entry['pool_id']}")
    for pool in chain["pools"]:
        for client in pool["clients"][:MOST_CLIENTS]:
            failed, undecided = _failing(mine, pool_id=pool["pool_id"], client_id=client["client_id"])
            link(nodes[("pool", str(pool["pool_id"]))], nodes[("client", f"{pool['pool_id']}/{client['client_id']}")],
                 failed, undecided, f"pool {pool['pool_id']} → client {client['client_id']}")
    height = max([node.y + node.height for node in nodes.values()] or [40])
    headings = "".join(f'<text class="heading" x="{x}" y="12">{name}</text>' for x, name in
                       zip(COLUMN_X, ("Methods", "Authorizers", "User pools", "App clients (obtainable scopes)"),
                           strict=True))
    more = (f'<text class="more" x="0" y="{height + 18}">+{hidden_methods} more methods (the table lists '
            "them)</text>" if hidden_methods > 0 else "")
    extra = 24 if hidden_methods > 0 else 6
    return (f'<svg class="chain-picture" role="img" viewBox="0 0 {COLUMN_X[-1] + NODE_WIDTH + 2} {height + extra}" '
            f'data-api="{escape(chain["api_id"])}" aria-label="chain of API {escape(chain.get("api_name"))}">'
            f"{headings}{''.join(links)}{''.join(node.svg() for node in nodes.values())}{more}</svg>")


def _place(nodes: dict[tuple[str, str], _Node]) -> None:
    """Stack each column's nodes from the top, under the column headings."""
    tops = {kind: 22 for kind in _HEIGHTS}
    for (kind, _), node in nodes.items():
        node.y = tops[kind]
        tops[kind] += node.height + GAP
