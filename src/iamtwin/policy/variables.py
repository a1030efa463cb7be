"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, and `${*}`, `${?}`, `${$}`.

A text is split once into a template of literal text, variables and special characters; at
evaluation the template is rendered against the request. A variable whose key is missing (and
has no default) or is multivalued renders to nothing, and the value that contains it matches
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .patterns import LITERAL_QUESTION, LITERAL_STAR, protect_literal


@dataclass(frozen=True, slots=True)
class Literal:
    """Plain text of a template."""

    text: str


@dataclass(frozen=True, slots=True)
class Variable:
    """A `${key}` or `${key, 'default'}` reference; keys compare without regard to case."""

    key: str
    default: str | None = None

    @property
    def key_lower(self) -> str:
        """The key as used for lookup."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Special:
    """`${*}`, `${?}` or `${$}`: the character itself, never a wildcard."""

    char: str


Segment = Literal | Variable | Special

_SPECIALS = {"*", "?", "$"}
# A variable body: a key made of the characters context keys use, then an optional quoted default.
_BODY = re.compile(r"^\s*([A-Za-z0-9_:/.\-@+=,]+)\s*(?:,\s*'([^']*)'\s*)?$")


@dataclass(frozen=True, slots=True)
class Template:
    """A text split into segments; `plain` when it has no variable or special."""

    segments: tuple[Segment, ...]

    @property
    def plain(self) -> bool:
        """True when the template is a single literal (nothing to substitute)."""
        return all(isinstance(s, Literal) for s in self.segments)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The variables the template refers to."""
        return tuple(s for s in self.segments if isinstance(s, Variable))

    def render(self, lookup: Callable[[str], str | None], *, for_pattern: bool) -> str | None:
        """Substitute the variables; None if one of them has no single value and no default.

        With `for_pattern`, substituted values and specials are protected so that their `*` and
        `?` stay literal when the result is compiled as a wildcard pattern.
        """
        parts: list[str] = []
        for seg in self.segments:
            if isinstance(seg, Literal):
                parts.append(seg.text)
            elif isinstance(seg, Special):
                if for_pattern and seg.char == "*":
                    parts.append(LITERAL_STAR)
                elif for_pattern and seg.char == "?":
                    parts.append(LITERAL_QUESTION)
                else:
                    parts.append(seg.char)
            else:
                value = lookup(seg.key_lower)
                if value is None:
                    value = seg.default
                if value is None:
                    return None
                parts.append(protect_literal(value) if for_pattern else value)
        return "".join(parts)


def parse_template(text: str) -> Template:
    """Split `text` into literal text, variables and specials; malformed `${` stays literal."""
    if "${" not in text:
        return Template((Literal(text),))
    segments: list[Segment] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        start = text.find("${", i)
        if start < 0:
            buf.append(text[i:])
            break
        end = text.find("}", start + 2)
        if end < 0:
            buf.append(text[i:])
            break
        buf.append(text[i:start])
        body = text[start + 2 : end]
        seg: Segment | None = None
        if body in _SPECIALS:
            seg = Special(body)
        else:
            m = _BODY.match(body)
            if m is not None:
                seg = Variable(m.group(1), m.group(2))
        if seg is None:
            buf.append(text[start : end + 1])
        else:
            if buf and "".join(buf):
                segments.append(Literal("".join(buf)))
            buf = []
            segments.append(seg)
        i = end + 1
    if buf and "".join(buf):
        segments.append(Literal("".join(buf)))
    if not segments:
        segments.append(Literal(""))
    return Template(tuple(segments))
