"""How long the audit trail keeps events, and the keeper that prunes what is older.

CloudTrail keeps a trail's events as long as its bucket's lifecycle says; iamtwin's trail lives in
the world database, so retention is a number of days. Pruning keeps the chain verifiable (see
chain.py: the anchor moves to the last removed event); a trail that does not verify is never pruned,
so the keeper logs that and tries again later rather than hiding the evidence.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock
from ..errors import IamtwinError
from .chain import prune
from .periodic import Periodic
from .store import AuditStore

log = logging.getLogger("iamtwin.audit")

MAX_RETENTION_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class Retention:
    """Keep events for `days` days (1 to 36,500)."""

    days: int

    def __post_init__(self) -> None:
        if not 1 <= self.days <= MAX_RETENTION_DAYS:
            raise IamtwinError(
                f"a retention of `{self.days}` days is not between 1 and {MAX_RETENTION_DAYS:,}",
                code="INVALID_RETENTION",
            )

    def cutoff(self, now: datetime) -> datetime:
        """The oldest event time kept at `now`."""
        return now - timedelta(days=self.days)


class RetentionKeeper:
    """Prunes the trail to its retention at start and every `interval` seconds, in a daemon thread."""

    def __init__(self, store: AuditStore, retention: Retention, clock: Clock, *, interval: float = 3600.0) -> None:
        self.store = store
        self.retention = retention
        self.clock = clock
        self._pruning = Periodic(self._prune, interval, "iamtwin-audit-retention")

    def run_once(self) -> int:
        """Prune now; how many events were removed (0 when pruning failed, which is logged)."""
        now = self.clock.now()
        try:
            removed = prune(self.store, self.retention.cutoff(now), now)
        except Exception:  # a broken chain or an unreachable database: keep serving, try again later
            log.exception("audit retention: could not prune events older than %s days", self.retention.days)
            return 0
        if removed:
            log.info("audit retention: removed %d events older than %d days", removed, self.retention.days)
        return removed

    def _prune(self) -> None:
        self.run_once()

    def start(self) -> None:
        """Prune once now, then periodically."""
        self.run_once()
        self._pruning.start()

    def stop(self) -> None:
        """Stop pruning."""
        self._pruning.stop()
