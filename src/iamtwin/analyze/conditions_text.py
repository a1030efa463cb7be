"""Who-can and what-can answers in words: `only when aws:SourceIp in 203.0.113.0/24`, principal labels, notes.

Rendered at the edge from the answer's data (the CLI's text table reads these); nothing here decides.
"""

from __future__ import annotations

from ..evaluate.decision import StatementRef
from .access_model import Access, AllowPath, DenyGuard, Note, NoteCode, PrincipalClass, QueryPrincipal, Verdict
from .access_model import SymbolicCondition as Cond

# Base operator -> (phrase for one value, phrase for several values).
_PHRASES: dict[str, tuple[str, str]] = {
    "StringEquals": ("is", "is one of"),
    "StringNotEquals": ("is not", "is none of"),
    "StringEqualsIgnoreCase": ("is (ignoring case)", "is one of (ignoring case)"),
    "StringNotEqualsIgnoreCase": ("is not (ignoring case)", "is none of (ignoring case)"),
    "StringLike": ("matches", "matches one of"),
    "StringNotLike": ("does not match", "matches none of"),
    "ArnEquals": ("is", "is one of"),
    "ArnLike": ("matches", "matches one of"),
    "ArnNotEquals": ("is not", "is none of"),
    "ArnNotLike": ("does not match", "matches none of"),
    "NumericEquals": ("=", "is one of"),
    "NumericNotEquals": ("≠", "is none of"),
    "NumericLessThan": ("<", "< one of"),
    "NumericLessThanEquals": ("<=", "<= one of"),
    "NumericGreaterThan": (">", "> one of"),
    "NumericGreaterThanEquals": (">=", ">= one of"),
    "DateEquals": ("is", "is one of"),
    "DateNotEquals": ("is not", "is none of"),
    "DateLessThan": ("is before", "is before one of"),
    "DateLessThanEquals": ("is at or before", "is at or before one of"),
    "DateGreaterThan": ("is after", "is after one of"),
    "DateGreaterThanEquals": ("is at or after", "is at or after one of"),
    "Bool": ("is", "is one of"),
    "BinaryEquals": ("is", "is one of"),
    "IpAddress": ("in", "in"),
    "NotIpAddress": ("not in", "not in"),
}
_QUALIFIERS = {"forallvalues": "every value of", "foranyvalue": "some value of"}


def condition_text(cond: Cond) -> str:
    """One open condition in words: `aws:SourceIp in 203.0.113.0/24`."""
    operator = cond.operator
    qualifier = ""
    if ":" in operator:
        prefix, operator = operator.split(":", 1)
        qualifier = _QUALIFIERS.get(prefix.lower(), prefix) + " "
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base == "Null":
        absent = any(v.lower() == "true" for v in cond.values)
        return f"{cond.key} is {'absent' if absent else 'present'}"
    one, several = _PHRASES.get(base, (base, base))
    phrase = one if len(cond.values) == 1 else several
    text = f"{qualifier}{cond.key} {phrase} {', '.join(cond.values)}"
    return f"{text} (or {cond.key} is absent)" if if_exists else text


def _all(conditions: tuple[Cond, ...], wrap: bool) -> str:
    text = " and ".join(condition_text(c) for c in conditions)
    return f"({text})" if wrap and len(conditions) > 1 else text


def _paths(paths: tuple[AllowPath, ...]) -> str:
    return " or ".join(_all(p.conditions, len(paths) > 1) for p in paths)


def _guards(guards: tuple[DenyGuard, ...]) -> str:
    return " or ".join(_all(g.conditions, len(guards) > 1) for g in guards)


def access_text(access: Access) -> str:
    """The verdict with its conditions: `allowed`, `only when …`, `allowed unless …`, `never`."""
    if access.verdict is Verdict.DENIED:
        return "never"
    if access.verdict is Verdict.ALLOWED:
        return "allowed"
    opened = any(p.conditions for p in access.paths)
    text = f"only when {_paths(access.paths)}" if opened else "allowed"
    if access.unless:
        text += f"{',' if opened else ''} unless {_guards(access.unless)}"
    return text


def principal_text(principal: QueryPrincipal) -> str:
    """Who an answer is about, in words."""
    kind = principal.kind
    if kind is PrincipalClass.ROLE:
        return f"sessions of role {principal.arn}"
    if kind is PrincipalClass.ACCOUNT_ROOT:
        return f"root user of {principal.account}"
    if kind is PrincipalClass.ACCOUNT:
        return f"any principal in account {principal.account} whose own policies allow"
    if kind is PrincipalClass.EXTERNAL:
        return f"{principal.arn} (outside the world)"
    if kind is PrincipalClass.SERVICE:
        return f"service {principal.arn}"
    if kind is PrincipalClass.EVERYONE:
        return "anyone (*), anonymous callers included"
    return principal.arn


def statement_text(ref: StatementRef) -> str:
    """A statement as `policy-id` plus its Sid, or its index when it has none."""
    return f"{ref.policy_id} {ref.sid if ref.sid else f'statement {ref.index}'}"


def note_text(note: Note, action: str) -> str:
    """A note in words."""
    if note.code is NoteCode.CONDITION_RESTRICTS_NOTHING:
        key = note.keys[0] if note.keys else ""
        where = f" ({statement_text(note.statement)})" if note.statement is not None else ""
        return f"`{note.operator}` on {key} restricts nothing: no {action} request carries {key}{where}"
    if note.code is NoteCode.SESSION_TAGS_MATTER:
        return f"session tags for {', '.join(note.keys)} replace the role's tags and can change this"
    if note.code is NoteCode.SESSION_POLICIES_NARROW:
        return "every session of the role; a session policy can only narrow this"
    if note.code is NoteCode.OWN_POLICIES_ASSUMED:
        return "if the principal's own account's policies allow (that account is outside the world)"
    if note.code is NoteCode.CONDITIONS_NEVER_HOLD:
        return "no request meets the conditions of an allowing statement without meeting a deny's"
    return "more combinations of conditional statements allow than are listed"
