"""Wildcard patterns: `*` matches any run of characters, `?` exactly one.

Literal `*` and `?` that must not act as wildcards (from the `${*}` and `${?}` policy variables,
or from substituted variable values) are carried through substitution as the private-use
characters LITERAL_STAR and LITERAL_QUESTION, and compiled back to the plain characters.
"""

from __future__ import annotations

import re
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
