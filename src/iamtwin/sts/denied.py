"""A refused STS call that carries the engine's decision, so the caller can be told why."""

from __future__ import annotations

from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from .errors import StsError, StsErrorCode


class StsAccessDenied(StsError):
    """AccessDenied from an STS call; `decision` says which policy refused which action."""

    def __init__(self, decision: Decision, *, reason: str) -> None:
        super().__init__(StsErrorCode.ACCESS_DENIED, denial_message(decision) or "access denied", reason=reason)
        self.decision = decision


def refused(message: str, reason: str) -> StsError:
    """AccessDenied for a refusal that no policy decided (root caller, bad MFA code, …)."""
    return StsError(StsErrorCode.ACCESS_DENIED, message, reason=reason)
