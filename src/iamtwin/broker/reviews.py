"""The review every break-glass use leaves behind: someone other than the user says whether it was justified.

Break-glass grants access at once, without approval, where the approval rule allows it; the price is
a mandatory review afterwards. The review is open until completed, and open reviews are listed first
and prominently. Who may complete it: anyone who could have approved the request (in one of the
approval rule's approver groups) except the person who used break-glass — the same people who would
have had to say yes beforehand say, afterwards, whether it was right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .requests import ElevationRequest


class ReviewOutcome(StrEnum):
    """What the reviewer concluded about a break-glass use."""

    JUSTIFIED = "justified"
    UNJUSTIFIED = "unjustified"


@dataclass(frozen=True, slots=True)
class BreakGlassReview:
    """The review task of one break-glass use: open while `reviewer` is None."""

    request_id: str
    requester: str
    used_at: datetime
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    outcome: ReviewOutcome | None = None
    comment: str = ""

    @property
    def open(self) -> bool:
        """Whether nobody has reviewed this use yet."""
        return self.reviewer is None


@dataclass(frozen=True, slots=True)
class BreakGlassUse:
    """A break-glass request together with its review."""

    request: ElevationRequest
    review: BreakGlassReview
