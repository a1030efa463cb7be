"""The request context: condition keys and their values, looked up without regard to key case."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from .native import is_native


class ContextValue(NamedTuple):
    """The values of one context key; `multivalued` when the key was given as a list.

    A named tuple rather than a frozen dataclass: requests build one per key, and tuples are cheap to make.
    """

    key: str
    values: tuple[str, ...]
    multivalued: bool


class RequestContext(Mapping[str, ContextValue]):
    """Context keys by lowercased name. Immutable once built.

    `get_value(key_lower)` is the entry of an already-lowercased key, or None: the dict's own
    `get`, bound once, because conditions call it many times per decision.
    """

    __slots__ = ("_entries", "get_value")

    get_value: Callable[[str], ContextValue | None]

    def __init__(self, entries: Iterable[ContextValue] = (), *, by_key: dict[str, ContextValue] | None = None) -> None:
        """From `entries`, or adopting `by_key`, a dict already keyed by lowercased key (no copy)."""
        self._entries: dict[str, ContextValue] = by_key if by_key is not None else {e.key.lower(): e for e in entries}
        self.get_value = self._entries.get

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
        if _NATIVE:
            # A native class refuses object.__new__; its compiled __init__ costs little (see `native.py`).
            return RequestContext(by_key=entries)
        ctx = _new_context(cls)
        ctx._entries = entries
        ctx.get_value = entries.get
        return ctx

    @property
    def entries(self) -> Mapping[str, ContextValue]:
        """The entries by lowercased key."""
        return self._entries

    def __getitem__(self, key: str) -> ContextValue:
        return self._entries[key.lower()]

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


_new_context = object.__new__
_NATIVE = is_native(RequestContext)
# ContextValue is a named tuple; tuple.__new__ builds one without its Python-level __new__.
_tuple_new = tuple.__new__
_INTERNED_LIMIT = 16384


class EntryInterner:
    """Single-valued context entries made once and shared between requests.

    `keys` maps a key as given (`team`, or `aws:SourceIp`) to its lowercased full name
    (`aws:principaltag/team`) and the entries made so far by value. Requests repeat their keys
    and most of their values, so reading one mostly finds its entries here: no lowercasing, no
    tuple to build and none to free. Readers look `keys` up themselves and call `entry` on a miss.
    At most `_INTERNED_LIMIT` entries are kept; then the interner starts afresh.
    """

    __slots__ = ("count", "keys", "prefix")

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.keys: dict[str, tuple[str, dict[str, ContextValue]]] = {}
        self.count = 0

    def entry(self, key: str, value: str) -> tuple[str, ContextValue]:
        """The lowercased name and the entry of `key` with the single value `value`."""
        if self.count >= _INTERNED_LIMIT:
            self.keys.clear()
            self.count = 0
        name = self.prefix + key
        known = self.keys.get(key)
        if known is None:
            known = (name.lower(), {})
            self.keys[key] = known
        entry = known[1].get(value)
        if entry is None:
            entry = _tuple_new(ContextValue, (name, (value,), False))
            known[1][value] = entry
            self.count += 1
        return known[0], entry

    def add_to(self, entries: dict[str, ContextValue], given: Mapping[str, object]) -> None:
        """Put the entries of the `given` keys and single values into `entries`, by lowercased name."""
        keys = self.keys
        for key, value in given.items():
            if type(value) is str:
                known = keys.get(key)
                if known is not None:
                    entry = known[1].get(value)
                    if entry is not None:
                        entries[known[0]] = entry
                        continue
                if type(key) is str:
                    lowered, entry = self.entry(key, value)
                    entries[lowered] = entry
                    continue
            # Not a pair of strings (the caller did not check): made as given and not kept.
            name = f"{self.prefix}{key}"
            entries[name.lower()] = _tuple_new(ContextValue, (name, (value,), False))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
