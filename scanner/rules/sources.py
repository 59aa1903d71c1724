"""What a rule's `seed` (or `source`) cites, resolved to titles and links a reader can follow from the clone:
`003 "passage"` becomes the Knowledge Center article's title, its address and the passage."""

from __future__ import annotations

import functools
import re
import tomllib
from typing import Any

from .loader import builtin_rules_dir

# One citation: a reference (003, 004, KC, docs, CloudFront docs, …), optionally `comment`, then quoted passages.
_QUOTED = re.compile(r'"([^"]*)"')
_REFERENCE = re.compile(r"^\s*(\d{3}|KC|docs|[A-Z][A-Za-z]+ docs)\b")


@functools.cache
def articles() -> dict[str, dict[str, str]]:
    """The catalog of cited articles (policies/articles/sources.toml): short name → title and url."""
    with (builtin_rules_dir() / "articles" / "sources.toml").open("rb") as handle:
        return dict(tomllib.load(handle).get("articles", {}))


def cited(seed: str) -> list[dict[str, Any]]:
    """Each citation of a `seed` text: {kind, title, url, passages}. kind: article (a seed article or a
    Knowledge Center article), docs (AWS documentation, by page title), or note (words the catalog cannot place)."""
    found = []
    for part in _split(seed):
        reference = _REFERENCE.match(part)
        quoted = _QUOTED.findall(part)
        name = reference.group(1) if reference else ""
        if name in articles():  # 003 "passage" … comment "passage"
            seed_article = articles()[name]
            found.append({"kind": "article", "title": seed_article["title"], "url": seed_article.get("url"),
                          "passages": quoted or [part[len(name):].strip(" ()")]})
        elif name == "KC" and quoted:
            article: dict[str, str] | None = articles().get(quoted[0]) or next(
                (entry for entry in articles().values() if entry["title"] == quoted[0]), None)
            found.append({"kind": "article", "title": article["title"] if article else quoted[0],
                          "url": article.get("url") if article else None, "passages": []})
        elif name.endswith("docs") and quoted:
            publisher = _PUBLISHERS.get(name, f"AWS documentation{_service(name)}")
            for title in quoted:
                found.append({"kind": "docs", "title": f"{publisher}: {title}", "url": None, "passages": []})
        else:
            found.append({"kind": "note", "title": part.strip(), "url": None, "passages": []})
    return found


_PUBLISHERS = {"Terraform docs": "Terraform AWS provider documentation"}  # documentation that is not AWS's


def _service(reference: str) -> str:
    service = reference[:-len("docs")].strip()
    return f" ({service})" if service else ""


def _split(seed: str) -> list[str]:
    """The seed's citations, split at semicolons outside quotes."""
    parts, current, quoted = [], "", False
    for char in seed:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def cited_titles(seed: str) -> str:
    """One line for a table: the titles cited, each once."""
    return "; ".join(dict.fromkeys(citation["title"] for citation in cited(seed)))
