"""ARNs: parsing, and matching ARN patterns with wildcards as AWS does.

An ARN has six colon-separated parts: `arn:partition:service:region:account:resource`. In a
pattern, `*` and `?` match within the first five parts only, while in the resource part they may
span `/` and `:`. Matching is case-sensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .patterns import compile_segment_glob, has_wildcard, unprotect


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Parse `text` as an ARN; None if it does not have the six parts."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_arn_like(text: str) -> bool:
    """True if `text` has the six ARN parts (wildcards allowed)."""
    parts = text.split(":", 5)
    return len(parts) == 6 and parts[0] in ("arn", "*", "arn*", "a*")


@lru_cache(maxsize=65536)
def compile_arn_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile an ARN pattern; `*` alone matches anything. None if the pattern cannot match an ARN."""
    if unprotect(pattern) == "*" and "*" in pattern:
        return re.compile(".*", re.DOTALL)
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    head = ":".join(compile_segment_glob(p) for p in parts[:5])
    tail = parts[5]
    tail_rx = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(unprotect(ch)) for ch in tail)
    return re.compile(head + ":" + tail_rx, re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """Match an ARN against an ARN pattern (wildcards as AWS applies them, case-sensitive)."""
    if not has_wildcard(pattern):
        return unprotect(pattern) == arn
    rx = compile_arn_pattern(pattern)
    return rx is not None and rx.fullmatch(arn) is not None
