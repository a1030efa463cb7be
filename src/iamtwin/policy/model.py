"""Typed, frozen models of an IAM policy document, produced once by the parser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


class Effect(StrEnum):
    """A statement's Effect element."""

    ALLOW = "Allow"
    DENY = "Deny"


class SetQualifier(StrEnum):
    """The set operator prefix of a condition operator."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """A Principal or NotPrincipal element; `everyone` is the bare string `*`."""

    everyone: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    """One key under one operator of a Condition block, with its values as strings.

    `operator` is the text as written; `base` is the canonical operator name without the set
    qualifier and without `IfExists` (e.g. `StringLike`). JSON booleans and numbers in the
    values are kept as their JSON text (`true`, `10`), as AWS compares them as strings.
    """

    operator: str
    base: str
    qualifier: SetQualifier | None
    if_exists: bool
    key: str
    values: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement; exactly one of each element pair (Action/NotAction, ...) is set."""

    index: int
    sid: str | None
    effect: Effect
    principal: PrincipalSet | None = None
    not_principal: PrincipalSet | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    path: str = "Statement"


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A whole policy. `version` is None when the Version element is absent.

    `positions` maps JSON paths to (line, column) when the document was parsed from text.
    """

    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    statement_is_list: bool = True
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def substitutes_variables(self) -> bool:
        """Policy variables are replaced only in Version 2012-10-17; elsewhere they are literal text."""
        return self.version == VERSION_2012
