"""Containers whose contents are computed on first access.

A decision's reasons (per-type analyses, condition explanations, errors, missing keys) are fully
determined by the evaluation, but most callers that decide many requests read only the outcome;
computing the reasons when they are first read keeps the decision path short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from typing import TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class LazySequence(Sequence[T]):
    """A tuple computed by `thunk` when first read."""

    __slots__ = ("_items", "_thunk")

    def __init__(self, thunk: Callable[[], tuple[T, ...]]) -> None:
        self._thunk: Callable[[], tuple[T, ...]] | None = thunk
        self._items: tuple[T, ...] = ()

    def _get(self) -> tuple[T, ...]:
        if self._thunk is not None:
            self._items = self._thunk()
            self._thunk = None
        return self._items

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        return tuple(self._get()) == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


class LazyMapping(Mapping[K, V]):
    """A dict computed by `thunk` when first read."""

    __slots__ = ("_items", "_thunk")

    def __init__(self, thunk: Callable[[], dict[K, V]]) -> None:
        self._thunk: Callable[[], dict[K, V]] | None = thunk
        self._items: dict[K, V] = {}

    def _get(self) -> dict[K, V]:
        if self._thunk is not None:
            self._items = self._thunk()
            self._thunk = None
        return self._items

    def __getitem__(self, key: K) -> V:
        return self._get()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


class LazySet(Set[T]):
    """A frozenset computed by `thunk` when first read."""

    __slots__ = ("_items", "_thunk")

    def __init__(self, thunk: Callable[[], frozenset[T]]) -> None:
        self._thunk: Callable[[], frozenset[T]] | None = thunk
        self._items: frozenset[T] = frozenset()

    def _get(self) -> frozenset[T]:
        if self._thunk is not None:
            self._items = self._thunk()
            self._thunk = None
        return self._items

    def __contains__(self, item: object) -> bool:
        return item in self._get()

    def __iter__(self) -> Iterator[T]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())
