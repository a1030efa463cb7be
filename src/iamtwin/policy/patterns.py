"""Wildcard patterns: `*` matches any run of characters, `?` exactly one.

Literal `*` and `?` that must not act as wildcards (from the `${*}` and `${?}` policy variables,
or from substituted variable values) are carried through substitution as the private-use
characters LITERAL_STAR and LITERAL_QUESTION, and compiled back to the plain characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

LITERAL_STAR = "\ue000"
LITERAL_QUESTION = "\ue001"

_PROTECT = str.maketrans({"*": LITERAL_STAR, "?": LITERAL_QUESTION})
_UNPROTECT = str.maketrans({LITERAL_STAR: "*", LITERAL_QUESTION: "?"})


def protect_literal(text: str) -> str:
    """Mark every `*` and `?` in `text` as literal for a later pattern compile."""
    return text.translate(_PROTECT)


def unprotect(text: str) -> str:
    """Turn protected literal characters back into plain text (for exact comparisons)."""
    return text.translate(_UNPROTECT)


def has_wildcard(text: str) -> bool:
    """True if `text` contains an unprotected `*` or `?`."""
    return "*" in text or "?" in text


def _glob_regex(pattern: str) -> str:
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(unprotect(ch)))
    return "".join(out)


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """Compile a wildcard pattern that may span any character (including `/` and `:`)."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(_glob_regex(pattern), flags)


def combine_patterns(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that fully matches exactly what any of `patterns` fully matches; None if there are none.

    `fullmatch` on an alternation backtracks into the next branch when one cannot consume the whole
    text, so one call of the C matcher replaces a Python loop over the patterns. The patterns must
    share their flags (they are combined as written); with different flags they are not combined.
    """
    if not patterns:
        return None
    if len(patterns) == 1:
        return patterns[0]
    flags = {p.flags for p in patterns}
    if len(flags) != 1:
        raise ValueError("patterns with different flags cannot be combined")
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags.pop())
