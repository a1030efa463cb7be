"""The request context: condition keys and their values, looked up without regard to key case."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple


class ContextValue(NamedTuple):
    """The values of one context key; `multivalued` when the key was given as a list.

    A named tuple rather than a frozen dataclass: requests build one per key, and tuples are cheap to make.
    """

    key: str
    values: tuple[str, ...]
    multivalued: bool


class RequestContext(Mapping[str, ContextValue]):
    """Context keys by lowercased name. Immutable once built."""

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[ContextValue] = ()) -> None:
        self._entries: dict[str, ContextValue] = {e.key.lower(): e for e in entries}

    @classmethod
    def from_mapping(cls, data: Mapping[str, str | bool | int | float | Iterable[str]]) -> RequestContext:
        """Build from `{key: value | [values]}`; a list makes the key multivalued."""
        entries = []
        for key, raw in data.items():
            if isinstance(raw, str):
                entries.append(ContextValue(key, (raw,), False))
            elif isinstance(raw, bool):
                entries.append(ContextValue(key, ("true" if raw else "false",), False))
            elif isinstance(raw, (int, float)):
                entries.append(ContextValue(key, (str(raw),), False))
            else:
                entries.append(ContextValue(key, tuple(_text(v) for v in raw), True))
        return cls(entries)

    @classmethod
    def from_entries(cls, entries: dict[str, ContextValue]) -> RequestContext:
        """Adopt a dict already keyed by lowercased key (no copy)."""
        ctx = cls()
        ctx._entries = entries
        return ctx

    @property
    def entries(self) -> Mapping[str, ContextValue]:
        """The entries by lowercased key."""
        return self._entries

    def __getitem__(self, key: str) -> ContextValue:
        return self._entries[key.lower()]

    def get_value(self, key_lower: str) -> ContextValue | None:
        """The entry of an already-lowercased key, or None."""
        return self._entries.get(key_lower)

    def single(self, key_lower: str) -> str | None:
        """The single value of a key for policy variables; None when missing or multivalued."""
        entry = self._entries.get(key_lower)
        if entry is None or entry.multivalued or len(entry.values) != 1:
            return None
        return entry.values[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def to_dict(self) -> dict[str, str | list[str]]:
        """The context as JSON-ready data, keys as written."""
        return {e.key: (list(e.values) if e.multivalued else e.values[0]) for e in self._entries.values()}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
