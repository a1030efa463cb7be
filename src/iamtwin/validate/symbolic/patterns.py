"""Wildcard patterns as z3 regular expressions, and matching a z3 string against a pattern.

Three pattern dialects, as the engine reads them (policy/patterns.py, policy/arn.py):
- GLOB (StringLike, Action names): `*` any run of characters, `?` one character;
- ARN_RESOURCE (Resource/NotResource): within the first five colon-separated parts `*` and `?`
  stay in their part, except a `*` ending a part, which may run past the colon; in the resource
  part they span anything;
- ARN_CONDITION (ArnLike/ArnEquals): each of the first five parts is matched on its own.

A pattern holding policy variables is matched piece by piece: the text between variables is a
regular expression, a variable is the key's (single) string value. The position after a piece
that can match text of several lengths is a fresh integer, existentially quantified, so the
formula stays exact wherever it appears (under a negation it becomes a universal quantifier).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ...policy.patterns import unprotect


class Dialect(Enum):
    """How `*` and `?` behave around colons."""

    GLOB = "glob"
    ARN_RESOURCE = "arn-resource"
    ARN_CONDITION = "arn-condition"


_SORT = z3.ReSort(z3.StringSort())


@cache
def any_char() -> z3.ReRef:
    """Any one character."""
    return z3.AllChar(_SORT)


@cache
def non_colon() -> z3.ReRef:
    """Any one character but `:`."""
    return z3.Intersect(any_char(), z3.Complement(z3.Re(":")))


def _literal(text: str, ignore_case: bool) -> z3.ReRef:
    if not ignore_case or text.lower() == text.upper():
        return z3.Re(z3.StringVal(unprotect(text)))
    parts = []
    for ch in unprotect(text):
        low, up = ch.lower(), ch.upper()
        parts.append(z3.Union(z3.Re(low), z3.Re(up)) if low != up else z3.Re(ch))
    return _concat(parts)


def _concat(parts: Sequence[z3.ReRef]) -> z3.ReRef:
    if not parts:
        return z3.Re(z3.StringVal(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def _glob_part(text: str, star: z3.ReRef, one: z3.ReRef, ignore_case: bool, end_star: z3.ReRef | None) -> z3.ReRef:
    """A run of text where `*` is `star` and `?` is `one`; a final `*` is `end_star` when given."""
    parts: list[z3.ReRef] = []
    run: list[str] = []
    last = len(text) - 1
    for pos, ch in enumerate(text):
        if ch in "*?":
            if run:
                parts.append(_literal("".join(run), ignore_case))
                run = []
            if ch == "?":
                parts.append(one)
            else:
                parts.append(z3.Star(end_star if end_star is not None and pos == last else star))
        else:
            run.append(ch)
    if run:
        parts.append(_literal("".join(run), ignore_case))
    return _concat(parts)


def pattern_regex(text: str, dialect: Dialect, *, ignore_case: bool = False, first_part: int = 0) -> z3.ReRef:
    """The regular expression of a wildcard pattern; `first_part` is the ARN part the text starts in."""
    if dialect is Dialect.GLOB:
        return _glob_part(text, any_char(), any_char(), ignore_case, None)
    pieces: list[z3.ReRef] = []
    for offset, segment in enumerate(text.split(":")):
        part = first_part + offset
        if part >= 5:
            pieces.append(_glob_part(segment, any_char(), any_char(), ignore_case, None))
        else:
            spans = any_char() if dialect is Dialect.ARN_RESOURCE else None
            pieces.append(_glob_part(segment, non_colon(), non_colon(), ignore_case, spans))
        if offset < text.count(":"):
            pieces.append(z3.Re(":"))
    return _concat(pieces)


def has_wildcard(text: str) -> bool:
    """True if the text has a `*` or `?` that acts as a wildcard (not a protected literal)."""
    return "*" in text or "?" in text


def fixed_length(text: str) -> int | None:
    """The length every match of the pattern has, or None when a `*` makes it vary."""
    return None if "*" in text else len(text)


@dataclass(frozen=True, slots=True)
class TextPiece:
    """Literal text of a pattern with its wildcards, starting in ARN part `part`."""

    text: str
    part: int = 0


@dataclass(frozen=True, slots=True)
class ValuePiece:
    """The value of a policy variable: a z3 string, matched literally."""

    value: z3.SeqRef


Piece = TextPiece | ValuePiece


def match_pieces(
    subject: z3.SeqRef, pieces: Sequence[Piece], dialect: Dialect, *, ignore_case: bool = False
) -> z3.BoolRef:
    """`subject` is the concatenation of texts matching each piece, in order."""
    if all(isinstance(p, TextPiece) for p in pieces):
        text = "".join(p.text for p in pieces if isinstance(p, TextPiece))
        first = pieces[0].part if pieces and isinstance(pieces[0], TextPiece) else 0
        return match_text(subject, text, dialect, ignore_case=ignore_case, first_part=first)
    constraints: list[z3.BoolRef] = []
    bound: list[z3.ArithRef] = []
    pos: z3.ArithRef = z3.IntVal(0)
    total = z3.Length(subject)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if isinstance(piece, ValuePiece):
            length = z3.Length(piece.value)
            constraints.append(z3.SubString(subject, pos, length) == piece.value)
            pos = pos + length
            continue
        if not piece.text:
            continue
        size = fixed_length(piece.text)
        plain = not has_wildcard(piece.text) and not ignore_case
        if plain:
            literal = z3.StringVal(unprotect(piece.text))
            constraints.append(z3.SubString(subject, pos, len(piece.text)) == literal)
            pos = pos + len(piece.text)
            continue
        regex = pattern_regex(piece.text, dialect, ignore_case=ignore_case, first_part=piece.part)
        if size is not None:
            constraints.append(z3.InRe(z3.SubString(subject, pos, size), regex))
            pos = pos + size
        elif last:
            constraints.append(z3.InRe(z3.SubString(subject, pos, total - pos), regex))
            pos = total
        else:
            end = z3.FreshInt("split")
            bound.append(end)
            constraints.extend([end >= pos, end <= total, z3.InRe(z3.SubString(subject, pos, end - pos), regex)])
            pos = end
    constraints.append(pos == total)
    body = z3.And(*constraints)
    return z3.Exists(bound, body) if bound else body


def match_text(
    subject: z3.SeqRef, text: str, dialect: Dialect, *, ignore_case: bool = False, first_part: int = 0
) -> z3.BoolRef:
    """`subject` matches the pattern `text` (equality when it has no wildcard and case matters)."""
    if not has_wildcard(text) and not ignore_case:
        return subject == z3.StringVal(unprotect(text))
    if dialect is not Dialect.GLOB and text == "*":
        return z3.BoolVal(True)  # `*` alone is any ARN (and, in a Resource, anything)
    return z3.InRe(subject, pattern_regex(text, dialect, ignore_case=ignore_case, first_part=first_part))
