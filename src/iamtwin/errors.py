"""The base of every error iamtwin raises on purpose.

Hierarchy::

    IamtwinError                      code, message, location
    ├── policy.errors.PolicySyntaxError        a policy document does not follow the grammar
    ├── evaluate.errors.RequestError           a request cannot be evaluated (bad principal, action)
    ├── evaluate.errors.ConditionValueError    a condition value of the wrong type (recorded, not raised out)
    ├── simulate.errors.SimulationInputError   the simulation input or world file is malformed
    └── RefusalError                           a call AWS would refuse, with AWS's code and a `reason`
        ├── world.iam_errors.IamError          IAM and Organizations changes to a world
        └── sts.errors.StsError                STS calls

Messages follow one style: lowercase, no final period, the user's own text in backticks.
Tests assert codes, never message text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a document a problem is: a JSON path and, when parsed from text, line and column."""

    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path or "(document)"
        if self.line is not None:
            where += f" (line {self.line}, column {self.column})"
        return where


class IamtwinError(Exception):
    """An expected failure with a stable code, a message and an optional location."""

    code: str = "IAMTWIN_ERROR"

    def __init__(self, message: str, *, code: str | None = None, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.location = location

    def __str__(self) -> str:
        if self.location is not None and (self.location.path or self.location.line is not None):
            return f"{self.code}: {self.location}: {self.message}"
        return f"{self.code}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data."""
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.location is not None:
            out["path"] = self.location.path
            if self.location.line is not None:
                out["line"] = self.location.line
                out["column"] = self.location.column
        return out


class RefusalError(IamtwinError):
    """A call an AWS service would refuse: its AWS error code, a finer stable `reason`, the parameter."""

    def __init__(self, code: str, message: str, *, reason: str | None = None, location: Location | None = None) -> None:
        super().__init__(message, code=code, location=location)
        self.reason = reason

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data, with the finer `reason` when there is one."""
        out = IamtwinError.to_dict(self)
        if self.reason is not None:
            out["reason"] = self.reason
        return out
