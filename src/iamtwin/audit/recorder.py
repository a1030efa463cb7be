"""Recording events from the server: read-only calls buffered, changes written before the answer.

The request path of a read-only call only appends to an in-memory buffer; a background thread
writes the buffer every `interval` seconds (100 ms by default) in one transaction, and `stop()`
writes what is left at shutdown. A call that changed something is recorded durably: the buffer and
the event are written in the same transaction before the answer goes out, so no change is ever
unaudited even if the process dies right after (a crash loses at most the last interval's reads,
refusals and failures, which changed nothing). Writes are serialized per process, so the chain's
order is the order events were recorded.

A failed write is logged on `iamtwin.audit` and its events kept for the next attempt (at most
`max_pending`; beyond that the oldest are dropped and counted in `dropped`).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from .event import AuditEvent
from .periodic import Periodic
from .store import AuditStore

log = logging.getLogger("iamtwin.audit")


class Recorder(Protocol):
    """What the server records events on: this module's recorder, or a worker's link to the writer process."""

    def record(self, event: AuditEvent, *, durable: bool = False) -> None:
        """Record an event; with `durable`, written (with everything pending) before this returns."""

    def flush(self) -> None:
        """Write (or hand over) every pending event now."""

    def start(self) -> None:
        """Start background work (idempotent)."""

    def stop(self) -> None:
        """Stop background work and write what is pending."""


class AuditRecorder:
    """A per-process recorder over an audit store."""

    def __init__(self, store: AuditStore, *, interval: float = 0.1, max_pending: int = 100_000) -> None:
        self.store = store
        self.interval = interval
        self.max_pending = max_pending
        self.dropped = 0
        self._pending: deque[AuditEvent] = deque()
        self._lock = threading.Lock()  # guards _pending
        self._write_lock = threading.Lock()  # one write at a time: chain order = record order
        self._flushing = Periodic(self.flush, interval, "iamtwin-audit")

    def record(self, event: AuditEvent, *, durable: bool = False) -> None:
        """Record an event; with `durable`, written (with everything pending) before this returns."""
        self.record_all((event,), durable=durable)

    def record_all(self, events: Sequence[AuditEvent], *, durable: bool = False) -> None:
        """Record events in order; with `durable`, all written (with everything pending) before this returns."""
        if not durable:
            with self._lock:
                self._pending.extend(events)
                full = len(self._pending) >= self.max_pending
            if full:
                self.flush()
            return
        with self._write_lock:
            with self._lock:
                self._pending.extend(events)
            self._write_pending()

    def flush(self) -> None:
        """Write every pending event now."""
        with self._write_lock:
            self._write_pending()

    @property
    def pending(self) -> int:
        """How many events wait to be written."""
        with self._lock:
            return len(self._pending)

    def _write_pending(self) -> None:
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
        if not batch:
            return
        try:
            self.store.append(batch)
        except Exception:  # the database is away: keep the events, try again on the next flush
            log.exception("cannot write %d audit events; keeping them for the next attempt", len(batch))
            with self._lock:
                self._pending.extendleft(reversed(batch))
                while len(self._pending) > self.max_pending:
                    self._pending.popleft()
                    self.dropped += 1

    def start(self) -> None:
        """Start the background writer (idempotent)."""
        self._flushing.start()

    def stop(self) -> None:
        """Stop the background writer and write what is pending."""
        self._flushing.stop()
        self.flush()
