"""The actions a symbolic request can name: a finite domain, one representative per class.

Two actions that every Action/NotAction pattern in play matches alike (and that carry the same
service-specific condition keys) are interchangeable for every check, so the domain keeps one
representative of each class: the catalogue's actions matched by the patterns, actions the
policies name that the catalogue does not know, one "unlisted action" per named service (an
action no literal text of a pattern names: only patterns like `s3:*` match it) and one action of
an unlisted service (only `*` and `*:*` match it). The request's action is a z3 integer indexing
this domain, and a pattern is the disjunction of the indices it matches, decided here in Python
with the engine's own case-insensitive globs (policy/patterns.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ... import catalog
from ...policy.patterns import compile_glob

# A name no real action has: of the glob patterns only those whose name part matches any name match it.
_UNLISTED = "#"
UNLISTED_ACTION = "<unlisted action>"
UNLISTED_SERVICE = "<unlisted service>"


@dataclass(frozen=True, slots=True)
class DomainAction:
    """One representative action: its display name, the text patterns are matched against, and its catalogue entry."""

    name: str
    match_text: str
    known: catalog.Action | None


def _service_part(pattern: str) -> str:
    return "*" if pattern == "*" else pattern.partition(":")[0]


class ActionDomain:
    """The finite set of representative actions for a set of patterns and service-specific keys."""

    def __init__(self, patterns: Iterable[str], keys: Iterable[str] = ()) -> None:
        self.patterns = tuple(dict.fromkeys(p.lower() for p in patterns))
        self.keys = tuple(dict.fromkeys(k.lower() for k in keys if not k.lower().startswith("aws:")))
        self._regexes = tuple(compile_glob(p) for p in self.patterns)
        named = {_service_part(p) for p in self.patterns if "*" not in _service_part(p) and "?" not in _service_part(p)}
        wide = any("*" in _service_part(p) or "?" in _service_part(p) for p in self.patterns)
        services = sorted(catalog.service_prefixes()) if wide else sorted(s for s in named if catalog.service(s))
        candidates: list[DomainAction] = []
        for prefix in services:
            candidates.extend(DomainAction(a.full_name, a.full_name.lower(), a) for a in catalog.actions(prefix))
        for pattern in self.patterns:
            if "*" not in pattern and "?" not in pattern and catalog.action_named(pattern) is None:
                candidates.append(DomainAction(pattern, pattern, None))
        for prefix in sorted(named):
            candidates.append(DomainAction(f"{prefix}:{UNLISTED_ACTION}", f"{prefix}:{_UNLISTED}", None))
        candidates.append(DomainAction(f"{UNLISTED_SERVICE}:{UNLISTED_ACTION}", f"{_UNLISTED}:{_UNLISTED}", None))
        seen: dict[tuple[object, ...], DomainAction] = {}
        for candidate in candidates:
            seen.setdefault(self._signature(candidate), candidate)
        self.members: tuple[DomainAction, ...] = tuple(seen.values())
        self.var = z3.Int("action")

    def _signature(self, member: DomainAction) -> tuple[object, ...]:
        matched = tuple(rx.fullmatch(member.match_text) is not None for rx in self._regexes)
        carried = tuple(self._carries(member, key) for key in self.keys)
        return (*matched, *carried)

    @staticmethod
    def _carries(member: DomainAction, key: str) -> bool | None:
        if member.known is None:
            return None
        return catalog.key_in_request(member.known, key)

    def in_range(self) -> z3.BoolRef:
        """The action is one of the domain's members."""
        return z3.And(self.var >= 0, self.var < len(self.members))

    def indices(self, pattern: str) -> list[int]:
        """The members a pattern matches (case-insensitive glob, as IAM matches actions)."""
        rx = compile_glob(pattern.lower())
        return [i for i, m in enumerate(self.members) if rx.fullmatch(m.match_text) is not None]

    def matches(self, patterns: Iterable[str]) -> z3.BoolRef:
        """The action matches one of the patterns."""
        hits = sorted({i for p in patterns for i in self.indices(p)})
        return self._one_of(hits)

    def _one_of(self, hits: list[int]) -> z3.BoolRef:
        if len(hits) == len(self.members):
            return z3.BoolVal(True)
        return z3.Or(*[self.var == i for i in hits]) if hits else z3.BoolVal(False)

    def may_carry(self, key: str) -> z3.BoolRef:
        """A request for the action can carry the service-specific key (unknown actions: may)."""
        lowered = key.lower()
        hits = [i for i, m in enumerate(self.members) if self._carries(m, lowered) is not False]
        return self._one_of(hits)

    def name(self, index: int) -> str:
        """The display name of a member."""
        return self.members[index].name
