"""API Gateway matches identityValidationExpression with Java's regular expressions; the scanner has Python's.

Most expressions mean the same in both. Those with Java-only syntax (Unicode properties \\p{…}, \\Q…\\E quoting,
`(?<name>…)` groups, class intersections `&&`, \\h \\R \\X \\z \\G \\e) cannot be evaluated here: they are
undecided, never reported invalid. An expression neither Java nor Python accepts (unbalanced, a dangling
quantifier) is invalid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_JAVA_ONLY = re.compile(r"\\[pP]\{|\\Q|\\[hHRXzGe]|\(\?<(?![=!])|&&")


@dataclass(frozen=True)
class CompiledExpression:
    pattern: re.Pattern[str] | None
    invalid: str | None  # why no regex engine accepts it
    undecided: str | None  # why Python cannot tell what Java does with it


def compile_expression(expression: str) -> CompiledExpression:
    java_only = _JAVA_ONLY.search(expression)
    if java_only:
        return CompiledExpression(None, None, f"the expression {expression!r} uses Java regular-expression syntax "
                                              f"({java_only.group(0)}…) that the scanner cannot evaluate")
    try:
        return CompiledExpression(re.compile(expression), None, None)
    except (re.error, RecursionError, OverflowError) as error:
        return CompiledExpression(None, f"the expression {expression!r} is not a valid regular expression ({error})",
                                  None)


def full_match(expression: str, text: str) -> bool | None:
    """Whether `text` matches the whole expression as API Gateway would test it; None when it cannot be told."""
    compiled = compile_expression(expression)
    if compiled.pattern is None:
        return None if compiled.undecided else False
    return compiled.pattern.fullmatch(text) is not None
