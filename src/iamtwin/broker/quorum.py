"""Whether a request's approvals meet its approval rule: every quota, AND across groups.

One approver counts once: someone in both `peers` and `security` can fill the peer quota or the
security quota, never both, so "1 peer AND 1 security" always takes two people.
"""

from __future__ import annotations

from collections.abc import Sequence

from .requests import Approval
from .rules import ApprovalRule


def quorum_met(rule: ApprovalRule, approvals: Sequence[Approval]) -> bool:
    """Whether the approvals can be assigned, one approver per seat, to fill every quota."""
    seats = [q.group for q in rule.quotas for _ in range(q.count)]
    if len(seats) > len(approvals):
        return False
    # Bipartite matching of seats to approvers (augmenting paths); the numbers are small.
    holder: dict[int, int] = {}  # approval index -> seat index

    def place(seat: int, tried: set[int]) -> bool:
        for index, approval in enumerate(approvals):
            if seats[seat] in approval.groups and index not in tried:
                tried.add(index)
                if index not in holder or place(holder[index], tried):
                    holder[index] = seat
                    return True
        return False

    return all(place(seat, set()) for seat in range(len(seats)))
