"""Errors of the policy language: every grammar problem has a stable code and a location."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IamtwinError, Location


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One grammar problem found in a policy document."""

    code: str
    message: str
    location: Location

    def to_dict(self) -> dict[str, object]:
        """The problem as JSON-ready data."""
        out: dict[str, object] = {"code": self.code, "message": self.message, "path": self.location.path}
        if self.location.line is not None:
            out["line"] = self.location.line
            out["column"] = self.location.column
        return out


class PolicySyntaxError(IamtwinError):
    """A policy document that does not follow the IAM policy grammar; carries every problem found."""

    code = "POLICY_SYNTAX_ERROR"

    def __init__(self, problems: tuple[PolicyProblem, ...]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first.message + more, code=first.code, location=first.location)
        self.problems = problems
