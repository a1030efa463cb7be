"""Matching a z3 string against a policy value or Resource pattern that holds policy variables.

A variable renders to its key's value when the key has exactly one value (else to its default,
else the policy value matches nothing), and its value is literal text: `*` and `?` in it are no
wildcards, as in the engine (policy/variables.py). `${*}`, `${?}` and `${$}` are the characters.
In ARN patterns the part (colon-separated) a piece of text starts in is counted on the literal
text only: a variable whose value holds a colon does not shift later parts (a documented limit).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ...policy.patterns import LITERAL_QUESTION, LITERAL_STAR
from ...policy.variables import Literal, Special, Template
from .patterns import Dialect, Piece, TextPiece, ValuePiece, match_pieces
from .request import SymbolicRequest

_SPECIAL = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}


def match_template(
    subject: z3.SeqRef, template: Template, dialect: Dialect, request: SymbolicRequest, *, ignore_case: bool = False
) -> z3.BoolRef:
    """`subject` matches the template rendered against the request's key values."""
    pieces: list[Piece] = []
    available: list[z3.BoolRef] = []
    colons = 0
    for segment in template.segments:
        if isinstance(segment, Literal):
            pieces.append(TextPiece(segment.text, colons))
            colons += segment.text.count(":")
        elif isinstance(segment, Special):
            pieces.append(TextPiece(_SPECIAL[segment.char], colons))
        else:
            single, value = request.key(segment.key).single()
            if segment.default is None:
                available.append(single)
                pieces.append(ValuePiece(value))
            else:
                pieces.append(ValuePiece(z3.If(single, value, z3.StringVal(segment.default))))
    return z3.And(*available, match_pieces(subject, _merged(pieces), dialect, ignore_case=ignore_case))


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Adjacent text pieces joined, so a pattern is split only where a variable stands."""
    out: list[Piece] = []
    for piece in pieces:
        previous = out[-1] if out else None
        if isinstance(piece, TextPiece) and isinstance(previous, TextPiece):
            out[-1] = TextPiece(previous.text + piece.text, previous.part)
        else:
            out.append(piece)
    return out
