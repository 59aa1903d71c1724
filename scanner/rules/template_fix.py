"""A rule's fix in words, as it reads on a template: without the references to the AWS CLI commands, which a template
finding does not carry (they act on deployed resources; the template is edited at the finding's source line)."""

from __future__ import annotations

import re
from typing import Any

from .template import Template, render_template

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_ABOUT_COMMANDS = re.compile(r"\b(?:below|commands?|recipe)\b", re.I)
_SENTENCE_END = re.compile(r"(?<=\.)\s+")


def template_fix(fix: str) -> str:
    """`fix` without what it says about the commands: asides in parentheses, and sentences (or what follows a
    sentence's colon) about them."""
    def aside(found: re.Match[str]) -> str:
        kept = [part.strip() for part in found[1].split(";") if not _ABOUT_COMMANDS.search(part)]
        return f" ({'; '.join(kept)})" if kept else ""
    sentences = []
    for sentence in _SENTENCE_END.split(_PARENTHESIS.sub(aside, fix)):
        clauses = sentence.split(": ")
        kept = next((clauses[:index] for index, clause in enumerate(clauses) if _ABOUT_COMMANDS.search(clause)),
                    clauses)
        if kept:
            sentences.append(": ".join(kept) + ("" if kept == clauses else "."))
    return " ".join(sentences).strip()


def render_template_fix(fix: Template, context: dict[str, Any]) -> str:
    """`fix` rendered for a template finding: the asides are cut from the rule's own words only, never from the
    values the placeholders take."""
    values = [part for part in fix if not isinstance(part, str)]
    numbered = iter(range(len(values)))
    skeleton = "".join(part if isinstance(part, str) else f"\x00{next(numbered)}\x00" for part in fix)
    return re.sub("\x00(\\d+)\x00", lambda found: render_template([values[int(found[1])]], context),
                  template_fix(skeleton))
