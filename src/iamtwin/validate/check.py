"""The shape of a check: a name, the issue codes it may report, and a function over one policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..policy.source import child_path, item_path
from .context import CheckContext, RawStatement
from .findings import Finding, IssueCode
from .source import is_unresolved


@dataclass(frozen=True, slots=True)
class Check:
    """One family of rules; `run` yields findings whose codes are all in `codes`."""

    name: str
    codes: tuple[IssueCode, ...]
    run: Callable[[CheckContext], Iterable[Finding]]


def element_strings(statement: RawStatement, element: str) -> Iterator[tuple[str, str]]:
    """The (path, text) of each string of an element written as a string or an array of strings.

    Placeholders for unresolved values are skipped.
    """
    value = statement.value.get(element)
    path = child_path(statement.path, element)
    yield from strings_at(value, path)


def strings_at(value: object, path: str) -> Iterator[tuple[str, str]]:
    """The (path, text) of a string or of each string of an array; placeholders are skipped."""
    if isinstance(value, str):
        if not is_unresolved(value):
            yield path, value
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if isinstance(item, str) and not is_unresolved(item):
                yield item_path(path, index), item


def condition_entries(statement: RawStatement) -> Iterator[tuple[str, str, str, object]]:
    """Each (operator, key, path, values) of a statement's Condition block as written."""
    block = statement.value.get("Condition")
    if not isinstance(block, Mapping):
        return
    base = child_path(statement.path, "Condition")
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            continue
        operator_path = child_path(base, str(operator))
        for key, values in keys.items():
            yield str(operator), str(key), child_path(operator_path, str(key)), values


def condition_values(values: object, path: str) -> Iterator[tuple[str, object]]:
    """The (path, value) of each condition value (a scalar or an array of scalars)."""
    if isinstance(values, list | tuple):
        for index, item in enumerate(values):
            yield item_path(path, index), item
    else:
        yield path, values
