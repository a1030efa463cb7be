"""ARNs: parsing, and matching ARN patterns with wildcards as AWS does.

An ARN has six colon-separated parts: `arn:partition:service:region:account:resource`. In a
pattern, `*` and `?` match within the first five parts only, while in the resource part they may
span `/` and `:`. Matching is case-sensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .patterns import has_wildcard, unprotect


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


@lru_cache(maxsize=65536)
def parse_arn(text: str) -> Arn | None:
    """Parse `text` as an ARN; None if it does not have the six parts."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


@lru_cache(maxsize=65536)
def compile_arn_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile an ARN pattern; `*` alone matches anything. None if the pattern is not ARN-shaped.

    Within the first five segments `*` and `?` stay inside the segment, except that a `*` ending a
    segment may expand beyond the colon; in the resource part (after the fifth colon) they span anything.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    if unprotect(pattern) == "*" and "*" in pattern:
        return re.compile(".*", re.DOTALL)
    segments = pattern.split(":")
    if len(segments) < 2 or segments[0] not in ("arn", "arn*", "*"):
        return None
    regex = ":".join(_segment_regex(segment, index) for index, segment in enumerate(segments))
    return re.compile(regex, re.DOTALL)


@lru_cache(maxsize=65536)
def compile_arn_condition_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile an ArnLike/ArnEquals value: each of the six parts is matched on its own.

    Unlike the Resource element, a condition's ARN wildcards never cross a colon before the resource part.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    """
    if unprotect(pattern) == "*" and "*" in pattern:
        return re.compile(".*", re.DOTALL)
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    regex = ":".join(_segment_regex(part, index, span_end=False) for index, part in enumerate(parts[:5]))
    return re.compile(regex + ":" + _span_any(parts[5]), re.DOTALL)


def _span_any(segment: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(unprotect(ch)) for ch in segment)


def _segment_regex(segment: str, index: int, span_end: bool = True) -> str:
    if index >= 5:
        return _span_any(segment)
    last = len(segment) - 1 if span_end else -1
    parts = []
    for pos, ch in enumerate(segment):
        if ch == "*":
            parts.append(".*" if pos == last else "[^:]*")
        elif ch == "?":
            parts.append("[^:]")
        else:
            parts.append(re.escape(unprotect(ch)))
    return "".join(parts)


def arn_matches(pattern: str, arn: str) -> bool:
    """Match an ARN against an ARN pattern (wildcards as AWS applies them, case-sensitive)."""
    if not has_wildcard(pattern):
        return unprotect(pattern) == arn
    rx = compile_arn_pattern(pattern)
    return rx is not None and rx.fullmatch(arn) is not None
