r"""The `pattern` constraints of AWS's service models, which are Java regular expressions, run with `re`.

AWS checks a member's pattern with `java.util.regex` over the whole value (`Matcher.matches`).
Python's `re` reads the patterns of the models the same way except where this module bridges:

- `\p{L}`, `\p{N}`, `\p{Z}` and the other Unicode general categories, which `re` lacks, become the
  code point ranges of the category taken from `unicodedata`;
- Java's `\w`, `\d`, `\s` and `\b` are ASCII-only (without `UNICODE_CHARACTER_CLASS`), so patterns
  compile with `re.ASCII`;
- a value matches only as a whole: callers use `fullmatch`.

`\uXXXX` takes exactly four hex digits in both languages, so the models' `\u10000-\u10FFFF` means
U+1000, then `0`-U+10FF, then `F` in Java and in Python alike. Constructs whose meaning differs
(nested classes, class intersections, properties other than general categories) raise `ValueError`
rather than be checked differently from AWS.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

_PROPERTY = re.compile(r"\\([pP])\{(?:Is)?([A-Z][a-z]?)\}")


@cache
def compile_java_pattern(pattern: str) -> re.Pattern[str]:
    """The `re` pattern matching what the Java `pattern` matches; `ValueError` if it cannot be carried over."""
    if "&&" in pattern:
        raise ValueError(f"class intersection in `{pattern}`")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            prop = _PROPERTY.match(pattern, i)
            if prop is not None:
                negated = prop.group(1) == "P"
                ranges = _category_ranges(prop.group(2))
                if in_class and negated:
                    raise ValueError(f"negated property inside a class in `{pattern}`")
                out.append(ranges if in_class else f"[{'^' if negated else ''}{ranges}]")
                i = prop.end()
                continue
            if pattern[i + 1 : i + 2] in ("p", "P"):
                raise ValueError(f"unsupported character property in `{pattern}`")
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            if in_class:
                raise ValueError(f"nested character class in `{pattern}`")
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    try:
        return re.compile("".join(out), re.ASCII)
    except re.error as exc:
        raise ValueError(f"cannot compile `{pattern}`: {exc}") from exc


@cache
def _category_ranges(category: str) -> str:
    """The code points of a general category (`L`, `Lu`, `N`, `Z`, …) as the inside of an `re` class."""
    spans = sorted(span for name, found in _general_categories().items() if name.startswith(category) for span in found)
    if not spans:
        raise ValueError(f"unknown Unicode general category `{category}`")
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start == merged[-1][1] + 1:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return "".join(_escape(start) if start == end else f"{_escape(start)}-{_escape(end)}" for start, end in merged)


@cache
def _general_categories() -> dict[str, list[tuple[int, int]]]:
    # One pass over every code point, kept as runs per two-letter category (about 3,500 runs in all).
    runs: dict[str, list[tuple[int, int]]] = {}
    start = 0
    current = unicodedata.category("\0")
    for code in range(1, sys.maxunicode + 2):
        name = unicodedata.category(chr(code)) if code <= sys.maxunicode else ""
        if name != current:
            runs.setdefault(current, []).append((start, code - 1))
            start, current = code, name
    return runs


def _escape(code: int) -> str:
    return f"\\U{code:08X}"
