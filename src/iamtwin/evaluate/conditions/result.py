"""The outcome of one condition (one operator, one key) against one request."""

from __future__ import annotations

from dataclasses import dataclass

from ..decision import ConditionReason
from ..errors import ConditionValueError


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """Whether the condition held, why, the context values it saw, and the bad value if any.

    `context_values` is None when the key was absent from the request. `error` is set exactly
    when `reason` is INVALID_VALUE; `matched` is then False.
    """

    matched: bool
    reason: ConditionReason
    context_values: tuple[str, ...] | None
    error: ConditionValueError | None = None
