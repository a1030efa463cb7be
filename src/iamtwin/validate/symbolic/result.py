"""What a custom policy check returns: PASS, FAIL or UNKNOWN, with the statements that decide it.

The JSON shape follows Access Analyzer's CheckNoNewAccess / CheckAccessNotGranted /
CheckNoPublicAccess responses (`result`, `message`, `reasons` with `description`, `statementId`,
`statementIndex`), plus a `witness` per reason: one concrete request that shows the access.
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    """The outcome of a check; UNKNOWN when the solver ran out of time (never a guess)."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Witness:
    """One request the reasoning found: action, resource, principal and the context values it needs."""

    action: str
    resource: str
    principal: dict[str, str] | None = None
    context: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The witness as JSON-ready data."""
        out: dict[str, object] = {"action": self.action, "resource": self.resource}
        if self.principal is not None:
            out["principal"] = dict(self.principal)
        out["context"] = {key: list(values) for key, values in self.context.items()}
        return out


@dataclass(frozen=True, slots=True)
class Reason:
    """A statement that grants the access the check looks for, or could not be decided in time."""

    statement_index: int
    statement_id: str | None
    description: str
    witness: Witness | None = None
    undecided: bool = False

    def to_dict(self) -> dict[str, object]:
        """The reason in Access Analyzer's ReasonSummary field names, with the witness."""
        out: dict[str, object] = {"description": self.description, "statementIndex": self.statement_index}
        if self.statement_id is not None:
            out["statementId"] = self.statement_id
        if self.witness is not None:
            out["witness"] = self.witness.to_dict()
        if self.undecided:
            out["undecided"] = True
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The result of one custom check."""

    check: str
    verdict: Verdict
    message: str
    reasons: tuple[Reason, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The result as JSON-ready data."""
        return {
            "check": self.check,
            "result": self.verdict.value,
            "message": self.message,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }
