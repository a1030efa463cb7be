"""The stable codes of policy grammar problems, and a log that locates each problem it records.

Codes are part of the public contract: tests, the validator and the CLI read them, so a code
is never renamed; descriptions say which AWS behaviour the code follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..errors import Location
from .errors import PolicyProblem

PROBLEM_CODES: Mapping[str, str] = MappingProxyType(
    {
        "JSON_SYNTAX_ERROR": "the text is not valid JSON (IAM rejects it as a malformed policy document)",
        "DUPLICATE_KEY": (
            "the same key appears twice in one JSON object; the last value is kept, but the IAM grammar "
            "notes forbid it (an element must not contain multiple instances of the same key), so IAM "
            "rejects the document"
        ),
        "DUPLICATE_CONDITION_KEY": (
            "a condition key appears twice in one operator block with different capitalization; condition "
            "key names are case-insensitive and IAM Access Analyzer reports it as an error"
        ),
        "DUPLICATE_SID": ("two statements of the policy share a Sid; in IAM a Sid must be unique within a policy"),
        "INVALID_TYPE": "a value has the wrong JSON type (for example a number where a string is required)",
        "UNKNOWN_ELEMENT": "a policy or statement element that the grammar does not define; IAM rejects it",
        "INVALID_VERSION": "Version is neither `2012-10-17` nor `2008-10-17`",
        "MISSING_STATEMENT": "the policy has no Statement element, or an empty list of statements",
        "MISSING_EFFECT": "a statement has no Effect element",
        "INVALID_EFFECT": "Effect is neither `Allow` nor `Deny` (exact case)",
        "MISSING_ACTION": "a statement has neither Action nor NotAction",
        "CONFLICTING_ELEMENTS": (
            "a statement has both elements of a pair (Action/NotAction, Resource/NotResource or Principal/NotPrincipal)"
        ),
        "INVALID_PRINCIPAL": "Principal or NotPrincipal is a string other than `*`",
        "INVALID_PRINCIPAL_KEY": "a principal type other than AWS, Service, Federated or CanonicalUser",
        "UNKNOWN_CONDITION_OPERATOR": "a condition operator that IAM does not define",
        "NULL_WITH_IF_EXISTS": "the Null operator with the IfExists suffix, which IAM does not allow",
        "EMPTY_CONDITION_VALUES": "a condition key with an empty list of values",
    }
)


def json_type(value: object) -> str:
    """The JSON name of a value's type, for messages (`object`, `array`, `string`, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return "a value that is not JSON"


def parent_path(path: str) -> str:
    """The path of the value that contains `path` (`Statement[0].Effect` → `Statement[0]`)."""
    bracket = path.rfind("[") if path.endswith("]") else -1
    if bracket >= 0:
        return path[:bracket]
    dot = path.rfind(".")
    return path[:dot] if dot > 0 else ""


class ProblemLog:
    """Collects the problems of one document, giving each the line and column of its path."""

    __slots__ = ("_positions", "_problems")

    def __init__(self, positions: Mapping[str, tuple[int, int]]) -> None:
        self._positions = positions
        self._problems: list[PolicyProblem] = []

    def add(self, code: str, message: str, path: str) -> None:
        """Record a problem at a JSON path (located at its nearest positioned ancestor)."""
        if code not in PROBLEM_CODES:
            raise ValueError(f"unregistered problem code {code}")
        self._problems.append(PolicyProblem(code, message, self.locate(path)))

    def extend(self, problems: tuple[PolicyProblem, ...]) -> None:
        """Record problems found elsewhere (duplicate keys found while reading the text)."""
        self._problems.extend(problems)

    def locate(self, path: str) -> Location:
        """The Location of a path, with the line and column of the path or its closest ancestor."""
        if not self._positions:
            return Location(path)
        probe = path
        while probe not in self._positions and probe:
            probe = parent_path(probe)
        position = self._positions.get(probe)
        if position is None:
            return Location(path)
        return Location(path, position[0], position[1])

    def __len__(self) -> int:
        return len(self._problems)

    def problems(self) -> tuple[PolicyProblem, ...]:
        """Every problem, in document order when positions are known, else in the order found."""
        if not self._positions:
            return tuple(self._problems)
        return tuple(sorted(self._problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
